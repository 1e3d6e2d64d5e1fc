"""How the sitemap and the Atom feed hold up with many memorials: `python -m bench.sitemap`.

Seeds N published memorials straight into a throwaway SQLite database (bulk inserts: approving
100,000 stories one by one would measure the seeding, not the sitemap), then times the sitemap
index, each sitemap file (up to 50,000 addresses), the feed and robots.txt through the WSGI app,
counting SQL statements (they must not grow with the number of memorials) and bytes sent.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from memorials import create_app  # noqa: E402
from memorials.extensions import db  # noqa: E402
from memorials.stories.models import Story, StoryVersion  # noqa: E402

TEXT = "She loved horses, thunderstorms and her little brother."


def seed(count: int, batch: int = 5000) -> None:
    start = datetime(2024, 1, 1)
    for first in range(1, count + 1, batch):
        ids = range(first, min(first + batch, count + 1))
        when = [start + timedelta(minutes=n) for n in ids]
        db.session.execute(insert(Story), [
            {"id": n, "slug": f"person-number-{n}-2023", "status": "published", "email": "bench@example.org",
             "manage_token_hash": f"{n:064x}", "created_at": t, "published_at": t} for n, t in zip(ids, when)])
        db.session.execute(insert(StoryVersion), [
            {"id": n, "story_id": n, "state": "approved", "created_at": t, "decided_at": t,
             "name": f"Person Number {n}", "name_display": "full", "died": date(2023, 1 + n % 12, 1),
             "story_markdown": TEXT, "story_html": f"<p>{TEXT}</p>", "excerpt": TEXT} for n, t in zip(ids, when)])
    db.session.execute(update(Story).values(live_version_id=Story.id))
    db.session.commit()


def measure(client, url: str, repeat: int, engine) -> tuple[float, float, float, int, int]:
    statements = [0]

    def count(*_):
        statements[0] += 1

    client.get(url).close()  # warm up templates
    timings, cpu, size = [], [], 0
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(repeat):
            statements[0] = 0
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            size = len(response.get_data())  # a streamed body is made while it is read
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(timings), max(timings), statistics.median(cpu), statements[0], size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memorials", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database to fill (default: a throwaway SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": url,
                          "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "SITE_URL": "https://example.org"})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            seed(args.memorials)
            if db.engine.dialect.name == "postgresql":  # what autovacuum does on a live site after a bulk load
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.exec_driver_sql("VACUUM ANALYZE")
            print(f"seeded {args.memorials:,} published memorials in {time.perf_counter() - started:.1f} s "
                  f"({db.engine.dialect.name})")
            client = app.test_client()
            files = (args.memorials + 49_999) // 50_000
            urls = ["/sitemap.xml", "/sitemap-pages.xml"] if args.memorials > 50_000 else ["/sitemap.xml"]
            urls += [f"/sitemap-memorials-{n}.xml" for n in range(1, files + 1)] if args.memorials > 50_000 else []
            urls += ["/stories/feed.atom", "/robots.txt"]
            # CPU time is this process's own (app and database driver; SQLite runs in-process): on a busy
            # machine it says more than the wall clock.
            print(f"{'address':30} {'median ms':>10} {'max ms':>8} {'CPU ms':>8} {'SQL':>5} {'bytes':>12}")
            for url in urls:
                median, worst, cpu, statements, size = measure(client, url, args.repeat, db.engine)
                print(f"{url:30} {median:10.1f} {worst:8.1f} {cpu:8.1f} {statements:5d} {size:12,d}")


if __name__ == "__main__":
    main()
