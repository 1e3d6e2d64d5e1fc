"""The printable remembrance card: one US Letter page for a vigil or a funeral (fpdf2).

Pure: the words (already chosen and translated), the photo's bytes and the memorial's address in,
PDF bytes out. The QR code is drawn here as vector squares from segno's matrix, so it prints sharp
at any size and nothing is fetched from anywhere.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from .cards import FONT_FILES, FONTS

PAGE_W, PAGE_H = 612, 792          # US Letter, in points
MARGIN = 54
INK = (31, 35, 40)
MUTED = (87, 96, 106)
ACCENT = (31, 66, 70)
QR_SIDE = 108


@dataclass
class PrintableCard:
    name: str               # as the family chose to show it
    kicker: str             # "In loving memory"
    dates: str
    hometown: str
    line: str               # a short line from the story
    url: str                # the memorial's address, for the QR code and in words
    qr_caption: str
    site_name: str
    title: str              # the PDF's title
    language: str = "en"
    photo: bytes | None = None       # the family's photo, as stored (a JPEG)
    photo_size: tuple[int, int] | None = None


def _fonts(pdf: FPDF) -> None:
    for style, key in (("", "regular"), ("B", "bold"), ("I", "italic")):
        pdf.add_font("Card", style, str(FONTS / FONT_FILES[key]))


def _centered(pdf: FPDF, text: str, size: float, style: str = "", color=INK, line: float = 1.3,
              max_lines: int | None = None, min_size: float | None = None, link: str | None = None) -> None:
    """A centred paragraph; shrunk down to min_size so that it fits in max_lines."""
    width = PAGE_W - 2 * MARGIN
    if max_lines and min_size:
        while size > min_size:
            pdf.set_font("Card", style, size)
            lines = pdf.multi_cell(width, size * line, text, align="C", dry_run=True,
                                   output=MethodReturnValue.LINES)
            if len(lines) <= max_lines:
                break
            size -= 1
    pdf.set_font("Card", style, size)
    pdf.set_text_color(*color)
    pdf.set_x(MARGIN)
    pdf.multi_cell(width, size * line, text, align="C", new_x="LMARGIN", new_y="NEXT", link=link)


def _qr(pdf: FPDF, url: str, x: float, y: float, side: float) -> None:
    """The memorial's address as a QR code, drawn module by module (dark runs joined per row)."""
    code = segno.make(url, error="m", micro=False)
    rows = list(code.matrix_iter(scale=1, border=0))
    module = side / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        start = None
        for c, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")
                start = None


def render(card: PrintableCard) -> bytes:
    """One page: photo, name, dates, hometown, a line from the story, the QR code, the site's name."""
    pdf = FPDF(format="letter", unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(card.title)
    pdf.set_creator(card.site_name)
    pdf.set_lang(card.language)
    _fonts(pdf)
    pdf.add_page()

    # A thin frame, as on a printed memorial card.
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(MARGIN / 2, MARGIN / 2, PAGE_W - MARGIN, PAGE_H - MARGIN)

    y = MARGIN + 6
    if card.photo and card.photo_size:
        box_w, box_h = 300, 230
        w, h = card.photo_size
        scale = min(box_w / w, box_h / h)
        shown_w, shown_h = w * scale, h * scale
        pdf.image(io.BytesIO(card.photo), x=(PAGE_W - shown_w) / 2, y=y, w=shown_w, h=shown_h, alt_text=card.name)
        y += shown_h + 18
    else:
        y += 150
    pdf.set_y(y)

    _centered(pdf, card.kicker, 15, "I", MUTED)
    pdf.ln(4)
    _centered(pdf, card.name, 32, "B", INK, line=1.2, max_lines=2, min_size=18)
    pdf.ln(6)
    _centered(pdf, card.dates, 15, "", INK)
    if card.hometown:
        _centered(pdf, card.hometown, 13, "", MUTED)
    if card.line:
        pdf.ln(12)
        _centered(pdf, f"“{card.line}”", 13, "I", INK, line=1.45, max_lines=4, min_size=10)

    # The QR code and its caption sit at the foot of the page, whatever the story's length.
    qr_y = PAGE_H - MARGIN - QR_SIDE - 78
    _qr(pdf, card.url, (PAGE_W - QR_SIDE) / 2, qr_y, QR_SIDE)
    pdf.link((PAGE_W - QR_SIDE) / 2, qr_y, QR_SIDE, QR_SIDE, card.url)   # on a screen, a click does it
    pdf.set_y(qr_y + QR_SIDE + 10)
    _centered(pdf, card.qr_caption, 11, "", MUTED, max_lines=2, min_size=8)
    _centered(pdf, card.url, 9, "", MUTED, max_lines=2, min_size=6, link=card.url)
    pdf.ln(4)
    _centered(pdf, card.site_name, 11, "B", ACCENT)
    return bytes(pdf.output())
