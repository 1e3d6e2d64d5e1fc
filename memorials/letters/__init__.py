"""Letters to members of Congress, state legislators and governors: find them by ZIP, write letters ready to send."""
from flask import Blueprint

bp = Blueprint("letters", __name__, url_prefix="/letters", cli_group=None)

from . import commands, views  # noqa: E402,F401
from .admin import admin_bp  # noqa: E402,F401
from .api import api_bp  # noqa: E402,F401
