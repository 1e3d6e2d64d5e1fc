"""The deploy example (deploy/): nginx's site as shipped is valid, keeps private links out of its log, retries
a GET on the other app server but never a POST, keeps static files and photos, and refuses oversized bodies."""
from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from memorials.extensions import db
from memorials.logs import redact
from memorials.stories import photos
from memorials.stories.models import Photo, Story

from . import served
from .factories import form_data, image_bytes, make_story, publish
from .forms import csrf_token
from .nginx_server import DEPLOY, ROOT, Nginx, check_config, find_nginx

pytestmark = pytest.mark.skipif(not find_nginx() and os.environ.get("REQUIRE_NGINX") != "1",
                                reason="nginx is not installed")


def request(url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Refusing(BaseHTTPRequestHandler):
    """An app server that answers every request with 502, counting what it was asked (a server going down)."""

    seen: list[str] = []

    def _refuse(self):
        self.seen.append(f"{self.command} {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_HEAD = _refuse

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing():
    Refusing.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, Refusing.seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_server(make_app, tmp_path):
    """One app server (gunicorn with the shipped config, one worker) on this test's database."""
    app = make_app()
    env = served.environment(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance", TRUSTED_PROXIES="1",
                             RATELIMIT_ENABLED="0", WEB_CONCURRENCY="1")
    with served.gunicorn(env, tmp_path / "logs", workers=1) as server:
        yield app, server


def upstream(url: str) -> str:
    return url.removeprefix("http://")


def test_the_shipped_site_passes_nginx_own_check(tmp_path):
    """deploy/nginx/memorials.conf as an operator installs it, with only the machine's paths swapped."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    site = (DEPLOY / "memorials.conf").read_text()
    for placeholder, here in {
        "/etc/letsencrypt/live/memorials.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/memorials.example.org/privkey.pem": str(key),
        "/etc/nginx/snippets/memorials-site.conf": str(DEPLOY / "memorials-site.conf"),
        "/var/cache/nginx/memorials": str(tmp_path / "cache"), "/var/log/nginx": str(tmp_path),
    }.items():
        assert placeholder in site
        site = site.replace(placeholder, here)
    user = "user root;\n" if os.geteuid() == 0 else ""
    whole = (f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n"
             f"include {DEPLOY / 'memorials-log.conf'};\n{site}\n}}\n")
    checked = check_config(whole, tmp_path)
    assert checked.returncode == 0, checked.stderr
    for unit in (ROOT / "deploy" / "systemd").glob("*.service"):
        text = unit.read_text()
        assert "EnvironmentFile=/etc/memorials.env" in text and "ExecStart=/srv/memorials-code/.venv/bin/" in text
    if shutil.which("systemd-analyze"):
        verified = subprocess.run(["systemd-analyze", "verify", *map(str, (ROOT / "deploy" / "systemd").iterdir())],
                                  capture_output=True, text=True, timeout=60)
        assert "Unknown key" not in verified.stderr and "Unknown section" not in verified.stderr, verified.stderr


def test_private_links_never_reach_nginx_log(app_server, tmp_path):
    _app, server = app_server
    proxy = Nginx([upstream(server.url)], tmp_path / "nginx")
    proxy.start()
    try:
        secret = "Zq3xK9_fake-private-token-0123456789abcdefghij"
        paths = [f"/stories/manage/{secret}", f"/es/stories/manage/{secret}/photos/a.jpg",
                 f"/moderate/invitation/{secret}", f"/stories/unsubscribe/{secret}", f"/x/{secret}",
                 f"/moderate/password?token={secret}", f"/stories/?key={secret}&page=2",
                 f"/language/es?next=/stories/manage/{secret}", f"/language/en?next=/es/moderate/invitation/{secret}",
                 "/stories/manage/lost", "/stories/?q=garcia&page=2", "/stories/daniel-rivera-2023",
                 "/language/es?next=/stories/manage/lost"]
        for path in paths:
            request(proxy.url, "GET", path)
        lines = proxy.log_lines()
    finally:
        proxy.stop()
    assert len(lines) == len(paths)
    assert not any(secret in line for line in lines)
    logged = [re.search(r'"GET (\S+) HTTP', line).group(1) for line in lines]
    for path, written in zip(paths, logged):
        if secret in path:
            assert "[private]" in written and "[private]" in redact(path)
        else:
            assert written == path == redact(path)   # an ordinary address stays readable


def test_a_get_goes_to_the_other_app_server_but_a_post_is_never_sent_twice(app_server, refusing, tmp_path):
    app, server = app_server
    broken, seen = refusing
    broken_address = f"127.0.0.1:{broken.server_address[1]}"

    proxy = Nginx([broken_address, upstream(server.url)], tmp_path / "gets")   # round robin: the broken one first
    proxy.start()
    try:
        status, _, body = request(proxy.url, "GET", "/stories/new")
    finally:
        proxy.stop()
    assert seen == ["GET /stories/new"] and status == 200 and b"csrf_token" in body

    # A story posted through nginx: the broken server takes it first and fails; nginx gives the family the error
    # instead of sending their story to the other server too.
    seen.clear()
    status, headers, page = request(server.url, "GET", "/stories/new")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    fields = {**form_data(), "csrf_token": csrf_token(page.decode())}
    body = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
    proxy = Nginx([broken_address, upstream(server.url)], tmp_path / "posts")
    proxy.start()
    try:
        status, _, _ = request(proxy.url, "POST", "/stories/new", body,
                               {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    finally:
        proxy.stop()
    assert status == 502 and seen == ["POST /stories/new"]
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Story)).scalar() == 0
    assert "POST /stories/new" not in server.access_log.read_text()


def test_nginx_keeps_static_files_and_photos_and_refuses_oversized_bodies(app_server, tmp_path):
    app, server = app_server
    proxy = Nginx([upstream(server.url)], tmp_path / "nginx")
    proxy.start()
    try:
        _, _, page = request(proxy.url, "GET", "/stories/new")
        css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', page.decode()).group(1)
        for _ in range(2):
            status, headers, _ = request(proxy.url, "GET", css)
            assert status == 200 and "immutable" in headers["Cache-Control"]
        request(proxy.url, "GET", "/static/css/site.css")       # no hash: "no-cache", never kept
        request(proxy.url, "GET", "/static/css/site.css")

        with app.app_context():
            story, _ = make_story()
            processed = photos.process(image_bytes())
            filename, thumb = photos.write_files(processed)
            photo = Photo(filename=filename, thumb_filename=thumb, width=processed.width, height=processed.height)
            story.photos.append(photo)
            story.latest_version.photo = photo
            db.session.commit()
            publish(story)
        # The app server reads photos from the instance folder the test app wrote to (one machine).
        for _ in range(2):
            status, headers, data = request(proxy.url, "GET", f"/stories/photos/{thumb}")
            assert status == 200 and data[:2] == b"\xff\xd8" and "immutable" in headers["Cache-Control"]

        status, _, _ = request(proxy.url, "POST", "/stories/new", b"x" * (41 * 1024 * 1024),
                               {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 413
        lines = proxy.log_lines()
    finally:
        proxy.stop()
    caching = [(re.search(r'"GET (\S+)', line).group(1), line.rsplit("cache=", 1)[1]) for line in lines if '"GET' in line]
    assert (css, "MISS") in caching and (css, "HIT") in caching
    assert [c for path, c in caching if path == "/static/css/site.css"] == ["MISS", "MISS"]
    assert [c for path, c in caching if path == f"/stories/photos/{thumb}"] == ["MISS", "HIT"]
    # The app saw the visitor's address through X-Forwarded-For (gunicorn's log shows it).
    assert '"127.0.0.1"' in server.access_log.read_text()
