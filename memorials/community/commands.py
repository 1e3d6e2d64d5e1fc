"""`flask --app app send-remembrances`: the day's remembrance notes, safe to run more than once."""
from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from ..timeutil import utcnow
from . import remembrance


@click.command("send-remembrances")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Send the notes due on this day (default: today, UTC).")
@with_appcontext
def send_remembrances_command(on: str | None) -> None:
    """Queue each remembrance note due today (anniversary of the death, birthday), once a year at most."""
    try:
        today = date.fromisoformat(on) if on else utcnow().date()
    except ValueError:
        raise click.BadParameter("Please give the date as YYYY-MM-DD.", param_hint="--date") from None
    # The notes carry links: SITE_URL plus the path a request would have.
    with current_app.test_request_context("/"):
        sent, skipped = remembrance.send_due(today)
    click.echo(f"Queued {sent} remembrance note{'s' if sent != 1 else ''} for {today.isoformat()}"
               + (f" ({skipped} already sent by another run)." if skipped else "."))
