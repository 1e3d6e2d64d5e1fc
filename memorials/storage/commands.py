"""`flask --app app store-tasks`: do now what the photo store refused earlier (the mail sender does it too)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from . import tasks


@click.command("store-tasks")
@with_appcontext
def store_tasks_command() -> None:
    """Retry the deletions (and public copies) of photos and share cards that the store refused, once."""
    worked = tasks.work_off(limit=10_000, everything=True)
    click.echo(f"{worked.done} done, {worked.failed} still failing, {worked.waiting} waiting.")
