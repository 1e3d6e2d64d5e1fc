from flask import Blueprint

bp = Blueprint("stats", __name__, url_prefix="/stats", cli_group=None)

from . import commands, views  # noqa: E402,F401
