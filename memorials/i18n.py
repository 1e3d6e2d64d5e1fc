"""Words, numbers and dates in the reader's language (Flask-Babel).

Every string a person reads goes through gettext: `_()` in Python, `lazy_gettext` for form
labels, `{% trans %}` or `_()` in templates. Numbers and dates are formatted here, by Babel,
never by f-strings or strftime, so that they follow the page's language:

    {{ n|number }}          1,330
    {{ d|month_year }}      January 2026 / enero de 2026
    {{ d|long_date }}       January 5, 2026 / 5 de enero de 2026
    {{ x|percent(1) }}      12.5%
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, g
from flask_babel import get_locale

from .extensions import babel

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("en",)          # the first is the default; translations live in memorials/translations/
# How numbers and dates are written for each language (Babel locale). See the README on Spanish.
FORMAT_LOCALES = {"en": "en_US"}


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
    if digits is None:
        return babel_numbers.format_decimal(value, locale=format_locale())
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return babel_numbers.format_decimal(value, format=pattern, locale=format_locale())


def percent(value: float | None, digits: int = 1) -> str:
    """12.5 (already a percentage) -> '12.5%'."""
    if value is None:
        return ""
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return babel_numbers.format_percent(value / 100, format=pattern, locale=format_locale())


def month_year(value: date | datetime | None) -> str:
    """'January 2026' / 'enero de 2026'."""
    return babel_dates.format_skeleton("yMMMM", value, locale=format_locale()) if value else ""


def long_date(value: date | datetime | None) -> str:
    """'January 5, 2026' / '5 de enero de 2026'."""
    return babel_dates.format_date(value, format="long", locale=format_locale()) if value else ""


def short_month_year(value: date | datetime | None) -> str:
    """'Jan 2026' / 'ene 2026'."""
    return babel_dates.format_skeleton("yMMM", value, locale=format_locale()) if value else ""


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(number=number, percent=percent, month_year=month_year, long_date=long_date,
                                 short_month_year=short_month_year)
    app.jinja_env.globals.update(current_language=current_language)
