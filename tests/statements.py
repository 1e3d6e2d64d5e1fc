"""Counting the SQL statements a page sends: a page runs a fixed number of them, whatever the data."""
from __future__ import annotations

from sqlalchemy import event

from memorials.extensions import db

# The transaction's own bookkeeping is not a question to the database: SQLite's BEGIN, and the savepoints a
# test's rolled-back transaction puts where a running site would BEGIN and COMMIT.
BOOKKEEPING = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class Statements:
    """Counts the SQL statements the app sends while it is active (its transactions' bookkeeping left out)."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def _count(self, _conn, _cursor, statement, *_):
        if not statement.lstrip().upper().startswith(BOOKKEEPING):
            self.seen.append(statement)

    def __enter__(self):
        self.seen = []
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_):
        event.remove(self.engine, "before_cursor_execute", self._count)


def statements_for(app, client, url: str) -> int:
    """How many statements one GET of url sends (it must answer 200)."""
    with app.app_context():
        engine = db.engine
    with Statements(engine) as seen:
        assert client.get(url).status_code == 200, url
    return len(seen.seen)
