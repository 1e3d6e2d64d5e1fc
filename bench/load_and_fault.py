"""Load and fault: `python -m bench.load_and_fault [--db sqlite|postgresql|both] [--seconds 60]`.

gunicorn (memorials/gunicorn.conf.py) and the mail sender run on a throwaway instance, with an
aiosmtpd server as the mail server. 50 writers share stories through the real form (the CSRF token
taken from the page) while 100 readers read the front page, the list and memorials, for 60 s.
Then the same again, with the gunicorn master, its workers and the mail sender killed with -9
midway, and started again.

It counts the stories acknowledged (the form answered with the thank-you redirect) against the
stories stored, 5xx answers outside the kill window, latencies, and messages queued against
messages delivered. The bar: 0 acknowledged stories lost, 0 5xx outside the kill window, every
queued message delivered. Traffic stays on 127.0.0.1. Rate limits are off (every client is one
address here).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STORY = "She taught half the town to swim at the lake, and never missed a birthday. " * 3


@dataclass
class Result:
    kind: str            # "write" or "read"
    started: float
    ended: float
    status: int | None   # None: no answer (connection refused or reset)
    acknowledged: str | None = None


@dataclass
class Run:
    label: str
    results: list[Result] = field(default_factory=list)
    kill_at: float | None = None
    back_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result: Result) -> None:
        with self.lock:
            self.results.append(result)


def request(port: int, method: str, path: str, body: dict | None = None, cookie: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location") or "", response.getheader("Set-Cookie"), \
            response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def writer(port_box: list, run: Run, number: int, stop: threading.Event) -> None:
    """A family sharing stories one after another: fetch the form, post it, as a browser does."""
    i = 0
    while not stop.is_set():
        i += 1
        name = f"Load {run.label} {number}-{i}"
        started = time.monotonic()
        try:
            status, _, set_cookie, page = request(port_box[0], "GET", "/stories/new")
            if status >= 500 or not TOKEN.search(page):
                run.add(Result("write", started, time.monotonic(), status))
                continue
            cookie = set_cookie.split(";", 1)[0] if set_cookie else None
            data = {"csrf_token": TOKEN.search(page).group(1), "name": name, "name_display": "full",
                    "died": "2023-07-02", "state": "OH", "story": STORY, "email": f"family{number}@example.org",
                    "consent": "y", "website": ""}
            started = time.monotonic()
            status, location, _, _ = request(port_box[0], "POST", "/stories/new", data, cookie)
            ok = status == 302 and location.endswith("/stories/thanks")
            run.add(Result("write", started, time.monotonic(), status, name if ok else None))
        except OSError:
            run.add(Result("write", started, time.monotonic(), None))
            time.sleep(0.05)


def reader(port_box: list, run: Run, pages: list[str], stop: threading.Event) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            status, _, _, _ = request(port_box[0], "GET", random.choice(pages))
            run.add(Result("read", started, time.monotonic(), status))
        except OSError:
            run.add(Result("read", started, time.monotonic(), None))
            time.sleep(0.05)


class Site:
    """gunicorn and the mail sender on one instance; both can be killed with -9 and started again."""

    def __init__(self, env: dict, port: int, workers: int, logs: Path):
        self.env, self.port, self.workers, self.logs = env, port, workers, logs
        self.gunicorn: subprocess.Popen | None = None
        self.sender: subprocess.Popen | None = None

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "memorials" / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--access-logfile", str(self.logs / "access.log"), "--error-logfile", str(self.logs / "error.log"),
             "app:app"], cwd=ROOT, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.sender = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "deliver-mail",
                                        "--interval", "1"], cwd=ROOT, env=self.env, start_new_session=True,
                                       stdout=subprocess.DEVNULL, stderr=open(self.logs / "sender.log", "a"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start; see " + str(self.logs / "error.log"))

    def kill(self) -> None:
        """kill -9 of the gunicorn master and every worker, and of the mail sender."""
        for process in (self.gunicorn, self.sender):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop(self) -> None:
        for process in (self.gunicorn, self.sender):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def seed(database_url: str, folder: Path, count: int = 60) -> list[str]:
    """A moderator and some published memorials for the readers; returns their addresses."""
    from memorials import create_app
    from memorials.extensions import db
    from memorials.moderation import services as moderation
    from memorials.moderation.accounts import create_moderator
    from memorials.stories.services import StoryInput, submit_story

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"})
    with app.app_context():
        moderator, _ = create_moderator("moderator@example.org", "a long bench password")
        db.session.commit()
        slugs = []
        for n in range(count):
            story, _ = submit_story(StoryInput(name=f"Reader Page {n}", died=date(2022, 5, 1),
                                               story_markdown=STORY, email="seed@example.org", state_code="OH"), None)
            moderation.approve(story, moderator)
            db.session.commit()
            slugs.append(story.slug)
        db.session.remove()
        db.engine.dispose()
    return [f"/stories/{slug}" for slug in slugs]


def stored_names(database_url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        names = [row[0] for row in connection.execute(text("SELECT name FROM story_version WHERE name LIKE 'Load %'"))]
    engine.dispose()
    return names


def outbox_counts(database_url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT status, count(*) FROM outbox_message GROUP BY status")).all())
    engine.dispose()
    return rows


def drive(site: Site, run: Run, seconds: float, writers: int, readers: int, pages: list[str],
          kill_after: float | None) -> None:
    stop = threading.Event()
    port_box = [site.port]
    threads = [threading.Thread(target=writer, args=(port_box, run, n, stop), daemon=True) for n in range(writers)]
    threads += [threading.Thread(target=reader, args=(port_box, run, pages, stop), daemon=True) for _ in range(readers)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    if kill_after is not None:
        time.sleep(kill_after)
        run.kill_at = time.monotonic()
        site.kill()
        time.sleep(1.0)
        site.start()
        run.back_at = time.monotonic()
    time.sleep(max(0.0, seconds - (time.monotonic() - began)))
    stop.set()
    for thread in threads:
        thread.join(timeout=90)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def summarise(run: Run, names: set[str]) -> dict:
    def outside(result: Result) -> bool:
        if run.kill_at is None:
            return True
        return result.ended < run.kill_at or result.started > run.back_at

    acknowledged = {r.acknowledged for r in run.results if r.acknowledged}
    mine = {n for n in names if n.startswith(f"Load {run.label} ")}
    summary = {"run": run.label}
    for kind in ("write", "read"):
        done = [r for r in run.results if r.kind == kind]
        answered = [r for r in done if r.status is not None]
        latencies = [(r.ended - r.started) * 1000 for r in answered if r.status < 500]
        summary[kind] = {
            "requests": len(done),
            "5xx outside the kill window": sum(1 for r in answered if r.status >= 500 and outside(r)),
            "5xx in the kill window": sum(1 for r in answered if r.status >= 500 and not outside(r)),
            "no answer (in the kill window)": sum(1 for r in done if r.status is None and not outside(r)),
            "no answer (outside it)": sum(1 for r in done if r.status is None and outside(r)),
            "p50 ms": round(percentile(latencies, 0.50)), "p95 ms": round(percentile(latencies, 0.95)),
            "p99 ms": round(percentile(latencies, 0.99)),
        }
    summary["stories acknowledged"] = len(acknowledged)
    summary["acknowledged but not stored (lost)"] = len(acknowledged - mine)
    summary["stored without an answer (in flight at the kill)"] = len(mine - acknowledged)
    return summary


def run_one(kind: str, args) -> dict:
    from tests.postgres import Cluster
    from tests.smtp import free_port, smtp_server

    folder = Path(tempfile.mkdtemp(prefix=f"memorials-load-{kind}-"))
    cluster = None
    if kind == "postgresql":
        cluster = Cluster()
        server = cluster.start()
        import psycopg

        with psycopg.connect(server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as c:
            c.execute('CREATE DATABASE "bench"')
        database_url = f"{server}/bench"
    else:
        database_url = f"sqlite:///{folder / 'memorials.sqlite3'}"
    try:
        with smtp_server() as (inbox, smtp_port):
            env = {**os.environ, "INSTANCE_PATH": str(folder), "DATABASE_URL": database_url, "SECRET_KEY": "bench",
                   "RATELIMIT_ENABLED": "0", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
                   "MAIL_USE_TLS": "0", "PYTHONPATH": str(ROOT), "WEB_CONCURRENCY": str(args.workers)}
            subprocess.run([sys.executable, "-m", "flask", "--app", "app", "init-db"], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            pages = ["/", "/stories/", "/stories/?page=2"] + seed(database_url, folder)
            site = Site(env, free_port(), args.workers, folder / "logs")
            site.start()
            runs = [Run("steady"), Run("fault")]
            try:
                drive(site, runs[0], args.seconds, args.writers, args.readers, pages, None)
                drive(site, runs[1], args.seconds, args.writers, args.readers, pages, args.seconds / 3)
                # Let the sender finish what is due, then stop everything.
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and any(outbox_counts(database_url).get(status, 0)
                                                          for status in ("queued", "sending")):
                    time.sleep(1)
            finally:
                site.stop()
            names = set(stored_names(database_url))
            summaries = [summarise(run, names) for run in runs]
            counts = outbox_counts(database_url)
            ids = inbox.message_ids()
            mail = {"queued": sum(counts.values()), "sent": counts.get("sent", 0),
                    "still queued": counts.get("queued", 0) + counts.get("sending", 0),
                    "failed": counts.get("failed", 0), "delivered to the SMTP server": len(ids),
                    "delivered twice": len(ids) - len(set(ids))}
            kill_window = round(runs[1].back_at - runs[1].kill_at, 1) if runs[1].kill_at else None
            return {"database": kind, "workers": args.workers, "seconds": args.seconds, "writers": args.writers,
                    "readers": args.readers, "kill window s": kill_window, "runs": summaries, "mail": mail}
    finally:
        if cluster is not None:
            cluster.stop()


def report(result: dict) -> None:
    print(f"\n{result['database']}: gunicorn, {result['workers']} sync workers; {result['writers']} writers and "
          f"{result['readers']} readers for {result['seconds']} s per run; kill window {result['kill window s']} s")
    for run in result["runs"]:
        w, r = run["write"], run["read"]
        print(f"  {run['run']:6}  stories acknowledged {run['stories acknowledged']}, lost "
              f"{run['acknowledged but not stored (lost)']}, stored without an answer "
              f"{run['stored without an answer (in flight at the kill)']}")
        print(f"          writes: {w['requests']} posts, p50 {w['p50 ms']} ms, p95 {w['p95 ms']} ms, p99 {w['p99 ms']} ms; "
              f"5xx outside the kill window {w['5xx outside the kill window']}, in it {w['5xx in the kill window']}, "
              f"no answer in it {w['no answer (in the kill window)']}, outside it {w['no answer (outside it)']}")
        print(f"          reads:  {r['requests']} pages, p50 {r['p50 ms']} ms, p95 {r['p95 ms']} ms, p99 {r['p99 ms']} ms; "
              f"5xx outside the kill window {r['5xx outside the kill window']}, in it {r['5xx in the kill window']}, "
              f"no answer in it {r['no answer (in the kill window)']}, outside it {r['no answer (outside it)']}")
    m = result["mail"]
    print(f"  mail: {m['queued']} queued, {m['delivered to the SMTP server']} delivered ({m['delivered twice']} twice), "
          f"{m['still queued']} still queued, {m['failed']} failed")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    results = []
    for kind in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        result = run_one(kind, args)
        report(result)
        results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    failed = [r for r in results for run in r["runs"]
              if run["acknowledged but not stored (lost)"] or run["write"]["5xx outside the kill window"]
              or run["read"]["5xx outside the kill window"]]
    if failed or any(r["mail"]["still queued"] or r["mail"]["failed"] for r in results):
        print("\nThe bar was NOT met.")
        sys.exit(1)
    print("\nThe bar was met: 0 acknowledged stories lost, 0 5xx outside the kill window, every message delivered.")


if __name__ == "__main__":
    main()
