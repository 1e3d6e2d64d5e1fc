"""Pieces of pages drawn once per worker and language, where a first visit would draw them again and again.

- The site's footer (help lines, links, where to write to us) is the same on every page in a language, and so
  are the site's header and the links every page's head holds: fragment().
- A page's share tags (Open Graph, Twitter) differ only in a few values (its title, description, address and
  picture): fragment() with holes, drawn once with a stand-in in each hole, each page's values put in, escaped as
  the template would have. A hole is written out as it is (`{{ title }}`) and nothing else is done with it.
- A memorial's blank forms (leave a message, share a memory) are the same on every memorial but for two things:
  the memorial's address in the form's action, and the visitor's own token. So each is drawn once, with a
  stand-in for both, and every page puts its own in: a first visit to a memorial no longer builds two WTForms
  forms and draws their nine fields. A form sent back with a mistake (the visitor's words, the errors beside them)
  is drawn in full, as before: blank_form().

A piece is kept under (template, language, URL prefix, and the few values it was drawn with): nothing of one
visitor or one memorial is ever in it, only in its holes.
"""
from __future__ import annotations

import re

from flask import current_app, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .i18n import current_language
from .lru import LRU

PIECES = 1_000   # pieces kept by their key (drawn_for): a list's form for each set of words and filters

# Stand-ins, found nowhere else in a form.
SLUG = "blank-form-slug"
TOKEN = "blank-form-token"
HOLE = "fragment-hole-{}-here"
_HOLES = re.compile(HOLE.format("([a-z_]+)"))


def _kept() -> dict:
    """This app's drawn pieces (one per app, so tests never share them); while templates reload as they change
    (development), none are kept, so an edited template or static file shows at once."""
    if current_app.jinja_env.auto_reload:
        return {}
    return current_app.extensions.setdefault("page_fragments", {})


def drawn_for(template: str, key: tuple, /, holes: dict | None = None, **context) -> Markup:
    """A piece that `key` (with the language) says all of: drawn once per worker for each, the most recent kept.
    Each of its `holes` is drawn with its stand-in (stand_in(), which `context` carries where the hole is) and
    filled with this page's value, escaped, as fragment() fills its own."""
    holes = holes or {}
    if current_app.jinja_env.auto_reload:   # development: drawn each time (see _kept)
        return _filled(_split(render_template(template, **context)), holes)
    pieces = current_app.extensions.get("page_pieces")
    if pieces is None:
        pieces = current_app.extensions["page_pieces"] = LRU(PIECES)
    key = (template, current_language(), request.script_root, *key, *sorted(holes))
    parts = pieces.get(key)
    if parts is None:
        parts = _split(render_template(template, **context))
        pieces.put(key, parts)
    return _filled(parts, holes)


def stand_in(name: str) -> Markup:
    """What a piece is drawn with in the hole `name`, for drawn_for() and fragment() to fill."""
    return Markup(HOLE.format(name))


def _split(html: str) -> Markup | tuple:
    """A drawn piece as it is kept: the text before the first hole, a hole's name, the text after it, ...; a piece
    without holes as it is."""
    split = _HOLES.split(html)
    return Markup(html) if len(split) == 1 else tuple(split)


def _filled(parts: Markup | tuple, holes: dict) -> Markup:
    """A kept piece with each hole's value put in, escaped, in one pass (a value that looks like a stand-in is only
    ever a value)."""
    if isinstance(parts, Markup):
        return parts
    return Markup("".join(part if index % 2 == 0 else escape(holes[part]) for index, part in enumerate(parts)))


def fragment(template: str, /, holes: dict | None = None, **context) -> Markup:
    """A piece the same on every page in this language but for its `holes` (`template` draws from the site's
    globals and `context`: a few small values, such as whether a moderator is signed in, never a visitor's or a
    memorial's own). Drawn once per worker for each `context`, with a stand-in in each hole; each page's values
    are put in, escaped, in one pass (a value that looks like a stand-in is only ever a value)."""
    holes = holes or {}
    key = (template, current_language(), request.script_root, *sorted(context.items()), *sorted(holes))
    parts = _kept().get(key)
    if parts is None:
        parts = _kept()[key] = _split(render_template(template, **context,
                                                      **{name: stand_in(name) for name in holes}))
    return _filled(parts, holes)


def blank_form(template: str, form_class: type, slug: str) -> Markup:
    """The blank form `template` draws (with `form` and `slug`), for this memorial and this visitor."""
    token = generate_csrf()
    key = (template, current_language(), request.script_root)
    drawn = _kept().get(key)
    if drawn is None:
        html = render_template(template, form=form_class(formdata=None), slug=SLUG)
        if html.count(token) != 1 or TOKEN in html:
            return Markup(html.replace(SLUG, slug))   # never seen: drawn for this page alone, not kept
        drawn = _kept()[key] = html.replace(token, TOKEN)
    return Markup(drawn.replace(TOKEN, token).replace(SLUG, slug))
