"""Which commits change public pages, and the counter they raise.

Every statement the app sends that may write is noticed on its connection (ORM flushes, bulk statements,
the search index's own SQL alike: anything but a plain read, and only the writes to tables no public page
reads are let pass); when that transaction commits, the same transaction raises page_generation.value, so
the change and the new number become visible together, to every worker on every app server. A change made
by hand in SQL is seen once the counter is raised by hand too:

    UPDATE page_generation SET value = value + 1;
"""
from __future__ import annotations

import re
import weakref

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

# Written by mail, sign-in, moderation bookkeeping and one-time tokens: nothing a visitor's page shows.
UNSEEN_TABLES = frozenset({
    "outbox_message", "moderation_event", "moderator", "moderator_session", "moderator_recovery_code",
    "moderator_invitation", "used_letter_token", "remembrance_sent", "report", "page_generation", "steward",
})
MIGRATING = "alembic_version"
SCHEMA = ("CREATE", "DROP", "ALTER")
# Statements that only read (or open and close transactions); anything else may write.
READS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "SHOW", "SET", "EXPLAIN")
WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?\s',
                   re.IGNORECASE)
RAISE = ("INSERT INTO page_generation (id, value) VALUES (1, 1) "
         "ON CONFLICT (id) DO UPDATE SET value = page_generation.value + 1")
READ = "SELECT value FROM page_generation WHERE id = 1"
CHANGED, MIGRATED = "pagecache.changed", "pagecache.migrated"


def _notice(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    found = WRITE.match(statement)
    if found is not None:
        table = found.group(1).lower()
        if table == MIGRATING:
            conn.info[MIGRATED] = True
        elif table not in UNSEEN_TABLES:
            conn.info[CHANGED] = True
    else:
        start = statement.lstrip().upper()
        if start.startswith(SCHEMA):
            conn.info[MIGRATED] = True  # the schema changes: is the counter still (or now) there?
        elif not start.startswith(READS):
            conn.info[CHANGED] = True   # WITH ... UPDATE, a leading comment, TRUNCATE: counted, to be safe


def _raise_on_commit(conn) -> None:
    changed = conn.info.pop(CHANGED, False)
    if conn.info.pop(MIGRATED, False):
        # A migration (or any change of schema) may create or drop the counter: ask again, and raise it if
        # it is there.
        _engines_with_counter.discard(conn.engine)
        changed = True
    if changed and _counter_exists(conn):
        conn.exec_driver_sql(RAISE)


def _forget(conn) -> None:
    conn.info.pop(CHANGED, None)
    conn.info.pop(MIGRATED, None)


def watch(engine: Engine) -> None:
    """Raise the counter on every commit of this engine that changes a public table (once per engine)."""
    if event.contains(engine, "before_cursor_execute", _notice):
        return
    event.listen(engine, "before_cursor_execute", _notice)
    event.listen(engine, "commit", _raise_on_commit)
    event.listen(engine, "rollback", _forget)


_engines_with_counter: weakref.WeakSet = weakref.WeakSet()


def _counter_exists(conn) -> bool:
    """False only on a database not yet migrated to 0013 (asked again on each commit until it is)."""
    if conn.engine in _engines_with_counter:
        return True
    if inspect(conn).has_table("page_generation"):
        _engines_with_counter.add(conn.engine)
        return True
    return False


def available() -> bool:
    """Whether this database has the counter (a database not yet migrated to 0013 has not: no page is kept)."""
    return _counter_exists(db.session.connection())


def current() -> int | None:
    """The counter as this request's transaction sees it (0 before anything has changed), or None when it
    cannot be read (the table dropped under a running worker by a downgrade): then no page is kept. Plain
    SQL: it runs on every visit, and building an ORM statement would cost more than the query."""
    try:
        return db.session.connection().exec_driver_sql(READ).scalar() or 0
    except SQLAlchemyError:
        db.session.rollback()
        _engines_with_counter.discard(db.engine)
        return None
