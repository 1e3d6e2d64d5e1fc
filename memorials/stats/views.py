"""The numbers: national and state pages, and the downloads, served from what each import computed."""
from __future__ import annotations

from datetime import timezone

from flask import Blueprint, Response, abort, render_template, request, send_file, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..i18n import current_language
from ..responses import public_page
from . import publish, queries, words
from .compute import csv_bytes, place_name
from .indicators import NATIONAL, PAGE_CODES, STALE_MONTHS

bp = Blueprint("stats", __name__, url_prefix="/stats")

DOWNLOADS = {"data.csv": ("text/csv", "overdose-deaths-cdc{place}.csv"), "data.json": ("application/json", None)}


@bp.get("/")
@public_page(shared=300, keys=("stats",))
def index():
    """The national picture, the map of the states and every state's headline figure."""
    sort = request.args.get("sort", "name")
    view = request.args.get("map", "rate")
    return render_template("stats/index.html", **_rendered(NATIONAL, sort if sort in queries.SORTS else "name",
                                                          view if view in words.MAP_VIEWS else "rate"))


@bp.get("/<code>")
@public_page(shared=300, keys=("stats",))
def state(code: str):
    """One state's figures (US is the nation); an unknown code answers 404."""
    code = code.upper()
    if code not in PAGE_CODES:
        abort(404)
    return render_template("stats/state.html", **_rendered(code))


# Words for the statistics templates (their macros are imported without context, so globals).
for _name, _value in {"stats_footnotes": words.footnote_sentences, "stats_name": words.indicator_name,
                      "stats_names": words.names_phrase, "stats_measure": words.measure_name,
                      "stats_key_class": words.key_class, "stats_trend_rows": words.trend_rows,
                      "stats_place": words.place, "stats_age": words.age_group,
                      "stats_source_name": words.indicator_source, "stats_method": words.method_text,
                      "stats_ordinal": words.ordinal,
                      "stats_stale_months": STALE_MONTHS}.items():
    bp.add_app_template_global(_value, _name)


def _rendered(code: str, sort: str | None = None, view: str | None = None) -> dict:
    """The page's content, rendered once per process for each stored version, language, sort and map."""
    page_etag = queries.page_etag(code)
    memo_key = (code, sort, view, page_etag, current_language(), request.script_root)
    memos = publish.memos()
    found = memos.get("rendered", memo_key) if page_etag else None
    if found is not None:
        return found
    payload = queries.page(code, page_etag)
    name = payload["place"] if payload else place_name(code)
    place = words.place(code, name)  # as it reads in a sentence: "the United States", "the District of Columbia"
    table = payload.get("states") if payload and sort is not None else None
    if payload:  # the stored payload is shared by this process's requests: copied, never changed
        payload = {**payload, "sections": [{**s, "svg": words.chart(code, place, s)} for s in payload["sections"]]}
    content = render_template(
        "stats/_page.html", code=code, p=payload, table=table, sort=sort, view=view,
        rows=queries.sorted_rows(table, sort) if table else None,
        map=words.state_map(table, view, lambda c: url_for("stats.state", code=c)) if table else Markup(""),
        legend=words.legend(table, view) if table else None)
    # The breadcrumb names the place as a title does; the nation is stored in English, said in the reader's words.
    result = {"code": code, "headline": payload["headline"] if payload else None,
              "place": place if code == NATIONAL else name,
              "title": _("Overdose deaths in %(place)s", place=place),
              "description": _("CDC's provisional counts of overdose deaths in %(place)s, by drug, and the long view "
                               "since 1999.", place=place),
              "content": Markup(content)}
    return memos.put("rendered", memo_key, result) if page_etag else result


# --- The downloads -------------------------------------------------------------------------------

def _download(name: str, stored: str | None, place: str = "") -> Response:
    """A stored download: 304 when the client has it; else sent from this server's copy of the stored file.

    stored: the stored file's name (None: a place the site has no figures for, answered with the header alone).
    """
    media_type, filename = DOWNLOADS[name]
    found = publish.download(stored) if stored else None
    if found is None:  # nothing built yet, or a place the site has no figures for (the header alone)
        content = publish.live_download(stored) if stored else None
        response = Response(content if content is not None else _empty(name), mimetype=media_type)
        if filename:
            response.headers["Content-Disposition"] = f"attachment; filename={filename.format(place=place)}"
        return response
    etag, changed_at = found
    gzipped = request.accept_encodings.quality("gzip") > 0  # "gzip;q=0" refuses it
    tag = f"{etag}-gz" if gzipped else etag  # each encoding is its own representation
    modified = changed_at.replace(microsecond=0, tzinfo=timezone.utc)
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(tag)
    else:
        fresh = bool(request.if_modified_since and request.if_modified_since >= modified)
    if fresh:
        response = Response(status=304)
    else:
        path = publish.download_file(stored, etag, gzipped)
        if "wsgi.file_wrapper" in request.environ:  # a real server (gunicorn): sendfile, closed by the server
            response = send_file(path, mimetype=media_type, conditional=False, etag=False)
        else:  # the development server and the test client: no open file left behind
            response = Response(path.read_bytes(), mimetype=media_type)
        if filename:
            response.headers["Content-Disposition"] = f"attachment; filename={filename.format(place=place)}"
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(tag, weak=True)
    response.last_modified = modified
    return response   # how long it may be kept, by whom and Vary: the view's policy (responses.py)


def _empty(name: str) -> bytes:
    return csv_bytes([]) if name == "data.csv" else b'{"figures":[]}'


def _national(name: str) -> Response:
    """The whole file, or one CDC jurisdiction's rows (?jurisdiction=OH: CDC's own code, YC included)."""
    place = (request.args.get("jurisdiction") or "").strip().upper()
    if not place:
        return _download(name, name)
    if not (place.isascii() and place.isalpha() and len(place) == 2):
        return _download(name, None)
    return _download(name, f"{name}/{place}")


def _state(name: str, code: str) -> Response:
    """One place's own file; 404 for a code without a page."""
    code = code.upper()
    if code not in PAGE_CODES:
        abort(404)
    return _download(name, publish.state_download(name, code), f"-{code}")


@bp.get("/data.csv")
@public_page(max_age=300, shared=300, keys=("stats",))
def data_csv():
    """Every figure the site holds, one row per place, indicator and period, with its source."""
    return _national("data.csv")


@bp.get("/data.json")
@public_page(max_age=300, shared=300, keys=("stats",))
def data_json():
    """The same figures as JSON, with the sources, the imports and how far the data runs."""
    return _national("data.json")


@bp.get("/<code>/data.csv")
@public_page(max_age=300, shared=300, keys=("stats",))
def state_data_csv(code: str):
    """One state's figures (New York: CDC's NY and New York City rows), the same columns as the whole file."""
    return _state("data.csv", code)


@bp.get("/<code>/data.json")
@public_page(max_age=300, shared=300, keys=("stats",))
def state_data_json(code: str):
    """One state's figures as JSON, with the same sources and notes as the whole file."""
    return _state("data.json", code)
