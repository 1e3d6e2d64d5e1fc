"""Whole pages kept for visitors who are not signed in, so a popular page is made once, not per visit.

A GET from a quiet visitor (a session that holds nothing but a form token, and no cookie but the session and
the language choice: a candle lit today, a sign-in or a message waiting changes the page) is answered from
the page this worker made for the same address, language and encoding, if nothing public changed since:
every commit that changes a public table raises one counter in the database in the same transaction
(generation.py), and a kept page is used only while the counter is what it was before the page was made.
So a withdrawn memorial, an approval, a candle or a new import is seen by the next visitor, on every worker
and every app server; the only cost is one small query per visit. Pages are also dropped after
PAGE_CACHE_SECONDS (60 by default; 0 turns the cache off), for what changes with the clock alone.

The response pipeline (memorials/responses.py) decides which answers may be kept and calls `lookup` before
the view and `keep` once the answer is finished. Pages with forms are kept with a placeholder where the
form's CSRF token goes, and each visitor gets their own token, as a freshly made page would give.
"""
from __future__ import annotations

import gzip
import time

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from ..languages import COOKIE as LANGUAGE_COOKIE
from . import generation
from .models import PageGeneration  # noqa: F401 (the table is part of the schema)
from .store import Page, PageStore

TOKEN = b"\x00token\x00"      # NUL never appears in a page: every input has its control characters removed
# A form token, and Flask-Login's note that nobody signed in just now: a session like that changes no page.
QUIET_SESSION_KEYS = frozenset({"csrf_token", "_fresh"})
MAX_PAGE_BYTES = 1024 * 1024
NEVER_KEPT_HEADERS = frozenset({"content-length", "set-cookie", "date"})
REMADE_HEADERS = NEVER_KEPT_HEADERS | {"content-encoding", "etag"}    # a page with a token is re-encoded


def init_page_cache(app: Flask) -> None:
    app.extensions["pagecache"] = PageStore(int(app.config["PAGE_CACHE_BYTES"]))


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
    if not generation.available():
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


def keep(response: Response) -> None:
    """Keep a finished 200 for the next quiet visitor, if it was made for one (lookup noted the counter)."""
    state = g.pop("page_cache", None)
    if (state is None or g.get("page_cache_hit") or request.method != "GET" or response.status_code != 200
            or _sets_a_cookie_of_its_own(response) or (response.is_streamed and not response.direct_passthrough)
            or not _quiet(session)):
        return
    key, counted = state
    page = _page_of(response, counted, time.monotonic() + _seconds())
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
    token = g.get(current_app.config["WTF_CSRF_FIELD_NAME"])
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
