"""The honeypot, in one place: a field people never see (hidden by CSS, skipped by the keyboard) that simple bots
fill in. Every public form mixes it in; a view that finds it filled thanks the bot and keeps nothing."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Optional


class HoneypotMixin:
    """Adds the `website` field and `is_bot` to a FlaskForm (list it before FlaskForm in the bases)."""

    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())
