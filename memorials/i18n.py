"""Words, numbers and dates in the reader's language (Flask-Babel), and the Spanish pages' own addresses.

Every string a person reads goes through gettext: `_()` in Python, `lazy_gettext` for form
labels, `{% trans %}` or `_()` in templates. Numbers and dates are formatted here, by Babel,
never by f-strings or strftime, so that they follow the page's language:

    {{ n|number }}          1,330
    {{ d|month_year }}      January 2026 / enero de 2026
    {{ d|long_date }}       January 5, 2026 / 5 de enero de 2026
    {{ x|percent(1) }}      12.5%

Addresses: English pages live at /..., Spanish pages at /es/... . A small WSGI middleware moves the
/es prefix into SCRIPT_NAME, so every url_for on a Spanish page makes a Spanish link by itself, and
search engines reach both languages (each page links its other version with hreflang). The visitor's
choice is kept in a cookie: a first visit follows the browser's Accept-Language, the switch on every
page changes it. Language-neutral files (static assets, photos, downloads, feeds, the API) keep one
address.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, g, redirect, request, url_for
from flask_babel import force_locale, get_locale, refresh

from .extensions import babel

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("en", "es")     # the first is the default; translations live in memorials/translations/
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
PREFIXES = {"es": "/es"}     # the default language has no prefix
COOKIE = "lang"
# How numbers and dates are written for each language (Babel locale). Spanish as written in the United
# States (es_US): "1,330" and "12.5%", as US Spanish-language media and the Census Bureau's Spanish
# pages write them, not "1.330" (see the README).
FORMAT_LOCALES = {"en": "en_US", "es": "es_US"}
# Endpoints whose answer is the same in every language: one address, never redirected by language.
NEUTRAL_ENDPOINTS = {"static", "stories.photo", "stories.manage_photo", "moderation.photo", "stats.data_csv",
                     "stats.data_json", "stats.state_data_csv", "stats.state_data_json", "i18n.switch"}
NEUTRAL_BLUEPRINTS = {"letters_api", "feeds"}


def select_locale() -> str:
    """The page's language: set per request by the language middleware, else the default."""
    lang = g.get("lang") if g else None
    return lang if lang in LANGUAGES else LANGUAGES[0]


def current_language() -> str:
    return str(get_locale() or LANGUAGES[0]).split("_")[0]


def format_locale() -> str:
    return FORMAT_LOCALES.get(current_language(), "en_US")


def number(value, digits: int | None = None) -> str:
    """1330 -> '1,330'; None -> '' (templates decide what a missing figure says)."""
    if value is None:
        return ""
    return _number(value, digits, format_locale())


# Babel parses its pattern on every call (about 40 microseconds); a list page formats an age and a month for
# each of its 24 cards, and the statistics pages hundreds of figures, mostly the same few. Kept by value.
@lru_cache(maxsize=8192, typed=True)
def _number(value, digits: int | None, locale: str) -> str:
    if digits is None:
        return babel_numbers.format_decimal(value, locale=locale)
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return babel_numbers.format_decimal(value, format=pattern, locale=locale)


def percent(value: float | None, digits: int = 1) -> str:
    """12.5 (already a percentage) -> '12.5%'."""
    if value is None:
        return ""
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return babel_numbers.format_percent(value / 100, format=pattern, locale=format_locale())


def month_year(value: date | datetime | None) -> str:
    """'January 2026' / 'enero de 2026'."""
    return _month_year(value.year, value.month, format_locale()) if value else ""


@lru_cache(maxsize=4096)
def _month_year(year: int, month: int, locale: str) -> str:
    return babel_dates.format_skeleton("yMMMM", date(year, month, 1), locale=locale)


def long_date(value: date | datetime | None) -> str:
    """'January 5, 2026' / '5 de enero de 2026'."""
    return babel_dates.format_date(value, format="long", locale=format_locale()) if value else ""


def short_month_year(value: date | datetime | None) -> str:
    """'Jan 2026' / 'ene 2026'."""
    return babel_dates.format_skeleton("yMMM", value, locale=format_locale()) if value else ""


class LanguagePrefix:
    """WSGI middleware: /es/stories/ is served as /stories/ with SCRIPT_NAME ending in /es."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for lang, prefix in PREFIXES.items():
            if path == prefix or path.startswith(prefix + "/"):
                environ["PATH_INFO"] = path[len(prefix):] or "/"
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + prefix
                environ["memorials.lang"] = lang
                break
        return self.wsgi_app(environ, start_response)


def is_neutral(endpoint: str | None) -> bool:
    if not endpoint:
        return True
    return endpoint in NEUTRAL_ENDPOINTS or endpoint.split(".", 1)[0] in NEUTRAL_BLUEPRINTS


def root_path() -> str:
    """SCRIPT_NAME without the language prefix (usually empty)."""
    script = request.script_root
    prefix = PREFIXES.get(g.get("lang", ""), "")
    return script[: -len(prefix)] if prefix and script.endswith(prefix) else script


def page_url(lang: str, *, external: bool = True) -> str:
    """This page in another language: the same path and query under that language's prefix."""
    from flask import current_app

    path = root_path() + PREFIXES.get(lang, "") + request.path
    if request.query_string:
        path += "?" + request.query_string.decode("latin-1")
    return current_app.config["SITE_URL"] + path if external else path


def neutral_url(rv: str) -> str:
    """A link built on a Spanish page, without the /es prefix (for language-neutral endpoints)."""
    prefix = PREFIXES.get(g.get("lang", ""), "")
    if not prefix:
        return rv
    parts = urlsplit(rv)
    localized = root_path() + prefix
    if parts.path == localized or parts.path.startswith(localized + "/"):
        path = root_path() + (parts.path[len(localized):] or "/")
        return parts._replace(path=path).geturl()
    return rv


def _preferred_language() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=LANGUAGES[0]) or LANGUAGES[0]


bp = Blueprint("i18n", __name__)


@bp.get("/language/<lang>")
def switch(lang: str):
    """The language switch on every page: remember the choice, then show the same page in that language."""
    if lang not in LANGUAGES:
        abort(404)
    target = request.args.get("next", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    for prefix in PREFIXES.values():  # a path from a page in another language
        if target == prefix or target.startswith(prefix + "/"):
            target = target[len(prefix):] or "/"
    response = redirect(root_path() + PREFIXES.get(lang, "") + target)
    response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


def language_or_default(lang: str | None) -> str:
    return lang if lang in LANGUAGES else LANGUAGES[0]


@contextmanager
def in_language(lang: str | None):
    """Words, numbers and dates in lang for what is made apart from the page being read (mail to a family
    in the language they used, a letter in the language the visitor chose)."""
    with force_locale(language_or_default(lang)):
        yield


def localized_url(url: str, lang: str | None) -> str:
    """A page's address (absolute, under SITE_URL, or root-relative) in lang, whatever language it was built
    in: links in mail follow the family's language, not the language of the page that sent it."""
    from flask import current_app

    site = current_app.config["SITE_URL"].rstrip("/")
    head, path = (site, url[len(site):]) if url.startswith(site + "/") else ("", url)
    for prefix in PREFIXES.values():
        if path == prefix or path.startswith(prefix + "/"):
            path = path[len(prefix):] or "/"
            break
    return head + PREFIXES.get(language_or_default(lang), "") + path


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(number=number, percent=percent, month_year=month_year, long_date=long_date,
                                 short_month_year=short_month_year)
    app.jinja_env.globals.update(current_language=current_language, language_url=page_url,
                                 language_names=LANGUAGE_NAMES, languages=LANGUAGES)
    app.wsgi_app = LanguagePrefix(app.wsgi_app)
    app.register_blueprint(bp)

    @app.before_request
    def choose_language():
        g.lang = request.environ.get("memorials.lang", LANGUAGES[0])
        refresh()
        # A first visit (or a visitor who chose Spanish) to an English address is sent to their language,
        # but only for pages, only on GET, and never for crawlers' sake on the neutral files.
        if (g.lang == LANGUAGES[0] and request.method in ("GET", "HEAD") and not is_neutral(request.endpoint)
                and request.endpoint is not None):
            wanted = _preferred_language()
            if wanted != g.lang:
                response = redirect(page_url(wanted, external=False), 302)
                response.vary.update(("Accept-Language", "Cookie"))
                return response
        return None

    @app.after_request
    def language_headers(response):
        if not is_neutral(request.endpoint):
            response.vary.update(("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", g.get("lang", LANGUAGES[0]))
        return response
