"""Which commits change public pages, and the counter they raise.

The session tells us what a transaction changed: every flush names the rows it wrote (after_flush), and
every statement sent through the session names its table (do_orm_execute: bulk inserts, updates and
deletes). A table no public page reads says so on its model (`@unseen_by_visitors`: mail, sign-in,
moderation bookkeeping, one-time tokens); every other table is public. Just before a transaction that
touched a public table commits, the same transaction raises page_generation.value (before_commit), so the
change and the new number become visible together, to every worker on every app server: there is no
moment when the change is committed and the old number still stands.

Work done outside the session's ORM (a migration, SQL typed by hand) is seen once the counter is raised
too: `flask --app app init-db` raises it after migrating, and by hand:

    UPDATE page_generation SET value = value + 1;
"""
from __future__ import annotations

import weakref

from flask import current_app
from sqlalchemy import Table, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import TextClause

from ..extensions import UNSEEN, db
from . import listen

RAISE = ("INSERT INTO page_generation (id, value) VALUES (1, 1) "
         "ON CONFLICT (id) DO UPDATE SET value = page_generation.value + 1 RETURNING value")
READ = "SELECT value FROM page_generation WHERE id = 1"
CHANGED = "pagecache.changed"
RAISED = "pagecache.raised"
# SQL typed by hand is read only to tell a plain read from anything else (which counts, to be safe).
READS = ("SELECT", "PRAGMA", "SHOW", "EXPLAIN")
SCHEMA = ("CREATE", "DROP", "ALTER")


def _public(table) -> bool:
    return not (isinstance(table, Table) and table.info.get(UNSEEN))


def changed(session: Session | None = None) -> None:
    """Say that this transaction changes what public pages show (for code that writes with SQL of its own)."""
    (session or db.session()).info[CHANGED] = True


@event.listens_for(Session, "after_flush")
def _rows_written(session: Session, _context) -> None:
    if session.info.get(CHANGED):
        return
    for instance in (*session.new, *session.dirty, *session.deleted):
        if _public(inspect(instance).mapper.local_table):
            session.info[CHANGED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _statement_sent(state: ORMExecuteState) -> None:
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        if _public(getattr(statement, "table", None)):
            state.session.info[CHANGED] = True
    elif isinstance(statement, TextClause):
        start = statement.text.lstrip().upper()
        if start.startswith(SCHEMA):   # the counter itself may come or go: ask again whether it is there
            _engines_with_counter.discard(state.session.connection().engine)
        if not start.startswith(READS):
            state.session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _raise_with_the_change(session: Session) -> None:
    session.flush()   # the rows this commit writes are named now, not after this hook
    if not session.info.pop(CHANGED, False):
        return
    connection = session.connection()
    if _counter_exists(connection):
        value = connection.exec_driver_sql(RAISE).scalar()
        # Known to this process's listeners once it commits: not in a caller's connection or a savepoint, whose
        # outer transaction may still roll back.
        if isinstance(session.get_bind(), Engine) and not session.in_nested_transaction():
            session.info[RAISED] = (connection.engine, value)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    raised = session.info.pop(RAISED, None)
    if raised is not None:
        listen.heard_here(*raised)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous) -> None:
    if previous.parent is None:   # the whole transaction, not a savepoint inside it
        session.info.pop(CHANGED, None)
        session.info.pop(RAISED, None)


_engines_with_counter: weakref.WeakSet = weakref.WeakSet()


def _counter_exists(connection) -> bool:
    """False only on a database not yet migrated to 0013 (asked again on each change until it is)."""
    if connection.engine in _engines_with_counter:
        return True
    if inspect(connection).has_table("page_generation"):
        _engines_with_counter.add(connection.engine)
        return True
    return False


def raise_now() -> None:
    """Raise the counter in the current transaction (after a migration: every kept page is made again)."""
    _engines_with_counter.discard(db.session.connection().engine)   # the schema may have just changed
    changed()


def available() -> bool:
    """Whether this database has the counter (a database not yet migrated to 0013 has not: no page is kept)."""
    return _counter_exists(db.session.connection())


def current() -> int | None:
    """The counter (0 before anything has changed), or None when it cannot be read (the table dropped under a
    running worker by a downgrade): then no page is kept. On PostgreSQL, as this process last heard it
    (listen.py: no query); else as this request's transaction sees it, in plain SQL (it runs on every visit,
    and building an ORM statement would cost more than the query)."""
    heard = listen.current(db.engine) if current_app.config["PAGE_CACHE_LISTEN"] else None
    if heard is not None:
        return heard
    if not available():
        return None
    try:
        return db.session.connection().exec_driver_sql(READ).scalar() or 0
    except SQLAlchemyError:
        db.session.rollback()
        _engines_with_counter.discard(db.engine.engine)
        return None
