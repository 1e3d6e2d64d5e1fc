"""Whole pages kept for visitors who are not signed in, so a popular page is made once, not per visit.

A GET from a quiet visitor (a session that holds nothing but a form token, and no cookie but the session and
the language choice: a candle lit today, a sign-in or a message waiting changes the page) is answered from
the page this worker made for the same address, language and encoding, if nothing public changed since:
every commit that changes a public table raises one counter in the database in the same transaction
(generation.py), and a kept page is used only while the counter is what it was before the page was made.
So a withdrawn memorial, an approval, a candle or a new import is seen by the next visitor, on every worker
and every app server. On PostgreSQL each worker hears the counter's new value by a notice PostgreSQL sends as
it commits (listen.py: a fraction of a millisecond later) and serves a kept page without a query; on SQLite
the counter is read with one small query per visit. Pages are
also dropped after PAGE_CACHE_SECONDS (60 by default; 0 turns the cache off), for what changes with the
clock alone.

The response pipeline (memorials/responses.py) decides which answers may be kept and calls `lookup` before
the view and `keep` once the answer is finished. Pages with forms are kept with holes where the form's CSRF
token goes, and each visitor gets their own token, as a freshly made page would give; the parts around the
holes are compressed once, when the page is kept (pieces.py).
"""
from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from ..languages import COOKIE as LANGUAGE_COOKIE
from . import generation, pieces
from .models import PageGeneration  # noqa: F401 (the table is part of the schema)
from .pieces import Holed
from .store import Page, PageStore

# A form token, and Flask-Login's note that nobody signed in just now: a session like that changes no page.
QUIET_SESSION_KEYS = frozenset({"csrf_token", "_fresh"})
MAX_PAGE_BYTES = 1024 * 1024
T = TypeVar("T")
NEVER_KEPT_HEADERS = frozenset({"content-length", "set-cookie", "date"})


def init_page_cache(app: Flask) -> None:
    app.extensions["pagecache"] = PageStore(int(app.config["PAGE_CACHE_BYTES"]))


def while_unchanged(key: tuple, make: Callable[[], T]) -> T:
    """What make() returns (something small that public tables say: the live campaigns, a state's headline),
    made once per worker while nothing public changes: kept under the counter this visit was looked up with,
    for PAGE_CACHE_SECONDS at most, as pages are. Made every time where the visit has no counter (a private
    page, the cache off)."""
    counted = g.get("page_counter")
    if counted is None:
        return make()
    return page_store().memo((counted, *key), make, time.monotonic() + _seconds())


def page_store(app: Flask | None = None) -> PageStore:
    return (app or current_app).extensions["pagecache"]


def _seconds() -> float:
    return float(current_app.config["PAGE_CACHE_SECONDS"] or 0)


def quiet_visitor() -> bool:
    """Nobody signed in, no message waiting, no cookie but the session's form token and the language choice:
    the page is the same for every such visitor."""
    quiet_cookies = {current_app.config["SESSION_COOKIE_NAME"], LANGUAGE_COOKIE}
    return all(name in quiet_cookies for name in request.cookies) and _quiet(session)


def _quiet(session) -> bool:
    return set(session.keys()) <= QUIET_SESSION_KEYS and not session.get("_fresh")


def lookup() -> Response | None:
    """The kept page for this visit, if there is one and nothing public changed since it was made. The caller
    has checked that this address may be kept at all."""
    if _seconds() <= 0 or request.method not in ("GET", "HEAD") or not quiet_visitor():
        return None
    counted = generation.current()
    if counted is None:
        return None
    key = _key()
    g.page_cache = (key, counted)
    g.page_counter = counted
    page = page_store().get(key, counted)
    if page is None:
        return None
    g.page_cache_hit = True
    return _response_of(page)


def compressed_in_parts(response: Response, level: int) -> bytes | None:
    """The page gzipped around the visitor's token, when it is about to be kept with holes (a quiet visitor's
    first visit to a page with a form): the parts keep() keeps, compressed once, with this visitor's token put
    in, instead of the page compressed whole and then unpacked again to be kept. None: compress it whole."""
    token = g.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    if (not token or g.get("page_cache") is None or g.get("page_cache_hit") or request.method != "GET"
            or response.status_code != 200 or response.mimetype != "text/html" or not _quiet(session)):
        return None
    body = response.get_data()
    if len(body) > MAX_PAGE_BYTES or token.encode() not in body:
        return None
    holed = pieces.holed(body, token.encode(), level)
    g.page_holed = holed
    return holed.filled(token.encode())


def keep(response: Response, level: int) -> None:
    """Keep a finished 200 for the next quiet visitor, if it was made for one (lookup noted the counter); a
    page with a form token is kept with holes, its parts gzipped at `level` if the page was."""
    state = g.pop("page_cache", None)
    if (state is None or g.get("page_cache_hit") or request.method != "GET" or response.status_code != 200
            or _sets_a_cookie_of_its_own(response) or (response.is_streamed and not response.direct_passthrough)
            or not _quiet(session)):
        return
    key, counted = state
    page = _page_of(response, counted, time.monotonic() + _seconds(), level)
    if page is not None:
        page_store().put(key, page)


def _sets_a_cookie_of_its_own(response: Response) -> bool:
    """A cookie the view set (a candle lit, a language chosen) makes the page this visitor's; the session's own
    cookie, holding a quiet visitor's form token, does not (each visitor gets their own with the kept page)."""
    session_cookie = current_app.config["SESSION_COOKIE_NAME"] + "="
    return any(not cookie.startswith(session_cookie) for cookie in response.headers.getlist("Set-Cookie"))


def _key() -> tuple:
    return (request.host, request.script_root, request.path, request.query_string,
            request.accept_encodings.quality("gzip") > 0)


def _page_of(response: Response, counted: int, expires: float, level: int) -> Page | None:
    if response.direct_passthrough:  # a file: read it once (it is sent from the bytes read)
        length = response.content_length
        if length is None or length > MAX_PAGE_BYTES:
            return None
        response.direct_passthrough = False
        response.set_data(response.get_data())
    body = response.get_data()
    if len(body) > MAX_PAGE_BYTES:
        return None
    headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in NEVER_KEPT_HEADERS)
    token = g.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    made = g.pop("page_holed", None)
    if made is not None:
        body = made   # already cut and compressed for this answer (compressed_in_parts)
    elif token and response.mimetype == "text/html":
        gzipped = response.headers.get("Content-Encoding") == "gzip"
        plain = gzip.decompress(body) if gzipped else body
        if token.encode() in plain:
            # Its validator and encoding stay: the validator leaves the token out (responses._validator).
            body = pieces.holed(plain, token.encode(), level if gzipped else None)
    return Page(response.status_code, headers, body, counted, expires)


def _response_of(page: Page) -> Response:
    body = page.body.filled(generate_csrf().encode()) if isinstance(page.body, Holed) else page.body
    return Response(body, status=page.status, headers=list(page.headers))
