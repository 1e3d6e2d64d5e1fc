"""The VSRR importer on a full-size CSV export (about 80,000 rows): `python -m bench.stats_import`.

CDC's full current export (about 82,000 rows, 15-17 MB) could not be downloaded here, so this
makes one of the same size and format by scaling up a real one: CDC's complete 2015-01..2019-02
export (23,700 rows, all 12 indicators, 53 jurisdictions; shared/data/vsrr/
vsrr_full_all_indicators_2015-01_2019-02.csv, or --source PATH) is written out again with its
years shifted by 5, 10, ... until the file has --rows rows. The rows keep CDC's mix: about a
third are indicators the site skips (as in the real export), suppressed cells stay empty, and
numbers keep their quoted thousands separators and the UTF-8 BOM. Without that file it falls
back to the bundled snapshot's figures in the same format (and says so).
It times a first import (empty database) and a re-import (every key replaced) as `import-stats` runs them
(import, compute what the pages serve, commit), on SQLite, and
measures peak Python memory (tracemalloc) on a third run, plus the process's peak RSS.
"""
from __future__ import annotations

import argparse
import csv
import io
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from memorials import create_app  # noqa: E402
from memorials.extensions import db  # noqa: E402
from memorials.stats.commands import import_file  # noqa: E402
from memorials.stats.importer import DISPLAY_TO_API, read_text  # noqa: E402
from memorials.stats.snapshot import FIGURES  # noqa: E402

HEADER = ["State", "Year", "Month", "Period", "Indicator", "Data Value", "Percent Complete",
          "Percent Pending Investigation", "State Name", "Footnote", "Footnote Symbol", "Predicted Value"]
REAL_EXPORT = (Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "vsrr"
               / "vsrr_full_all_indicators_2015-01_2019-02.csv")


def _number(value: str) -> str:
    value = value.replace(",", "")
    return f"{int(value):,}" if value.isdigit() else value


def make_export(source: Path, path: Path, rows: int) -> int:
    """Write `rows` rows in the CSV export shape, repeating source's rows with years shifted by 5."""
    text = read_text(str(source))
    records = list(csv.DictReader(io.StringIO(text)))
    api_names = {api: display for display, api in DISPLAY_TO_API.items()}
    records = [{api_names.get(k, k): v for k, v in r.items()} for r in records]  # either shape in
    written, shift = 0, 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        while written < rows:
            for r in records:
                if written >= rows:
                    break
                row = {**r, "Year": str(int(r["Year"]) + shift), "Data Value": _number(r.get("Data Value", "")),
                       "Predicted Value": _number(r.get("Predicted Value", ""))}
                writer.writerow([row.get(h, "") for h in HEADER])
                written += 1
            shift += 5
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--source", type=Path, default=REAL_EXPORT, help="a real VSRR file to scale up")
    args = parser.parse_args()
    source = args.source if args.source.exists() else FIGURES
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "vsrr_export.csv"
        count = make_export(source, export, args.rows)
        size = export.stat().st_size / 1e6
        print(f"scaled up from {source.name}" + ("" if source != FIGURES else
              " (the real 2015-2019 export was not found; using the bundled snapshot's figures)"))
        app = create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                          "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            print(f"{count:,} rows, {size:.1f} MB, in the CSV export shape")
            for label in ("first import (empty database)", "re-import (every key replaced)"):
                start = time.perf_counter()
                _, release = import_file(str(export))  # as `import-stats` does: import, publish, commit
                elapsed = time.perf_counter() - start
                print(f"  {label}: {release.row_count:,} figures in {elapsed:.2f} s = {count / elapsed:,.0f} rows/s")
            # Memory is measured on a separate run: tracemalloc slows Python several times over.
            tracemalloc.start()
            import_file(str(export))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  peak Python memory during an import: {peak / 1e6:.0f} MB (tracemalloc); "
                  f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
