"""`flask --app app move-photos --to s3://…`: every family's photo copied to another store, checked by hash."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import storage
from ..extensions import db
from ..storage.move import Moved, move
from . import photos
from .models import Photo


def photo_names():
    """Every photo and thumbnail the database knows, oldest first (a file the database does not name is a
    leftover and is not moved)."""
    rows = db.session.execute(db.select(Photo.filename, Photo.thumb_filename).order_by(Photo.id)
                              .execution_options(yield_per=1000))
    for full, thumb in rows:
        yield full
        yield thumb


@click.command("move-photos")
@click.option("--to", "to_url", required=True, metavar="URL",
              help="The new store: s3://BUCKET/PREFIX (with S3_ENDPOINT_URL and the keys set) or file:///PATH.")
@click.option("--from", "from_url", metavar="URL",
              help="The store to copy from (default: the one the site uses now, PHOTO_STORE_URL).")
@with_appcontext
def move_photos_command(to_url: str, from_url: str | None) -> None:
    """Copy every photo to another store and check each copy by its hash. Safe to run again: what is already
    there is not copied twice. Then set PHOTO_STORE_URL to the new store, restart, and run it once more for the
    photos sent in between. Share cards are not copied: they are drawn again at their first view."""
    config, instance = current_app.config, current_app.instance_path
    try:
        source = storage.open_store(from_url, storage.PHOTOS, config, instance) if from_url else photos.store()
        destination = storage.open_store(to_url, storage.PHOTOS, config, instance)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    click.echo(f"Copying photos from {source!r} to {destination!r}")

    def progress(moved: Moved) -> None:
        click.echo(f"  {moved.copied:,} copied, {moved.already_there:,} already there, {len(moved.missing):,} "
                   f"missing, {len(moved.failed):,} failed")

    moved = move(photo_names(), source, destination, expected=photos.name_digest, progress=progress)
    for problem in moved.failed[:20]:
        click.echo(f"  failed: {problem}", err=True)
    for name in moved.missing[:20]:
        click.echo(f"  missing from the source: {name}", err=True)
    click.echo(f"{moved.copied:,} copied and checked, {moved.already_there:,} already there, "
               f"{len(moved.missing):,} missing from the source, {len(moved.failed):,} failed.")
    if not moved.ok:
        click.echo("Some photos were not copied: run the command again once the store answers.", err=True)
        sys.exit(1)
