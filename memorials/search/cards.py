"""Memorial cards rendered once per approved version, and kept.

A card (templates/_macros.html `story_card`) shows only what an approved version says, and an approved
version never changes: a new approval is a new version. So each worker keeps the card's HTML under
(version id, heading, language, URL prefix) and a list page draws only the cards it has not drawn yet. What
they show is read with the page's ids, in the same statement (search/query.py, stories/queries.py
`card_query`). A version that is no longer live is simply never asked for again and falls out of the cache
(least recently used first). A card's counts are drawn beside it, each pair of numbers once per language.
"""
from __future__ import annotations

from flask import current_app, get_template_attribute, request, url_for
from markupsafe import Markup

from ..i18n import current_language
from ..lru import LRU

CACHE_SIZE = 20_000   # about 15 MB per worker
COUNTS_CACHE_SIZE = 2_000
PLACE = "zq-place-zq"


def cache() -> LRU:
    """This app's card cache (one per app, so tests never share cards)."""
    found = current_app.extensions.get("memorial_cards")
    if found is None:
        found = current_app.extensions["memorial_cards"] = LRU(CACHE_SIZE)
    return found


def render(stories: list, heading: str = "h3", macro: str = "story_card_body") -> list[Markup]:
    """The cards of these memorials (stories/queries.CardStory), in order.

    `macro` is the _macros.html macro that draws one: a list's card (its inside: the list adds the counts that
    change with every candle), or a face on the wall."""
    kept = cache()
    context = (heading, macro, current_language(), request.script_root)
    drawn = []
    draw = show = photo = None
    for story in stories:
        key = (story.live_version_id, *context)
        card = kept.get(key)
        if card is None:
            if draw is None:
                draw = get_template_attribute("_macros.html", macro)
                # The addresses of every card, made once: slugs and photo names need no escaping in a path.
                show = url_for("stories.show", slug=PLACE)
                photo = url_for("stories.photo", filename=PLACE)
            v = story.live_version
            src = photo.replace(PLACE, v.photo.thumb_filename) if v.photo is not None else None
            card = Markup(draw(story, heading=heading, href=show.replace(PLACE, story.slug), src=src))
            kept.put(key, card)
        drawn.append(card)
    return drawn


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
