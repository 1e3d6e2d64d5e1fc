"""Finding a memorial: the full-text index, the filters and the counts behind /stories/.

    models.py   search_entry (one row per public memorial), search_count (counts per group), search_day,
                search_face, search_card (each memorial's card, drawn at approval), FTS5 DDL
    index.py    kept in step with memorials/events.py: approvals, approved edits, unpublishing,
                republishing and withdrawals; rebuild() for an existing database
    cards.py    the cards' HTML: stored at approval, kept per worker, drawn where neither has it
    query.py    find(filters, page, per_page): one page's cards and counts, how many match, years to offer
    forms.py    FindForm, the GET form on the list

The list view stays stories.index; this package has no pages of its own.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..pagecache import generation
from . import index  # noqa: F401 (connects the receivers)
from .models import SearchCard


@click.command("reindex-search")
@with_appcontext
def reindex_search_command() -> None:
    """Rebuild the search index from the published memorials (safe at any time)."""
    total = index.rebuild(db.session.connection())
    generation.changed()   # the lists' words and counts are new: every worker makes its pages again
    db.session.commit()
    click.echo(f"Indexed {total} published memorials.")


@click.command("draw-cards")
@with_appcontext
def draw_cards_command() -> None:
    """Draw and store every public memorial's card again, in each language (after an upgrade changed the cards'
    templates, words or code: until then, lists draw those cards on each first visit, as they always could)."""
    index.store_every_card(db.session.connection())
    generation.changed()   # the same cards, but every worker makes its pages again all the same
    db.session.commit()
    total = db.session.execute(db.select(db.func.count()).select_from(SearchCard)).scalar()
    click.echo(f"Drew {total} cards.")
