"""The queue's tabs: moderation grows by tabs, not by branches. Each kind of item (a story, a message for a
family, a memory, a gallery photo, a report) registers its tab here with a subquery that counts what waits; the
moderators' pages ask for every count in one statement. Moderation imports none of the features."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..extensions import db


@dataclass(frozen=True)
class Tab:
    key: str
    endpoint: str
    label: object                       # a lazy string, said in the moderator's language
    waiting: Callable[[], object]       # a scalar subquery: how many items wait
    order: int


@dataclass(frozen=True)
class CountedTab:
    key: str
    endpoint: str
    label: str
    count: int


_TABS: dict[str, Tab] = {}


def register(key: str, endpoint: str, label, waiting: Callable[[], object], order: int) -> None:
    """A feature adds its tab (once, at import)."""
    _TABS[key] = Tab(key, endpoint, label, waiting, order)


def counted() -> list[CountedTab]:
    """Every tab with how many items wait, in order (one statement)."""
    tabs = sorted(_TABS.values(), key=lambda tab: tab.order)
    row = db.session.execute(db.select(*(tab.waiting().label(tab.key) for tab in tabs))).one()
    return [CountedTab(tab.key, tab.endpoint, str(tab.label), int(getattr(row, tab.key) or 0)) for tab in tabs]
