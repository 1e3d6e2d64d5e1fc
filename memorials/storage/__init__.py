"""Where families' photos and the share cards live: a folder on this machine, or S3-compatible object storage.

    PHOTO_STORE_URL unset      INSTANCE_PATH/photos and INSTANCE_PATH/share-cards (one machine)
    file:///srv/memorials      /srv/memorials/photos and /srv/memorials/share-cards (a shared mount)
    s3://bucket/prefix         objects prefix/photos/<name> and prefix/share-cards/<name>, through boto3
                               (S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_REGION)

Each area is a flat set of named files that never change once written (a photo's name carries a hash of its
bytes; a card's name, the version it shows). With PHOTO_PUBLIC_URL set, the photos of public memorials are
also copied to a third area, `public/`, the only one a bucket policy or a CDN should expose: the app answers
a photo's address with a redirect there, and the copy is removed when the memorial is unpublished or
withdrawn (tasks.py retries what failed). Nothing else in the app touches files or buckets directly.

    store(area)          the app's store for "photos", "share-cards" or "public"
    StoreUnavailable     the store could not be reached (a family sees a plain message; nothing is half-saved)
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, current_app

from .base import NAME, ONE_YEAR, StoreUnavailable  # noqa: F401 (the package's words)
from .local import LocalStore

PHOTOS, CARDS, PUBLIC = "photos", "share-cards", "public"
AREAS = (PHOTOS, CARDS, PUBLIC)


class Store(Protocol):
    """One area of the store. Names are checked against NAME; a missing file reads as FileNotFoundError."""

    def save(self, name: str, data: bytes) -> None: ...
    def read(self, name: str) -> bytes: ...
    def delete(self, name: str) -> None: ...
    def exists(self, name: str) -> bool: ...
    def names(self, prefix: str = "") -> Iterator[str]: ...

    def send(self, name: str, max_age: int) -> Response:
        """The answer to a browser asking for the file (404 if it is missing); conditional requests answered."""
        ...


def open_store(url: str, area: str, config, instance_path: str | Path) -> Store:
    """The store for one area at this URL (empty: the instance folder)."""
    if area not in AREAS:
        raise ValueError(f"unknown store area {area!r}")
    parts = urlsplit(url or "")
    if not url:
        return LocalStore(Path(instance_path) / area)
    if parts.scheme == "file":
        return LocalStore(Path(unquote(parts.netloc + parts.path)) / area)
    if parts.scheme == "s3" and parts.netloc:
        # boto3 is heavy (a third of a second and 30 MB per worker): loaded only by sites that use it.
        from .s3 import S3Store

        prefix = "/".join(p for p in (parts.path.strip("/"), area) if p)
        return S3Store(parts.netloc, prefix, endpoint_url=config["S3_ENDPOINT_URL"] or None,
                       access_key=config["AWS_ACCESS_KEY_ID"] or None,
                       secret_key=config["AWS_SECRET_ACCESS_KEY"] or None,
                       region=config["S3_REGION"] or None)
    raise ValueError(f"PHOTO_STORE_URL must be file://PATH or s3://BUCKET/PREFIX, not {url!r}")


def store(area: str, app: Flask | None = None) -> Store:
    """The app's store for this area, made once per app (an S3 store makes its client once per process)."""
    app = app or current_app
    stores = app.extensions.setdefault("stores", {})
    found = stores.get(area)
    if found is None:
        found = stores[area] = _legacy(app) if area == PHOTOS and app.config["PHOTO_STORE"] else \
            open_store(app.config["PHOTO_STORE_URL"], area, app.config, app.instance_path)
    return found


def _legacy(app: Flask) -> Store:
    """PHOTO_STORE="package.module:Class" (before PHOTO_STORE_URL): a class of one's own with `from_app(app)`,
    for photos only. It needs save, read, delete and send; move-photos also reads its files."""
    module, _, attribute = app.config["PHOTO_STORE"].partition(":")
    return getattr(importlib.import_module(module), attribute).from_app(app)


def public_url(app: Flask | None = None) -> str:
    """Where the public copies of photos are served from (a bucket's web address or a CDN); empty: the app."""
    return (app or current_app).config["PHOTO_PUBLIC_URL"].rstrip("/")
