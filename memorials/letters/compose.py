"""Letters from data: a campaign's template, a member, a sender and the state's figures in; text out.

Pure: no database, no request. Templates are Markdown that admins write, with placeholders
such as {{ member_title }}; they are filled by one regular expression over a fixed set of
names, never by str.format, so nothing an admin or visitor types is evaluated. Visitor text
stays plain text: in HTML it is escaped and put in after the Markdown has been rendered.
"""
from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape

from ..text import render_markdown

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

# The placeholders a template may use, with what each becomes (shown to admins).
PLACEHOLDERS = {
    "member_title": "Representative, Senator, Delegate or Resident Commissioner",
    "member_name": "the member's full name",
    "member_last_name": "the member's last name",
    "chamber": "House or Senate",
    "state": "the sender's state, e.g. Ohio",
    "state_figures": "a sentence with the state's latest CDC counts (left out when none are loaded)",
    "personal_note": "the sender's own words (left out when they wrote none)",
    "sender_name": "the sender's name",
    "sender_city": "the sender's city",
}
# Placeholders that carry text the visitor typed: shown as written, never as markup.
VISITOR_TEXT = {"personal_note", "sender_name", "sender_city"}

HOUSE_ZIP, SENATE_ZIP = "20515", "20510"
CHAMBER_NAMES = {"house": "U.S. House of Representatives", "senate": "United States Senate"}


def unknown_placeholders(template: str) -> list[str]:
    """Placeholders in an admin's template that we would not fill, to refuse before saving."""
    names = {match.group(1) for match in PLACEHOLDER.finditer(template or "")}
    return sorted(names - PLACEHOLDERS.keys())


@dataclass(frozen=True)
class Member:
    """Who the letter goes to."""

    title: str
    full_name: str
    last_name: str
    chamber: str  # "house" or "senate"
    office: str | None = None  # "2136 Rayburn House Office Building"
    address: str | None = None  # "2136 Rayburn House Office Building Washington DC 20515-5101"


@dataclass(frozen=True)
class Sender:
    name: str
    address: str
    city: str
    state: str  # postal code
    state_name: str
    zip: str
    personal_note: str = ""


@dataclass
class Letter:
    member: Member
    date_line: str
    address_block: list[str]
    salutation: str
    body_html: Markup
    body_text: str
    closing: str
    signature: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole letter as plain text, to copy, paste into a contact form, or download."""
        parts = [self.date_line, "\n".join(self.address_block), self.salutation, self.body_text,
                 self.closing, "\n".join(self.signature)]
        return "\n\n".join(parts) + "\n"


def washington_address(member: Member) -> list[str]:
    """The office lines and 'Washington, DC 20515-NNNN' from the congress-legislators fields."""
    default_zip = SENATE_ZIP if member.chamber == "senate" else HOUSE_ZIP
    zip_match = re.search(r"(\d{5}(?:-\d{4})?)\s*$", member.address or "")
    lines = [member.office] if member.office else []
    lines.append(f"Washington, DC {zip_match.group(1) if zip_match else default_zip}")
    return lines


def address_block(member: Member) -> list[str]:
    return [f"The Honorable {member.full_name}", CHAMBER_NAMES[member.chamber], *washington_address(member)]


def salutation(member: Member) -> str:
    return f"Dear {member.title} {member.last_name}:"


def figures_sentence(figures, state_name: str) -> str:
    """The state's CDC figures in plain words, as its statistics page gives them; '' when there are none.

    figures (stats.queries.LatestFigures, or anything with the same attributes): overdose_deaths
    for the 12 months ending period_end (month_label where there is no period_end), and
    synthetic_opioid_deaths for the 12 months ending synthetic_period_end: the same months as the
    page unless it says otherwise, in which case each count is said with its own month.
    """
    if figures is None:
        return ""
    from flask_babel import gettext as _
    from flask_babel import ngettext

    from ..i18n import month_year, number

    place = _("the District of Columbia") if state_name == "District of Columbia" else state_name
    period_end = getattr(figures, "period_end", None)
    month = month_year(period_end) if period_end else getattr(figures, "month_label", "")
    overdose = getattr(figures, "overdose_deaths", None)
    synthetic = getattr(figures, "synthetic_opioid_deaths", None)
    synthetic_end = getattr(figures, "synthetic_period_end", None)
    sentences = []
    if overdose:
        sentences.append(ngettext(
            "According to the CDC's provisional counts, %(count)s person in %(place)s died of a drug overdose in the "
            "12 months ending %(month)s.",
            "According to the CDC's provisional counts, %(count)s people in %(place)s died of a drug overdose in the "
            "12 months ending %(month)s.", overdose, count=number(overdose), place=place, month=month))
    if synthetic:
        same_period = synthetic_end is None or synthetic_end == period_end
        if overdose and same_period:
            sentences.append(_("%(count)s of those deaths involved synthetic opioids other than methadone, which "
                               "means mostly illicit fentanyl.", count=number(synthetic)))
        else:
            sentences.append(_("In the 12 months ending %(month)s, %(count)s overdose deaths in %(place)s involved "
                               "synthetic opioids other than methadone, which means mostly illicit fentanyl.",
                               month=month_year(synthetic_end) if synthetic_end else month,
                               count=number(synthetic), place=place))
    return " ".join(sentences)


def compose(template: str, member: Member, sender: Sender, figures=None, today: date | None = None) -> Letter:
    """One letter to one member."""
    today = today or date.today()
    values = {
        "member_title": member.title,
        "member_name": member.full_name,
        "member_last_name": member.last_name,
        "chamber": "House" if member.chamber == "house" else "Senate",
        "state": sender.state_name,
        "state_figures": figures_sentence(figures, sender.state_name),
        "personal_note": _tidy(sender.personal_note),
        "sender_name": sender.name.strip(),
        "sender_city": sender.city.strip(),
    }
    body_html, body_text = fill(template, values)
    city_line = f"{sender.city.strip()}, {sender.state} {sender.zip}"
    return Letter(
        member=member,
        date_line=f"{today:%B} {today.day}, {today.year}",
        address_block=address_block(member),
        salutation=salutation(member),
        body_html=body_html,
        body_text=body_text,
        closing="Sincerely,",
        signature=[line for line in (sender.name.strip(), sender.address.strip(), city_line) if line],
    )


def fill(template: str, values: dict[str, str]) -> tuple[Markup, str]:
    """The template with its placeholders filled, as safe HTML and as plain text.

    Each placeholder first becomes an opaque token, so Markdown never sees the values; a
    paragraph that is only an empty placeholder is dropped.
    """
    nonce = secrets.token_hex(4)
    tokens: dict[str, str] = {}

    def to_token(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        token = f"zqx{nonce}{len(tokens)}xqz"
        tokens[token] = values[name]
        return token

    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", (template or "").replace("\r\n", "\n")):
        only = PLACEHOLDER.fullmatch(paragraph.strip())
        if only and only.group(1) in values and not values[only.group(1)]:
            continue
        paragraphs.append(PLACEHOLDER.sub(to_token, unwrap(paragraph)))
    rendered = str(render_markdown("\n\n".join(paragraphs)))

    body_html = rendered
    for token, value in tokens.items():
        body_html = body_html.replace(token, str(_visitor_html(value)))
    body_text = _html_to_text(rendered)
    for token, value in tokens.items():
        body_text = body_text.replace(token, value)
    return Markup(body_html), body_text


def unwrap(markdown_text: str) -> str:
    """Join lines an admin wrapped by hand, keeping list items and paragraphs apart.

    text.py keeps single line breaks (right for a family's story), so a template wrapped at
    72 columns would print with ragged breaks without this.
    """
    paragraphs = re.split(r"\n[ \t]*\n", (markdown_text or "").replace("\r\n", "\n").strip())
    return "\n\n".join(re.sub(r"[ \t]*\n[ \t]*(?![-*+] |\d+\. )", " ", p.strip()) for p in paragraphs)


def _visitor_html(value: str) -> Markup:
    """Plain text, escaped, its line breaks kept by CSS (white-space: pre-line)."""
    if "\n" not in value:
        return escape(value)
    return Markup('<span class="typed">{}</span>').format(value)


def _tidy(note: str | None) -> str:
    lines = [line.rstrip() for line in (note or "").replace("\r\n", "\n").strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _html_to_text(rendered: str) -> str:
    """The few tags render_markdown allows, as plain text: paragraphs, breaks, list items, links."""
    text = re.sub(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>',
                  lambda m: m.group(2) if m.group(2) == m.group(1) else f"{m.group(2)} ({m.group(1)})", rendered)
    text = re.sub(r"<br\s*/?>\n?", "\n", text)
    text = re.sub(r"<li>", "- ", text)
    text = re.sub(r"</(p|ul|ol|blockquote)>", "\n", text)
    text = re.sub(r"</?(p|ul|ol|blockquote|em|strong|li)>", "", text)
    text = html.unescape(text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = re.sub(r"\n(- )", r"\n\1", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
