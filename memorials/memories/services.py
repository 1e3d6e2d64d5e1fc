"""State changes of a memory: shared by a visitor (with an optional photo, processed like every photo), then
approved or rejected by a moderator and, if the family asked, approved by them; hidden or shown again by the
family at any time. A memory's photo is public exactly while the memory is. The caller commits, except where
photo files must follow the database (leave, reject): there this module commits."""
from __future__ import annotations

from flask_babel import gettext as _

from ..community import review
from ..extensions import db
from ..stories import photos
from ..stories.models import Photo, PhotoPurpose, Story
from ..stories.services import commit_with_files
from . import notices
from .models import Memory, MemoryStatus

DecisionError = review.DecisionError


def leave(story: Story, name: str, body: str, email: str | None, photo: photos.ProcessedPhoto | None,
          photo_alt: str | None) -> Memory:
    """Keep a memory, waiting for a moderator (moderators are told once when the tab stops being empty)."""
    waiting_before = db.session.execute(
        db.select(Memory.id).where(Memory.status == MemoryStatus.PENDING.value).limit(1)).first()
    memory = Memory(story_id=story.id, name=name, body=body, email=email or None,
                    photo_alt=(photo_alt or None) if photo is not None else None)
    written: list[str] = []
    if photo is not None:
        filename, thumb = photos.write_files(photo)
        written += [filename, thumb]
        memory.photo = Photo(story_id=story.id, filename=filename, thumb_filename=thumb, width=photo.width,
                             height=photo.height, purpose=PhotoPurpose.MEMORY.value, shown=False)
    db.session.add(memory)
    db.session.flush()
    if waiting_before is None:
        notices.memories_waiting()
    commit_with_files(written)
    return memory


KIND = review.Kind("memory", Memory, notices.memory_published, notices.memory_is_up,
                   lambda: _("Someone already decided on this memory."))


def _photo_follows(memory: Memory) -> None:
    """The photo is public exactly while the memory is."""
    if memory.photo is not None:
        shown = memory.status == MemoryStatus.PUBLISHED.value
        if memory.photo.shown != shown:
            memory.photo.shown = shown
            photos.shown_changed(memory.photo)


def approve(memory: Memory, moderator) -> str:
    outcome = review.moderator_yes(memory, KIND, moderator)
    _photo_follows(memory)
    return outcome


def reject(memory: Memory, moderator) -> list[str]:
    """Turn the memory down; its photo is deleted with it. Returns the files to delete once committed."""
    review.moderator_no(memory, KIND, moderator)
    names: list[str] = []
    if memory.photo is not None:
        names = [memory.photo.filename, memory.photo.thumb_filename]
        db.session.delete(memory.photo)
        memory.photo = None
    return names


def family_approve(story: Story, memory: Memory) -> bool:
    done = review.family_yes(story, memory, KIND)
    _photo_follows(memory)
    return done


def hide(story: Story, memory: Memory) -> bool:
    done = review.hide(story, memory, KIND)
    _photo_follows(memory)
    return done


def show_again(story: Story, memory: Memory) -> bool:
    done = review.show_again(story, memory, KIND)
    _photo_follows(memory)
    return done
