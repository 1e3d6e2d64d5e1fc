"""State changes of a gallery: the family adds photos, changes their words and order, removes them; a moderator
approves or rejects what is new. Every photo goes through stories/photos.py (type checked by content, re-encoded,
no metadata, resized, a thumbnail) and its files through the photo store's own API. The caller commits, then
deletes the files this module returns (or, when the commit fails, the files it wrote: see `written`)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..audit import log_event
from ..extensions import db
from ..stories import photos
from ..stories.models import Photo, PhotoPurpose, Story
from ..timeutil import utcnow
from . import notices, queries
from .models import MAX_PHOTOS, GalleryPhoto, GalleryStatus


class DecisionError(ValueError):
    """The photo changed while the moderator read it."""


@dataclass
class NewPhoto:
    processed: photos.ProcessedPhoto
    alt: str
    caption: str | None


@dataclass
class Change:
    """What the family's form says about one photo already in the gallery."""

    item: GalleryPhoto
    alt: str
    caption: str | None
    position: int | None
    remove: bool


def room(story: Story) -> int:
    """How many more photos the gallery takes."""
    return max(0, MAX_PHOTOS - len(queries.for_family(story)))


def _anything_waiting() -> bool:
    return db.session.execute(
        db.select(GalleryPhoto.id).where(db.or_(GalleryPhoto.status == GalleryStatus.PENDING.value,
                                                GalleryPhoto.words_waiting.is_(True))).limit(1)).first() is not None


def add(story: Story, new: list[NewPhoto], written: list[str]) -> list[GalleryPhoto]:
    """New photos at the end of the gallery, waiting for a moderator (told once when the tab stops being empty)."""
    if not new:
        return []
    waiting_before = _anything_waiting()
    items = queries.for_family(story)
    position = max((item.position for item in items), default=0)
    added = []
    for each in new[:max(0, MAX_PHOTOS - len(items))]:
        filename, thumb = photos.write_files(each.processed)
        written += [filename, thumb]
        photo = Photo(story=story, filename=filename, thumb_filename=thumb, width=each.processed.width,
                      height=each.processed.height, purpose=PhotoPurpose.GALLERY.value, shown=False)
        position += 1
        item = GalleryPhoto(story=story, photo=photo, position=position, status=GalleryStatus.PENDING.value,
                            proposed_alt=each.alt, proposed_caption=each.caption or None, words_waiting=False)
        db.session.add(item)
        added.append(item)
    db.session.flush()
    if not waiting_before:
        notices.photos_waiting()
    return added


def change(story: Story, changes: list[Change]) -> list[str]:
    """New words, a new order and removals, from the family's form. Removing is at once; new words for a shown
    photo wait for a moderator while the old ones stay. Returns the files to delete once committed."""
    waiting_before = _anything_waiting()
    removed: list[str] = []
    kept = []
    for index, each in enumerate(changes):
        item = each.item
        if item.story_id != story.id:
            continue
        if each.remove:
            removed += [item.photo.filename, item.photo.thumb_filename]
            log_event(story.id, story.live_version_id, "remove", item_kind="photo", item_ref=item.id)
            photo = item.photo
            if photo.shown:
                photos.left_the_memorial(story)
            db.session.delete(item)
            db.session.delete(photo)
            continue
        caption = each.caption or None
        if not item.is_published:
            item.proposed_alt, item.proposed_caption = each.alt, caption
        elif (each.alt, caption) != (item.alt, item.caption):
            item.proposed_alt, item.proposed_caption, item.words_waiting = each.alt, caption, True
        else:  # back to the words already shown: nothing waits
            item.proposed_alt = item.proposed_caption = None
            item.words_waiting = False
        kept.append((each.position if each.position is not None else item.position, index, item))
    for position, (_wanted, _index, item) in enumerate(sorted(kept, key=lambda k: (k[0], k[1])), start=1):
        item.position = position
    db.session.flush()
    if not waiting_before and _anything_waiting():
        notices.photos_waiting()
    return removed


def approve(item: GalleryPhoto, moderator) -> None:
    """Show a new photo (and its words), or new words for a shown photo."""
    if not item.waiting:
        raise DecisionError(_("Someone already decided on this photo."))
    item.alt, item.caption = item.proposed_alt, item.proposed_caption
    item.proposed_alt = item.proposed_caption = None
    item.words_waiting = False
    item.status = GalleryStatus.PUBLISHED.value
    item.photo.shown = True
    photos.shown_changed(item.photo)
    item.decided_at = utcnow()
    log_event(item.story_id, item.story.live_version_id, "approve", moderator=moderator, item_kind="photo",
              item_ref=item.id)


def reject(item: GalleryPhoto, moderator) -> list[str]:
    """Turn down a new photo (it is deleted: we keep no photo the family did not see published), or new words
    (the old ones stay). Returns the files to delete once committed."""
    if not item.waiting:
        raise DecisionError(_("Someone already decided on this photo."))
    log_event(item.story_id, item.story.live_version_id, "reject", moderator=moderator, item_kind="photo",
              item_ref=item.id)
    if item.is_published:
        item.proposed_alt = item.proposed_caption = None
        item.words_waiting = False
        item.decided_at = utcnow()
        return []
    names = [item.photo.filename, item.photo.thumb_filename]
    photo = item.photo
    db.session.delete(item)
    db.session.delete(photo)
    return names
