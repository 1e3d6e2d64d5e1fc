"""Family photos: decoded safely, turned upright, re-encoded so nothing but pixels survives.

Every upload is opened by Pillow under a decompression-bomb limit, rotated by its EXIF
orientation, flattened to RGB, scaled to at most 1600 px on the long side and saved as a
fresh JPEG with no metadata (no GPS, no camera, no EXIF at all), plus a square thumbnail.
Files get unguessable, content-hashed names in the photo store (memorials/storage: the instance folder, a
shared folder or S3-compatible object storage); only the database knows which is whose.
"""
from __future__ import annotations

import hashlib
import io
import re
import secrets
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .. import storage
from ..events import story_hidden, story_published
from ..i18n import number
from ..storage import tasks

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MAX_PIXELS = 40_000_000      # well above any phone camera; far below a decompression bomb
LONG_SIDE = 1600
THUMB_SIDE = 480


class PhotoError(ValueError):
    """A photo we cannot use; the message is shown beside the field."""


@dataclass
class ProcessedPhoto:
    full: bytes
    thumb: bytes
    width: int
    height: int


class StoreDown(PhotoError):
    """The photo store did not answer: nothing was saved, and the family is told so beside the photo field."""

    def __init__(self) -> None:
        super().__init__(_("We couldn't save your photo just now, so nothing has been sent yet. Everything you "
                           "wrote is still here: please choose the photo again and press send in a few minutes, "
                           "or send your story now without the photo and add it later from your private link."))


def store() -> storage.Store:
    """The app's photo store (PHOTO_STORE_URL: the instance folder, a shared folder, or S3; see memorials/storage)."""
    return storage.store(storage.PHOTOS)


def read_upload(storage, max_bytes: int) -> bytes | None:
    """The uploaded bytes, or None when no file was chosen. Refuses files over max_bytes."""
    if storage is None or not getattr(storage, "filename", None):
        return None
    data = storage.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoError(_("This photo is larger than %(max)s MB. Please choose a smaller one (a photo from a "
                           "phone's gallery is usually fine).", max=number(max_bytes // (1024 * 1024))))
    if not data:
        raise PhotoError(_("This file is empty. Please choose the photo again."))
    return data


def process(data: bytes) -> ProcessedPhoto:
    """Decode, check, turn upright and re-encode a photo, or raise PhotoError.

    A phone photo has 12 to 50 million pixels and we keep 1600 px: a JPEG is decoded straight at 1/2,
    1/4 or 1/8 of its size (draft mode), anything else is box-reduced right after decoding, and only
    then turned upright and flattened, so a 40 MP photo never exists in memory at full size three times.
    """
    refusal = PhotoError(_("We couldn't read this file as a photo. Please choose a JPEG, PNG or WebP picture."))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ALLOWED_FORMATS:
                    raise PhotoError(_("Please choose a JPEG, PNG or WebP picture. This file is %(kind)s.",
                                       kind=image.format) if image.format else
                                     _("Please choose a JPEG, PNG or WebP picture. This file is of another kind."))
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoError(_("This picture is too large to process. Please choose a smaller one."))
                image.seek(0)  # the first frame of an animation
                orientation = image.getexif().get(ORIENTATION, 1)
                if image.format == "JPEG":
                    image.draft("RGB", _at_least(image.size, LONG_SIDE))
                image.load()
                # Scaled before it is turned and flattened: those steps copy the pixels.
                pixels = image if image.mode in SCALABLE_MODES else _flatten(image)  # palette, 1-bit, 16-bit
                rgb = _flatten(_upright(_scaled(_reduced(pixels, LONG_SIDE), LONG_SIDE), orientation))
        except PhotoError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(_("This picture is too large to process. Please choose a smaller one.")) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError):
            raise refusal from None

    # The square thumbnail from a half-size copy (box-reduced, nearly free): LANCZOS then works on a quarter
    # of the pixels, with the same result to the eye.
    source = rgb.reduce(2) if min(rgb.size) >= 4 * THUMB_SIDE // 2 else rgb
    thumb = ImageOps.fit(source, (THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS, centering=(0.5, 0.35))
    return ProcessedPhoto(full=_jpeg(rgb), thumb=_jpeg(thumb), width=rgb.width, height=rgb.height)


ORIENTATION = 0x0112
SCALABLE_MODES = ("L", "LA", "RGB", "RGBA", "CMYK")
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _at_least(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """The smallest size with the same shape whose long side is still long_side (for draft mode)."""
    width, height = size
    longest = max(width, height, 1)
    if longest <= long_side:
        return size
    return max(1, width * long_side // longest), max(1, height * long_side // longest)


def _reduced(image: Image.Image, long_side: int) -> Image.Image:
    """Box-reduce by a whole factor while the result stays at least twice long_side (_scaled finishes)."""
    factor = max(image.size) // (2 * long_side)
    if factor < 2:
        return image
    return image.reduce(factor)


def _scaled(image: Image.Image, long_side: int) -> Image.Image:
    """At most long_side on the long side. Bicubic: after draft mode and reduce the step left is under 4x,
    where Pillow's antialiased bicubic looks the same as LANCZOS at two thirds of the cost."""
    if max(image.size) <= long_side:
        return image
    scale = long_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC)


def _upright(image: Image.Image, orientation) -> Image.Image:
    """Turned as the camera's EXIF orientation says (read before decoding; the pixels carry no EXIF on)."""
    method = _TRANSPOSE.get(orientation)
    return image.transpose(method) if method is not None else image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels only; transparency is laid on white, as a printed photo would be."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    # A new image with a copy of the pixels: no info dict, no EXIF, no ICC profile, no XMP.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def photo_name(content: bytes) -> str:
    """A new file's name: a random part, so the name can't be guessed and no two uploads share a file (two
    families may send the same picture), then the start of the bytes' SHA-256, so the name never changes
    what it holds (a cache may keep it for a year) and a copy can be checked against it (move-photos)."""
    return f"{secrets.token_urlsafe(12)}-{hashlib.sha256(content).hexdigest()[:32]}.jpg"


def name_digest(name: str) -> str | None:
    """The hash prefix a name carries (None for names made before names carried one)."""
    found = _HASHED.fullmatch(name or "")
    return found.group(1) if found else None


_HASHED = re.compile(r"[A-Za-z0-9_-]{16}-([0-9a-f]{32})\.jpg")


def write_files(photo: ProcessedPhoto) -> tuple[str, str]:
    """Store both files under new names; returns (filename, thumb_filename). Both or neither: if the store
    fails, what was written is removed and StoreDown is raised."""
    names = (photo_name(photo.full), photo_name(photo.thumb))
    written: list[str] = []
    try:
        for name, content in zip(names, (photo.full, photo.thumb)):
            store().save(name, content)
            written.append(name)
    except storage.StoreUnavailable as error:
        current_app.logger.error("could not store a photo: %s", error)
        delete_files(*written)
        raise StoreDown() from None
    return names


def delete_files(*names: str) -> None:
    """Delete these photos (and their public copies) from the store, and do what the last commit planned (a
    withdrawal's deletions). What the store refuses now is kept and tried again (memorials/storage/tasks.py)."""
    extra = tasks.deletes(storage.PHOTOS, names)
    if tasks.publishing():
        extra += tasks.deletes(storage.PUBLIC, names)
    tasks.carry_out(extra)


def plan_deletion(*names: str) -> None:
    """In the caller's transaction: these photos must go, even if the store is down when it commits."""
    planned = tasks.deletes(storage.PHOTOS, names)
    if tasks.publishing():
        planned += tasks.deletes(storage.PUBLIC, names)
    tasks.plan(planned)


# Public copies (only with PHOTO_PUBLIC_URL): a memorial's photos are copied to the public area when it goes
# live and removed from it when it is hidden, so a bucket or CDN that serves that area never shows the photo
# of a memorial that is not public.

def _names(photos) -> list[str]:
    return [name for p in photos for name in (p.filename, p.thumb_filename)]


@story_published.connect
def _publish_copies(story, **_) -> None:
    if tasks.publishing() and story.live_version is not None:
        live = [story.live_version.photo] if story.live_version.photo is not None else []
        tasks.plan(tasks.publishes(_names(live + [p for p in story.photos if p.shown])))


def shown_changed(photo) -> None:
    """A gallery or memory photo a moderator just showed (or that stopped showing): its public copy follows, while
    the memorial is public, and a photo that stopped showing leaves a CDN too."""
    if tasks.publishing() and photo.story.is_public:
        names = _names([photo])
        tasks.plan(tasks.publishes(names) if photo.shown else tasks.deletes(storage.PUBLIC, names))
    if not photo.shown:
        left_the_memorial(photo.story)


def left_the_memorial(story) -> None:
    """A photo of a public memorial stopped showing (a memory hidden, a gallery photo removed): a CDN drops what it
    keeps of the memorial (key memorial-<id>), right after the decision commits."""
    if story.is_public:
        tasks.plan(tasks.purges([f"memorial-{story.id}"]))


@story_hidden.connect
def _remove_copies(story, **_) -> None:
    if tasks.publishing():
        tasks.plan(tasks.deletes(storage.PUBLIC, _names(story.photos)))


# A CDN in front of the site keeps the lists (key "memorials") and a memorial's own files, its photos and cards
# (key memorial-<id>): a change to what is public drops them there too, right after the decision commits.
@story_published.connect
@story_hidden.connect
def _purge_cdn(story, **_) -> None:
    tasks.plan(tasks.purges([f"memorial-{story.id}", "memorials"]))


def from_field(field, max_bytes: int) -> ProcessedPhoto | None | bool:
    """A form's photo field, processed: None when no file was chosen, False when it was refused (the reason is
    added beside the field)."""
    try:
        data = read_upload(field.data, max_bytes)
        return process(data) if data is not None else None
    except PhotoError as error:
        field.errors = [*field.errors, str(error)]
        return False
