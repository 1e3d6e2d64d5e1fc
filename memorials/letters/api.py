"""GET /api/representatives?zip=NNNNN: a ZIP's members of Congress, state legislators and governor, as JSON."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..extensions import limiter
from ..responses import public_page
from . import lookup, statehouse

api_bp = Blueprint("letters_api", __name__, url_prefix="/api")


@api_bp.get("/representatives")
@limiter.limit("60 per minute;1000 per hour")
@public_page(max_age=3600, shared=3600)
def representatives():
    """Senators and the House member for every district the ZIP touches, then its state legislators (every
    district it touches, with state_districts when it touches several) and governor; vacant seats say so."""
    try:
        found = lookup.find(request.args.get("zip", ""))
    except lookup.MalformedZip as error:
        return jsonify(error=str(error)), 400
    except lookup.UnknownZip as error:
        return jsonify(error=str(error)), 404
    answer = lookup.as_json(found)
    answer.update(statehouse.as_json(statehouse.find(found.zip), found.states))
    return jsonify(answer)
