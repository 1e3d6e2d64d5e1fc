"""Letters to Congress: importers, the ZIP lookup and its API, the letter form, campaigns, privacy and counts."""
from __future__ import annotations

import functools
from collections import Counter
import html as htmllib
import http.server
import re
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import String, Text, func, select

from memorials.extensions import db as _db
from memorials.letters import compose as letters_compose
from memorials.letters import importer, services, snapshot, statehouse, views
from memorials.letters.models import Campaign, LetterCount, Legislator, ZipDistrict
from memorials.moderation.services import unpublish
from memorials.stories.models import Story

from . import factories
from .factories import make_moderator
from .forms import csrf_token, submit

FIXTURES = Path(__file__).parent / "fixtures" / "letters"
YAML = str(FIXTURES / "legislators-current.yaml")
TERRITORIES = str(FIXTURES / "legislators-territories.yaml")
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
        importer.import_legislators([YAML, TERRITORIES, OFFICES])
        importer.import_zip_districts([ZIPS, str(snapshot.ISLANDS)])
        campaign = Campaign(slug="test-cause", title="A test cause", summary="Short summary.",
                            letter_template=TEMPLATE, status="live", call_ask="act on this test cause")
        services.set_ask(campaign, "Please **act**.")
        _db.session.add(campaign)
        _db.session.commit()
    return app


def hidden(html: str, name: str) -> str:
    """The value of a hidden field on a page, as the browser would send it back."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"the page has no {name} field"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return htmllib.unescape(value.group(1)) if value else ""


def write(client, zip_code, url="/letters/test-cause", **fields):
    """Fill in and send the letter form as a person does: the page's CSRF and one-time tokens go with it."""
    form = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "once": hidden(form, "once"), "memorial": hidden(form, "memorial"),
            "zip": zip_code, **SENDER, **fields}
    return client.post(url.split("?")[0], data=data)


# Each button of the letters page posts the one form to its own address (formaction), some naming a member.
ACTIONS = {"change": "change", "update": "edits", "txt": "download/txt", "pdf": "download/pdf", "called": "called"}


def action_url(campaign_url: str, action: str) -> tuple[str, dict]:
    """'pdf:S000033' -> ('/letters/test-cause/download/pdf', {'member': 'S000033'})."""
    what, _sep, member = action.partition(":")
    return f"{campaign_url}/{ACTIONS[what]}", ({"member": member} if member else {})


def again(client, letters_page: str, action: str, **changes):
    """Press a button on the letters page: everything in its one form goes to the button's own address."""
    data = {name: htmllib.unescape(value) for name, value in
            re.findall(r'<input type="hidden"(?: form="letters-form")? name="([^"]+)" value="([^"]*)">', letters_page)}
    data.update({name: htmllib.unescape(value) for name, value in
                 re.findall(r'<textarea id="[^"]+" name="([^"]+)" form="letters-form"[^>]*>\n?(.*?)</textarea>',
                            letters_page, flags=re.S)})
    url, member = action_url(re.search(r'<form id="letters-form" method="post" action="([^"]+)"',
                                       letters_page).group(1), action)
    data.update(csrf_token=csrf_token(letters_page), **member, **changes)
    return client.post(url, data=data)


def press(client, zip_code, action, url="/letters/test-cause", **fields):
    """The letter form filled in and sent straight to one button's address, without writing the letters first."""
    form = client.get(url).get_data(as_text=True)
    target, member = action_url(url.split("?")[0], action)
    data = {"csrf_token": csrf_token(form), "once": hidden(form, "once"), "memorial": hidden(form, "memorial"),
            "zip": zip_code, **SENDER, **member, **fields}
    return client.post(target, data=data)


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

@pytest.mark.both_databases
def test_import_commands_load_the_public_formats(runner, app):
    result = runner.invoke(args=["import-legislators", YAML, JSON, OFFICES])
    assert result.exit_code == 0, result.output
    assert "Imported 12 members of Congress and 4 district offices" in result.output
    result = runner.invoke(args=["import-zip-districts", ZIPS])
    assert result.exit_code == 0, result.output
    assert "Imported 8 ZIP-to-district rows" in result.output
    with app.app_context():
        norton = _db.session.execute(select(Legislator).filter_by(bioguide="N000147")).scalar_one()
        assert (norton.chamber, norton.state, norton.district, norton.title) == ("house", "DC", 0, "Delegate")
        assert norton.office == "2136 Rayburn House Office Building"
        assert _db.session.execute(select(ZipDistrict).filter_by(zcta="60614")).scalars().all().__len__() == 3


@pytest.mark.both_databases
def test_a_malformed_legislators_file_is_refused_whole_and_changes_nothing(runner, loaded):
    result = runner.invoke(args=["import-legislators", str(FIXTURES / "legislators-malformed.yaml")])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output
    assert "'ZZ' is not a US state" in result.output and "last name is missing" in result.output
    with loaded.app_context():
        assert len(_db.session.execute(select(Legislator)).scalars().all()) == 17


def test_a_zip_table_given_to_the_legislators_importer_is_refused(runner, loaded):
    result = runner.invoke(args=["import-legislators", ZIPS])
    assert result.exit_code != 0 and "not a legislators file" in result.output


@pytest.mark.both_databases
def test_a_malformed_zip_table_is_refused_whole_and_changes_nothing(runner, loaded):
    result = runner.invoke(args=["import-zip-districts", str(FIXTURES / "zccd-malformed.csv")])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output
    assert "line 3: ZIP '0540' should be five digits" in result.output
    assert "line 4: district 'seven' should be a number" in result.output
    result = runner.invoke(args=["import-zip-districts", YAML])
    assert result.exit_code != 0 and "no state_abbr, zcta, cd column" in result.output
    with loaded.app_context():
        assert len(_db.session.execute(select(ZipDistrict)).scalars().all()) == 8 + 33  # and the Island Areas


def test_a_malformed_district_offices_file_is_refused_whole(runner, loaded, tmp_path):
    broken = tmp_path / "offices.yaml"
    broken.write_text(Path(OFFICES).read_text().replace("state: VT", "state: Vermont", 1))
    result = runner.invoke(args=["import-legislators", YAML, str(broken)])
    assert result.exit_code != 0
    assert "not a valid district offices file" in result.output and "'Vermont' is not a US state" in result.output
    with loaded.app_context():
        assert len(_db.session.execute(select(Legislator)).scalars().all()) == 17


def test_a_missing_file_is_a_clear_message(runner):
    result = runner.invoke(args=["import-zip-districts", str(FIXTURES / "nope.csv")])
    assert result.exit_code != 0 and "Could not read" in result.output


# -- who represents me ---------------------------------------------------------------------------------

def names(answer):
    return [(r["chamber"], r["name"]) for r in answer["representatives"]]


@pytest.mark.both_databases
def test_api_a_zip_split_across_districts_lists_every_house_member_and_both_senators(client, loaded):
    answer = client.get("/api/representatives?zip=60614").get_json()
    assert answer["zip"] == "60614" and answer["state"] == "IL" and answer["districts"] == [3, 5, 7]
    assert names(answer) == [("house", "Delia C. Ramirez"), ("house", "Mike Quigley"), ("house", "Danny K. Davis"),
                             ("senate", "Tammy Duckworth"), ("senate", "Richard J. Durbin")]
    davis = answer["representatives"][2]
    assert davis["district"] == 7 and davis["party"] == "Democrat" and davis["phone"] == "202-225-5006"
    assert davis["office"] == "2159 Rayburn House Office Building, Washington, DC 20515-1307"
    assert all(r["district"] is None for r in answer["representatives"] if r["chamber"] == "senate")


@pytest.mark.both_databases
def test_api_an_at_large_state(client, loaded):
    response = client.get("/api/representatives?zip=05401")
    # changes only with an import: browsers and shared caches keep it an hour
    assert response.headers["Cache-Control"].startswith("public, max-age=3600, s-maxage=3600")
    answer = response.get_json()
    assert answer["state"] == "VT" and answer["districts"] == [0]
    assert names(answer) == [("house", "Becca Balint"), ("senate", "Bernard Sanders"), ("senate", "Peter Welch")]
    sanders = answer["representatives"][1]
    assert sanders["contact_form"] == "https://www.sanders.senate.gov/contact/"
    assert sanders["local_offices"] == [{"city": "Burlington", "state": "VT", "zip": "05401", "phone": "802-862-0697",
                                         "address": "1 Church St., 3rd Floor", "hours": None}]
    assert sanders["url"] == "https://www.sanders.senate.gov"


@pytest.mark.both_databases
def test_api_dc_has_a_delegate_and_no_senators(client, loaded):
    answer = client.get("/api/representatives?zip=20002").get_json()
    assert answer["state"] == "DC"
    assert names(answer) == [("house", "Eleanor Holmes Norton")]
    assert answer["representatives"][0]["title"] == "Delegate"


@pytest.mark.both_databases
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
    for name in ("zip", "sender_name", "sender_address", "sender_city", "personal_note"):
        assert f'name="{name}"' in text
    assert "No letters yet" in text
    assert "A test cause" in page(client.get("/letters/"))


def field_tag(text: str, name: str) -> str:
    return re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', text).group(0)


def test_the_form_is_phone_first_zip_then_name_and_address_then_their_words(client, loaded):
    text = page(client.get("/letters/test-cause"))
    order = [text.index(f'name="{name}"') for name in ("zip", "sender_name", "sender_address", "sender_city",
                                                        "personal_note")]
    assert order == sorted(order)
    zip_field = field_tag(text, "zip")
    assert 'inputmode="numeric"' in zip_field and 'autocomplete="postal-code"' in zip_field
    assert 'autocomplete="name"' in field_tag(text, "sender_name")
    assert 'autocomplete="address-line1"' in field_tag(text, "sender_address")
    assert 'autocomplete="address-level2"' in field_tag(text, "sender_city")
    # The long ask is folded (a details element that letters.js opens on wide screens), above the form.
    assert re.search(r'<details class="campaign-ask" data-open-wide>\s*<summary>', text)
    assert text.index("campaign-ask") < text.index('name="zip"')


def test_email_me_a_copy_is_offered_only_when_a_mail_server_is_set(make_app):
    for server, offered in (("", False), ("127.0.0.1", True)):
        app = make_app(MAIL_SERVER=server)
        with app.app_context():
            _db.session.add(Campaign(slug=f"c{int(offered)}", title="C", summary="s", ask="a", ask_html="<p>a</p>",
                                     letter_template=TEMPLATE, status="live"))
            _db.session.commit()
        text = page(app.test_client().get(f"/letters/c{int(offered)}"))
        assert ('name="email"' in text) is offered
        assert ("a copy by email is kept only until it is sent" in text) is offered


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
    assert 'District office nearest you, in Burlington: <a href="tel:+18028620697">802-862-0697</a>' in text
    assert 'formaction="/letters/test-cause/download/txt" name="member" value="S000033"' in text
    assert '<button type="submit" formaction="/letters/test-cause/download/pdf"' in text
    assert response.headers["Cache-Control"] == "no-store"


def test_a_split_zip_asks_which_district_and_keeps_everything_typed(client, loaded):
    text = page(write(client, "60614"))
    assert "split between 3 congressional districts" in text
    for value, name in (("3", "Delia C. Ramirez"), ("5", "Mike Quigley"), ("7", "Danny K. Davis")):
        assert f'name="district" type="radio" value="{value}"' in text
        assert name in text
    assert 'value="Maria Lopez"' in text and 'value="12 Elm Street"' in text and 'value="Burlington"' in text
    assert "My brother Sam died in 2023.\nHe was 24.</textarea>" in text
    assert "Dear " not in text and "Error:" not in text  # asked, not yet an error

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
    ("99999", "We couldn&#39;t find ZIP code 99999. Please check it."),
    ("09001", "ZIP code 09001 is a military (APO, FPO or DPO) address"),
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
    response = press(client, "05401", "txt:S000033")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True)
    assert body.startswith(date.today().strftime("%B"))
    assert "The Honorable Bernard Sanders\nUnited States Senate\n332 Dirksen Senate Office Building\nWashington, DC 20510" in body
    assert "Dear Senator Sanders:" in body and "Welch" not in body
    assert "My brother Sam died in 2023.\nHe was 24." in body
    assert body.rstrip().endswith("Maria Lopez\n12 Elm Street\nBurlington, VT 05401")

    every = press(client, "05401", "txt").get_data(as_text=True)
    assert all(s in every for s in ("Dear Representative Balint:", "Dear Senator Sanders:", "Dear Senator Welch:"))


def test_the_pdf_download(client, loaded):
    response = press(client, "05401", "pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_the_sender_is_never_in_a_url_and_nothing_personal_is_stored(client, loaded):
    before = all_stored_text(loaded).split("\n")
    text = page(write(client, "05401"))
    assert "Maria" not in "".join(part for part in text.split('"') if part.startswith(("/", "http", "?")))
    after = all_stored_text(loaded).split("\n")
    new = sorted((Counter(after) - Counter(before)).elements())
    # Two new values: the count's state, and the hash of the form's one-time token.
    assert len(new) == 2 and "VT" in new and any(re.fullmatch(r"[0-9a-f]{64}", value) for value in new)
    for private in ("Maria Lopez", "12 Elm Street", "My brother Sam"):
        assert private not in "\n".join(after)


@pytest.mark.both_databases
def test_counts_per_campaign_and_state_go_up_but_downloads_do_not_count(client, loaded):
    write(client, "05401")
    write(client, "20002")
    press(client, "05401", "txt")
    press(client, "05401", "pdf:S000033")
    with loaded.app_context():
        counts = dict(_db.session.execute(select(LetterCount.state, LetterCount.letters)).all())
    assert counts == {"VT": 3, "DC": 1}
    assert "4 letters written so far, from 2 states" in page(client.get("/letters/test-cause"))
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
    # Not offered; an address sent anyway (by a program, or an old page) is ignored.
    text = page(write(client, "05401", email="maria@example.org"))
    assert "A copy is on its way" not in text and "maria@example.org" not in text
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

@pytest.mark.both_databases
def test_the_bundled_snapshot_loads_once_and_never_overwrites_an_edited_campaign(db, monkeypatch):
    # Counted on the day the snapshot was built: a role that ends later (Alaska's and Hawaii's governors, on 7
    # December 2026) is left out on the days after (test_letters_statehouse.py).
    monkeypatch.setattr(statehouse, "today", lambda: date(2026, 12, 6))
    first = snapshot.load_bundled()
    assert "537 legislators rows" in first and "6 campaigns" in first and "1,312 district-offices rows" in first
    assert "7,395 state-officials rows" in first and "104,146 zip-state-districts rows" in first
    campaigns = db.session.execute(select(Campaign).order_by(Campaign.position)).scalars().all()
    assert [(c.status, c.level) for c in campaigns] == [("live", "congress")] * 3 + [("live", "state")] * 3
    assert all(c.missing_spanish == [] for c in campaigns)  # every shipped campaign in English and Spanish
    for campaign in campaigns:
        assert letters_compose.unknown_placeholders(campaign.letter_template) == []
    campaigns[0].title = "Edited by an admin"
    db.session.commit()
    assert snapshot.load_bundled() == "letters: already loaded"
    assert db.session.get(Campaign, campaigns[0].id).title == "Edited by an admin"
    assert len(db.session.execute(select(Legislator)).scalars().all()) == 537
    assert db.session.execute(select(func.count()).select_from(ZipDistrict)
                              .where(ZipDistrict.state.in_(["AS", "GU", "MP", "VI"]))).scalar_one() == 33


@pytest.mark.both_databases
def test_tables_from_an_older_bundled_snapshot_are_refreshed_and_hand_imports_kept(db):
    from memorials.letters.models import DistrictOffice, LetterDataset

    snapshot.load_bundled()
    offices = db.session.execute(select(LetterDataset).filter_by(kind="district_offices")).scalar_one()
    offices.source = "Bundled snapshot: an older one"  # as an earlier release loaded it (no hours, no islands)
    zips = db.session.execute(select(LetterDataset).filter_by(kind="zip_districts")).scalar_one()
    zips.source = "import by hand: zccd.csv"
    db.session.execute(DistrictOffice.__table__.update().values(hours=None))
    db.session.commit()
    assert snapshot.load_bundled() == "letters: loaded 1,312 district-offices rows"
    assert db.session.execute(select(func.count()).select_from(DistrictOffice)
                              .where(DistrictOffice.hours.is_not(None))).scalar_one() > 200
    assert snapshot.load_bundled() == "letters: already loaded"
    # A campaign shipped before phone asks existed gets one, and nothing else changes.
    campaign = db.session.execute(select(Campaign).order_by(Campaign.position)).scalars().first()
    campaign.call_ask, campaign.title = None, "Edited"
    db.session.commit()
    snapshot.load_campaigns()
    assert campaign.call_ask.startswith("act against the chemicals") and campaign.title == "Edited"


# -- campaign admin ------------------------------------------------------------------------------------

def sign_in(client, app, *, admin=True):

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
    # Blank space is not a letter (it was saved as none and answered 500), nor a title or a summary.
    blank = submit(client, "/moderate/campaigns/new", {**CAMPAIGN, "slug": "blank-cause", "letter_template": "  ",
                                                       "title": " \r\n ", "summary": "\t"})
    text = page(blank)
    assert blank.status_code == 200 and "Please write the letter." in text
    assert "Please give the campaign a title." in text and "Please write a short summary." in text
    assert client.get("/letters/blank-cause").status_code == 404


def test_campaign_admin_is_for_admins_only(client, loaded):
    assert client.get("/moderate/campaigns/").status_code == 302  # to sign in
    sign_in(client, loaded, admin=False)
    assert client.get("/moderate/campaigns/").status_code == 403
    assert client.get("/moderate/campaigns/new").status_code == 403


@pytest.mark.both_databases
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


@pytest.mark.both_databases
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


# -- the memorial-to-letter bridge -----------------------------------------------------------------------

def published_memorial(app, **overrides):
    """A memorial a family shared and a moderator approved: (slug, story id, private token)."""

    with app.app_context():
        story, token = factories.make_story(**overrides)
        factories.publish(story)
        return story.slug, story.id, token


def memorial_count(app, story_id) -> int:
    with app.app_context():
        return services.memorial_letters(story_id)


@pytest.mark.both_databases
def test_a_memorial_page_offers_a_letter_in_their_memory_and_counts_them(client, loaded):
    slug, story_id, token = published_memorial(loaded)
    memorial = page(client.get(f"/stories/{slug}"))
    link = re.search(r'<a class="button" href="([^"]+)">Write a letter in Daniel James Rivera\'s memory</a>',
                     memorial)
    assert link and htmllib.unescape(link.group(1)) == f"/letters/test-cause?memorial={slug}"
    assert "written in their memory" not in memorial

    form = page(client.get(f"/letters/test-cause?memorial={slug}"))
    assert f'name="memorial" type="hidden" value="{slug}"' in form
    assert "Your letters will be written in memory of" in form and "Daniel James Rivera" in form
    assert "Who was Daniel James Rivera to you?" in form

    text = page(write(client, "05401", url=f"/letters/test-cause?memorial={slug}"))
    paragraph = ("I am writing in memory of Daniel James Rivera, who died at 25 in Dayton, Ohio, in 2023. Their family "
                 f"tells their story at http://localhost/stories/{slug}.")
    assert text.count(paragraph) == 3 * 3  # three letters: on the page, in the edit box, in the plain text
    body = text[text.index('<div class="letter-body"'):]
    assert body.index(paragraph) < body.index("My brother Sam died")  # before the sender's own words
    assert memorial_count(loaded, story_id) == 3
    assert "3 letters to lawmakers have been written in their memory." in page(client.get(f"/stories/{slug}"))
    manage = page(client.get(f"/stories/manage/{token}"))
    assert "3 letters to lawmakers have been written in Daniel James Rivera's memory." in manage
    # Nothing about the writers: only the number.
    assert "Maria Lopez" not in manage and "Burlington" not in manage


def test_with_several_live_campaigns_the_visitor_chooses_and_the_memorial_goes_along(client, loaded):
    slug, _, _ = published_memorial(loaded)
    with loaded.app_context():
        _db.session.add(Campaign(slug="second-cause", title="A second cause", summary="s", ask="a", ask_html="",
                                 letter_template=TEMPLATE, status="live", position=1))
        _db.session.commit()
    memorial = page(client.get(f"/stories/{slug}"))
    assert f'href="/letters/?memorial={slug}">Write a letter in Daniel James Rivera' in memorial
    chooser = page(client.get(f"/letters/?memorial={slug}"))
    assert "You are writing in memory of" in chooser
    assert f'href="/letters/test-cause?memorial={slug}"' in chooser
    assert f'href="/letters/second-cause?memorial={slug}"' in chooser


def test_a_writer_who_says_who_they_were_writes_in_the_first_person(client, loaded):
    slug, _, _ = published_memorial(loaded)
    text = htmllib.unescape(page(write(client, "20002", url=f"/letters/test-cause?memorial={slug}", relation="My nephew")))
    # Issue 19: the name and age are said once ("Daniel James Rivera, my nephew, died at 25 ...").
    assert ("Daniel James Rivera, my nephew, died at 25 in Dayton, Ohio, in 2023. You can read more at "
            f"http://localhost/stories/{slug}.") in text
    # On the page, in the edit box and in the plain text of the one letter, and once in the call script.
    assert text.count("Daniel James Rivera, my nephew") == 4 and "Daniel James Rivera's story" not in text
    assert "I am writing in memory of" not in text


def test_the_letter_names_them_only_as_the_family_shows_them(client, loaded):
    slug, _, _ = published_memorial(loaded, name="Daniel James Rivera", name_display="first", born=None, city=None,
                                    state_code=None)
    text = page(write(client, "05401", url=f"/letters/test-cause?memorial={slug}"))
    assert "I am writing in memory of Daniel, who died in 2023." in text
    assert "Rivera" not in text and "maria@example.org" not in text
    # The name is the family's text: escaped like any other.
    slug, _, _ = published_memorial(loaded, name="<b>Bo</b> Smith", died=date(2022, 1, 5), name_display="first")
    text = page(write(client, "05401", url=f"/letters/test-cause?memorial={slug}"))
    assert "<b>Bo</b>" not in text and "&lt;b&gt;Bo&lt;/b&gt;" in text


@pytest.mark.parametrize("value", ["no-such-memorial", "Bad Slug!", "a" * 300, "x\x00y", "../../etc/passwd"])
def test_anything_else_passed_as_memorial_is_ignored_with_a_plain_note(client, loaded, value):
    response = client.get("/letters/test-cause", query_string={"memorial": value})
    assert response.status_code == 200
    text = page(response)
    assert "We couldn&#39;t find a published memorial at that address" in text
    assert 'name="memorial" type="hidden" value=""' in text
    assert client.get("/letters/", query_string={"memorial": value}).status_code == 200
    # Posted directly, it is ignored the same way, and the letters are written without it.
    text = page(write(client, "05401", memorial=value))
    assert "Dear Senator Sanders:" in text and "in memory of" not in text
    assert "We couldn&#39;t find a published memorial at that address" in text


def test_a_memorial_that_is_no_longer_published_is_not_attached(client, loaded):
    slug, story_id, _ = published_memorial(loaded)
    with loaded.app_context():
        unpublish(_db.session.get(Story, story_id), make_moderator(email="x@example.org"), "asked by family")
        _db.session.commit()
    text = page(write(client, "05401", url=f"/letters/test-cause?memorial={slug}"))
    assert "in memory of" not in text and "Dear Senator Sanders:" in text
    assert memorial_count(loaded, story_id) == 0


def test_the_family_writes_from_their_private_page_with_their_relation_and_no_token_in_the_link(client, loaded):
    slug, story_id, token = published_memorial(loaded)  # shared by Maria Rivera, "mother"
    manage = page(client.get(f"/stories/manage/{token}"))
    link = re.search(r'<a class="button" href="([^"]+)" rel="noreferrer">Write to your lawmakers about '
                     r'Daniel James Rivera</a>', manage)
    assert link, "the manage page offers the letter"
    url = htmllib.unescape(link.group(1))
    assert url == f"/letters/test-cause?memorial={slug}&relation=child" and token not in url
    assert "No letters to lawmakers have been written in Daniel James Rivera's memory yet." in manage

    form = page(client.get(url))
    assert 'name="relation" type="text" value="child"' in form  # a suggestion, in words that guess no gender
    text = page(write(client, "05401", url=url, relation="son"))
    assert "Daniel James Rivera, my son, died at 25 in Dayton, Ohio, in 2023." in text
    assert token not in text


def test_a_private_link_never_reaches_the_letters_pages_or_their_log(client, loaded, caplog):
    _, _, token = published_memorial(loaded)
    manage = client.get(f"/stories/manage/{token}")
    assert manage.headers["Referrer-Policy"] == "no-referrer"
    with caplog.at_level("DEBUG"):
        url = htmllib.unescape(re.search(r'href="(/letters/[^"]+)" rel="noreferrer"', page(manage)).group(1))
        text = page(write(client, "05401", url=url))
    assert token not in url and token not in text and token not in caplog.text


@pytest.mark.parametrize("said, suggested", [
    ("mother", "child"), ("Dad", "child"), ("his sister", "sibling"), ("son", "parent"), ("best friend", "best friend"),
    ("grandmother", "grandchild"), ("wife", "spouse"), ("aunt", ""), ("", ""), (None, ""), ("the one who loved him", ""),
])
def test_the_family_relation_is_turned_round_only_without_guessing_a_gender(said, suggested):
    from memorials.letters.memorials import suggested_relation

    assert suggested_relation(said) == suggested


@pytest.mark.both_databases
def test_a_withdrawn_memorial_takes_its_letter_count_with_it(client, loaded):
    from memorials.letters.models import MemorialLetterCount
    from memorials.stories.services import withdraw_story

    slug, story_id, _ = published_memorial(loaded)
    write(client, "05401", url=f"/letters/test-cause?memorial={slug}")
    with loaded.app_context():
        assert _db.session.execute(select(MemorialLetterCount.letters)).scalar_one() == 3
        withdraw_story(_db.session.get(Story, story_id))
        assert _db.session.execute(select(MemorialLetterCount)).first() is None
        assert _db.session.execute(select(Campaign.letters_total)).scalar_one() == 3  # the campaign keeps its count


def test_memorial_paragraph_wording():
    remembered = letters_compose.Remembered(name="Danny R.", died_year=2023, url="https://example.org/stories/d",
                                            age=25, place="Dayton, Ohio")
    assert letters_compose.memorial_paragraph(remembered) == (
        "I am writing in memory of Danny R., who died at 25 in Dayton, Ohio, in 2023. Their family tells their story "
        "at https://example.org/stories/d.")
    assert letters_compose.memorial_paragraph(remembered, "my daughter ") == (
        "Danny R., my daughter, died at 25 in Dayton, Ohio, in 2023. You can read more at "
        "https://example.org/stories/d.")
    no_place = letters_compose.Remembered(name="Sam", died_year=2021, url="u", age=40)
    assert letters_compose.memorial_paragraph(no_place).startswith("I am writing in memory of Sam, who died at 40 in 2021.")
    assert letters_compose.memorial_paragraph(None) == ""
    # A template that does not place the memorial gets it just before the sender's own words.
    letter = letters_compose.compose(TEMPLATE, MEMBER, SENDER_DATA._replace(personal_note="Mine.") if hasattr(
        SENDER_DATA, "_replace") else letters_compose.Sender(**{**SENDER_DATA.__dict__, "personal_note": "Mine."}),
        None, date(2026, 11, 24), remembered=remembered)
    assert letter.paragraphs[1].startswith("I am writing in memory of Danny R.") and letter.paragraphs[2] == "Mine."


# -- calling -------------------------------------------------------------------------------------------------

def test_each_letter_has_a_call_script_phone_links_and_office_hours(client, loaded, monkeypatch):
    monkeypatch.setattr(views, "state_figures", lambda code: Figures(date(2025, 9, 30), "September 2025", 123, 45))
    slug, _, _ = published_memorial(loaded)
    text = htmllib.unescape(page(write(client, "05401", url=f"/letters/test-cause?memorial={slug}")))
    for name in ("Representative Balint", "Senator Sanders", "Senator Welch"):
        assert f"Call {name}</h3>" in text
        assert (f"I'm calling to ask {name} to act on this test cause.") in text
        assert f"Please pass my message on to {name}. Thank you." in text
        assert f"I called {name}</button>" in text
    assert "Hello, my name is Maria Lopez, and I'm a constituent from Burlington, Vermont, ZIP code 05401." in text
    assert "123 people in Vermont died of a drug overdose in the 12 months ending September 2025." in text
    assert "I'm calling in memory of Daniel James Rivera, who died in 2023." in text
    assert 'Washington office: <a href="tel:+12022245141">202-224-5141</a>. Usually 9 to 5, Monday to Friday, Eastern time.' in text
    # Balint's nearest office (Burlington, same ZIP) gives no hours: the usual ones, in Vermont's time zone.
    assert ('District office nearest you, in Burlington: <a href="tel:+18026522450">802-652-2450</a>. '
            "Usually 9 to 5, Monday to Friday, Eastern time.") in text
    assert "(1 other office.)" in text


def test_a_campaign_without_a_phone_ask_names_itself_in_the_script(client, loaded):
    with loaded.app_context():
        _db.session.execute(Campaign.__table__.update().values(call_ask=None))
        _db.session.commit()
    text = htmllib.unescape(page(write(client, "20002")))
    assert "I'm calling about “A test cause”, and I'm asking Delegate Norton to act on it." in text


def test_office_hours_come_from_the_data_or_the_states_time_zone():
    from memorials.letters import calling

    assert calling.office_hours("OH", None) == "Usually 9 to 5, Monday to Friday, Eastern time."
    assert calling.office_hours("CA", "M-F 9-5:30pm") == "Hours: M-F 9-5:30pm (Pacific time)."
    assert calling.office_hours("TX", "Mon-Fri 8:00AM-5:00PM CT") == "Hours: Mon-Fri 8:00AM-5:00PM CT (local time)."
    assert "Central or Mountain time, depending on where the office is" in calling.office_hours("TX", None)
    assert calling.office_hours("GU", None) == "Usually 9 to 5, Monday to Friday, Chamorro time."
    assert calling.washington_hours() == "Usually 9 to 5, Monday to Friday, Eastern time."


def test_the_nearest_district_office_is_judged_by_zip_code():
    from memorials.letters.calling import nearest_office

    @dataclass
    class Office:
        city: str
        zip: str | None
        phone: str | None = "555-0100"

    offices = [Office("Far", "45999"), Office("Near", "45402"), Office("Same area", "45419"), Office("Nophone", "45402", None)]
    assert nearest_office(offices, "45402").city == "Near"
    assert nearest_office(offices, "45418").city == "Same area"
    assert nearest_office([Office("Only", None)], "45402").city == "Only"
    assert nearest_office([], "45402") is None


def calls(app) -> dict:
    with app.app_context():
        return dict(_db.session.execute(select(LetterCount.state, LetterCount.calls)).all())


@pytest.mark.both_databases
def test_i_called_counts_calls_per_campaign_and_state_once_per_member(client, loaded):
    letters = page(write(client, "05401"))
    text = page(again(client, letters, "called:S000033"))
    assert "Thank you for calling Senator Sanders. Your call is counted." in text
    assert "Dear Senator Sanders:" in text  # the letters are all still there
    assert calls(loaded) == {"VT": 1}
    text = page(again(client, letters, "called:S000033"))
    assert "Your call to Senator Sanders is already counted." in text and calls(loaded) == {"VT": 1}
    # With script, the button asks for JSON and the page stays as it is.
    answer = client.post("/letters/test-cause/called", data={**_letters_form(letters), "member": "W000800"},
                         headers={"Accept": "application/json"})
    assert answer.is_json and answer.get_json() == {"counted": True,
                                                   "message": "Thank you for calling Senator Welch. Your call is counted."}
    assert calls(loaded) == {"VT": 2}
    with loaded.app_context():
        campaign = _db.session.execute(select(Campaign)).scalar_one()
        assert (campaign.calls_total, campaign.letters_total) == (2, 3)
    assert "2 calls made." in page(client.get("/letters/test-cause"))
    # Nothing about the caller is kept, and a call to someone not on the page is refused.
    assert "Maria Lopez" not in all_stored_text(loaded)
    assert again(client, letters, "called:D000563").status_code == 400


def test_i_called_needs_the_forms_csrf_token(client, loaded):
    letters = page(write(client, "05401"))
    data = {**_letters_form(letters), "member": "S000033"}
    del data["csrf_token"]
    assert client.post("/letters/test-cause/called", data=data).status_code == 400
    assert calls(loaded) == {"VT": 0}


def _letters_form(letters_page: str) -> dict:
    data = {name: htmllib.unescape(value) for name, value in
            re.findall(r'<input type="hidden"(?: form="letters-form")? name="([^"]+)" value="([^"]*)">', letters_page)}
    data["csrf_token"] = csrf_token(letters_page)
    return data


# -- the letter itself: change it, edit it, download it --------------------------------------------------

def test_change_my_letter_brings_the_form_back_with_everything_typed(client, loaded):
    slug, _, _ = published_memorial(loaded)
    letters = page(write(client, "60614", district="7", url=f"/letters/test-cause?memorial={slug}", relation="cousin"))
    assert "Dear Representative Davis:" in letters
    text = page(again(client, letters, "change"))
    assert 'value="Maria Lopez"' in text
    assert 'value="12 Elm Street"' in text and 'value="Burlington"' in text and 'value="60614"' in text
    assert "My brother Sam died in 2023.\nHe was 24.</textarea>" in text
    assert f'name="memorial" type="hidden" value="{slug}"' in text and 'value="cousin"' in text
    assert "Error:" not in text and "Dear " not in text
    # Sent again with a new word, it is written again, and not counted again.
    form = page(again(client, letters, "change"))
    data = {name: htmllib.unescape(value) for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)}
    data.update(personal_note="Sam was my brother.", district="7", csrf_token=csrf_token(form))
    text = page(client.post("/letters/test-cause", data=data))
    assert "Sam was my brother." in text and "My brother Sam died" not in text
    with loaded.app_context():
        assert _db.session.execute(select(Campaign.letters_total)).scalar_one() == 3


def test_an_edited_letter_is_shown_printed_and_downloaded_with_the_new_words(client, loaded, monkeypatch):
    from memorials.letters import pdf

    letters = page(write(client, "05401"))
    index = re.search(r'name="edits-(\d+)-member" value="S000033"', letters).group(1)
    edited = "Senator, I changed this letter myself.\n\nIt is shorter now."
    text = page(again(client, letters, "update", **{f"edits-{index}-body": edited}))
    assert "<p>Senator, I changed this letter myself.</p>" in text and "<p>It is shorter now.</p>" in text
    assert "I write from Burlington, Vermont, to my Senator." in text  # the other letters are as they were
    assert '<details class="letter-edit" id="edit-S000033" open>' in text
    with loaded.app_context():
        assert _db.session.execute(select(Campaign.letters_total)).scalar_one() == 3  # showing edits counts nothing

    body = again(client, letters, "txt:S000033", **{f"edits-{index}-body": edited}).get_data(as_text=True)
    assert "Dear Senator Sanders:\n\nSenator, I changed this letter myself.\n\nIt is shorter now.\n\nSincerely," in body
    assert "I write from" not in body

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])  # a core font, so the PDF's text can be read back here
    response = again(client, letters, "pdf:S000033", **{f"edits-{index}-body": edited})
    assert response.mimetype == "application/pdf"
    words = pdf_text(response.data)
    assert "Senator, I changed this letter myself." in words and "I write from" not in words


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def pdf_text(data: bytes, page_number: int | None = None) -> str:
    """The text a core-font PDF from fpdf2 shows (each page's content stream, in order)."""
    import zlib

    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
        try:
            content = zlib.decompress(raw).decode("latin-1")
        except zlib.error:
            continue
        if " Tj" in content or " TJ" in content:
            streams.append(" ".join(re.findall(r"\((.*?)\)\s*Tj", content)))
    return streams[page_number] if page_number is not None else "\n".join(streams)


def test_three_letters_with_a_one_line_note_make_exactly_three_pages(client, db, monkeypatch):
    from memorials.letters import pdf

    snapshot.load_campaigns()
    longest = max(db.session.execute(select(Campaign)).scalars(), key=lambda c: len(c.letter_template))
    sender = letters_compose.Sender(name="Maria Hernández-López", address="1234 Long Street Name Apartment 56",
                                    city="Dayton", state="OH", state_name="Ohio", zip="45402",
                                    personal_note="My son Daniel died of fentanyl poisoning in 2023.")
    remembered = letters_compose.Remembered(name="Daniel James Rivera", died_year=2023, age=25, place="Dayton, Ohio",
                                            url="https://example.org/stories/daniel-james-rivera-2023")
    figures = Figures(date(2025, 9, 30), "September 2025", 4321, 3210)
    members = [letters_compose.Member("Representative", "Michael R. Turner", "Turner", "house",
                                      "2082 Rayburn House Office Building"),
               letters_compose.Member("Senator", "Bernie Moreno", "Moreno", "senate", "284 Russell Senate Office Building"),
               letters_compose.Member("Senator", "Jon Husted", "Husted", "senate", "304 Russell Senate Office Building")]
    letters = [letters_compose.compose(longest.letter_template, member, sender, figures, date(2026, 11, 24),
                                       remembered=remembered, relation="son") for member in members]
    assert pdf_pages(pdf.letters_pdf(letters)) == 3
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])
    data = pdf.letters_pdf(letters)
    assert pdf_pages(data) == 3
    for number, member in enumerate(members):
        text = pdf_text(data, number)
        assert f"Dear {member.title} {member.last_name}:" in text and "Sincerely," in text


def test_a_letter_too_long_for_a_page_never_leaves_its_closing_alone(db, monkeypatch):
    from memorials.letters import pdf

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])
    for paragraphs in range(6, 12):  # pushes the end of the letter to every position near the page break
        template = "\n\n".join(f"Paragraph {n} " + "words to fill the page " * 12 for n in range(paragraphs))
        letter = letters_compose.compose(template, MEMBER, SENDER_DATA, None, date(2026, 11, 24))
        data = pdf.letters_pdf([letter])
        last = pdf_text(data, pdf_pages(data) - 1)
        assert "Sincerely," in last and "Sam Writer" in last
        assert "words to fill the page" in last, f"the closing is alone on the last page ({paragraphs} paragraphs)"


def test_contact_says_exactly_how_to_send_each_letter(client, loaded):
    text = htmllib.unescape(page(write(client, "05401")))
    # Senators with a contact form in the data: that form.
    assert 'paste it into <a href="https://www.sanders.senate.gov/contact/" rel="noopener">Senator Sanders\'s contact form</a>' in text
    # A House member without one: the website's Contact page and the House's own lookup, and no promised form link.
    balint = text[text.index('id="letter-B001318"'):text.index('id="letter-S000033"')]
    assert "go to <a href=\"https://balint.house.gov\" rel=\"noopener\">Representative Balint's website</a> and use the Contact page" in balint
    assert "https://www.house.gov/representatives/find-your-representative" in balint
    assert "contact form</a>." not in balint
    for label in ("Print the letter to Representative Balint", "Copy the letter to Senator Welch",
                  "Download the letter to Senator Sanders (PDF)", "Download the letter to Senator Welch (.txt)",
                  "Change the words of the letter to Senator Sanders", "I called Representative Balint"):
        assert label in text
    assert re.search(r'role="status" aria-live="polite" id="letters-status"', text)  # where "Copied" is announced


def test_a_split_zip_sent_without_a_choice_is_an_error_beside_the_question_and_in_the_summary(client, loaded):
    asked = page(write(client, "60614"))
    assert 'name="district_zip" type="hidden" value="60614"' in asked
    data = {name: htmllib.unescape(value) for name, value in
            re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', asked) if name != "district"}
    data.update(personal_note=SENDER["personal_note"], csrf_token=csrf_token(asked))
    text = page(client.post("/letters/test-cause", data=data))
    assert "<title>Error:" in text
    assert '<p class="error" id="district-error">Please choose the district you live in.</p>' in text
    assert re.search(r'id="form-errors".*<a href="#district-0">Which district do you live in\?: Please choose the '
                     r'district you live in\.</a>', text, flags=re.S)
    assert 'aria-invalid="true"' in text and 'value="Maria Lopez"' in text


@pytest.mark.both_databases
@pytest.mark.parametrize("zip_code, title, name, last_name", [
    ("96799", "Delegate", "Aumua Amata Coleman Radewagen", "Radewagen"),
    ("96910", "Delegate", "James C. Moylan", "Moylan"),
    ("96950", "Delegate", "Kimberlyn King-Hinds", "King-Hinds"),
    ("00802", "Delegate", "Stacey E. Plaskett", "Plaskett"),
    ("00901", "Resident Commissioner", "Pablo José Hernández", "Hernández Rivera"),
])
def test_territories_find_their_delegate_or_resident_commissioner(client, loaded, zip_code, title, name, last_name):
    answer = client.get(f"/api/representatives?zip={zip_code}").get_json()
    [member] = answer["representatives"]
    assert (member["title"], member["chamber"], member["district"]) == (title, "house", 0)
    assert member["name"] == name and not member["vacant"]
    text = htmllib.unescape(page(write(client, zip_code)))
    assert f"Dear {title} {last_name}:" in text and "Senator" not in text


def test_a_really_unknown_zip_says_so_plainly_on_the_page_and_in_the_api(client, loaded):
    answer = client.get("/api/representatives?zip=96940")  # Palau: a 969 ZIP code with no member of Congress
    assert answer.status_code == 404 and answer.get_json()["error"].startswith("We couldn't find ZIP code 96940.")
    text = htmllib.unescape(page(write(client, "96940")))
    assert "We couldn't find ZIP code 96940. Please check it." in text and "<title>Error:" in text


# -- counting once, privacy --------------------------------------------------------------------------------

def letters_total(app) -> int:
    with app.app_context():
        return _db.session.execute(select(Campaign.letters_total)).scalar_one()


@pytest.mark.both_databases
def test_reloading_the_letters_or_sending_the_form_twice_counts_them_once(client, loaded):
    form = page(client.get("/letters/test-cause"))
    data = {"csrf_token": csrf_token(form), "once": hidden(form, "once"), "zip": "05401", **SENDER}
    assert "Dear Senator Sanders:" in page(client.post("/letters/test-cause", data=data))
    assert "Dear Senator Sanders:" in page(client.post("/letters/test-cause", data=data))  # a reload sends it again
    assert letters_total(loaded) == 3
    # A token we did not sign (or none) counts nothing; a fresh page counts again.
    assert "Dear Senator Sanders:" in page(client.post("/letters/test-cause", data={**data, "once": "made-up"}))
    assert "Dear Senator Sanders:" in page(client.post("/letters/test-cause", data={**data, "once": ""}))
    assert letters_total(loaded) == 3
    write(client, "05401")
    assert letters_total(loaded) == 6
    with loaded.app_context():
        counts = dict(_db.session.execute(select(LetterCount.state, LetterCount.letters)).all())
    assert counts == {"VT": 6}


@pytest.mark.both_databases
def test_two_visitors_writing_at_once_each_have_their_letters_counted(loaded):
    # The campaign page is never kept for the next visitor (memorials/pagecache): each form has its own token.
    first, second = loaded.test_client(), loaded.test_client()
    first_form, second_form = page(first.get("/letters/test-cause")), page(second.get("/letters/test-cause"))
    assert hidden(first_form, "once") != hidden(second_form, "once")
    for client, form in ((first, first_form), (second, second_form)):
        data = {"csrf_token": csrf_token(form), "once": hidden(form, "once"), "zip": "05401", **SENDER}
        assert "Dear Senator Sanders:" in page(client.post("/letters/test-cause", data=data))
    assert letters_total(loaded) == 6


@pytest.mark.both_databases
def test_one_time_tokens_are_kept_only_as_a_hash_until_they_expire(db):
    from datetime import timedelta

    from memorials.letters.models import UsedLetterToken
    from memorials.timeutil import utcnow

    token = services.new_token()
    assert services.use_once(token, "letters:1") is True
    assert services.use_once(token, "letters:1") is False
    assert services.use_once(token, "call:1:S000033") is True  # another purpose of the same form
    db.session.commit()
    rows = db.session.execute(select(UsedLetterToken)).scalars().all()
    assert len(rows) == 2 and all(token not in row.token_hash and len(row.token_hash) == 64 for row in rows)
    assert all(timedelta(days=1) < row.expires_at - utcnow() <= services.TOKEN_MAX_AGE for row in rows)
    rows[0].expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    services.forget_expired_tokens()
    db.session.commit()
    assert len(db.session.execute(select(UsedLetterToken)).scalars().all()) == 1
    assert services.use_once("not-signed-by-us", "letters:1") is False


def test_after_an_emailed_copy_no_file_and_no_table_holds_the_senders_words(make_app, tmp_path):
    from .conftest import deliver
    from .smtp import smtp_server

    with smtp_server() as (inbox, port):
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
        with app.app_context():
            importer.import_legislators([YAML, OFFICES])
            importer.import_zip_districts(ZIPS)
            _db.session.add(Campaign(slug="test-cause", title="A test cause", summary="s", ask="a", ask_html="",
                                     letter_template=TEMPLATE, status="live"))
            _db.session.commit()
        client = app.test_client()
        form = page(client.get("/letters/test-cause"))
        assert 'name="email"' in form
        data = {"csrf_token": csrf_token(form), "once": hidden(form, "once"), "zip": "05401", **SENDER,
                "email": "maria@example.org"}
        assert "A copy is on its way" in page(client.post("/letters/test-cause", data=data))
        client.post("/letters/test-cause", data=data)  # a reload sends no second copy
        deliver(app)
    [envelope] = inbox.messages
    assert "Dear Senator Welch:" in envelope.content.decode() and "My brother Sam" in envelope.content.decode()
    private = ("Maria Lopez", "12 Elm Street", "My brother Sam", "maria@example.org", "He was 24")
    stored = all_stored_text(app)
    assert not [p for p in private if p in stored]
    for path in tmp_path.rglob("*"):  # the database file, the instance folder, any outbox or log
        if path.is_file() and path.suffix not in (".sqlite3-wal", ".sqlite3-shm"):
            content = path.read_bytes()
            assert not [p for p in private if p.encode() in content], path


# -- speed: a handful of statements, whatever the numbers --------------------------------------------------

def statements_for(app, request):
    from sqlalchemy import event

    seen = []
    with app.app_context():
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            response = request()
        finally:
            event.remove(_db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return seen


@pytest.mark.both_databases
def test_the_letters_result_runs_a_handful_of_statements(client, loaded):
    slug, _, _ = published_memorial(loaded)
    form = page(client.get(f"/letters/test-cause?memorial={slug}"))
    data = {"csrf_token": csrf_token(form), "once": hidden(form, "once"), "memorial": slug, "zip": "05401", **SENDER}
    seen = statements_for(loaded, lambda: client.post("/letters/test-cause", data=data))
    work = [s for s in seen if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))]
    # campaign, memorial, ZIP with members, offices, figures, token, expired tokens, state count, campaign
    # total, memorial count, data sources: eleven, with a memorial and a fresh token, whatever the ZIP; and
    # the counts being public, the page cache's counter is raised as they commit (twelve).
    assert len(work) <= 12, "\n".join(work)


@pytest.mark.both_databases
def test_the_campaign_list_and_the_api_stay_fixed_with_many_campaigns_and_counts(client, loaded):
    with loaded.app_context():
        for n in range(60):
            campaign = Campaign(slug=f"cause-{n}", title=f"Cause {n}", summary="s", letter_template=TEMPLATE,
                                status="live", position=n + 1)
            services.set_ask(campaign, "Fund *naloxone*.")
            _db.session.add(campaign)
        _db.session.flush()
        for campaign in _db.session.execute(select(Campaign)).scalars():
            for state in ("OH", "VT", "IL", "CA", "DC", "TX", "NY", "PA"):
                services.count_letters(campaign, state, 2)
                services.count_call(campaign, state)
        _db.session.commit()
    index = statements_for(loaded, lambda: client.get("/letters/"))
    # The page's own query (the page cache's check that nothing public changed comes besides).
    assert len([s for s in index if s.startswith("SELECT") and "page_generation" not in s]) == 1
    first = page(client.get("/letters/"))
    assert "16 letters written so far" in first and first.count('class="campaign-card"') == 30
    assert 'href="/letters/?page=2"' in first
    second = page(client.get("/letters/?page=2"))
    assert second.count('class="campaign-card"') == 30 and "Cause 58" in second and 'href="/letters/?page=3"' in second
    last = page(client.get("/letters/?page=3"))
    assert last.count('class="campaign-card"') == 1 and "Cause 59" in last and "page=4" not in last
    for odd in ("0", "-4", "abc", "99999999999999999999", "x\x00"):
        assert client.get("/letters/", query_string={"page": odd}).status_code == 200
    api = statements_for(loaded, lambda: client.get("/api/representatives?zip=60614"))
    # Congress: the ZIP's districts with members, their offices; the statehouse: its districts with their
    # members and governor (none here).
    assert len([s for s in api if s.startswith("SELECT") and "page_generation" not in s]) == 3
    one = statements_for(loaded, lambda: client.get("/letters/cause-3"))
    assert len([s for s in one if s.startswith("SELECT")]) <= 3


@pytest.mark.parametrize("url", ["/letters/a%00b", "/letters/%ff%fe", "/letters/" + "x" * 500, "/letters/?page=%00",
                                 "/letters/?memorial=%00&relation=%00", "/api/representatives?zip=%00",
                                 "/api/representatives?zip=0540%001"])
def test_odd_addresses_get_a_plain_answer(client, loaded, url):
    assert client.get(url).status_code in (200, 400, 404)


@pytest.mark.parametrize("field, value", [
    ("zip", "05401\x00"), ("sender_name", "Maria\x00Lopez"), ("personal_note", "words\x00more"),
    ("district", "\x00"), ("relation", "son\x00"), ("memorial", "\x00"), ("once", "\x00" * 50),
    ("member", "\x00"), ("member", "A" * 5000), ("edits-0-member", "S000033\x00"),
    ("edits-0-body", "x\x00y"), ("edits-99999999999999999999-body", "x"),
])
def test_odd_bytes_in_the_letter_form_get_a_plain_answer(client, loaded, field, value):
    response = write(client, "05401", **{field: value, "edits-0-member": "S000033"} if field != "edits-0-member"
                     else {field: value})
    assert response.status_code in (200, 400)
    assert "Traceback" not in page(response)


# -- in Spanish: the page in the visitor's language, the letter in the language they choose ----------------------

ES = "/es/letters/test-cause"


def text_of(response) -> str:
    """The page as a person reads it: entities undone, runs of white space as one space."""
    return " ".join(htmllib.unescape(page(response)).split())


def article(html: str, bioguide: str) -> str:
    """One member's letter as the page shows it."""
    start = html.index(f'id="letter-{bioguide}"')
    return html[html.index('<article class="letter"', start):html.index("</article>", start)]


def test_the_spanish_form_is_in_spanish_and_offers_the_letter_in_english_first(client, loaded):
    text = text_of(client.get(ES))
    for sentence in ("Escriba su carta", "Su código postal", "Lo usamos solo para encontrar a sus miembros del Congreso.",
                     "Escribir mis cartas en", "Las oficinas del Congreso leen más rápido en inglés, por eso es lo habitual.",
                     "Esta causa se escribió en inglés.", "Escribir mis cartas"):
        assert sentence in text
    html = page(client.get(ES))
    assert re.search(r'<input checked id="letter_language-0" name="letter_language" type="radio" value="en">', html)
    assert 'value="es"> <label for="letter_language-1">español</label>' in html
    assert '<h1 lang="en">A test cause</h1>' in html  # the campaign's own words, marked as the English they are
    # The English page offers the same choice, in English.
    assert "English is what congressional offices read fastest" in page(client.get("/letters/test-cause"))


def test_on_a_spanish_page_the_letter_is_in_english_by_default(client, loaded):
    response = write(client, "05401", url=ES)
    html, text = page(response), text_of(response)
    assert "Sus 3 cartas están listas" in text and "Cómo enviarla" in text and "Qué decir al llamar" in text
    assert "Imprimir la carta para Bernard Sanders" in text and "Ya llamé a Peter Welch" in text
    letter = " ".join(htmllib.unescape(article(html, "S000033")).split())
    assert 'lang="en"' in letter
    assert "Dear Senator Sanders:" in letter and "Sincerely," in letter
    assert "I write from Burlington, Vermont, to my Senator." in letter
    assert "My brother Sam died in 2023." in letter and "He was 24." in letter
    assert "Respetable" not in html and "Atentamente" not in html
    script = html[html.index('<blockquote class="call-script" lang="en">'):]
    assert "Hello, my name is Maria Lopez" in script[:script.index("</blockquote>")]
    with loaded.app_context():
        assert _db.session.execute(select(Campaign.letters_total)).scalar_one() == 3


def test_a_spanish_letter_has_spanish_sentences_and_babels_numbers_and_keeps_the_visitors_words(
        client, loaded, monkeypatch):
    monkeypatch.setattr(views, "state_figures", lambda code: Figures(date(2026, 1, 31), "January 2026", 1330, 1021))
    note = "Mi hermano Sam murió en 2023.\nTenía 24 años. I still write to him in English."
    response = write(client, "05401", url=ES, letter_language="es", personal_note=note)
    html = page(response)
    letter = " ".join(htmllib.unescape(article(html, "S000033")).split())
    assert 'lang="es"' in letter
    assert "Respetable Bernard Sanders:" in letter and "Atentamente," in letter
    assert re.search(r'class="letter-date">\d{1,2} de [a-z]+ de \d{4}<', letter)
    assert "Honorable Bernard Sanders" in letter and "Senado de los Estados Unidos" in letter
    assert ("Vivo en Burlington, Vermont, y usted me representa en el Congreso. Le escribo para pedirle que actúe "
            "en una causa que me importa profundamente: “A test cause”.") in letter
    assert ("Según las cifras provisionales de los CDC, 1,330 personas murieron por sobredosis de drogas en Vermont "
            "en los 12 meses que terminan en enero de 2026.") in letter
    assert "En 1,021 de esas muertes hubo opioides sintéticos distintos de la metadona" in letter
    # The campaign's ask is quoted as written, and said to be in English.
    assert "que están escritas en inglés:</p> <p>Please <strong>act</strong>.</p>" in letter
    # The visitor's words exactly as typed, line break and English included.
    plain = htmllib.unescape(html[html.index('<textarea id="text-S000033"'):])
    assert "Mi hermano Sam murió en 2023.\nTenía 24 años. I still write to him in English." in plain
    assert "Dear Senator" not in html and "Sincerely" not in html
    script = html[html.index('<blockquote class="call-script" lang="es">', html.index('id="letter-S000033"')):]
    script = " ".join(htmllib.unescape(script[:script.index("</blockquote>")]).split())
    assert "Buenos días. Me llamo Maria Lopez y vivo en Burlington, Vermont, código postal 05401" in script
    assert "Llamo para pedirle a Bernard Sanders lo que pide esta campaña, con sus propias palabras en inglés: " \
           "“act on this test cause”." in script
    assert "1,330 personas murieron" in script
    with loaded.app_context():
        assert _db.session.execute(select(Campaign.letters_total)).scalar_one() == 3
    assert note not in all_stored_text(loaded) and "Maria Lopez" not in all_stored_text(loaded)


def test_a_spanish_letter_can_be_changed_edited_downloaded_and_called_about(client, loaded, monkeypatch):
    from memorials.letters import pdf

    letters = page(write(client, "05401", url=ES, letter_language="es"))
    assert 'name="letter_language" value="es"' in letters  # carried by every button on the page
    back = page(again(client, letters, "change"))
    assert re.search(r'<input checked id="letter_language-1" name="letter_language" type="radio" value="es">', back)
    assert "Escriba su carta" in back

    index = re.search(r'name="edits-(\d+)-member" value="S000033"', letters).group(1)
    edited = "Senador, cambié esta carta yo misma.\n\nAhora es más corta."
    shown = page(again(client, letters, "update", **{f"edits-{index}-body": edited}))
    assert "<p>Senador, cambié esta carta yo misma.</p>" in shown
    assert "Respetable Peter Welch:" in htmllib.unescape(article(shown, "W000800"))  # the others stay Spanish

    body = again(client, letters, "txt:S000033", **{f"edits-{index}-body": edited}).get_data(as_text=True)
    assert "Respetable Bernard Sanders:\n\nSenador, cambié esta carta yo misma.\n\nAhora es más corta.\n\nAtentamente," in body

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])
    response = again(client, letters, "pdf")
    assert response.mimetype == "application/pdf" and pdf_pages(response.data) == 3
    words = pdf_text(response.data)
    assert "Respetable Bernard Sanders:" in words and "Atentamente," in words
    assert "Senado de los Estados Unidos" in words and "Cámara de Representantes de los Estados Unidos" in words
    assert "Dear " not in words and "Sincerely" not in words
    assert b"/Title (Cartas al Congreso)" in response.data

    called = text_of(again(client, letters, "called:S000033"))
    assert "Gracias por llamar a Bernard Sanders. Ya contamos su llamada." in called
    assert calls(loaded) == {"VT": 1}
    with loaded.app_context():
        assert _db.session.execute(select(Campaign.letters_total)).scalar_one() == 3  # none of this counts letters


def test_an_english_letter_downloaded_from_a_spanish_page_is_english(client, loaded, monkeypatch):
    from memorials.letters import pdf

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])
    letters = page(write(client, "05401", url=ES))
    words = pdf_text(again(client, letters, "pdf:S000033").data)
    assert "Dear Senator Sanders:" in words and "Sincerely," in words and "Respetable" not in words


def test_a_language_we_do_not_offer_is_asked_again_in_spanish_and_nothing_counts(client, loaded):
    response = write(client, "05401", url=ES, letter_language="fr")
    text = text_of(response)
    assert "<title>Error:" in page(response)
    assert "Por favor, elija inglés o español para sus cartas." in text
    assert 'value="Maria Lopez"' in page(response)
    with loaded.app_context():
        assert _db.session.execute(select(Campaign.letters_total)).scalar_one() == 0


def test_a_memorial_in_a_spanish_letter_is_remembered_in_spanish_with_the_name_as_shown(client, loaded):
    slug, story_id, _ = published_memorial(loaded)
    url = f"{ES}?memorial={slug}"
    form = re.sub(r"<[^>]+>", "", text_of(client.get(url)))
    assert "Sus cartas se escribirán en memoria de Daniel James Rivera." in form
    assert "¿Quién era Daniel James Rivera para usted?" in form

    html = page(write(client, "05401", url=url, letter_language="es"))
    letter = " ".join(htmllib.unescape(article(html, "S000033")).split())
    assert ("Le escribo en memoria de Daniel James Rivera, que murió a los 25 años en Dayton, Ohio, en 2023. "
            f"Su familia cuenta su historia en http://localhost/es/stories/{slug}.") in letter
    assert letter.index("Le escribo en memoria") < letter.index("My brother Sam died in 2023.")
    assert memorial_count(loaded, story_id) == 3

    # The family, in Spanish: the word they give decides the words of the letter.
    html = page(write(client, "05401", url=url, letter_language="es", relation="hija"))
    assert ("Daniel James Rivera, mi hija, murió a los 25 años en Dayton, Ohio, en 2023. Puede leer su historia en "
            f"http://localhost/es/stories/{slug}.") in htmllib.unescape(html)
    assert "Llamo porque Daniel James Rivera, mi hija, murió en 2023." in htmllib.unescape(html)
    html = htmllib.unescape(page(write(client, "05401", url=url, letter_language="es", relation="my son")))
    assert "Daniel James Rivera, mi hijo, murió a los 25 años" in html
    html = htmllib.unescape(page(write(client, "05401", url=url, letter_language="es", relation="su hijo")))
    assert "Daniel James Rivera, mi hijo, murió a los 25 años" in html
    # A word that says no gender is never turned into one: the letter says it without one.
    html = htmllib.unescape(page(write(client, "05401", url=url, letter_language="es", relation="child")))
    assert ("Le escribo porque perdí a Daniel James Rivera, una persona a quien quiero mucho, que murió a los 25 "
            "años en Dayton, Ohio, en 2023.") in html
    assert "Llamo porque en 2023 perdí a Daniel James Rivera, una persona a quien quiero mucho." in html
    # In an English letter, a Spanish word we know is said in English, and the link is the English page.
    html = htmllib.unescape(page(write(client, "05401", url=url, relation="hija")))
    assert ("Daniel James Rivera, my daughter, died at 25 in Dayton, Ohio, in 2023. You can read more at "
            f"http://localhost/stories/{slug}.") in html
    assert memorial_count(loaded, story_id) == 18


def test_a_suggested_relation_that_would_need_a_gender_in_spanish_is_left_to_the_family(client, loaded):
    slug, _, _ = published_memorial(loaded)
    assert 'name="relation" type="text" value="child"' in page(
        client.get(f"/letters/test-cause?memorial={slug}&relation=child"))
    spanish = page(client.get(f"{ES}?memorial={slug}&relation=child"))
    assert re.search(r'id="relation" maxlength="60" name="relation" type="text" value=""', spanish)
    assert "Por ejemplo: mi hijo, mi hermana, una gran amiga." in htmllib.unescape(spanish)


def test_a_copy_by_email_from_a_spanish_page_is_in_spanish_around_the_letters_and_not_kept(client, loaded):
    import email
    from email.header import decode_header, make_header

    from .conftest import deliver
    from .smtp import smtp_server

    with smtp_server() as (inbox, port):
        loaded.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
        text = text_of(write(client, "05401", url=ES, letter_language="es", email="maria@example.org"))
        assert "Una copia va en camino a su correo electrónico. No la hemos guardado." in text
        deliver(loaded)
    [envelope] = inbox.messages
    message = email.message_from_bytes(envelope.content)
    assert str(make_header(decode_header(message["Subject"]))) == "Sus cartas al Congreso: A test cause"
    body = message.get_payload(decode=True).decode()
    assert "Estas son las cartas que escribió en" in body and "Para Bernard Sanders" in body
    assert "Respetable Peter Welch:" in body and "My brother Sam died in 2023." in body
    stored = all_stored_text(loaded)
    assert "maria@example.org" not in stored and "My brother Sam" not in stored
    assert not (Path(loaded.instance_path) / "outbox").exists()


def test_the_spanish_letter_says_the_same_figure_as_the_spanish_state_page(client, app):
    from .test_stats import load_everything, page_text, words

    load_everything(app)
    with app.app_context():
        importer.import_legislators([YAML, OFFICES])
        importer.import_zip_districts([ZIPS])
        campaign = Campaign(slug="test-cause", title="A test cause", summary="s", letter_template=TEMPLATE,
                            status="live")
        services.set_ask(campaign, "Please act.")
        _db.session.add(campaign)
        _db.session.commit()
    state_page = words(page_text(client, "/es/stats/VT"))
    assert "180" in state_page and "abril de 2025" in state_page
    letters = " ".join(htmllib.unescape(page(write(client, "05401", url=ES, letter_language="es"))).split())
    assert letters.count("Según las cifras provisionales de los CDC, 180 personas murieron por sobredosis de drogas "
                         "en Vermont en los 12 meses que terminan en abril de 2025. En 139 de esas muertes hubo "
                         "opioides sintéticos distintos de la metadona") >= 3
