"""Campaign pages and the letter form: find the members, write the letters, call, print or download them."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from babel.lists import format_list
from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import mail
from ..extensions import db, limiter
from ..i18n import current_language, in_language
from ..responses import never_kept, private_page, public_page
from ..slugs import is_slug
from ..stats.queries import latest_figures
from ..states import state_name
from ..text import one_line
from . import chambers, lookup, memorials, services, statehouse, writing
from .compose import WITHOUT_GENDER, Letter, clean_relation, member_name
from .forms import STATE_NOTE_PROMPTS, LetterForm
from .models import PUBLIC_STATUSES, Campaign, LetterDataset

bp = Blueprint("letters", __name__, url_prefix="/letters")


def state_figures(code: str):
    """The state's latest CDC counts from the statistics feature, or None when it has none."""
    return latest_figures(code)


def _campaign(slug: str) -> Campaign:
    """The public campaign at this address (live, won or closed); 404 for anything else (checked before the
    database sees it)."""
    if not is_slug(slug):
        abort(404)
    return db.first_or_404(db.select(Campaign).where(Campaign.slug == slug, Campaign.status.in_(PUBLIC_STATUSES)))


def _live_campaign(slug: str) -> Campaign:
    """The campaign a post writes for: a won or closed one takes no more letters, and its page says why."""
    campaign = _campaign(slug)
    if not campaign.is_live:
        abort(redirect(url_for("letters.campaign", slug=campaign.slug), 303))
    return campaign


def _datasets() -> dict[str, LetterDataset]:
    return {d.kind: d for d in db.session.execute(db.select(LetterDataset)).scalars()}


def _arg(name: str) -> str:
    """A query-string value as one line of plain text (other control characters never reach here: see web.py)."""
    return one_line(request.args.get(name, ""))[:200]


def _memorial(slug: str) -> tuple[memorials.Attached | None, str | None]:
    """The memorial a letter is written in memory of, or a plain note when the address names none."""
    if not slug:
        return None, None
    attached = memorials.attached_memorial(slug)
    return attached, None if attached else memorials.ignored_note()


PER_PAGE = 30


@bp.get("/")
@public_page(shared=60, keys=("letters",))
def index():
    """The live campaigns with their running counts, then the won and closed ones ("Done"), a page at a time;
    with ?memorial=, each opens in that memory."""
    attached, note = _memorial(_arg("memorial"))
    page = request.args.get("page", 1, type=int) or 1
    page = min(max(page, 1), 10_000)
    campaigns = services.public_campaigns(PER_PAGE + 1, (page - 1) * PER_PAGE)  # one more: is there a next page?
    shown = campaigns[:PER_PAGE]
    return render_template("letters/index.html", campaigns=[c for c in shown if c.is_live],
                           done=[c for c in shown if c.is_done], page=page, more=len(campaigns) > PER_PAGE,
                           attached=attached, memorial_note=note,
                           relation=clean_relation(_arg("relation")) if attached else "")


def _letter_form() -> LetterForm:
    form = LetterForm()
    if not current_app.config["MAIL_SERVER"]:
        # With no mail server a copy could only be written to a file: don't offer it at all.
        del form.email
    return form


def suggested_in_page_language(relation: str) -> str:
    """The relation a link suggests ('child'), kept on an English page; on another, left for the family to
    write, since the word there would have to guess a gender (hijo, hija)."""
    if current_language() == "en" or relation.lower() not in WITHOUT_GENDER:
        return relation
    return ""


@dataclass
class Question:
    """A district question on the letter form: which district of this chamber the visitor lives in."""

    field: object  # the form's radio field, its choices set
    legend: str


def _form_page(campaign: Campaign, form: LetterForm, attached, note=None, found=None,
               questions: list[Question] | None = None) -> str:
    form.memorial.data = attached.slug if attached else ""
    if attached:
        form.relation.label.text = _("Who was %(name)s to you?", name=attached.remembered.name)
        if request.method == "GET":
            form.relation.data = suggested_in_page_language(clean_relation(_arg("relation")))
    if campaign.is_state:
        form.zip.description = _("We use it only to find your state lawmakers.")
        form.personal_note.description = STATE_NOTE_PROMPTS
    return render_template("letters/campaign.html", campaign=campaign, text=campaign.text(current_language()),
                           form=form, found=found, questions=questions or [], attached=attached,
                           memorial_note=note, states_writing=services.states_writing(campaign),
                           datasets=_datasets())


DOWNLOADS = ("pdf", "txt")
# Every post from the letter form and the letters page counts against one limit, whichever button sent it;
# reading a campaign counts for nothing (a school or a library shares one address).
posts = limiter.shared_limit("20 per minute;200 per hour", scope="letters-post", methods=["POST"])


@dataclass
class Written:
    """A letter form that was sent, checked and looked up: everything a letters page or a download needs.
    For Congress, found and area; for a state campaign, statehouse and choice."""

    campaign: Campaign
    form: LetterForm
    sheets: list[writing.Sheet]
    figures: object
    attached: memorials.Attached | None
    note: str | None
    found: lookup.Lookup | None = None
    area: lookup.Area | None = None
    statehouse: statehouse.StateLookup | None = None
    choice: writing.StateChoice | None = None

    @property
    def state(self) -> str:
        return self.area.state if self.area else self.choice.state


@bp.route("/<slug>", methods=["GET", "POST"])
@posts
@never_kept  # each form carries its own one-time token: a kept page would share one between visitors
def campaign(slug):
    """The campaign and its form (or, won or closed, what happened and its totals); the form sent answers
    with the letters (counted once), or asks which district."""
    campaign = _campaign(slug)
    form = _letter_form()
    if request.method == "GET":
        form.once.data = services.new_token()
        attached, note = _memorial(_arg("memorial"))
        return _form_page(campaign, form, attached, note)
    if not campaign.is_live:
        return redirect(url_for("letters.campaign", slug=campaign.slug), 303)
    written = _written(campaign, form)
    if not isinstance(written, Written):
        return written  # the form again: a message beside a field, or a district question
    attached = written.attached
    services.count_letters_once(form.once.data, campaign, written.state, len(written.sheets),
                                attached.story_id if attached else None)
    return _letters_page(written, copied=_email_copy(campaign, form, written.sheets))


@bp.post("/<slug>/change")
@posts
@private_page   # the sender's name, address and words
def change(slug):
    """"Change my letter": back to the form with everything typed (edits to single letters are left behind)."""
    campaign = _live_campaign(slug)
    form = _letter_form()
    attached, note = _memorial(form.memorial.data or "")
    return _form_page(campaign, form, attached, note)


@bp.post("/<slug>/edits")
@posts
@private_page   # the sender's name, address and words
def show_edits(slug):
    """"Show my changes" (without script): the letters page again, with the words the sender changed."""
    written = _written(_live_campaign(slug), _letter_form())
    return _letters_page(written) if isinstance(written, Written) else written


@bp.post("/<slug>/download/<kind>")
@posts
@private_page   # the sender's name, address and words
def download(slug, kind):
    """Every letter, or the one the button names, as a file (kind: pdf or txt); the sender's details travel only in
    the POST body."""
    if kind not in DOWNLOADS:
        abort(404)
    written = _written(_live_campaign(slug), _letter_form())
    if not isinstance(written, Written):
        return written
    member = written.form.member.data
    chosen = [s.letter for s in written.sheets if not member or s.key == member]
    if not chosen:
        abort(400)
    return _download(written.campaign, chosen, kind, written.form.chosen_language())


@bp.post("/<slug>/called")
@posts
@private_page   # the sender's name, address and words
def called(slug):
    """"I called": one call to one member of this letters page, counted once; JSON for the page's script."""
    written = _written(_live_campaign(slug), _letter_form())
    if not isinstance(written, Written):
        return written
    sheet = next((s for s in written.sheets if s.key == written.form.member.data), None)
    if sheet is None:
        abort(400)
    if services.count_call_once(written.form.once.data, written.campaign, written.state, sheet.key):
        answer = True, _("Thank you for calling %(member)s. Your call is counted.", member=sheet.name)
    else:
        answer = False, _("Thank you. Your call to %(member)s is already counted.", member=sheet.name)
    if request.accept_mimetypes.best == "application/json":
        db.session.commit()
        return jsonify(message=answer[1], counted=answer[0])
    return _letters_page(written, called=(sheet.key, answer[1]))


def _written(campaign: Campaign, form: LetterForm) -> Written | str:
    """The form checked and its ZIP looked up, with a sheet per recipient; else the form page to answer with
    (a message beside a field, or a district question)."""
    attached, note = _memorial(form.memorial.data or "")
    if not form.validate():
        return _form_page(campaign, form, attached, note)
    if campaign.is_state:
        return _written_to_statehouse(campaign, form, attached, note)
    try:
        found = lookup.find(form.zip.data)
    except (lookup.MalformedZip, lookup.UnknownZip) as error:
        form.zip.errors = [str(error)]
        return _form_page(campaign, form, attached, note)
    form.zip.data = found.zip
    area = found.area_for(form.district.data)
    if area is None:
        return _district_question(campaign, form, found, attached, note)
    figures = state_figures(area.state)
    sheets = writing.sheets(campaign, found, area, form, figures, attached.remembered if attached else None)
    return Written(campaign, form, sheets, figures, attached, note, found=found, area=area)


def _written_to_statehouse(campaign: Campaign, form: LetterForm, attached, note) -> Written | str:
    """A state campaign's letters: the ZIP's state, the district the visitor lives in for each chamber the
    campaign writes to (asked when the ZIP touches several), and the governor."""
    try:
        zcta = lookup.clean_zip(form.zip.data)
    except lookup.MalformedZip as error:
        form.zip.errors = [str(error)]
        return _form_page(campaign, form, attached, note)
    form.zip.data = zcta
    found = statehouse.find(zcta)
    if not found.seats:
        form.zip.errors = [_no_statehouse_message(zcta)]
        return _form_page(campaign, form, attached, note)
    state = campaign.state or found.state
    if campaign.state and campaign.state not in found.states:
        form.zip.errors = [_("This campaign writes to lawmakers in %(state)s, and ZIP code %(zip)s is in %(other)s. "
                             "Please check your ZIP code, or choose a campaign for your state.",
                             state=state_name(campaign.state), zip=zcta,
                             other=" / ".join(state_name(s) for s in found.states))]
        return _form_page(campaign, form, attached, note)
    recipients = set(campaign.recipient_list)
    if "lower" in recipients and state in statehouse.UNICAMERAL:
        recipients.add("upper")   # Nebraska's one chamber is both: its senators answer for the "lower" one too
    chambers_asked = [c for c in statehouse.CHAMBERS if c in recipients] or (["upper"] if state is None else [])
    seats, questions = [], []
    for chamber in chambers_asked:
        field = form.upper_district if chamber == "upper" else form.lower_district
        seat = found.seat_for(chamber, field.data, state)
        if seat is not None:
            state = state or seat.state
            seats.append(seat)
        elif found.in_chamber(chamber, state):
            questions.append(_state_question(form, found, chamber, field, state))
    if questions:
        form.state_district_zip.data = zcta
        return _form_page(campaign, form, attached, note, questions=questions)
    choice = writing.StateChoice(state, [s for s in seats if s.chamber in recipients], found.governors.get(state),
                                 "governor" in recipients)
    figures = state_figures(state)
    sheets = writing.state_sheets(campaign, found, choice, form, figures, attached.remembered if attached else None)
    return Written(campaign, form, sheets, figures, attached, note, statehouse=found, choice=choice)


def _no_statehouse_message(zcta: str) -> str:
    """Why a ZIP code has no state lawmakers to write to: DC or a territory, a ZIP we don't know, or one the
    state table lacks."""
    try:
        congress = lookup.find(zcta)
    except lookup.UnknownZip as error:
        return str(error)
    if statehouse.no_statehouse(congress.states):
        return statehouse.no_statehouse_note(congress.states) + " " + _(
            "Please choose one of the campaigns to Congress instead.")
    return _("We couldn't match ZIP code %(zip)s to your state's legislative districts. If it is a PO box or "
             "business ZIP code, please try the ZIP code of where you live.", zip=zcta)


def _state_question(form, found: statehouse.StateLookup, chamber: str, field, state: str | None) -> Question:
    """Ask which district of this chamber the visitor lives in, naming its members; sent back without an
    answer (or with one that is not among them), it is an error."""
    seats = found.in_chamber(chamber, state)
    field.choices = [(found.choice_value(seat), _state_choice_label(seat, found.state is None)) for seat in seats]
    if field.data:
        field.errors = [_("Please choose one of these districts.")]
    elif form.state_district_zip.data == found.zip:
        field.errors = [_("Please choose the district you live in.")]
    legend = _("%(chamber)s: ZIP code %(zip)s is split between %(count)s districts. Which one do you live in?",
               chamber=seats[0].body if state else _("State legislature"), zip=found.zip, count=len(seats))
    return Question(field, legend)


def _state_choice_label(seat: statehouse.StateSeat, with_state: bool) -> str:
    """'District 12: Senator Jane Doe', '1st Barnstable: Representatives A and B', 'District 4: the seat is vacant'."""
    if seat.vacant:
        holders = _("the seat is vacant")
    else:
        names = [member_name(chambers.official_title(o.state, o.chamber), o.family_name, o.name, full=True)
                 for o in seat.members]
        holders = format_list(names, locale=current_language())
    place = f"{state_name(seat.state)}, {seat.label}" if with_state else seat.label
    return _("%(district)s: %(holders)s", district=place, holders=holders)


def _letters_page(written: Written, *, copied: bool | None = None, called: tuple[str, str] | None = None) -> str:
    page = render_template("letters/letters.html", campaign=written.campaign,
                           text=written.campaign.text(current_language()), form=written.form, written=written,
                           found=written.found, area=written.area, sheets=written.sheets, figures=written.figures,
                           copied=copied, called=called, attached=written.attached, memorial_note=written.note,
                           datasets=_datasets())
    db.session.commit()  # after rendering: nothing the page reads is loaded again
    return page


def _district_question(campaign, form, found, attached, note):
    """Ask which district; asked already for this ZIP and sent back without an answer, it is an error."""
    form.district.choices = [(found.choice_value(a), _choice_label(a)) for a in found.areas]
    if form.district.data:
        form.district.errors = [_("Please choose one of these districts.")]
    elif form.district_zip.data == found.zip:
        form.district.errors = [_("Please choose the district you live in.")]
    form.district_zip.data = found.zip
    return _form_page(campaign, form, attached, note, found)


def _email_copy(campaign, form, sheets) -> bool | None:
    """Queue the copy the sender asked for (private: its words are erased once sent or given up on)."""
    if not (form.email and form.email.data):
        return None
    digest = hashlib.sha256("".join(s.letter.text for s in sheets).encode()).hexdigest()
    if not services.use_once(form.once.data, f"copy:{digest}"):
        return True  # these very letters were sent already: a reload sends nothing more
    # In the page's language around the letters, which are in the language the sender chose for them.
    text = campaign.text(current_language())
    body = render_template("letters/copy_email.txt", campaign=campaign, text=text, sheets=sheets)
    subject = (_("Your letters to your state lawmakers: %(title)s", title=text.title) if campaign.is_state
               else _("Your letters to Congress: %(title)s", title=text.title))
    mail.queue(form.email.data, subject, body, kind="letter_copy", private=True)
    return True


def _choice_label(area: lookup.Area) -> str:
    member = area.house.member
    holder = member_name(member.title, member.last_name, member.full_name, full=True) if member else _(
        "the seat is vacant")
    return f"{area.house.label} ({holder})"


def _download(campaign: Campaign, letters: list[Letter], kind: str, language: str) -> Response:
    """One letter or all of them, as a file (the PDF's own words in the letters' language); the sender's
    details travel only in the POST body."""
    name = campaign.slug if len(letters) > 1 else f"{campaign.slug}-{letters[0].member.last_name}"
    name = re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-").lower() or "letter"
    if kind == "txt":
        body = ("\n" + "-" * 60 + "\n\n").join(letter.text for letter in letters)
        response = Response(body, mimetype="text/plain")
    else:
        from .pdf import letters_pdf  # fpdf2 takes 0.2 s to import: only when someone downloads a PDF

        with in_language(language):
            data = letters_pdf(letters, state=campaign.is_state)
        response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="letter-{name}.{kind}"'
    return response


# The parties in the congress-legislators data, as the page's language names them (an adjective
# like "demócrata" or "republicano" would need the member's gender: the party's name does not).
PARTIES = {"Democrat": _l("Democrat"), "Democratic": _l("Democrat"), "Republican": _l("Republican"),
           "Independent": _l("Independent"), "Nonpartisan": _l("Nonpartisan")}


@bp.app_template_filter("party_label")
def party_label(party: str | None) -> str:
    """'Democrat' -> 'Partido Demócrata' on a Spanish page; a party we don't know, as the data gives it."""
    return str(PARTIES[party]) if party in PARTIES else (party or "")


@bp.app_template_global("campaign_audience")
def campaign_audience(campaign: Campaign) -> str:
    """Who a campaign's letters go to, in the page's language: 'Letters to your members of Congress', 'Letters to
    your state senator and your governor, in Ohio'."""
    if not campaign.is_state:
        return _("Letters to your members of Congress")
    recipients = chambers.recipients_phrase(campaign.recipient_list)
    if campaign.state:
        return _("Letters to %(recipients)s, in %(state)s", recipients=recipients, state=state_name(campaign.state))
    return _("Letters to %(recipients)s, in every state", recipients=recipients)


@bp.app_template_filter("tel_href")
def tel_href(phone: str | None) -> str:
    """'202-224-5141' -> 'tel:+12022245141' (every US state and territory dials +1)."""
    digits = re.sub(r"\D", "", phone or "")
    return f"tel:+1{digits[-10:]}" if len(digits) >= 10 else f"tel:{digits}"

