"""Single-use things stay single-use when two requests arrive together: a sign-in code, a recovery code, an
invitation or new-password link, and a family's new private link. Each is taken with a conditional UPDATE
that checks the row count, so on PostgreSQL the second request waits for the first's row lock and then
finds it used. (SQLite takes every write transaction in turn: nothing can race there.)
"""
from __future__ import annotations

import threading

import pytest

from memorials.extensions import db
from memorials.moderation import accounts
from memorials.moderation.models import Moderator
from memorials.stories.services import find_by_token, offer_new_link, use_token

from .factories import make_moderator, make_story, totp_code

pytestmark = pytest.mark.postgresql_only
def _at_once(make_app, count: int, attempt) -> list:
    """Run attempt(app) in `count` threads that load what they need, meet at a barrier, then act together:
    each in its own app context and database connection, as concurrent requests on several workers are."""
    app = make_app()
    barrier = threading.Barrier(count, timeout=30)   # one attempt that fails early never hangs the run
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(attempt(barrier))
                db.session.commit()
        except Exception as error:  # noqa: BLE001 (collected and asserted below)
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def _enrolled(make_app) -> None:
    with make_app().app_context():
        make_moderator()


def test_two_sign_ins_with_the_same_code_at_once_accept_it_once(make_app):
    _enrolled(make_app)
    code = totp_code()

    def attempt(barrier):
        found = accounts.find_moderator("mod@example.org")   # both read the last step used: none yet
        barrier.wait()
        return accounts.verify_second_factor(found, code)

    assert sorted(map(str, _at_once(make_app, 4, attempt))) == ["None", "None", "None", "totp"]


def test_one_recovery_code_sent_twice_at_once_signs_in_once(make_app):
    _enrolled(make_app)
    with make_app().app_context():
        [code, *_] = accounts.new_recovery_codes(accounts.find_moderator("mod@example.org"))
        db.session.commit()

    def attempt(barrier):
        found = accounts.find_moderator("mod@example.org")
        barrier.wait()
        return accounts.verify_second_factor(found, code)

    assert sorted(map(str, _at_once(make_app, 8, attempt))) == ["None"] * 7 + ["recovery"]


def test_one_invitation_used_twice_at_once_sets_one_password(make_app):
    app = make_app()
    with app.app_context():
        admin = make_moderator(email="admin@example.org", admin=True)
        token = accounts.invite("new@example.org", admin=False, by=admin).token
        db.session.commit()

    def attempt(barrier):
        invitation = accounts.find_invitation(token)   # both find it unused
        barrier.wait()
        try:
            return accounts.accept_invitation(invitation, "a quiet place to read").email
        except accounts.AccountError:
            return None

    assert sorted(map(str, _at_once(make_app, 3, attempt))) == ["None", "None", "new@example.org"]
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Moderator.id))
                                  .filter_by(email="new@example.org")).scalar() == 1


def test_a_familys_new_link_used_twice_at_once_becomes_their_link_once(make_app):
    app = make_app()
    with app.app_context():
        story, _ = make_story()
        new = offer_new_link(story)
        db.session.commit()

    def attempt(barrier):
        found = find_by_token(new)
        barrier.wait()
        return use_token(found, new)

    assert sorted(_at_once(make_app, 3, attempt)) == [False, False, True]
    with app.app_context():
        assert find_by_token(new) is not None
