"""The page counter as PostgreSQL last told this process, so a kept page is served without a query.

On PostgreSQL a trigger on page_generation (migration 0019) sends NOTIFY page_generation with the counter's
new value whenever it changes, however it was changed: a commit of any app server, a migration, SQL typed by
hand. Each worker process keeps one connection of its own that LISTENs. Before a kept page is served, what
arrived on that connection is read from its socket without waiting: no round trip to the database.

How soon is a change seen? PostgreSQL hands the notice to every listening connection as the change commits,
so it is on its way before the writer has even heard that its commit is done; on loopback or a local network
it arrives well within a millisecond, long before a visitor can ask again after the change. A commit made
in this process raises the value it knows at once (`heard_here`), without waiting for its own notice: a
visitor who lights a candle and is sent back to the memorial sees it on the same worker. Every ten seconds,
and whenever the connection breaks, the counter is read again in full, so a notice lost with a broken
connection costs at most that.

It needs a direct connection to PostgreSQL, or a pooler in session mode: a pooler in transaction mode (as
PgBouncer is often run) does not pass notices on. There, set PAGE_CACHE_LISTEN=0.

Where there is no listener the counter is read with one query per visit, as before: on SQLite, on a
connection a caller holds (a test's transaction), on a database without the trigger, or for a few seconds
after the listening connection broke.
"""
from __future__ import annotations

import os
import threading
import time
import weakref

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

CHANNEL = "page_generation"
TRIGGER = "page_generation_notify"
READ = "SELECT value FROM page_generation WHERE id = 1"
RETRY_SECONDS = 5.0       # after a failed connection, the query path until then
DRAIN_SECONDS = 5.0       # an idle worker still reads its notices, so none pile up in PostgreSQL's queue
REREAD_SECONDS = 10.0     # the counter read in full now and then, whatever was heard

_listeners: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()
_inherited: list = []     # a parent process's listeners: never closed here (that would end the parent's session)


class Listener:
    """One LISTENing connection for one engine in one process, and the last value it heard."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.connection = None
        self.value: int | None = None
        self.read_at = 0.0
        self.retry_at = 0.0
        self.closed = False
        self.draining = False   # the thread that reads notices while the worker is idle, started once

    def current(self) -> int | None:
        """The counter's last value heard, or None when this process cannot listen just now."""
        with self.lock:
            if self.closed:
                return None
            if self.connection is None and not self._connect():
                return None
            try:
                self._drain()
                if time.monotonic() - self.read_at > REREAD_SECONDS:
                    self._read()
            except Exception:   # a broken connection (psycopg.OperationalError, OSError): the query path for now
                self._drop()
                return None
            return self.value

    def heard(self, value: int) -> None:
        """A value this process committed itself: known at once."""
        with self.lock:
            if self.value is not None:
                self.value = max(self.value, value)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self._drop()

    # --- inside the lock ------------------------------------------------------------------------------------

    def _connect(self) -> bool:
        if time.monotonic() < self.retry_at:
            return False
        connection = None
        try:
            args, params = self.engine.dialect.create_connect_args(self.url)
            connection = psycopg.connect(*args, **params, autocommit=True)
            connection.execute(f"LISTEN {CHANNEL}")   # before the read: no change falls between the two
            if connection.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", (TRIGGER,)).fetchone() is None:
                raise LookupError("the counter has no trigger yet: not migrated to 0019")
            self.connection = connection
            self._read()
        except Exception:   # no server, no trigger: ask the database on each visit for a while
            self.connection = None
            if connection is not None:
                connection.close()
            self.retry_at = time.monotonic() + RETRY_SECONDS
            return False
        if not self.draining:
            self.draining = True
            _drain_while_idle(self)
        return True

    def _read(self) -> None:
        row = self.connection.execute(READ).fetchone()
        self.value = int(row[0]) if row else 0
        self.read_at = time.monotonic()
        self._drain()   # notices that came with the read are no newer than it

    def _drain(self) -> None:
        """Take every notice already received, without waiting for more."""
        connection = self.connection
        # Twice: a server ending the connection (a restart, an administrator) sends a last message and closes;
        # libpq reads the message on one call and finds the socket closed on the next, and then raises.
        connection.pgconn.consume_input()
        connection.pgconn.consume_input()
        unreadable = False
        while (notice := connection.pgconn.notifies()) is not None:
            try:
                value = int(notice.extra)
            except ValueError:   # somebody else's NOTIFY on the channel: read the counter itself
                unreadable = True
                continue
            self.value = value if self.value is None else max(self.value, value)
        if unreadable:
            self._read()

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:   # already broken
                pass
        self.connection = None
        self.value = None
        self.retry_at = time.monotonic() + RETRY_SECONDS


def _drain_while_idle(listener: Listener) -> None:
    """A daemon thread that reads the listener's notices every few seconds while the worker has no visitors."""
    reference = weakref.ref(listener)

    def drain() -> None:
        while True:
            time.sleep(DRAIN_SECONDS)
            found = reference()
            if found is None or found.closed:
                return
            with found.lock:
                if found.connection is not None:
                    try:
                        found._drain()
                    except Exception:
                        found._drop()
            del found

    threading.Thread(target=drain, name="page-generation-listener", daemon=True).start()


def listener_for(bind) -> Listener | None:
    """This process's listener for an engine on PostgreSQL (made on first use), or None."""
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return None
    with _registry_lock:
        listener = _listeners.get(bind)
        if listener is not None and listener.pid != os.getpid():   # made before a fork: the parent's
            _inherited.append(listener)
            listener = None
        if listener is None:
            listener = _listeners[bind] = Listener(bind)
            if not event.contains(bind, "engine_disposed", _forget):
                event.listen(bind, "engine_disposed", _forget)
    return listener


def _forget(engine: Engine) -> None:
    """The engine's connections were closed: so is its listener (a new one is made if it is used again)."""
    with _registry_lock:
        listener = _listeners.pop(engine, None)
    if listener is not None and listener.pid == os.getpid():
        listener.close()


def current(bind) -> int | None:
    """The counter without a query, where this process listens for it; else None."""
    listener = listener_for(bind)
    return listener.current() if listener is not None else None


def heard_here(bind: Engine, value: int) -> None:
    """This process committed the counter at `value`: every listener of this process on that database knows."""
    with _registry_lock:
        same = [listener for engine, listener in _listeners.items() if listener.url == bind.url
                and listener.pid == os.getpid()]
    for listener in same:
        listener.heard(value)
