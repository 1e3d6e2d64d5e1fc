"""What makes a moderator's password acceptable: long, not one character, not a common one."""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 12
COMMON_LIST = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertyuiopasdfghjklzxcvbnm",
                  "abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list (see data/COMMON_PASSWORDS.md for its source and licence)."""
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def _is_run(text: str) -> bool:
    """True for a run along the digits, the alphabet or a keyboard row, forwards or backwards, wrapping
    round (123456789012, abcdefghijkl, 0987654321qw is not one)."""
    for row in _KEYBOARD_ROWS:
        for line in (row, row[::-1]):
            start = line.find(text[0])
            if start < 0:
                continue
            wrapped = line * (len(text) // len(line) + 2)
            if wrapped[start:start + len(text)] == text:
                return True
    return False


def _is_repeated_pattern(text: str) -> bool:
    """True when the text is one short piece said again and again (abcabcabcabc)."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False


def password_problem(password: str) -> str | None:
    """Why this password would not do, in a sentence for the person choosing it; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return _("Please use at least %(count)s characters. A few ordinary words in a row work well.",
                 count=MIN_LENGTH)
    lowered = password.lower()
    if len(set(lowered)) == 1 or _is_repeated_pattern(lowered):
        return _("Please don't repeat one character or one short piece: such passwords are guessed first.")
    if lowered in common_passwords() or _is_run(lowered):
        return _("This password is on the lists attackers try first. Please choose another.")
    core = lowered.strip("0123456789!@#$%^&*()-_=+.,?~ ")
    if core != lowered and (core in common_passwords() or (core and _is_run(core))):
        return _("This is a common password with a few digits or signs added. Please choose another.")
    return None
