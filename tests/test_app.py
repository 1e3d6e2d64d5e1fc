"""The application as a whole: schema and commands, configuration, mail, errors, headers, SQLite under load."""
from __future__ import annotations

import html
import re
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from memorials import config, create_app
from memorials.extensions import db
from memorials.search.models import schema_objects_to_compare
from memorials.stories.models import Story

from .factories import form_data, make_story, publish
from .forms import submit


def fresh_app(database_url, tmp_path, **settings):
    """An app on an empty database (no create_all): only init-db may build the schema."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                       "INSTANCE_PATH": str(tmp_path / "fresh"), "RATELIMIT_ENABLED": False, **settings})


def test_home_page_says_what_the_site_is_for_and_shows_crisis_lines(client):
    page = client.get("/").get_data(as_text=True)
    assert "Remembering the people we lost" in page
    assert "988" in page and "1-800-662-4357" in page
    assert "(press 2 for Spanish)" in page   # for a family that reads this page in English for someone who speaks Spanish


@pytest.mark.both_databases
def test_init_db_builds_the_schema_the_models_describe_and_is_safe_to_run_again(empty_database_url, tmp_path):
    app = fresh_app(empty_database_url, tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as connection:
            # Everything but SQLite's FTS5 table and its shadow tables (tests/test_search.py checks those).
            context = MigrationContext.configure(connection, opts={"include_name": schema_objects_to_compare})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        if db.engine.dialect.name == "postgresql":   # the counter tells listening workers its new value
            assert db.session.execute(db.text("SELECT tgname FROM pg_trigger WHERE tgrelid = "
                                              "'page_generation'::regclass")).scalars().all() == ["page_generation_notify"]
        story, _ = make_story()
        publish(story)
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert db.session.execute(db.select(Story)).scalar_one().status == "published"
        db.session.remove()
        db.engine.dispose()


def test_every_response_carries_a_strict_content_security_policy(client):
    response = client.get("/stories/new")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = response.get_data(as_text=True)
    assert not re.search(r"<script>|\sstyle=|\son[a-z]+=", page)
    # Nothing loads from elsewhere: no script, style, icon or image from another address. (Links that only
    # name an address, such as the other language's version of this page, load nothing.)
    head = page.split("</head>")[0]
    assert not re.search(r'<(script|img|iframe)[^>]*\ssrc="(https?:)?//', head)
    assert not re.search(r'<link(?![^>]*rel="(alternate|canonical)")[^>]*\shref="(https?:)?//', head)
    assert 'hreflang="es"' in head


def test_private_pages_are_never_cached(app, client):
    with app.app_context():
        _, token = make_story()
    response = client.get(f"/stories/manage/{token}")
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"


def test_error_pages_are_kind_and_styled(make_app):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    client = app.test_client()
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "couldn't find that page" in html.unescape(missing.get_data(as_text=True))
    broken = client.get("/boom")
    text = html.unescape(broken.get_data(as_text=True))
    assert broken.status_code == 500 and "it isn't your fault" in text
    assert "Traceback" not in text and "RuntimeError" not in text and "site.css" in text


def test_too_many_sign_in_attempts_are_slowed_with_a_kind_page(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    # A different account each time: this is the limit per address (the per-account one is in test_security).
    responses = [submit(client, "/moderate/login", {"email": f"a{n}@b.org", "password": "wrong"}) for n in range(11)]
    assert [r.status_code for r in responses] == [200] * 10 + [429]
    assert "Please slow down" in responses[-1].get_data(as_text=True)


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(tmp_path)
    assert len(first) >= 32 and config.secret_key(tmp_path) == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_database_url_forms_are_understood(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/memorials")
    assert config.from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/memorials"
    monkeypatch.delenv("DATABASE_URL")
    assert config.from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


@pytest.mark.both_databases
def test_the_database_is_set_up_as_documented(make_app, database_kind):
    """PostgreSQL through psycopg 3; SQLite in WAL mode with foreign keys and a busy timeout."""
    app = make_app()
    with app.app_context():
        if database_kind == "postgresql":
            assert (db.engine.dialect.name, db.engine.dialect.driver) == ("postgresql", "psycopg")
            return
        with db.engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") >= 5000


@pytest.mark.both_databases
def test_concurrent_submissions_never_fail_with_database_is_locked(make_app):
    app = make_app()
    errors, statuses = [], []

    def family(n):
        client = app.test_client()
        try:
            for i in range(3):
                response = submit(client, "/stories/new", form_data(name=f"Person {n}-{i}"))
                statuses.append(response.status_code)
        except Exception as error:  # noqa: BLE001 (collected and asserted below)
            errors.append(error)

    threads = [threading.Thread(target=family, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and statuses == [302] * 18
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Story.id))).scalar() == 18
