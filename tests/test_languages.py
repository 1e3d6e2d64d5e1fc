"""English and Spanish pages: their own addresses, the switch, the first visit's language, hreflang."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from memorials import create_app
from memorials.i18n import CatalogMissing

from .factories import form_data, make_moderator, make_story, publish, sign_in
from .forms import csrf_token, submit


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
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", "/\n", "/\n/evil.example",
                   "/\t/evil.example", "/stories/\r\nSet-Cookie: x=1", "/\x00", "/\x7f"):
        response = client.get("/language/es", query_string={"next": target})
        assert response.status_code == 302 and response.headers["Location"] == "/es/"
    assert client.get("/language/fr").status_code == 404


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("target", ["/es//evil.example/phish", "/es/\\evil.example", "/\\evil.example", "\\\\evil.example",
                                    "/es", "/es/https://evil.example", "//evil.example", "/es//", "https:/evil.example"])
def test_the_switch_never_leads_to_another_site_whatever_prefix_the_address_had(client, lang, target):
    """A link in a phishing mail must not use our switch to send anyone elsewhere (a security probe found
    /language/en?next=/es//evil.example/phish answering with //evil.example/phish)."""
    location = client.get(f"/language/{lang}", query_string={"next": target}).headers["Location"]
    parts = urlsplit(location)
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location
    assert not parts.scheme and not parts.netloc, location


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


@settings(max_examples=300, deadline=None)
@given(whole=st.integers(min_value=-10**15, max_value=10**15), locale=st.sampled_from(["en_US", "es_US", "es_ES", "de_DE"]))
def test_a_whole_number_is_written_as_babel_writes_it_with_or_without_babel(whole, locale):
    """memorials/i18n.py number(): whole numbers skip Babel only where the locale writes them as Python does; each
    page's language is among those, and a locale that groups otherwise (Spain, Germany) still asks Babel."""
    from babel import numbers as babel_numbers

    from memorials import i18n

    expected = babel_numbers.format_decimal(whole, locale=locale)
    fast = i18n._whole_numbers_as_python(locale)
    assert fast == (locale in ("en_US", "es_US"))
    assert (f"{whole:,}" if fast else i18n._number(whole, None, locale)) == expected


def test_a_templates_words_are_looked_up_once_per_language_and_escaping(app):
    """memorials/i18n.py: _() and pgettext() in templates keep each message's words per catalog and escaping; each
    language has its own, a name put into them is escaped on a page and left as it is in a plain-text mail."""
    from flask import g, render_template_string
    from flask_babel import refresh

    from memorials import i18n

    page = """{{ _("Memorials") }}|{{ _("Share %(name)s's story", name=who) }}|{{ ngettext("%(num)s candle", "%(num)s candles", 2) }}"""
    mail = "{% autoescape false %}" + page + "{% endautoescape %}"

    def draw(lang, template=page):
        with app.test_request_context(f"/{lang}/" if lang != "en" else "/"):
            g.lang = lang
            refresh()
            return render_template_string(template, who="<Ana & Bo>")

    assert draw("en") == "Memorials|Share &lt;Ana &amp; Bo&gt;'s story|2 candles"
    assert draw("en", mail) == "Memorials|Share <Ana & Bo>'s story|2 candles"
    spanish = draw("es")
    assert spanish.startswith("Homenajes|") and "&lt;Ana &amp; Bo&gt;" in spanish and "2 velas" in spanish
    kept = [key for key in i18n._words if key[1:] == (True, ("Memorials",))]
    assert {str(i18n._words[key]) for key in kept} == {"Memorials", "Homenajes"}   # each language its own
    english = next(key for key in kept if i18n._words[key] == "Memorials")
    i18n._words[english] = i18n.Markup("Memorials (as kept)")
    try:
        assert draw("en").startswith("Memorials (as kept)|")   # looked up once, then kept
        assert draw("es").startswith("Homenajes|") and draw("en", mail).startswith("Memorials|")
    finally:
        i18n._words.pop(english)


def test_numbers_are_written_as_us_spanish_writes_them(app):
    from datetime import date

    from flask import g

    from memorials.i18n import month_year, number

    with app.test_request_context("/es/"):
        g.lang = "es"
        from flask_babel import refresh

        refresh()
        assert number(1330) == "1,330" and month_year(date(2026, 1, 1)) == "enero de 2026"


# --- the catalog ----------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "memorials" / "translations"


def extracted_messages() -> dict:
    """Every message in the code and templates, as `make messages` collects them: {(context, id): places}."""
    with (TRANSLATIONS / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "ngettext_lazy": (1, 2)}
    found: dict = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords,
            directory_filter=lambda d: not d.endswith((".venv", "node_modules", ".git"))):
        found.setdefault((context, message[0] if isinstance(message, (list, tuple)) else message), []).append(
            f"{filename}:{lineno}")
    return found


def test_every_message_has_a_spanish_translation_that_is_neither_fuzzy_nor_empty():
    with (TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="es")
    translated = {}
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, (list, tuple)) else (m.string,)
        key = (m.context, m.id[0] if isinstance(m.id, (list, tuple)) else m.id)
        translated[key] = (not m.fuzzy) and all(s.strip() for s in strings)
    messages = extracted_messages()
    assert len(messages) > 500  # the extraction really ran over the code and templates
    missing = sorted(f"{k[1]!r} ({v[0]})" for k, v in messages.items() if k not in translated)
    unfinished = sorted(f"{k[1]!r} ({v[0]})" for k, v in messages.items() if translated.get(k) is False)
    assert not missing, f"{len(missing)} messages are not in the Spanish catalog (run `make messages`): " + \
        "; ".join(missing[:20])
    assert not unfinished, f"{len(unfinished)} Spanish messages are fuzzy or empty: " + "; ".join(unfinished[:20])


def test_placeholders_are_the_same_in_english_and_spanish():
    with (TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="es")
    placeholder = re.compile(r"%\((\w+)\)[sdif]|\{(\w+)\}")
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else (m.id,)
        strings = m.string if isinstance(m.string, (list, tuple)) else (m.string,)
        every = set(placeholder.findall(" ".join(ids)))
        for n, s in enumerate(strings):
            assert set(placeholder.findall(s)) <= every, (m.id, s)  # no placeholder the code does not give
            # Every placeholder stays, except that a singular form may say "one" instead of the count.
            needed = set(placeholder.findall(ids[min(n, len(ids) - 1)]))
            if len(ids) > 1 and n == 0:
                needed -= {("count", ""), ("num", ""), ("n", "")}
            assert needed <= set(placeholder.findall(s)), (m.id, s)


def test_the_set_up_compiles_the_catalog():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^init-db: .*translations", makefile, re.M)
    assert re.search(r"pybabel compile", makefile)
    compiled = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo"
    source = compiled.with_suffix(".po")
    assert compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime, \
        "the compiled Spanish catalog is missing or older than messages.po: `make test` compiles it"


# --- everything, in Spanish, through the real pages ---------------------------------------------------------

# Words that are English and never Spanish: a run of text with two of them is an English sentence.
ENGLISH_ONLY = {"the", "and", "of", "to", "is", "you", "your", "for", "with", "this", "that", "are", "was", "we",
                "our", "have", "be", "it", "or", "from", "by", "on", "what", "who", "will", "can", "their", "they",
                "not", "please", "here", "there", "an", "at", "if", "about", "when", "been", "were", "would",
                "should", "yet", "died", "deaths", "share", "story", "memorial", "letter", "read", "more"}
# What may stay English on a Spanish page: names and sources, CDC's own titles and codes, what the family or
# a visitor wrote (marked lang="en"), and the other language's name in the switch.
ALLOWED = ("CDC WONDER", "VSRR", "T40.4", "NCHS", "SAMHSA", "Lifeline", "English")
INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1>|<!--.*?-->", re.S)
ATTRIBUTES = re.compile(r'\s(?:alt|title|aria-label|placeholder|content)="([^"]*)"')


def _strip_english_marked(page: str) -> str:
    """Remove elements marked lang="en" (the family's own words, the switch's "English")."""
    while True:
        match = re.search(r'<(\w+)\b[^>]*\slang="en"[^>]*>', page)
        if not match or match.group(0).startswith("<html"):
            if match and match.group(0).startswith("<html"):
                page = page.replace(match.group(0), "<html>", 1)
                continue
            return page
        tag, start = match.group(1), match.start()
        depth, i = 0, start
        opener, closer = re.compile(rf"<{tag}\b"), f"</{tag}>"
        while True:
            next_open = opener.search(page, i + 1)
            next_close = page.find(closer, i + 1)
            if next_close < 0:
                return page[:start]
            if next_open and next_open.start() < next_close:
                depth, i = depth + 1, next_open.start()
            elif depth:
                depth, i = depth - 1, next_close
            else:
                page = page[:start] + page[next_close + len(closer):]
                break


def english_sentences(page: str) -> list[str]:
    page = _strip_english_marked(INVISIBLE.sub(" ", page))
    texts = ATTRIBUTES.findall(page) + re.split(r"<[^>]+>", page)
    found = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?:;])\s+|\n", html.unescape(text)):
            for allowed in ALLOWED:
                sentence = sentence.replace(allowed, " ")
            words = re.findall(r"[A-Za-z']+", sentence.lower())
            if len(words) >= 3 and len({w for w in words if w in ENGLISH_ONLY}) >= 2:
                found.append(sentence.strip())
    return found


def test_the_english_sentence_detector_finds_english_and_leaves_spanish_alone():
    assert english_sentences("<p>Share the story of the person you lost.</p>")
    assert english_sentences('<img alt="A photo of the memorial">')
    assert not english_sentences("<p>Comparta la historia de la persona que perdió.</p>")
    assert not english_sentences('<div lang="en"><p>He loved the lake and his dog.</p></div><p>Gracias.</p>')


LETTER_SENDER = {"sender_name": "María López", "sender_address": "12 Elm Street", "sender_city": "Burlington"}


@pytest.fixture
def site_in_spanish(app):
    """The bundled data (CDC figures, members of Congress, ZIP codes), a live campaign and a moderator."""
    from memorials.cli import bundled_loaders
    from memorials.extensions import db
    from memorials.letters import services as letters_services
    from memorials.letters.models import Campaign

    with app.app_context():
        for loader in bundled_loaders():
            loader()
        campaign = Campaign(slug="test-cause", title="Fund treatment", summary="Treatment saves lives.",
                            letter_template="Dear friend.\n\n{{ personal_note }}", status="live")
        letters_services.set_ask(campaign, "Please fund treatment.")
        db.session.add(campaign)
        make_moderator()
        db.session.commit()
    return app


def test_a_family_and_visitors_do_everything_in_spanish(site_in_spanish, client, outbox):
    from memorials.extensions import db
    from memorials.stories.models import Story

    app = site_in_spanish
    visited: dict[str, str] = {}

    def read(name, url, who=client):
        response = who.get(url)
        assert response.status_code == 200, (url, response.status_code)
        visited[name] = response.get_data(as_text=True)
        return visited[name]

    # A mother shares her son's story in Spanish.
    form = read("share", "/es/stories/new")
    assert 'lang="es"' in form and "Comparta" in form
    story_words = ("Dani tocaba la guitarra en la iglesia todos los domingos y cuidaba a su abuela. "
                   "Lo extrañamos cada día y queremos que otras familias sepan quién era.")
    response = submit(client, "/es/stories/new", form_data(story=story_words, relationship="madre", language="es"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/es/")
    read("thanks", response.headers["Location"])
    with app.app_context():
        story = db.session.execute(db.select(Story)).scalar_one()
        story_id, family_language = story.id, story.family_language
        assert story.versions[-1].language == "es"
    assert family_language == "es"
    received = next(m for m in reversed(outbox()) if "maria@example.org" in m["To"])
    assert "/es/stories/manage/" in received.get_content() and "Daniel" in received["Subject"]
    assert not english_sentences(received["Subject"] + "\n" + received.get_content())

    # A moderator reads and approves it in Spanish.
    moderator = app.test_client()
    assert sign_in(moderator).status_code == 302
    read("queue", "/es/moderate/", moderator)
    review = read("review", f"/es/moderate/stories/{story_id}", moderator)
    assert 'lang="es"' in review
    response = submit(moderator, f"/es/moderate/stories/{story_id}", {"action": "approve", "reason": ""})
    assert response.status_code == 302
    with app.app_context():
        slug = db.session.get(Story, story_id).slug
    published = next(m for m in reversed(outbox()) if "maria@example.org" in m["To"])
    assert f"/es/stories/{slug}" in published.get_content()
    assert not english_sentences(published["Subject"] + "\n" + published.get_content())

    # Visitors read it, light a candle and leave a condolence.
    memorial = read("memorial", f"/es/stories/{slug}")
    assert re.search(r'lang="es"[^>]*>.*Dani tocaba la guitarra', memorial, re.S)
    response = submit(client, f"/es/stories/{slug}/candle", {}, page=f"/es/stories/{slug}")
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/es/stories/{slug}")
    read("candle lit", response.headers["Location"].split("#")[0])
    response = submit(client, f"/es/stories/{slug}/condolences",
                      {"name": "Tía Rosa", "message": "Te extrañamos, mijo.", "email": "", "website": ""},
                      page=f"/es/stories/{slug}")
    assert response.status_code == 302
    read("condolence sent", response.headers["Location"].split("#")[0])
    read("list", "/es/stories/?state=OH&age=25-34")
    read("home", "/es/")

    # The numbers, and letters to Congress.
    national = read("statistics", "/es/stats/")
    ohio = read("Ohio", "/es/stats/OH")
    assert "meses" in national and "Ohio" in ohio
    read("letters", "/es/letters/")
    form = read("letter form", "/es/letters/test-cause")
    response = client.post("/es/letters/test-cause", data={
        "csrf_token": csrf_token(form), "once": _hidden(form, "once"), "zip": "05401", **LETTER_SENDER,
        "personal_note": "Mi hijo Daniel murió en 2023.", "letter_language": "es"})
    assert response.status_code == 200
    letters = response.get_data(as_text=True)
    visited["letters written"] = letters
    assert "Mi hijo Daniel murió en 2023." in letters

    for name, page in visited.items():
        assert '<html lang="es">' in page, name
        assert not english_sentences(page), f"English on the Spanish {name} page: {english_sentences(page)[:5]}"


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"|type="hidden" name="{name}" value="([^"]*)"|'
                      rf'name="{name}" value="([^"]*)" type="hidden"', page)
    return next((g for g in match.groups() if g is not None), "") if match else ""


def test_a_deployment_without_the_compiled_catalog_refuses_to_start_and_says_how_to_fix_it(tmp_path):
    """pip install and gunicorn without `make` leave messages.mo uncompiled: the Spanish pages would quietly be
    in English, so the site does not start, and says what to run."""
    folder = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, folder, ignore=shutil.ignore_patterns("*.mo"))
    with pytest.raises(CatalogMissing, match="make translations"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                    "BABEL_TRANSLATION_DIRECTORIES": str(folder)})
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(folder)], check=True,
                   capture_output=True)
    assert create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                       "BABEL_TRANSLATION_DIRECTORIES": str(folder)}) is not None
