"""Database set-up that depends on the engine: SQLite pragmas and write locking; on PostgreSQL, statements kept
prepared across requests, and a connection asked whether it is still there only after it has sat idle."""
from __future__ import annotations

import time

import psycopg
from flask import Flask, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from .extensions import db

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and IMMEDIATE write transactions.

    pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves:
    a request that may write takes the write lock when its transaction starts, so two
    workers never deadlock upgrading a read lock ("database is locked").
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        writing = not has_request_context() or request.method not in READ_METHODS
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _reads_only(statement: str) -> bool:
    """Whether this statement can only read (see _end_reads_with_commit); in doubt, no."""
    head = statement.lstrip("( \n").upper()
    if head.startswith("SELECT"):
        return True
    return head.startswith("WITH") and not any(word in head for word in ("INSERT", "UPDATE", "DELETE", "MERGE"))


def _end_reads_with_commit(engine: Engine) -> None:
    """A PostgreSQL transaction that only read ends with COMMIT instead of ROLLBACK: for a transaction that
    changed nothing the two are the same, but psycopg forgets every statement it prepared on the server at each
    rollback. Kept, a statement a connection has run five times is prepared there (psycopg's prepare_threshold)
    and PostgreSQL may reuse its plan. Every page of the site ends its transaction this way, so without this each
    page's statement was planned afresh: at 1,000,000 memorials, planning a list page's statement cost twice what
    running it did.

    "Only read": every statement since the transaction began was a SELECT, or a WITH naming no INSERT, UPDATE,
    DELETE or MERGE (any other statement, a savepoint included, counts as a change). A SELECT that writes (a
    function with side effects, SELECT INTO, several statements in one string) would count as a read: the site
    sends none, and must not. A transaction in error, or on a lost connection, is left to its rollback."""

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.info["changed"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def on_execute(connection, _cursor, statement, _parameters, _context, _executemany):
        if not _reads_only(statement):
            connection.info["changed"] = True

    @event.listens_for(engine, "rollback")
    def on_rollback(connection):
        if connection.invalidated or connection.closed:
            return               # a lost connection: SQLAlchemy's rollback ends it as before
        try:
            if connection.info.get("changed", True):
                return
            raw = connection.connection.dbapi_connection
            if raw is not None and raw.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
                raw.commit()     # psycopg's rollback that follows finds no transaction, and keeps its statements
        except (psycopg.Error, exc.SQLAlchemyError):
            pass                 # the rollback that follows meets the same trouble, and SQLAlchemy handles it


# A PostgreSQL connection that has sat in the pool this long is asked whether it is still there before a request
# uses it (one round trip), as SQLAlchemy's pool_pre_ping asks every time: see _ping_after_idle.
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_after_idle(engine: Engine) -> None:
    """Ask a connection that has been idle for PING_AFTER_IDLE_SECONDS whether the server still answers, before a
    request uses it; one that does not is replaced (the pool tries a fresh one). Asking on every checkout, as
    pool_pre_ping does, cost every page a round trip to the server: on a busy worker the connection was in use a
    moment ago. What it still catches is what it is for: a connection closed while the site was quiet (the server
    restarted, a firewall's or the server's idle timeout). A server that goes away while pages are being served
    fails the requests under way, as it would with the ping, and SQLAlchemy then replaces every connection the
    pool holds (its disconnect handling)."""

    @event.listens_for(engine, "connect")
    def on_connect(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except psycopg.Error as error:
            raise exc.DisconnectionError("the database did not answer a ping") from error


def init_database(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Not on every checkout: only after a connection sat idle (_ping_after_idle).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                                                   "pool_pre_ping": False}
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
        elif db.engine.dialect.driver == "psycopg":
            _end_reads_with_commit(db.engine)
            _ping_after_idle(db.engine)
