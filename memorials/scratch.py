"""An app on a throwaway SQLite database: for building bundled snapshots and for benchmarks."""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask


@contextmanager
def scratch_app(**settings) -> Iterator[Flask]:
    """Yield an app, inside its app context, on a fresh SQLite database that is removed afterwards."""
    from . import create_app
    from .extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/scratch.sqlite3",
                          "SECRET_KEY": "scratch", "RATELIMIT_ENABLED": False, **settings})
        with app.app_context():
            db.create_all()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()
