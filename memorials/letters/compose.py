"""Letters from data: a campaign's template, a member, a sender and the state's figures in; text out.

Pure: no database, no request. Templates are Markdown that admins write, with placeholders
such as {{ member_title }}; they are filled by one regular expression over a fixed set of
names, never by str.format, so nothing an admin or visitor types is evaluated. Visitor text
stays plain text: in HTML it is escaped and put in after the Markdown has been rendered.
The letter's own fixed words (greeting, closing, the memorial sentence) go through gettext,
so a letter can be written in the page's language; dates and numbers through memorials.i18n.
"""
from __future__ import annotations

import dataclasses
import functools
import html
import re
import secrets
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape

from ..i18n import LANGUAGES, current_language, in_language, long_date, month_year, number
from ..text import render_markdown

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

# The placeholders a template may use, with what each becomes (shown to admins).
PLACEHOLDERS = {
    "member_title": _l("Representative, Senator, Delegate or Resident Commissioner; for a state campaign "
                       "Senator, Representative, Assemblymember, Delegate or Governor"),
    "member_name": _l("the member's full name"),
    "member_last_name": _l("the member's last name"),
    "chamber": _l("House or Senate; for a state campaign the chamber or office, like Ohio Senate"),
    "state": _l("the sender's state, e.g. Ohio"),
    "state_figures": _l("a sentence with the state's latest CDC counts (left out when none are loaded)"),
    "memorial": _l("a paragraph about the memorial the letter is written in memory of (left out when there "
                   "is none; when a template does not place it, it goes just before the sender's own words)"),
    "personal_note": _l("the sender's own words (left out when they wrote none)"),
    "sender_name": _l("the sender's name"),
    "sender_city": _l("the sender's city"),
}
# Placeholders that carry text the visitor typed: shown as written, never as markup.
VISITOR_TEXT = {"personal_note", "sender_name", "sender_city", "memorial"}

HOUSE_ZIP, SENATE_ZIP = "20515", "20510"
CHAMBER_NAMES = {"house": _l("U.S. House of Representatives"), "senate": _l("United States Senate")}


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
    chamber: str  # "house" or "senate"; for a state official upper, lower, legislature or governor
    office: str | None = None  # "2136 Rayburn House Office Building"
    address: str | None = None  # "2136 Rayburn House Office Building Washington DC 20515-5101"
    # A state official: the chamber or office the letter is addressed to ("Ohio Senate", "Governor of Ohio"),
    # and the mailing address's lines (mailing_lines).
    body: str | None = None
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sender:
    name: str
    address: str
    city: str
    state: str  # postal code
    state_name: str
    zip: str
    personal_note: str = ""


@dataclass(frozen=True)
class Remembered:
    """The memorial a letter is written in memory of, only as its family chose to show it."""

    name: str           # the display name: never a hidden surname
    died_year: int
    url: str            # the memorial's public address
    age: int | None = None
    place: str = ""     # "Dayton, Ohio", or "" when the family gave none


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
    edited: bool = False  # the sender changed the words of this letter on the letters page

    @property
    def head_text(self) -> str:
        """What comes before the body: date, address and greeting."""
        return "\n\n".join([self.date_line, "\n".join(self.address_block), self.salutation])

    @property
    def tail_text(self) -> str:
        """What comes after the body: the closing and the signature."""
        return "\n\n".join([self.closing, "\n".join(self.signature)])

    @property
    def text(self) -> str:
        """The whole letter as plain text, to copy, paste into a contact form, or download."""
        return "\n\n".join([self.head_text, self.body_text, self.tail_text]) + "\n"

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs as plain text (for the PDF)."""
        return [p.strip() for p in re.split(r"\n\s*\n", self.body_text) if p.strip()]

    def with_body(self, text: str) -> Letter:
        """This letter with the body the sender wrote on the letters page; unchanged words change nothing."""
        text = _tidy(text)
        if not text or text == self.body_text:
            return self
        body_html = Markup("\n").join(Markup("<p>{}</p>").format(_visitor_html(p))
                                       for p in re.split(r"\n\s*\n", text) if p.strip())
        return dataclasses.replace(self, body_text=text, body_html=body_html, edited=True)


def washington_address(member: Member) -> list[str]:
    """The office lines and 'Washington, DC 20515-NNNN' from the congress-legislators fields."""
    default_zip = SENATE_ZIP if member.chamber == "senate" else HOUSE_ZIP
    zip_match = re.search(r"(\d{5}(?:-\d{4})?)\s*$", member.address or "")
    lines = [member.office] if member.office else []
    lines.append(f"Washington, DC {zip_match.group(1) if zip_match else default_zip}")
    return lines


# Campaigns are written by moderators in English and Spanish. A letter in a language the campaign is not yet
# written in is our own sentences, in that language, around the campaign's ask kept exactly as written (and
# said to be in English).
SITE_FRAME = _l(
    # Translators: a whole letter to Congress; keep every {{ … }} exactly as it is. {{ campaign_ask }} is the
    # campaign's own text, in English, and must stay a paragraph of its own.
    "I live in {{ sender_city }}, {{ state }}, and you represent me in Congress. I am writing to ask you to act "
    "on a cause that matters deeply to me: “{{ campaign_title }}”.\n\n"
    "{{ state_figures }}\n\n"
    "{{ memorial }}\n\n"
    "This is what I am asking of you, in the campaign's own words, which are written in English:\n\n"
    "{{ campaign_ask }}\n\n"
    "{{ personal_note }}\n\n"
    "Please act now: every month of waiting costs lives. Thank you for reading my letter, and I look forward "
    "to your reply.")

# The first paragraph of a letter to a state lawmaker or governor in that case; the rest is SITE_FRAME's.
STATE_OPENING = _l(
    # Translators: the first paragraph of a letter to a state lawmaker or governor; keep every {{ … }} as it is.
    "I live in {{ sender_city }}, {{ state }}, and I am writing to you as your constituent, to ask you to act on "
    "a cause that matters deeply to me: “{{ campaign_title }}”.")

# Languages whose words for a member (senador, senadora; delegado, delegada) say a gender that the
# congress-legislators data we keep does not give: there members are named by their full name only.
NAME_WITHOUT_TITLE = {"es"}


def letter_template(template: str, template_language: str, ask: str, *, state: bool = False) -> str:
    """What a letter in the current language is filled from: the campaign's own template when it is in this
    language, else our sentences in this language around the campaign's ask as written."""
    if current_language() == template_language:
        return template
    frame = str(SITE_FRAME)
    if state:  # not "you represent me in Congress": the rest is the same letter
        frame = str(STATE_OPENING) + "\n\n" + frame.split("\n\n", 1)[1]
    return frame.replace("{{ campaign_ask }}", (ask or "").strip())


def member_name(title: str, last_name: str, full_name: str, *, full: bool = False) -> str:
    """'Senator Moreno' ('Senator Bernie Moreno' when full), or just 'Bernie Moreno' where titles say a gender."""
    if current_language() in NAME_WITHOUT_TITLE:
        return full_name
    return f"{title} {full_name if full else last_name}"


def mailing_lines(address: str | None) -> tuple[str, ...]:
    """'Room 165, Lowe House Office Building, Annapolis, MD 21401' -> ('Room 165', 'Lowe House Office Building',
    'Annapolis, MD 21401'); () for anything that is not a whole address (no ZIP code at its end)."""
    address = " ".join((address or "").split())
    if not re.search(r"\b\d{5}(?:-\d{4})?$", address):
        return ()
    parts = [part.strip() for part in address.split(";") if part.strip()]
    last = parts.pop()
    city = re.match(r"^(.*?),\s*([^,]+,\s*[A-Z]{2}\.?,?\s+\d{5}(?:-\d{4})?)$", last)
    if city:
        parts += [part.strip() for part in city.group(1).split(",") if part.strip()]
        last = city.group(2)
    return (*parts, last)


def address_block(member: Member) -> list[str]:
    honorable = _("The Honorable %(name)s", name=member.full_name)
    if member.body is not None:
        return [honorable, member.body, *member.lines]
    return [honorable, str(CHAMBER_NAMES[member.chamber]), *washington_address(member)]


def salutation(member: Member) -> str:
    if current_language() in NAME_WITHOUT_TITLE:
        # Translators: the greeting of a letter to a member of Congress, by full name (no title: see compose.py).
        return _("Dear %(full_name)s:", full_name=member.full_name)
    return _("Dear %(title)s %(last_name)s:", title=member.title, last_name=member.last_name)


def figures_sentence(figures, state_name: str) -> str:
    """The state's CDC figures in plain words, as its statistics page gives them; '' when there are none.

    figures (stats.queries.LatestFigures, or anything with the same attributes): overdose_deaths
    for the 12 months ending period_end (month_label where there is no period_end), and
    synthetic_opioid_deaths for the 12 months ending synthetic_period_end: the same months as the
    page unless it says otherwise, in which case each count is said with its own month.
    """
    if figures is None:
        return ""
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


# "He was my son", "era mi hijo": the start of a sentence the letter says itself.
ALREADY_SAID = r"^(?:(?:he|she|they)\s+(?:was|were|is)|was|were|is|(?:él|ella)\s+(?:era|fue|es)|era|fue|es)\s+"
# "my", "mi" and "su" (an answer to "¿Quién era … para usted?"): the letter puts its own possessive back.
POSSESSIVE = r"^(my|our|your|mi|mis|su|sus|tu|tus|nuestro|nuestra)\s+"
# Words that already say whose (or which) person it was: "a friend", "the son of my sister", "un amigo".
DETERMINERS = {"a", "an", "the", "his", "her", "their", "un", "una", "el", "la", "los", "las"}


def _answer(relation: str | None) -> str:
    """What the writer typed, as an answer: 'He was my son.' -> 'my son'."""
    answer = " ".join((relation or "").split()).strip(" .,;:!¡¿?")
    return re.sub(ALREADY_SAID, "", answer, flags=re.IGNORECASE)


def clean_relation(relation: str | None) -> str:
    """'My daughter' -> 'daughter' ('mi hija', 'su hija' -> 'hija'): the writer's word, without the possessive the
    letter puts back in its own language."""
    return re.sub(POSSESSIVE, "", _answer(relation), flags=re.IGNORECASE)[:60]


# Relations a writer may give in English, as a letter in another language says them. Each word carries its
# own gender (or none is needed), so nothing is guessed; an English word without a gender ("child", "friend")
# becomes a sentence that needs none in a language whose word would need one.
RELATIONS = {
    "daughter": _l("daughter"), "son": _l("son"), "mother": _l("mother"), "father": _l("father"),
    "mom": _l("mother"), "dad": _l("father"), "sister": _l("sister"), "brother": _l("brother"),
    "wife": _l("wife"), "husband": _l("husband"), "granddaughter": _l("granddaughter"),
    "grandson": _l("grandson"), "grandmother": _l("grandmother"), "grandfather": _l("grandfather"),
    "aunt": _l("aunt"), "uncle": _l("uncle"), "niece": _l("niece"), "nephew": _l("nephew"),
    "girlfriend": _l("girlfriend"), "boyfriend": _l("boyfriend"), "stepdaughter": _l("stepdaughter"),
    "stepson": _l("stepson"), "stepmother": _l("stepmother"), "stepfather": _l("stepfather"),
}
WITHOUT_GENDER = {"child", "sibling", "parent", "grandchild", "grandparent", "cousin", "friend", "best friend",
                  "spouse", "partner", "twin", "stepchild", "stepparent", "fiance", "fiancé", "loved one"}


def relation_in_letter(relation: str | None) -> tuple[str, str]:
    """('word', 'my son'), ('neutral', '') or ('none', ''): how a letter in the current language names who the
    person was to the writer, whatever they typed ("son", "My son", "he was my son", "su hijo", "a friend").
    What the writer typed is kept unless it is a word we can say in the letter's language without a guess."""
    typed = _answer(relation)
    word = clean_relation(typed)
    if not word:
        return "none", ""
    if word.split()[0].lower() in DETERMINERS and word == typed:  # "a friend", "un amigo": as typed
        return "word", _mid_sentence(word)
    said = word.lower()
    if current_language() == "en":
        word = relation_for_english(word)
    elif said in RELATIONS:
        word = str(RELATIONS[said])
    elif said in WITHOUT_GENDER:
        return "neutral", ""
    # Translators: "my" before who the person was to the writer ("my son"); Spanish "mi".
    return "word", _("my %(relation)s", relation=_mid_sentence(word))


def _mid_sentence(words: str) -> str:
    """'Son' -> 'son', 'Best friend' -> 'best friend' (said mid-sentence); 'Grandma Rose' stays as typed."""
    return words[:1].lower() + words[1:] if not any(ch.isupper() for ch in words[1:]) else words


def relation_for_english(relation: str | None) -> str:
    """A relation typed in another of our languages ('hija'), said in English ('daughter') for an English
    letter when it is one of the words we know; anything else as typed."""
    said = clean_relation(relation)
    for language in LANGUAGES:
        if language == "en":
            continue
        with in_language(language):
            known = {str(word).lower(): english for english, word in RELATIONS.items()
                     if english not in ("mom", "dad")}
        if said.lower() in known:
            return known[said.lower()]
    return said


def memorial_paragraph(remembered: Remembered | None, relation: str = "") -> str:
    """One paragraph in memory of a memorial, in words that fit who is writing; '' without one.

    The name, age, place and year are said once. A writer who says who the person was to them ("my son",
    "a friend") names them so ("Daniel, my son, died at 25..."); anyone else writes in their memory. No
    pronoun is guessed: only the name is used.
    """
    if remembered is None:
        return ""
    values = {"name": remembered.name, "age": number(remembered.age), "place": remembered.place,
              "year": str(remembered.died_year)}
    age = remembered.age or 0
    if remembered.age is not None and remembered.place:
        died = ngettext("died at %(age)s in %(place)s, in %(year)s", "died at %(age)s in %(place)s, in %(year)s",
                        age, **values)
    elif remembered.age is not None:
        died = ngettext("died at %(age)s in %(year)s", "died at %(age)s in %(year)s", age, **values)
    elif remembered.place:
        died = _("died in %(place)s, in %(year)s", **values)
    else:
        died = _("died in %(year)s", **values)
    kind, relation = relation_in_letter(relation)
    story = _("You can read more at %(url)s.", url=remembered.url)
    if kind == "word":
        return _("%(name)s, %(relation)s, %(died)s.", name=remembered.name, relation=relation, died=died) + " " + story
    if kind == "neutral":
        return _("I am writing because I lost %(name)s, someone I love, who %(died)s.", name=remembered.name,
                 died=died) + " " + story
    return (_("I am writing in memory of %(name)s, who %(died)s.", name=remembered.name, died=died) + " "
            + _("Their family tells their story at %(url)s.", url=remembered.url))


def with_memorial_slot(template: str) -> str:
    """The template with a {{ memorial }} paragraph: where it placed one, else before the sender's words."""
    if re.search(r"\{\{\s*memorial\s*\}\}", template or ""):
        return template
    note = re.search(r"^[ \t]*\{\{\s*personal_note\s*\}\}", template or "", flags=re.MULTILINE)
    if note:
        return template[:note.start()] + "{{ memorial }}\n\n" + template[note.start():]
    first, _sep, rest = (template or "").partition("\n\n")
    return first + "\n\n{{ memorial }}" + ("\n\n" + rest if rest else "")


def compose(template: str, member: Member, sender: Sender, figures=None, today: date | None = None,
            remembered: Remembered | None = None, relation: str = "", figures_text: str | None = None,
            campaign_title: str = "") -> Letter:
    """One letter to one member, in the current language (figures_text: the figures sentence when the
    caller already made it; campaign_title: for the sentences a letter in another language says around
    the campaign's ask)."""
    today = today or date.today()
    values = {
        "member_title": member.title,
        "member_name": member.full_name,
        "member_last_name": member.last_name,
        "chamber": member.body or (_("House") if member.chamber == "house" else _("Senate")),
        "state": sender.state_name,
        "state_figures": figures_sentence(figures, sender.state_name) if figures_text is None else figures_text,
        "memorial": memorial_paragraph(remembered, relation),
        "personal_note": _tidy(sender.personal_note),
        "sender_name": sender.name.strip(),
        "sender_city": sender.city.strip(),
        "campaign_title": campaign_title,
    }
    body_html, body_text = fill(with_memorial_slot(template), values)
    city_line = f"{sender.city.strip()}, {sender.state} {sender.zip}"
    return Letter(
        member=member,
        date_line=long_date(today),
        address_block=address_block(member),
        salutation=salutation(member),
        body_html=body_html,
        body_text=body_text,
        closing=_("Sincerely,"),
        signature=[line for line in (sender.name.strip(), sender.address.strip(), city_line) if line],
    )


def fill(template: str, values: dict[str, str]) -> tuple[Markup, str]:
    """The template with its placeholders filled, as safe HTML and as plain text.

    Each placeholder first becomes an opaque token, so Markdown never sees the values; a
    paragraph that is only an empty placeholder is dropped. The template is rendered once per
    (template, placeholders filled, placeholders empty) and kept: a page of three letters, and
    the next visitor's, only swap the tokens.
    """
    empty = frozenset(name for name, value in values.items() if not value)
    rendered, text, tokens = _rendered(template or "", frozenset(values), empty)
    body_html, body_text = rendered, text
    for token, name in tokens.items():
        body_html = body_html.replace(token, str(_visitor_html(values[name])))
        body_text = body_text.replace(token, values[name])
    return Markup(body_html), body_text


@functools.lru_cache(maxsize=128)
def _rendered(template: str, names: frozenset[str], empty: frozenset[str]) -> tuple[str, str, dict[str, str]]:
    """The template as HTML and as text with a token for each placeholder, and {token: placeholder}."""
    nonce = secrets.token_hex(4)  # so that no admin's text can look like a token
    tokens: dict[str, str] = {}

    def to_token(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            return match.group(0)
        token = f"zqx{nonce}{len(tokens)}xqz"
        tokens[token] = name
        return token

    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", template.replace("\r\n", "\n")):
        only = PLACEHOLDER.fullmatch(paragraph.strip())
        if only and only.group(1) in empty:
            continue
        paragraphs.append(PLACEHOLDER.sub(to_token, unwrap(paragraph)))
    rendered = str(render_markdown("\n\n".join(paragraphs)))
    return rendered, _html_to_text(rendered), tokens


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
