"""The memorial page's data, built by its views from each feature's query functions: the guestbook (candles and
messages), memories, the gallery, letters written in their memory and the state's numbers. The template reads
this one object; no template global queries the database.

The same page is drawn for a visitor (stories.show), for the family's private preview (stories.preview: what
a moderator will read, with nothing to press), and again when a visitor's message or memory was refused (with
their words kept and that form open), so there is one way to make it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import make_response, render_template, url_for
from jinja2.utils import url_quote
from markupsafe import Markup
from sqlalchemy import bindparam

# Features are imported as modules (their names read when a page is made): each of them imports stories, so a
# name imported from one that is still loading would not be there yet.
from ..community import forms as community_forms
from ..community import guestbook
from ..community import queries as community_queries
from ..extensions import db
from ..gallery import queries as gallery_queries
from ..letters import memorials as letters_memorials
from ..memories import forms as memory_forms
from ..memories import queries as memory_queries
from ..slugs import is_slug
from ..stats import queries as stats_queries
from ..text import render_markdown
from . import queries
from .models import Photo, Story, StoryVersion


@dataclass
class MemorialPage:
    """Everything the memorial page shows, read once by its view."""

    story: Story
    v: StoryVersion
    gallery: list                               # GalleryPhoto, in the family's order
    guestbook: guestbook.Guestbook | None       # None in a preview: nothing to press before it is public
    memories: memory_queries.MemoryBook | None
    letters: letters_memorials.MemorialLetters | None
    state_line: dict | None
    state_has_page: bool
    said: str | None = None                     # "candle", "condolence", "memory": thanked once
    preview_token: str | None = None
    open_form: str | None = None                # the folded form to open at once (a refused message or memory)

    @property
    def preview(self) -> bool:
        return self.preview_token is not None

    @property
    def story_html(self):
        """The approved story's stored HTML; a version not approved yet (a preview) made now, through text.py."""
        return self.v.story_html_markup if self.v.story_html else render_markdown(self.v.story_markdown)

    def share_holes(self, title: Markup, page_url: str) -> dict:
        """What stories/_memorial_share.html puts in its holes for this memorial: its name, the title a share
        carries ("Remembering …", as the page's own title made it), its address, and the same in each share link's
        query string, quoted as Jinja's urlencode quotes them. The title's words are quoted as they are written:
        gettext escaped the name in it for HTML, and "&#39;" would reach the message as it is."""
        words = title.unescape() if isinstance(title, Markup) else str(title)
        story = self.story
        return {"name": self.v.display_name, "title": title, "url": page_url,
                "title_q": url_quote(words), "text_q": url_quote(f"{words} {page_url}"),
                "mail_body_q": url_quote(f"{words}\n\n{page_url}"), "url_q": url_quote(page_url),
                "pdf_url": url_for("feeds.printable_card", slug=story.slug),
                "card_url": url_for("feeds.story_card", slug=story.slug, v=story.live_version_id),
                "slug": story.slug}

    def photo_url(self, photo: Photo, thumb: bool = False) -> str:
        """A photo's address: the public one, or in a preview the family's own (their link shows it first)."""
        name = photo.thumb_filename if thumb else photo.filename
        if self.preview_token is not None:
            return url_for("stories.manage_photo", token=self.preview_token, filename=name)
        return url_for("stories.photo", filename=name)


# What find() counts with the memorial, in the order of its columns.
COUNTED = ("candles", "letters", "messages", "memories", "gallery")


@cache
def _with_counts():
    """The published memorial at an address (bound as it runs), with its candles, the letters written in its
    memory, and how many messages, memories and gallery photos it shows: one statement, built once per worker."""
    return (queries.published_statement().where(Story.slug == bindparam("slug"))
            .add_columns(community_queries.candle_total_subquery(), letters_memorials.letters_subquery(),
                         community_queries.message_total_subquery(), memory_queries.memory_total_subquery(),
                         gallery_queries.shown_total_subquery()))


def find(slug: str | None) -> tuple[Story, dict] | None:
    """The published memorial at this address and the counts its page shows, read together; None if there is
    none (anything that cannot be an address never reaches the database). A memorial with no message, memory
    or gallery photo is read whole by this one statement."""
    if not is_slug(slug):
        return None
    row = db.session.execute(_with_counts(), {"slug": slug}).unique().first()
    if row is None:
        return None
    return row[0], {name: int(count or 0) for name, count in zip(COUNTED, row[1:])}


def memorial_page(story: Story, version: StoryVersion | None = None, *, preview_token: str | None = None,
                  condolence_form: community_forms.CondolenceForm | None = None,
                  memory_form: memory_forms.MemoryForm | None = None, counts: dict | None = None
                  ) -> MemorialPage:
    """The page's data: a fixed number of statements however many photos, messages and memories there are
    (`counts`: what find() read with the story; a list it says is empty is not read)."""
    counts = counts or {}
    v = version or story.live_version
    public = preview_token is None
    code = (v.state_code or "").upper()
    has_page = code in stats_queries.PAGE_CODES and code != stats_queries.NATIONAL
    open_form = ("condolence" if condolence_form is not None and condolence_form.errors
                 else "memory" if memory_form is not None and memory_form.errors else None)
    return MemorialPage(
        story=story, v=v,
        gallery=(gallery_queries.for_memorial(story, counts.get("gallery")) if public
                 else gallery_queries.for_family(story)),
        guestbook=(guestbook.for_memorial(story, condolence_form, counts.get("candles"), counts.get("messages"))
                   if public else None),
        memories=memory_queries.for_memorial(story, memory_form, counts.get("memories")) if public else None,
        letters=letters_memorials.for_memorial(story.id, counts.get("letters")) if public else None,
        state_line=stats_queries.state_line(code) if has_page else None, state_has_page=has_page,
        said=guestbook.take_said(story) if public else None,
        preview_token=preview_token, open_form=open_form,
    )


def render_memorial(story: Story, status: int = 200, **kwargs):
    """The memorial page as a response (a refused form comes back with status 200 or 429, its words kept)."""
    page = memorial_page(story, **kwargs)
    return make_response(render_template("stories/show.html", page=page, story=story, v=page.v,
                                         page_has_errors=page.open_form is not None), status)
