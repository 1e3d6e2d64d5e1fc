"""Every word and time the moderators' pages show for stored values, in the reader's language: a story's language,
status and name choice, a report's status, what happened in the log and a memorial's history, and when."""
from __future__ import annotations

from babel import dates as babel_dates
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

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


# What each act is called on the moderators' pages (the log, a story's history), in their language.
# The table keeps the plain action names: they are data, not words for a reader. The words carry the
# context "moderation log" so they never share a translation with a status elsewhere ("rejected").
def _action_labels() -> dict[str, str]:
    return {
        "approve": pgettext("moderation log", "approved"),
        "reject": pgettext("moderation log", "rejected"),
        "request_changes": pgettext("moderation log", "asked for changes"),
        "unpublish": pgettext("moderation log", "unpublished"),
        "republish": pgettext("moderation log", "published again"),
        "withdrawn": pgettext("moderation log", "withdrawn by the family"),
        "hide": pgettext("moderation log", "hidden"),
        "show": pgettext("moderation log", "shown again"),
        "dismiss": pgettext("moderation log", "dismissed"),
        "ask_family": pgettext("moderation log", "asked the family for a change"),
        "family_approve": pgettext("moderation log", "approved by the family"),
        "remove": pgettext("moderation log", "removed by the family"),
        "steward_added": pgettext("moderation log", "gave someone access"),
        "steward_removed": pgettext("moderation log", "ended someone's access"),
        "sign_in": pgettext("moderation log", "signed in"),
        "sign_in_failed": pgettext("moderation log", "sign-in failed"),
        "password_changed": pgettext("moderation log", "changed their password"),
        "two_factor_enrolled": pgettext("moderation log", "set up two-factor sign-in"),
        "recovery_codes_renewed": pgettext("moderation log", "made new recovery codes"),
        "two_factor_reset": pgettext("moderation log", "two-factor sign-in reset"),
        "joined": pgettext("moderation log", "joined the team"),
        "password_reset": pgettext("moderation log", "chose a new password"),
        "invited": pgettext("moderation log", "invited someone"),
        "password_link_sent": pgettext("moderation log", "sent a new-password link"),
        "role_changed": pgettext("moderation log", "role changed"),
        "enabled": pgettext("moderation log", "account turned on"),
        "disabled": pgettext("moderation log", "account turned off"),
    }


def _kind_labels() -> dict[str, str]:
    return {"condolence": pgettext("moderation log", "condolence"), "report": pgettext("moderation log", "report"),
            "memory": pgettext("moderation log", "memory"), "photo": pgettext("moderation log", "gallery photo"),
            "steward": pgettext("moderation log", "access")}


def _system_reasons() -> dict[tuple[str, str], str]:
    """Reasons the site itself writes (not a moderator's words), shown in the reader's language."""
    return {
        ("sign_in", "recovery code"): pgettext("moderation log", "with a recovery code"),
        ("sign_in_failed", "password"): pgettext("moderation log", "wrong password"),
        ("sign_in_failed", "code"): pgettext("moderation log", "wrong code"),
        ("hide", "hidden by the family"): pgettext("moderation log", "hidden by the family"),
        ("show", "shown again by the family"): pgettext("moderation log", "shown again by the family"),
        ("family_approve", "approved by the family"): pgettext("moderation log", "approved by the family"),
        ("steward_removed", "the first steward"): pgettext("moderation log", "the person who shared the story"),
    }


def event_label(event) -> str:
    """What happened, for a moderator: "condolence: approved", "signed in"; unknown actions as they are."""
    label = _action_labels().get(event.action) or event.action.replace("_", " ")
    kind = _kind_labels().get(event.item_kind or "")
    return f"{kind}: {label}" if kind else label


def event_reason(event) -> str:
    """Why, as written: a moderator's own words stay as they are; the site's own notes are translated."""
    reason = event.reason or ""
    return _system_reasons().get((event.action, reason), reason)


STORY_STATUS = {"pending": _l("waiting for a first review"), "changes_requested": _l("waiting for the family's changes"),
                "published": _l("published"), "rejected": _l("rejected"), "unpublished": _l("unpublished")}
REPORT_STATUS = {"open": _l("waiting for a decision"), "dismissed": _l("dismissed: the memorial stayed up"),
                 "asked_family": _l("the family was asked for a change"),
                 "unpublished": _l("upheld: the memorial was taken down")}
# What a line of a memorial's history says, by (what it was about, what happened).
EVENT_WORDS = {
    (None, "approve"): _l("story approved"), (None, "reject"): _l("story rejected"),
    (None, "request_changes"): _l("changes requested"), (None, "unpublish"): _l("memorial unpublished"),
    (None, "republish"): _l("memorial published again"), (None, "withdrawn"): _l("withdrawn by the family"),
    ("condolence", "approve"): _l("message approved"), ("condolence", "reject"): _l("message rejected"),
    ("condolence", "hide"): _l("message hidden by the family"),
    ("condolence", "show"): _l("message shown again by the family"),
    ("condolence", "family_approve"): _l("message approved by the family"),
    ("memory", "approve"): _l("memory approved"), ("memory", "reject"): _l("memory rejected"),
    ("memory", "hide"): _l("memory hidden by the family"), ("memory", "show"): _l("memory shown again by the family"),
    ("memory", "family_approve"): _l("memory approved by the family"),
    ("photo", "approve"): _l("gallery photo approved"), ("photo", "reject"): _l("gallery photo rejected"),
    ("photo", "remove"): _l("gallery photo removed by the family"),
    ("steward", "steward_added"): _l("the family gave someone access"),
    ("steward", "steward_removed"): _l("the family ended someone's access"),
    ("report", "ask_family"): _l("report: the family was asked for a change"),
    ("report", "dismiss"): _l("report dismissed"), ("report", "unpublish"): _l("report upheld, memorial unpublished"),
}


def story_status(value: str) -> str:
    return str(STORY_STATUS.get(value, value.replace("_", " ")))


def report_status(value: str) -> str:
    return str(REPORT_STATUS.get(value, value))


def event_words(event) -> str:
    """One line of a memorial's history in words: what happened (its own words for the kind of item, else the
    log's), who did it, and the reason given."""
    words = EVENT_WORDS.get((event.item_kind, event.action))
    parts = [str(words) if words else event_label(event)]
    if event.moderator:
        parts.append(event.moderator.email)
    if event.reason and event.action not in {"hide", "show", "family_approve", "steward_removed"}:
        # the family's own actions say it all
        parts.append(event.reason)
    return " · ".join(parts)
