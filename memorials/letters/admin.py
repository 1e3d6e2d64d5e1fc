"""Admins write and edit campaigns under /moderate/campaigns."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import in_language
from ..moderation.auth import admin_required
from . import services
from .compose import CAMPAIGN_LANGUAGE, PLACEHOLDERS, Member, Sender, compose
from .forms import CampaignForm
from .models import Campaign

admin_bp = Blueprint("letters_admin", __name__, url_prefix="/moderate/campaigns")

SAMPLE_MEMBER = Member(title="Representative", full_name="Jane Q. Sample", last_name="Sample", chamber="house",
                       office="1234 Longworth House Office Building")
SAMPLE_SENDER = Sender(name="Alex Example", address="100 Main Street", city="Dayton", state="OH",
                       state_name="Ohio", zip="45402",
                       personal_note="(Here the sender's own words appear, exactly as they typed them.)")


@admin_bp.get("/")
@admin_required
def index():
    """Every campaign, live, draft and archived, with its letter count."""
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
    return _edit(campaign, CampaignForm(obj=campaign))


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
    preview = None
    if campaign.id is not None and campaign.letter_template:
        with in_language(CAMPAIGN_LANGUAGE):  # the campaign's own letter, in the language it is written in
            preview = compose(campaign.letter_template, SAMPLE_MEMBER, SAMPLE_SENDER, None, date.today())
    return render_template("moderation/campaign_form.html", campaign=campaign, form=form, preview=preview,
                           placeholders=PLACEHOLDERS)
