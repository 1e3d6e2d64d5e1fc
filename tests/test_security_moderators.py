"""Moderators: a second factor for everyone, sessions that end, strong passwords, and a team admins manage."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pyotp
import pytest

from memorials.extensions import db
from memorials.moderation import accounts
from memorials.moderation.directory import moderator_emails
from memorials.audit import ModerationEvent
from memorials.moderation.models import Moderator, ModeratorSession, RecoveryCode
from memorials.moderation.passwords import password_problem

from .factories import PASSWORD, forget_used_code, make_moderator, sign_in, totp_code
from .forms import csrf_token, submit


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def moderator(app, email="mod@example.org") -> Moderator:
    with app.app_context():
        found = db.session.execute(db.select(Moderator).filter_by(email=email)).scalar_one()
        db.session.expunge(found)
        return found


def log(app, action=None):
    with app.app_context():
        query = db.select(ModerationEvent).filter_by(item_kind="moderator").order_by(ModerationEvent.id)
        return [(e.action, e.reason, e.moderator.email if e.moderator else None)
                for e in db.session.execute(query).scalars() if action in (None, e.action)]


def sign_out(client):
    return client.post("/moderate/logout", data={"csrf_token": csrf_token(client.get("/moderate/").get_data(True))})


# -- enrolment and codes -------------------------------------------------------------------------------

def test_first_sign_in_enrols_two_factor_with_a_qr_code_drawn_here_and_ten_recovery_codes(app, client):
    with app.app_context():
        make_moderator(enrolled=False)
    first = submit(client, "/moderate/login", {"email": "mod@example.org", "password": PASSWORD})
    assert first.headers["Location"].endswith("/moderate/login/enrol")
    page = text(client.get("/moderate/login/enrol"))
    assert re.search(r'<img class="enrol-qr" src="data:image/svg\+xml', page)  # drawn on the server
    assert not re.search(r'src="https?://', page)                                # nothing from elsewhere
    key = re.search(r'class="enrol-key"><code>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert len(key) == 32 and 'name="code"' in page
    assert client.get("/moderate/").status_code == 302  # not signed in yet

    wrong = submit(client, "/moderate/login/enrol", {"code": "000000" if pyotp.TOTP(key).now() != "000000" else "111111"})
    assert wrong.status_code == 200 and "That code didn't work" in text(wrong)
    done = submit(client, "/moderate/login/enrol", {"code": pyotp.TOTP(key).now()})
    page = text(done)
    codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code></li>", page)
    assert len(set(codes)) == 10 and "we show them only now" in page
    assert done.headers["Cache-Control"] == "no-store"
    assert client.get("/moderate/").status_code == 200
    with app.app_context():
        stored = db.session.execute(db.select(RecoveryCode)).scalars().all()
        assert len(stored) == 10 and not {c.code_hash for c in stored} & {c.replace("-", "") for c in codes}
        assert db.session.execute(db.select(Moderator)).scalar_one().totp_secret == key
    assert [a for a, *_ in log(app)] == ["sign_in_failed", "two_factor_enrolled", "sign_in"]


@pytest.mark.both_databases
def test_each_code_is_accepted_once(app, client):
    with app.app_context():
        make_moderator()
    code = totp_code()
    submit(client, "/moderate/login", {"email": "mod@example.org", "password": PASSWORD})
    assert submit(client, "/moderate/login/code", {"code": code}).status_code == 302
    sign_out(client)
    submit(client, "/moderate/login", {"email": "mod@example.org", "password": PASSWORD})
    again = submit(client, "/moderate/login/code", {"code": code})
    assert again.status_code == 200 and "each works once" in text(again)
    assert client.get("/moderate/").status_code == 302


@pytest.mark.both_databases
def test_a_recovery_code_signs_in_once_through_the_same_field(app, client):
    with app.app_context():
        found = make_moderator()
        codes = accounts.new_recovery_codes(found)
        db.session.commit()
    submit(client, "/moderate/login", {"email": "mod@example.org", "password": PASSWORD})
    response = submit(client, "/moderate/login/code", {"code": codes[3].upper().replace("-", " ")}, follow_redirects=True)
    assert "You signed in with a recovery code; 9 are left." in text(response)
    sign_out(client)
    submit(client, "/moderate/login", {"email": "mod@example.org", "password": PASSWORD})
    assert submit(client, "/moderate/login/code", {"code": codes[3]}).status_code == 200
    assert ("sign_in", "recovery code", "mod@example.org") in log(app)


def test_the_code_step_needs_the_password_step_first(app, client):
    with app.app_context():
        make_moderator()
    response = submit(client, "/moderate/login/code", {"code": totp_code()}, page="/moderate/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderate/login")
    assert client.get("/moderate/").status_code == 302


def test_the_next_page_survives_both_steps_but_only_within_the_site(app, client):
    with app.app_context():
        make_moderator()
    assert sign_in(client, next_url="/moderate/log").headers["Location"].endswith("/moderate/log")
    sign_out(client)
    assert sign_in(client, next_url="//evil.example/").headers["Location"].endswith("/moderate/")
    sign_out(client)
    assert sign_in(client, next_url="/moderate/%0A/log").headers["Location"].endswith("/moderate/")


# -- sessions ------------------------------------------------------------------------------------------

def _age_sessions(app, **changes):
    with app.app_context():
        for moderator_session in db.session.execute(db.select(ModeratorSession)).scalars():
            for field, delta in changes.items():
                setattr(moderator_session, field, getattr(moderator_session, field) - delta)
        db.session.commit()


@pytest.mark.parametrize("field, age, still_in", [
    ("last_seen_at", timedelta(hours=11, minutes=50), True),
    ("last_seen_at", timedelta(hours=12, minutes=1), False),
    ("created_at", timedelta(days=7, minutes=1), False),
])
def test_sessions_end_after_12_hours_idle_and_7_days_in_all(make_app, field, age, still_in):
    # A page view notes the time in a short transaction of its own: real commits, on a database of its own.
    app = make_app()
    client = app.test_client()
    with app.app_context():
        make_moderator()
    sign_in(client)
    _age_sessions(app, **{field: age})
    assert (client.get("/moderate/").status_code == 200) is still_in


def test_using_the_site_keeps_a_session_alive(make_app):
    app = make_app()
    client = app.test_client()
    with app.app_context():
        make_moderator()
    sign_in(client)
    _age_sessions(app, last_seen_at=timedelta(hours=11), created_at=timedelta(hours=11))
    assert client.get("/moderate/").status_code == 200
    _age_sessions(app, last_seen_at=timedelta(hours=2), created_at=timedelta(hours=2))
    assert client.get("/moderate/").status_code == 200  # 13 hours since sign-in, 2 since last used


@pytest.mark.both_databases
def test_a_password_change_signs_out_every_other_browser(app):
    with app.app_context():
        make_moderator()
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop)
    sign_in(phone)
    response = submit(laptop, "/moderate/account", {"password-current": PASSWORD, "password-password": "a brand new passphrase",
                                                    "password-confirm": "a brand new passphrase"}, follow_redirects=True)
    assert "Every other browser you were signed in on is now signed out." in text(response)
    assert laptop.get("/moderate/").status_code == 200
    assert phone.get("/moderate/").status_code == 302
    assert sign_in(app.test_client(), password=PASSWORD).status_code == 200  # the old password is refused
    assert ("password_changed", None, "mod@example.org") in log(app)


def test_a_weak_new_password_is_explained_and_nothing_changes(app, client):
    with app.app_context():
        make_moderator()
    sign_in(client)
    response = submit(client, "/moderate/account", {"password-current": PASSWORD, "password-password": "123456789012",
                                                    "password-confirm": "123456789012"})
    assert response.status_code == 200 and "on the lists attackers try first" in text(response)
    sign_out(client)
    assert sign_in(client).status_code == 302


@pytest.mark.parametrize("password, problem", [
    ("short one", "at least 12 characters"),
    ("aaaaaaaaaaaaaaaa", "repeat one character"),
    ("abcabcabcabc", "repeat one character"),
    ("123456789012", "on the lists attackers try first"),
    ("qwertyuiopas", "on the lists attackers try first"),
    ("iloveyou", "at least 12 characters"),
    ("baseball1234567", "common password with a few digits"),
    ("Password!2024", "common password with a few digits"),
])
def test_weak_passwords_are_refused_with_a_reason(app, password, problem):
    with app.app_context():
        assert problem in password_problem(password)
        with pytest.raises(accounts.WeakPassword):
            accounts.create_moderator("new@example.org", password)


@pytest.mark.parametrize("password", ["correct horse battery staple", "Our dog Biscuit ate 3 socks", PASSWORD])
def test_ordinary_long_passphrases_are_accepted(app, password):
    with app.app_context():
        assert password_problem(password) is None


def test_the_bundled_common_list_is_the_real_one():
    from memorials.moderation.passwords import common_passwords

    listed = common_passwords()
    assert len(listed) > 19_000 and "password" in listed and "iloveyou" in listed


# -- the team ------------------------------------------------------------------------------------------

@pytest.fixture
def admin_client(app):
    with app.app_context():
        make_moderator(email="admin@example.org", admin=True)
        make_moderator(email="mod@example.org")
    client = app.test_client()
    assert sign_in(client, email="admin@example.org").status_code == 302
    return client


def member_action(client, app, email, action):
    target = moderator(app, email)
    page = client.get("/moderate/team/").get_data(as_text=True)
    return client.post(f"/moderate/team/{target.id}", data={"member-csrf_token": _member_token(page), "action": action},
                       follow_redirects=True)


def _member_token(page: str) -> str:
    return re.search(r'name="member-csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_only_admins_see_the_team(app, client):
    with app.app_context():
        make_moderator()
    sign_in(client)
    assert client.get("/moderate/team/").status_code == 403
    assert "/moderate/team/" not in client.get("/moderate/").get_data(as_text=True)


@pytest.mark.both_databases
def test_an_admin_invites_by_email_and_the_link_works_once(app, admin_client, outbox):
    response = submit(admin_client, "/moderate/team/", {"email": "New.Person@example.org", "role": "moderator"},
                      follow_redirects=True)
    assert "Invitation sent to new.person@example.org" in text(response)
    message = outbox()[-1]
    assert message["To"] == "new.person@example.org"
    link = re.search(r"http://localhost(/moderate/invitation/\S+)", message.get_content()).group(1)

    newcomer = app.test_client()
    weak = submit(newcomer, link, {"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 200 and "Please choose another" in text(weak)
    done = submit(newcomer, link, {"password": "a quiet place to read", "confirm": "a quiet place to read"})
    assert done.headers["Location"].endswith("/moderate/login/enrol")
    assert "Set up your sign-in code" in text(newcomer.get("/moderate/login/enrol"))
    assert newcomer.get(link).status_code == 404  # used
    joined = moderator(app, "new.person@example.org")
    assert not joined.is_admin and joined.totp_secret is None
    assert [a for a, *_ in log(app) if a in {"invited", "joined"}] == ["invited", "joined"]


def test_an_invitation_for_someone_already_on_the_team_is_explained(app, admin_client):
    response = submit(admin_client, "/moderate/team/", {"email": "mod@example.org", "role": "admin"})
    assert response.status_code == 200 and "already has an account" in text(response)


def test_admins_change_roles_but_never_remove_the_last_admin(app, admin_client):
    assert "mod@example.org is now an admin." in text(member_action(admin_client, app, "mod@example.org", "make_admin"))
    assert moderator(app).is_admin
    member_action(admin_client, app, "mod@example.org", "make_moderator")
    refused = text(member_action(admin_client, app, "admin@example.org", "make_moderator"))
    assert "The team needs at least one admin" in refused and moderator(app, "admin@example.org").is_admin
    assert ("role_changed", "mod@example.org: admin", "admin@example.org") in log(app)


@pytest.mark.both_databases
def test_turning_an_account_off_signs_it_out_and_stops_its_mail(app, admin_client):
    colleague = app.test_client()
    forget_used_code(app)
    assert sign_in(colleague).status_code == 302
    member_action(admin_client, app, "mod@example.org", "disable")
    assert colleague.get("/moderate/").status_code == 302
    with app.app_context():
        assert moderator_emails() == ["admin@example.org"]
    again = submit(app.test_client(), "/moderate/login", {"email": "mod@example.org", "password": PASSWORD})
    assert "This account has been turned off" in text(again)
    member_action(admin_client, app, "mod@example.org", "enable")
    with app.app_context():
        assert moderator_emails() == ["admin@example.org", "mod@example.org"]


def test_resetting_two_factor_signs_out_and_asks_for_enrolment_again(app, admin_client):
    colleague = app.test_client()
    forget_used_code(app)
    sign_in(colleague)
    member_action(admin_client, app, "mod@example.org", "reset_two_factor")
    assert colleague.get("/moderate/").status_code == 302
    first = submit(app.test_client(), "/moderate/login", {"email": "mod@example.org", "password": PASSWORD})
    assert first.headers["Location"].endswith("/moderate/login/enrol")
    assert ("two_factor_reset", "mod@example.org", "admin@example.org") in log(app)


@pytest.mark.both_databases
def test_a_new_password_link_lets_a_moderator_back_in_and_signs_out_old_sessions(app, admin_client, outbox):
    member_action(admin_client, app, "mod@example.org", "password_link")
    link = re.search(r"http://localhost(/moderate/invitation/\S+)", outbox()[-1].get_content()).group(1)
    done = submit(app.test_client(), link, {"password": "the new one is longer", "confirm": "the new one is longer"})
    assert done.headers["Location"].endswith("/moderate/login/code")
    forget_used_code(app)
    assert sign_in(app.test_client(), password="the new one is longer").status_code == 302


def test_sign_ins_and_failures_are_in_the_moderation_log(app, client):
    with app.app_context():
        make_moderator()
    submit(client, "/moderate/login", {"email": "mod@example.org", "password": "not the password"})
    submit(client, "/moderate/login", {"email": "nobody@example.org", "password": "not the password"})
    sign_in(client)
    assert log(app) == [("sign_in_failed", "password", "mod@example.org"), ("sign_in_failed", "password", None),
                        ("sign_in", None, "mod@example.org")]
    page = text(client.get("/moderate/log"))
    assert "sign-in failed" in page and "wrong password" in page and "account" in page


def test_create_moderator_resets_a_password_and_signs_the_moderator_out(app, client):
    with app.app_context():
        make_moderator()
    sign_in(client)
    result = app.test_cli_runner().invoke(args=["create-moderator", "mod@example.org", "--password-stdin",
                                                "--reset-two-factor"], input="another long password\n")
    assert result.exit_code == 0, result.output
    assert client.get("/moderate/").status_code == 302
    assert moderator(app).totp_secret is None


# -- the team's pages in Spanish; mail to moderators in English --------------------------------------------

def test_an_admin_on_the_spanish_pages_invites_and_the_newcomer_enrols_in_spanish(app, admin_client, outbox):
    bad = submit(admin_client, "/es/moderate/team/", {"email": "not an address", "role": "moderator"})
    page = text(bad)
    assert bad.status_code == 200 and "Esa dirección de correo electrónico no parece correcta." in page
    assert 'value="not an address"' in page
    taken = text(submit(admin_client, "/es/moderate/team/", {"email": "mod@example.org", "role": "admin"}))
    assert "mod@example.org ya tiene una cuenta." in taken

    done = submit(admin_client, "/es/moderate/team/", {"email": "nueva@example.org", "role": "moderator"},
                  follow_redirects=True)
    page = text(done)
    assert "Enviamos la invitación a nueva@example.org. El enlace sirve una sola vez, durante 7 días." in page
    assert "Invitaciones que todavía no se usaron" in page and "nueva@example.org, como moderador(a), hasta el" in page
    # The team has no stored language yet: mail to moderators is in English, its link to the English pages.
    message = outbox()[-1]
    assert message["Subject"] == "You're invited to moderate Remembering Them"
    body = message.get_content()
    assert "admin@example.org has invited you to moderate Remembering Them, as a moderator." in body
    link = re.search(r"http://localhost(/moderate/invitation/\S+)", body).group(1)

    newcomer = app.test_client()
    spanish_link = "/es" + link
    page = text(newcomer.get(spanish_link))
    assert "Elija su contraseña" in page and "Para nueva@example.org." in page
    short = text(submit(newcomer, spanish_link, {"password": "corta", "confirm": "otra"}))
    assert "Por favor, use al menos 12 caracteres." in short and "Las dos contraseñas no son iguales." in short
    chosen = submit(newcomer, spanish_link, {"password": "un lugar tranquilo para leer",
                                             "confirm": "un lugar tranquilo para leer"})
    assert chosen.headers["Location"].endswith("/es/moderate/login/enrol")
    page = text(newcomer.get("/es/moderate/login/enrol"))
    assert "Configure su código para iniciar sesión" in page and "Abra la aplicación y agregue una cuenta" in page
    assert 'alt="Código QR para agregar este sitio a su aplicación de autenticación"' in page
    key = re.search(r'class="enrol-key"><code>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    enrolled = text(submit(newcomer, "/es/moderate/login/enrol", {"code": pyotp.TOTP(key).now()}))
    assert "Sus códigos de recuperación" in enrolled and "Ya los guardé: continuar" in enrolled
    assert 'href="/es/moderate/"' in enrolled
    assert "Lista de espera" in text(newcomer.get("/es/moderate/"))


def test_a_password_link_sent_from_the_spanish_team_page_is_in_english(app, admin_client, outbox):
    target = moderator(app, "mod@example.org")
    page = admin_client.get("/es/moderate/team/").get_data(as_text=True)
    response = admin_client.post(f"/es/moderate/team/{target.id}", follow_redirects=True,
                                 data={"member-csrf_token": _member_token(page), "action": "password_link"})
    assert "Enviamos a mod@example.org un enlace para elegir una contraseña nueva." in text(response)
    message = outbox()[-1]
    assert message["To"] == "mod@example.org"
    assert message["Subject"] == "A link to choose a new password for Remembering Them"
    body = message.get_content()
    assert "Every browser signed in to your account will be signed out." in body
    assert re.search(r"http://localhost/moderate/invitation/\S+", body) and "/es/" not in body


def test_the_spanish_account_page_and_log_name_every_event_in_spanish(app, client):
    with app.app_context():
        make_moderator()
    submit(client, "/es/moderate/login", {"email": "mod@example.org", "password": "not the password"})
    sign_in(client)
    page = text(client.get("/es/moderate/account"))
    assert "Cambie su contraseña" in page and "Tiene 0 códigos de recuperación sin usar." in page
    wrong = text(submit(client, "/es/moderate/account", {"password-current": "nope", "password-password": "x",
                                                         "password-confirm": "x"}))
    assert "Por favor, use al menos 12 caracteres." in wrong
    log_page = text(client.get("/es/moderate/log"))
    assert "no pudo iniciar sesión" in log_page and "contraseña equivocada" in log_page
    assert "inició sesión" in log_page and "cuenta" in log_page and "sign_in" not in log_page


# -- links and codes used once, even when two requests arrive together ---------------------------------

def _password_links(app, admin_client, outbox, count: int) -> list[str]:
    links = []
    for _ in range(count):
        member_action(admin_client, app, "mod@example.org", "password_link")
        links.append(re.search(r"http://localhost(/moderate/invitation/\S+)", outbox()[-1].get_content()).group(1))
    return links


def _choose(link: str, app, password: str):
    return submit(app.test_client(), link, {"password": password, "confirm": password})


@pytest.mark.both_databases
def test_using_a_newer_password_link_ends_the_older_one(app, admin_client, outbox):
    """A security probe found that after two "password link" mails, the older link still set the password
    once the newer one had been used."""
    older, newer = _password_links(app, admin_client, outbox, 2)
    assert _choose(newer, app, "the newer link was used").status_code == 302
    assert app.test_client().get(older).status_code == 404
    late = app.test_client()
    token = csrf_token(late.get("/moderate/login").get_data(as_text=True))
    sent = late.post(older, data={"csrf_token": token, "password": "an older mail found later",
                                  "confirm": "an older mail found later"})
    assert sent.status_code == 404
    forget_used_code(app)
    assert sign_in(app.test_client(), password="the newer link was used").status_code == 302


@pytest.mark.both_databases
def test_a_password_changed_by_the_moderator_ends_every_open_link(app, admin_client, outbox):
    [link] = _password_links(app, admin_client, outbox, 1)
    colleague = app.test_client()
    forget_used_code(app)
    assert sign_in(colleague).status_code == 302
    changed = submit(colleague, "/moderate/account", {"password-current": PASSWORD, "password-password":
                     "changed on the account page", "password-confirm": "changed on the account page"})
    assert changed.status_code == 302
    assert app.test_client().get(link).status_code == 404

