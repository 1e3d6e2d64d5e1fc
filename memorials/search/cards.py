"""Memorial cards rendered once per approved version, and kept.

A card (templates/_macros.html `story_card`) shows only what an approved version says, and an approved
version never changes: a new approval is a new version. So each worker keeps the card's HTML under
(version id, heading, language, URL prefix) and a list page renders only the cards it has not made yet,
loading those stories in one statement (stories/queries.py `cards`). A version that is no longer live is
simply never asked for again and falls out of the cache (least recently used first).
"""
from __future__ import annotations

from flask import current_app, get_template_attribute, request, url_for
from markupsafe import Markup

from ..i18n import current_language
from ..lru import LRU
from ..stories.queries import cards as load_cards

CACHE_SIZE = 20_000   # about 15 MB per worker
PLACE = "zq-place-zq"


def cache() -> LRU:
    """This app's card cache (one per app, so tests never share cards)."""
    found = current_app.extensions.get("memorial_cards")
    if found is None:
        found = current_app.extensions["memorial_cards"] = LRU(CACHE_SIZE)
    return found


def render(entries: list[tuple[int, int]], heading: str = "h3", macro: str = "story_card_body") -> list[Markup]:
    """The cards of these (story id, live version id) pairs, in order; a story gone meanwhile is left out.

    `macro` is the _macros.html macro that draws one: a list's card (its inside: the list adds the counts that
    change with every candle), or a face on the wall."""
    kept = cache()
    context = (heading, macro, current_language(), request.script_root)
    found = {version: kept.get((version, *context)) for _, version in entries}
    missing = [story for story, version in entries if found[version] is None]
    if missing:
        story_card = get_template_attribute("_macros.html", macro)
        # The addresses of every card, made once: slugs and photo names need no escaping in a path.
        show = url_for("stories.show", slug=PLACE)
        photo = url_for("stories.photo", filename=PLACE)
        for story in load_cards(missing):
            v = story.live_version
            src = photo.replace(PLACE, v.photo.thumb_filename) if v is not None and v.photo is not None else None
            card = Markup(story_card(story, heading=heading, href=show.replace(PLACE, story.slug), src=src))
            kept.put((story.live_version_id, *context), card)
            found[story.live_version_id] = card
    return [found[version] for _, version in entries if found.get(version) is not None]
