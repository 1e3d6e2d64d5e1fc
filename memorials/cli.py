"""Command-line wrappers over plain functions: `flask --app app init-db`, `create-moderator`."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .community.commands import send_remembrances_command
from .extensions import db
from .letters.commands import import_legislators_command, import_zip_districts_command
from .letters.snapshot import load_bundled as load_letters
from .logs import log_refused_commands
from .mail.commands import deliver_mail_command
from .moderation.accounts import WeakPassword, create_moderator
from .moderation.accounts import reset_two_factor as reset
from .pagecache import generation
from .search import draw_cards_command, reindex_search_command
from .stats.commands import import_stats_command, stats_status_command
from .stats.snapshot import load_bundled as load_stats
from .storage.commands import store_tasks_command
from .stories.commands import move_photos_command


def init_db() -> list[str]:
    """Create or upgrade the schema, then load the bundled data. Never drops anything."""
    upgrade(directory=current_app.extensions["migrate"].directory, revision="head")
    generation.raise_now()   # a migration may change what pages show: every worker makes its pages again
    db.session.commit()
    done = ["schema is up to date"]
    for loader in bundled_loaders():
        done.append(loader())
    return done


def bundled_loaders():
    """Each feature's loader of its bundled snapshot; each returns a line to print."""
    return [load_stats, load_letters]


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database and load the bundled data (safe to run again)."""
    for line in init_db():
        click.echo(line)


@click.command("create-moderator")
@with_appcontext
@click.argument("email")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
@click.option("--admin", is_flag=True, help="Make this moderator an admin (manages the team and campaigns).")
@click.option("--reset-two-factor", is_flag=True,
              help="Also clear their sign-in code set-up (a lost phone): they enrol again at next sign-in.")
def create_moderator_command(email: str, password_stdin: bool, admin: bool, reset_two_factor: bool) -> None:
    """Create a moderator (the first admin), or set an existing one's password, which signs them out everywhere."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        moderator, created = create_moderator(email, password, admin=admin)
    except WeakPassword as error:
        raise click.ClickException(str(error)) from None
    if reset_two_factor and not created:
        reset(moderator, by=None)
    db.session.commit()
    verb = "Created" if created else "Updated"
    role = "admin moderator" if moderator.is_admin else "moderator"
    click.echo(f"{verb} {role} {moderator.email}. They set up their sign-in code at their first sign-in."
               if created or reset_two_factor else f"{verb} {role} {moderator.email}.")


COMMANDS = (init_db_command, create_moderator_command, deliver_mail_command, send_remembrances_command,
            import_stats_command, stats_status_command, import_legislators_command, import_zip_districts_command,
            reindex_search_command, draw_cards_command, move_photos_command, store_tasks_command)


def register_commands(app: Flask) -> None:
    """Every command of the site, each a plain click command in its feature's package; every refusal is logged."""
    for command in COMMANDS:
        app.cli.add_command(command)
    log_refused_commands(app)
