"""Fixtures: a fresh app and database per test, on SQLite and on PostgreSQL."""
from __future__ import annotations

import itertools
import os
import tempfile
from email import message_from_bytes, policy
from pathlib import Path

import psycopg
import pytest

from memorials import create_app
from memorials.extensions import db as _db

from .postgres import Cluster
from .redis_server import RedisServer

_counter = itertools.count()

# Hypothesis keeps its caches outside the project (nothing new at the top level of the repository).
try:
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "memorials-hypothesis"))
except ImportError:  # pragma: no cover (hypothesis is in tests/requirements.txt)
    pass


def pytest_addoption(parser):
    parser.addoption("--db", action="append", choices=["sqlite", "postgresql"],
                     help="run against this database only (default: both)")


def pytest_generate_tests(metafunc):
    if "database_kind" in metafunc.fixturenames:
        kinds = metafunc.config.getoption("db") or ["sqlite", "postgresql"]
        metafunc.parametrize("database_kind", kinds, scope="function")


@pytest.fixture(scope="session")
def postgres_server():
    """Start one PostgreSQL cluster for the run; skip its tests where PostgreSQL is missing."""
    try:
        cluster = Cluster()
    except FileNotFoundError:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but initdb/pg_ctl were not found")
        pytest.skip("PostgreSQL (initdb) is not installed")
    url = cluster.start()
    yield url
    cluster.stop()


@pytest.fixture(scope="session")
def redis_server():
    """One Redis server for the run; its tests skip where redis-server is missing (unless REQUIRE_REDIS=1)."""
    try:
        server = RedisServer()
    except FileNotFoundError:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but redis-server was not found")
        pytest.skip("Redis (redis-server) is not installed")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """An empty Redis for this test: no counter left over from another."""
    redis_server.flush()
    return redis_server.url


@pytest.fixture
def database_url(database_kind, request, tmp_path):
    if database_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"test_{os.getpid()}_{next(_counter)}"
    admin = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database, with extra settings where a test needs them."""
    made = []

    def make(**settings):
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret-key",
            "SITE_URL": "http://localhost",
            "SERVER_NAME": None,
            "MAIL_SERVER": "",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,
        }
        config.update(settings)
        app = create_app(config)
        with app.app_context():
            _db.create_all()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """The database inside an app context, for service tests that skip HTTP."""
    with app.app_context():
        yield _db


def deliver(app) -> None:
    """Run the mail sender once, as `flask --app app deliver-mail --once` does."""
    from memorials.mail.sender import run

    with app.app_context():
        run(once=True)


@pytest.fixture
def outbox(app):
    """Messages the sender wrote to the instance outbox (it is run first), oldest first, parsed."""

    def read():
        deliver(app)
        folder = Path(app.instance_path) / "outbox"
        if not folder.exists():
            return []
        return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]

    return read
