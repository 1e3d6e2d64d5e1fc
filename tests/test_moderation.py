"""Moderators sign in, read the queue, decide, and every decision is logged."""
from __future__ import annotations

import html

import pytest

from memorials.extensions import db
from memorials.audit import ModerationEvent
from memorials.moderation.models import ModeratorSession
from memorials.stories.models import Story, StoryStatus, VersionState

from .factories import PASSWORD, make_moderator, make_story, publish, sign_in, totp_code
from .forms import csrf_token, submit
from .statements import statements_for


@pytest.fixture
def moderator(app):
    with app.app_context():
        return make_moderator().id


@pytest.fixture
def signed_in(client, moderator):
    response = sign_in(client)
    assert response.status_code == 302
    return client


def events(app):
    with app.app_context():
        return [(e.action, e.reason, e.moderator.email if e.moderator else None)
                for e in db.session.execute(db.select(ModerationEvent).order_by(ModerationEvent.id)).scalars()
                if e.item_kind != "moderator"]  # sign-ins are logged too: tests/test_security_moderators.py


def decide(client, story_id, action, reason="", follow=False):
    page = client.get(f"/moderate/stories/{story_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "action": action, "reason": reason}
    return client.post(f"/moderate/stories/{story_id}", data=data, follow_redirects=follow)


@pytest.mark.parametrize("url", ["/moderate/", "/moderate/log", "/moderate/stories/1", "/moderate/photos/x.jpg"])
def test_every_moderation_page_needs_a_moderator(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/moderate/login" in response.headers["Location"]


def test_sign_in_with_the_real_form(client, moderator):
    page = client.get("/moderate/login").get_data(as_text=True)
    assert 'autocomplete="username"' in page and 'autocomplete="current-password"' in page
    response = submit(client, "/moderate/login", {"email": "MOD@example.org", "password": PASSWORD}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Your sign-in code" in page and 'name="code"' in page and 'autocomplete="one-time-code"' in page
    assert client.get("/moderate/").status_code == 302  # the password alone does not sign anyone in
    response = submit(client, "/moderate/login/code", {"code": totp_code()}, follow_redirects=True)
    assert "Waiting for a decision" in response.get_data(as_text=True)


def test_wrong_password_is_told_plainly_and_the_email_kept(client, moderator):
    response = submit(client, "/moderate/login", {"email": "mod@example.org", "password": "wrong password!!"})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "That email and password don't match" in page and 'value="mod@example.org"' in page


@pytest.mark.both_databases
def test_sign_in_starts_a_new_session_and_sign_out_ends_it_on_the_server(app, client, moderator):
    client.get("/moderate/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
    cookie = client.get_cookie("session").value

    page = client.get("/moderate/").get_data(as_text=True)
    response = client.post("/moderate/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(ModeratorSession)).first() is None

    # Someone who kept a copy of the old cookie is no longer signed in.
    other = app.test_client()
    other.set_cookie("session", cookie)
    assert other.get("/moderate/").status_code == 302


@pytest.mark.both_databases
def test_queue_lists_new_stories_and_edits_oldest_first(app, signed_in):
    with app.app_context():
        first, _ = make_story(name="First Person")
        second, _ = make_story(name="Second Person")
        publish(second)
        from memorials.stories.services import StoryInput, edit_story
        from datetime import date
        edit_story(db.session.get(Story, second.id),
                   StoryInput(name="Second Person", died=date(2023, 7, 2), story_markdown="x" * 60, email="a@b.org"), None)
        ids = first.id, second.id
    page = signed_in.get("/moderate/").get_data(as_text=True)
    assert page.index("First Person") < page.index("Second Person")
    assert f'href="/moderate/stories/{ids[0]}"' in page and f'href="/moderate/stories/{ids[1]}"' in page
    assert "New story" in page and "Edit of a published story" in page


def test_review_page_shows_the_story_as_it_will_look_raw_text_and_submitter(app, signed_in):
    with app.app_context():
        story, _ = make_story(story_markdown="He loved **jazz** and <b>tags</b> " + "x" * 50)
        story_id = story.id
    page = signed_in.get(f"/moderate/stories/{story_id}").get_data(as_text=True)
    assert "<strong>jazz</strong>" in page           # rendered
    assert "He loved **jazz**" in page               # raw
    assert "&lt;b&gt;tags&lt;/b&gt;" in page and "<b>tags" not in page
    assert "maria@example.org" in page and "Maria Rivera" in page and "mother" in page


@pytest.mark.both_databases
def test_approve_publishes_logs_and_tells_the_family(app, signed_in, outbox):
    with app.app_context():
        story, _ = make_story()
        story_id = story.id
    response = decide(signed_in, story_id, "approve", follow=True)
    assert "Published." in response.get_data(as_text=True)
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status == StoryStatus.PUBLISHED.value and story.live_version.story_html
    assert signed_in.get(f"/stories/{story.slug}").status_code == 200
    assert events(app) == [("approve", None, "mod@example.org")]
    assert "is now on" in outbox()[-1].get_content() and f"/stories/{story.slug}" in outbox()[-1].get_content()


@pytest.mark.both_databases
@pytest.mark.parametrize("action, status", [("reject", "rejected"), ("request_changes", "changes_requested")])
def test_reject_and_request_changes_need_a_reason_sent_to_the_family(app, signed_in, outbox, action, status):
    with app.app_context():
        story, _ = make_story()
        story_id = story.id
    response = decide(signed_in, story_id, action, reason="")
    assert "Please write a reason" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Story, story_id).status == StoryStatus.PENDING.value
    assert events(app) == []

    decide(signed_in, story_id, action, reason="Please remove the last name of the person named.")
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status == status and story.moderator_note.startswith("Please remove")
    assert events(app) == [(action, "Please remove the last name of the person named.", "mod@example.org")]
    assert "Please remove the last name" in outbox()[-1].get_content()
    assert signed_in.get("/stories/").get_data(as_text=True).count("story-card") == 0


@pytest.mark.both_databases
def test_rejecting_an_edit_keeps_the_published_version_up(app, signed_in):
    with app.app_context():
        story, _ = make_story()
        publish(story)
        from memorials.stories.services import StoryInput, edit_story
        from datetime import date
        edit_story(story, StoryInput(name="Daniel James Rivera", died=date(2023, 7, 2),
                                     story_markdown="A changed story " * 10, email="a@b.org"), None)
        story_id, slug = story.id, story.slug
    decide(signed_in, story_id, "reject", reason="Not this version, please.")
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status == StoryStatus.PUBLISHED.value and story.versions[-1].state == VersionState.REJECTED.value
    assert "A changed story" not in signed_in.get(f"/stories/{slug}").get_data(as_text=True)
    assert signed_in.get(f"/stories/{slug}").status_code == 200


@pytest.mark.both_databases
def test_unpublish_and_publish_again(app, signed_in):
    with app.app_context():
        story, _ = make_story()
        publish(story)
        story_id, slug = story.id, story.slug
    decide(signed_in, story_id, "unpublish", reason="The family asked us to, by phone.")
    assert signed_in.get(f"/stories/{slug}").status_code == 404
    decide(signed_in, story_id, "republish")
    assert signed_in.get(f"/stories/{slug}").status_code == 200
    assert [e[0] for e in events(app)][-2:] == ["unpublish", "republish"]


@pytest.mark.both_databases
def test_a_decision_on_a_version_that_changed_meanwhile_is_refused(app, signed_in):
    with app.app_context():
        story, _ = make_story()
        story_id = story.id
    page = signed_in.get(f"/moderate/stories/{story_id}").get_data(as_text=True)
    with app.app_context():  # the family edits while the moderator reads
        from memorials.stories.services import StoryInput, edit_story
        from datetime import date
        edit_story(db.session.get(Story, story_id), StoryInput(name="Daniel", died=date(2023, 7, 2),
                                                               story_markdown="y" * 60, email="a@b.org"), None)
    response = signed_in.post(f"/moderate/stories/{story_id}", follow_redirects=True,
                              data={"csrf_token": csrf_token(page), "action": "approve",
                                    "version_id": page.split('name="version_id" type="hidden" value="')[1].split('"')[0]})
    assert "changed while you were reading" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Story, story_id).status == StoryStatus.PENDING.value


@pytest.mark.both_databases
def test_log_shows_who_did_what_to_which_story_and_why(app, signed_in):
    with app.app_context():
        story, _ = make_story()
        story_id = story.id
    decide(signed_in, story_id, "request_changes", reason="Could you add the year?")
    page = signed_in.get("/moderate/log").get_data(as_text=True)
    assert "mod@example.org" in page and "asked for changes" in page and f"#{story_id}" in page
    assert "Could you add the year?" in page


def test_an_unknown_action_changes_nothing(app, signed_in):
    with app.app_context():
        story, _ = make_story()
        story_id = story.id
    response = decide(signed_in, story_id, "delete_everything")
    assert "Please choose one of the buttons" in response.get_data(as_text=True)
    assert events(app) == []


def test_create_moderator_command_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(args=["create-moderator", "new@example.org", "--password-stdin"], input="short\n")
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    result = runner.invoke(args=["create-moderator", "new@example.org", "--password-stdin", "--admin"],
                           input="correct horse battery staple\n")
    assert result.exit_code == 0 and "Created admin moderator new@example.org" in result.output
    client = app.test_client()
    response = sign_in(client, "new@example.org", "correct horse battery staple")
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderate/login/enrol")
    with app.app_context():
        from memorials.moderation.models import Moderator
        moderator = db.session.execute(db.select(Moderator)).scalar_one()
        assert moderator.is_admin and moderator.password_hash.startswith("scrypt:")


@pytest.mark.both_databases
def test_a_replaced_photo_is_deleted_once_the_edit_is_approved(app, signed_in, outbox):
    import io
    from pathlib import Path

    from .factories import form_data, image_bytes

    family = app.test_client()
    submit(family, "/stories/new", {**form_data(), "photo": (io.BytesIO(image_bytes()), "old.jpg")})
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        story_id = story.id
    decide(signed_in, story_id, "approve")
    path = next(m for m in outbox() if m["To"] == "maria@example.org").get_content().split("http://localhost")[1].split()[0]
    edited = {k: v for k, v in form_data().items() if k != "consent"}
    submit(family, path, {**edited, "action": "save", "photo": (io.BytesIO(image_bytes(color=(0, 0, 0))), "new.jpg")})
    folder = Path(app.instance_path) / "photos"
    assert len(list(folder.glob("*.jpg"))) == 4  # the old photo stays up until the edit is approved
    decide(signed_in, story_id, "approve")
    assert len(list(folder.glob("*.jpg"))) == 2
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert [p.id for p in story.photos] == [story.live_version.photo_id]


# -- moderators in Spanish, families in their own language -----------------------------------------------

def _family(story_id: int, *, written_in: str, family_language: str) -> None:
    """The language the family wrote in and the language of the pages they used (the story form sets both)."""
    story = db.session.get(Story, story_id)
    story.family_language = family_language
    for version in story.versions:
        version.language = written_in
    db.session.commit()


def test_a_moderator_signs_in_on_the_spanish_pages_both_steps_in_spanish(app, client, moderator):
    first = client.get("/es/moderate/")
    assert first.status_code == 302 and "/es/moderate/login" in first.headers["Location"]
    page = html.unescape(client.get(first.headers["Location"]).get_data(as_text=True))
    assert "Por favor, inicie sesión para ver esa página." in page
    assert '<html lang="es"' in page and "Inicio de sesión del equipo de moderación" in page
    assert "Después de su contraseña, le pediremos el código de su aplicación de autenticación." in page

    wrong = submit(client, "/es/moderate/login", {"email": "mod@example.org", "password": "not the password"})
    page = html.unescape(wrong.get_data(as_text=True))
    assert wrong.status_code == 200 and 'value="mod@example.org"' in page
    assert "Ese correo electrónico y esa contraseña no coinciden. Por favor, vuelva a intentarlo." in page
    empty = html.unescape(submit(client, "/es/moderate/login", {"email": "", "password": ""}).get_data(as_text=True))
    assert "Por favor, escriba su correo electrónico." in empty and "Por favor, escriba su contraseña." in empty

    step = submit(client, "/es/moderate/login", {"email": "mod@example.org", "password": PASSWORD})
    assert step.headers["Location"].endswith("/es/moderate/login/code")
    page = html.unescape(client.get("/es/moderate/login/code").get_data(as_text=True))
    assert "Su código para iniciar sesión" in page and "Empezar de nuevo con su correo electrónico" in page
    wrong_code = "000000" if totp_code() != "000000" else "111111"
    page = html.unescape(submit(client, "/es/moderate/login/code", {"code": wrong_code}).get_data(as_text=True))
    assert "Ese código no funcionó. Los códigos cambian cada 30 segundos" in page
    assert client.get("/es/moderate/").status_code == 302  # still not signed in

    done = submit(client, "/es/moderate/login/code", {"code": totp_code()})
    assert done.status_code == 302 and done.headers["Location"].endswith("/es/moderate/")
    page = html.unescape(client.get("/es/moderate/").get_data(as_text=True))
    assert "En espera de una decisión" in page and "No hay nada en espera. Gracias." in page
    assert "Sesión iniciada como mod@example.org" in page and "Cerrar sesión" in page


def test_the_spanish_queue_shows_each_storys_language_and_marks_the_familys_words(app, client, moderator):
    with app.app_context():
        spanish, _ = make_story(name="Rosa María Delgado")
        english, _ = make_story(name="Daniel James Rivera")
        _family(spanish.id, written_in="es", family_language="es")
        ids = spanish.id, english.id
    sign_in(client)
    page = html.unescape(client.get("/es/moderate/").get_data(as_text=True))
    assert f'<a href="/es/moderate/stories/{ids[0]}" lang="es">Rosa María Delgado</a>' in page
    assert f'<a href="/es/moderate/stories/{ids[1]}" lang="en">Daniel James Rivera</a>' in page
    row = page[page.index("Rosa María Delgado"):page.index("Daniel James Rivera")]
    assert "Escrita en español" in row and "Historia nueva" in row
    assert "Escrita en inglés" in page[page.index("Daniel James Rivera"):]
    assert "2 en espera, las más antiguas primero" in page and "Idioma" in page

    review = html.unescape(client.get(f"/es/moderate/stories/{ids[0]}").get_data(as_text=True))
    assert '<h1 lang="es">Rosa María Delgado</h1>' in review
    assert '<div class="memorial-story" lang="es">' in review and '<pre class="raw" lang="es">' in review
    assert "Escrita en español" in review and "Idioma de los correos a la familia" in review
    assert "La familia usó el sitio en español, así que sus correos van en español" in review
    assert "Aprobar y publicar" in review and "Pedir cambios" in review and "Rechazar" in review
    assert "Motivo (se envía a la familia)" in review and "Quién la envió" in review
    # The English page says the same in English.
    review = html.unescape(client.get(f"/moderate/stories/{ids[0]}").get_data(as_text=True))
    assert "Written in Spanish" in review and "please write your reason in Spanish if you can" in review


@pytest.mark.parametrize("family_language", ["es", "en"])
def test_approving_from_the_spanish_page_writes_to_the_family_in_their_language(app, client, moderator, outbox,
                                                                                family_language):
    with app.app_context():
        story, _ = make_story()
        _family(story.id, written_in=family_language, family_language=family_language)
        story_id = story.id
    sign_in(client)
    outbox()  # the family's "we received it" and the moderators' notice, already sent
    page = client.get(f"/es/moderate/stories/{story_id}").get_data(as_text=True)
    response = client.post(f"/es/moderate/stories/{story_id}",
                           data={"csrf_token": csrf_token(page), "action": "approve"})
    assert response.headers["Location"].endswith("/es/moderate/")
    flashed = html.unescape(client.get("/es/moderate/").get_data(as_text=True))
    assert "Publicada. Ya le avisamos a la familia." in flashed
    with app.app_context():
        slug = db.session.get(Story, story_id).slug
    mail = [m for m in outbox() if m["To"] == "maria@example.org"][-1]
    body = mail.get_content()
    if family_language == "es":
        assert mail["Subject"] == "La historia de Daniel James Rivera ya está en el sitio"
        assert "La historia de Daniel James Rivera ya está en" in body and "Con cariño," in body
        assert f"http://localhost/es/stories/{slug}" in body and "http://localhost/es/stories/manage/lost" in body
        assert "is now on" not in body
    else:
        assert mail["Subject"] == "Daniel James Rivera's story is now on the site"
        assert "Daniel James Rivera's story is now on" in body and "With care," in body
        assert f"http://localhost/stories/{slug}" in body and "/es/" not in body
        assert "ya está" not in body


def test_a_reason_written_on_the_spanish_page_reaches_an_english_family_as_written(app, signed_in, outbox):
    with app.app_context():
        story, _ = make_story()
        story_id = story.id
    page = signed_in.get(f"/es/moderate/stories/{story_id}").get_data(as_text=True)
    empty = signed_in.post(f"/es/moderate/stories/{story_id}",
                           data={"csrf_token": csrf_token(page), "action": "request_changes", "reason": "  "})
    assert "Por favor, escriba un motivo: la familia lo va a leer." in html.unescape(empty.get_data(as_text=True))
    assert events(app) == []
    outbox()
    signed_in.post(f"/es/moderate/stories/{story_id}", data={
        "csrf_token": csrf_token(page), "action": "request_changes", "reason": "Could you add the year he was born?"})
    mail = [m for m in outbox() if m["To"] == "maria@example.org"][-1]
    assert mail["Subject"] == "A small request about Daniel James Rivera's story"
    body = mail.get_content()
    assert "a moderator has a small request" in body and "Could you add the year he was born?" in body
    assert "http://localhost/stories/manage/lost" in body
    log = html.unescape(signed_in.get("/es/moderate/log").get_data(as_text=True))
    assert "Registro de moderación" in log and "pidió cambios" in log and "Could you add the year he was born?" in log


def _campaign_form_is_translatable() -> bool:
    """The campaign form's own labels and messages are wrapped by the letters area (memorials/letters/forms.py)."""
    from memorials.letters.forms import CampaignForm

    return not isinstance(CampaignForm.title.args[0], str)


def test_the_campaign_pages_speak_spanish_to_an_admin(app, client):
    with app.app_context():
        make_moderator(admin=True)
    sign_in(client)
    listing = html.unescape(client.get("/es/moderate/campaigns/").get_data(as_text=True))
    assert "Campañas de cartas" in listing and "Todavía no hay campañas." in listing
    page = client.get("/es/moderate/campaigns/new").get_data(as_text=True)
    response = client.post("/es/moderate/campaigns/new", data={"csrf_token": csrf_token(page), "status": "draft"})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and page.count("<title>Error:") == 1
    assert "Campaña nueva" in page and "Crear la campaña" in page and "En qué se convierten los marcadores" in page
    if _campaign_form_is_translatable():  # the letters area's words (their own catalog)
        assert "Please give the campaign a title." not in page and "Please write the letter." not in page


@pytest.mark.skipif(not _campaign_form_is_translatable(),
                    reason="memorials/letters/forms.py wraps the campaign form's messages (letters area, not merged)")
def test_the_campaign_form_answers_in_spanish(app, client):
    with app.app_context():
        make_moderator(admin=True)
    sign_in(client)
    page = client.get("/es/moderate/campaigns/new").get_data(as_text=True)
    response = client.post("/es/moderate/campaigns/new", data={
        "csrf_token": csrf_token(page), "title": "Naloxona en cada escuela", "slug": "Not A Slug", "status": "draft"})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and 'value="Naloxona en cada escuela"' in page
    for english in ("Please give the campaign an address.", "Use lower-case letters", "Please write a short summary.",
                    "Please write the letter."):
        assert english not in page
    assert "Use letras minúsculas, números y guiones, como saving-lives-now." in page
    assert "Por favor, escriba la carta." in page
    assert "Por favor, escriba un resumen breve." in page


@pytest.mark.both_databases
def test_the_spanish_queue_runs_the_same_number_of_queries_whatever_is_waiting(app, signed_in):
    def statements():
        return statements_for(app, signed_in, "/es/moderate/")

    def add(count):
        with app.app_context():
            for n in range(count):
                story, _ = make_story(name=f"Persona {n}")
                if n % 2:
                    publish(story)
                _family(story.id, written_in="es" if n % 3 else "en", family_language="es")

    add(2)  # one waiting, one published
    few = statements()
    add(12)
    assert statements() == few
