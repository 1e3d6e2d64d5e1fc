"""The VSRR importer on a full-size CSV export (about 80,000 rows): `python -m bench.stats_import`.

CDC's full export was not available offline, so this makes one of the same size and format:
the 2015-2019 fixture-shaped file in tests/fixtures is too small, so it takes the bundled
snapshot's figures, writes them in the CSV export shape (display headers, BOM, quoted
thousands separators) and repeats them with shifted years until the file has --rows rows.
It then times a first import (empty database) and a re-import (every key replaced), on SQLite.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from memorials import create_app  # noqa: E402
from memorials.extensions import db  # noqa: E402
from memorials.stats.importer import import_vsrr, read_text  # noqa: E402
from memorials.stats.snapshot import FIGURES  # noqa: E402

HEADER = ["State", "Year", "Month", "Period", "Indicator", "Data Value", "Percent Complete",
          "Percent Pending Investigation", "State Name", "Footnote", "Footnote Symbol", "Predicted Value"]


def make_export(path: Path, rows: int) -> int:
    source = list(csv.DictReader(io.StringIO(read_text(str(FIGURES)))))
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(HEADER)
        shift = 0
        while written < rows:
            for r in source:
                if written >= rows:
                    break
                number = lambda v: f"{int(v):,}" if v else ""  # noqa: E731
                writer.writerow([r["state"], int(r["year"]) + shift, r["month"], r["period"], r["indicator"],
                                 number(r["data_value"]), "100", r["percent_pending_investigation"], r["state_name"],
                                 r["footnote"], "**", number(r["predicted_value"])])
                written += 1
            shift += 20
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=80_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "vsrr_export.csv"
        count = make_export(export, args.rows)
        size = export.stat().st_size / 1e6
        app = create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                          "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            print(f"{count:,} rows, {size:.1f} MB, in the CSV export shape")
            for label in ("first import (empty database)", "re-import (every key replaced)"):
                start = time.perf_counter()
                release = import_vsrr(str(export))
                elapsed = time.perf_counter() - start
                print(f"  {label}: {release.row_count:,} figures in {elapsed:.2f} s = {count / elapsed:,.0f} rows/s")
            # Memory is measured on a separate run: tracemalloc slows Python several times over.
            tracemalloc.start()
            import_vsrr(str(export))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  peak Python memory during an import: {peak / 1e6:.0f} MB")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
