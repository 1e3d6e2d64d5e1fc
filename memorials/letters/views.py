"""Campaign pages and the letter form: find the members, write the letters, print or download them."""
from __future__ import annotations

import re
from datetime import date

from flask import Response, abort, current_app, render_template, request

from .. import mail
from ..extensions import db, limiter
from ..states import state_name
from . import bp, lookup, services
from .compose import Letter, Sender, compose
from .forms import LetterForm
from .models import Campaign, CampaignStatus, LetterDataset


def state_figures(code: str):
    """The state's latest CDC counts from the statistics feature, or None when it has none."""
    try:
        from ..stats.queries import latest_figures
    except ImportError:
        return None
    return latest_figures(code)


def _campaign(slug: str) -> Campaign:
    return db.first_or_404(db.select(Campaign).where(Campaign.slug == slug,
                                                     Campaign.status == CampaignStatus.LIVE.value))


def _datasets() -> dict[str, LetterDataset]:
    return {d.kind: d for d in db.session.execute(db.select(LetterDataset)).scalars()}


@bp.get("/")
def index():
    """Every live campaign, with how many letters each has sent."""
    campaigns = services.live_campaigns()
    return render_template("letters/index.html", campaigns=campaigns, totals=services.letter_totals(campaigns))


def _page(campaign: Campaign, form: LetterForm, found: lookup.Lookup | None = None):
    return render_template("letters/campaign.html", campaign=campaign, form=form, found=found,
                           total=services.total_letters(campaign),
                           by_state=services.letters_by_state(campaign), datasets=_datasets())


@bp.route("/<slug>", methods=["GET", "POST"])
@limiter.limit("20 per minute;200 per hour", methods=["POST"])
def campaign(slug):
    """The campaign and its form; a valid post answers with the letters, or asks which district."""
    campaign = _campaign(slug)
    form = LetterForm()
    if not form.validate_on_submit():
        return _page(campaign, form)
    try:
        found = lookup.find(form.zip.data)
    except (lookup.MalformedZip, lookup.UnknownZip) as error:
        form.zip.errors = [str(error)]
        return _page(campaign, form)
    form.zip.data = found.zip
    area = found.area_for(form.district.data)
    if area is None:
        form.district.choices = [(found.choice_value(a), _choice_label(a)) for a in found.areas]
        if form.district.data:
            form.district.errors = ["Please choose one of these districts."]
        return _page(campaign, form, found)

    seats = found.seats(area)
    sender = Sender(name=form.sender_name.data, address=form.sender_address.data, city=form.sender_city.data,
                    state=area.state, state_name=state_name(area.state), zip=found.zip,
                    personal_note=form.personal_note.data or "")
    figures = state_figures(area.state)
    today = date.today()
    letters = [(seat, compose(campaign.letter_template, lookup.member_for(seat.member), sender, figures, today))
               for seat in seats if not seat.vacant]

    wanted = form.format.data or "html"
    if wanted in ("txt", "pdf"):
        chosen = [letter for seat, letter in letters if not form.member.data or seat.member.bioguide == form.member.data]
        if not chosen:
            abort(400)
        return _download(campaign, chosen, wanted)

    services.count_letters(campaign, area.state, len(letters))
    copied = None
    if form.email.data:
        # Only over SMTP: with no mail server the outbox would write the letter to a file and keep it.
        copied = bool(current_app.config["MAIL_SERVER"])
        if copied:
            body = render_template("letters/copy_email.txt", campaign=campaign, letters=[l for _, l in letters])
            mail.queue(form.email.data, f"Your letters to Congress: {campaign.title}", body, kind="letter_copy",
                       private=True)
    db.session.commit()
    return render_template("letters/letters.html", campaign=campaign, form=form, found=found, area=area,
                           seats=seats, letters=letters, figures=figures, copied=copied,
                           datasets=_datasets())


def _choice_label(area: lookup.Area) -> str:
    member = area.house.member
    holder = f"{member.title} {member.full_name}" if member else "the seat is vacant"
    return f"{area.house.label} ({holder})"


def _download(campaign: Campaign, letters: list[Letter], kind: str) -> Response:
    """One letter or all of them, as a file; the sender's details travel only in the POST body."""
    name = campaign.slug if len(letters) > 1 else f"{campaign.slug}-{letters[0].member.last_name}"
    name = re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-").lower() or "letter"
    if kind == "txt":
        body = ("\n" + "-" * 60 + "\n\n").join(letter.text for letter in letters)
        response = Response(body, mimetype="text/plain")
    else:
        from .pdf import letters_pdf

        response = Response(letters_pdf(letters), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="letter-{name}.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("thousands")
def thousands(value) -> str:
    return f"{value:,}" if isinstance(value, int) else ""




@bp.after_request
def private_answers(response: Response) -> Response:
    """A page of letters carries the sender's name and address: never cache it, never send it on."""
    if request.method == "POST":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response
