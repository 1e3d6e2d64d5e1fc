"""Memorial cards: drawn once per approved version, stored with it, and kept.

A card (templates/_macros.html `story_card`) shows only what an approved version says, and an approved
version never changes: a new approval is a new version. So:
- when a version is approved, its list card is drawn in each language and stored (search_card, written by
  search/index.py with the rest of the index; the seeder writes the same), with stand-ins for its link and
  photo, so a first visit to a list page reads its 24 cards with them instead of drawing them;
- each worker keeps the cards it has shown under (version id, heading, language, URL prefix), so a page seen
  again takes them from memory. A version that is no longer live is never asked for again and falls out
  (least recently used first).
A stored card is used only if the templates, catalogs and code that drew it are the ones running (`stamp`);
otherwise the page draws it, as it would without any. What cards show is read with the page's ids, in the same
statement (search/query.py, stories/queries.py `card_query`). A card's counts are drawn beside it, each pair of
numbers once per language.
"""
from __future__ import annotations

import hashlib
import sys
from importlib import metadata
from pathlib import Path

from flask import current_app, get_template_attribute, request, url_for
from markupsafe import Markup, escape
from sqlalchemy import bindparam, delete, insert, select

from ..i18n import current_language, in_language
from ..languages import LANGUAGES
from ..lru import LRU
from ..stories.models import Story
from .models import SearchCard

CACHE_SIZE = 20_000   # about 15 MB per worker
COUNTS_CACHE_SIZE = 2_000
PLACE = "zq-place-zq"
# A stored card's link and photo: a card escapes every word a family wrote, so "<" only ever comes from these.
HREF = "<card-href>"
SRC = "<card-src>"
# What draws a card besides its template: the filters and the model's rules for names, ages and places (states'
# names among them), and the libraries that write its months and escape its words.
DRAWN_BY = ("memorials.stories.views", "memorials.stories.models", "memorials.states", "memorials.i18n",
            "memorials.search.cards")
LIBRARIES = ("babel", "jinja2", "markupsafe")


def cache() -> LRU:
    """This app's card cache (one per app, so tests never share cards)."""
    found = current_app.extensions.get("memorial_cards")
    if found is None:
        found = current_app.extensions["memorial_cards"] = LRU(CACHE_SIZE)
    return found


def render(stories: list, heading: str = "h3", macro: str = "story_card_body") -> list[Markup]:
    """The cards of these memorials (stories/queries.CardStory), in order.

    `macro` is the _macros.html macro that draws one: a list's card (its inside: the list adds the counts that
    change with every candle), or a face on the wall. A list's card stored for this language (CardStory.html,
    read with it when its stamp is this one's) only has its addresses put in."""
    kept = cache()
    context = (heading, macro, current_language(), request.script_root)
    stored_kind = (macro, heading) == ("story_card_body", "h3")
    drawn = []
    draw = show = photo = None
    for story in stories:
        key = (story.live_version_id, *context)
        card = kept.get(key)
        if card is None:
            if show is None:
                # The addresses of every card, made once: slugs and photo names need no escaping in a path.
                show = url_for("stories.show", slug=PLACE)
                photo = url_for("stories.photo", filename=PLACE)
            v = story.live_version
            href = show.replace(PLACE, story.slug)
            src = photo.replace(PLACE, v.photo.thumb_filename) if v.photo is not None else None
            if stored_kind and story.html is not None:
                card = Markup(story.html.replace(HREF, str(escape(href))).replace(SRC, str(escape(src or ""))))
            else:
                draw = draw or get_template_attribute("_macros.html", macro)
                card = Markup(draw(story, heading=heading, href=href, src=src))
            kept.put(key, card)
        drawn.append(card)
    return drawn


def stamp() -> str:
    """Which templates, catalogs and code draw cards here: a stored card drawn by others (before an upgrade) is
    drawn again on the page. Worked out once per app."""
    found = current_app.extensions.get("card_stamp")
    if found is None:
        digest = hashlib.sha256()
        digest.update(current_app.jinja_env.loader.get_source(current_app.jinja_env, "_macros.html")[0].encode())
        for name in DRAWN_BY:
            digest.update(Path(sys.modules[name].__file__).read_bytes())
        for library in LIBRARIES:
            digest.update(f"{library} {metadata.version(library)}".encode())
        for folder in current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";"):
            for catalog in sorted(Path(folder).glob("*/LC_MESSAGES/messages.mo")):
                digest.update(catalog.read_bytes())
        found = current_app.extensions["card_stamp"] = digest.hexdigest()[:16]
    return found


def stored_card_subquery():
    """The card stored for the outer query's Story row in the page's language (bound as `card_language`), if its
    live version and this stamp (`card_stamp`) drew it; else NULL, and the page draws it."""
    return (select(SearchCard.html)
            .where(SearchCard.story_id == Story.id, SearchCard.language == bindparam("card_language"),
                   SearchCard.version_id == Story.live_version_id, SearchCard.stamp == bindparam("card_stamp"))
            .correlate(Story).scalar_subquery())


def stored_card_values() -> dict:
    return {"card_language": current_language(), "card_stamp": stamp()}


def drawn_to_store(stories: list) -> list[dict]:
    """Each of these public memorials' list card (a Story or a CardStory with its live version) in each language,
    with stand-ins for its link and photo: search_card's rows."""
    draw = get_template_attribute("_macros.html", "story_card_body")
    rows, drawn_by = [], stamp()
    for language in LANGUAGES:
        with in_language(language):
            for story in stories:
                src = Markup(SRC) if story.live_version.photo is not None else None
                html = str(draw(story, heading="h3", href=Markup(HREF), src=src))
                rows.append({"story_id": story.id, "language": language, "version_id": story.live_version_id,
                             "stamp": drawn_by, "html": html})
    return rows


def store(connection, stories: list) -> None:
    """Store these public memorials' cards, in place of any their memorials had."""
    if stories:
        connection.execute(delete(SearchCard).where(SearchCard.story_id.in_([story.id for story in stories])))
        connection.execute(insert(SearchCard), drawn_to_store(stories))


def render_counts(counts: list[tuple[int, int] | None]) -> list[Markup]:
    """Each card's candles and messages (_macros.html `card_counts`), in order: they change with every visitor, so
    they are never kept inside a card, but most memorials share a few small numbers, so each pair is drawn once
    per worker in each language."""
    kept = current_app.extensions.get("memorial_card_counts")
    if kept is None:   # apart from the cards: pairs of numbers never push a card out
        kept = current_app.extensions["memorial_card_counts"] = LRU(COUNTS_CACHE_SIZE)
    language = current_language()
    drawn = []
    draw = None
    for pair in counts:
        key = ("counts", pair, language)
        html = kept.get(key)
        if html is None:
            draw = draw or get_template_attribute("_macros.html", "card_counts")
            html = Markup(draw(pair))
            kept.put(key, html)
        drawn.append(html)
    return drawn
