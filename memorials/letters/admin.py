"""Admins write and edit campaigns, in English and Spanish, under /moderate/campaigns."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..i18n import in_language
from ..moderation.auth import admin_required
from ..states import state_name
from . import chambers, services
from .compose import PLACEHOLDERS, Member, Sender, compose
from .forms import CampaignForm
from .models import Campaign

admin_bp = Blueprint("letters_admin", __name__, url_prefix="/moderate/campaigns")

SAMPLE_SENDER = Sender(name="Alex Example", address="100 Main Street", city="Dayton", state="OH",
                       state_name="Ohio", zip="45402",
                       personal_note="(Here the sender's own words appear, exactly as they typed them.)")


def sample_member(campaign: Campaign) -> Member:
    """Who the preview is addressed to: a House member, or a state senator for a state campaign."""
    if campaign.is_state:
        return Member(title=chambers.official_title("OH", "upper"), full_name="Jane Q. Sample", last_name="Sample",
                      chamber="upper", body=chambers.body_name("OH", "upper", state_name("OH")),
                      lines=("1 Capitol Square", "Columbus, OH 43215"))
    return Member(title=_("Representative"), full_name="Jane Q. Sample", last_name="Sample", chamber="house",
                  office="1234 Longworth House Office Building")


# The Spanish fields, as the campaigns list names the missing ones.
FIELD_NAMES = {"title": _l("title"), "summary": _l("summary"), "ask": _l("ask"), "call_ask": _l("phone ask"),
               "letter_template": _l("letter"), "update": _l("what happened")}


@admin_bp.app_template_filter("campaign_field")
def campaign_field(name: str) -> str:
    return str(FIELD_NAMES.get(name, name))


@admin_bp.get("/")
@admin_required
def index():
    """Every campaign, live, draft, won, closed and archived, with its letter count and any Spanish missing."""
    campaigns = db.session.execute(db.select(Campaign).order_by(Campaign.status.desc(), Campaign.position,
                                                                Campaign.id)).scalars().all()
    return render_template("moderation/campaigns.html", campaigns=campaigns,
                           totals=services.letter_totals(campaigns))


@admin_bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Write a new campaign (a draft until its status says live)."""
    return _edit(Campaign(), CampaignForm())


@admin_bp.route("/<int:campaign_id>", methods=["GET", "POST"])
@admin_required
def edit(campaign_id):
    """Change a campaign; letters already written are not affected."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignForm(obj=campaign, update=campaign.update_text, update_es=campaign.update_text_es)
    if request.method == "GET":
        form.state.data = campaign.state or ""
        form.recipients.data = campaign.recipient_list
    return _edit(campaign, form)


def _edit(campaign: Campaign, form: CampaignForm):
    if form.validate_on_submit():
        if services.slug_taken(form.slug.data.strip(), campaign):
            form.slug.errors = [*form.slug.errors, _("Another campaign already has this address.")]
        else:
            created = campaign.id is None
            services.save_campaign(campaign, form)
            db.session.commit()
            flash(_("Campaign created.") if created else _("Campaign saved."), "success")
            return redirect(url_for("letters_admin.edit", campaign_id=campaign.id))
    previews = []
    if campaign.id is not None:
        for language in ("en", "es"):
            text = campaign.text(language)
            if text.language == language:  # each letter in the language it is written in
                with in_language(language):
                    previews.append((language, compose(text.letter_template, sample_member(campaign),
                                                       SAMPLE_SENDER, None, date.today())))
    return render_template("moderation/campaign_form.html", campaign=campaign, form=form, previews=previews,
                           missing=form.missing_spanish(), placeholders=PLACEHOLDERS)
