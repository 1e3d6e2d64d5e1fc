"""Kept pages: bytes and headers by key, dropped when stale, too old, or least recently used past a budget."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..lru import LRU
from .pieces import Holed

MEMOS = 512
T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes | Holed      # Holed: with a hole where each visitor's own form token goes
    generation: int
    expires: float

    @property
    def size(self) -> int:
        body = self.body.size if isinstance(self.body, Holed) else len(self.body)
        return body + sum(len(k) + len(v) for k, v in self.headers) + 200


class PageStore:
    """At most `budget` bytes of pages (one page is at most an eighth of it), and a few small values pages are
    made from, each kept under the counter it was read with."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._pages = LRU(budget, sizeof=lambda page: page.size)
        self._memos = LRU(MEMOS)

    def memo(self, key: tuple, make: Callable[[], T], expires: float) -> T:
        found = self._memos.get(key)
        if found is None or found[1] <= time.monotonic():
            found = (make(), expires)
            self._memos.put(key, found)
        return found[0]

    def get(self, key: tuple, generation: int) -> Page | None:
        page = self._pages.get(key)
        if page is None:
            return None
        if page.generation != generation or page.expires <= time.monotonic():
            self._pages.pop(key)
            return None
        return page

    def put(self, key: tuple, page: Page) -> None:
        if page.size <= self.budget // 8:
            self._pages.put(key, page)

    def clear(self) -> None:
        self._pages.clear()
        self._memos.clear()

    def keys(self) -> list[tuple]:
        return self._pages.keys()

    def __len__(self) -> int:
        return len(self._pages)
