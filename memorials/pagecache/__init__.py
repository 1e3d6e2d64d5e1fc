"""Whole pages kept for visitors who are not signed in, so a popular page is made once, not per visit.

A GET from a visitor whose session holds nothing but a form token (no sign-in, no message waiting) and
who has no cookie but the session and the language choice (a candle lit today changes the page) is answered from the page this worker made for the same address,
language and encoding, if nothing public changed since: every commit that changes a public table raises
one counter in the database in the same transaction (generation.py), and a kept page is used only
while the counter is what it was before the page was made. So a withdrawn memorial, an approval, a
candle or a new import is seen by the next visitor, on every worker and every app server; the only
cost is one small query per visit. Pages are also dropped after PAGE_CACHE_SECONDS (60 by default;
0 turns the cache off), for what changes with the clock alone ("remembered this week").

Never kept: private pages (no-store), anything but a 200, answers that set a cookie, streams, answers
for signed-in moderators or with a message waiting. Pages with forms are kept with a placeholder where
the form's CSRF token goes, and each visitor gets their own token, as a freshly made page would give.
"""
from __future__ import annotations

import gzip
import time

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from ..extensions import db
from ..i18n import COOKIE as LANGUAGE_COOKIE
from ..responses import NEVER_KEPT, policy_of
from . import generation
from .models import PageGeneration  # noqa: F401 (the table is part of the schema)
from .store import Page, PageStore

TOKEN = b"\x00token\x00"      # NUL never appears in a page: every input has its control characters removed
# A form token, and Flask-Login's note that nobody signed in just now: a session like that changes no page.
QUIET_SESSION_KEYS = frozenset({"csrf_token", "_fresh"})
MAX_PAGE_BYTES = 1024 * 1024
NEVER_KEPT_HEADERS = frozenset({"content-length", "set-cookie", "date"})
REMADE_HEADERS = NEVER_KEPT_HEADERS | {"content-encoding", "etag"}    # a page with a token is re-encoded


def register_page_cache(app: Flask) -> None:
    """Call before register_http: the hook that keeps pages must run after the one that compresses them
    (Flask runs after_request hooks in reverse)."""
    seconds = float(app.config.get("PAGE_CACHE_SECONDS") or 0)
    store = PageStore(int(app.config.get("PAGE_CACHE_BYTES") or 32 * 1024 * 1024))
    app.extensions["pagecache"] = store
    if seconds <= 0:
        return

    @app.after_request
    def keep(response: Response) -> Response:
        state = g.pop("page_cache", None)
        if state is None or g.get("page_cache_hit") or request.method != "GET" or not _keepable(response):
            return response
        key, counted = state
        page = _page_of(response, counted, time.monotonic() + seconds)
        if page is not None:
            store.put(key, page)
        return response


def serve_kept_pages(app: Flask) -> None:
    """Call last in create_app: pages are looked up after every other before_request hook (the language,
    the limits) has had its say. The counter is raised whether or not this app keeps pages (generation.py
    listens to every session): another process sharing the database may keep them."""
    if float(app.config.get("PAGE_CACHE_SECONDS") or 0) > 0:
        app.before_request(_serve)


def _serve():
    """The kept page for this visit, if there is one and nothing public changed since it was made."""
    if request.method not in ("GET", "HEAD") or not _cacheable_request() or not generation.available():
        return None
    counted = generation.current()
    if counted is None:
        return None
    key = _key()
    g.page_cache = (key, counted)
    page = page_store().get(key, counted)
    if page is None:
        return None
    g.page_cache_hit = True
    return _response_of(page)


def page_store(app: Flask | None = None) -> PageStore:
    return (app or current_app).extensions["pagecache"]


def _cacheable_request() -> bool:
    from ..web import is_private_page

    if request.endpoint in (None, "static") or is_private_page():
        return False
    if policy_of(current_app.view_functions.get(request.endpoint)) == NEVER_KEPT:
        return False
    # Any other cookie may change the page (a candle lit today, a moderator's sign-in): made afresh.
    quiet_cookies = {current_app.config["SESSION_COOKIE_NAME"], LANGUAGE_COOKIE}
    return all(name in quiet_cookies for name in request.cookies) and _quiet(session)


def _key() -> tuple:
    return (request.host, request.script_root, request.path, request.query_string,
            request.accept_encodings.quality("gzip") > 0)


def _keepable(response: Response) -> bool:
    return (response.status_code == 200 and "Set-Cookie" not in response.headers
            and not any(word in (response.headers.get("Cache-Control") or "") for word in ("no-store", "private"))
            and not (response.is_streamed and not response.direct_passthrough)
            and _quiet(session))


def _quiet(session) -> bool:
    return set(session.keys()) <= QUIET_SESSION_KEYS and not session.get("_fresh")


def _page_of(response: Response, counted: int, expires: float) -> Page | None:
    if response.direct_passthrough:  # a file: read it once (it is sent from the bytes read)
        length = response.content_length
        if length is None or length > MAX_PAGE_BYTES:
            return None
        response.direct_passthrough = False
        response.set_data(response.get_data())
    body = response.get_data()
    if len(body) > MAX_PAGE_BYTES:
        return None
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    with_token = bool(token) and response.mimetype == "text/html"
    dropped = NEVER_KEPT_HEADERS
    if with_token:
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if token.encode() not in body:
            with_token = False
            body = response.get_data()
        else:
            body = body.replace(token.encode(), TOKEN)
            dropped = REMADE_HEADERS
    headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in dropped)
    return Page(response.status_code, headers, body, counted, expires, with_token)


def _response_of(page: Page) -> Response:
    body = page.body.replace(TOKEN, generate_csrf().encode()) if page.with_token else page.body
    return Response(body, status=page.status, headers=list(page.headers))
