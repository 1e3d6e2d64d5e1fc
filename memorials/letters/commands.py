"""`flask --app app import-legislators PATH_OR_URL...` and `import-zip-districts PATH`."""
from __future__ import annotations

import click

from . import bp
from .importer import LettersImportError, import_legislators, import_zip_districts


@bp.cli.command("import-legislators")
@click.argument("paths", nargs=-1, required=True)
def import_legislators_command(paths: tuple[str, ...]) -> None:
    """Replace the members of Congress (legislators-current) and/or their district offices
    (legislators-district-offices) with congress-legislators YAML or JSON files; a bad file changes nothing."""
    try:
        result = import_legislators(list(paths))
    except LettersImportError as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None
    done = [f"{result.rows:,} members of Congress"] if result.rows else []
    done += [f"{result.offices:,} district offices"] if result.offices else []
    click.echo(f"Imported {' and '.join(done)} from {result.source}.")


@bp.cli.command("import-zip-districts")
@click.argument("paths", nargs=-1, required=True)
def import_zip_districts_command(paths: tuple[str, ...]) -> None:
    """Replace the ZIP-to-district table with one or more CSVs (state_abbr, zcta, cd), for example the
    Census-based table and memorials/data/letters/zip_island_areas.csv; a bad file changes nothing."""
    try:
        result = import_zip_districts(list(paths))
    except LettersImportError as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None
    click.echo(f"Imported {result.rows:,} ZIP-to-district rows from {result.source}.")
