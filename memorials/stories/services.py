"""State changes of a story that a family makes: submit, edit, withdraw, recover their link.

Each function leaves committing to its caller's single commit, except where files on disk
must follow the database (photos): there the function commits, so files and rows agree.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..audit import log_event
from ..events import story_hidden
from ..extensions import db
from ..i18n import current_language, language_or_default
from ..slugs import slugify, unique_slug
from . import photos
from .models import NameDisplay, Photo, PhotoPurpose, Steward, Story, StoryStatus, StoryVersion, VersionState

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


@dataclass
class StoryInput:
    """What a family typed, already validated by the form."""

    name: str
    died: date
    story_markdown: str
    email: str
    nickname: str | None = None
    name_display: str = NameDisplay.FULL.value
    born: date | None = None
    city: str | None = None
    state_code: str | None = None
    content_note: str | None = None
    submitter_name: str | None = None
    relationship_to: str | None = None
    photo_alt: str | None = None
    fund_name: str | None = None   # "In memory of": a fund or foundation the family names, and its address
    fund_url: str | None = None
    remembrance: bool = False   # the family asked for a yearly note (memorials/community)
    language: str = "en"        # the language the story is written in (the memorial marks it with lang)
    family_language: str | None = None  # the language of the page the family used: their mail follows it

    @classmethod
    def from_form(cls, form) -> StoryInput:
        def text(field):
            value = (field.data or "").strip()
            return value or None

        return cls(
            name=" ".join(form.name.data.split()),
            died=form.died.data,
            story_markdown=form.story.data.strip().replace("\r\n", "\n"),
            email=form.email.data.strip(),
            nickname=text(form.nickname),
            name_display=form.name_display.data or NameDisplay.FULL.value,
            born=form.born.data,
            city=text(form.city),
            state_code=form.state.data or None,
            content_note=text(form.content_note),
            submitter_name=text(form.submitter_name),
            relationship_to=text(form.relationship),
            photo_alt=text(form.photo_alt),
            fund_name=text(form.fund_name),
            fund_url=text(form.fund_url),
            remembrance=bool(getattr(form, "remembrance", None) and form.remembrance.data),
            language=language_or_default(form.language.data),
            family_language=current_language(),
        )

    def version_fields(self) -> dict:
        fields = dict(self.__dict__)
        fields.pop("email")
        fields.pop("remembrance")
        fields.pop("family_language")
        return fields


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A long random manage token and the hash we keep of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


@dataclass(frozen=True)
class Access:
    """Who opened a private link: the family member who shared the story (steward None), or a steward they invited."""

    story: Story
    steward: Steward | None = None


def find_access(token: str) -> Access | None:
    """The story a private link manages and whose link it is (a current link, or a new one sent on request)."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    digest = hash_token(token)
    story = db.session.execute(
        db.select(Story).where(db.or_(Story.manage_token_hash == digest, Story.new_token_hash == digest))
    ).scalar_one_or_none()
    if story is not None:
        return Access(story)
    steward = db.session.execute(
        db.select(Steward).where(db.or_(Steward.token_hash == digest, Steward.new_token_hash == digest))
    ).scalar_one_or_none()
    return Access(steward.story, steward) if steward is not None else None


def find_by_token(token: str) -> Story | None:
    """The story a private link manages (the family's or a steward's link), else None."""
    access = find_access(token)
    return access.story if access is not None else None


def use_token(story: Story, token: str) -> bool:
    """Someone used the new link they asked for: from now on it is their link, and the old one stops.

    Returns True when that happened (the caller commits)."""
    digest = hash_token(token)
    # Used once: of two requests sent at once with the same new link, one makes it the link (a conditional
    # UPDATE that checks the row count; on PostgreSQL the second waits for the first's row lock).
    if story.new_token_hash is not None and story.new_token_hash == digest:
        taken = db.session.execute(
            db.update(Story).where(Story.id == story.id, Story.new_token_hash == digest)
            .values(manage_token_hash=digest, new_token_hash=None).execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(story, ["manage_token_hash", "new_token_hash"])
        return taken == 1
    for steward in story.stewards:
        if steward.new_token_hash is not None and steward.new_token_hash == digest:
            taken = db.session.execute(
                db.update(Steward).where(Steward.id == steward.id, Steward.new_token_hash == digest)
                .values(token_hash=digest, new_token_hash=None).execution_options(synchronize_session=False)
            ).rowcount
            db.session.refresh(steward, ["token_hash", "new_token_hash"])
            return taken == 1
    return False


def _store_photo(story: Story, processed: photos.ProcessedPhoto, written: list[str]) -> Photo:
    """The photo's files in the store, and its row. If the store is down nothing of the request is kept (the
    caller's changes are rolled back) and photos.StoreDown says so to the family."""
    try:
        filename, thumb = photos.write_files(processed)
    except photos.StoreDown:
        db.session.rollback()
        raise
    written.extend([filename, thumb])
    photo = Photo(filename=filename, thumb_filename=thumb, width=processed.width, height=processed.height)
    story.photos.append(photo)
    return photo


def commit_with_files(written: list[str]) -> None:
    """Commit; if the database refuses, remove the photo files this request wrote."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        photos.delete_files(*written)
        raise


def submit_story(data: StoryInput, photo: photos.ProcessedPhoto | None,
                 notify: Callable[[Story, str], None] | None = None,
                 also: Callable[[Story, list[str]], object] | None = None) -> tuple[Story, str]:
    """Save a new story, waiting for a moderator. Returns the story and its private token.

    notify(story, token) queues the mail the story causes, in the same transaction: the family's
    link is committed with their words, or neither is. also(story, written) saves more in the same
    transaction (the gallery's photos), adding the names of the files it writes to `written`.
    """
    token, token_hash = new_token()
    story = Story(email=data.email, manage_token_hash=token_hash, status=StoryStatus.PENDING.value,
                  remembrance=data.remembrance, family_language=language_or_default(data.family_language))
    version = StoryVersion(**data.version_fields())
    story.versions.append(version)
    db.session.add(story)
    written: list[str] = []
    try:
        if photo is not None:
            version.photo = _store_photo(story, photo, written)
        if also is not None:
            db.session.flush()
            also(story, written)
        if notify is not None:
            db.session.flush()
            notify(story, token)
    except Exception:
        db.session.rollback()
        photos.delete_files(*written)
        raise
    commit_with_files(written)
    return story, token


def edit_story(story: Story, data: StoryInput, photo: photos.ProcessedPhoto | None,
               remove_photo: bool = False,
               notify: Callable[[Story, StoryVersion], None] | None = None) -> StoryVersion:
    """Queue an edit as a new version. The published version stays up until it is approved.

    An earlier edit still waiting is set aside: the moderator reads only the newest words.
    """
    base = story.pending_version or story.latest_version
    for waiting in story.versions:
        if waiting.state == VersionState.PENDING.value:
            waiting.state = VersionState.WITHDRAWN.value
    version = StoryVersion(**data.version_fields())
    version.photo = None if remove_photo else base.photo
    story.versions.append(version)
    story.email = data.email
    if data.family_language:
        story.family_language = language_or_default(data.family_language)
    if story.status in (StoryStatus.CHANGES_REQUESTED.value, StoryStatus.REJECTED.value):
        story.status = StoryStatus.PENDING.value
    written: list[str] = []
    if photo is not None:
        version.photo = _store_photo(story, photo, written)
    if notify is not None:
        db.session.flush()
        notify(story, version)
    commit_with_files(written)
    return version


def withdraw_story(story: Story) -> None:
    """Delete the story, every version and every photo file, for good. The files' deletion is recorded with
    the withdrawal, so a store that is down now only delays it (memorials/storage/tasks.py)."""
    names = [name for p in story.photos for name in (p.filename, p.thumb_filename)]
    photos.plan_deletion(*names)
    log_event(story.id, None, "withdrawn", moderator=None)
    if story.is_public:
        story_hidden.send(story)
    story.live_version_id = None
    db.session.flush()
    db.session.delete(story)
    db.session.commit()
    photos.delete_files(*names)


def stories_for_email(email: str) -> list[Story]:
    """Stories shared from this address (case-insensitive), for sending fresh private links."""
    return list(db.session.execute(
        db.select(Story).where(db.func.lower(Story.email) == email.strip().lower())
    ).scalars())


def fresh_links_for_email(email: str, family_language: str | None = None) -> list[tuple[Story, str]]:
    """A new private link for every memorial this address looks after: as the family who shared it, or as a
    steward they invited. Old links keep working until the new one is used. The caller commits."""
    links = [(story, offer_new_link(story, family_language)) for story in stories_for_email(email)]
    stewards = db.session.execute(
        db.select(Steward).where(db.func.lower(Steward.email) == email.strip().lower()).order_by(Steward.id)
    ).scalars()
    for steward in stewards:
        if family_language is not None:
            steward.language = language_or_default(family_language)
        token, steward.new_token_hash = new_token()
        links.append((steward.story, token))
    return links


def offer_new_link(story: Story, family_language: str | None = None) -> str:
    """A new private link for a family who lost theirs. The old one keeps working until the new one
    is used (see use_token), so nobody who merely knows the email can cancel a family's link.
    Asked for from a page in another language, their mail follows that language from now on.
    The caller commits."""
    if family_language is not None:
        story.family_language = language_or_default(family_language)
    token, story.new_token_hash = new_token()
    return token


def slug_for(version: StoryVersion, story_id: int) -> str:
    """An address from the name as shown and the year they died, unique among stories."""
    base = f"{slugify(version.display_name)}-{version.died.year}"
    return unique_slug(base, lambda candidate: db.session.execute(
        db.select(Story.id).where(Story.slug == candidate, Story.id != story_id)).first() is not None)


def prune_photos(story: Story) -> list[str]:
    """Forget photos that neither the published version nor a waiting edit shows.

    A family that replaced or removed a photo should not have the old one kept. Returns the
    file names to delete once the caller has committed.
    """
    keep = {v.photo_id for v in story.versions
            if v.photo_id and (v.id == story.live_version_id or v.state == VersionState.PENDING.value)}
    names = []
    for photo in list(story.photos):
        # Gallery and memory photos are kept by their own rows, not by the story's versions.
        if photo.id not in keep and (photo.purpose or PhotoPurpose.STORY.value) == PhotoPurpose.STORY.value:
            for version in story.versions:
                if version.photo_id == photo.id:
                    version.photo = None
            names += [photo.filename, photo.thumb_filename]
            story.photos.remove(photo)
    return names
