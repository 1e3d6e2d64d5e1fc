"""How fast the public pages answer as memorials grow: `python -m bench pages --stories 100000`.

For each database (SQLite, and PostgreSQL in a throwaway cluster as tests/postgres.py makes it, with a quarter of
the memory as shared buffers: --shared-buffers), it seeds --from memorials (bench/seed.py: the shape an approval
leaves), serves bench.wsgi:app with gunicorn (--workers sync workers), measures every page with --connections
concurrent connections (bench/load.py), then seeds up to --stories and measures again. For each page it prints
requests/s as a ratio to the no-op route (measured just before and just after that page, in the same server), p50
and p99 latency, and the growth of the page's cost (the inverse of that ratio) from the smaller size to the larger.

The app runs as deployed, with its page cache on (memorials/pagecache/): a page asked for again is served
from the copy its worker kept, after one query that checks nothing public changed since. Rows whose address
changes on every request (page=<random>, q=<any surname>&state=<any>) mostly measure pages made afresh;
--no-page-cache measures every page that way (the cost of making it).

Goals (issue 21, at 1,000,000 memorials on PostgreSQL: `--from 100000 --stories 1000000 --db postgresql`):
every public page at >= 0.5 of the no-op route with the page cache, p99 <= 50 ms (searches 100 ms); first
visits (a memorial at random, a deep page at random, a new search: the rows marked "first") at >= 0.15 with
p99 <= 150 ms; growth from the smaller size to the larger at most 1.3x. (Issue 12's goals, at 100,000: ratio
>= 0.25, p99 < 50 ms, growth <= 1.5x; --goals 12 checks those.)
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Measure, hammer  # noqa: E402
from bench.seed import LAST  # noqa: E402
from memorials.states import STATES  # noqa: E402

GOALS = {  # ratio, p99 (ms), p99 of a search (ms), growth; and for first visits: ratio, p99 (ms)
    "21": {"ratio": 0.5, "p99": 50.0, "search p99": 100.0, "growth": 1.3, "first ratio": 0.15, "first p99": 150.0},
    "12": {"ratio": 0.25, "p99": 50.0, "search p99": 100.0, "growth": 1.5, "first ratio": 0.0, "first p99": 1e9},
}
# Rows whose address changes on (nearly) every request: what a first visit costs.
FIRST_VISITS = {"/stories/?page=<random>", "/stories/?q=<any surname>&state=<any>", "a memorial at random"}
# (label, path or a function of the seeded database's facts, owner): the last five belong to other slices.
PAGES = [
    ("no-op", "/__noop", "yardstick"),
    ("/", "/", "search"),
    ("/stories/", "/stories/", "search"),
    ("/stories/?page=2000", lambda f: f"/stories/?page={min(2000, f['last_page'])}", "search"),
    # Pages picked at random: most cards are not in the workers' card cache yet (the cost of a first visit).
    ("/stories/?page=<random>", lambda f: [f"/stories/?page={n}" for n in range(1, f["last_page"] + 1)], "search"),
    ("/stories/?state=OH", "/stories/?state=OH", "search"),
    ("/stories/?year=2020", "/stories/?year=2020", "search"),
    ("/stories/?age=25-34", "/stories/?age=25-34", "search"),
    ("/stories/?q=<surname>", "/stories/?q=garcia", "search"),
    ("/stories/?q=<common word>", "/stories/?q=loved", "search"),
    ("/stories/?q&state&year&age", "/stories/?q=maria&state=TX&year=2021&age=25-34", "search"),
    # A different search nearly every time (8,000 addresses): each worker makes most of them afresh.
    ("/stories/?q=<any surname>&state=<any>", lambda f: [f"/stories/?q={quote(name)}&state={code}"
                                                        for name in LAST for code in STATES], "search"),
    ("a memorial", lambda f: f"/stories/{f['slug']}", "search"),
    # Any of 5,000 memorials picked at random: most are made afresh (a first visit from a shared link).
    ("a memorial at random", lambda f: [f"/stories/{slug}" for slug in f["random_slugs"]], "search"),
    # The memorial page at its fullest (issue 18): its photo, a twelve-photo gallery, 50 messages, memories, candles.
    ("a memorial with a gallery and 50 messages", lambda f: f"/stories/{f['rich']}", "memorial"),
    ("/stories/wall", "/stories/wall", "memorial"),
    ("/stories/wall?state=OH", "/stories/wall?state=OH", "memorial"),
    ("/stories/wall?page=<random>", lambda f: [f"/stories/wall?page={n}" for n in range(1, f["wall_pages"] + 1)],
     "memorial"),
    ("a thumbnail", lambda f: f"/stories/photos/{f['thumb']}", "search"),
    ("/stats/", "/stats/", "numbers"),
    ("/stats/OH", "/stats/OH", "numbers"),
    ("/letters/", "/letters/", "letters"),
    ("/api/representatives", "/api/representatives?zip=43215", "letters"),
    ("/stats/data.csv", "/stats/data.csv", "numbers"),
    ("/stats/OH/data.csv", "/stats/OH/data.csv", "numbers"),
    ("/stats/?map=change", "/stats/?map=change", "numbers"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def warm(url: str) -> None:
    """Read every table and index of the seeded database once into the operating system's cache (pg_prewarm's
    'read' mode), as a site that has been serving its memorials for a while has them, so that the first page
    measured does not pay for reading them from the disk. On a copy at 1,000,000 started with an empty cache,
    random list pages read up to 110 MB/s from the disk for 8 seconds (0.081 of the no-op route, p99 240 ms), then
    reached 0.122 (p99 111 ms) in the next 8. (The list's stalls of 2 to 4 s in earlier runs of this benchmark were
    not the disk but a plan: PostgreSQL sorting every memorial for each page; see the README.)

    Then into PostgreSQL's own shared buffers (the 'buffer' mode) as far as they go, the largest tables first, so
    that the indexes and small tables every page reads are the last loaded and stay."""
    import psycopg

    relations = ("FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE c.relkind IN ('r', 'i', 't', 'm') AND n.nspname IN ('public', 'pg_toast') "
                 "AND c.relpersistence = 'p'")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        conn.execute(f"SELECT pg_prewarm(c.oid, 'read') {relations}")
        for (oid,) in conn.execute(f"SELECT c.oid {relations} ORDER BY pg_relation_size(c.oid) DESC").fetchall():
            conn.execute("SELECT pg_prewarm(%s::oid, 'buffer')", (oid,))


def shared_buffers() -> str:
    """A quarter of this machine's memory, PostgreSQL's manual's starting point for a database server's shared
    buffers (its default, 128 MB, is meant for a machine it shares with much else); at least 128 MB."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(128, memory // 4 // 2**20)}MB"


def seed_to(env: dict, count: int) -> dict:
    """Seed in a child process (as `python -m bench seed` does) and return facts the page list needs."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench", "seed", "--stories", str(count)], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    # The seeder has just written gigabytes the operating system has not yet written out; measured at once, the
    # first pages would wait behind that writing, which a running site never does.
    os.sync()
    if env.get("DATABASE_URL", "").startswith("postgresql"):
        warm(env["DATABASE_URL"])
    code = (
        "from memorials import create_app\n"
        "from memorials.extensions import db\n"
        "from memorials.stories.models import Story, StoryVersion, Photo\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    s = db.session.execute(db.select(Story.slug, Photo.thumb_filename).join(StoryVersion, StoryVersion.id == Story.live_version_id)"
        ".join(Photo, Photo.id == StoryVersion.photo_id).order_by(Story.published_at.desc()).limit(1)).first()\n"
        "    n = db.session.execute(db.select(db.func.count()).select_from(Story)).scalar()\n"
        "    ids = random.Random(n).sample(range(1, n + 1), min(5000, n))\n"
        "    slugs = db.session.execute(db.select(Story.slug).where(Story.id.in_(ids))).scalars().all()\n"
        "    print(s.slug, s.thumb_filename, n, *slugs)\n"
    )
    out = subprocess.run([sys.executable, "-c", "import random\n" + code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    slug, thumb, total, *slugs = out.stdout.split()
    rich = subprocess.run([sys.executable, "-c", RICH_MEMORIAL], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True).stdout.split()
    return {"slug": slug, "thumb": thumb, "last_page": max(1, -(-int(total) // 24)), "seed_seconds": seconds,
            "random_slugs": slugs, "rich": rich[0], "wall_pages": max(1, -(-int(rich[1]) // 48))}


# The fullest memorial (bench/demo.py), made once per database; prints its address and how many faces the wall has.
RICH_MEMORIAL = (
    "from memorials import create_app\n"
    "from memorials.extensions import db\n"
    "from memorials.search.models import SearchFace\n"
    "from memorials.stories.models import Story\n"
    "from bench.demo import make_demo\n"
    "app = create_app()\n"
    "with app.app_context(), app.test_request_context('/'):\n"
    "    slug = db.session.execute(db.select(Story.slug).where(Story.email == 'maria@example.org')).scalar()\n"
    "    if slug is None:\n"
    "        slug = make_demo(others=0).rich.slug\n"
    "    faces = db.session.execute(db.select(SearchFace.memorials).where(SearchFace.state_code == '*')).scalar()\n"
    "    print(slug, faces or 0)\n"
)


class Server:
    """gunicorn serving bench.wsgi:app on loopback."""

    def __init__(self, env: dict, workers: int) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "--backlog", "256", "bench.wsgi:app"],
            cwd=ROOT, env=env)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__noop", timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def measure_all(env: dict, facts: dict, args) -> dict[str, tuple[Measure, float]]:
    """Each page with its own yardstick: the no-op route is measured before and after every page, and the
    page's ratio uses the mean of the two, so a machine whose load changes during the run skews little."""
    server = Server(env, args.workers)
    results = {}

    def run(url, seconds):
        return hammer("127.0.0.1", server.port, url, seconds=seconds, connections=args.connections,
                      warmup=args.warmup)

    try:
        before = run("/__noop", args.seconds / 2)
        for label, path, _owner in chosen(args):
            if label == "no-op":
                continue
            url = path(facts) if callable(path) else path
            page = run(url, args.seconds)
            after = run("/__noop", args.seconds / 2)
            results[label] = (page, (before.rate + after.rate) / 2)
            results.setdefault("no-op", (before, before.rate))
            before = after
    finally:
        server.stop()
    return results


def chosen(args) -> list:
    """The pages to measure: all, or those whose label contains one of --only's words (and the no-op)."""
    return [p for p in PAGES if not args.only or p[0] == "no-op" or any(w in p[0] for w in args.only)]


def report(kind: str, sizes: list[int], runs: list[dict[str, tuple[Measure, float]]], args) -> list[str]:
    cache = "off: every page made afresh" if args.no_page_cache else "on"
    lines = [f"\n{kind}, page cache {cache}: {' and '.join(f'{n:,}' for n in sizes)} published memorials; ratio = page req/s / no-op "
             f"req/s measured around it; growth = cost (1/ratio) at {sizes[-1]:,} / cost at {sizes[0]:,}"]
    header = f"{'page':30} {'owner':9}"
    for n in sizes:
        header += f" | {n:>9,}: {'req/s':>6} {'ratio':>6} {'p50':>6} {'p99':>6}"
    header += f" | growth{'':3}" + (f" | from {sizes[1]:,}" if len(sizes) > 2 else "") + " | goals"
    lines.append(header)
    for label, _path, owner in chosen(args):
        row = f"{label:30} {owner:9}"
        ratios = []
        p99 = 0.0
        for run in runs:
            m, yardstick = run[label]
            ratio = m.rate / yardstick if yardstick else 0.0
            ratios.append(ratio)
            p99 = m.percentile(99)
            failed = f" ({m.failures} failed: {dict(m.statuses)})" if m.failures else ""
            row += f" | {'':>9}  {m.rate:6.0f} {ratio:6.3f} {m.percentile(50):6.1f} {p99:6.1f}{failed}"
        growth = ratios[0] / ratios[-1] if len(ratios) > 1 and ratios[-1] else 1.0
        row += f" | {growth:5.2f}x{'':3}"
        if len(ratios) > 2:
            row += f" | {ratios[1] / ratios[-1] if ratios[-1] else 0:5.2f}x{'':4}"
        if label != "no-op":
            goals = GOALS[args.goals]
            first = label in FIRST_VISITS
            limit = (goals["first p99"] if first else goals["search p99"] if "q=" in label or "q&" in label
                     else goals["p99"])
            floor = goals["first ratio"] if first else goals["ratio"]
            misses = [name for name, ok in (("ratio", ratios[-1] >= floor), ("p99", p99 <= limit),
                                            ("growth", len(ratios) < 2 or growth <= goals["growth"])) if not ok]
            row += " | " + ("first visit: " if first else "") + ("met" if not misses else "missed: " + ", ".join(misses))
        lines.append(row)
    return lines


def run_database(kind: str, args) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="memorials-bench-") as folder:
        env = {**os.environ, "INSTANCE_PATH": folder, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": "0",
               "MAIL_SERVER": "", "SITE_URL": "http://127.0.0.1"}
        if args.no_page_cache:
            env["PAGE_CACHE_SECONDS"] = "0"
        env.pop("DATABASE_URL", None)
        cluster = None
        if kind == "postgresql":
            import psycopg

            from tests.postgres import Cluster

            cluster = Cluster({"shared_buffers": args.shared_buffers})
            url = cluster.start()
            env["DATABASE_URL"] = url + "/bench"
        try:
            if cluster is not None:     # inside the try: a cluster that refuses us is still stopped
                with psycopg.connect(url.replace("postgresql+psycopg", "postgresql") + "/postgres",
                                     autocommit=True) as conn:
                    conn.execute("CREATE DATABASE bench")
            sizes = sorted({args.start, args.stories, *args.also})
            runs = []
            for size in sizes:
                facts = seed_to(env, size)
                print(f"{kind}: {size:,} memorials seeded ({facts['seed_seconds']:.0f} s for this step); measuring",
                      flush=True)
                runs.append(measure_all(env, facts, args))
            return report(kind, sizes, runs, args)
        finally:
            if cluster is not None:
                cluster.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=1000, help="the larger size (default 1,000)")
    parser.add_argument("--from", dest="start", type=int, default=1000, help="the smaller size (default 1,000)")
    parser.add_argument("--also", type=int, action="append", default=[],
                        help="a size in between, also measured (growth is printed from it too)")
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"],
                        help="one database only (default: both)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=4.0, help="measured seconds per page")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--shared-buffers", default=shared_buffers(),
                        help="PostgreSQL's shared_buffers for the throwaway cluster (default: a quarter of the memory, "
                             "%(default)s here)")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="serve with PAGE_CACHE_SECONDS=0: what making each page costs (a first visit)")
    parser.add_argument("--goals", choices=sorted(GOALS), default="21",
                        help="whose goals to check: issue 21's (1,000,000 memorials, default) or issue 12's")
    parser.add_argument("--only", action="append", default=[],
                        help="measure only the pages whose label contains this (repeatable), e.g. --only /stats/")
    args = parser.parse_args(argv)
    lines = []
    for kind in args.db or ["sqlite", "postgresql"]:
        lines += run_database(kind, args)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
