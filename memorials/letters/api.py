"""GET /api/representatives?zip=NNNNN: a ZIP's members of Congress as JSON."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..extensions import limiter
from . import lookup

api_bp = Blueprint("letters_api", __name__, url_prefix="/api")


@api_bp.get("/representatives")
@limiter.limit("60 per minute;1000 per hour")
def representatives():
    """Senators and the House member for every district the ZIP touches; vacant seats say so."""
    try:
        found = lookup.find(request.args.get("zip", ""))
    except lookup.MalformedZip as error:
        return jsonify(error=str(error)), 400
    except lookup.UnknownZip as error:
        return jsonify(error=str(error)), 404
    return jsonify(lookup.as_json(found))
