"""Deletes, public copies and CDN purges that must happen, kept in the database until they have.

A withdrawal plans the deletion of the family's photos in its own transaction (`plan`), then carries it out
right after the commit (`carry_out`), as it always did. A delete the store refuses (it is down, a timeout)
stays in `store_task` and is tried again by `work_off`, which the mail sender runs on every pass (and
`flask --app app store-tasks` runs by hand): 1, 2, 4, … minutes apart, at most an hour, until it is done.
Deleting a file that is already gone counts as done, so trying twice is harmless, from any server.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import delete, event, select, tuple_
from sqlalchemy.orm import Session

from ..extensions import db
from ..timeutil import utcnow
from . import PHOTOS, PUBLIC, StoreUnavailable, cdn, store
from .models import StoreTask

log = logging.getLogger(__name__)

DELETE, PUBLISH, PURGE = "delete", "publish", "purge"
OPPOSITE = {DELETE: PUBLISH, PUBLISH: DELETE}
CDN = "cdn"   # the area a purge is for: the keys a CDN keeps copies under
FIRST_RETRY = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)
SHOUT_AFTER = timedelta(hours=1)     # past this, every failure is logged as an error, not a warning
BATCH = 100


@dataclass(frozen=True)
class Task:
    action: str
    area: str
    name: str


def deletes(area: str, names: Iterable[str]) -> list[Task]:
    return [Task(DELETE, area, name) for name in dict.fromkeys(n for n in names if n)]


def publishes(names: Iterable[str]) -> list[Task]:
    return [Task(PUBLISH, PUBLIC, name) for name in dict.fromkeys(n for n in names if n)]


def purges(keys: Iterable[str]) -> list[Task]:
    """Purges of these keys, when a CDN is configured (none otherwise)."""
    return [Task(PURGE, CDN, key) for key in dict.fromkeys(keys)] if cdn.configured() else []


def plan(tasks: list[Task]) -> None:
    """Record these tasks in the caller's transaction, so they are committed with the change that needs them;
    `carry_out()` after the commit does them. A later decision replaces an earlier one: deleting a public
    copy cancels a copy still waiting, and the other way round, so a retry never brings back a withdrawn photo."""
    if not tasks:
        return
    keys = [(t.area, t.name) for t in tasks]
    db.session.execute(delete(StoreTask).where(tuple_(StoreTask.area, StoreTask.name).in_(keys)))
    db.session.add_all(StoreTask(action=t.action, area=t.area, name=t.name) for t in tasks)
    db.session.info.setdefault(PLANNED, []).extend(tasks)


PLANNED, COMMITTED = "storage.planned", "storage.committed"


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    # No SQL here (SQLAlchemy forbids it in after_commit): the tasks wait for carry_out().
    planned = session.info.pop(PLANNED, None)
    if planned:
        session.info.setdefault(COMMITTED, []).extend(planned)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session) -> None:
    session.info.pop(PLANNED, None)


def _do(task: Task) -> None:
    if task.action == PURGE:
        cdn.purge(task.name)
        return
    if task.action == DELETE:
        store(task.area).delete(task.name)
        return
    try:
        data = store(PHOTOS).read(task.name)
    except FileNotFoundError:
        return  # the photo itself is gone (withdrawn meanwhile): nothing to copy
    store(PUBLIC).save(task.name, data)


def carry_out(extra: list[Task] | None = None) -> list[Task]:
    """After a commit: do the tasks it planned, and these, in order. What the store refused is kept (or
    recorded) for a retry; the rest is forgotten. Commits its bookkeeping. Returns the tasks that failed."""
    tasks = list(dict.fromkeys([*db.session.info.pop(COMMITTED, []), *(extra or [])]))
    if not tasks:
        return []
    failed: dict[Task, str] = {}
    for task in tasks:
        try:
            _do(task)
        except StoreUnavailable as error:
            failed[task] = str(error)
    done = [t for t in tasks if t not in failed]
    if done:
        db.session.execute(delete(StoreTask).where(
            tuple_(StoreTask.action, StoreTask.area, StoreTask.name).in_([(t.action, t.area, t.name) for t in done])))
    for task, error in failed.items():
        row = db.session.execute(select(StoreTask).filter_by(action=task.action, area=task.area, name=task.name)
                                 ).scalar_one_or_none()
        if row is None:
            row = StoreTask(action=task.action, area=task.area, name=task.name, attempts=0, created_at=utcnow())
            db.session.add(row)
        _failed_try(row, error)
    db.session.commit()
    return list(failed)


def _failed_try(row: StoreTask, error: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    row.attempts = (row.attempts or 0) + 1
    row.last_error = error[:300]
    row.next_attempt_at = now + min(FIRST_RETRY * (2 ** (row.attempts - 1)), LONGEST_PAUSE)
    level = logging.ERROR if row.created_at and now - row.created_at > SHOUT_AFTER else logging.WARNING
    log.log(level, "could not %s %s in the %s store (try %s): %s; trying again at %s UTC", row.action, row.name,
            row.area, row.attempts, row.last_error, row.next_attempt_at.strftime("%H:%M:%S"))


@dataclass
class Worked:
    done: int = 0
    failed: int = 0
    waiting: int = 0


def work_off(limit: int = BATCH, now: datetime | None = None, everything: bool = False) -> Worked:
    """Try the tasks that are due (every one, with everything); commits. Several senders may run this at once:
    every task is harmless to do twice."""
    now = now or utcnow()
    query = select(StoreTask).order_by(StoreTask.id).limit(limit)
    if not everything:
        query = query.where(StoreTask.next_attempt_at <= now)
    rows = list(db.session.execute(query).scalars())
    result = Worked()
    for row in rows:
        try:
            _do(Task(row.action, row.area, row.name))
        except StoreUnavailable as error:
            _failed_try(row, str(error), now)
            result.failed += 1
        else:
            db.session.delete(row)
            result.done += 1
    if rows:
        db.session.commit()
    result.waiting = db.session.execute(select(db.func.count()).select_from(StoreTask)).scalar() if rows else 0
    return result


def waiting(area: str | None = None) -> list[StoreTask]:
    """Tasks not done yet (for tests and the command's report)."""
    query = select(StoreTask).order_by(StoreTask.id)
    if area is not None:
        query = query.where(StoreTask.area == area)
    return list(db.session.execute(query).scalars())


def publishing() -> bool:
    """Whether photos of public memorials are copied to the public area (PHOTO_PUBLIC_URL is set)."""
    return bool(current_app.config["PHOTO_PUBLIC_URL"])


def init_tasks(app: Flask) -> None:
    """Whatever a request's commit planned (a public copy, a purge) is done before its answer goes, on every
    path; outside a request the mail sender's loop does it."""

    @app.after_request
    def committed_work(response):
        if db.session.info.get(COMMITTED):
            carry_out()
        return response
