"""`flask --app app import-stats PATH_OR_URL`: a thin wrapper over importer.import_vsrr."""
from __future__ import annotations

import click

from . import bp
from .importer import StatsImportError, import_vsrr


@bp.cli.command("import-stats")
@click.argument("path_or_url")
def import_stats_command(path_or_url: str) -> None:
    """Import a VSRR file (CSV export or API shape); a malformed file changes nothing."""
    try:
        release = import_vsrr(path_or_url)
    except StatsImportError as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None
    click.echo(f"Imported {release.row_count:,} figures through {release.latest_period:%B %Y} from {path_or_url}"
               + (f" ({release.skipped:,} rows of other indicators skipped)" if release.skipped else "") + ".")
