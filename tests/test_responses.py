"""The response pipeline: every view states its policy; private pages are sealed; shared caches (nginx, a CDN)
may keep only what holds nothing of one visitor's; Vary says exactly what an answer depends on; a secret is
never compressed beside what the request sent."""
from __future__ import annotations

import gzip
import re

import pytest
from flask import url_for

from memorials.responses import NEVER_KEPT, PRIVATE, PUBLIC, policy_of

from .factories import form_data, make_moderator, make_story, publish, sign_in
from .forms import csrf_token, submit


def _get_routes(app):
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]


def test_every_page_states_its_policy_once_and_every_private_address_is_private(app):
    undeclared, leaky = [], []
    for rule in _get_routes(app):
        policy = policy_of(app.view_functions[rule.endpoint])
        if policy is None:
            undeclared.append(rule.rule)
        elif rule.rule.startswith(("/moderate", "/stories/manage/")) and policy.kind != PRIVATE:
            leaky.append(rule.rule)
        elif rule.rule.endswith("/preview") and policy.kind != PRIVATE:
            leaky.append(rule.rule)
    assert undeclared == [] and leaky == []
    kinds = {policy_of(app.view_functions[rule.endpoint]).kind for rule in _get_routes(app)}
    assert kinds == {PRIVATE, PUBLIC, NEVER_KEPT}


@pytest.fixture
def memorial(app):
    with app.app_context():
        story, token = make_story(content_note=None)
        publish(story)
        return story.id, story.slug, token


@pytest.mark.parametrize("url", ["/stories/", "/es/stories/", "/stats/", "/letters/", "/sitemap.xml",
                                 "/stories/feed.atom", "/robots.txt", "/help"])
def test_a_public_page_without_a_form_token_may_be_kept_by_shared_caches_with_the_keys_that_purge_it(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    control = response.headers["Cache-Control"]
    assert control.startswith("public, ") and "s-maxage=" in control and "stale-while-revalidate=" in control
    assert "Set-Cookie" not in response.headers and 'name="csrf_token"' not in response.get_data(as_text=True)
    if url.startswith(("/stories/", "/es/stories/", "/sitemap")):
        assert "memorials" in response.headers["Surrogate-Key"].split()


def test_a_page_with_a_form_token_is_the_visitors_alone_but_still_kept_by_the_site(app, client, memorial):
    _, slug, _ = memorial
    response = client.get(f"/stories/{slug}")
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Surrogate-Key" not in response.headers
    again = app.test_client().get(f"/stories/{slug}")
    assert again.headers["Cache-Control"] == "private, no-cache" and csrf_token(again.get_data(as_text=True)) != \
        csrf_token(response.get_data(as_text=True))


def test_a_signed_in_moderator_never_gets_a_copy_a_shared_cache_may_keep(app):
    with app.app_context():
        make_moderator()
    moderator = app.test_client()
    assert sign_in(moderator).status_code == 302
    response = moderator.get("/stories/")
    assert "Moderate" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"].startswith("private")


@pytest.mark.parametrize("path", ["/stories/manage/{token}", "/stories/manage/lost", "/moderate/login"])
def test_private_pages_are_sealed(client, memorial, path):
    _, _, token = memorial
    response = client.get(path.format(token=token), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow" and "ETag" not in response.headers


def test_an_answer_to_a_form_post_is_the_senders_alone(client):
    sent = submit(client, "/stories/new", form_data(email="not-an-email"))
    assert sent.status_code == 200 and "not-an-email" in sent.get_data(as_text=True)
    assert sent.headers["Cache-Control"] == "no-store" and "ETag" not in sent.headers


def test_vary_names_exactly_what_an_answer_depends_on(client):
    english = client.get("/stories/", headers={"Accept-Encoding": "gzip"})
    assert set(english.headers["Vary"].replace(" ", "").split(",")) == {"Accept-Encoding", "Accept-Language", "Cookie"}
    # A Spanish page is never sent elsewhere by language; who the visitor is (the session's cookie: a message
    # waiting, a moderator's menu) still changes it.
    spanish = client.get("/es/stories/", headers={"Accept-Encoding": "gzip"})
    assert set(spanish.headers["Vary"].replace(" ", "").split(",")) == {"Accept-Encoding", "Cookie"}
    stylesheet = re.search(r'href="(/static/css/site\.css\?v=\w+)"', client.get("/").get_data(as_text=True)).group(1)
    css = client.get(stylesheet, headers={"Accept-Encoding": "gzip"}, buffered=True)
    assert css.headers["Vary"] == "Accept-Encoding"   # the same file in every language, for everyone


def test_a_secret_is_never_compressed_beside_what_the_request_sent(app, client, memorial):
    """BREACH: a page that holds a form token and echoes the query string or a form post is sent uncompressed;
    the same page without input is compressed."""
    _, slug, _ = memorial
    plain = client.get(f"/stories/{slug}", headers={"Accept-Encoding": "gzip"})
    assert plain.headers["Content-Encoding"] == "gzip" and b"csrf_token" in gzip.decompress(plain.data)
    asked = client.get(f"/stories/{slug}?messages=1&q=guess", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in asked.headers and b'name="csrf_token"' in asked.data
    posted = submit(client, "/stories/new", form_data(name=""), headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in posted.headers and b'name="csrf_token"' in posted.data
    search = client.get("/stories/?q=guess", headers={"Accept-Encoding": "gzip"})
    assert search.headers["Content-Encoding"] == "gzip"   # no secret on the list: compressed as usual


def test_a_memorial_shared_with_a_tracking_id_is_the_memorial_itself(client, memorial):
    """A link from Facebook or a newsletter (?fbclid=…, ?utm_source=…) gets the memorial as its plain address gives
    it: compressed, with no tracking id copied into its links; what the site reads stays."""
    _, slug, _ = memorial
    plain = client.get(f"/stories/{slug}", headers={"Accept-Encoding": "gzip"})
    shared = client.get(f"/stories/{slug}?fbclid=IwAR0xYz&utm_source=facebook&UTM_Medium=social",
                        headers={"Accept-Encoding": "gzip"})
    assert shared.status_code == 200 and shared.headers["Content-Encoding"] == "gzip"
    page = gzip.decompress(shared.data)
    assert b"fbclid" not in page and b"utm_" not in page.lower() and b"IwAR0xYz" not in page
    assert _CSRF.sub(b"", page) == _CSRF.sub(b"", gzip.decompress(plain.data))
    searched = client.get("/stories/?utm_campaign=vigil&q=zzzqqq").get_data(as_text=True)
    assert 'value="zzzqqq"' in searched and "vigil" not in searched


_CSRF = re.compile(rb'<input[^>]*name="csrf_token"[^>]*>')


@pytest.mark.both_databases
def test_every_address_answers_plainly_on_this_database(app, memorial):
    """One request to every route, with real values where the route needs them: no 500 on either database."""
    story_id, slug, token = memorial
    with app.app_context():
        make_moderator(admin=True)
    visitor, moderator = app.test_client(), app.test_client()
    assert sign_in(moderator).status_code == 302
    values = {"slug": slug, "token": token, "story_id": story_id, "code": "OH", "filename": "none.jpg",
              "lang": "es", "number": 1}
    for rule in _get_routes(app):
        with app.test_request_context():
            args = {name: values.get(name, 1) for name in rule.arguments}
            url = url_for(rule.endpoint, **args)
        client = moderator if rule.rule.startswith("/moderate") else visitor
        response = client.get(url, buffered=True)   # read whole: a file answer closes its file
        assert response.status_code < 500, (url, response.status_code)
