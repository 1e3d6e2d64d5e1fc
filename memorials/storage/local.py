"""Files in a folder: the instance folder on one machine, or a mount every app server shares (NFS, EFS)."""
from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from flask import Response, send_from_directory

from .base import NAME as _NAME
from .base import StoreUnavailable


class LocalStore:
    """One area's folder. Writes go to a hidden file first and are renamed into place, so a reader on another
    worker never sees half a photo and two writers never clash."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __repr__(self) -> str:
        return f"file://{self.folder}"

    def _path(self, name: str) -> Path:
        if not _NAME.fullmatch(name or ""):
            raise FileNotFoundError(name)
        return self.folder / name

    def save(self, name: str, data: bytes) -> None:
        path = self._path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f".{name}.{secrets.token_hex(4)}.part"
        try:
            partial.write_bytes(data)
            os.replace(partial, path)
        except BaseException as error:
            partial.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise StoreUnavailable(f"could not write {name} in {self.folder}: {error}") from error
            raise

    def read(self, name: str) -> bytes:
        path = self._path(name)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise
        except OSError as error:
            raise StoreUnavailable(f"could not read {name} in {self.folder}: {error}") from error

    def delete(self, name: str) -> None:
        if not _NAME.fullmatch(name or ""):
            return
        try:
            self._path(name).unlink(missing_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"could not delete {name} in {self.folder}: {error}") from error

    def exists(self, name: str) -> bool:
        return bool(_NAME.fullmatch(name or "")) and self._path(name).is_file()

    def names(self, prefix: str = "") -> Iterator[str]:
        if not self.folder.is_dir():
            return
        for entry in os.scandir(self.folder):
            if entry.name.startswith(prefix) and _NAME.fullmatch(entry.name) and entry.is_file():
                yield entry.name

    def send(self, name: str, max_age: int) -> Response:
        return send_from_directory(self.folder, name, max_age=max_age, mimetype="image/jpeg")

    def digest(self, name: str) -> str | None:
        """The file's SHA-256, or None when it is missing."""
        try:
            return hashlib.sha256(self.read(name)).hexdigest()
        except FileNotFoundError:
            return None
