"""The bulk seeder (`python -m bench seed`, past 50,000 memorials): the same database as a memorial at a time."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from bench.seed import seed
from memorials.extensions import db
from memorials.search.index import index_story
from memorials.search.models import SearchEntry
from memorials.search.query import Filters, find
from memorials.stories.models import Story

from .factories import make_story, publish

pytestmark = pytest.mark.both_databases


def schema():
    inspector = inspect(db.engine)
    tables = ("story", "story_version", "photo", "moderation_event", "search_entry", "search_card")
    return {t: (sorted(i["name"] for i in inspector.get_indexes(t)),
                sorted(str(fk["name"]) for fk in inspector.get_foreign_keys(t)),
                sorted(str(u["name"]) for u in inspector.get_unique_constraints(t))) for t in tables}


def test_a_bulk_seed_leaves_what_memorials_approved_one_by_one_leave(make_app):
    app = make_app()     # a database of its own: the bulk load commits on a connection of its own
    with app.app_context():
        before = schema()
        assert seed(40) == 40                       # the plain way first: the bulk one adds to it
        assert seed(100, bulk=True) == 60
        db.session.remove()
        assert schema() == before                   # every index and constraint is back
        stories = db.session.execute(db.select(Story).order_by(Story.id)).scalars().all()
        assert len(stories) == 100 and len({s.slug for s in stories}) == 100
        assert all(s.is_public and s.live_version.story_html for s in stories)

        def index():
            if db.engine.dialect.name == "sqlite":
                return db.session.execute(text("SELECT rowid, name, place, story FROM search_text ORDER BY rowid")).all()
            return db.session.execute(text("SELECT story_id, document::text FROM search_entry ORDER BY story_id")).all()

        def cards():
            return db.session.execute(text("SELECT story_id, language, version_id, stamp, html FROM search_card "
                                           "ORDER BY story_id, language")).all()

        seeded, seeded_cards = index(), cards()
        assert len(seeded) == 100 and len(seeded_cards) == 200       # each memorial's card in each language
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("INSERT INTO search_text(search_text) VALUES ('integrity-check')"))
        for story in stories:     # what each approval would have written
            index_story(story)
        db.session.flush()
        assert index() == seeded and cards() == seeded_cards
        db.session.rollback()

        # The site goes on: a family's story gets the next number, and the words find the seeded memorials.
        story, _ = make_story(name="Zebulon Quartermaine")
        publish(story)
        assert story.id == 101
        shown = [s for s in stories[40:] if s.live_version.name_display == "full"][-1]   # one the bulk load added
        found = find(Filters(q=shown.live_version.name.split()[-1]), 1, 24)
        assert shown.id in [story_id for story_id, _ in found.entries]
        assert db.session.execute(db.select(db.func.count()).select_from(SearchEntry)).scalar() == 101
