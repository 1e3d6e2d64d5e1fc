"""`flask --app app import-stats PATH_OR_URL` and `stats-status`: thin wrappers over the importers and compute.

The importers only import; import_file is the one path from a file to what the pages show: import,
publish (compute every page, headline and download again), commit, all in one transaction.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..i18n import month_year, number
from . import publish
from .compute import is_history, load, status_lines
from .importer import StatsImportError, import_age_groups, import_population, import_vsrr, read_text
from .indicators import STALE_MONTHS
from .longview import import_long, kind_of

KINDS = {"vsrr": "CDC VSRR figures", "wonder": "CDC WONDER months", "nchs_rates": "NCHS rates",
         "key_figures": "NCHS figures quoted from text", "wonder_summary": "CDC WONDER national counts"}


def import_any(path_or_url: str) -> tuple[str, object]:
    """Any file the statistics read, told apart by its header, written into the session (not committed):
    (kind, the release or the number of rows imported).

    CDC's VSRR export or API file, a CDC WONDER export, NCHS's rates table or transcribed figures,
    a Census state totals file, or WONDER deaths by age group.
    """
    text = read_text(path_or_url)
    first = text.lstrip().split("\n", 1)[0]
    header = next(csv.reader(io.StringIO(first), delimiter="\t" if "\t" in first else ","), [])
    names = {h.strip() for h in header}
    name = path_or_url if "://" in path_or_url else Path(path_or_url).name
    if kind_of(header):
        return kind_of(header), import_long(path_or_url, text=text)
    if {"SUMLEV", "STATE"} <= names:
        return "population", import_population(path_or_url, f"U.S. Census Bureau, {name}", text=text)
    if {"year", "group", "deaths"} <= names:
        return "age_groups", import_age_groups(path_or_url, f"CDC WONDER, {name}", text=text)
    return "vsrr", import_vsrr(path_or_url, text=text)


def import_file(path_or_url: str) -> tuple[str, object]:
    """Import one file and publish what the pages show, in one transaction: all of it or, on any error, none."""
    try:
        found = import_any(path_or_url)
        publish.refresh()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return found


@click.command("import-stats")
@click.argument("path_or_url")
@with_appcontext
def import_stats_command(path_or_url: str) -> None:
    """Import a statistics file (CDC VSRR, CDC WONDER, NCHS, Census); a malformed file changes nothing.

    The pages and downloads are computed again in the same transaction.
    """
    try:
        kind, result = import_file(path_or_url)
    except StatsImportError as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None
    if kind in ("population", "age_groups"):
        click.echo(f"Imported {number(result)} {'population estimates' if kind == 'population' else 'age groups'} "
                   f"from {path_or_url}.")
        return
    skipped = getattr(result, "skipped", 0)
    click.echo(f"Imported {number(result.row_count)} {KINDS[kind]} through {month_year(result.latest_period)} "
               f"from {path_or_url}"
               + (f" ({number(skipped)} rows of other indicators skipped)" if skipped and kind == "vsrr" else "")
               + (f" ({number(skipped)} rows this site does not show skipped)" if skipped and kind != "vsrr" and
                  kind != "wonder" else "")
               + (f" ({number(skipped)} months marked suppressed)" if skipped and kind == "wonder" else "") + ".")


@click.command("stats-status")
@with_appcontext
def stats_status_command() -> None:
    """For each indicator: how many places it covers and the month it runs through; then the long view."""
    data = load()
    if data.newest is None:
        click.echo("No CDC figures are loaded. Run `flask --app app init-db`, then `import-stats` with CDC's export.")
    else:
        click.echo(f"CDC VSRR provisional 12-month counts; the newest month on the site is {month_year(data.newest)}.")
        for indicator, places, through, months in status_lines(data):
            if not places:
                click.echo(f"  {indicator}: no figures")
                continue
            click.echo(f"  {indicator}: {places} place{'s' if places != 1 else ''}, through {month_year(through)}")
            for month, count in months:
                stale = f" (history: more than {STALE_MONTHS} months old)" if is_history(month, data.newest) else ""
                click.echo(f"      {count} through {month_year(month)}{stale}")
    wonder = [r for r in data.releases if r.dataset == "wonder"]
    states = len(data.wonder)
    if wonder:
        first = min(r.first_period for r in wonder)
        last = max(r.latest_period for r in wonder)
        final = [r.year for r in data.long if r.dataset == "wonder" and r.final]
        click.echo(f"CDC WONDER synthetic-opioid deaths by state and month: {states} places with a published month, "
                   f"{month_year(first)} to {month_year(last)}"
                   + (f" (final through {max(final)})" if final else "") + ".")
    else:
        click.echo("CDC WONDER: nothing loaded (the long view by state is not shown).")
    rates = sorted({r.year for r in data.long if r.dataset == "nchs_rates"})
    click.echo(f"NCHS national rates: {rates[0]} to {rates[-1]}." if rates else "NCHS national rates: nothing loaded.")
    quoted = sorted({r.year for r in data.long if r.dataset in ("key_figures", "wonder_summary")})
    if quoted:
        click.echo(f"Figures quoted from NCHS text and WONDER summaries: {', '.join(map(str, quoted))}.")
    years = sorted({y for (_, y) in data.population})
    click.echo(f"Census population estimates: {years[0]} to {years[-1]}." if years else "Census population: none.")
    click.echo(f"CDC WONDER deaths by age: {data.ages_year}." if data.ages_year else "Deaths by age: none.")
