"""How requests use their connections on PostgreSQL (memorials/database.py): a transaction that only read ends
with COMMIT, so the statements psycopg prepared stay prepared; one that changed anything is still rolled back; a
connection is asked whether the server is still there only after it sat idle."""
from __future__ import annotations

import re

import psycopg
import pytest
from sqlalchemy import exc, select, text, update

from bench.seed import seed
from memorials import database
from memorials.database import _reads_only
from memorials.extensions import db
from memorials.stories.models import Story

from .factories import make_story, publish

pytestmark = pytest.mark.postgresql_only

PREPARED = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%story_version%'"


def test_a_page_visited_again_and_again_is_planned_from_a_prepared_statement(make_app):
    app = make_app(PAGE_CACHE_SECONDS=0)     # every visit reads the memorial again
    with app.app_context():
        story, _ = make_story(content_note=None)
        publish(story)
        slug = story.slug
        db.session.remove()
    client = app.test_client()
    for _ in range(8):
        assert client.get(f"/stories/{slug}").status_code == 200
    with app.app_context():   # one visitor at a time: every visit had the pool's one connection
        assert db.session.execute(text(PREPARED)).scalar() >= 1
        db.session.remove()


def test_any_page_of_the_list_or_the_wall_is_run_from_one_plan_made_once(make_app):
    """A list's and the wall's pages that reach as far (the same power of two of rows numbered) differ only in
    bound values (where the page starts), so PostgreSQL plans their statement once and runs every later page from
    that plan; each page still shows its own memorials."""
    app = make_app(PAGE_CACHE_SECONDS=0)
    with app.app_context():
        seed(130, bulk=False)
        newest_first = db.session.execute(select(Story.slug).where(Story.status == "published")
                                          .order_by(Story.published_at.desc(), Story.id.desc())).scalars().all()
        db.session.remove()
    client = app.test_client()
    for _ in range(5):      # psycopg prepares a statement on its sixth run; PostgreSQL plans five runs for their values
        shown = []
        for page in range(3, 6):    # rows 49 to 120: each page numbers up to 128
            response = client.get(f"/stories/?page={page}")
            assert response.status_code == 200
            shown += [slug for slug in re.findall(r'href="/stories/([a-z0-9-]+)"', response.get_data(as_text=True))
                      if slug in newest_first]
            assert client.get("/stories/wall").status_code == 200
        assert shown == newest_first[48:120]  # pages 3 to 5: their memorials, each once, in order
    with app.app_context():
        plans = db.session.execute(text("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                                        "WHERE statement LIKE '%row_number() OVER%'")).all()
        db.session.remove()
    assert plans and all(generic >= 1 for generic, _custom in plans), plans


def test_a_searchs_cards_are_read_by_one_statement_however_many_match(make_app):
    """The cards of a search's page are asked for by their ids as one array: searches with 1, 2, 3 ... matches send
    the same statement, which psycopg prepares once; each search still shows exactly its own memorials."""
    app = make_app(PAGE_CACHE_SECONDS=0)
    with app.app_context():
        for n in range(1, 8):
            for i in range(n):
                story, _ = make_story(content_note=None, name=f"Person{i} Surname{'x' * n}", state_code="OH")
                publish(story)
        db.session.remove()
    client = app.test_client()
    for _ in range(2):
        for n in range(1, 8):
            page = client.get(f"/stories/?q=surname{'x' * n}&state=OH").get_data(as_text=True)
            assert sorted(re.findall(r"Person(\d) Surname(x+)", page)) == [(str(i), "x" * n) for i in range(n)]
    with app.app_context():
        prepared = db.session.execute(text("SELECT statement FROM pg_prepared_statements "
                                           "WHERE statement LIKE '%story.id = ANY%'")).scalars().all()
        db.session.remove()
    assert len(prepared) == 1, prepared


def test_what_a_transaction_changed_is_still_rolled_back(make_app):
    app = make_app()
    with app.app_context():
        story, _ = make_story(content_note=None, name="Ana Garcia")
        db.session.commit()
        story_id = story.id

        db.session.execute(select(Story.id)).all()                          # read, then change: rolled back
        db.session.execute(update(Story).where(Story.id == story_id).values(email="changed@example.org"))
        db.session.rollback()
        assert db.session.get(Story, story_id).email != "changed@example.org"

        db.session.get(Story, story_id).email = "flushed@example.org"       # changed through the ORM and flushed
        db.session.flush()
        db.session.rollback()
        assert db.session.get(Story, story_id).email not in ("changed@example.org", "flushed@example.org")

        with pytest.raises(Exception):                                      # a transaction in error
            db.session.execute(text("SELECT 1/0")).all()
        db.session.rollback()
        assert db.session.execute(select(Story.id).where(Story.id == story_id)).scalar() == story_id
        db.session.remove()


def test_a_connection_the_server_ended_is_rolled_back_and_the_next_visit_is_served(make_app):
    """The database ends a worker's connection (a restart, a failover, an administrator): the statement that
    meets it fails, its rollback does not, and the next request gets a fresh connection."""
    app = make_app(PAGE_CACHE_SECONDS=0)
    with app.app_context():
        story, _ = make_story(content_note=None)
        publish(story)
        slug = story.slug
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with db.engine.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar() is True
        with pytest.raises(exc.OperationalError):
            db.session.execute(select(Story.id)).all()
        db.session.rollback()
        db.session.remove()
    assert app.test_client().get(f"/stories/{slug}").status_code == 200


def _ended_while_idle(app) -> None:
    """The server ends the connection the pool holds for the next request, as a restart would while it sat idle."""
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()                                 # back in the pool, idle
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as other:   # not from the pool, which would hand back that one
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True


def _a_memorial(make_app):
    """An app that keeps no page (every visit reads the database) and the address of its one memorial."""
    app = make_app(PAGE_CACHE_SECONDS=0)
    with app.app_context():
        story, _ = make_story(content_note=None)
        publish(story)
        slug = story.slug
        db.session.remove()
    return app, slug


def test_a_connection_the_server_ended_while_the_site_was_quiet_is_replaced_before_a_visit_uses_it(make_app,
                                                                                                     monkeypatch):
    app, slug = _a_memorial(make_app)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)      # every connection has sat idle long enough
    _ended_while_idle(app)
    response = app.test_client().get(f"/stories/{slug}")
    assert response.status_code == 200
    assert slug in response.get_data(as_text=True)


def test_a_connection_used_a_moment_ago_is_not_asked_again_and_one_left_idle_is(make_app, monkeypatch):
    """Asking on every checkout cost every page a round trip to the server; a busy worker's connection was in use
    a moment ago."""
    app, slug = _a_memorial(make_app)
    with app.app_context():
        dialect = db.engine.dialect
    pings = []
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(1) or real_ping(connection))
    client = app.test_client()
    for _ in range(5):
        assert client.get(f"/stories/{slug}").status_code == 200
    assert pings == []
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert client.get(f"/stories/{slug}").status_code == 200
    assert pings == [1]


@pytest.mark.parametrize("statement, reads", [
    ("SELECT story.id FROM story", True),
    ("(SELECT 1) UNION (SELECT 2)", True),
    ("WITH ranked AS (SELECT id FROM story) SELECT count(*) FROM ranked", True),
    ("WITH gone AS (DELETE FROM story RETURNING id) SELECT count(*) FROM gone", False),
    ("WITH x AS (SELECT 1) UPDATE story SET email = 'a'", False),
    ("INSERT INTO story (id) VALUES (1)", False),
    ("UPDATE story SET email = 'a'", False),
    ('SAVEPOINT "sa_savepoint_1"', False),
])
def test_only_a_statement_that_cannot_change_anything_counts_as_a_read(statement, reads):
    assert _reads_only(statement) is reads
