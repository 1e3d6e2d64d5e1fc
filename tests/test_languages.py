"""English and Spanish pages: their own addresses, the switch, the first visit's language, hreflang."""
from __future__ import annotations

import re

from .factories import make_story, publish


def test_spanish_pages_have_their_own_addresses_and_links_stay_in_spanish(client):
    response = client.get("/es/stories/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Content-Language"] == "es"
    assert '<html lang="es">' in page
    assert 'href="/es/stories/new"' in page and 'href="/es/stats/"' in page
    # Files that are the same in every language keep one address.
    assert 'href="/static/css/site.css' in page and "/es/static/" not in page


def test_every_page_links_its_other_language_version(client):
    page = client.get("/stories/?page=2").get_data(as_text=True)
    assert '<link rel="alternate" hreflang="es" href="http://localhost/es/stories/?page=2">' in page
    assert '<link rel="alternate" hreflang="en" href="http://localhost/stories/?page=2">' in page
    assert 'hreflang="x-default" href="http://localhost/stories/?page=2"' in page
    spanish = client.get("/es/stories/?page=2").get_data(as_text=True)
    assert '<link rel="alternate" hreflang="en" href="http://localhost/stories/?page=2">' in spanish


def test_the_first_visit_follows_the_browser_and_the_switch_is_remembered(client):
    response = client.get("/stories/", headers={"Accept-Language": "es-US,es;q=0.9,en;q=0.5"})
    assert response.status_code == 302 and response.headers["Location"] == "/es/stories/"
    assert "Accept-Language" in response.headers["Vary"]
    # An English speaker, or a search engine (no Accept-Language), stays on the English address.
    assert client.get("/stories/", headers={"Accept-Language": "en-US"}).status_code == 200
    assert client.get("/stories/").status_code == 200

    switch = re.search(r'href="([^"]*/language/en[^"]*)"', client.get("/es/stories/?page=2").get_data(as_text=True))
    response = client.get(switch.group(1).replace("&amp;", "&"))
    assert response.status_code == 302 and response.headers["Location"] == "/stories/?page=2"
    # Chosen English: a Spanish-speaking browser is no longer sent to Spanish.
    assert client.get("/stories/", headers={"Accept-Language": "es"}).status_code == 200
    response = client.get("/language/es?next=/stories/new")
    assert response.headers["Location"] == "/es/stories/new"
    assert client.get("/stories/new").headers["Location"] == "/es/stories/new"


def test_the_switch_only_goes_to_pages_of_this_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""):
        response = client.get("/language/es", query_string={"next": target})
        assert response.status_code == 302 and response.headers["Location"] == "/es/"
    assert client.get("/language/fr").status_code == 404


def test_photos_downloads_and_the_api_are_never_redirected_by_language(app, client):
    with app.app_context():
        story, _ = make_story()
        publish(story)
    spanish_browser = {"Accept-Language": "es"}
    assert client.get("/stats/data.json", headers=spanish_browser).status_code == 200
    assert client.get("/api/representatives?zip=1", headers=spanish_browser).status_code == 400
    response = client.get("/static/css/site.css", headers=spanish_browser)
    assert response.status_code == 200
    response.close()


def test_numbers_are_written_as_us_spanish_writes_them(app):
    from datetime import date

    from flask import g

    from memorials.i18n import month_year, number

    with app.test_request_context("/es/"):
        g.lang = "es"
        from flask_babel import refresh

        refresh()
        assert number(1330) == "1,330" and month_year(date(2026, 1, 1)) == "enero de 2026"
