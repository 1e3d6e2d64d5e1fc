"""Headers every browser acts on, and logs that never hold a family's private link."""
from __future__ import annotations

import re

import pytest

from memorials import create_app
from memorials.extensions import db
from memorials.logs import redact

from .factories import form_data, make_story, publish
from .forms import csrf_token, submit
from .served import environment, gunicorn, init_db


def test_every_answer_isolates_the_site_from_other_origins(client):
    response = client.get("/")
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http: a browser would ignore it anyway


@pytest.mark.parametrize("host", ["a" * 64, "a..b", "exa mple.org", "evil.example:99999", "[::1", "%00", "é" * 10])
def test_any_host_header_gets_a_plain_400_never_a_500(client, host):
    """werkzeug refuses a Host no server can have (a label over 63 letters, a space); the error page must not
    then fail for want of links (a security probe found a 500 here)."""
    for path in ("/stories/", "/es/stories/", "/api/representatives?zip=43215", "/no-such-page"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code in (200, 302, 400, 404) and response.status_code < 500, (host, path)
    assert client.get("/stories/", headers={"Host": "a" * 64}).status_code == 400


def test_hsts_for_a_year_when_the_site_is_https(make_app):
    client = make_app(SITE_URL="https://memorials.example.org").test_client()
    for url in ("/", "/stories/new", "/no-such-page"):
        assert client.get(url).headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_thank_you_page_with_the_private_link_is_never_cached(client):
    response = submit(client, "/stories/new", form_data(), follow_redirects=True)
    assert "/stories/manage/" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"


def test_redaction_keeps_logs_useful_but_takes_every_token_out():
    token = "k3J9_xQ2-vLmN8pR4sT6uW0yZ1aB5cD7eF9gH2iJ4kL"
    line = f'127.0.0.1 "GET /stories/manage/{token}/photos/a.jpg HTTP/1.1" 200 "-"'
    assert token not in redact(line) and "/stories/manage/[private]/photos/a.jpg" in redact(line)
    assert redact(f"/es/stories/manage/{token}") == "/es/stories/manage/[private]"
    assert redact(f"/moderate/invitation/{token}") == "/moderate/invitation/[private]"
    assert redact(f"/remember/unsubscribe/{token}?x=1") == "/remember/unsubscribe/[private]?x=1"
    assert redact(f"/anything/{token}") == "/anything/[private]"
    assert redact("/remember/stop?token=abc123&lang=es") == "/remember/stop?token=[private]&lang=es"
    for kept in ("/stories/manage/lost", "/stories/daniel-james-rivera-2023", "/static/css/site.css?v=3f2a9c1b",
                 "/stats/OH", "/moderate/stories/12"):
        assert redact(kept) == kept


def test_the_apps_own_log_lines_are_redacted(make_app, capsys):
    app = make_app()

    @app.get("/stories/manage/<token>/boom")
    def boom(token):
        raise RuntimeError(f"could not read /stories/manage/{token}")

    with app.app_context():
        _, token = make_story()
    assert app.test_client().get(f"/stories/manage/{token}/boom").status_code == 500
    written = capsys.readouterr().err
    assert "unhandled error on GET /stories/manage/[private]/boom" in written
    assert "RuntimeError: could not read /stories/manage/[private]" in written and token not in written


def _family_uses_their_link(served):
    """Share a story through the real form, then open, edit and view a photo through the private link."""
    status, headers, page = served.request("GET", "/stories/new")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    data = {**form_data(), "csrf_token": csrf_token(page)}
    status, headers, _ = served.request("POST", "/stories/new", data, headers={"Cookie": cookie})
    assert status == 302
    cookie = headers.get("Set-Cookie", cookie).split(";", 1)[0]
    status, _, page = served.request("GET", "/stories/thanks", headers={"Cookie": cookie})
    token = re.search(r"/stories/manage/([A-Za-z0-9_-]{20,})", page).group(1)
    for _ in range(2):
        assert served.request("GET", f"/stories/manage/{token}")[0] == 200
    served.request("GET", f"/stories/manage/{token}/photos/none.jpg")
    served.request("GET", f"/stories/manage/{token}?from=mail")
    return token


def test_a_familys_private_link_never_reaches_gunicorns_logs(database_url, tmp_path):
    env = environment(database_url, tmp_path / "instance")
    init_db(env)
    with gunicorn(env, tmp_path / "logs", workers=2) as served:
        token = _family_uses_their_link(served)
        served.request("GET", f"/stories/manage/{token}/%7F")  # a request the app refuses, logged too
    access = served.access_log.read_text()
    error = served.error_log.read_text()
    assert access.count("/stories/manage/[private]") >= 4, access
    assert token not in access and token not in error
    assert "Booting worker" in error  # the error log is gunicorn's, and it was written


def test_an_error_under_gunicorn_lands_in_its_error_log_redacted(database_url, tmp_path):
    # A broken database after start-up: the app's logger must write the error to gunicorn's error log.
    env = environment(database_url, tmp_path / "instance")
    init_db(env)
    with gunicorn(env, tmp_path / "logs", workers=1) as served:
        with create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                         "SECRET_KEY": "served-test-key"}).app_context():
            _, token = make_story()
            db.session.execute(db.text("DROP TABLE moderation_event"))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        # Withdrawing writes to the log table, which is gone: a 500, logged with the path.
        status, headers, page = served.request("GET", f"/stories/manage/{token}")
        cookie = headers.get("Set-Cookie", "").split(";", 1)[0]
        served.request("POST", f"/stories/manage/{token}", {"action": "withdraw", "confirm": "yes",
                                                           "csrf_token": csrf_token(page)}, headers={"Cookie": cookie})
    error = served.error_log.read_text()
    assert "unhandled error on POST /stories/manage/[private]" in error, error
    assert "Traceback" in error and token not in error


def test_a_refused_import_is_written_to_the_log(app, caplog, tmp_path):
    missing = tmp_path / "no-such-export.csv"
    result = app.test_cli_runner().invoke(args=["import-stats", str(missing)])
    assert result.exit_code != 0 and "Nothing was imported" in result.output
    refused = [r for r in caplog.records if r.name == "memorials.cli" and r.levelname == "ERROR"]
    assert refused and "import-stats refused: Nothing was imported" in refused[0].getMessage()


INVISIBLE = ["\u202e", "\u202a", "\u200b", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\ufeff"]


def test_invisible_direction_and_zero_width_characters_never_reach_a_name_a_title_or_the_feed(app, client):
    """A name typed as "Danny\\u202e..." would read backwards in a title, the feed and link previews; a security
    probe found such characters kept. They are taken out of every field, as other control characters are."""
    tricky = "Da\u202enny\u200b Ri\u2066ve\u2069ra\ufeff"
    sent = submit(client, "/stories/new", form_data(name=tricky, nickname="D\u200bJ\u202e", city="Day\u2067ton"))
    assert sent.status_code == 302
    with app.app_context():
        from memorials.stories.models import Story

        story = db.session.execute(db.select(Story)).scalar_one()
        version = story.latest_version
        assert (version.name, version.nickname, version.city) == ("Danny Rivera", "DJ", "Dayton")
        publish(story)
        slug = story.slug
    page = client.get(f"/stories/{slug}").get_data(as_text=True)
    feed = client.get("/stories/feed.atom").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Danny Rivera" in title and 'content="Remembering Danny Rivera' in page
    for text in (page, feed):
        assert not any(character in text for character in INVISIBLE)
