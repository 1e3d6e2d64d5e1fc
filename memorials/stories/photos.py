"""Family photos: decoded safely, turned upright, re-encoded so nothing but pixels survives.

Every upload is opened by Pillow under a decompression-bomb limit, rotated by its EXIF
orientation, flattened to RGB, scaled to at most 1600 px on the long side and saved as a
fresh JPEG with no metadata (no GPS, no camera, no EXIF at all), plus a square thumbnail.
Files get random names in INSTANCE_PATH/photos; only the database knows which is whose.
"""
from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

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


def photo_folder() -> Path:
    folder = Path(current_app.instance_path) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_upload(storage, max_bytes: int) -> bytes | None:
    """The uploaded bytes, or None when no file was chosen. Refuses files over max_bytes."""
    if storage is None or not getattr(storage, "filename", None):
        return None
    data = storage.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoError(f"This photo is larger than {max_bytes // (1024 * 1024)} MB. "
                         "Please choose a smaller one (a photo from a phone's gallery is usually fine).")
    if not data:
        raise PhotoError("This file is empty. Please choose the photo again.")
    return data


def process(data: bytes) -> ProcessedPhoto:
    """Decode, check, turn upright and re-encode a photo, or raise PhotoError."""
    refusal = PhotoError("We couldn't read this file as a photo. Please choose a JPEG, PNG or WebP picture.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ALLOWED_FORMATS:
                    raise PhotoError("Please choose a JPEG, PNG or WebP picture. "
                                     f"This file is {image.format or 'of another kind'}.")
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoError("This picture is too large to process. Please choose a smaller one.")
                image.seek(0)  # the first frame of an animation
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = _flatten(upright)
        except PhotoError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError("This picture is too large to process. Please choose a smaller one.") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError):
            raise refusal from None

    rgb.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    thumb = ImageOps.fit(rgb, (THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS, centering=(0.5, 0.35))
    return ProcessedPhoto(full=_jpeg(rgb), thumb=_jpeg(thumb), width=rgb.width, height=rgb.height)


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
    folder = photo_folder()
    names = (f"{secrets.token_urlsafe(24)}.jpg", f"{secrets.token_urlsafe(24)}.jpg")
    for name, content in zip(names, (photo.full, photo.thumb)):
        (folder / name).write_bytes(content)
    return names


def delete_files(*names: str) -> None:
    folder = photo_folder()
    for name in names:
        if name:
            (folder / name).unlink(missing_ok=True)
