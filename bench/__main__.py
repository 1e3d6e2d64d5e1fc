"""The benchmarks: `python -m bench` runs each at its everyday size (`make bench`); a subcommand runs one.

    python -m bench                          every benchmark below, default sizes
    python -m bench seed --stories N         fill INSTANCE_PATH / DATABASE_URL's database with N published memorials
    python -m bench pages --stories 100000   public pages under gunicorn at 1,000 and N memorials, both databases
    python -m bench photos                   time and memory of a 12 MP and a 40 MP photo
    python -m bench stats-import             the statistics importer on a full-size export
    python -m bench concurrent-submissions   many families sending stories at once to one SQLite file
    python -m bench cluster                  two app servers behind nginx on PostgreSQL, Redis and S3; one killed
    python -m bench screenshots              the README's screenshots of the memorial pages (headless Chromium)
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COMMANDS = {
    "seed": "bench.seed",
    "pages": "bench.pages",
    "photos": "bench.photos",
    "stats-import": "bench.stats_import",
    "concurrent-submissions": "bench.concurrent_submissions",
    "cluster": "bench.cluster",
    "screenshots": "bench.screenshots",
}
EVERYDAY = ["concurrent-submissions", "stats-import", "photos", "pages"]


def run(command: str, argv: list[str]) -> None:
    module = importlib.import_module(COMMANDS[command])
    sys.argv = [f"python -m bench {command}", *argv]
    module.main()


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return
    if args:
        command = args[0].replace("_", "-")
        if command not in COMMANDS:
            sys.exit(f"unknown benchmark {args[0]!r}; one of: {', '.join(COMMANDS)}")
        run(command, args[1:])
        return
    for command in EVERYDAY:
        print(f"\n== python -m bench {command}", flush=True)
        run(command, [])


if __name__ == "__main__":
    main()
