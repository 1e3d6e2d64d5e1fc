"""HTTP that lets browsers and caches do their part: versioned static files, conditional requests, gzip.

- url_for('static', filename=...) adds ?v=<hash of the file's content>; a request carrying the current
  hash is answered with `Cache-Control: public, max-age=31536000, immutable` (a changed file gets a new
  address, so it is never stale), any other with `no-cache` (revalidated by its ETag).
- Public GET answers get an ETag (a hash of the body) when they have none, and answer If-None-Match /
  If-Modified-Since with 304. Pages marked `no-store` (private links, moderation) are left alone.
- HTML, CSS, JavaScript, CSV, JSON, XML and plain text are gzipped for clients that accept it; static
  files and other file answers are compressed once and kept (they do not change under the same ETag).
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
from collections import OrderedDict

from flask import Flask, Response, request
from werkzeug.security import safe_join

ONE_YEAR = 31_536_000
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript", "text/csv", "application/json",
    "application/atom+xml", "application/rss+xml", "application/xml", "text/xml", "text/plain",
    "image/svg+xml", "application/manifest+json",
})
MIN_GZIP_BYTES = 512
PAGE_LEVEL = 5           # pages are compressed on every request: fast, about 80% smaller
FILE_LEVEL = 9           # files are compressed once and kept
FILE_CACHE_BYTES = 32 * 1024 * 1024
MAX_FILE_BYTES = 16 * 1024 * 1024


class StaticVersions:
    """The short content hash of each static file: computed once (or whenever it changes, in debug mode)."""

    def __init__(self, folder: str | None, watch: bool) -> None:
        self.folder = folder
        self.watch = watch
        self._known: dict[str, tuple[int, str | None]] = {}

    def of(self, filename: str) -> str | None:
        known = self._known.get(filename)
        if known is not None and not self.watch:
            return known[1]
        path = safe_join(self.folder, filename) if self.folder else None
        try:
            stamp = os.stat(path).st_mtime_ns if path else 0
        except OSError:
            stamp = 0
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()[:12]
        except (OSError, TypeError):
            digest = None
        if len(self._known) < 10_000:  # a bound, whatever names are asked for
            self._known[filename] = (stamp, digest)
        return digest


class CompressedFiles:
    """gzip bodies of file answers, by ETag, least recently used dropped past a size budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str, body: bytes) -> bytes:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        compressed = gzip.compress(body, compresslevel=FILE_LEVEL, mtime=0)
        with self._lock:
            if key not in self._items and len(compressed) <= self.budget:
                self._items[key] = compressed
                self._size += len(compressed)
                while self._size > self.budget:
                    _, dropped = self._items.popitem(last=False)
                    self._size -= len(dropped)
        return compressed


def _accepts_gzip() -> bool:
    return request.accept_encodings.quality("gzip") > 0


# A form's CSRF token is signed with the second it was made, so the same page for the same visitor differs
# from one second to the next. Every token of a session stays valid (WTF_CSRF_TIME_LIMIT is None), so the
# validator leaves the token out: a cached copy with an older token still posts.
_CSRF_INPUT = re.compile(rb'<input[^>]*name="csrf_token"[^>]*>')


def _content_tag(response: Response) -> str:
    body = response.get_data()
    if response.mimetype == "text/html":
        body = _CSRF_INPUT.sub(b"<csrf>", body)
    return hashlib.sha1(body).hexdigest()


def _worth_compressing(response: Response) -> bool:
    """Whether the body below is compressed (a small or very large one is sent as it is, with its own ETag)."""
    length = response.content_length
    return length is None or MIN_GZIP_BYTES <= length <= (MAX_FILE_BYTES if response.direct_passthrough
                                                            else length)


def _private(response: Response) -> bool:
    return "no-store" in (response.headers.get("Cache-Control") or "")


def register_http(app: Flask) -> None:
    """Register after the security headers' hook, so that it sees which answers are private."""
    versions = StaticVersions(app.static_folder, watch=app.debug)
    files = CompressedFiles(FILE_CACHE_BYTES)

    @app.url_defaults
    def static_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = versions.of(values["filename"])
            if digest:
                values["v"] = digest

    @app.after_request
    def cache_and_compress(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            current = versions.of(request.view_args.get("filename", "")) if request.view_args else None
            fresh = current is not None and request.args.get("v") == current
            response.headers["Cache-Control"] = IMMUTABLE if fresh else "no-cache"

        compress = (_accepts_gzip() and response.mimetype in COMPRESSIBLE
                    and "Content-Encoding" not in response.headers and response.status_code == 200
                    and not (response.is_streamed and not response.direct_passthrough))
        if response.mimetype in COMPRESSIBLE:
            response.vary.add("Accept-Encoding")

        if request.method in ("GET", "HEAD") and response.status_code == 200 and not _private(response):
            if "ETag" not in response.headers and not response.direct_passthrough and not response.is_streamed:
                response.set_etag(_content_tag(response))
            etag, weak = response.get_etag()
            if etag and compress and _worth_compressing(response):
                # The compressed body is another representation: it gets its own validator.
                response.set_etag(etag + "-gz", weak=bool(weak))
            response.make_conditional(request)
            if response.status_code == 304:
                return response

        if not compress:
            return response
        if response.direct_passthrough:
            response.direct_passthrough = False
            body = response.get_data()
            if len(body) > MAX_FILE_BYTES or len(body) < MIN_GZIP_BYTES:
                response.set_data(body)
                return response
            key = response.headers.get("ETag") or hashlib.sha256(body).hexdigest()
            response.set_data(files.get(key, body))
        else:
            body = response.get_data()
            if len(body) < MIN_GZIP_BYTES:
                return response
            response.set_data(gzip.compress(body, compresslevel=PAGE_LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        return response
