"""One moderator's button on one item of a tab (a message, a memory, a gallery photo): the decision in one
transaction with its log row, then the files a rejection freed, a word for the moderator, and back to the tab."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, url_for

from ..extensions import db
from ..stories import photos


def decide_item(action: str | None, choices: dict[str, Callable[[], tuple[str, list[str]]]], back: str,
                errors: tuple[type[Exception], ...]):
    """choices maps each button's action to a step returning (what the moderator reads, files to delete)."""
    if action not in choices:
        abort(400)
    try:
        done, unused = choices[action]()
    except errors as error:   # someone else decided first
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(back))
    db.session.commit()
    photos.delete_files(*unused)
    flash(done, "success")
    return redirect(url_for(back))
