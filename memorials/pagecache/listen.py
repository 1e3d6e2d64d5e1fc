"""The page counter as PostgreSQL last told this process, so a kept page is served without a query.

On PostgreSQL a trigger on page_generation (migration 0019) sends NOTIFY page_generation with the counter's
new value whenever it changes, however it was changed: a commit of any app server, a migration, SQL typed by
hand. Each worker process keeps one connection of its own that LISTENs. Before a kept page is served, what
arrived on that connection is read from its socket without waiting: no round trip to the database.

How soon is a change seen? PostgreSQL hands the notice on as the change commits; on loopback it arrived in a
median of 0.13 ms, long before a visitor can ask again after the change (bench cluster checks this across two
app servers). It is not instantaneous: a visitor on another worker whose request arrives within that moment
gets the page as it was just before the change. A commit made in this process raises the value it knows at
once (`heard_here`), without waiting for its own notice: a visitor who lights a candle and is sent back to the
memorial sees it on the same worker.

What if notices stop? A broken connection is seen at the next visit (the worker then asks the database itself
until it connects again). Every ten seconds the counter is also read in full: a value committed since the
connection began listening that no notice brings within a second means notices are not arriving (a trigger
dropped or disabled, a pooler in transaction mode, as PgBouncer is often run, which does not pass them on),
and the worker asks the database on each visit for ten minutes, with a warning in the log. Behind such a
pooler, set PAGE_CACHE_LISTEN=0.

Where there is no listener the counter is read with one query per visit, as before: on SQLite, on a
connection a caller holds (a test's transaction), on a database without the trigger, or for a while after
the listening connection broke.
"""
from __future__ import annotations

import logging
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
AWAIT_SECONDS = 1.0       # how long a value read in full may wait for its notice
DEAF_SECONDS = 600        # after notices stopped coming, the query path for this long (and a warning)
TRIGGER_ON = ("SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = 'page_generation'::regclass "
              "AND tgenabled <> 'D'")
# A server that vanishes without closing the connection (a failover, a firewall) is noticed, and no read waits
# longer than a worker may.
CONNECTION_LIMITS = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                     "keepalives_count": 3, "tcp_user_timeout": 60_000, "options": "-c statement_timeout=5000"}
DRAIN_SECONDS = 5.0       # an idle worker still reads its notices, so none pile up in PostgreSQL's queue
REREAD_SECONDS = 10.0     # the counter read in full now and then, whatever was heard

LOG = logging.getLogger("memorials")
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
        self.value: int | None = None    # the counter as this process knows it: heard, read, or committed here
        self.heard_up_to = 0             # the highest value a notice brought (notices come in commit order)
        self.awaited: tuple[int, float] | None = None   # a value read but not yet heard, and until when to wait
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
                self._check_notices_arrive()
            except Deaf as deaf:   # a trigger dropped or disabled, a pooler that swallows notices: stop listening
                LOG.warning("page cache: %s; asking the database on each visit for %d minutes", deaf,
                            DEAF_SECONDS // 60)
                self._drop(DEAF_SECONDS)
                return None
            except Exception:   # a broken connection (psycopg.Error, OSError): the query path for a few seconds
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
            connection = psycopg.connect(*args, **{**params, **CONNECTION_LIMITS}, autocommit=True)
            # Notices that come in while a query runs are taken by psycopg: they are handed here too.
            connection.add_notify_handler(lambda notice: self._heard(notice.payload))
            connection.execute(f"LISTEN {CHANNEL}")   # before the read: no change falls between the two
            if connection.execute(TRIGGER_ON, (TRIGGER,)).fetchone() is None:
                raise Deaf("the counter has no working trigger: not migrated to 0019, or the trigger is disabled")
            self.connection = connection
            self.value, self.heard_up_to, self.awaited = None, 0, None
            self._read()   # the value to start from: no notice will bring it
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
        """The counter read in full. A value committed since this connection began listening that no notice has
        brought yet should be heard within a moment (its notice may be on its way): _check_notices_arrive."""
        before = self.heard_up_to
        row = self.connection.execute(READ).fetchone()   # notices that come meanwhile go to _heard
        read = int(row[0]) if row else 0
        self.read_at = time.monotonic()
        if self.value is None or read < before:   # connecting, or the counter went back (a restored backup)
            self.value = self.heard_up_to = read
        else:
            self.value = max(self.value, read)
        self._drain()
        if read > self.heard_up_to and self.awaited is None:
            self.awaited = (read, time.monotonic() + AWAIT_SECONDS)

    def _heard(self, payload: str) -> None:
        try:
            value = int(payload)
        except ValueError:   # somebody else's NOTIFY on the channel: the counter is read on the next visit
            self.read_at = 0.0
            return
        # Notices come in commit order, each value higher than the last: a lower one means the counter went back.
        self.value = value if self.value is None or value < self.heard_up_to else max(self.value, value)
        self.heard_up_to = value

    def _drain(self) -> None:
        """Take every notice already received, without waiting for more."""
        connection = self.connection
        # Twice: a server ending the connection (a restart, an administrator) sends a last message and closes;
        # libpq reads the message on one call and finds the socket closed on the next, and then raises.
        connection.pgconn.consume_input()
        connection.pgconn.consume_input()
        while (notice := connection.pgconn.notifies()) is not None:
            self._heard(notice.extra.decode("utf-8", "replace"))

    def _check_notices_arrive(self) -> None:
        """A value read in full that no notice brings in time: the trigger was dropped or disabled, or a pooler
        swallows notices. Then this worker asks the database on each visit (and connects again later)."""
        if self.awaited is None:
            return
        value, deadline = self.awaited
        if self.heard_up_to >= value:
            self.awaited = None
        elif time.monotonic() > deadline:
            raise Deaf(f"the counter reached {value} and no notice said so")

    def _drop(self, wait: float = RETRY_SECONDS) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:   # already broken
                pass
        self.connection = None
        self.value = None
        self.retry_at = time.monotonic() + wait


class Deaf(Exception):
    """Notices are not arriving on a connection that is otherwise well."""


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
