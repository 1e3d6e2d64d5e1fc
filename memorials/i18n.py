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
from urllib.parse import urlsplit

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Blueprint, Flask, abort, current_app, g, has_app_context, redirect, request, url_for
from flask_babel import force_locale, get_locale, get_translations, refresh
from jinja2 import pass_context
from markupsafe import Markup

from .extensions import babel
from .languages import COOKIE, FORMAT_LOCALES, LANGUAGE_NAMES, LANGUAGES, PREFIXES, is_neutral
from .responses import private_page

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def select_locale() -> str:
    """The page's language: set per request by the language middleware, else the default."""
    lang = g.get("lang") if g else None
    return lang if lang in LANGUAGES else LANGUAGES[0]


# Flask-Babel finds the locale and the catalog anew for every string and every number (the request's context
# three times, the catalog under the locale's name built each time): about ten microseconds, and a list page
# shows some 150 strings. Here the locale Flask-Babel chose for this request (or force_locale set, for mail in
# the family's language) is read once per call from the request's own namespace, and each locale's catalog,
# which never changes while the app runs, is found once.
_catalogs: dict[tuple, object] = {}


def _locale():
    """The locale of this request as Flask-Babel chose it (None outside one)."""
    ctx = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(ctx, "babel_locale", None)
    return locale if locale is not None else get_locale()


def current_language() -> str:
    locale = _locale()
    return locale.language if locale is not None else LANGUAGES[0]


def translations():
    """The catalog of the page's language (Flask-Babel's own outside a request)."""
    locale = _locale()
    if locale is None:
        return get_translations()
    key = (locale.language, locale.territory)
    found = _catalogs.get(key)
    if found is None:
        found = _catalogs[key] = get_translations()
    return found


def format_locale() -> str:
    return FORMAT_LOCALES.get(current_language(), "en_US")


def number(value, digits: int | None = None) -> str:
    """1330 -> '1,330'; None -> '' (templates decide what a missing figure says)."""
    if value is None:
        return ""
    locale = format_locale()
    if digits is None and type(value) is int and _whole_numbers_as_python(locale):
        return f"{value:,}"   # a page number, a count: as Babel writes it, without Babel (pages of a list: new ones)
    return _number(value, digits, locale)


@lru_cache(maxsize=None)
def _whole_numbers_as_python(locale: str) -> bool:
    """Whether this locale writes whole numbers as Python's "{:,}" does (digits in threes, a comma between,
    a hyphen before): English and Spanish of the United States do; Spain's Spanish does not (1.234, and 1234)."""
    probes = (0, 7, -7, 999, 1000, -1000, 12345, -123456, 1234567, -98765432, 10**12)
    return all(babel_numbers.format_decimal(n, locale=locale) == f"{n:,}" for n in probes)


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
    return _long_date(value.year, value.month, value.day, format_locale()) if value else ""


# A memorial's page says its dates four times (born, died, in its header and its share tags): each made once.
@lru_cache(maxsize=8192)
def _long_date(year: int, month: int, day: int, locale: str) -> str:
    return babel_dates.format_date(date(year, month, day), format="long", locale=locale)


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


def root_path() -> str:
    """SCRIPT_NAME without the language prefix (usually empty)."""
    script = request.script_root
    prefix = PREFIXES.get(g.get("lang", ""), "")
    return script[: -len(prefix)] if prefix and script.endswith(prefix) else script


def page_url(lang: str, *, external: bool = True) -> str:
    """This page in another language: the same path and query under that language's prefix."""
    path = root_path() + PREFIXES.get(lang, "") + request.path
    if request.query_string:
        path += "?" + request.query_string.decode("latin-1")
    return current_app.config["SITE_URL"] + path if external else path


def switch_url() -> str:
    """The header's language switch: this page (its path and query as asked) in the other language."""
    return url_for("i18n.switch", lang=LANGUAGES[1] if current_language() == LANGUAGES[0] else LANGUAGES[0],
                   next=request.full_path.rstrip("?"))


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
@private_page
def switch(lang: str):
    """The language switch on every page: remember the choice, then show the same page in that language."""
    if lang not in LANGUAGES:
        abort(404)
    response = redirect(root_path() + PREFIXES.get(lang, "") + _path_on_this_site(request.args.get("next", "/")))
    response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


def _path_on_this_site(target: str) -> str:
    """The path to show in the other language: a path on this site without its language prefix, else "/".

    Checked after the prefix is taken off, so "/es//evil.example" cannot become "//evil.example", which a
    browser reads as another site; a backslash counts as a slash, as browsers read it. A control character (a
    browser drops a tab or line break from an address: "/\\n/evil.example" is "//evil.example") sends to "/".
    """
    target = (target or "/").replace("\\", "/")
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    for prefix in PREFIXES.values():  # a path from a page in another language
        if target == prefix or target.startswith(prefix + "/"):
            target = target[len(prefix):] or "/"
            break
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


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
    site = current_app.config["SITE_URL"].rstrip("/")
    head, path = (site, url[len(site):]) if url.startswith(site + "/") else ("", url)
    for prefix in PREFIXES.values():
        if path == prefix or path.startswith(prefix + "/"):
            path = path[len(prefix):] or "/"
            break
    return head + PREFIXES.get(language_or_default(lang), "") + path


class CatalogMissing(RuntimeError):
    """A language's compiled catalog is missing or older than its source: its pages would be in English."""


def check_catalogs(folder: str) -> None:
    """Refuse to start with a catalog that is not compiled (a deployment that skipped `make`): its pages
    would quietly come out in English."""
    for lang in LANGUAGES[1:]:
        source = Path(folder) / lang / "LC_MESSAGES" / "messages.po"
        compiled = source.with_suffix(".mo")
        if not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime:
            raise CatalogMissing(
                f"The compiled catalog for '{lang}' ({compiled}) is missing or older than {source.name}, so the "
                f"/{lang}/ pages would be in English. Compile it: `make translations`, or "
                f"`pybabel compile -d {folder}` (the site's set-up, `make run`, does it).")


# The template's gettext functions. Jinja's own newstyle ones (jinja2/ext.py) call through the context twice, find
# the catalog and wrap the words in Markup for each of the 20 to 40 strings of a page. These do what they do,
# exactly (the words are a format string even without values; "num" and "context" are given to it), and _() and
# pgettext() look each message's words up once per catalog and escaping. Past WORDS_KEPT (a message made of data,
# not a template's own) the words are looked up each time; ngettext's depend on the number, so they always are.
WORDS_KEPT = 20_000
_words: dict[tuple, str] = {}


def _words_of(context, key: tuple, look_up) -> str:
    catalog = translations()
    found = _words.get((catalog, context.eval_ctx.autoescape, key))
    if found is None:
        found = look_up(catalog)
        if context.eval_ctx.autoescape:
            found = Markup(found)
        if len(_words) < WORDS_KEPT:
            _words[(catalog, context.eval_ctx.autoescape, key)] = found
    return found


@pass_context
def _template_gettext(__context, __string: str, **variables) -> str:
    return _words_of(__context, (__string,), lambda catalog: catalog.ugettext(__string)) % variables


@pass_context
def _template_ngettext(__context, __singular: str, __plural: str, __num: int, **variables) -> str:
    variables.setdefault("num", __num)
    words = translations().ungettext(__singular, __plural, __num)    # not kept: one entry per number
    return (Markup(words) if __context.eval_ctx.autoescape else words) % variables


@pass_context
def _template_pgettext(__context, __string_ctx: str, __string: str, **variables) -> str:
    variables.setdefault("context", __string_ctx)
    words = _words_of(__context, ("", __string_ctx, __string),
                      lambda catalog: catalog.upgettext(__string_ctx, __string))
    return words % variables


@pass_context
def _template_npgettext(__context, __string_ctx: str, __singular: str, __plural: str, __num: int,
                        **variables) -> str:
    variables.setdefault("context", __string_ctx)
    variables.setdefault("num", __num)
    words = translations().unpgettext(__string_ctx, __singular, __plural, __num)
    return (Markup(words) if __context.eval_ctx.autoescape else words) % variables


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    check_catalogs(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    babel.init_app(app, locale_selector=select_locale)
    # The i18n extension (added by Flask-Babel) compiles {% trans %} to calls of these, newstyle: already the
    # functions Jinja's install_gettext_callables would wrap them in.
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(gettext=_template_gettext, ngettext=_template_ngettext,
                                 pgettext=_template_pgettext, npgettext=_template_npgettext)
    app.jinja_env.filters.update(number=number, percent=percent, month_year=month_year, long_date=long_date,
                                 short_month_year=short_month_year)
    app.jinja_env.globals.update(current_language=current_language, language_url=page_url,
                                 language_switch_url=switch_url,
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
                return redirect(page_url(wanted, external=False), 302)   # Vary: responses.py, as every page
        return None

    @app.after_request
    def content_language(response):
        if not is_neutral(request.endpoint):
            response.headers.setdefault("Content-Language", g.get("lang", LANGUAGES[0]))
        return response
