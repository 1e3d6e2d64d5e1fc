from flask import Blueprint

bp = Blueprint("letters", __name__, url_prefix="/letters", cli_group=None)

from . import views  # noqa: E402,F401
