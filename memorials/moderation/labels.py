"""The words the moderators' pages use for stored values (a story's language, status, name choice) and times."""
from __future__ import annotations

from babel import dates as babel_dates
from flask_babel import lazy_gettext as _l

from ..i18n import format_locale

# The language a family wrote in, named in the moderator's language (the badge on the queue and review).
WRITTEN_IN = {"en": _l("Written in English"), "es": _l("Written in Spanish")}
STATUS_LABELS = {"pending": _l("Waiting"), "changes_requested": _l("Changes asked for"),
                 "published": _l("Published"), "rejected": _l("Rejected"), "unpublished": _l("Unpublished")}
MAIL_LANGUAGES = {"en": _l("English"), "es": _l("Spanish")}
# The reason goes to the family as written, so the moderator is told which language to write it in.
REASON_HINTS = {"en": _l("The family used the site in English, so their mail is in English: please write your "
                         "reason in English."),
                "es": _l("The family used the site in Spanish, so their mail is in Spanish: please write your "
                         "reason in Spanish if you can.")}
NAME_DISPLAY_LABELS = {"full": _l("full name"), "first": _l("first name only"), "initials": _l("initials only")}


def utc_time(value) -> str:
    """A moment for moderators, in UTC, as their language writes it: "Jan 5, 2026, 14:03" / "5 ene 2026, 14:03"."""
    if not value:
        return ""
    locale = format_locale()
    day = babel_dates.format_skeleton("yMMMd", value, locale=locale)
    time = babel_dates.format_time(value, "HH:mm", tzinfo=babel_dates.UTC, locale=locale)
    return str(babel_dates.get_datetime_format("medium", locale=locale)).replace("{1}", day).replace("{0}", time)


def written_in(language: str | None) -> str:
    """The badge beside a family's words: "Written in Spanish" / "Escrita en español"."""
    return str(WRITTEN_IN.get(language or "en", language))


def status(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def name_display(value: str) -> str:
    return str(NAME_DISPLAY_LABELS.get(value, value))


def mail_language(value: str) -> str:
    return str(MAIL_LANGUAGES.get(value, value))


def reason_hint(family_language: str) -> str:
    """Which language to write a reason in: the family reads it as written."""
    return str(REASON_HINTS.get(family_language, REASON_HINTS["en"]))
