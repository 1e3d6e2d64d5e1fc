"""An app on a throwaway SQLite database, removed when done: where the snapshot builders run the importers
(python -m memorials.stats.build_snapshot, python -m memorials.letters.build_snapshot)."""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from . import create_app
from .extensions import db


@contextmanager
def throwaway_app(**settings) -> Iterator[Flask]:
    """Yield an app, inside its app context, on a fresh SQLite database that is removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/throwaway.sqlite3",
                          "SECRET_KEY": "throwaway", "RATELIMIT_ENABLED": False, **settings})
        with app.app_context():
            db.create_all()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()
