"""The site served for real by gunicorn with the shipped memorials/gunicorn.conf.py, for tests that need
separate worker processes or gunicorn's own logs."""
from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Served:
    url: str
    access_log: Path
    error_log: Path
    process: subprocess.Popen

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        """One request on a new connection (so the workers share the load); returns (status, headers, text)."""
        parts = urllib.parse.urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        data = urllib.parse.urlencode(body) if body is not None else None
        all_headers = {"Content-Type": "application/x-www-form-urlencoded"} if data is not None else {}
        all_headers.update(headers or {})
        try:
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
        finally:
            connection.close()


def environment(database_url: str, instance: Path, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "RATELIMIT"))}
    env.update({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "served-test-key",
                "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def init_db(env: dict) -> None:
    # The schema only (init-db would also load the bundled statistics and letters data, not needed here).
    script = "from memorials import create_app; from memorials.extensions import db; app = create_app(); app.app_context().push(); db.create_all()"
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)


@contextlib.contextmanager
def gunicorn(env: dict, logs: Path, *, workers: int = 3):
    """gunicorn on a free loopback port with the shipped config; stopped (and waited for) at the end."""
    port = free_port()
    logs.mkdir(parents=True, exist_ok=True)
    access, error = logs / "access.log", logs / "error.log"
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "memorials" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--access-logfile", str(access), "--error-logfile", str(error), "app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    served = Served(f"http://127.0.0.1:{port}", access, error, process)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                served.request("GET", "/stories/new")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start: " + (error.read_text() if error.exists() else ""))
                time.sleep(0.2)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
