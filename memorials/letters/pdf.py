"""Letters as a PDF: one letter per page, in a font that covers what visitors type."""
from __future__ import annotations

from pathlib import Path

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


def _font(pdf: FPDF) -> tuple[str, bool]:
    for path in FONT_CANDIDATES:
        if path.exists():
            pdf.add_font("LetterSerif", "", str(path))
            return "LetterSerif", True
    return "Times", False


def letters_pdf(letters: list[Letter]) -> bytes:
    pdf = FPDF(format="letter", unit="pt")
    pdf.set_margins(72, 72, 72)
    pdf.set_auto_page_break(True, margin=72)
    pdf.set_title("Letters to Congress")
    family, unicode = _font(pdf)

    def clean(text: str) -> str:
        if unicode:
            return text
        for old, new in PLAIN.items():
            text = text.replace(old, new)
        return text.encode("latin-1", "replace").decode("latin-1")

    for letter in letters:
        pdf.add_page()
        pdf.set_font(family, size=11.5)
        pdf.multi_cell(0, 16, clean(letter.text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
