"""The numbers: national and state pages, and the downloads, served from what each import computed."""
from __future__ import annotations

import gzip
from datetime import date, timezone

from flask import Response, abort, current_app, render_template, request
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


@bp.app_template_global("stats_state_line")
def stats_state_line(code: str | None) -> dict | None:
    """For a memorial page: its state's headline figure (one small query), or None."""
    return queries.state_line(code)


# Words for the statistics templates (their macros are imported without context, so globals).
for _name, _value in {"stats_footnotes": words.footnote_sentences, "stats_name": words.indicator_name,
                      "stats_names": words.names_phrase, "stats_measure": words.measure_name,
                      "stats_key_class": words.key_class, "stats_trend_rows": words.trend_rows,
                      "stats_place": words.place, "stats_method": words.method_text,
                      "stats_stale_months": queries.STALE_MONTHS}.items():
    bp.add_app_template_global(_value, _name)


def _rendered(code: str, sort: str | None = None) -> dict:
    """The page's content, rendered once per process for each stored version, language and sort."""
    etags = queries.page_etags(code, with_states=sort is not None)
    page_etag, states_etag = etags.get(f"page/{code}"), etags.get("states")
    memo_key = (code, sort, page_etag, states_etag, current_language(), request.script_root,
                id(current_app._get_current_object()))
    cacheable = page_etag is not None and (sort is None or states_etag is not None)
    found = publish.rendered.get(memo_key) if cacheable else None
    if found is not None:
        return found
    payload = queries.page(code, page_etag)
    table = queries.states(states_etag) if sort is not None else None
    result = {"code": code, "headline": payload["headline"] if payload else None,
              "place": payload["place"] if payload else queries.place_name(code),
              "content": _content(code, payload, table, sort)}
    return publish.rendered.put(memo_key, result) if cacheable else result


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
        bars = [(r["group"], r["deaths"]) for r in section["rows"]]
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
        points = [(date(y["year"], 12, 1), y["deaths"], y["at_least"]) for y in section["years"]]
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
    media_type, filename = DOWNLOADS[name]
    place = (request.args.get("jurisdiction") or "").strip().upper()
    stored = f"{name}/{place}" if place else name
    if place and not (place.isascii() and place.isalpha() and len(place) == 2):
        stored = None
    found = publish.download(stored) if stored else None
    if found is None:  # nothing built yet, or a place the site has no figures for (the header alone)
        content = publish.live_download(stored) if stored else None
        return _send(content if content is not None else _empty(name), media_type, filename, None, None,
                     compressed=False)
    etag, changed_at = found
    response = Response(status=304)
    response.set_etag(etag, weak=True)
    response.last_modified = changed_at
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept-Encoding")
    if request.if_none_match:
        if request.if_none_match.contains_weak(etag):
            return response
    elif request.if_modified_since and request.if_modified_since >= changed_at.replace(microsecond=0,
                                                                                        tzinfo=timezone.utc):
        return response
    return _send(publish.download_body(stored), media_type, filename, etag, changed_at, compressed=True)


def _empty(name: str) -> bytes:
    from .compute import csv_bytes
    return csv_bytes([]) if name == "data.csv" else b'{"figures":[]}'


def _send(body: bytes, media_type: str, filename: str | None, etag, changed_at, *, compressed: bool) -> Response:
    gzipped = compressed and "gzip" in request.accept_encodings
    if compressed and not gzipped:
        body = gzip.decompress(body)
    response = Response(body, mimetype=media_type)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    if filename:
        response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    if etag:
        response.set_etag(etag, weak=True)
        response.last_modified = changed_at
        response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept-Encoding")
    return response


@bp.get("/data.csv")
def data_csv():
    """Every figure the site holds, one row per place, indicator and period, with its source."""
    return _download("data.csv")


@bp.get("/data.json")
def data_json():
    """The same figures as JSON, with the sources, the imports and how far the data runs."""
    return _download("data.json")
