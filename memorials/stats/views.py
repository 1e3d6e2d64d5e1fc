"""The numbers: national and state pages, and the downloads, served from what each import computed."""
from __future__ import annotations

from datetime import date, timezone

from flask import Response, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from markupsafe import Markup

from ..i18n import current_language, month_year, number
from . import bp, charts, publish, queries, words
from .compute import NATIONAL, PAGE_CODES
from .importer import ALL_DRUGS

DOWNLOADS = {"data.csv": ("text/csv", "overdose-deaths-cdc.csv"), "data.json": ("application/json", None)}


@bp.get("/")
def index():
    """The national picture and every state's headline figure."""
    sort = request.args.get("sort", "name")
    if sort not in queries.SORTS:
        sort = "name"
    return render_template("stats/index.html", **_rendered(NATIONAL, sort))


@bp.get("/<code>")
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
                      "stats_stale_months": queries.STALE_MONTHS}.items():
    bp.add_app_template_global(_value, _name)


def _rendered(code: str, sort: str | None = None) -> dict:
    """The page's content, rendered once per process for each stored version, language and sort."""
    page_etag = queries.page_etag(code)
    memo_key = (code, sort, page_etag, current_language(), request.script_root, id(current_app._get_current_object()))
    found = publish.rendered.get(memo_key) if page_etag else None
    if found is not None:
        return found
    payload = queries.page(code, page_etag)
    table = payload.get("states") if payload and sort is not None else None
    place = payload["place"] if payload else queries.place_name(code)
    if code == NATIONAL:  # stored in English ("the United States"); said in the reader's language
        place = words.place(code, place)
    result = {"code": code, "headline": payload["headline"] if payload else None, "place": place,
              "title": _("Overdose deaths in %(place)s", place=words.place(code, place)),
              "description": _("CDC's provisional counts of overdose deaths in %(place)s, by drug, and the long view "
                               "since 1999.", place=words.place(code, place)),
              "content": _content(code, payload, table, sort)}
    return publish.rendered.put(memo_key, result) if page_etag else result


def _content(code: str, payload: dict | None, table: dict | None, sort: str | None) -> Markup:
    rows = None
    if table:
        keys = {
            "name": lambda r: r["name"],
            "count": lambda r: -(r["reported"] if r["reported"] is not None else -1),
            "rate": lambda r: -(r["rate"] if r["rate"] is not None else -1),
            "change": lambda r: -(r["change"] if r["change"] is not None else -1e9),
        }
        rows = sorted(table["rows"], key=keys[sort])
    if payload:  # the stored payload is shared by this process's requests: copied, never changed
        place = words.place(code, payload["place"])
        payload = {**payload, "sections": [{**s, "svg": _chart(code, place, s)} for s in payload["sections"]]}
    return Markup(render_template("stats/_page.html", code=code, p=payload, table=table, rows=rows, sort=sort))


def _year(d: date) -> str:
    from babel import dates as babel_dates

    from ..i18n import format_locale
    return babel_dates.format_skeleton("y", d, locale=format_locale())


def _chart(code: str, place: str, section: dict) -> Markup:
    name = section["name"]
    if name == "trend":
        lines, said = [], []
        for s in section["series"]:
            css = "all" if s["indicator"] == ALL_DRUGS else "synthetic"
            lines.append({"css": f"line {css}", "points": [(p[0], p[1], False) for p in s["points"]]})
            shown = [p for p in s["points"] if p[1] is not None]
            if shown:
                said.append(_("%(what)s: %(last)s in the 12 months ending %(last_month)s, from %(first)s in the "
                              "12 months ending %(first_month)s", what=words.indicator_name(s["indicator"]),
                              last=number(shown[-1][1]), last_month=month_year(shown[-1][0]),
                              first=number(shown[0][1]), first_month=month_year(shown[0][0])))
        title = _("Overdose deaths in %(place)s, 12-month counts, %(first)s to %(last)s", place=place,
                  first=month_year(section["first"]), last=month_year(section["last"]))
        return charts.line_chart(f"trend-{code}-{int(section['history'])}", title,
                                 "; ".join(said) + "." if said else _("No figures."), lines,
                                 number=number, year=_year)
    if name == "drugs":
        bars = [(words.indicator_name(r["indicator"]), r["reported"]) for r in section["rows"]]
        title = _("Deaths by drug in %(place)s, 12 months ending %(month)s, reported counts", place=place,
                  month=month_year(section["month"]))
        summary = "; ".join(f"{label}: {number(v)}" for label, v in bars if v is not None)
        return charts.bar_chart(f"drugs-{code}", title, summary, bars, number=number, missing=_("not published"))
    if name == "ages":
        bars = [(words.age_group(r["group"]), r["deaths"]) for r in section["rows"]]
        title = _("Deaths involving synthetic opioids by age, United States, %(year)s", year=section["year"])
        summary = "; ".join(f"{label}: {number(v)}" for label, v in bars if v is not None)
        return charts.bar_chart(f"ages-{code}", title, summary, bars, number=number, missing=_("not published"))
    if name == "long" and section["kind"] == "national":
        lines = [{"css": f"line {css}", "points": [(d, v, False) for d, v in section["lines"][measure]]}
                 for measure, css in (("overdose", "all"), ("synthetic", "synthetic"))]
        title = _("Overdose death rates per 100,000 residents, United States, %(first)s to %(last)s",
                  first=_year(section["first"]), last=month_year(section["last"]))
        summary = _("Final data through %(year)s, provisional after. All drug overdoses: %(first)s per 100,000 in "
                    "%(first_year)s, %(last)s in the 12 months ending %(month)s. Synthetic opioids: %(sfirst)s, then "
                    "%(slast)s.", year=section["last_final"],
                    first=_rate(section["lines"]["overdose"], 0), first_year=_year(section["first"]),
                    last=_rate(section["lines"]["overdose"], -1), month=month_year(section["last"]),
                    sfirst=_rate(section["lines"]["synthetic"], 0), slast=_rate(section["lines"]["synthetic"], -1))
        return charts.line_chart(f"long-{code}", title, summary, lines, number=number, year=_year,
                                 join=section["join"], join_labels=(_("final"), _("provisional")))
    if name == "long":
        shown = {y["year"]: y for y in section["years"]}
        years = range(section["years"][0]["year"], section["years"][-1]["year"] + 1)
        # A year no file covers breaks the line rather than join the years on either side.
        points = [(date(y, 12, 1), shown[y]["deaths"] if y in shown else None, y in shown and shown[y]["at_least"])
                  for y in years]
        lines = [{"css": "line synthetic", "markers": True, "points": points}]
        last_final = section["final_through"]
        join = date(last_final, 12, 1) if last_final and last_final < section["years"][-1]["year"] else None
        title = _("Deaths involving synthetic opioids in %(place)s by year, %(first)s to %(last)s", place=place,
                  first=_year(section["first"]), last=_year(section["last"]))
        said = [(_("%(year)s: at least %(deaths)s") if y["at_least"] else _("%(year)s: %(deaths)s"))
                % {"year": _year(date(y["year"], 1, 1)), "deaths": number(y["deaths"])}
                for y in section["years"] if y["deaths"] is not None]
        summary = (_("Hollow points are at least the figure shown: CDC WONDER does not publish months under 10 "
                     "deaths.") + " " + "; ".join(said)) if said else _("No year with a month of 10 or more deaths.")
        return charts.line_chart(f"long-{code}", title, summary, lines, number=number, year=_year,
                                 join=join, join_labels=(_("final"), _("provisional")))
    return Markup("")


def _rate(points: list, index: int) -> str:
    return number(points[index][1], 1) if points else "—"


# --- The downloads -------------------------------------------------------------------------------

def _download(name: str) -> Response:
    """A stored download: 304 when the client has it; else sent from this server's copy of the stored file."""
    media_type, filename = DOWNLOADS[name]
    place = (request.args.get("jurisdiction") or "").strip().upper()
    stored = f"{name}/{place}" if place else name
    if place and not (place.isascii() and place.isalpha() and len(place) == 2):
        stored = None
    found = publish.download(stored) if stored else None
    if found is None:  # nothing built yet, or a place the site has no figures for (the header alone)
        content = publish.live_download(stored) if stored else None
        response = Response(content if content is not None else _empty(name), mimetype=media_type)
        if filename:
            response.headers["Content-Disposition"] = f"attachment; filename={filename}"
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
            response = send_file(path, mimetype=media_type, conditional=False, etag=False, max_age=300)
        else:  # the development server and the test client: no open file left behind
            response = Response(path.read_bytes(), mimetype=media_type)
        if filename:
            response.headers["Content-Disposition"] = f"attachment; filename={filename}"
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(tag, weak=True)
    response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.vary.add("Accept-Encoding")
    return response


def _empty(name: str) -> bytes:
    from .compute import csv_bytes
    return csv_bytes([]) if name == "data.csv" else b'{"figures":[]}'


@bp.get("/data.csv")
def data_csv():
    """Every figure the site holds, one row per place, indicator and period, with its source."""
    return _download("data.csv")


@bp.get("/data.json")
def data_json():
    """The same figures as JSON, with the sources, the imports and how far the data runs."""
    return _download("data.json")
