"""Addresses made from names: one helper for memorials, campaigns and anything else with a slug."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# What an address made here can look like (slugify, an old address kept): anything else (a NUL byte, a 2,000-
# character path) names nothing, and is answered before any lookup.
ADDRESS = re.compile(r"[a-z0-9][a-z0-9-]{0,119}")
# What a new address must look like when someone types one (a campaign's): words joined by single hyphens.
WELL_FORMED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_slug(text: str | None) -> bool:
    """Whether text could be one of the site's addresses."""
    return bool(text) and ADDRESS.fullmatch(text) is not None


def slugify(text: str, *, max_length: int = 80, fallback: str = "memorial") -> str:
    """'José María O'Brien' -> 'jose-maria-o-brien': ASCII letters and digits joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_length].strip("-") or fallback


def unique_slug(base: str, taken: Callable[[str], bool]) -> str:
    """base, or base-2, base-3, ... : the first that `taken` says is free."""
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate
