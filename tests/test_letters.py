"""Letters to Congress: importers, the ZIP lookup and its API, the letter form, campaigns, privacy and counts."""
from __future__ import annotations

import functools
import http.server
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import String, Text, select

from memorials.extensions import db as _db
from memorials.letters import compose as letters_compose
from memorials.letters import importer, services, snapshot, views
from memorials.letters.models import Campaign, LetterCount, Legislator, ZipDistrict

from .forms import submit

FIXTURES = Path(__file__).parent / "fixtures" / "letters"
YAML = str(FIXTURES / "legislators-current.yaml")
JSON = str(FIXTURES / "legislators-current.json")
OFFICES = str(FIXTURES / "legislators-district-offices.yaml")
ZIPS = str(FIXTURES / "zccd.csv")

TEMPLATE = """I write from {{ sender_city }}, {{ state }}, to my {{ member_title }}.

{{ state_figures }}

{{ personal_note }}

Please act now."""

SENDER = {"sender_name": "Maria Lopez", "sender_address": "12 Elm Street", "sender_city": "Burlington",
          "personal_note": "My brother Sam died in 2023.\nHe was 24."}


@pytest.fixture
def loaded(app):
    """The fixtures imported, and one live campaign."""
    with app.app_context():
        importer.import_legislators([YAML, OFFICES])
        importer.import_zip_districts(ZIPS)
        campaign = Campaign(slug="test-cause", title="A test cause", summary="Short summary.",
                            letter_template=TEMPLATE, status="live")
        services.set_ask(campaign, "Please **act**.")
        _db.session.add(campaign)
        _db.session.commit()
    return app


def write(client, zip_code, **fields):
    return submit(client, "/letters/test-cause", {"zip": zip_code, **SENDER, **fields})


def page(response) -> str:
    return response.get_data(as_text=True)


def all_stored_text(app) -> str:
    """Every text value in every table: to prove nothing personal was kept."""
    found = []
    with app.app_context():
        for table in _db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if columns:
                found.extend(str(v) for row in _db.session.execute(select(*columns)) for v in row)
    return "\n".join(found)


# -- importers ---------------------------------------------------------------------------------------

def test_import_commands_load_the_public_formats(runner, app):
    result = runner.invoke(args=["import-legislators", YAML, JSON, OFFICES])
    assert result.exit_code == 0, result.output
    assert "Imported 12 members of Congress and 4 district offices" in result.output
    result = runner.invoke(args=["import-zip-districts", ZIPS])
    assert result.exit_code == 0, result.output
    assert "Imported 7 ZIP-to-district rows" in result.output
    with app.app_context():
        norton = _db.session.execute(select(Legislator).filter_by(bioguide="N000147")).scalar_one()
        assert (norton.chamber, norton.state, norton.district, norton.title) == ("house", "DC", 0, "Delegate")
        assert norton.office == "2136 Rayburn House Office Building"
        assert _db.session.execute(select(ZipDistrict).filter_by(zcta="60614")).scalars().all().__len__() == 3


def test_a_malformed_legislators_file_is_refused_whole_and_changes_nothing(runner, loaded):
    result = runner.invoke(args=["import-legislators", str(FIXTURES / "legislators-malformed.yaml")])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output
    assert "'ZZ' is not a US state" in result.output and "last name is missing" in result.output
    with loaded.app_context():
        assert len(_db.session.execute(select(Legislator)).scalars().all()) == 12


def test_a_zip_table_given_to_the_legislators_importer_is_refused(runner, loaded):
    result = runner.invoke(args=["import-legislators", ZIPS])
    assert result.exit_code != 0 and "not a legislators file" in result.output


def test_a_malformed_zip_table_is_refused_whole_and_changes_nothing(runner, loaded):
    result = runner.invoke(args=["import-zip-districts", str(FIXTURES / "zccd-malformed.csv")])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output
    assert "line 3: ZIP '0540' should be five digits" in result.output
    assert "line 4: district 'seven' should be a number" in result.output
    result = runner.invoke(args=["import-zip-districts", YAML])
    assert result.exit_code != 0 and "no state_abbr, zcta, cd column" in result.output
    with loaded.app_context():
        assert len(_db.session.execute(select(ZipDistrict)).scalars().all()) == 7


def test_a_malformed_district_offices_file_is_refused_whole(runner, loaded, tmp_path):
    broken = tmp_path / "offices.yaml"
    broken.write_text(Path(OFFICES).read_text().replace("state: VT", "state: Vermont", 1))
    result = runner.invoke(args=["import-legislators", YAML, str(broken)])
    assert result.exit_code != 0
    assert "not a valid district offices file" in result.output and "'Vermont' is not a US state" in result.output
    with loaded.app_context():
        assert len(_db.session.execute(select(Legislator)).scalars().all()) == 12


def test_a_missing_file_is_a_clear_message(runner):
    result = runner.invoke(args=["import-zip-districts", str(FIXTURES / "nope.csv")])
    assert result.exit_code != 0 and "Could not read" in result.output


# -- who represents me ---------------------------------------------------------------------------------

def names(answer):
    return [(r["chamber"], r["name"]) for r in answer["representatives"]]


def test_api_a_zip_split_across_districts_lists_every_house_member_and_both_senators(client, loaded):
    answer = client.get("/api/representatives?zip=60614").get_json()
    assert answer["zip"] == "60614" and answer["state"] == "IL" and answer["districts"] == [3, 5, 7]
    assert names(answer) == [("house", "Delia C. Ramirez"), ("house", "Mike Quigley"), ("house", "Danny K. Davis"),
                             ("senate", "Tammy Duckworth"), ("senate", "Richard J. Durbin")]
    davis = answer["representatives"][2]
    assert davis["district"] == 7 and davis["party"] == "Democrat" and davis["phone"] == "202-225-5006"
    assert davis["office"] == "2159 Rayburn House Office Building, Washington, DC 20515-1307"
    assert all(r["district"] is None for r in answer["representatives"] if r["chamber"] == "senate")


def test_api_an_at_large_state(client, loaded):
    answer = client.get("/api/representatives?zip=05401").get_json()
    assert answer["state"] == "VT" and answer["districts"] == [0]
    assert names(answer) == [("house", "Becca Balint"), ("senate", "Bernard Sanders"), ("senate", "Peter Welch")]
    sanders = answer["representatives"][1]
    assert sanders["contact_form"] == "https://www.sanders.senate.gov/contact/"
    assert sanders["local_offices"] == [{"city": "Burlington", "state": "VT", "zip": "05401", "phone": "802-862-0697",
                                         "address": "1 Church St., 3rd Floor"}]
    assert sanders["url"] == "https://www.sanders.senate.gov"


def test_api_dc_has_a_delegate_and_no_senators(client, loaded):
    answer = client.get("/api/representatives?zip=20002").get_json()
    assert answer["state"] == "DC"
    assert names(answer) == [("house", "Eleanor Holmes Norton")]
    assert answer["representatives"][0]["title"] == "Delegate"


def test_api_a_vacant_seat_is_said_to_be_vacant(client, loaded):
    answer = client.get("/api/representatives?zip=94541").get_json()
    house = answer["representatives"][0]
    assert (house["chamber"], house["state"], house["district"], house["vacant"], house["name"]) == \
        ("house", "CA", 14, True, None)
    assert [r["name"] for r in answer["representatives"][1:]] == ["Alex Padilla", "Adam B. Schiff"]


@pytest.mark.parametrize("zip_code, status", [("99999", 404), ("9021", 400), ("abcde", 400), ("", 400)])
def test_api_unknown_and_malformed_zips(client, loaded, zip_code, status):
    response = client.get(f"/api/representatives?zip={zip_code}")
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]


# -- writing the letter --------------------------------------------------------------------------------

def test_the_campaign_page_shows_the_cause_the_form_and_the_count(client, loaded):
    text = page(client.get("/letters/test-cause"))
    assert "A test cause" in text and "<strong>act</strong>" in text
    for name in ("zip", "sender_name", "sender_address", "sender_city", "personal_note", "email"):
        assert f'name="{name}"' in text
    assert "No letters yet" in text
    assert "A test cause" in page(client.get("/letters/"))


def test_letters_for_an_at_large_state_are_addressed_and_signed_properly(client, loaded):
    response = write(client, "05401")
    assert response.status_code == 200
    text = page(response)
    assert "Dear Representative Balint:" in text
    assert "Dear Senator Sanders:" in text and "Dear Senator Welch:" in text
    assert "The Honorable Bernard Sanders<br>United States Senate<br>332 Dirksen Senate Office Building<br>Washington, DC 20510" in text
    assert "The Honorable Becca Balint<br>U.S. House of Representatives<br>" in text
    assert "I write from Burlington, Vermont, to my Senator." in text
    assert "Maria Lopez<br>12 Elm Street<br>Burlington, VT 05401" in text
    assert date.today().strftime("%B") in text
    assert "https://www.sanders.senate.gov/contact/" in text and "202-224-5141" in text
    assert "Local office:\n          Burlington <a href=\"tel:802-862-0697\">802-862-0697</a>" in text
    assert 'value="txt"' in text and 'name="format"' in text
    assert response.headers["Cache-Control"] == "no-store"


def test_a_split_zip_asks_which_district_and_keeps_everything_typed(client, loaded):
    text = page(write(client, "60614", email="maria@example.org"))
    assert "split between 3 congressional districts" in text
    for value, name in (("3", "Delia C. Ramirez"), ("5", "Mike Quigley"), ("7", "Danny K. Davis")):
        assert f'name="district" type="radio" value="{value}"' in text
        assert name in text
    assert 'value="Maria Lopez"' in text and 'value="12 Elm Street"' in text and 'value="Burlington"' in text
    assert 'value="maria@example.org"' in text and "My brother Sam died in 2023.\nHe was 24.</textarea>" in text
    assert "Dear " not in text

    text = page(write(client, "60614", district="7"))
    assert "Dear Representative Davis:" in text
    assert "Dear Senator Duckworth:" in text and "Dear Senator Durbin:" in text
    assert "Ramirez" not in text and "Quigley" not in text


def test_a_choice_that_is_not_one_of_the_districts_is_asked_again(client, loaded):
    text = page(write(client, "60614", district="9"))
    assert "Please choose one of these districts." in text and 'value="Maria Lopez"' in text


def test_dc_gets_one_letter_to_its_delegate(client, loaded):
    text = page(write(client, "20002"))
    assert "Dear Delegate Norton:" in text
    assert "Senator" not in text
    assert "Washington, DC 20515-5101" in text


def test_a_vacant_seat_is_said_and_the_senators_still_get_letters(client, loaded):
    text = page(write(client, "94541"))
    assert "is vacant" in text and "California, District 14" in text
    assert "Dear Senator Padilla:" in text and "Dear Senator Schiff:" in text
    assert "Dear Representative" not in text


@pytest.mark.parametrize("zip_code, message", [
    ("99999", "We don&#39;t have ZIP code 99999"),
    ("123", "Please enter a five-digit ZIP code"),
])
def test_a_zip_we_cannot_use_is_explained_and_nothing_typed_is_lost(client, loaded, zip_code, message):
    text = page(write(client, zip_code))
    assert message in text
    assert 'value="Maria Lopez"' in text and "My brother Sam died in 2023." in text


def test_missing_fields_are_explained(client, loaded):
    text = page(submit(client, "/letters/test-cause", {"zip": "05401", "sender_name": "", "sender_address": "",
                                                        "sender_city": "", "personal_note": "kept words"}))
    assert "Please enter your name" in text and "Please enter your street address" in text
    assert "kept words" in text


def test_visitor_text_is_escaped_everywhere(client, loaded):
    note = '<script>alert("x")</script> **bold** [link](https://evil.example)'
    text = page(write(client, "05401", personal_note=note, sender_name="<b>Maria</b>"))
    assert "<script>alert" not in text and "<b>Maria</b>" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; **bold** [link](https://evil.example)" in text
    assert "&lt;b&gt;Maria&lt;/b&gt;" in text
    assert '<a href="https://evil.example' not in text and "<strong>bold</strong>" not in text


def test_the_text_download_is_plain_text_with_the_letter(client, loaded):
    response = write(client, "05401", format="txt", member="S000033")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True)
    assert body.startswith(date.today().strftime("%B"))
    assert "The Honorable Bernard Sanders\nUnited States Senate\n332 Dirksen Senate Office Building\nWashington, DC 20510" in body
    assert "Dear Senator Sanders:" in body and "Welch" not in body
    assert "My brother Sam died in 2023.\nHe was 24." in body
    assert body.rstrip().endswith("Maria Lopez\n12 Elm Street\nBurlington, VT 05401")

    every = write(client, "05401", format="txt").get_data(as_text=True)
    assert all(s in every for s in ("Dear Representative Balint:", "Dear Senator Sanders:", "Dear Senator Welch:"))


def test_the_pdf_download(client, loaded):
    response = write(client, "05401", format="pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_the_sender_is_never_in_a_url_and_nothing_personal_is_stored(client, loaded):
    before = all_stored_text(loaded).split("\n")
    text = page(write(client, "05401"))
    assert "Maria" not in "".join(part for part in text.split('"') if part.startswith(("/", "http", "?")))
    after = all_stored_text(loaded).split("\n")
    assert sorted(after) == sorted(before + ["VT"])  # one new row: the count for Vermont
    for private in ("Maria Lopez", "12 Elm Street", "My brother Sam"):
        assert private not in "\n".join(after)


def test_counts_per_campaign_and_state_go_up_but_downloads_do_not_count(client, loaded):
    write(client, "05401")
    write(client, "20002")
    write(client, "05401", format="txt")
    with loaded.app_context():
        counts = dict(_db.session.execute(select(LetterCount.state, LetterCount.letters)).all())
    assert counts == {"VT": 3, "DC": 1}
    assert "<strong>4</strong> letters written so far, from 2 states" in page(client.get("/letters/test-cause"))
    assert "4 letters written so far" in page(client.get("/letters/"))


def test_a_copy_by_email_is_sent_once_and_not_kept(client, loaded):
    from .conftest import deliver
    from .smtp import smtp_server

    with smtp_server() as (inbox, port):
        loaded.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
        text = page(write(client, "05401", email="maria@example.org"))
        assert "A copy is on its way" in text
        deliver(loaded)
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["maria@example.org"]
    body = envelope.content.decode()
    assert "Dear Senator Welch:" in body and "My brother Sam died in 2023." in body
    stored = all_stored_text(loaded)
    assert "maria@example.org" not in stored and "My brother Sam" not in stored and SENDER["sender_address"] not in stored
    assert not (Path(loaded.instance_path) / "outbox").exists()  # no .eml file holds it either


def test_without_a_mail_server_the_copy_is_not_sent_and_nothing_is_kept(client, loaded, outbox):
    text = page(write(client, "05401", email="maria@example.org"))
    assert "A copy is on its way" not in text and "couldn't send the email copy" in text
    assert outbox() == [] and "maria@example.org" not in all_stored_text(loaded)


def test_the_state_figures_appear_when_statistics_are_loaded(client, loaded, monkeypatch):
    monkeypatch.setattr(views, "state_figures", lambda code: Figures(date(2025, 9, 30), "September 2025", 123, 45))
    text = page(write(client, "05401"))
    assert "1" in text and "123 people in Vermont died of a drug overdose in the 12 months ending September 2025." in text
    assert "45 of those deaths involved synthetic opioids" in text


def test_the_letter_form_needs_its_csrf_token(client, loaded):
    response = client.post("/letters/test-cause", data={"zip": "05401", **SENDER})
    assert response.status_code == 400


def test_draft_and_unknown_campaigns_are_not_public(client, loaded):
    with loaded.app_context():
        _db.session.add(Campaign(slug="draft-one", title="Draft", summary="s", ask="a", letter_template="t"))
        _db.session.commit()
    assert client.get("/letters/draft-one").status_code == 404
    assert client.get("/letters/no-such-thing").status_code == 404
    assert "Draft" not in page(client.get("/letters/"))


# -- compose (pure) ----------------------------------------------------------------------------------

@dataclass
class Figures:
    period_end: date
    month_label: str
    overdose_deaths: int | None
    synthetic_opioid_deaths: int | None


MEMBER = letters_compose.Member(title="Senator", full_name="Jane Q. Public", last_name="Public", chamber="senate",
                                office="100 Hart Senate Office Building",
                                address="100 Hart Senate Office Building Washington DC 20510")
SENDER_DATA = letters_compose.Sender(name="Sam Writer", address="1 Main St", city="Dayton", state="OH",
                                     state_name="Ohio", zip="45402", personal_note="")


def test_compose_puts_the_figures_in_plain_words():
    letter = letters_compose.compose(TEMPLATE, MEMBER, SENDER_DATA,
                                     Figures(date(2026, 1, 31), "January 2026", 4321, 3210), date(2026, 11, 24))
    assert letter.date_line == "November 24, 2026"
    assert letter.salutation == "Dear Senator Public:"
    assert letter.address_block == ["The Honorable Jane Q. Public", "United States Senate",
                                    "100 Hart Senate Office Building", "Washington, DC 20510"]
    assert ("4,321 people in Ohio died of a drug overdose in the 12 months ending January 2026. "
            "3,210 of those deaths involved synthetic opioids") in letter.body_text


def test_compose_reads_well_without_figures_or_a_note():
    letter = letters_compose.compose(TEMPLATE, MEMBER, SENDER_DATA, None, date(2026, 11, 24))
    assert letter.body_text == "I write from Dayton, Ohio, to my Senator.\n\nPlease act now."
    assert str(letter.body_html).count("<p>") == 2


def test_compose_says_so_when_the_fentanyl_count_runs_through_another_month():
    @dataclass
    class Later(Figures):
        synthetic_period_end: date | None = None

    sentence = letters_compose.figures_sentence(Later(date(2025, 4, 30), "April 2025", 2000, 900,
                                                      date(2026, 1, 31)), "District of Columbia")
    assert "in the District of Columbia died" in sentence
    assert "In the 12 months ending January 2026, 900 overdose deaths" in sentence


def test_templates_cannot_evaluate_anything():
    template = "{0.mro} {{ config }} {member_name} {{ member_name }} {{member_last_name}}"
    letter = letters_compose.compose(template, MEMBER, SENDER_DATA, None, date(2026, 11, 24))
    assert letter.body_text == "{0.mro} {{ config }} {member_name} Jane Q. Public Public"
    assert letters_compose.unknown_placeholders(template) == ["config"]


def test_a_visitors_note_is_text_in_html_and_in_the_text_version():
    sender = letters_compose.Sender(name="A & B", address="1 Main", city="<i>Town</i>", state="OH", state_name="Ohio",
                                    zip="45402", personal_note="Line one *not emphasis*\nLine <two>")
    letter = letters_compose.compose(TEMPLATE, MEMBER, sender, None, date(2026, 11, 24))
    assert "&lt;i&gt;Town&lt;/i&gt;" in letter.body_html
    assert '<span class="typed">Line one *not emphasis*\nLine &lt;two&gt;</span>' in letter.body_html
    assert "Line one *not emphasis*\nLine <two>" in letter.text and "<i>Town</i>, Ohio" in letter.text


# -- bundled snapshot ------------------------------------------------------------------------------

def test_the_bundled_snapshot_loads_once_and_never_overwrites_an_edited_campaign(db):
    first = snapshot.load_bundled()
    assert "537 legislators rows" in first and "3 campaigns" in first and "1,312 district-offices rows" in first
    campaigns = db.session.execute(select(Campaign).order_by(Campaign.position)).scalars().all()
    assert [c.status for c in campaigns] == ["live", "live", "live"]
    for campaign in campaigns:
        assert letters_compose.unknown_placeholders(campaign.letter_template) == []
    campaigns[0].title = "Edited by an admin"
    db.session.commit()
    assert snapshot.load_bundled() == "letters: already loaded"
    assert db.session.get(Campaign, campaigns[0].id).title == "Edited by an admin"
    assert len(db.session.execute(select(Legislator)).scalars().all()) == 537


# -- campaign admin ------------------------------------------------------------------------------------

def sign_in(client, app, *, admin=True):
    from . import factories

    email = "admin@example.org" if admin else "mod@example.org"
    with app.app_context():
        factories.make_moderator(email, admin=admin)
    response = factories.sign_in(client, email)  # password, then the two-factor code
    assert response.status_code == 302


CAMPAIGN = {"title": "Fund treatment", "slug": "fund-treatment", "summary": "Treatment saves lives.",
            "ask": "Fund **treatment**.", "letter_template": "Dear friend in {{ state }}.\n\n{{ personal_note }}",
            "status": "live"}


def test_admins_create_and_edit_campaigns(client, loaded):
    sign_in(client, loaded)
    assert "A test cause" in page(client.get("/moderate/campaigns/"))
    response = submit(client, "/moderate/campaigns/new", CAMPAIGN)
    assert response.status_code == 302
    with loaded.app_context():
        campaign = _db.session.execute(select(Campaign).filter_by(slug="fund-treatment")).scalar_one()
        campaign_id = campaign.id
    assert "Fund treatment" in page(client.get("/letters/"))
    text = page(submit(client, f"/moderate/campaigns/{campaign_id}", {**CAMPAIGN, "status": "archived"},
                       follow_redirects=True))
    assert "Campaign saved." in text
    assert client.get("/letters/fund-treatment").status_code == 404


def test_bad_campaign_input_is_explained_and_kept(client, loaded):
    sign_in(client, loaded)
    text = page(submit(client, "/moderate/campaigns/new",
                       {**CAMPAIGN, "slug": "test-cause", "letter_template": "Hi {{ senders_name }}"}))
    assert "We don&#39;t know {{ senders_name }}" in text
    text = page(submit(client, "/moderate/campaigns/new", {**CAMPAIGN, "slug": "Bad Slug!"}))
    assert "Use lower-case letters" in text and "Treatment saves lives." in text
    text = page(submit(client, "/moderate/campaigns/new", {**CAMPAIGN, "slug": "test-cause"}))
    assert "Another campaign already has this address." in text


def test_campaign_admin_is_for_admins_only(client, loaded):
    assert client.get("/moderate/campaigns/").status_code == 302  # to sign in
    sign_in(client, loaded, admin=False)
    assert client.get("/moderate/campaigns/").status_code == 403
    assert client.get("/moderate/campaigns/new").status_code == 403


def test_a_zip_across_a_state_line_asks_which_state_and_district(client, loaded, tmp_path):
    # A few ZCTAs cross state lines (30165 is in Alabama and Georgia); made up here with fixture members.
    table = tmp_path / "zccd.csv"
    table.write_text(Path(ZIPS).read_text() + "11,DC,99001,0\n50,VT,99001,0\n")
    with loaded.app_context():
        importer.import_zip_districts(str(table))
    answer = client.get("/api/representatives?zip=99001").get_json()
    assert answer["state"] is None and answer["states"] == ["DC", "VT"]
    assert answer["areas"] == [{"state": "DC", "district": 0}, {"state": "VT", "district": 0}]
    text = page(write(client, "99001"))
    assert 'value="DC-0"' in text and 'value="VT-0"' in text and "Vermont (at large)" in text
    text = page(write(client, "99001", district="VT-0"))
    assert "Dear Representative Balint:" in text and "Burlington, VT 99001" in text and "Norton" not in text


def test_zip_plus_four_is_understood_and_the_pages_keep_the_strict_policy(client, loaded):
    import re

    response = write(client, "05401-1234")
    text = page(response)
    assert "Dear Representative Balint:" in text
    assert not re.search(r"<script>|\sstyle=|\son[a-z]+=", text)
    assert not re.search(r"<script>|\sstyle=|\son[a-z]+=", page(client.get("/letters/test-cause")))
    assert client.get("/api/representatives?zip=05401-1234").get_json()["zip"] == "05401"


def test_legislators_can_be_imported_from_a_url(runner, app):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(FIXTURES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/legislators-current.json"
        result = runner.invoke(args=["import-legislators", url])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert "Imported 5 members of Congress" in result.output


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_campaign_pages_show_the_stored_ask_and_count_without_a_query_per_campaign(loaded, client):
    from sqlalchemy import event

    with loaded.app_context():
        for n in range(5):
            campaign = Campaign(slug=f"cause-{n}", title=f"Cause {n}", summary="s", letter_template=TEMPLATE,
                                status="live")
            services.set_ask(campaign, "Fund *naloxone*.")
            _db.session.add(campaign)
        _db.session.flush()
        for n, campaign in enumerate(_db.session.execute(select(Campaign).where(Campaign.slug.like("cause-%"))
                                                         .order_by(Campaign.slug)).scalars()):
            services.count_letters(campaign, "OH", n + 1)
        _db.session.commit()
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            index = page(client.get("/letters/"))
        finally:
            event.remove(_db.engine, "before_cursor_execute", listener)
    assert "5 letters written so far" in index and "Cause 4" in index
    assert len(statements) <= 3, len(statements)
    assert "<em>naloxone</em>" in page(client.get("/letters/cause-0"))
