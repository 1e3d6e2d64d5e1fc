"""Several machines, one site: `python -m bench cluster [--seconds 40] [--readers 16]`.

Starts, all on loopback: PostgreSQL (a throwaway cluster, as tests/postgres.py makes it), Redis, moto's S3
server, two app servers (gunicorn with the shipped config, each with its own instance folder and its own mail
sender, as two machines would have) sharing SECRET_KEY, the database, the bucket and Redis, and Debian's nginx
in front with the deploy example's files (deploy/nginx/). Behind nginx the app trusts two proxies, as behind a
load balancer, so each simulated visitor has an address of their own for the rate limits kept in Redis.

Then:
  1. families share stories with photos through app server A; a moderator signs in and approves them on
     app server B (a session and a form token made on one server are read by the other);
  2. for --seconds, visitors read the front page, the list, memorials and photos, and light candles, all
     through nginx, while families go on sharing stories through nginx and the moderator approves on B;
     a third of the way in, app server A is killed with kill -9 (master and workers, and its mail sender);
  3. A is started again, and every photo of every public memorial is fetched from A and from B directly.

It reports requests, failures and acknowledged writes lost (a story, an approval or a candle whose request was
answered as done but is not in the database). Goals: 0 acknowledged writes lost, 0 failed GETs (nginx sends a
GET that A cannot answer to B), every photo served by both servers, every queued message sent once, and no
stale page: after each candle, a new visitor asks both servers for the memorial, and each must count at least
every candle acknowledged so far (each worker's page cache hears of the change from PostgreSQL).
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_and_fault import Site  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)" name="csrf_token"')
VERSION = re.compile(r'name="version_id" type="hidden" value="(\d+)"|value="(\d+)" name="version_id"')
PASSWORD = "a long cluster bench password"
TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STORY = "He could fix any engine and never once let a friend walk home in the rain. " * 4


def _token(page: str, pattern=TOKEN) -> str | None:
    found = pattern.search(page)
    return next(g for g in found.groups() if g) if found else None


def _photo(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (1200, 900), tuple(rng.randint(40, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y, r = rng.randint(0, 1200), rng.randint(0, 900), rng.randint(30, 200)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randint(0, 255) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Browser:
    """One visitor: keeps cookies, sends requests on a new connection each time, with the address a load
    balancer in front of nginx would pass on (X-Forwarded-For)."""

    def __init__(self, address: str | None = None) -> None:
        self.cookies: dict[str, str] = {}
        self.address = address or f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"

    def request(self, port: int, method: str, path: str, fields: dict | None = None,
                photo: bytes | None = None) -> tuple[int, dict, bytes]:
        headers = {"X-Forwarded-For": self.address, "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if photo is not None:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in (fields or {}).items()]
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="photo.jpg"\r\n'
                         "Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), data
        finally:
            connection.close()

    def form(self, port: int, path: str, fields: dict, photo: bytes | None = None, page: str | None = None):
        """GET the form's page, then POST it with its token (the two may reach different app servers)."""
        status, _, html = self.request(port, "GET", page or path)
        token = _token(html.decode("utf-8", "replace"))
        if status != 200 or token is None:
            return status, {}, html
        return self.request(port, "POST", path, {"csrf_token": token, **fields}, photo)


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    gets: Counter = field(default_factory=Counter)          # status (0: no answer) -> count
    posts: Counter = field(default_factory=Counter)
    stories_acknowledged: set = field(default_factory=set)
    approvals_acknowledged: set = field(default_factory=set)
    candles_acknowledged: int = 0
    candles_unanswered: int = 0
    failed_gets: list = field(default_factory=list)
    lit: Counter = field(default_factory=Counter)            # slug -> candles acknowledged so far
    reads_after_candle: int = 0
    stale_reads: list = field(default_factory=list)          # (slug, server, candles acknowledged, candles shown)

    def get(self, status: int, path: str) -> None:
        with self.lock:
            self.gets[status] += 1
            if not 200 <= status < 400:
                self.failed_gets.append((status, path))

    def post(self, status: int) -> None:
        with self.lock:
            self.posts[status] += 1


def _safe(call):
    try:
        return call()
    except OSError:
        return 0, {}, b""


class Cluster:
    def __init__(self, args) -> None:
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="memorials-cluster-"))
        self.parts: list = []

    def start(self) -> None:
        import psycopg

        from tests.nginx_server import Nginx
        from tests.postgres import Cluster as Postgres
        from tests.redis_server import RedisServer
        from tests.s3_server import KEY, SECRET, S3Server
        from tests.smtp import free_port

        postgres = Postgres()
        self.parts.append(postgres)
        server = postgres.start()
        with psycopg.connect(server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as c:
            c.execute('CREATE DATABASE "cluster"')
        self.database_url = f"{server}/cluster"
        redis = RedisServer()
        self.parts.append(redis)
        redis.start()
        s3 = S3Server()
        self.parts.append(s3)
        s3.start()
        s3.client().create_bucket(Bucket="memorials-cluster")
        self.s3 = s3
        common = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": "one key for every server",
                  "PHOTO_STORE_URL": "s3://memorials-cluster/site", "S3_ENDPOINT_URL": s3.url,
                  "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "S3_REGION": "us-east-1",
                  "RATELIMIT_STORAGE_URI": redis.url, "TRUSTED_PROXIES": "2", "MAIL_SERVER": "",
                  "SITE_URL": "http://127.0.0.1", "PYTHONPATH": str(ROOT), "WEB_CONCURRENCY": str(self.args.workers)}
        common.pop("PAGE_CACHE_SECONDS", None)
        self.env = common
        setup = {**common, "INSTANCE_PATH": str(self.folder / "setup")}
        if self.args.schema_only:   # the tables alone, without the bundled statistics and letters (quicker)
            from tests.served import init_db

            init_db(setup)
        else:
            subprocess.run([sys.executable, "-m", "flask", "--app", "app", "init-db"], cwd=ROOT, env=setup,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._moderator()
        self.servers = {}
        for name in ("A", "B"):
            env = {**common, "INSTANCE_PATH": str(self.folder / f"server-{name}")}
            site = Site(env, free_port(), self.args.workers, self.folder / f"server-{name}" / "logs")
            site.start()
            self.parts.append(site)
            self.servers[name] = site
        self.nginx = Nginx([f"127.0.0.1:{s.port}" for s in self.servers.values()], self.folder / "nginx")
        self.nginx.start()
        self.parts.append(self.nginx)

    def _moderator(self) -> None:
        from memorials import create_app
        from memorials.extensions import db
        from memorials.moderation.accounts import create_moderator

        app = create_app({"SQLALCHEMY_DATABASE_URI": self.database_url, "INSTANCE_PATH": str(self.folder / "setup"),
                          "SECRET_KEY": "one key for every server"})
        with app.app_context():
            moderator, _ = create_moderator("moderator@example.org", PASSWORD)
            moderator.totp_secret = TOTP
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

    def stop(self) -> None:
        for part in reversed(self.parts):
            try:
                part.stop()
            except Exception:  # noqa: BLE001 (stop what can be stopped)
                pass
        shutil.rmtree(self.folder, ignore_errors=True)

    # Database facts, read directly --------------------------------------------------------------------------

    def query(self, sql: str, **params) -> list[tuple]:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(sql), params)]
        finally:
            engine.dispose()


def sign_in(port: int) -> Browser:
    import pyotp

    moderator = Browser()
    status, headers, _ = moderator.form(port, "/moderate/login", {"email": "moderator@example.org", "password": PASSWORD})
    assert status == 302 and headers.get("Location", "").endswith("/moderate/login/code"), status
    status, _, _ = moderator.form(port, "/moderate/login/code", {"code": pyotp.TOTP(TOTP).now()})
    assert status == 302, f"the moderator could not sign in ({status})"
    return moderator


def share(port: int, name: str, seed: int, tally: Tally | None = None) -> int:
    """A family shares a story with a photo; returns the answer's status (302: acknowledged)."""
    family = Browser()
    fields = {"name": name, "name_display": "full", "died": "2022-09-14", "state": "OH", "city": "Dayton",
              "story": STORY, "email": "family@example.org", "consent": "y", "website": "", "language": "en",
              "photo_alt": f"{name} smiling"}
    status, headers, _ = _safe(lambda: family.form(port, "/stories/new", fields, photo=_photo(seed)))
    ok = status == 302 and headers.get("Location", "").endswith("/stories/thanks")
    if tally is not None:
        tally.post(status)
        if ok:
            with tally.lock:
                tally.stories_acknowledged.add(name)
    return 302 if ok else status


def approve_waiting(cluster: Cluster, moderator: Browser, port: int, tally: Tally, names: str = "Cluster %") -> int:
    """The moderator approves every story waiting (read from the queue), on this server."""
    waiting = cluster.query("SELECT s.id FROM story s JOIN story_version v ON v.story_id = s.id "
                            "WHERE s.status = 'pending' AND v.name LIKE :names ORDER BY s.id", names=names)
    done = 0
    for (story_id,) in waiting:
        status, _, page = _safe(lambda: moderator.request(port, "GET", f"/moderate/stories/{story_id}"))
        text = page.decode("utf-8", "replace")
        token, version = _token(text), _token(text, VERSION)
        if status != 200 or not token:
            tally.post(status or 0)
            continue
        status, headers, _ = _safe(lambda: moderator.request(port, "POST", f"/moderate/stories/{story_id}", {
            "csrf_token": token, "version_id": version or "", "action": "approve", "reason": ""}))
        tally.post(status)
        if status == 302 and headers.get("Location", "").endswith("/moderate/"):
            with tally.lock:
                tally.approvals_acknowledged.add(story_id)
            done += 1
    return done


def public_memorials(cluster: Cluster) -> list[tuple[str, str, str]]:
    return cluster.query("SELECT s.slug, p.filename, p.thumb_filename FROM story s "
                         "JOIN story_version v ON v.id = s.live_version_id JOIN photo p ON p.id = v.photo_id "
                         "WHERE s.status = 'published' ORDER BY s.id")


def visitor(cluster: Cluster, tally: Tally, stop: threading.Event, memorials: list, lights: bool) -> None:
    port = cluster.nginx.port
    while not stop.is_set():
        slug, full, thumb = random.choice(memorials)
        person = Browser()
        if lights:
            status, _, page = _safe(lambda: person.request(port, "GET", f"/stories/{slug}"))
            tally.get(status, f"/stories/{slug}")
            token = _token(page.decode("utf-8", "replace")) if status == 200 else None
            if token:
                status, _, _ = _safe(lambda: person.request(port, "POST", f"/stories/{slug}/candle",
                                                            {"csrf_token": token}))
                tally.post(status)
                with tally.lock:
                    if status == 302:
                        tally.candles_acknowledged += 1
                        tally.lit[slug] += 1
                        known = tally.lit[slug]
                    elif status in (0, 502, 504):
                        tally.candles_unanswered += 1
                if status == 302:
                    read_after_candle(cluster, tally, slug, known)
            continue
        path = random.choice(["/", "/stories/", "/stories/?page=2", f"/stories/{slug}", f"/stories/photos/{thumb}",
                              f"/stories/photos/{full}", f"/es/stories/{slug}"])
        status, _, _ = _safe(lambda: person.request(port, "GET", path))
        tally.get(status, path)


CANDLES_SHOWN = re.compile(r'<p class="candle-count">\s*(?:([\d,]+) candles? ha(?:s|ve) been lit|No candles yet)')


def read_after_candle(cluster: Cluster, tally: Tally, slug: str, known: int) -> None:
    """A new visitor asks each app server for the memorial just after a candle was acknowledged: the page, kept
    or made, must count at least every candle acknowledged so far (a page kept from before would show fewer)."""
    for name, server in cluster.servers.items():
        status, _, page = _safe(lambda port=server.port: Browser().request(port, "GET", f"/stories/{slug}"))
        if status != 200:   # A, killed
            continue
        found = CANDLES_SHOWN.search(page.decode("utf-8", "replace"))
        shown = int(found.group(1).replace(",", "")) if found and found.group(1) else 0
        with tally.lock:
            tally.reads_after_candle += 1
            if shown < known:
                tally.stale_reads.append((slug, name, known, shown))


def run(args) -> dict:
    cluster = Cluster(args)
    started = time.monotonic()
    try:
        cluster.start()
        a, b = cluster.servers["A"], cluster.servers["B"]
        tally = Tally()
        # 1. Families share through A; the moderator approves on B.
        for n in range(args.stories):
            share(a.port, f"Cluster Family {n}", n, tally)
        moderator = sign_in(b.port)
        approve_waiting(cluster, moderator, b.port, tally)
        memorials = public_memorials(cluster)
        if not memorials:
            raise RuntimeError("no memorial was published before the load")

        # 2. The load, through nginx, with A killed a third of the way in.
        stop = threading.Event()
        threads = [threading.Thread(target=visitor, args=(cluster, tally, stop, memorials, n < args.candles),
                                    daemon=True) for n in range(args.readers + args.candles)]

        def families():
            n = args.stories
            while not stop.is_set():
                share(cluster.nginx.port, f"Cluster Family {n}", n, tally)
                n += 1
                stop.wait(args.family_pause)

        def moderating():
            while not stop.is_set():
                approve_waiting(cluster, moderator, b.port, tally)
                stop.wait(1.0)

        threads += [threading.Thread(target=families, daemon=True), threading.Thread(target=moderating, daemon=True)]
        load_began = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds / 3)
        killed_at = time.monotonic() - load_began
        a.kill()
        time.sleep(max(0.0, args.seconds - (time.monotonic() - load_began)))
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        approve_waiting(cluster, moderator, b.port, tally)

        # 3. A again, and every photo from both servers.
        a.start()
        photos_checked, photos_differ = 0, []
        for slug, full, thumb in public_memorials(cluster):
            for name in (full, thumb):
                answers = [_safe(lambda port=s.port: Browser().request(port, "GET", f"/stories/photos/{name}"))
                           for s in (a, b)]
                photos_checked += 1
                if any(status != 200 for status, _, _ in answers) or answers[0][2] != answers[1][2]:
                    photos_differ.append((name, [status for status, _, _ in answers]))
        # Let the senders finish what is due.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and cluster.query(
                "SELECT count(*) FROM outbox_message WHERE status IN ('queued', 'sending')")[0][0]:
            time.sleep(1)

        stored = {row[0] for row in cluster.query("SELECT name FROM story_version WHERE name LIKE 'Cluster %'")}
        published = {row[0] for row in cluster.query("SELECT id FROM story WHERE status = 'published'")}
        candles = cluster.query("SELECT COALESCE(SUM(candles), 0) FROM candle_tally")[0][0]
        mail = dict(cluster.query("SELECT status, count(*) FROM outbox_message GROUP BY status"))
        written = []
        for site in cluster.servers.values():
            written += [p.read_bytes() for p in (Path(site.env["INSTANCE_PATH"]) / "outbox").glob("*.eml")]
        ids = [re.search(rb"Message-ID: (\S+)", m, re.IGNORECASE).group(1) for m in written]
        failed_gets = [f for f in tally.failed_gets]
        return {
            "seconds": args.seconds, "readers": args.readers, "candle lighters": args.candles,
            "app servers": 2, "workers each": args.workers, "killed": f"A, {killed_at:.1f} s into the load",
            "GET requests": sum(tally.gets.values()), "failed GETs": len(failed_gets),
            "failed GET statuses": dict(Counter(status for status, _ in failed_gets)),
            "POST requests": sum(tally.posts.values()),
            "POST answers": {str(k): v for k, v in sorted(tally.posts.items())},
            "stories acknowledged": len(tally.stories_acknowledged),
            "stories lost": len(tally.stories_acknowledged - stored),
            "stories stored without an answer": len(stored - tally.stories_acknowledged),
            "approvals acknowledged": len(tally.approvals_acknowledged),
            "approvals lost": len(tally.approvals_acknowledged - published),
            "candles acknowledged": tally.candles_acknowledged, "candles stored": int(candles),
            "candles lost": max(0, tally.candles_acknowledged - int(candles)),
            "candles without an answer": tally.candles_unanswered,
            "reads of a memorial from each server just after a candle": tally.reads_after_candle,
            "reads that showed fewer candles than acknowledged": len(tally.stale_reads),
            "photos checked on both servers": photos_checked, "photos not served alike": photos_differ,
            "mail": {"queued": sum(mail.values()), "sent": mail.get("sent", 0),
                     "still queued": mail.get("queued", 0) + mail.get("sending", 0),
                     "written": len(ids), "written twice": len(ids) - len(set(ids))},
            "wall seconds": round(time.monotonic() - started, 1),
        }
    finally:
        cluster.stop()


def goals_met(result: dict) -> bool:
    return (result["stories lost"] == 0 and result["approvals lost"] == 0 and result["candles lost"] == 0
            and result["failed GETs"] == 0 and not result["photos not served alike"]
            and result["reads that showed fewer candles than acknowledged"] == 0
            and result["reads of a memorial from each server just after a candle"] > 0
            and result["photos checked on both servers"] > 0 and result["mail"]["written twice"] == 0)


def options(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(prog="python -m bench cluster", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=40.0, help="the load's length; A is killed a third in")
    parser.add_argument("--readers", type=int, default=12, help="visitors reading pages and photos")
    parser.add_argument("--candles", type=int, default=4, help="visitors lighting candles")
    parser.add_argument("--stories", type=int, default=8, help="stories shared through A before the load")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--family-pause", type=float, default=1.0, help="seconds between stories during the load")
    parser.add_argument("--schema-only", action="store_true",
                        help="create the tables only, without loading the bundled statistics and letters")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    result = run(options(argv))
    print(json.dumps(result, indent=2))
    print("goals met" if goals_met(result) else "GOALS MISSED")
    if not goals_met(result):
        sys.exit(1)


if __name__ == "__main__":
    main()
