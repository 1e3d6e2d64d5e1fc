"""Share cards: the 1200×630 picture a link shows on Facebook, X, Bluesky, WhatsApp or in a text.

Drawn here with Pillow, in the DejaVu Serif fonts the project ships (memorials/data/fonts), so a
card looks the same on every server. Pure: a `Card` (words, fonts, an optional photo) in, JPEG
bytes out; the words are chosen (and translated) by the caller.
"""
from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
FONT_FILES = {"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf", "italic": "DejaVuSerif-Italic.ttf"}

# The site's own colours (static/css/site.css): deep teal, paper, soft teal.
BACKGROUND = (31, 66, 70)
PAPER = (251, 250, 248)
SOFT = (205, 224, 224)
RULE = (95, 135, 140)

PHOTO_WIDTH = 480       # the photo's column on the left, full height
PADDING = 64
FOOTER_HEIGHT = 92      # the site's name along the bottom


@dataclass
class Block:
    """One run of text: shrunk from `size` down to `min_size` until it fits in `max_lines`, then cut."""

    text: str
    style: str = "regular"
    size: int = 34
    min_size: int | None = None
    max_lines: int = 1
    color: tuple[int, int, int] = PAPER
    gap_after: int = 18


@dataclass
class Card:
    blocks: list[Block]
    footer: str
    photo: bytes | None = None       # the family's photo, as stored (a JPEG)
    photo_centering: tuple[float, float] = (0.5, 0.35)   # faces sit in the upper part of most photos
    # A memorial without a photo: a quiet frame in the photo's column instead (a candle and these words, the
    # years); None for cards that are not a memorial's.
    frame: str | None = None


FRAME = (44, 86, 90)        # a lighter teal for the frame's column
FLAME = (233, 160, 52)
GLOW = (122, 110, 78)
WAX = (246, 241, 230)


@lru_cache(maxsize=64)
def font(style: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / FONT_FILES[style]), size)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines of `text` no wider than `width`; a word wider than a line is broken between letters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if face.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while face.getlength(word) > width:
                cut = max(1, next(i for i in range(len(word), 0, -1) if face.getlength(word[:i]) <= width))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
    return lines


def _shorten(line: str, face: ImageFont.FreeTypeFont, width: int) -> str:
    """The line cut at a word (or a letter) so that it ends with an ellipsis and fits."""
    words = line.split()
    while words:
        candidate = " ".join(words).rstrip(",;:.-–—") + "…"
        if face.getlength(candidate) <= width:
            return candidate
        if len(words) == 1:
            word = words[0]
            while word and face.getlength(word + "…") > width:
                word = word[:-1]
            return word + "…"
        words.pop()
    return "…"


def fit(block: Block, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size (down to min_size) at which the block fits its lines, and those lines."""
    smallest = block.min_size or block.size
    words = block.text.split()
    for size in range(block.size, smallest - 1, -2):
        face = font(block.style, size)
        if any(face.getlength(word) > width for word in words):
            continue   # shrink rather than break a name in the middle
        lines = wrap(block.text, face, width)
        if len(lines) <= block.max_lines:
            return face, lines
    face = font(block.style, smallest)
    lines = wrap(block.text, face, width)
    kept = lines[:block.max_lines]
    if len(lines) > block.max_lines:
        kept[-1] = _shorten(kept[-1] + " " + lines[block.max_lines], face, width)
    return face, kept


def _line_height(face: ImageFont.FreeTypeFont) -> int:
    return round(face.size * 1.22)


def _photo(data: bytes, size: tuple[int, int], centering: tuple[float, float]) -> Image.Image | None:
    """The family's photo (already re-encoded at upload), cropped to fill the column; None if unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", size)  # a JPEG decodes at a fraction of its size: 3× quicker, same card
                return ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS, centering=centering)
    except (OSError, ValueError):
        return None


# FreeType faces are shared (lru_cache) and not safe to draw with from two threads at once; cards are
# drawn rarely (at approval, or once at first request), so one at a time costs nothing.
_drawing = threading.Lock()


def render(card: Card) -> bytes:
    """The card as a JPEG (small enough for WhatsApp's 300 KB limit, sharp enough for text)."""
    with _drawing:
        return _render(card)


def _render(card: Card) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    left = PADDING
    picture = _photo(card.photo, (PHOTO_WIDTH, HEIGHT), card.photo_centering) if card.photo else None
    if picture is not None:
        image.paste(picture, (0, 0))
        left = PHOTO_WIDTH + PADDING
    draw = ImageDraw.Draw(image)
    if picture is None and card.frame is not None:
        _frame(draw, card.frame)
        left = PHOTO_WIDTH + PADDING
    width = WIDTH - left - PADDING

    laid = [(block, *fit(block, width)) for block in card.blocks if block.text]
    total = sum(len(lines) * _line_height(face) + block.gap_after for block, face, lines in laid)
    if laid:
        total -= laid[-1][0].gap_after
    room = HEIGHT - FOOTER_HEIGHT
    y = max(PADDING - 8, (room - total) // 2)
    for block, face, lines in laid:
        for line in lines:
            draw.text((left, y), line, font=face, fill=block.color)
            y += _line_height(face)
        y += block.gap_after

    footer_top = HEIGHT - FOOTER_HEIGHT
    draw.line([(left, footer_top), (WIDTH - PADDING, footer_top)], fill=RULE, width=2)
    footer_face, footer_lines = fit(Block(card.footer, "regular", 28, 20), width)
    if footer_lines:
        draw.text((left, footer_top + (FOOTER_HEIGHT - footer_face.size) // 2 - 4), footer_lines[0],
                  font=footer_face, fill=SOFT)

    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, subsampling=0, optimize=True, progressive=True)
    return out.getvalue()


def _frame(draw: ImageDraw.ImageDraw, words: str) -> None:
    """The column a photo would fill, as a quiet frame: a lit candle and the years beneath it."""
    draw.rectangle([0, 0, PHOTO_WIDTH, HEIGHT], fill=FRAME)
    inset = 28
    draw.rectangle([inset, inset, PHOTO_WIDTH - inset, HEIGHT - inset], outline=RULE, width=2)
    middle, top = PHOTO_WIDTH // 2, 170
    draw.ellipse([middle - 46, top - 40, middle + 46, top + 62], fill=GLOW)               # the glow
    draw.polygon([(middle, top - 30), (middle + 20, top + 18), (middle, top + 44), (middle - 20, top + 18)],
                 fill=FLAME)                                                             # the flame
    draw.ellipse([middle - 20, top + 2, middle + 20, top + 44], fill=FLAME)
    draw.line([(middle, top + 38), (middle, top + 56)], fill=(60, 50, 40), width=3)      # the wick
    draw.rounded_rectangle([middle - 30, top + 56, middle + 30, top + 230], radius=6, fill=WAX)
    face, lines = fit(Block(words, "regular", 40, 28), PHOTO_WIDTH - 2 * inset - 40)
    y = top + 270
    for line in lines:
        draw.text((middle - face.getlength(line) / 2, y), line, font=face, fill=PAPER)
        y += _line_height(face)
