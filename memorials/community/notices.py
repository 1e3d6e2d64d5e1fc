"""The mail the guestbook and reports send, queued in the caller's transaction.

Each mail is written in its reader's language, whatever the language of the page that sent it: the
family's in Story.family_language (the pages they used), moderators' in the site's default language,
and a visitor's answer in the language of the memorial they wrote on (the one clue kept: no language
is stored about a visitor). Links follow the same language.
"""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import mail
from ..i18n import in_language, language_or_default, localized_url
from ..languages import LANGUAGES
from ..moderation.directory import moderator_emails
from ..stories.models import Story
from ..stories.notices import absolute
from ..stories.stewards import family_addresses
from .forms import reason_label
from .models import Condolence, Report

MODERATORS_LANGUAGE = LANGUAGES[0]


def _body(template: str, **context) -> str:
    return render_template(f"community/mail/{template}.txt", site_name=current_app.config["SITE_NAME"], **context)


def _send(to, template: str, subject: str, **context):
    return mail.queue(to, subject, _body(template, **context), kind=template)


def link(endpoint: str, lang: str | None, **values) -> str:
    """An absolute link to a page, in lang's form (/es/... or plain)."""
    return localized_url(absolute(endpoint, **values), lang)


def visitor_language(story: Story) -> str:
    """The language to answer a visitor in: that of the words on the memorial they wrote about."""
    version = story.live_version or story.latest_version
    return language_or_default(version.language if version else None)


def condolence_published(story: Story, condolence: Condolence):
    """Tell the family a message for them is on the memorial (they can switch this off)."""
    version, lang = story.live_version, story.family_language
    with in_language(lang):
        return _send(story.email, "condolence_published",
                     _("A message for you on %(name)s's memorial", name=version.name),
                     version=version, condolence=condolence,
                     memorial_url=link("stories.show", lang, slug=story.slug, _anchor="condolences"),
                     lost_url=link("stories.lost_link", lang))


def condolence_is_up(story: Story, condolence: Condolence):
    """Tell the writer, once, that their message is on the memorial."""
    version, lang = story.live_version, visitor_language(story)
    with in_language(lang):
        return _send(condolence.email, "condolence_is_up",
                     _("Your message is on %(name)s's memorial", name=version.display_name),
                     version=version, condolence=condolence,
                     memorial_url=link("stories.show", lang, slug=story.slug, _anchor="condolences"))


def queue_waiting(template: str, subject, queue_endpoint: str):
    """One note to moderators when a queue stops being empty (not one per item), in their language, with the link
    to the queue: the guestbook's, the memories' and the gallery's. `template` is "<package>/mail/<kind>.txt";
    `subject` a lazy string, said in the moderators' language."""
    with in_language(MODERATORS_LANGUAGE):
        body = render_template(template, site_name=current_app.config["SITE_NAME"],
                               review_url=link(queue_endpoint, MODERATORS_LANGUAGE))
        kind = template.rsplit("/", 1)[-1].removesuffix(".txt")
        return mail.queue(moderator_emails(), str(subject), body, kind=kind)


def condolences_waiting():
    return queue_waiting("community/mail/condolences_waiting.txt", _l("Messages for families are waiting for review"),
                         "community_moderation.condolences_queue")


def report_received(report: Report):
    """Every report reaches the moderators at once: someone may be hurt by what a memorial says."""
    version = report.story.live_version
    with in_language(MODERATORS_LANGUAGE):
        body = _body("report_received", version=version, reason=reason_label(report.reason),
                     review_url=link("community_moderation.report", MODERATORS_LANGUAGE, report_id=report.id))
        return mail.queue(moderator_emails(), _("A concern about %(name)s's memorial", name=version.display_name),
                                        body, kind="report_received")


def report_answer(report: Report, unpublished: bool, answer: str | None):
    """The answer to the person who reported, when they left an email."""
    with in_language(visitor_language(report.story)):
        return _send(report.email, "report_answer", _("About the concern you reported"),
                     version=report.story.live_version, unpublished=unpublished, answer=answer)


def remembrance_note(story: Story, occasion: str, years: int, candles: int, messages: int, stop_url: str):
    """The yearly note to a family who asked for it, in their language (sent from the CLI, outside a page)."""
    version, lang = story.live_version, story.family_language
    with in_language(lang):
        subject = (_("Remembering %(name)s today", name=version.name) if occasion == "anniversary"
                   else _("Remembering %(name)s on their birthday", name=version.name))
        return _send(story.email, "remembrance", subject, version=version, occasion=occasion, years=years,
                     candles=candles, messages=messages, stop_url=localized_url(stop_url, lang),
                     memorial_url=link("stories.show", lang, slug=story.slug),
                     both=version.born is not None)


def family_waiting(story: Story, kind: str):
    """Tell the family (every steward) that something a moderator approved waits for their own yes."""
    version = story.live_version
    for email, lang in family_addresses(story):
        with in_language(lang):
            subject = (_("A memory of %(name)s is waiting for you", name=version.name) if kind == "memory"
                       else _("A message on %(name)s's memorial is waiting for you", name=version.name))
            _send(email, "family_waiting", subject, version=version, kind=kind,
                  lost_url=link("stories.lost_link", lang))


def change_asked(story: Story, version, email: str, lang: str, token: str, request: str, unpublished: bool):
    """A moderator asks the family to change something, with the reader's own private link to do it."""
    with in_language(lang):
        return _send(email, "change_asked", _("A request about %(name)s's memorial", name=version.name),
                     version=version, request=request, unpublished=unpublished,
                     manage_url=link("stories.manage", lang, token=token))
