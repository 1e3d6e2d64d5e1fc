from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderate")

from . import signin, team, views  # noqa: E402,F401
