"""What happens to a response after its view, stated once on the view.

    @private_page      a family's or a moderator's page, or one that shows a private link: never cached
                       anywhere (no-store), never indexed, never sent on as a referrer, never kept
    @never_kept        public, but made afresh for every visitor (each copy carries its own one-time token)
"""
from __future__ import annotations

from collections.abc import Callable

PRIVATE = "private"
NEVER_KEPT = "never_kept"


def private_page(view: Callable) -> Callable:
    """A page for one person only (a private link, a moderator, a thank-you that shows a private link)."""
    view.page_policy = PRIVATE
    return view


def never_kept(view: Callable) -> Callable:
    """A public page made afresh for every visitor: never kept nor looked up in the page cache."""
    view.page_policy = NEVER_KEPT
    return view


def policy_of(view: Callable | None) -> str | None:
    """The policy a view declared, or None for an ordinary public page."""
    return getattr(view, "page_policy", None)
