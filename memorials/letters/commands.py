"""`flask --app app import-legislators PATH...` and `import-zip-districts PATH...`: each decides by what a path
holds which table it refreshes.

    import-legislators     congress-legislators YAML or JSON (a path or URL): members of Congress, or their
                           district offices; an Open States people folder (data/<state>/legislature/*.yml) or
                           a file of its person records: state legislators and governors
    import-zip-districts   the ZCTA-to-congressional-district CSV (state_abbr, zcta, cd), or districts.json
                           (ZIP code areas to state legislative districts)
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from . import statehouse
from .importer import LettersImportError, import_legislators, import_zip_districts, read_bytes
from .state_importer import (import_state_districts, import_state_officials, looks_like_openstates,
                             parse_people_file, parse_state_districts)


def holds_state_people(path: str) -> bool:
    """An Open States folder, or a file whose records have Open States' roles (congress-legislators' have terms)."""
    if looks_like_openstates(path):
        return True
    try:
        return parse_people_file(read_bytes(path), path) is not None
    except LettersImportError:
        return False  # unreadable: the Congress importer says why


@click.command("import-legislators")
@click.argument("paths", nargs=-1, required=True)
@with_appcontext
def import_legislators_command(paths: tuple[str, ...]) -> None:
    """Replace the members of Congress (legislators-current), their district offices
    (legislators-district-offices), or the state legislators and governors (Open States people data), each
    with what its files hold; a bad file changes nothing."""
    state = [path for path in paths if holds_state_people(path)]
    congress = [path for path in paths if path not in state]
    if len(state) > 1:
        raise click.ClickException("Nothing was imported. Give one Open States folder or file at a time.")
    try:
        if congress:
            result = import_legislators(congress)
            done = [f"{result.rows:,} members of Congress"] if result.rows else []
            done += [f"{result.offices:,} district offices"] if result.offices else []
            click.echo(f"Imported {' and '.join(done)} from {result.source}.")
        if state:
            on = statehouse.today()
            found = import_state_officials(state[0], as_of=on.isoformat())
            click.echo(f"Imported {found.rows - found.governors:,} state legislators and {found.governors} "
                       f"governors from {found.source} (current on {on.isoformat()}).")
            for line in found.dropped_phones:
                click.echo(f"  Left out a phone number: {line}.")
    except LettersImportError as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None


@click.command("import-zip-districts")
@click.argument("paths", nargs=-1, required=True)
@with_appcontext
def import_zip_districts_command(paths: tuple[str, ...]) -> None:
    """Replace the ZIP-to-congressional-district table with one or more CSVs (state_abbr, zcta, cd), for
    example the Census-based table and memorials/data/letters/zip_island_areas.csv; or the ZIP-to-state-district
    table with districts.json. A bad file changes nothing."""
    try:
        tables = {path: parse_state_districts(read_bytes(path), path) for path in paths}
        state = {path: rows for path, rows in tables.items() if rows is not None}
        if len(state) > 1:
            raise LettersImportError("Give one districts.json at a time.")
        if len(state) < len(paths):
            result = import_zip_districts([path for path in paths if path not in state])
            click.echo(f"Imported {result.rows:,} ZIP-to-district rows from {result.source}.")
        for path, rows in state.items():
            count = import_state_districts(rows, path)
            click.echo(f"Imported {count:,} ZIP-to-state-district rows from {path}.")
    except LettersImportError as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None
