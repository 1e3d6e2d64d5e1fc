"""Database set-up that depends on the engine: SQLite pragmas and write locking."""
from __future__ import annotations

from flask import Flask, has_request_context, request
from sqlalchemy import event
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


def init_database(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
