"""Copying files from one store to another, each checked by its hash: what `flask --app app move-photos` does.

Resumable: a file already at the destination with the right hash is not copied again, so a move that was
stopped (or that ran while families still uploaded) is finished by running it again.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .base import StoreUnavailable


@dataclass
class Moved:
    copied: int = 0
    already_there: int = 0
    missing: list[str] = field(default_factory=list)    # named in the database, not in the source store
    failed: list[str] = field(default_factory=list)     # could not be copied or did not check out

    @property
    def ok(self) -> bool:
        return not self.failed


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def move(names: Iterable[str], source, destination, *, expected: Callable[[str], str | None] = lambda n: None,
         progress: Callable[[Moved], None] | None = None, every: int = 500) -> Moved:
    """Copy each name from source to destination unless it is already there with the same bytes; read each copy
    back and compare its SHA-256 with the source's (and with the hash prefix its name carries, when it has one)."""
    result = Moved()
    for seen, name in enumerate(names, 1):
        try:
            _move_one(name, source, destination, expected(name), result)
        except StoreUnavailable as error:
            result.failed.append(f"{name}: {error}")
        if progress is not None and seen % every == 0:
            progress(result)
    return result


def _move_one(name: str, source, destination, prefix: str | None, result: Moved) -> None:
    there = destination.digest(name)
    if there and prefix and there.startswith(prefix):
        result.already_there += 1   # a hashed name and a copy with that hash: nothing to read
        return
    try:
        data = source.read(name)
    except FileNotFoundError:
        result.missing.append(name)
        return
    digest = _hash(data)
    if prefix and not digest.startswith(prefix):
        result.failed.append(f"{name}: the source file does not match the hash in its name")
        return
    if there == digest:
        result.already_there += 1
        return
    destination.save(name, data)
    try:
        copy = destination.read(name)
    except FileNotFoundError:
        copy = b""
    if _hash(copy) != digest:
        result.failed.append(f"{name}: the copy does not match the original")
        return
    result.copied += 1
