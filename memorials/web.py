"""Request-wide behaviour: parameters cleaned once, bounded ids, the log, template globals, kind error pages."""
from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

from flask import Flask, Request, Response, abort, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .extensions import db
from .fragments import blank_form, fragment
from .languages import LANGUAGES
from .logs import configure_logging
from .paging import page_link, pages_shown
from .states import STATES

log = logging.getLogger(__name__)

# The largest id a column holds on both databases (PostgreSQL's integer); larger numbers find nothing.
LARGEST_ID = 2**31 - 1
# Control characters no one types: C0 (but tab, line feed, carriage return), DEL and C1. PostgreSQL refuses NUL
# in text, and none of them means anything in a name or a story. Also the invisible ones that change how text
# around them reads: bidirectional overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069, the marks
# U+200E, U+200F, U+061C) and zero-width spaces (U+200B, U+2060, U+FEFF), which can turn a name in a title, a
# feed or a link preview into something else. The joiners U+200C and U+200D stay: emoji and some scripts need them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f"
                                "\u202a-\u202e\u2060\u2066-\u2069\ufeff]")

# What other sites add to a link to follow whoever clicks it (Facebook's fbclid, Google's gclid, utm_…). Nothing
# here reads them; left in, a shared memorial would be a page of its own for every click: made afresh, sent
# uncompressed (it would echo the query beside a form token: BREACH), with the tracking id copied into its links.
TRACKING_PARAMETERS = re.compile(r"utm_[a-z_]+|fbclid|gclid|gbraid|wbraid|dclid|msclkid|twclid|ttclid|igshid|"
                                 r"mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|yclid", re.IGNORECASE)

ERROR_PAGES = {
    400: (_l("Something in that request didn't work"), "errors/400.html"),
    403: (_l("That page is private"), "errors/generic.html"),
    404: (_l("We couldn't find that page"), "errors/404.html"),
    405: (_l("That didn't work"), "errors/generic.html"),
    413: (_l("That file is too large"), "errors/413.html"),
    429: (_l("Please slow down a little"), "errors/429.html"),
    500: (_l("Something went wrong on our side"), "errors/500.html"),
}


def without_control_characters(value):
    """Text with NUL and other control characters taken out (newlines and tabs stay)."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class CleanParameters(ImmutableMultiDict):
    """Query and form parameters, cleaned once for every view: no control characters, and a number
    too large for any column reads as no number at all (as "abc" does), never as an overflow."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = [(key, item) for key, value in mapping.items()
                     for item in (value if isinstance(value, (list, tuple)) else [value])]
        else:
            pairs = mapping
        super().__init__([(without_control_characters(key), without_control_characters(value))
                          for key, value in pairs])

    def get(self, key, default=None, type=None):  # noqa: A002 (Werkzeug's own signature)
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and value is not default and abs(value) > LARGEST_ID:
            return default
        return value


class CleanRequest(Request):
    parameter_storage_class = CleanParameters


class WithoutTracking:
    """WSGI middleware: the query string without the tracking parameters above (what the site reads stays as
    sent), before anything reads the request."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if query:
            kept = [part for part in query.split("&")
                    if part and not TRACKING_PARAMETERS.fullmatch(unquote_plus(part.partition("=")[0]))]
            environ["QUERY_STRING"] = "&".join(kept)
        return self.wsgi_app(environ, start_response)


class BoundedIntConverter(IntegerConverter):
    """<int:id> that stops at the largest id: /moderate/stories/99999999999999999999999 is a 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_web(app: Flask) -> None:
    """Request-wide behaviour: the proxies in front, the log, odd paths, the site's names, kind error pages."""
    app.wsgi_app = WithoutTracking(app.wsgi_app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies > 0:
        # Behind nginx or a load balancer: the client's address and scheme come from the proxies'
        # headers, so rate limits count each visitor, not the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    configure_logging(app)

    @app.before_request
    def refuse_control_characters_in_paths():
        if CONTROL_CHARACTERS.search(request.path):
            abort(404)

    # A global, not a context variable: macros imported without the page's context (pagination) see it too.
    app.jinja_env.globals.update(page_link=page_link, pages_shown=pages_shown, blank_form=blank_form, fragment=fragment)

    @app.context_processor
    def site_globals():
        return {
            "site_name": app.config["SITE_NAME"],
            "site_url": app.config["SITE_URL"],
            "state_names": STATES,
        }

    def error_page(code: int, description: str | None = None):
        # A refusal before the page's language was chosen (CSRF, rate limits run first) still answers
        # in the language of the address.
        if "lang" not in g:
            g.lang = request.environ.get("memorials.lang", LANGUAGES[0])
            refresh()
        title, template = ERROR_PAGES.get(code, ERROR_PAGES[500])
        if request.path.startswith("/api/"):  # programs get JSON, people get a page
            return jsonify(error=str(title) + "."), code
        if request_ctx.url_adapter is None:
            # The request could not even be matched to this site (a Host header no server name can have): a
            # page would have no links to build. A plain answer, in plain words.
            return Response(str(title) + ".\n", status=code, mimetype="text/plain")
        return render_template(template, title=title, code=code, description=description), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(400, _l("This form had been open for a while, or was sent from another page. "
                                  "Please go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.response is not None:  # the view already made its own kind page
            return error.response
        return error_page(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 (the error page must still show)
            pass
        return error_page(500)
