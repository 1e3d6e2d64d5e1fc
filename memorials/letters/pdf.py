"""Letters as a PDF: each on its own page, in a font that covers what visitors type.

A letter is set ragged right at the largest size (11.5 pt down to 10 pt) at which it fits one US Letter
page. A letter too long for that flows on, but its closing and signature always stay with the
last lines of its last paragraph: a signature is never alone on a page.
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF

from .compose import Letter

# A Unicode font when the system has one (names like Hernández, curly quotes); else a core font.
FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSerif.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSerif.ttf"),
]
PLAIN = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "--",
         "\u2026": "...", "\u00a0": " "}
MARGIN = 72  # one inch
SIZES = (11.5, 11.0, 10.5, 10.0)  # points, largest first
LEADING = 1.38  # line height as a multiple of the font size
# Space after each part, in lines: date, address, greeting, each paragraph, closing (room to sign).
AFTER_DATE, AFTER_ADDRESS, AFTER_GREETING, AFTER_PARAGRAPH, AFTER_CLOSING = 1.4, 1.0, 0.8, 0.7, 2.4
TAIL_LINES = 3  # the last lines of the last paragraph that go with the closing
# Ragged right, as a letter is typed: justified lines stretch the gaps before a long link or address.
ALIGN = "L"


def _font(pdf: FPDF) -> tuple[str, bool]:
    for path in FONT_CANDIDATES:
        if path.exists():
            pdf.add_font("LetterSerif", "", str(path))
            return "LetterSerif", True
    return "Times", False


class _Layout:
    """One letter's parts, measured and written at one size."""

    def __init__(self, pdf: FPDF, family: str, size: float, letter: Letter, clean):
        self.pdf, self.family, self.size, self.line = pdf, family, size, size * LEADING
        self.head = [(clean(letter.date_line), AFTER_DATE), (clean("\n".join(letter.address_block)), AFTER_ADDRESS),
                     (clean(letter.salutation), AFTER_GREETING)]
        paragraphs = [clean(p) for p in letter.paragraphs] or [""]
        self.body = [(p, AFTER_PARAGRAPH) for p in paragraphs[:-1]]
        self.last = paragraphs[-1]
        self.closing = clean(letter.closing)
        self.signature = clean("\n".join(letter.signature))

    def _height(self, text: str) -> float:
        return self.pdf.multi_cell(0, self.line, text, align=ALIGN, dry_run=True, output="HEIGHT") if text else 0

    def height(self) -> float:
        self.pdf.set_font(self.family, size=self.size)
        parts = [*self.head, *self.body, (self.last, AFTER_PARAGRAPH), (self.closing, AFTER_CLOSING),
                 (self.signature, 0)]
        return sum(self._height(text) + gap * self.line for text, gap in parts)

    def write(self) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, size=self.size)
        for text, gap in [*self.head, *self.body]:
            self._paragraph(pdf, text, gap)
        lines = pdf.multi_cell(0, self.line, self.last, align=ALIGN, dry_run=True, output="LINES") if self.last else []
        keep = len(lines) if len(lines) <= TAIL_LINES + 1 else TAIL_LINES
        if lines[:-keep]:
            self._paragraph(pdf, "\n".join(lines[:-keep]), 0)
        # The end of the letter is never split: if it does not fit here, all of it starts the next page.
        with pdf.unbreakable() as block:
            if lines:
                self._paragraph(block, "\n".join(lines[-keep:]), AFTER_PARAGRAPH)
            self._paragraph(block, self.closing, AFTER_CLOSING)
            self._paragraph(block, self.signature, 0)

    def _paragraph(self, target, text: str, gap: float) -> None:
        if text:
            target.multi_cell(0, self.line, text, align=ALIGN, new_x="LMARGIN", new_y="NEXT")
        if gap:
            target.ln(gap * self.line)


def letters_pdf(letters: list[Letter], *, state: bool = False) -> bytes:
    """One page per letter when it fits (it nearly always does), in the order given (state: to state leaders)."""
    pdf = FPDF(format="letter", unit="pt")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(_("Letters to state leaders") if state else _("Letters to Congress"))
    family, unicode = _font(pdf)
    room = pdf.h - 2 * MARGIN

    def clean(text: str) -> str:
        if unicode:
            return text
        for old, new in PLAIN.items():
            text = text.replace(old, new)
        return text.encode("latin-1", "replace").decode("latin-1")

    for letter in letters:
        pdf.add_page()
        layouts = [_Layout(pdf, family, size, letter, clean) for size in SIZES]
        fitting = next((layout for layout in layouts if layout.height() <= room), layouts[1])
        fitting.write()
    return bytes(pdf.output())
