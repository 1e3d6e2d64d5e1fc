"""One small least-recently-used store, safe across threads: every per-process cache of the site uses it
(kept pages, compressed files, rendered cards, parsed statistics), bounded by count or by bytes."""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from cachetools import LRUCache


class LRU:
    """cachetools' LRUCache behind a lock: get, put (a value larger than the whole budget is not kept), pop."""

    def __init__(self, maxsize: int, sizeof: Callable[[object], int] | None = None) -> None:
        self._items = LRUCache(maxsize, getsizeof=sizeof)
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        with self._lock:
            return self._items.get(key, default)

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            try:
                self._items[key] = value
            except ValueError:   # larger than the whole budget
                self._items.pop(key, None)

    def pop(self, key: Hashable, default=None):
        with self._lock:
            return self._items.pop(key, default)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def keys(self) -> list:
        with self._lock:
            return list(self._items.keys())

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        """What the values weigh in all (their count when no sizeof was given)."""
        return self._items.currsize
