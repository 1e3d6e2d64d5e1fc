"""Mail through the outbox: nothing is lost when the mail server is down, hangs, or the sender is killed."""
from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from memorials import mail
from memorials.extensions import db
from memorials.mail import sender
from memorials.mail.models import OutboxMessage
from memorials.stories.models import Story
from memorials.timeutil import utcnow

from .conftest import deliver
from .factories import form_data, make_moderator, sign_in
from .forms import csrf_token, submit
from .smtp import free_port, hanging_server, smtp_server

# Its behaviour depends on the database: it runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.both_databases

ROOT = Path(__file__).resolve().parent.parent


def smtp_settings(port: int) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
            "MAIL_FROM": "Memorials <hello@memorials.example>"}


def rows(app) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
        db.session.expunge_all()
        return found


def deliver_until_quiet(app, *, later: timedelta = timedelta(0), passes: int = 20) -> None:
    """Run sender passes as if `later` had passed since now, until nothing more is due."""
    with app.app_context():
        for _ in range(passes):
            result = sender.deliver_due(now=utcnow() + later)
            if not (result.sent or result.retried or result.failed):
                return


def test_a_request_never_talks_to_the_mail_server_the_sender_does(make_app):
    with smtp_server() as (inbox, port):
        app = make_app(**smtp_settings(port))
        response = submit(app.test_client(), "/stories/new", form_data())
        assert response.status_code == 302
        assert inbox.messages == []          # queued in the story's transaction, not sent by the request
        [queued] = rows(app)
        assert queued.status == "queued" and queued.recipients == "maria@example.org"
        deliver(app)
    [envelope] = inbox.messages  # no moderators yet: only the family is written to
    assert envelope.rcpt_tos == ["maria@example.org"] and envelope.mail_from == "hello@memorials.example"
    body = envelope.content.decode()
    assert "http://localhost/stories/manage/" in body and "Daniel James Rivera" in body
    assert not (Path(app.instance_path) / "outbox").exists()
    # Once sent, only the fact remains: no address, no subject, no body (the private link is gone).
    [sent] = rows(app)
    assert sent.status == "sent" and sent.sent_at is not None
    assert (sent.recipients, sent.subject, sent.body) == (None, None, None)


def test_without_a_mail_server_messages_are_written_as_eml_files(app, client, outbox):
    submit(client, "/stories/new", form_data())
    [message] = outbox()
    assert message["To"] == "maria@example.org" and "/stories/manage/" in message.get_content()
    assert rows(app)[0].body is None


def test_mail_server_down_then_up_every_message_is_delivered_later_once(make_app):
    port = free_port()  # nobody listens here yet: the server is down
    app = make_app(**smtp_settings(port))
    with app.app_context():
        make_moderator()
    client = app.test_client()
    for n in range(5):
        assert submit(client, "/stories/new", form_data(name=f"Person {n}")).status_code == 302
    deliver(app)
    waiting = rows(app)
    assert len(waiting) == 10  # a message to each family and one to the moderators, per story
    assert all(m.status == "queued" and m.attempts == 1 and m.body for m in waiting)
    assert all(m.next_attempt_at > utcnow() for m in waiting)  # tried again later, not hammered
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Story.id))).scalar() == 5

    with smtp_server(port=port) as (inbox, _):
        deliver(app)
        assert inbox.messages == []  # not due again yet: the pause after a failure holds
        deliver_until_quiet(app, later=timedelta(minutes=2))
        deliver_until_quiet(app, later=timedelta(hours=3))  # and nothing is sent twice
    ids = inbox.message_ids()
    assert len(ids) == 10 and len(set(ids)) == 10
    families = [e for e in inbox.messages if e.rcpt_tos == ["maria@example.org"]]
    assert len(families) == 5 and all(b"/stories/manage/" in e.content for e in families)
    assert all(m.status == "sent" and m.body is None for m in rows(app))


def test_a_mail_server_that_hangs_costs_the_family_nothing(make_app, monkeypatch):
    monkeypatch.setattr(sender, "SMTP_TIMEOUT", 1)
    with hanging_server() as port:
        app = make_app(**smtp_settings(port))
        client = app.test_client()
        started = time.monotonic()
        response = submit(client, "/stories/new", form_data(), follow_redirects=True)
        took = time.monotonic() - started
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and took < 3
        assert "/stories/manage/" in page  # the family sees their private link at once
        started = time.monotonic()
        deliver(app)  # the sender gives up on the silent server after its timeout
        assert time.monotonic() - started < 10
    [message] = rows(app)
    assert message.status == "queued" and message.attempts == 1 and "timed out" in (message.last_error or "")
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Story.id))).scalar() == 1  # no duplicate story


def test_after_24_hours_a_message_is_given_up_and_moderators_see_it(make_app):
    app = make_app(**smtp_settings(free_port()))
    with app.app_context():
        make_moderator()
        mail.queue("family@example.org", "Your private link", "http://localhost/stories/manage/abc", kind="received")
        mail.queue("writer@example.org", "Your letters", "Dear Senator, my own words", kind="letter_copy",
                   private=True)
        db.session.commit()
        db.session.execute(db.update(OutboxMessage).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    deliver(app)
    given_up = rows(app)
    assert [m.status for m in given_up] == ["failed", "failed"]
    assert given_up[0].body and given_up[1].body is None  # a letter writer's words are not kept
    assert given_up[1].recipients is None  # nor their address
    client = app.test_client()
    sign_in(client)
    queue = client.get("/moderate/").get_data(as_text=True)
    assert "could not be delivered" in queue and "family@example.org" in queue and "Your private link" in queue
    assert "writer@example.org" not in queue
    # A moderator who reads Spanish sees the same panel in Spanish; the message itself is shown as it was sent.
    spanish = html.unescape(client.get("/es/moderate/").get_data(as_text=True))
    assert "No se pudieron entregar 2 mensajes" in spanish and "Your private link" in spanish
    assert "El servidor de correo los rechazó o no respondió durante 24 horas." in spanish
    assert "Volver a intentar" in spanish and "No se guardó (privado)" in spanish
    retried = client.post(f"/es/moderate/mail/{given_up[0].id}/retry", follow_redirects=True,
                          data={"csrf_token": csrf_token(spanish)})
    assert "El mensaje se enviará de nuevo." in html.unescape(retried.get_data(as_text=True))
    assert rows(app)[0].status == "queued"


def test_a_sender_killed_mid_batch_loses_nothing_on_restart(make_app, database_url, tmp_path):
    with smtp_server(delay=0.3) as (inbox, port):
        app = make_app(**smtp_settings(port))
        with app.app_context():
            for n in range(8):
                mail.queue(f"family{n}@example.org", f"Message {n}", f"Body {n}", kind="test")
            db.session.commit()
        env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": app.instance_path,
               "SECRET_KEY": "test-secret-key", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port),
               "MAIL_USE_TLS": "0"}
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "deliver-mail"], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while len(inbox.messages) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(inbox.messages) >= 3, process.stderr.read1().decode() if process.poll() is not None else ""
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            process.stderr.close()
        assert len(inbox.messages) < 8  # it really died mid-batch
        deliver(app)  # the restarted sender takes back the dead one's claims at once
    ids = inbox.message_ids()
    wanted = {m.message_id for m in rows(app)}
    assert set(ids) == wanted  # none lost
    assert len(ids) - len(set(ids)) <= 1  # at most the one the server had accepted as the sender died
    assert all(m.status == "sent" for m in rows(app))


def test_a_new_link_asked_for_during_an_outage_is_delivered_and_the_old_one_still_works(make_app):
    port = free_port()
    app = make_app(**smtp_settings(port))
    client = app.test_client()
    with smtp_server(port=port) as (inbox, _):
        submit(client, "/stories/new", form_data())
        deliver(app)
    old_path = re.search(r"http://localhost(/stories/manage/\S+)", inbox.messages[0].content.decode()).group(1)
    response = submit(client, "/stories/manage/lost", {"email": "maria@example.org"})  # the server is down now
    assert "Check your email" in response.get_data(as_text=True)
    deliver(app)
    assert client.get(old_path).status_code == 200  # the family's link was not cancelled
    with smtp_server(port=port) as (inbox, _):
        deliver_until_quiet(app, later=timedelta(minutes=5))
    [fresh] = inbox.messages
    new_path = re.search(r"http://localhost(/stories/manage/\S+)", fresh.content.decode()).group(1)
    assert client.get(new_path).status_code == 200 and client.get(old_path).status_code == 404


def test_a_lost_link_request_takes_the_same_time_whether_or_not_the_email_is_known(app, client):
    from statistics import median

    from memorials.stories.views import LOST_LINK_SECONDS

    submit(client, "/stories/new", form_data())
    timings = {"maria@example.org": [], "stranger@example.org": []}
    for _ in range(3):
        for email, taken in timings.items():  # interleaved, so a busy moment hurts both alike
            started = time.monotonic()
            page = submit(client, "/stories/manage/lost", {"email": email}).get_data(as_text=True)
            taken.append(time.monotonic() - started)
            assert "Check your email" in page
    known, unknown = timings.values()
    # Every answer waits for the same floor, far above the work either way takes.
    assert min(known + unknown) >= LOST_LINK_SECONDS
    assert abs(median(known) - median(unknown)) < 0.05, timings
