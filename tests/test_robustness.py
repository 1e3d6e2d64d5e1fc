"""No 500 on any input: every form, query parameter and path, with generated values, on both databases.

The tables below are the whole list. A new form, filter or route is one line in FORMS, QUERIES or
PATHS: the property tests then post generated values (NUL and other control characters, huge numbers,
markup, long and empty text) into it and check that the answer is never a 5xx and that what a person
typed comes back (cleaned of control characters) or is saved.
"""
from __future__ import annotations

import html
import urllib.parse
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from memorials.extensions import db
from memorials.letters import services as letters_services
from memorials.letters.models import Campaign
from memorials.stories.models import Story, StoryVersion
from memorials.web import without_control_characters

from .factories import form_data, make_moderator, make_story, publish, sign_in
from .forms import csrf_token
from .test_letters_statehouse import load_statehouse_fixtures

# Its behaviour depends on the database: it runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.both_databases

# -- the tables ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormCase:
    """A form: where it is (a "{token}"-style placeholder is filled from the site fixture), what a valid
    post holds, which fields to fill with generated values, and which of those must come back."""

    name: str
    url: str
    base: dict
    fuzz: tuple[str, ...]
    kept: tuple[str, ...] = ()
    who: str = "visitor"                     # "visitor", "moderator" or "admin"
    stored: dict = field(default_factory=dict)  # field -> StoryVersion column, checked when saved
    page: str = ""                           # where the form is shown, when it posts elsewhere


STORY_FIELDS = ("name", "nickname", "city", "story", "content_note", "submitter_name", "relationship", "photo_alt",
                "email", "born", "died", "state", "name_display")
STORY_KEPT = ("name", "nickname", "city", "story", "content_note", "submitter_name", "relationship", "photo_alt",
              "email", "born", "died")
STORY_COLUMNS = {"name": "name", "nickname": "nickname", "city": "city", "story": "story_markdown",
                 "content_note": "content_note", "submitter_name": "submitter_name",
                 "relationship": "relationship_to", "photo_alt": "photo_alt"}
LETTER = {"zip": "05401", "sender_name": "Maria Lopez", "sender_address": "12 Elm Street", "sender_city": "Burlington",
          "personal_note": "My brother Sam died in 2023."}
CAMPAIGN = {"title": "Fund treatment", "slug": "fund-treatment", "summary": "Treatment saves lives.",
            "ask": "Fund **treatment**.", "letter_template": "Dear friend.\n\n{{ personal_note }}", "status": "draft"}
STATE_CAMPAIGN = {**CAMPAIGN, "title_es": "Financiar el tratamiento", "summary_es": "El tratamiento salva vidas.",
                  "ask_es": "Financie el **tratamiento**.", "letter_template_es": "Hola.\n\n{{ personal_note }}",
                  "call_ask_es": "financie el tratamiento", "level": "state", "state": "OH", "recipients": "upper",
                  "bill_number": "HB 1", "bill_url": "https://example.org/hb1", "update": "", "update_es": ""}
# A state campaign's letters for ZIP 43215 (tests/fixtures/letters: Ohio's senator of district 15, its
# representative of district 7, its governor).
STATE_LETTER = {**LETTER, "zip": "43215", "sender_city": "Columbus", "upper_district": "15", "lower_district": "7"}

FORMS = [
    FormCase("share a story", "/stories/new", form_data(), STORY_FIELDS, STORY_KEPT, stored=STORY_COLUMNS),
    FormCase("edit a story", "/stories/manage/{token}", form_data(), STORY_FIELDS, STORY_KEPT, stored=STORY_COLUMNS),
    FormCase("lost link", "/stories/manage/lost", {"email": "maria@example.org"}, ("email",), ("email",)),
    FormCase("moderator sign-in", "/moderate/login", {"email": "mod@example.org", "password": "wrong password!"},
             ("email", "password"), ("email",)),
    FormCase("moderation decision", "/moderate/stories/{story_id}", {"action": "reject", "reason": "Not yet."},
             ("reason", "action", "version_id"), ("reason",), who="moderator"),
    FormCase("invite a moderator", "/moderate/team/", {"email": "new@example.org", "role": "moderator"},
             ("email", "role"), ("email",), who="admin"),
    FormCase("change password", "/moderate/account", {"password-current": "x", "password-password": "y",
                                                       "password-confirm": "y"},
             ("password-current", "password-password", "password-confirm"), who="moderator"),
    FormCase("write a letter", "/letters/test-cause", LETTER,
             ("zip", "sender_name", "sender_address", "sender_city", "personal_note", "email", "district", "format",
              "member"), ("sender_name", "sender_address", "sender_city", "personal_note")),
    FormCase("campaign", "/moderate/campaigns/new", CAMPAIGN, tuple(CAMPAIGN), ("title", "summary", "ask"),
             who="admin"),
    FormCase("state campaign in two languages", "/moderate/campaigns/new", STATE_CAMPAIGN, tuple(STATE_CAMPAIGN),
             ("title", "summary", "ask", "title_es", "summary_es", "ask_es", "bill_number"), who="admin"),
    FormCase("write to the statehouse", "/letters/state-cause", STATE_LETTER,
             ("zip", "upper_district", "lower_district", "state_district_zip", "relation", "letter_language",
              "member"), ("sender_name", "sender_address", "sender_city", "personal_note")),
    FormCase("change my letter", "/letters/state-cause/change", STATE_LETTER,
             ("zip", "sender_name", "personal_note", "upper_district"), ("sender_name", "personal_note"),
             page="/letters/state-cause"),
    FormCase("show my changes", "/letters/state-cause/edits", STATE_LETTER,
             ("edits-0-member", "edits-0-body", "edits-15-body", "lower_district"), page="/letters/state-cause"),
    FormCase("download a letter", "/letters/state-cause/download/txt", STATE_LETTER,
             ("member", "letter_language", "edits-0-body"), page="/letters/state-cause"),
    FormCase("I called", "/letters/state-cause/called", {**STATE_LETTER, "member": "ed858ef9-97dc-4be8-97ab-006ea96923ae"},
             ("member", "once", "upper_district"), page="/letters/state-cause"),
    FormCase("condolence", "/stories/{slug}/condolences", {"name": "Ana", "message": "We remember him."},
             ("name", "message", "email", "website"), ("name", "message", "email"), page="/stories/{slug}"),
    FormCase("light a candle", "/stories/{slug}/candle", {}, ("slug",), page="/stories/{slug}"),
    FormCase("report a concern", "/stories/{slug}/report", {"reason": "wrong", "details": "The date is wrong."},
             ("reason", "details", "email"), ("details", "email")),
    FormCase("guestbook settings", "/stories/manage/{token}/guestbook", {"condolence_mail": "y"},
             ("condolence_mail", "remembrance"), page="/stories/manage/{token}"),
    FormCase("share a memory", "/stories/{slug}/memories", {"name": "Ana", "memory": "We remember him at the lake."},
             ("name", "memory", "photo_alt", "email", "website"), ("name", "memory", "photo_alt", "email"),
             page="/stories/{slug}"),
    FormCase("invite a steward", "/stories/manage/{token}/stewards", {"steward_email": "tia@example.org"},
             ("steward_email",), ("steward_email",), page="/stories/manage/{token}"),
    FormCase("the family's gallery", "/stories/manage/{token}/gallery", {"gallery-0-alt": "At the lake"},
             ("gallery-0-alt", "gallery-0-caption", "existing-0-item", "existing-0-position", "existing-0-alt"),
             page="/stories/manage/{token}"),
    FormCase("a letter in a memorial's memory", "/letters/test-cause", {**LETTER, "memorial": "x"},
             ("memorial", "relation", "personal_note"), ("relation", "personal_note")),
]

# GET pages and the query parameters they read.
QUERIES = [
    ("/stories/", ("page", "q", "state", "year", "age"), "visitor"),
    ("/stories/wall", ("page", "state"), "visitor"),
    ("/es/stories/wall", ("page", "state"), "visitor"),
    ("/stories/daniel-james-rivera-2023", ("messages", "memories"), "visitor"),
    ("/moderate/memories", ("page",), "moderator"),
    ("/moderate/gallery", ("page",), "moderator"),
    ("/es/stories/", ("page", "q", "state", "year", "age"), "visitor"),
    ("/letters/test-cause", ("memorial", "district"), "visitor"),
    ("/language/es", ("next",), "visitor"),
    ("/moderate/condolences", ("page",), "moderator"),
    ("/moderate/reports", ("page",), "moderator"),
    ("/stats/", ("sort", "map"), "visitor"),
    ("/stats/OH", ("sort",), "visitor"),
    ("/api/representatives", ("zip",), "visitor"),
    ("/letters/test-cause", ("zip",), "visitor"),
    ("/letters/state-cause", ("memorial", "relation", "upper_district"), "visitor"),
    ("/letters/", ("page", "memorial", "relation"), "visitor"),
    ("/moderate/login", ("next",), "visitor"),
    ("/moderate/log", ("page",), "moderator"),
]

# Routes with a part of the path anyone can type.
PATHS = [
    ("/stories/{}", "visitor"),
    ("/es/stories/{}", "visitor"),
    ("/stories/{}/card.pdf", "visitor"),
    ("/stories/{}/report", "visitor"),
    ("/stories/daniel-james-rivera-2023/photos/{}", "visitor"),
    ("/stories/{}/photos/1", "visitor"),
    ("/language/{}", "visitor"),
    ("/stories/manage/{}", "visitor"),
    ("/stories/photos/{}", "visitor"),
    ("/stats/{}", "visitor"),
    ("/stats/{}/data.csv", "visitor"),
    ("/stats/{}/data.json", "visitor"),
    ("/letters/{}", "visitor"),
    ("/letters/state-cause/download/{}", "visitor"),
    ("/letters/{}/called", "visitor"),
    ("/moderate/stories/{}", "moderator"),
    ("/moderate/photos/{}", "moderator"),
    ("/moderate/invitation/{}", "visitor"),
    ("/moderate/team/{}", "admin"),
]

# -- values a hostile tester (or a confused browser) sends ---------------------------------------------

NASTY = [
    "\x00", "a\x00b", "Rosa\x00 Delgado", " ", "   ", "\t\n", "\u00a0\u2003", "\x1b[31mred", "\x7f\x85\x9f",
    "99999999999999999999", "99999999999999999999999", "-1", "0", "1e309", "NaN", "2023-02-30", "0000-00-00",
    "%00", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "\u202eevil", "😀" * 50,
    "x" * 25_000, "Ñandú José Ángel", "a@b", "@", "mod@example.org\x00", "\r\n\r\n",
]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=200), st.integers().map(str),
                   st.text(st.characters(max_codepoint=0x9F), max_size=40))
SETTINGS = settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                             HealthCheck.too_slow])


# -- the site the tests post into ---------------------------------------------------------------------

@pytest.fixture
def site(app):
    """One story (with its private link), a live campaign, and a client for each kind of person."""
    with app.app_context():
        story, token = make_story()
        make_moderator(email="mod@example.org")
        make_moderator(email="admin@example.org", admin=True)
        campaign = Campaign(slug="test-cause", title="A test cause", summary="Short summary.",
                            letter_template="Dear friend.\n\n{{ personal_note }}", status="live")
        letters_services.set_ask(campaign, "Please **act**.")
        db.session.add(campaign)
        state = Campaign(slug="state-cause", title="A state cause", summary="Short summary.", status="live",
                         letter_template="Dear friend.\n\n{{ personal_note }}", level="state",
                         recipients="upper,lower,governor")
        letters_services.set_ask(state, "Please **act**.")
        db.session.add(state)
        load_statehouse_fixtures()
        db.session.commit()
        publish(story)
        values = {"token": token, "story_id": story.id, "slug": story.slug}
    clients = {"visitor": app.test_client(), "moderator": app.test_client(), "admin": app.test_client()}
    assert sign_in(clients["moderator"], "mod@example.org").status_code == 302
    assert sign_in(clients["admin"], "admin@example.org").status_code == 302
    return app, clients, values


def _token_for(client, url: str) -> str | None:
    page = client.get(url)
    assert page.status_code < 500, f"GET {url} answered {page.status_code}"
    try:
        return csrf_token(page.get_data(as_text=True))
    except AssertionError:
        return None


def check_post(site, case: FormCase, name: str, value: str) -> None:
    app, clients, values = site
    client = clients[case.who]
    url = case.url.format(**values)
    data = {**case.base, name: value}
    token = _token_for(client, case.page.format(**values) if case.page else url)
    if token:
        data.setdefault("csrf_token", token)
    response = client.post(url, data=data)
    assert response.status_code < 500, f"{case.name}: {name}={value!r} answered {response.status_code}"
    cleaned = without_control_characters(value)
    page = html.unescape(response.get_data(as_text=True))
    # The form came back (a mistake somewhere): what was typed must be in it. A page without the form
    # is an accepted request (the lost-link answer, a written letter), which need not repeat it.
    if response.status_code == 200 and name in case.kept and f'name="{name}"' in page:
        # A browser sends line breaks as CRLF and shows a lone CR as a break: compare breaks as breaks.
        typed, shown = (" ".join(t.replace("\r", "\n").split()) for t in (cleaned, page))
        assert typed in shown, f"{case.name}: what was typed in {name} did not come back"
    if response.status_code in (302, 303) and name in case.stored:
        with app.app_context():
            version = db.session.execute(db.select(StoryVersion).order_by(StoryVersion.id.desc()).limit(1)).scalar_one()
            saved = getattr(version, case.stored[name]) or ""
        expected = " ".join(cleaned.split()) if name == "name" else cleaned.strip().replace("\r\n", "\n")
        assert saved == expected, f"{case.name}: {name} was saved as {saved!r}"


# -- the properties -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", FORMS, ids=[c.name for c in FORMS])
def test_no_form_answers_5xx_or_loses_what_was_typed(site, case):
    @SETTINGS
    @given(name=st.sampled_from(case.fuzz), value=VALUES)
    @example(name=case.fuzz[0], value="\x00")
    @example(name=case.fuzz[-1], value="a\x00b\x1f")
    def post(name, value):
        check_post(site, case, name, value)

    post()


@pytest.mark.parametrize("path, params, who", QUERIES, ids=[q[0] for q in QUERIES])
def test_no_query_parameter_answers_5xx(site, path, params, who):
    _, clients, _ = site

    @SETTINGS
    @given(name=st.sampled_from(params), value=VALUES)
    @example(name=params[0], value="99999999999999999999")
    def get(name, value):
        response = clients[who].get(path, query_string={name: value})
        assert response.status_code < 500, f"{path}?{name}={value!r} answered {response.status_code}"

    get()


@pytest.mark.parametrize("pattern, who", PATHS, ids=[p[0] for p in PATHS])
def test_no_path_answers_5xx(site, pattern, who):
    _, clients, _ = site

    @SETTINGS
    @given(part=VALUES.filter(bool))
    @example(part="99999999999999999999999")
    @example(part="\x00")
    def get(part):
        url = pattern.format(urllib.parse.quote(part, safe=""))
        response = clients[who].get(url)
        assert response.status_code < 500, f"GET {url} answered {response.status_code}"
        if who != "visitor" and response.status_code in (200, 404):
            return
        assert response.status_code in (200, 301, 302, 308, 400, 403, 404, 405), (url, response.status_code)

    get()


# -- the cases the issue names, spelled out ------------------------------------------------------------

@pytest.mark.parametrize("url, status", [
    ("/stories/?page=99999999999999999999", 200),
    ("/stories/%00", 404),
    ("/stories/manage/%00", 404),
    ("/stats/%00", 404),
    ("/stats/%00/data.csv", 404),
    ("/%00", 404),
])
def test_the_urls_that_gave_500s_get_a_plain_answer(client, url, status):
    assert client.get(url).status_code == status


def test_a_huge_story_number_is_a_404_for_moderators_too(site):
    _, clients, _ = site
    assert clients["moderator"].get("/moderate/stories/99999999999999999999999").status_code == 404
    assert clients["moderator"].get("/moderate/log?page=99999999999999999999").status_code == 200


def test_nul_bytes_in_a_story_are_taken_out_and_the_story_saved(app, client):
    from .forms import submit

    response = submit(client, "/stories/new", form_data(name="Rosa\x00 Delgado", city="Santa\x00 Fe",
                                                        story="She\x00 sang in the choir every Sunday. " * 3))
    assert response.status_code == 302
    with app.app_context():
        version = db.session.execute(db.select(StoryVersion)).scalar_one()
        assert (version.name, version.city) == ("Rosa Delgado", "Santa Fe")
        assert "\x00" not in version.story_markdown and version.story_markdown.startswith("She sang")


def test_newlines_and_tabs_are_kept(app, client):
    from .forms import submit

    story = "First line.\r\n\r\n\tSecond paragraph, indented, about the lake house and the dog. " * 2
    assert submit(client, "/stories/new", form_data(story=story)).status_code == 302
    with app.app_context():
        saved = db.session.execute(db.select(StoryVersion)).scalar_one().story_markdown
    assert "\n\n\tSecond paragraph" in saved


@pytest.mark.parametrize("name", ["   ", "\u00a0\u2003", "\t"])
def test_a_name_of_only_spaces_is_refused_and_the_rest_kept(app, client, name):
    from .forms import submit

    response = submit(client, "/stories/new", form_data(name=name, city="Dayton"))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "Please tell us their name." in page and 'value="Dayton"' in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Story.id))).scalar() == 0
