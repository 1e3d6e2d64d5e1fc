"""Family photos: decoded safely, turned upright, re-encoded so nothing but pixels survives.

Every upload is opened by Pillow under a decompression-bomb limit, rotated by its EXIF
orientation, flattened to RGB, scaled to at most 1600 px on the long side and saved as a
fresh JPEG with no metadata (no GPS, no camera, no EXIF at all), plus a square thumbnail.
Files get random names in the photo store (INSTANCE_PATH/photos); only the database knows which is whose.
"""
from __future__ import annotations

import importlib
import io
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from flask import Response, current_app, send_from_directory
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..i18n import number

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


class PhotoStore(Protocol):
    """Where photo files live. The app uses nothing else to reach them, so that several app servers can
    share one store (an object-storage backend is one new class with these four methods)."""

    def save(self, name: str, data: bytes) -> None: ...
    def read(self, name: str) -> bytes: ...
    def delete(self, name: str) -> None: ...
    def send(self, name: str, max_age: int) -> Response:
        """The answer to a browser asking for the file (404 if it is missing); conditional requests answered."""
        ...


class LocalPhotoStore:
    """Files in a folder: INSTANCE_PATH/photos, or a shared mount when several servers serve the site."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):
            raise FileNotFoundError(name)
        return self.folder / name

    def save(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: a reader on another worker never sees half a photo.
        partial = self.folder / f".{name}.{secrets.token_hex(4)}.part"
        partial.write_bytes(data)
        os.replace(partial, self._path(name))

    def read(self, name: str) -> bytes:
        return self._path(name).read_bytes()

    def delete(self, name: str) -> None:
        if _NAME.fullmatch(name):
            self._path(name).unlink(missing_ok=True)

    def send(self, name: str, max_age: int) -> Response:
        return send_from_directory(self.folder, name, max_age=max_age)


_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\.jpg")


def store() -> PhotoStore:
    """The app's photo store, made once per app: PHOTO_STORE names a class ("package.module:Class") with
    a `from_app(app)` constructor; unset, photos are files in INSTANCE_PATH/photos."""
    found = current_app.extensions.get("photo_store")
    if found is None:
        found = current_app.extensions["photo_store"] = _make_store(current_app)
    return found


def _make_store(app) -> PhotoStore:
    name = app.config.get("PHOTO_STORE") or ""
    if not name:
        return LocalPhotoStore(Path(app.instance_path) / "photos")
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute).from_app(app)


def photo_folder() -> Path:
    """The local store's folder (for code that still sends files itself)."""
    folder = Path(current_app.instance_path) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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


def write_files(photo: ProcessedPhoto) -> tuple[str, str]:
    """Store both files under new random names; returns (filename, thumb_filename)."""
    names = (f"{secrets.token_urlsafe(24)}.jpg", f"{secrets.token_urlsafe(24)}.jpg")
    for name, content in zip(names, (photo.full, photo.thumb)):
        store().save(name, content)
    return names


def delete_files(*names: str) -> None:
    for name in names:
        if name:
            store().delete(name)


def from_field(field, max_bytes: int) -> ProcessedPhoto | None | bool:
    """A form's photo field, processed: None when no file was chosen, False when it was refused (the reason is
    added beside the field)."""
    try:
        data = read_upload(field.data, max_bytes)
        return process(data) if data is not None else None
    except PhotoError as error:
        field.errors = [*field.errors, str(error)]
        return False
