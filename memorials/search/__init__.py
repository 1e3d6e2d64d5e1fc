"""Finding a memorial: the full-text index, the filters and the counts behind /stories/.

    models.py   search_entry (one row per public memorial), search_count (counts per group), FTS5 DDL
    index.py    kept in step with memorials/events.py: approvals, approved edits, unpublishing,
                republishing and withdrawals; rebuild() for an existing database
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


@click.command("reindex-search")
@with_appcontext
def reindex_search_command() -> None:
    """Rebuild the search index from the published memorials (safe at any time)."""
    total = index.rebuild(db.session.connection())
    generation.changed()   # the lists' words and counts are new: every worker makes its pages again
    db.session.commit()
    click.echo(f"Indexed {total} published memorials.")
