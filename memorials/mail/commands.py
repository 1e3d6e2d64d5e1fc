"""`flask --app app deliver-mail [--once]`: a thin wrapper over sender.run."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from .sender import run


@click.command("deliver-mail")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between looks at the outbox.")
@with_appcontext
def deliver_mail_command(once: bool, interval: float) -> None:
    """Send the outbox: over SMTP when MAIL_SERVER is set, else as .eml files in the instance outbox."""
    result = run(interval=interval, once=once)
    if once:
        click.echo(f"{result.sent} sent, {result.retried} to try again later, {result.failed} given up.")
