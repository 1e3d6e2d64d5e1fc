"""What happens to every response after its view: one pipeline, in one place, in one order.

Each view states its policy once:

    @private_page                  for one person only (a family's private link, a preview, a moderator's page,
                                   a thank-you that shows a private link): `no-store`, `noindex`, no referrer;
                                   never kept, never given a validator
    @public_page(max_age, shared)  anyone may see it: browsers keep it max_age seconds, shared caches (nginx, a
                                   CDN) `shared` seconds, and may serve it a little stale while they fetch it again
    @never_kept                    public, but made afresh for every visitor (each copy carries its own one-time
                                   token): never kept by this site's page cache nor by anyone else's

Before the view (MemorialsFlask.dispatch_request, so after every before_request hook): a public page may be
answered from the page cache (memorials/pagecache). After the view, once every after_request hook has run and
the session is saved (MemorialsFlask.process_response), `finish` does, in this order:

1. security headers on every answer (a strict Content-Security-Policy, nosniff, frames, origins, HSTS);
2. privacy: a private page, and every answer to a form post (it may hold what was typed), is sealed here and
   goes out as it is;
3. who else may keep it: a public page that holds no per-visitor token and was made for a quiet visitor may be
   kept by shared caches (`public, s-maxage, stale-while-revalidate`) with the keys that purge it; a page with a
   form token or made for someone signed in says `private`; static files with their content hash are immutable;
4. `Vary`: exactly what the answer depends on: the encoding; on a page, the session's cookie (a message waiting,
   a moderator's menu); on English pages also the language asked for, since a first visit may be sent to the
   Spanish page; files the same in every language and for everyone vary on the encoding alone;
5. a validator (a hash of the body, its form token left out) and 304 for a conditional request;
6. gzip, except for an answer that both reflects what the request sent and carries a secret (a page with a form
   token made from a query string or a form post: BREACH);
7. the page cache keeps the finished page for the next quiet visitor.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
from collections.abc import Callable, Iterable

from flask import Flask, Response, current_app, g, request
from werkzeug.security import safe_join

from . import pagecache
from .languages import LANGUAGES, is_neutral
from .lru import LRU
from .storage.base import IMMUTABLE, ONE_YEAR

PRIVATE = "private"
NEVER_KEPT = "never_kept"
PUBLIC = "public"

# No third-party anything: scripts, styles, fonts and images come from this site only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript", "text/csv", "application/json",
    "application/atom+xml", "application/rss+xml", "application/xml", "text/xml", "text/plain",
    "image/svg+xml", "application/manifest+json",
})
MIN_GZIP_BYTES = 512
# Pages are compressed on every first visit: at level 1 a list page of 36 KB takes a third less time than at
# level 5 in a worker (0.2 ms instead of 0.3) and is 6.4 KB instead of 5.7 (82% smaller instead of 84%).
PAGE_LEVEL = 1
FILE_LEVEL = 9           # files are compressed once and kept
FILE_CACHE_BYTES = 32 * 1024 * 1024
MAX_FILE_BYTES = 16 * 1024 * 1024
STALE_SECONDS = 60       # how long a shared cache may serve a copy past its time while it fetches a new one


# --- what a view declares ------------------------------------------------------------------------------

class Policy:
    def __init__(self, kind: str, max_age: int = 0, shared: int = 0, keys: tuple[str, ...] = ()) -> None:
        self.kind, self.max_age, self.shared, self.keys = kind, max_age, shared, keys


def private_page(view: Callable) -> Callable:
    """A page for one person only (a private link, a preview, a moderator, a thank-you that shows a private
    link): no-store, noindex, no referrer, never kept."""
    view.page_policy = Policy(PRIVATE)
    return view


def never_kept(view: Callable) -> Callable:
    """A public page made afresh for every visitor (each copy carries its own one-time token)."""
    view.page_policy = Policy(NEVER_KEPT)
    return view


def public_page(max_age: int = 0, shared: int = 0, keys: Iterable[str] = ()) -> Callable:
    """A page anyone may see. Browsers keep it max_age seconds (0: they ask again each time, with its
    validator); shared caches `shared` seconds when it carries nothing of one visitor's. `keys` name what it
    shows, for a CDN that purges by key (memorial-<id>, memorials, stats, letters)."""
    policy = Policy(PUBLIC, max_age, shared, tuple(keys))

    def declare(view: Callable) -> Callable:
        view.page_policy = policy
        return view

    return declare


def policy_of(view: Callable | None) -> Policy | None:
    return getattr(view, "page_policy", None)


def cache_keys(*keys: str) -> None:
    """Name what this answer shows beyond its view's keys (a photo's memorial: memorial-<id>)."""
    g.setdefault("cache_keys", []).extend(keys)


def _policy() -> Policy | None:
    if request.url_rule is None:
        return None
    return policy_of(current_app.view_functions.get(request.url_rule.endpoint))


# --- the pipeline -------------------------------------------------------------------------------------------

def kept_page() -> Response | None:
    """Before the view: a kept copy of a public page, when there is one for this visitor."""
    policy = _policy()
    if request.endpoint in (None, "static") or policy is None or policy.kind != PUBLIC:
        return None
    return pagecache.lookup()


def finish(response: Response) -> Response:
    """After the view, the hooks and the session: everything else, in order (see the module's docstring)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["SITE_URL"].startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", f"max-age={ONE_YEAR}")
    policy = _policy()
    if (policy is not None and policy.kind == PRIVATE) or request.method not in ("GET", "HEAD"):
        return _sealed(response)   # an answer to a form post may hold what was typed: it is the sender's alone
    if request.endpoint == "static":
        _static_lifetime(response)
    elif policy is not None:
        _lifetime(response, policy)
        _purge_keys(response, policy)
    _vary(response)
    compress = _worth_compressing(response)
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        _validator(response, compress)
        response.make_conditional(request)
        if response.status_code == 304:
            return response
    if compress:
        _compress(response)
    if policy is not None and policy.kind == PUBLIC:
        pagecache.keep(response, PAGE_LEVEL)
    return response


def _sealed(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    _vary(response)
    if _worth_compressing(response):
        _compress(response)
    return response


def _carries_a_secret() -> bool:
    """This answer holds a form token made for this visitor (generate_csrf keeps it in g)."""
    return bool(g.get(current_app.config["WTF_CSRF_FIELD_NAME"]))


def _reflects_input() -> bool:
    return bool(request.query_string) or request.method not in ("GET", "HEAD")


def _lifetime(response: Response, policy: Policy) -> None:
    if response.status_code not in (200, 301, 404) or "Cache-Control" in response.headers:
        return  # errors are never kept; a view that set its own lifetime (a file) keeps it
    personal = (policy.kind == NEVER_KEPT or _carries_a_secret() or "Set-Cookie" in response.headers
                or not pagecache.quiet_visitor())
    if personal:
        # A form token, a cookie being set, a signed-in moderator's menu: this copy is this visitor's alone.
        response.headers["Cache-Control"] = f"private, max-age={policy.max_age}" if policy.max_age else "private, no-cache"
        return
    if policy.shared:
        response.headers["Cache-Control"] = (f"public, max-age={policy.max_age}, s-maxage={policy.shared}, "
                                             f"stale-while-revalidate={STALE_SECONDS}")
    else:
        response.headers["Cache-Control"] = f"public, max-age={policy.max_age}" if policy.max_age else "no-cache"


def _purge_keys(response: Response, policy: Policy) -> None:
    """What a copy a shared cache keeps shows, so a CDN can drop it by key when that changes (a memorial
    withdrawn: memorial-<id> and memorials; see the README's "A cache policy a CDN can use")."""
    # A page served from the page cache keeps the keys its view named when it was made (the view did not run now).
    keys = [*response.headers.get("Surrogate-Key", "").split(), *policy.keys, *g.get("cache_keys", [])]
    if keys and response.status_code == 200 and response.cache_control.public:
        response.headers["Surrogate-Key"] = " ".join(dict.fromkeys(keys))


def _vary(response: Response) -> None:
    if response.mimetype in COMPRESSIBLE:
        response.vary.add("Accept-Encoding")
    # An English address answers a first visit from a Spanish reader with the Spanish page (i18n.py): the
    # English page depends on the language asked for and the cookie that remembers it. Spanish pages and the
    # language-neutral files do not.
    if is_neutral(request.endpoint):
        # The same file for everyone (Flask names the session's cookie whenever anything looked at the session).
        kept = [name for name in response.vary if name.lower() != "cookie"]
        if kept:
            response.headers["Vary"] = ", ".join(kept)
        else:
            response.headers.pop("Vary", None)
    elif g.get("lang", LANGUAGES[0]) == LANGUAGES[0]:
        response.vary.update(("Accept-Language", "Cookie"))


# A form's CSRF token is signed with the second it was made, so the same page for the same visitor differs from
# one second to the next. Every token of a session stays valid (WTF_CSRF_TIME_LIMIT is None), so the validator
# leaves the token out: a cached copy with an older token still posts.
_CSRF_INPUT = re.compile(rb'<input[^>]*name="csrf_token"[^>]*>')


def _validator(response: Response, compressed: bool) -> None:
    """An ETag for the body as sent: the compressed body is another representation, with its own validator."""
    if "ETag" not in response.headers and not response.direct_passthrough and not response.is_streamed:
        body = response.get_data()
        if response.mimetype == "text/html":
            body = _CSRF_INPUT.sub(b"<csrf>", body)
        response.set_etag(hashlib.sha1(body).hexdigest())
    etag, weak = response.get_etag()
    if etag and compressed:
        response.set_etag(etag + "-gz", weak=bool(weak))


def _worth_compressing(response: Response) -> bool:
    """gzip for a client that takes it, for text that is not too small, never beside a secret it reflects."""
    if not (request.accept_encodings.quality("gzip") > 0 and response.mimetype in COMPRESSIBLE
            and "Content-Encoding" not in response.headers and response.status_code == 200
            and not (response.is_streamed and not response.direct_passthrough)):
        return False
    if response.mimetype == "text/html" and _carries_a_secret() and _reflects_input():
        return False  # BREACH: what the request sent beside a secret must not change the compressed length
    if response.direct_passthrough:
        length = response.content_length
        return length is None or MIN_GZIP_BYTES <= length <= MAX_FILE_BYTES
    return len(response.get_data()) >= MIN_GZIP_BYTES


def _compress(response: Response) -> None:
    """The body gzipped: a page at a fast level on each request, a file once at the best level, kept by its
    validator."""
    if response.direct_passthrough:
        response.direct_passthrough = False
        body = response.get_data()
        key = response.headers.get("ETag") or hashlib.sha256(body).hexdigest()
        compressed = _files().get(key)
        if compressed is None:
            compressed = gzip.compress(body, compresslevel=FILE_LEVEL, mtime=0)
            _files().put(key, compressed)
    else:
        compressed = pagecache.compressed_in_parts(response, PAGE_LEVEL)
        if compressed is None:
            compressed = gzip.compress(response.get_data(), compresslevel=PAGE_LEVEL, mtime=0)
    response.set_data(compressed)
    response.headers["Content-Encoding"] = "gzip"


def _files() -> LRU:
    return current_app.extensions["compressed_files"]


# --- static files -------------------------------------------------------------------------------------------

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


def _static_lifetime(response: Response) -> None:
    """url_for('static', ...) adds ?v=<content hash>: with the current hash a file never changes."""
    if response.status_code in (200, 304):
        versions: StaticVersions = current_app.extensions["static_versions"]
        current = versions.of(request.view_args.get("filename", "")) if request.view_args else None
        fresh = current is not None and request.args.get("v") == current
        response.headers["Cache-Control"] = IMMUTABLE if fresh else "no-cache"


def register_responses(app: Flask) -> None:
    """The stores the pipeline keeps per app, and the static files' addresses with their content hash."""
    app.extensions["static_versions"] = versions = StaticVersions(app.static_folder, watch=app.debug)
    app.extensions["compressed_files"] = LRU(FILE_CACHE_BYTES, sizeof=len)
    pagecache.init_page_cache(app)

    @app.url_defaults
    def static_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = versions.of(values["filename"])
            if digest:
                values["v"] = digest
