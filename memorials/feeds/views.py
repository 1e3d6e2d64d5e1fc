"""Share cards, the printable card, the Atom feed, the sitemap and robots.txt."""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import chain
from xml.sax.saxutils import escape as xml_escape

from flask import Blueprint, Response, abort, current_app, render_template, request, stream_with_context, url_for

from .. import storage
from ..extensions import limiter
from ..i18n import current_language, format_locale, in_language, localized_url
from ..languages import LANGUAGES, PREFIXES
from ..responses import cache_keys, public_page
from ..slugs import is_slug
from ..stats.indicators import NATIONAL, PAGE_CODES
from ..stories.queries import published_by_slug
from . import queries, services

bp = Blueprint("feeds", __name__)

MAX_FILES = 50_000              # files in a sitemap index, as the protocol allows
CARD_MAX_AGE = 300              # a card taken down must not linger long in caches
# Characters XML 1.0 forbids (a pasted control character must not make the whole feed unreadable).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Files whose words are in the reader's language. The feeds blueprint is language-neutral (one address
# per file, never redirected by language), so a link from a page in another language than English asks
# for it with ?lang=es (added by add_language below) and the file is drawn or written in it.
LOCALIZED = {"feeds.story_card", "feeds.printable_card", "feeds.site_card", "feeds.campaign_card", "feeds.feed"}


@bp.url_defaults
def add_language(endpoint: str, values: dict) -> None:
    """A link to a card or the feed from a Spanish page asks for the Spanish one."""
    if endpoint in LOCALIZED and "lang" not in values:
        lang = current_language()
        if lang != LANGUAGES[0]:
            values["lang"] = lang


def asked_language() -> str:
    """The language a file was asked for: ?lang=es, else the address's own (/es/...), else English."""
    lang = request.args.get("lang")
    return lang if lang in LANGUAGES else current_language()


@bp.app_template_filter("xml_text")
def xml_text(value) -> str:
    return NOT_XML.sub("", str(value or ""))


@bp.app_template_filter("rfc3339")
def rfc3339(value: datetime | None) -> str:
    """A stored (naive UTC) time as RFC 3339: 2026-01-05T14:03:00Z. For machines, not people."""
    return value.isoformat(timespec="seconds") + "Z" if value else ""


@bp.app_template_global()
def og_locale() -> str:
    """The page's language as Open Graph writes it (en_US)."""
    return format_locale()


@bp.app_template_global()
def card_dates(version) -> str:
    """'March 14, 1998 – July 2, 2023', as on the share card."""
    return services.life_dates(version)


@bp.app_template_global()
def share_summary(version) -> str:
    """The story's opening words for link previews, unless a content note holds the story back."""
    return services.share_summary(version)


@bp.app_template_global()
def site_card_url() -> str:
    """The absolute address of the site's own share card, for pages without a memorial."""
    card = services.site_card()
    return current_app.config["SITE_URL"] + url_for("feeds.site_card", v=card.version)


@bp.app_template_global()
def campaign_card_url(campaign) -> str:
    card = services.campaign_card(campaign)
    return current_app.config["SITE_URL"] + url_for("feeds.campaign_card", slug=campaign.slug, v=card.version)


def _public_story(slug: str):
    story = published_by_slug(slug)
    if story is None:
        abort(404)
    cache_keys(f"memorial-{story.id}")   # a CDN drops its copy when the memorial changes or goes
    return story


def _card_response(name_of: Callable[[], str]):
    """The card, drawn first if it is not in the store yet; 503 while the store is down."""
    try:
        name = name_of()
    except storage.StoreUnavailable:
        current_app.logger.warning("share card not served: the store is down", exc_info=True)
        abort(503)
    return services.card_store().send(name, max_age=CARD_MAX_AGE)


@bp.get("/stories/<slug>/share.jpg")
@public_page()   # the card file's own lifetime (CARD_MAX_AGE)
def story_card(slug):
    """A memorial's share card, only while the memorial is public."""
    story = _public_story(slug)
    with in_language(asked_language()):
        return _card_response(lambda: services.story_card_file(story))


@bp.get("/letters/<slug>/share.jpg")
@public_page(keys=("letters",))   # the card file's own lifetime (CARD_MAX_AGE)
def campaign_card(slug):
    """A live campaign's share card, drawn at first request and kept until its words change."""
    campaign = queries.live_campaign(slug) if is_slug(slug) else None
    if campaign is None:
        abort(404)
    with in_language(asked_language()):
        return _card_response(services.campaign_card(campaign).file)


@bp.get("/share.jpg")
@public_page()   # the card file's own lifetime (CARD_MAX_AGE)
def site_card():
    """The site's own share card, for the front page, the lists and the statistics."""
    with in_language(asked_language()):
        return _card_response(services.site_card().file)


@bp.get("/stories/<slug>/card.pdf")
@limiter.limit("30 per minute")  # drawn per request (a fifth of a second): enough to print, not to crawl
@public_page(shared=300)
def printable_card(slug):
    """A one-page remembrance card to print for a vigil or a funeral, with a QR code to the memorial."""
    story = _public_story(slug)
    with in_language(asked_language()):
        try:
            response = Response(services.remembrance_card(story), mimetype="application/pdf")
        except storage.StoreUnavailable:
            abort(503)
    response.headers["Content-Disposition"] = f'inline; filename="remembering-{story.slug}.pdf"'
    return response


def _entry_id(kind: str, key) -> str:
    """A permanent id (RFC 4287 wants one that never changes, even when a memorial's address does)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{current_app.config['SITE_URL']}/{kind}/{key}").urn


@bp.get("/stories/feed.atom")
@public_page(shared=300, keys=("memorials",))
def feed():
    """The newest 50 published memorials as an Atom feed, its words and links in the language asked for."""
    lang = asked_language()
    site = current_app.config["SITE_URL"]
    # Each language's feed is a feed of its own (its own id, entries linking to that language's pages).
    kind = "" if lang == LANGUAGES[0] else f"{lang}/"
    with in_language(lang):
        stories = queries.newest_memorials(50)
        entries = [{
            "id": _entry_id(f"{kind}memorial", s.id),
            "title": s.live_version.display_name,
            "summary": services.share_summary(s.live_version),
            "url": localized_url(site + url_for("stories.show", slug=s.slug), lang),
            "published": s.published_at,
            "updated": s.live_version.decided_at or s.published_at,
        } for s in stories]
        updated = max((e["updated"] for e in entries), default=None)
        others = [(other, site + url_for("feeds.feed", lang=other if other != LANGUAGES[0] else None))
                  for other in LANGUAGES if other != lang]
        body = render_template(
            "feeds/feed.xml", entries=entries, feed_id=_entry_id("feed", f"{kind}memorials"),
            updated=updated or datetime(2000, 1, 1), language=lang, others=others,
            self_url=site + url_for("feeds.feed"),
            list_url=localized_url(site + url_for("stories.index"), lang),
        )
    return Response(body, mimetype="application/atom+xml")


def _pages(campaigns: list[tuple[str, datetime]]) -> list[tuple[str, datetime | None]]:
    """The site's own pages in the sitemap: front page, lists, statistics, live campaigns."""
    site = current_app.config["SITE_URL"]
    memorials_changed = queries.last_publication()
    stats_changed = queries.statistics_updated()
    pages = [
        (site + url_for("home.index"), memorials_changed),
        (site + url_for("stories.index"), memorials_changed),
        (site + url_for("stats.index"), stats_changed),
        *[(site + url_for("stats.state", code=code), stats_changed) for code in PAGE_CODES if code != NATIONAL],
        (site + url_for("letters.index"), max((c for _, c in campaigns), default=None)),
        *[(site + url_for("letters.campaign", slug=slug), changed) for slug, changed in campaigns],
    ]
    return pages


def _memorial_urls(number: int | None = None):
    """(address, last changed) of published memorials (of one sitemap file); one query, streamed,
    one url_for in all."""
    site = current_app.config["SITE_URL"]
    prefix, suffix = url_for("stories.show", slug="SLUG").split("SLUG")
    for slug, changed in queries.memorial_addresses(*(_span(number) if number else (None, None))):
        yield f"{site}{prefix}{slug}{suffix}", changed


URLSET_OPEN = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
               'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')


def _urlset(*parts: Iterable[tuple[str, datetime | None]]) -> Iterator[str]:
    """A sitemap's XML, made line by line in pieces of 1,000 pages (50,000 through a template took over a
    second; this takes a fraction of it). Each page is listed in every language, each listing naming all
    the page's versions (hreflang), as search engines ask."""
    yield URLSET_OPEN
    site = current_app.config["SITE_URL"]
    heads = [(lang, site + PREFIXES.get(lang, "")) for lang in LANGUAGES]   # every address here is under SITE_URL
    lines: list[str] = []
    for url, changed in chain(*parts):
        lastmod = f"<lastmod>{rfc3339(changed)}</lastmod>" if changed else ""
        path = xml_escape(url[len(site):])
        versions = [(lang, head + path) for lang, head in heads]
        alternates = "".join(f'<xhtml:link rel="alternate" hreflang="{lang}" href="{href}"/>' for lang, href in versions)
        alternates += f'<xhtml:link rel="alternate" hreflang="x-default" href="{versions[0][1]}"/>'
        for _, href in versions:
            lines.append(f"<url><loc>{href}</loc>{lastmod}{alternates}</url>\n")
        if len(lines) >= 1000:
            yield "".join(lines)
            lines.clear()
    lines.append("</urlset>\n")
    yield "".join(lines)


def _xml(body) -> Response:
    return Response(stream_with_context(body), mimetype="application/xml")


def _limit() -> int:
    return current_app.config["SITEMAP_URLS_PER_FILE"]


def _per_file() -> int:
    """Memorials per sitemap file: each is listed once per language."""
    return max(1, _limit() // len(LANGUAGES))


def _span(number: int) -> tuple[int, int]:
    """The memorial numbers sitemap file `number` covers (see queries.memorial_files)."""
    return (number - 1) * _per_file() + 1, number * _per_file()


@bp.get("/sitemap.xml")
@public_page(shared=3600, keys=("memorials",))
def sitemap():
    """Every published memorial, the statistics pages and live campaigns; an index when over 50,000."""
    files = queries.memorial_files(_per_file())
    pages = _pages(queries.live_campaigns())
    if (sum(count for _, count in files) + len(pages)) * len(LANGUAGES) <= _limit():
        return _xml(_urlset(pages, _memorial_urls()))
    site = current_app.config["SITE_URL"]
    entries = [(site + url_for("feeds.sitemap_pages"), max((c for _, c in pages if c), default=None))]
    entries += [(site + url_for("feeds.sitemap_memorials", number=n), None) for n, _ in files]
    return Response(render_template("feeds/sitemap_index.xml", files=entries), mimetype="application/xml")


@bp.get("/sitemap-pages.xml")
@public_page(shared=3600, keys=("memorials",))
def sitemap_pages():
    """The site's own pages, when the sitemap is split."""
    return _xml(_urlset(_pages(queries.live_campaigns())))


@bp.get("/sitemap-memorials-<int:number>.xml")
@public_page(shared=3600, keys=("memorials",))
def sitemap_memorials(number: int):
    """One file of up to 50,000 memorials, when the sitemap is split."""
    # A file the index does not list (none of its memorials public) is not found. The rows are read
    # while the answer streams, in the request's own context: nothing read here may be kept for it.
    if not 1 <= number <= MAX_FILES or not queries.any_memorial_between(*_span(number)):
        abort(404)
    return _xml(_urlset(_memorial_urls(number)))


@bp.get("/robots.txt")
@public_page(shared=86400)
def robots():
    """Where the sitemap is, and the private pages that crawlers must leave alone."""
    private = [localized_url(path, lang) for path in (url_for("moderation.queue"),
                                                      url_for("stories.lost_link").rsplit("lost", 1)[0])
               for lang in LANGUAGES]   # in every language: /moderate/ and /es/moderate/
    printable = url_for("feeds.printable_card", slug="*")
    body = render_template("feeds/robots.txt", private=private, printable=printable,
                           sitemap_url=current_app.config["SITE_URL"] + url_for("feeds.sitemap"))
    return Response(body, mimetype="text/plain")
