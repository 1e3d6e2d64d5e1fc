"""Campaign pages and the letter form: find the members, write the letters, call, print or download them."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from flask import Response, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import mail
from ..extensions import db, limiter
from ..i18n import current_language, in_language, number
from ..responses import never_kept
from ..stats.queries import latest_figures
from . import bp, lookup, memorials, services, writing
from .compose import WITHOUT_GENDER, Letter, clean_relation, member_name
from .forms import SLUG, LetterForm
from .models import Campaign, CampaignStatus, LetterDataset


def state_figures(code: str):
    """The state's latest CDC counts from the statistics feature, or None when it has none."""
    return latest_figures(code)


def _campaign(slug: str) -> Campaign:
    """The live campaign at this address; 404 for anything else (checked before the database sees it)."""
    if len(slug) > 80 or not SLUG.match(slug):
        abort(404)
    return db.first_or_404(db.select(Campaign).where(Campaign.slug == slug,
                                                     Campaign.status == CampaignStatus.LIVE.value))


def _datasets() -> dict[str, LetterDataset]:
    return {d.kind: d for d in db.session.execute(db.select(LetterDataset)).scalars()}


def _arg(name: str) -> str:
    """A query-string value as plain text (NUL and other control characters dropped)."""
    value = request.args.get(name, "")
    return re.sub(r"[\x00-\x1f\x7f]", "", value)[:200]


def _memorial(slug: str) -> tuple[memorials.Attached | None, str | None]:
    """The memorial a letter is written in memory of, or a plain note when the address names none."""
    if not slug:
        return None, None
    attached = memorials.attached_memorial(slug)
    return attached, None if attached else memorials.ignored_note()


PER_PAGE = 30


@bp.get("/")
def index():
    """The live campaigns with their running counts, a page at a time; with ?memorial=, each opens in that memory."""
    attached, note = _memorial(_arg("memorial"))
    page = request.args.get("page", 1, type=int) or 1
    page = min(max(page, 1), 10_000)
    campaigns = services.live_campaigns(PER_PAGE + 1, (page - 1) * PER_PAGE)  # one more: is there a next page?
    return render_template("letters/index.html", campaigns=campaigns[:PER_PAGE], page=page,
                           more=len(campaigns) > PER_PAGE, attached=attached, memorial_note=note,
                           relation=clean_relation(_arg("relation")) if attached else "")


def _letter_form() -> LetterForm:
    form = LetterForm()
    if not current_app.config.get("MAIL_SERVER"):
        # With no mail server a copy could only be written to a file: don't offer it at all.
        del form.email
    return form


def suggested_in_page_language(relation: str) -> str:
    """The relation a link suggests ('child'), kept on an English page; on another, left for the family to
    write, since the word there would have to guess a gender (hijo, hija)."""
    if current_language() == "en" or relation.lower() not in WITHOUT_GENDER:
        return relation
    return ""


def _form_page(campaign: Campaign, form: LetterForm, attached, note=None, found=None):
    form.memorial.data = attached.slug if attached else ""
    if attached:
        form.relation.label.text = _("Who was %(name)s to you?", name=attached.remembered.name)
        if request.method == "GET":
            form.relation.data = suggested_in_page_language(clean_relation(_arg("relation")))
    return render_template("letters/campaign.html", campaign=campaign, form=form, found=found, attached=attached,
                           memorial_note=note, states_writing=services.states_writing(campaign),
                           datasets=_datasets())


# Every post from the letter form and the letters page counts against one limit, whichever button sent it.
posts = limiter.shared_limit("20 per minute;200 per hour", scope="letters-post")


@dataclass
class Written:
    """A letter form that was sent, checked and looked up: everything a letters page or a download needs."""

    campaign: Campaign
    form: LetterForm
    found: lookup.Lookup
    area: lookup.Area
    sheets: list[writing.Sheet]
    figures: object
    attached: memorials.Attached | None
    note: str | None


@bp.route("/<slug>", methods=["GET", "POST"])
@posts
@never_kept  # each form carries its own one-time token: a kept page would share one between visitors
def campaign(slug):
    """The campaign and its form; the form sent answers with the letters (counted once), or asks which district."""
    campaign = _campaign(slug)
    form = _letter_form()
    if request.method == "GET":
        form.once.data = services.new_token()
        attached, note = _memorial(_arg("memorial"))
        return _form_page(campaign, form, attached, note)
    written = _written(campaign, form)
    if not isinstance(written, Written):
        return written  # the form again: a message beside a field, or the district question
    attached = written.attached
    services.count_letters_once(form.once.data, campaign, written.area.state, len(written.sheets),
                                attached.story_id if attached else None)
    return _letters_page(written, copied=_email_copy(campaign, form, written.sheets))


@bp.post("/<slug>/change")
@posts
def change(slug):
    """"Change my letter": back to the form with everything typed (edits to single letters are left behind)."""
    campaign = _campaign(slug)
    form = _letter_form()
    attached, note = _memorial(form.memorial.data or "")
    return _form_page(campaign, form, attached, note)


@bp.post("/<slug>/edits")
@posts
def show_edits(slug):
    """"Show my changes" (without script): the letters page again, with the words the sender changed."""
    written = _written(_campaign(slug), _letter_form())
    return _letters_page(written) if isinstance(written, Written) else written


@bp.post("/<slug>/download/<any(txt, pdf):kind>")
@posts
def download(slug, kind):
    """Every letter, or the one the button names, as a file; the sender's details travel only in the POST body."""
    written = _written(_campaign(slug), _letter_form())
    if not isinstance(written, Written):
        return written  # the form again: a message beside a field, or the district question
    member = written.form.member.data
    chosen = [s.letter for s in written.sheets if not member or s.key == member]
    if not chosen:
        abort(400)
    return _download(written.campaign, chosen, kind, written.form.chosen_language())


@bp.post("/<slug>/called")
@posts
def called(slug):
    """"I called": one call to one member of this letters page, counted once; JSON for the page's script."""
    written = _written(_campaign(slug), _letter_form())
    if not isinstance(written, Written):
        return written  # the form again: a message beside a field, or the district question
    sheet = next((s for s in written.sheets if s.key == written.form.member.data), None)
    if sheet is None:
        abort(400)
    if services.count_call_once(written.form.once.data, written.campaign, written.area.state, sheet.key):
        answer = True, _("Thank you for calling %(member)s. Your call is counted.", member=sheet.name)
    else:
        answer = False, _("Thank you. Your call to %(member)s is already counted.", member=sheet.name)
    if request.accept_mimetypes.best == "application/json":
        db.session.commit()
        return jsonify(message=answer[1], counted=answer[0])
    return _letters_page(written, called=(sheet.key, answer[1]))


def _written(campaign: Campaign, form: LetterForm) -> Written | str:
    """The form checked and its ZIP looked up, with a sheet per member; else the form page to answer with
    (a message beside a field, or the district question)."""
    attached, note = _memorial(form.memorial.data or "")
    if not form.validate():
        return _form_page(campaign, form, attached, note)
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
    return Written(campaign, form, found, area, sheets, figures, attached, note)


def _letters_page(written: Written, *, copied: bool | None = None, called: tuple[str, str] | None = None) -> str:
    page = render_template("letters/letters.html", campaign=written.campaign, form=written.form, found=written.found,
                           area=written.area, sheets=written.sheets, figures=written.figures, copied=copied,
                           called=called, attached=written.attached, memorial_note=written.note,
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
    body = render_template("letters/copy_email.txt", campaign=campaign, sheets=sheets)
    mail.queue(form.email.data, _("Your letters to Congress: %(title)s", title=campaign.title), body,
               kind="letter_copy", private=True)
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
            data = letters_pdf(letters)
        response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="letter-{name}.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("thousands")
def thousands(value) -> str:
    """Kept for the campaign admin pages: a count, formatted for the page's language."""
    return number(value) if isinstance(value, int) else ""


@bp.app_template_global("letters_for_memorial")
def letters_for_memorial(story_id: int) -> memorials.MemorialLetters:
    """For the memorial and manage pages: letters written in its memory, and campaigns to write for."""
    return memorials.for_memorial(story_id)


@bp.app_template_global("letters_suggested_relation")
def letters_suggested_relation(relationship_to: str | None) -> str:
    """'mother' -> 'child': a suggestion for the family's own letter, never a guess at gender."""
    return memorials.suggested_relation(relationship_to)


# The parties in the congress-legislators data, as the page's language names them (an adjective
# like "demócrata" or "republicano" would need the member's gender: the party's name does not).
PARTIES = {"Democrat": _l("Democrat"), "Republican": _l("Republican"), "Independent": _l("Independent")}


@bp.app_template_filter("party_label")
def party_label(party: str | None) -> str:
    """'Democrat' -> 'Partido Demócrata' on a Spanish page; a party we don't know, as the data gives it."""
    return str(PARTIES[party]) if party in PARTIES else (party or "")


@bp.app_template_filter("tel_href")
def tel_href(phone: str | None) -> str:
    """'202-224-5141' -> 'tel:+12022245141' (every US state and territory dials +1)."""
    digits = re.sub(r"\D", "", phone or "")
    return f"tel:+1{digits[-10:]}" if len(digits) >= 10 else f"tel:{digits}"


@bp.after_request
def private_answers(response: Response) -> Response:
    """A page of letters carries the sender's name and address: never cache it, never send it on."""
    if request.method == "POST":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response
