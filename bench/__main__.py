"""Run every benchmark: `make bench` (or `python -m bench`)."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

for module in sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_")):
    print(f"\n== bench.{module}")
    sys.argv = [f"bench.{module}"]
    importlib.import_module(f"bench.{module}").main()
