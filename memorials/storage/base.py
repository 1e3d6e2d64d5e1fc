"""What every kind of store shares (a leaf: imports nothing of ours)."""
from __future__ import annotations

import re

# A stored file's name: letters, digits, - and _, then .jpg. Nothing else ever reaches a path or a key.
NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\.jpg")
ONE_YEAR = 31_536_000
# A file whose name carries the hash of its bytes never changes: kept a year, never asked for again.
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"


class StoreUnavailable(Exception):
    """The store did not answer (a network error, a timeout, a refused request, a full disk): nothing was written."""
