"""Fixtures: the app and its schema are built once per test worker and database; each test runs in a
transaction that is rolled back (the pattern of pypi/warehouse's tests).

- Every test runs on SQLite. A test whose behaviour depends on the database (SQL, locking, search,
  migrations, counts) is marked `both_databases` and runs on PostgreSQL too, on a throwaway cluster started
  once per worker with initdb/pg_ctl.
- `app` is the worker's app for that database. The test's work (its own and every request's) goes into one
  connection whose outer transaction is rolled back at the end; a commit in the app releases a savepoint.
  Each test has its own instance folder (outbox, photos, cards) and a fresh copy of the configuration.
- `make_app(**settings)` builds a new app on a database of the test's own, with real commits: for settings
  read when the app is made (limits, proxies, the page cache), and for work another connection, thread,
  process or second app must see. Every call in one test shares that database.
- With pytest-xdist each worker has its own databases (and its own PostgreSQL cluster).
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

import psycopg
import pytest
from jinja2 import BytecodeCache

from memorials import create_app
from memorials.cli import bundled_loaders
from memorials.extensions import db as _db
from memorials.extensions import limiter
from memorials.pagecache import page_store

from . import needs
from .postgres import Cluster
from .redis_server import RedisServer

# Hypothesis keeps its caches outside the project (nothing new at the top level of the repository).
try:
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "memorials-hypothesis"))
except ImportError:  # pragma: no cover (hypothesis is in tests/requirements.txt)
    pass

DATABASES = ("sqlite", "postgresql")
BOTH = "both_databases"
POSTGRESQL_ONLY = "postgresql_only"
BUNDLED = "bundled_data"
_counter = itertools.count()

# A test's own session joins the outer transaction with a savepoint: the app's commits release it, its
# rollbacks roll back to it, and the test's end rolls everything back. (No effect on sessions bound to an
# engine, as every app made by make_app is.)
_db.session.session_factory.configure(join_transaction_mode="create_savepoint")


def settings(**overrides) -> dict:
    """What every test app is made with."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SITE_URL": "http://localhost",
        "SERVER_NAME": None,
        "MAIL_SERVER": "",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
    }
    config.update(overrides)
    return config


class SharedBytecode(BytecodeCache):
    """Compiled templates kept for the whole run: every app made in a test reuses them (compiling the
    templates again for each app would cost more than most tests)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        found = self.compiled.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


BYTECODE = SharedBytecode()


def build_app(config: dict):
    app = create_app(config)
    app.jinja_env.bytecode_cache = BYTECODE
    return app


# --- databases ------------------------------------------------------------------------------------------

def pytest_addoption(parser):
    parser.addoption("--db", action="append", choices=list(DATABASES),
                     help="run against this database only (default: SQLite, and PostgreSQL where it matters)")


def pytest_generate_tests(metafunc):
    if "database_kind" in metafunc.fixturenames:
        if metafunc.definition.get_closest_marker(POSTGRESQL_ONLY):
            wanted = DATABASES[1:]
        elif metafunc.definition.get_closest_marker(BOTH):
            wanted = DATABASES
        else:
            wanted = DATABASES[:1]
        chosen = metafunc.config.getoption("db")
        metafunc.parametrize("database_kind", [kind for kind in wanted if not chosen or kind in chosen],
                             scope="function")


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL cluster for this worker; its tests skip where PostgreSQL is missing."""
    with needs.running(Cluster, "REQUIRE_POSTGRES", "PostgreSQL (initdb, pg_ctl) is not installed") as (_, url):
        yield url


@pytest.fixture(scope="session")
def redis_server():
    """One Redis server for the run; its tests skip where redis-server is missing (unless REQUIRE_REDIS=1)."""
    with needs.running(RedisServer, "REQUIRE_REDIS", "Redis (redis-server) is not installed") as (server, _):
        yield server


@pytest.fixture
def redis_url(redis_server):
    """An empty Redis for this test: no counter left over from another."""
    redis_server.flush()
    return redis_server.url


class Databases:
    """This worker's databases: templates made once (the schema; the schema with the bundled data that
    `init-db` loads), and cheap copies of them for each test that needs a database of its own."""

    def __init__(self, folder: Path, request) -> None:
        self.folder, self.request = folder, request
        self.templates: dict[tuple[str, str], str] = {}

    def _admin(self) -> str:
        server = self.request.getfixturevalue("postgres_server")
        return server.replace("postgresql+psycopg", "postgresql") + "/postgres"

    def empty(self, kind: str) -> str:
        """A new database with nothing in it."""
        n = next(_counter)
        if kind == "sqlite":
            return f"sqlite:///{self.folder / f'empty-{n}.sqlite3'}"
        name = f"test_{os.getpid()}_{n}"
        with psycopg.connect(self._admin(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.request.getfixturevalue("postgres_server") + "/" + name

    def copy(self, kind: str, contents: str = "schema") -> str:
        """A new database holding the schema the models describe (contents="schema"), or that and the bundled
        statistics and letters data (contents="bundled"), copied from this worker's template."""
        template = self._template(kind, contents)
        n = next(_counter)
        if kind == "sqlite":
            path = self.folder / f"test-{n}.sqlite3"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"
        name = f"test_{os.getpid()}_{n}"
        with psycopg.connect(self._admin(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.request.getfixturevalue("postgres_server") + "/" + name

    def drop(self, url: str) -> None:
        if url.startswith("sqlite"):
            return  # the worker's folder goes at the end
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self._admin(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _template(self, kind: str, contents: str) -> str:
        if (kind, contents) not in self.templates:
            url = self.empty(kind) if contents == "schema" else self.copy(kind)
            app = build_app(settings(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=str(self.folder / "template")))
            with app.app_context():
                if contents == "schema":
                    _db.create_all()
                else:
                    for loader in bundled_loaders():
                        loader()
                    _db.session.commit()
                _db.session.remove()
                _db.engine.dispose()
            self.templates[kind, contents] = url.split("///", 1)[1] if kind == "sqlite" else url.rsplit("/", 1)[1]
        return self.templates[kind, contents]


@pytest.fixture(scope="session")
def databases(request, tmp_path_factory):
    return Databases(tmp_path_factory.mktemp("databases"), request)


@pytest.fixture(scope="session")
def worker_apps(databases, tmp_path_factory):
    """This worker's apps, one for each database and contents, made the first time a test asks for it."""
    apps: dict[tuple[str, str], object] = {}

    def app_for(kind: str, contents: str = "schema"):
        if (kind, contents) not in apps:
            url = databases.copy(kind, contents)
            app = build_app(settings(SQLALCHEMY_DATABASE_URI=url,
                                     INSTANCE_PATH=str(tmp_path_factory.mktemp(f"instance-{kind}"))))
            app.extensions["memorials.test_config"] = dict(app.config)
            # Flask-Limiter keeps its settings on the one Limiter object, made again by every app: a test that
            # makes an app with limits on must not leave them on for the next test on this app.
            app.extensions["memorials.test_limiter"] = dict(vars(limiter))
            app.extensions["memorials.test_extensions"] = set(app.extensions) | {"memorials.test_extensions"}
            apps[kind, contents] = app
        return apps[kind, contents]

    yield app_for
    for app in apps.values():
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


@contextmanager
def rolled_back(app, instance: Path):
    """The worker's app for one test: its configuration as made, its own instance folder and empty caches, and
    every session (the test's own and every request's) inside one transaction rolled back at the end."""
    app.config.clear()
    app.config.update(app.extensions["memorials.test_config"])
    app.instance_path = str(instance)
    # What the app made for itself since (photo stores on the instance folder, rendered cards, parsed figures)
    # followed an earlier test's folder and data: made again.
    for made in set(app.extensions) - app.extensions["memorials.test_extensions"]:
        del app.extensions[made]
    page_store(app).clear()
    vars(limiter).update(app.extensions["memorials.test_limiter"])
    with app.app_context():
        engines = _db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
    try:
        yield app
    finally:
        with app.app_context():
            _db.session.remove()
        engines[None] = engine
        outer.rollback()
        connection.close()


def _contents(request) -> str:
    """What a test's database starts with: the schema, or also the bundled data (marked bundled_data)."""
    return "bundled" if request.node.get_closest_marker(BUNDLED) else "schema"


@pytest.fixture
def empty_database_url(database_kind, databases):
    """An empty database of this kind, for the tests that build the schema themselves (init-db, migrations)."""
    url = databases.empty(database_kind)
    yield url
    databases.drop(url)


@pytest.fixture
def database_url(request, database_kind, databases):
    """A database of this test's own, with real commits (for make_app and processes), holding the schema (and
    the bundled data, for a test marked bundled_data)."""
    url = databases.copy(database_kind, _contents(request))
    yield url
    databases.drop(url)


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's own database, with extra settings where a test needs them."""
    made = []

    def make(**overrides):
        app = build_app(settings(**{"SQLALCHEMY_DATABASE_URI": database_url,
                                    "INSTANCE_PATH": str(tmp_path / "instance"), **overrides}))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def app(request, database_kind, worker_apps, tmp_path):
    """The worker's app, the test's work rolled back at the end (on a database that also holds the bundled
    data, for a test marked bundled_data); made afresh on a database of its own when the test makes apps."""
    if "make_app" in request.fixturenames:
        yield request.getfixturevalue("make_app")()
        return
    with rolled_back(worker_apps(database_kind, _contents(request)), tmp_path / "instance") as app:
        yield app


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
