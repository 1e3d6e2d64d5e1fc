"""The family's private page's data, built by its views from each feature's query functions: where the story
stands, the edit form, the gallery, messages and memories (with what waits for the family), who has access,
letters in their memory and the memorial's old addresses. Every form on the page that was refused comes back
with its words and errors; the others are fresh."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import make_response, render_template, url_for

# Features are imported as modules, as in memorial.py (each of them imports stories).
from ..community import guestbook
from ..feeds import addresses
from ..gallery import forms as gallery_forms
from ..gallery import queries as gallery_queries
from ..letters import memorials as letters_memorials
from ..memories import queries as memory_queries
from . import stewards
from .forms import ButtonOnlyForm, EditStoryForm, StewardForm, WithdrawForm
from .models import Story, StoryVersion
from .services import Access


@dataclass
class ManagePage:
    access: Access
    token: str
    current: StoryVersion
    form: EditStoryForm
    gallery: list
    gallery_form: gallery_forms.GalleryForm
    guestbook: guestbook.FamilyGuestbook
    memories: list
    keepers: list
    steward_form: StewardForm
    letters: object | None
    suggested_relation: str
    moved: object | None
    stale: bool = False
    photo_again: bool = False
    forms: dict = field(default_factory=dict)

    @property
    def story(self) -> Story:
        return self.access.story

    @property
    def waiting_for_family(self) -> int:
        return len(self.guestbook.waiting) + sum(1 for m in self.memories if m.status == "with_family")

    @property
    def preview_url(self) -> str:
        return url_for("stories.preview", token=self.token)

    def photo_url(self, photo, thumb: bool = True) -> str:
        return url_for("stories.manage_photo", token=self.token,
                       filename=photo.thumb_filename if thumb else photo.filename)


def manage_page(access: Access, token: str, *, form: EditStoryForm | None = None,
                gallery_form: gallery_forms.GalleryForm | None = None, steward_form: StewardForm | None = None,
                stale: bool = False, photo_again: bool = False) -> ManagePage:
    story = access.story
    current = story.pending_version or story.latest_version
    items = gallery_queries.for_family(story)
    live = story.live_version
    return ManagePage(
        access=access, token=token, current=current,
        form=form or EditStoryForm(formdata=None, obj=_form_values(story, current)),
        gallery=items,
        gallery_form=gallery_form or gallery_forms.GalleryForm(formdata=None, data=gallery_forms.form_data(items)),
        guestbook=guestbook.for_family(story), memories=memory_queries.for_family(story.id),
        keepers=stewards.keepers(access), steward_form=steward_form or StewardForm(formdata=None),
        letters=letters_memorials.for_memorial(story.id) if story.is_public and live else None,
        suggested_relation=letters_memorials.suggested_relation(live.relationship_to) if live else "",
        moved=addresses.address_change(story) if story.is_public else None,
        stale=stale, photo_again=photo_again,
        forms={"withdraw": WithdrawForm(formdata=None), "access": ButtonOnlyForm()},
    )


def render_manage(access: Access, token: str, status: int = 200, **kwargs):
    page = manage_page(access, token, **kwargs)
    refused = any(f.errors for f in (page.form, page.gallery_form, page.steward_form))
    return make_response(render_template("stories/manage.html", page=page, story=access.story,
                                         current=page.current, form=page.form, token=token,
                                         page_has_errors=refused), status)


def _form_values(story: Story, version: StoryVersion):
    """The edit form filled in with the version the family last sent."""
    class Values:
        pass

    values = Values()
    for name in ("name", "nickname", "name_display", "born", "died", "city", "content_note",
                 "submitter_name", "photo_alt", "fund_name", "fund_url"):
        setattr(values, name, getattr(version, name))
    values.state = version.state_code or ""
    values.story = version.story_markdown
    values.relationship = version.relationship_to
    values.email = story.email
    values.language = version.language
    return values
