"""Several gunicorn workers, one SQLite file, many families sending at once: `python -m bench.concurrent_submissions`.

Starts gunicorn on loopback with 3 workers over a throwaway instance, then has N threads each
fetch the story form and post it (CSRF token included) M times. Reports throughput, latency,
and every failure; "database is locked" must never appear. Traffic stays on 127.0.0.1 and
the run is bounded in count and time.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def family(base: str, n: int, times: int, latencies: list, failures: list) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    for i in range(times):
        try:
            page = opener.open(f"{base}/stories/new", timeout=30).read().decode()
            data = urllib.parse.urlencode({
                "csrf_token": TOKEN.search(page).group(1), "name": f"Bench Person {n}-{i}", "name_display": "full",
                "died": "2023-07-02", "story": "He loved the lake and his dog and his little sister, always. " * 3,
                "email": f"family{n}@example.org", "consent": "y",
            }).encode()
            start = time.perf_counter()
            response = opener.open(urllib.request.Request(f"{base}/stories/new", data=data), timeout=30)
            latencies.append((time.perf_counter() - start) * 1000)
            if "/stories/thanks" not in response.geturl():
                failures.append(f"{n}-{i}: ended at {response.geturl()}")
        except Exception as error:  # noqa: BLE001 (every failure is reported)
            failures.append(f"{n}-{i}: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=12)
    parser.add_argument("--each", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "INSTANCE_PATH": folder, "RATELIMIT_ENABLED": "0", "SECRET_KEY": "bench", "MAIL_SERVER": ""}
        env.pop("DATABASE_URL", None)
        python = sys.executable
        subprocess.run([python, "-m", "flask", "--app", "app", "init-db"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen([python, "-m", "gunicorn", "--workers", "3", "--bind", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "app:app"], cwd=ROOT, env=env,
                                  stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            latencies, failures = [], []
            threads = [threading.Thread(target=family, args=(base, n, args.each, latencies, failures))
                       for n in range(args.families)]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            elapsed = time.perf_counter() - start
        finally:
            server.send_signal(signal.SIGTERM)
            _, errors = server.communicate(timeout=30)
        import sqlite3

        with sqlite3.connect(Path(folder) / "memorials.sqlite3") as connection:
            saved = connection.execute("SELECT count(*) FROM story").fetchone()[0]
        total = args.families * args.each
        print(f"{total} submissions from {args.families} families to 3 gunicorn workers on one SQLite file")
        print(f"  {saved} stories in the database, {len(failures)} failed, {elapsed:.1f} s, "
              f"{total / elapsed:.1f} submissions/s (each also loads the form)")
        if latencies:
            ordered = sorted(latencies)
            print(f"  POST latency: median {statistics.median(ordered):.0f} ms, "
                  f"95th percentile {ordered[int(len(ordered) * 0.95) - 1]:.0f} ms")
        locked = "database is locked" in (errors or "")
        print(f"  'database is locked' in the server log: {'YES' if locked else 'never'}")
        for failure in failures[:10]:
            print("  failure:", failure)


if __name__ == "__main__":
    main()
