"""Letters to the statehouse: the Open States and state-district importers, the lookup and its API, state
campaigns (titles, districts, vacancies, the governor), campaigns in two languages, won and closed campaigns,
and the letter page's finishing touches (ragged-right PDF, the memorial paragraph, who they were to you)."""
from __future__ import annotations

import gzip
import html as htmllib
import json
import random
import re
import zlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from memorials.extensions import db as _db
from memorials.letters import build_snapshot, compose, districts, importer, services, snapshot, state_importer
from memorials.letters import statehouse, views
from memorials.letters.models import Campaign, LetterCount, StateOfficial, ZipStateDistrict

from .forms import csrf_token, submit
from .test_letters import (FIXTURES, OFFICES, TERRITORIES, YAML, ZIPS, Figures, all_stored_text, again, hidden,
                           page, pdf_text, published_memorial, sign_in)

OPENSTATES = str(FIXTURES / "openstates")
STATE_ZIPS = str(FIXTURES / "state_districts.json")
MORE_ZIPS = str(FIXTURES / "zccd-statehouse.csv")
TODAY = date(2026, 12, 6)  # the fixtures are judged on this day, whatever day the tests run

SENDER = {"sender_name": "Maria Lopez", "sender_address": "12 Elm Street", "sender_city": "Columbus",
          "personal_note": "My brother Sam died in 2023."}
ENGLISH = """I write from {{ sender_city }}, {{ state }}, to you, my {{ member_title }}.

{{ state_figures }}

{{ memorial }}

{{ personal_note }}

Please put **naloxone** in every school."""
SPANISH = """Le escribo desde {{ sender_city }}, {{ state }}.

{{ state_figures }}

{{ memorial }}

{{ personal_note }}

Le pido que ponga **naloxona** en cada escuela."""


@pytest.fixture
def statehouse_today(monkeypatch):
    monkeypatch.setattr(statehouse, "today", lambda: TODAY)


def schools_campaign() -> Campaign:
    """A state campaign for every state, to the state senator, representative and governor, in both languages."""
    schools = Campaign(slug="schools", title="Naloxone in schools", summary="Every school.", status="live",
                       letter_template=ENGLISH, level="state", recipients="upper,lower,governor",
                       call_ask="put naloxone in every school")
    services.set_ask(schools, "Please put **naloxone** in every school.")
    services.set_spanish(schools, title="Naloxona en las escuelas", summary="Cada escuela.",
                         ask="Le pedimos **naloxona** en cada escuela.", call_ask="ponga naloxona en cada escuela",
                         letter=SPANISH)
    return schools


def load_statehouse_fixtures(congress_zips: tuple[str, ...] = ()) -> None:
    """The Open States and ZIP-to-state-district fixtures, and the congressional district table: the rows for
    their ZIPs and any other such files given (an app context is open; the caller commits what else it adds)."""
    importer.import_zip_districts([*congress_zips, MORE_ZIPS])
    state_importer.import_state_officials(OPENSTATES, today=TODAY)
    state_importer.import_state_districts(state_importer.parse_state_districts(
        Path(STATE_ZIPS).read_bytes(), STATE_ZIPS), STATE_ZIPS)


@pytest.fixture
def loaded(app, statehouse_today):
    """The Congress fixtures, the Open States fixtures, the state districts, and three campaigns: a state one in
    two languages for every state, one for Ohio only with a bill, and a Congress one in English only."""
    with app.app_context():
        importer.import_legislators([YAML, TERRITORIES, OFFICES])
        load_statehouse_fixtures((ZIPS, str(snapshot.ISLANDS)))
        schools = schools_campaign()
        ohio = Campaign(slug="ohio-bill", title="Pass the Ohio bill", summary="Ohio only.", status="live",
                        letter_template=ENGLISH, level="state", state="OH", recipients="upper",
                        bill_number="HB 1", bill_url="https://www.legislature.ohio.gov/legislation/136/hb1")
        services.set_ask(ohio, "Pass it.")
        congress = Campaign(slug="congress-cause", title="A Congress cause", summary="s", status="live",
                            letter_template="Dear friend in {{ state }}.\n\n{{ personal_note }}")
        services.set_ask(congress, "Act.")
        _db.session.add_all([schools, ohio, congress])
        _db.session.commit()
    return app


def url_of(slug: str, lang: str) -> str:
    return f"{'/es' if lang == 'es' else ''}/letters/{slug}"


def write(client, zip_code, slug="schools", lang="en", **fields):
    """Fill in and send the letter form as a person does (CSRF and one-time tokens from the page)."""
    url = url_of(slug, lang)
    form = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "once": hidden(form, "once"), "memorial": hidden(form, "memorial"),
            "zip": zip_code, **SENDER, **fields}
    return client.post(url, data=data)


def text_of(response) -> str:
    """The page as a person reads it: tags out, entities undone, runs of white space as one space."""
    return text_of_html(page(response))


def text_of_html(html: str) -> str:
    text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([.,:;)])", r"\1", text)


def counts(app) -> dict:
    with app.app_context():
        return {(c.campaign.slug, c.state): (c.letters, c.calls)
                for c in _db.session.execute(select(LetterCount)).scalars()}


def article(html: str, key: str) -> str:
    """One recipient's letter as the page shows it, as text."""
    start = html.index(f'id="letter-{key}"')
    return text_of_html(html[html.index('<article class="letter"', start):html.index("</article>", start)])


CRAIG, RUSSO, DEWINE = "ed858ef9-97dc-4be8-97ab-006ea96923ae", "c58b6767-730d-4486-a08e-462ea3af3bfe", \
    "37478cd9-ed21-43f7-b2cc-578df43ad32d"


# -- importers -------------------------------------------------------------------------------------------

@pytest.mark.both_databases
def test_import_legislators_reads_open_states_and_still_congress_by_what_the_path_holds(runner, app, statehouse_today):
    result = runner.invoke(args=["import-legislators", OPENSTATES])
    assert result.exit_code == 0, result.output
    # 35 real files: DC's council member and mayor, a member of Congress, Ohio's lieutenant governor are left out;
    # the governors of Vermont and California, and the made-up Pat Example, had roles that ended.
    assert "Imported 26 state legislators and 4 governors" in result.output and "current on 2026-12-06" in result.output
    assert "Left out a phone number: Mark Gordon (WY): 787-721-2400, an area code of another state." in result.output
    result = runner.invoke(args=["import-legislators", YAML, OFFICES])  # the same command, Congress files
    assert result.exit_code == 0 and "Imported 12 members of Congress and 4 district offices" in result.output
    with app.app_context():
        officials = {o.name: o for o in _db.session.execute(select(StateOfficial)).scalars()}
        assert "Pat Example" not in officials and "Phil Scott" not in officials and "Gavin Newsom" not in officials
        assert "Brooke Pinto" not in officials and "Jim Tressel" not in officials and "Bernie Sanders" not in officials
        russo = officials["Allison Russo"]
        assert (russo.state, russo.chamber, russo.district, russo.seat, russo.family_name, russo.party) == \
            ("OH", "lower", "7", "7", "Russo", "Democratic")
        assert (russo.email, russo.phone, russo.address) == \
            ("rep07@ohiohouse.gov", "614-466-8012", "77 S. High St. 10th Floor, Columbus, OH 43215")
        scott = officials["Heather Scott"]
        assert (scott.district, scott.seat) == ("2A", "2")  # Idaho's seat A of district 2
        assert officials["Jason Prokop"].chamber == "legislature"
        sample = officials["Sam Sample"]
        assert (sample.end_date, sample.phone, sample.district_phone) == (date(2030, 12, 31), None, "614-555-0125")
        assert sample.contact_form == "https://example.org/sam-sample/contact"
        assert officials["Mark Gordon"].phone is None and officials["Mike DeWine"].chamber == "governor"
        assert _db.session.execute(select(func.count()).select_from(StateOfficial)).scalar_one() == 30


@pytest.mark.both_databases
def test_a_malformed_open_states_folder_is_refused_whole_and_changes_nothing(runner, loaded):
    result = runner.invoke(args=["import-legislators", str(FIXTURES / "openstates-malformed")])
    assert result.exit_code != 0 and "Nothing was imported" in result.output
    assert "is not a valid Open States people file" in result.output
    assert "district is missing" in result.output and "'person-2' is not an ocd-person id" in result.output
    with loaded.app_context():
        assert _db.session.execute(select(func.count()).select_from(StateOfficial)).scalar_one() == 30


@pytest.mark.both_databases
def test_import_zip_districts_reads_districts_json_and_still_the_congressional_csv(runner, loaded):
    result = runner.invoke(args=["import-zip-districts", STATE_ZIPS])
    assert result.exit_code == 0 and "Imported 58 ZIP-to-state-district rows" in result.output
    result = runner.invoke(args=["import-zip-districts", ZIPS])
    assert result.exit_code == 0 and "Imported 8 ZIP-to-district rows" in result.output
    result = runner.invoke(args=["import-zip-districts", str(FIXTURES / "state_districts-malformed.json")])
    assert result.exit_code != 0 and "Nothing was imported" in result.output
    assert "ZIP '4321' should be five digits" in result.output and "'DC' is not one of the 50 states" in result.output
    with loaded.app_context():
        names = dict(_db.session.execute(select(ZipStateDistrict.seat, ZipStateDistrict.name)
                                         .where(ZipStateDistrict.state.in_(["NH", "VT", "MD"]))).all())
        assert names == {"hillsborough23": "Hillsborough 23", "20": "20", "chittendencentral": "Chittenden Central",
                         "chittenden13": "Chittenden-13", "chittenden17": "Chittenden-17", "30": "30", "30a": "30A"}
        assert _db.session.execute(select(func.count()).select_from(ZipStateDistrict)).scalar_one() == 58


def test_census_names_and_the_legislatures_own_names_make_the_same_key():
    pairs = [("MA", "1st Barnstable District", "1st Barnstable"),
             ("MA", "Berkshire-Hampden-Franklin-Hampshire District", "Berkshire, Hampden, Franklin and Hampshire"),
             ("NH", "State House District Belknap 01", "Belknap 1"),
             ("VT", "Addison-1 State House District", "Addison-1"),
             ("VT", "Chittenden South East Senatorial District", "Chittenden Southeast"),
             ("WA", "Legislative (Senate) District 7", "7"), ("DE", "State Representative District 12", "12"),
             ("MN", "State House District 21A", "21A"), ("ID", "State House District 10", "10B"),
             ("MD", "State Legislative Subdistrict 30A", "30A")]
    for state, census, own in pairs:
        assert districts.seat_key(state, census) == districts.seat_key(state, own), (state, census, own)
    assert districts.seat_key("MN", "21A") != districts.seat_key("MN", "21B")
    assert districts.tidy_name("State House District Belknap 01") == "Belknap 1"
    assert statehouse.district_label("12") == "District 12"
    assert statehouse.district_label("1st Barnstable") == "1st Barnstable"


@pytest.mark.both_databases
def test_the_bundled_people_file_imports_what_the_folder_does(db, tmp_path, statehouse_today):
    state_importer.import_state_officials(OPENSTATES)
    before = sorted(tuple(getattr(o, c) for c in ("person", "state", "chamber", "district", "seat", "name", "party",
                                                  "email", "phone", "address", "district_phone", "contact_form",
                                                  "end_date"))
                    for o in db.session.execute(select(StateOfficial)).scalars())
    people = [build_snapshot._state_person(o) for o in db.session.execute(select(StateOfficial)).scalars()]
    bundle = tmp_path / "people.json.gz"
    bundle.write_bytes(gzip.compress(json.dumps({"people": people}).encode()))
    state_importer.import_state_officials(str(bundle))
    after = sorted(tuple(getattr(o, c) for c in ("person", "state", "chamber", "district", "seat", "name", "party",
                                                 "email", "phone", "address", "district_phone", "contact_form",
                                                 "end_date"))
                   for o in db.session.execute(select(StateOfficial)).scalars())
    assert after == before and len(after) == 30


# -- who represents me in the statehouse -------------------------------------------------------------------

@pytest.mark.both_databases
def test_api_a_split_zip_lists_its_state_districts_members_and_governor(client, loaded):
    answer = client.get("/api/representatives?zip=43215").get_json()
    # The Congress answer is kept as it was (the fixtures have no members of Congress for Ohio: vacant seats).
    assert [(r["chamber"], r["district"], r["vacant"]) for r in answer["representatives"]] == [
        ("house", 3, True), ("house", 15, True), ("senate", None, True), ("senate", None, True)]
    assert answer["zip"] == "43215" and answer["state"] == "OH" and answer["districts"] == [3, 15]
    legislators = {(m["chamber"], m["district"]): m for m in answer["state_legislators"]}
    assert list(legislators) == [("upper", "3"), ("upper", "15"), ("upper", "25"), ("lower", "1"), ("lower", "7"),
                                 ("lower", "10")]
    russo = legislators[("lower", "7")]
    assert russo == {"name": "Allison Russo", "title": "Representative", "chamber": "lower", "state": "OH",
                     "district": "7", "vacant": False, "party": "Democratic", "phone": "614-466-8012",
                     "address": "77 S. High St. 10th Floor, Columbus, OH 43215", "email": "rep07@ohiohouse.gov",
                     "district_office": None, "url": "https://ohiohouse.gov/c-allison-russo"}
    assert legislators[("lower", "10")]["vacant"] and legislators[("lower", "10")]["name"] is None  # term ended
    assert legislators[("upper", "25")]["name"] == "Sam Sample"
    assert answer["governor"]["name"] == "Mike DeWine" and answer["governor"]["phone"] is None
    assert answer["governor"]["address"] == "Riffe Center, 30th Floor, 77 South High Street, Columbus, OH 43215-6117"
    split = {(d["chamber"], d["district"]): [m["name"] for m in d["members"]] for d in answer["state_districts"]}
    assert split[("upper", "15")] == ["Hearcel Craig"] and split[("lower", "10")] == []
    assert len(split) == 6


@pytest.mark.both_databases
def test_api_several_members_one_chamber_and_no_current_governor(client, loaded):
    vermont = client.get("/api/representatives?zip=05401").get_json()
    assert [r["name"] for r in vermont["representatives"]] == ["Becca Balint", "Bernard Sanders", "Peter Welch"]
    senators = [m["name"] for m in vermont["state_legislators"] if m["chamber"] == "upper"]
    assert senators == ["Phil Baruth", "Martine Gulick", "Tanya Vyhovsky"]  # Chittenden Central elects three
    assert vermont["governor"] is None  # the record we have ended on 2025-01-09
    assert {d["district"] for d in vermont["state_districts"]} == {"Chittenden Central", "Chittenden-13",
                                                                    "Chittenden-17"}
    nebraska = client.get("/api/representatives?zip=68508").get_json()
    assert {m["chamber"] for m in nebraska["state_legislators"]} == {"legislature"}
    assert {m["title"] for m in nebraska["state_legislators"]} == {"Senator"}
    idaho = client.get("/api/representatives?zip=83814").get_json()
    assert [(m["chamber"], m["district"], m["name"]) for m in idaho["state_legislators"]] == [
        ("upper", "2", "Phil Hart"), ("lower", "2B", "Dale Hawkins"), ("lower", "2A", "Heather Scott")]
    assert "state_districts" not in idaho  # one district in each chamber: nothing to choose
    assert "floterial" in client.get("/api/representatives?zip=03101").get_json()["state_note"]


@pytest.mark.both_databases
def test_api_dc_and_the_territories_say_there_is_no_state_legislature_and_keep_congress(client, loaded):
    for zip_code, place in (("20002", "The District of Columbia"), ("00901", "Puerto Rico"), ("96910", "Guam")):
        answer = client.get(f"/api/representatives?zip={zip_code}").get_json()
        assert answer["state_legislators"] == [] and answer["governor"] is None
        assert answer["state_note"].startswith(f"{place} has no state legislature in our data")
        assert answer["representatives"]


@pytest.mark.both_databases
def test_a_role_that_ends_is_never_offered_after_its_last_day(db, loaded):
    with loaded.app_context():
        found = statehouse.find("43215")
        assert [o.name for o in found.in_chamber("upper")[2].members] == ["Sam Sample"]
        later = statehouse.find("43215", on=date(2031, 1, 1))
        assert later.in_chamber("upper")[2].vacant and later.governors["OH"] is None


@pytest.mark.both_databases
def test_the_api_stays_a_few_statements(client, loaded):
    from .test_letters import statements_for

    seen = statements_for(loaded, lambda: client.get("/api/representatives?zip=05401"))
    # Congress: districts with members, their offices; statehouse: districts with their members and governor.
    assert len([s for s in seen if s.startswith("SELECT") and "page_generation" not in s]) == 3


# -- writing to the statehouse ------------------------------------------------------------------------------

@pytest.mark.both_databases
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_split_zip_asks_for_each_chamber_naming_members_then_writes_to_each_and_the_governor(client, loaded, lang):
    asked = write(client, "43215", lang=lang)
    text = text_of(asked)
    if lang == "en":
        assert "Ohio Senate: ZIP code 43215 is split between 3 districts. Which one do you live in?" in text
        assert "District 15: Senator Hearcel Craig" in text and "District 25: Senator Sam Sample" in text
        assert "Ohio House of Representatives: ZIP code 43215 is split between 3 districts." in text
        assert "District 10: the seat is vacant" in text and "District 7: Representative Allison Russo" in text
    else:
        assert ("Senado de Ohio: el código postal 43215 está repartido entre 3 distritos. "
                "¿En cuál vive usted?") in text
        assert "Distrito 15: Hearcel Craig" in text and "Distrito 10: el puesto está vacante" in text
    html = page(asked)
    assert 'value="Maria Lopez"' in html and "My brother Sam died in 2023.</textarea>" in html  # kept
    assert "Dear " not in text and "Error:" not in html
    assert 'name="upper_district" type="radio" value="15"' in html

    letters = write(client, "43215", lang=lang, upper_district="15", lower_district="7")
    html = page(letters)
    assert [m for m in re.findall(r'id="letter-([0-9a-f-]{36})"', html)] == [CRAIG, RUSSO, DEWINE]
    craig, russo, dewine = (article(html, key) for key in (CRAIG, RUSSO, DEWINE))
    assert "Dear Senator Craig:" in craig and "The Honorable Hearcel Craig Ohio Senate Room 228" in craig
    assert "Columbus, OH 43215" in craig and "to you, my Senator." in craig
    assert "Dear Representative Russo:" in russo and "Ohio House of Representatives" in russo
    assert "Dear Governor DeWine:" in dewine
    assert "Governor of Ohio Riffe Center 30th Floor 77 South High Street" in dewine
    assert "Maria Lopez 12 Elm Street Columbus, OH 43215" in dewine
    text = text_of(letters)
    if lang == "en":
        assert "Your 3 letters are ready" in text and "Letter 2 of 3" in text
        assert "Or email it to sd15@ohiosenate.gov." in text and 'href="mailto:sd15@ohiosenate.gov"' in html
        assert "Copy the letter, then paste it into Governor DeWine's contact form." in text
        assert "I'm calling to ask Governor DeWine to put naloxone in every school." in text
        assert "Capitol office: 614-466-5131" in text and 'href="tel:+16144665131"' in html
    else:
        assert "Sus 3 cartas están listas" in text and "Carta 2 de 3" in text
        assert "Llamo para pedirle a Mike DeWine que" not in text  # the letter, and its script, are in English
    assert counts(loaded) == {("schools", "OH"): (3, 0)}


@pytest.mark.both_databases
def test_a_spanish_letter_uses_the_campaigns_spanish_and_never_quotes_an_english_ask(client, loaded):
    html = page(write(client, "43215", lang="es", letter_language="es", upper_district="15", lower_district="7"))
    craig = article(html, CRAIG)
    assert "Respetable Hearcel Craig:" in craig and "Honorable Hearcel Craig Senado de Ohio" in craig
    assert "Le escribo desde Columbus, Ohio." in craig and "Le pido que ponga naloxona en cada escuela." in craig
    assert "english" not in craig.lower() and "inglés" not in craig and "Please" not in craig
    assert "Atentamente," in craig
    dewine = article(html, DEWINE)
    assert "Respetable Mike DeWine:" in dewine and "Gobernación de Ohio" in dewine
    text = text_of_html(html)
    assert "Llamo para pedirle a Mike DeWine que ponga naloxona en cada escuela." in text
    assert 'lang="es">Naloxona en las escuelas</a>' in html
    # The page in Spanish shows the Spanish campaign, marked as Spanish, and no note about English words.
    form = page(client.get("/es/letters/schools"))
    assert '<h1 lang="es">Naloxona en las escuelas</h1>' in form and "Le pedimos <strong>naloxona</strong>" in form
    assert "Esta causa se escribió en inglés." not in form


@pytest.mark.both_databases
def test_a_split_zip_sent_back_without_an_answer_is_an_error_beside_each_question(client, loaded):
    asked = page(write(client, "43215"))
    data = {name: htmllib.unescape(value) for name, value in
            re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', asked)
            if name not in ("upper_district", "lower_district")}
    data.update(personal_note=SENDER["personal_note"], csrf_token=csrf_token(asked))
    html = page(client.post("/letters/schools", data=data))
    assert "<title>Error:" in html
    assert '<p class="error" id="upper_district-error">Please choose the district you live in.</p>' in html
    assert '<p class="error" id="lower_district-error">Please choose the district you live in.</p>' in html
    assert re.search(r'id="form-errors".*href="#upper_district-0"', html, flags=re.S)
    assert 'value="Maria Lopez"' in html and counts(loaded) == {}
    html = page(write(client, "43215", upper_district="99", lower_district="7"))
    assert "Please choose one of these districts." in html


@pytest.mark.both_databases
@pytest.mark.parametrize("zip_code, expected", [
    ("21401", ["Dear Senator Henson:", "Dear Delegate Behler:", "Dear Delegate Jones:", "Maryland House of Delegates",
               "Dear Governor Moore:"]),
    ("94541", ["Dear Senator Wahab:", "Dear Assemblymember Ortega:", "California State Assembly",
               "Our records have no current governor of California"]),
    ("68508", ["Dear Senator Raybould:", "Nebraska Legislature", "Nebraska has one chamber, the Legislature",
               "Dear Governor Pillen:"]),
    ("03101", ["Dear Senator Long:", "Dear Representative Georges:", "Dear Representative Jeudy:",
               "New Hampshire House of Representatives", "floterial"]),
    ("83814", ["Dear Senator Hart:", "Dear Representative Hawkins:", "Dear Representative Scott:", "Idaho Senate"]),
])
def test_each_state_addresses_its_lawmakers_by_its_own_titles(client, loaded, zip_code, expected):
    text = text_of(write(client, zip_code, upper_district="28"))
    for words in expected:
        assert words in text, words


@pytest.mark.both_databases
def test_a_vacant_seat_and_a_missing_governor_are_said_and_get_no_letter(client, loaded):
    text = text_of(write(client, "43215", upper_district="25", lower_district="10"))
    assert "The seat for District 10 in the Ohio House of Representatives is vacant in our records" in text
    assert "Dear Senator Sample:" in text and "Dear Governor DeWine:" in text and "Your 2 letters are ready" in text
    assert counts(loaded) == {("schools", "OH"): (2, 0)}
    vermont = text_of(write(client, "05401", lower_district="chittenden17"))
    assert "Our records have no current governor of Vermont, so there is no letter to the governor." in vermont
    assert all(f"Dear Senator {name}:" in vermont for name in ("Baruth", "Gulick", "Vyhovsky"))
    assert "Dear Representative Duke:" in vermont and "Kleppner" not in vermont


@pytest.mark.both_databases
def test_a_campaign_for_one_state_refuses_another_states_zip_and_names_its_bill(client, loaded):
    form = text_of(client.get("/letters/ohio-bill"))
    assert "Letters to your state senator, in Ohio" in form
    assert "The bill: HB 1" in form
    assert 'href="https://www.legislature.ohio.gov/legislation/136/hb1"' in page(client.get("/letters/ohio-bill"))
    text = text_of(write(client, "05401", slug="ohio-bill"))
    assert ("This campaign writes to lawmakers in Ohio, and ZIP code 05401 is in Vermont. Please check your ZIP code, "
            "or choose a campaign for your state.") in text
    assert 'value="Maria Lopez"' in page(write(client, "05401", slug="ohio-bill"))
    text = text_of(write(client, "43215", slug="ohio-bill", upper_district="3"))
    assert "Your letter is ready" in text and "Dear Senator Reynolds:" in text and "Dear Governor" not in text
    assert counts(loaded) == {("ohio-bill", "OH"): (1, 0)}


@pytest.mark.both_databases
@pytest.mark.parametrize("lang", ["en", "es"])
def test_dc_or_a_territory_gets_a_plain_note_for_a_state_campaign(client, loaded, lang):
    text = text_of(write(client, "20002", lang=lang))
    if lang == "en":
        assert "The District of Columbia has no state legislature in our data" in text
        assert "Please choose one of the campaigns to Congress instead." in text
    else:
        assert "no tiene una legislatura estatal en nuestros datos" in text
    assert 'value="Maria Lopez"' in page(write(client, "20002", lang=lang)) and counts(loaded) == {}


@pytest.mark.both_databases
def test_a_governor_only_campaign_asks_no_district(client, loaded):
    with loaded.app_context():
        campaign = _db.session.execute(select(Campaign).filter_by(slug="schools")).scalar_one()
        campaign.recipients = "governor"
        _db.session.commit()
    text = text_of(write(client, "43215"))
    assert "Your letter is ready" in text and "Dear Governor DeWine:" in text and "Senator" not in text


@pytest.mark.both_databases
def test_state_letters_download_call_and_keep_nothing_about_the_sender(client, loaded, monkeypatch):
    from memorials.letters import pdf

    before = all_stored_text(loaded)
    letters = page(write(client, "43215", upper_district="15", lower_district="7"))
    body = again(client, letters, f"txt:{RUSSO}").get_data(as_text=True)
    assert "Dear Representative Russo:" in body and "Craig" not in body
    assert body.rstrip().endswith("Maria Lopez\n12 Elm Street\nColumbus, OH 43215")
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])
    response = again(client, letters, "pdf")
    assert response.mimetype == "application/pdf" and b"/Title (Letters to state leaders)" in response.data
    words = pdf_text(response.data)
    assert "Dear Senator Craig:" in words and "Dear Governor DeWine:" in words
    called = text_of(again(client, letters, f"called:{DEWINE}"))
    assert "Thank you for calling Governor DeWine. Your call is counted." in called
    assert "Your call to Governor DeWine is already counted." in text_of(again(client, letters, f"called:{DEWINE}"))
    assert counts(loaded) == {("schools", "OH"): (3, 1)}
    assert again(client, letters, "called:00000000-0000-4000-8000-000000000099").status_code == 400
    after = all_stored_text(loaded)
    for private in ("Maria Lopez", "12 Elm Street", "My brother Sam"):
        assert private not in after
    assert len(after.split("\n")) - len(before.split("\n")) == 3  # the count's state, two token hashes


@pytest.mark.both_databases
def test_the_states_own_figures_and_a_memorial_reach_a_state_letter(client, loaded, monkeypatch):
    monkeypatch.setattr(views, "state_figures", lambda code: Figures(date(2025, 9, 30), "September 2025", 4321, 3210)
                        if code == "OH" else None)
    slug, story_id, _ = published_memorial(loaded)
    html = page(write(client, "43215", slug=f"schools?memorial={slug}", upper_district="15", lower_district="7",
                      relation="My son"))
    craig = article(html, CRAIG)
    assert "4,321 people in Ohio died of a drug overdose in the 12 months ending September 2025." in craig
    assert (f"Daniel James Rivera, my son, died at 25 in Dayton, Ohio, in 2023. You can read more at "
            f"http://localhost/stories/{slug}.") in craig
    assert craig.count("Daniel James Rivera") == 1 and craig.count(" 25 ") == 1
    with loaded.app_context():
        assert services.memorial_letters(story_id) == 3


# -- the memorial paragraph: who they were to you, in either language -------------------------------------------

REMEMBERED = compose.Remembered(name="Danny R.", died_year=2023, url="https://example.org/stories/d", age=25,
                                place="Dayton, Ohio")


@pytest.mark.parametrize("typed, english, spanish", [
    ("son", "Danny R., my son, died", "Danny R., mi hijo, murió"),
    ("My son", "Danny R., my son, died", "Danny R., mi hijo, murió"),
    ("he was my son.", "Danny R., my son, died", "Danny R., mi hijo, murió"),
    ("su hijo", "Danny R., my son, died", "Danny R., mi hijo, murió"),
    ("mi hija", "Danny R., my daughter, died", "Danny R., mi hija, murió"),
    ("a friend from work", "Danny R., a friend from work, died", "Danny R., a friend from work, murió"),
    ("un amigo del trabajo", "Danny R., un amigo del trabajo, died", "Danny R., un amigo del trabajo, murió"),
    ("Best friend", "Danny R., my best friend, died", "perdí a Danny R., una persona a quien quiero mucho"),
    ("hermano mayor", "Danny R., my hermano mayor, died", "Danny R., mi hermano mayor, murió"),
])
def test_who_they_were_to_you_reads_right_in_both_languages_whatever_is_typed(app, typed, english, spanish):
    from memorials.i18n import in_language

    with app.test_request_context():
        with in_language("en"):
            said = compose.memorial_paragraph(REMEMBERED, typed)
        assert english in said and said.count("Danny R.") == 1 and said.count("25") == 1
        with in_language("es"):
            dicho = compose.memorial_paragraph(REMEMBERED, typed)
        assert spanish in dicho and dicho.count("Danny R.") == 1
    assert said.endswith("You can read more at https://example.org/stories/d.")


# -- campaigns in two languages, and campaigns that can be won ----------------------------------------------

CAMPAIGN = {"title": "Test strips for all", "slug": "test-strips", "summary": "Legal everywhere.",
            "ask": "Make them **legal**.", "letter_template": "I live in {{ state }}.\n\n{{ personal_note }}",
            "status": "live", "level": "state", "state": "", "recipients": ["upper", "lower"],
            "call_ask": "make test strips legal"}


@pytest.mark.both_databases
def test_admins_write_a_state_campaign_in_both_languages_and_see_what_is_missing(client, loaded):
    sign_in(client, loaded)
    response = submit(client, "/moderate/campaigns/new", CAMPAIGN)
    assert response.status_code == 302
    with loaded.app_context():
        campaign = _db.session.execute(select(Campaign).filter_by(slug="test-strips")).scalar_one()
        assert (campaign.level, campaign.state, campaign.recipient_list) == ("state", None, ["upper", "lower"])
        campaign_id = campaign.id
    form = text_of(client.get(f"/moderate/campaigns/{campaign_id}"))
    assert ("Spanish is missing: Title in Spanish, Short summary in Spanish, The ask in Spanish, Letter in Spanish, "
            "The ask for a phone call, in Spanish.") in form
    listing = text_of(client.get("/moderate/campaigns/"))
    assert "Missing: title, summary, ask, letter, phone ask" in listing
    assert "Letters to your state senator and your state representative, in every state" in listing
    spanish = {**CAMPAIGN, "title_es": "Tiras reactivas para todos", "summary_es": "Legales en todas partes.",
               "ask_es": "Hágalas **legales**.", "call_ask_es": "haga legales las tiras reactivas",
               "letter_template_es": "Vivo en {{ state }}.\n\n{{ personal_note }}"}
    text = text_of(submit(client, f"/moderate/campaigns/{campaign_id}", spanish, follow_redirects=True))
    assert "Campaign saved." in text and "Written in English and Spanish." in text
    assert "The Spanish letter, as saved" in text and "Respetable Jane Q. Sample:" in text
    spanish_list = page(client.get("/es/letters/"))
    assert ('<h2 lang="es" id="campaign-test-strips"><a href="/es/letters/test-strips">Tiras reactivas para todos'
            '</a></h2>') in spanish_list
    assert '<h2 lang="en" id="campaign-congress-cause">' in spanish_list  # not written in Spanish yet: marked English


@pytest.mark.both_databases
def test_bad_state_campaign_input_is_explained_and_kept(client, loaded):
    sign_in(client, loaded)
    text = text_of(submit(client, "/moderate/campaigns/new", {**CAMPAIGN, "recipients": []}))
    assert "Please choose who the letters go to" in text and "Legal everywhere." in text
    text = text_of(submit(client, "/moderate/campaigns/new", {**CAMPAIGN, "status": "won", "update": ""}))
    assert "Please say what happened, for the people who wrote" in text
    text = text_of(submit(client, "/moderate/campaigns/new", {**CAMPAIGN, "state": "ZZ"}))
    assert "Please choose one of the states, or every state." in text
    text = text_of(submit(client, "/moderate/campaigns/new", {**CAMPAIGN, "bill_url": "javascript:alert(1)"}))
    assert "Please give the bill's full address, starting with https://." in text
    text = text_of(submit(client, "/moderate/campaigns/new", {**CAMPAIGN, "letter_template_es": "{{ nombre }}"}))
    assert "We don't know {{ nombre }}" in text
    with loaded.app_context():
        assert _db.session.execute(select(Campaign).filter_by(slug="test-strips")).scalar_one_or_none() is None


@pytest.mark.both_databases
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_won_campaign_shows_what_happened_and_its_totals_and_takes_no_more_letters(client, loaded, lang):
    write(client, "43215", upper_district="15", lower_district="7")
    sign_in(client, loaded)
    with loaded.app_context():
        campaign_id = _db.session.execute(select(Campaign.id).filter_by(slug="schools")).scalar_one()
    data = {"title": "Naloxone in schools", "slug": "schools", "summary": "Every school.",
            "ask": "Please put **naloxone** in every school.", "letter_template": ENGLISH, "level": "state",
            "recipients": ["upper", "lower", "governor"], "status": "won",
            "update": "The **School Naloxone Act** was signed on May 1.", "update_es": "La ley se firmó el 1 de mayo.",
            "title_es": "Naloxona en las escuelas", "summary_es": "Cada escuela.", "ask_es": "Le pedimos naloxona.",
            "letter_template_es": SPANISH, "call_ask": "", "call_ask_es": ""}
    assert submit(client, f"/moderate/campaigns/{campaign_id}", data).status_code == 302
    visitor = loaded.test_client()
    response = visitor.get(url_of("schools", lang))
    html, text = page(response), text_of(response)
    if lang == "en":
        assert "We won" in text and "The School Naloxone Act was signed on May 1." in text
        assert "3 letters written, from 1 state." in text and "no longer takes letters" in text
    else:
        assert "Lo logramos" in text and "La ley se firmó el 1 de mayo." in text
        assert "3 cartas escritas, desde 1 estado." in text
    assert 'name="zip"' not in html and "Write my letters" not in text
    index = text_of(visitor.get(f"{'/es' if lang == 'es' else ''}/letters/"))
    assert ("Done" if lang == "en" else "Terminadas") in index
    assert index.index("Naloxon") > index.index("Done" if lang == "en" else "Terminadas")
    # A letter form that was open when it was won is sent to the page that says so, and counts nothing.
    form = page(visitor.get("/letters/congress-cause"))
    answer = visitor.post("/letters/schools", data={"csrf_token": csrf_token(form), "zip": "43215", **SENDER})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/letters/schools")
    assert counts(loaded) == {("schools", "OH"): (3, 0)}


# -- the letters page and the PDF -------------------------------------------------------------------------------

def test_the_pdf_is_set_ragged_right(db, monkeypatch):
    from memorials.letters import pdf

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])  # core font: word spacing (Tw) is how fpdf2 justifies
    template = "\n\n".join("A long paragraph that wraps over several lines " * 6 + f"number {n}." for n in range(3))
    member = compose.Member(title="Senator", full_name="Jane Q. Public", last_name="Public", chamber="upper",
                            body="Ohio Senate", lines=("1 Capitol Square", "Columbus, OH 43215"))
    sender = compose.Sender(name="Sam", address="1 Main", city="Dayton", state="OH", state_name="Ohio", zip="45402")
    letter = compose.compose(template + "\n\nhttps://example.org/" + "a" * 60, member, sender, None, date(2026, 12, 6))

    def spacing(data: bytes) -> bool:
        streams = [zlib.decompress(raw) for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S)
                   if raw[:2] in (b"x\x9c", b"x\xda", b"x^")]
        return any(re.search(rb"[1-9][0-9.]* Tw", s) for s in streams)

    assert not spacing(pdf.letters_pdf([letter]))
    monkeypatch.setattr(pdf, "ALIGN", "J")  # justified, as before: the test sees the difference
    assert spacing(pdf.letters_pdf([letter]))


def test_mailing_addresses_are_split_into_lines():
    assert compose.mailing_lines("Room 165, Lowe House Office Building 6 Bladen St., Annapolis, MD 21401") == (
        "Room 165", "Lowe House Office Building 6 Bladen St.", "Annapolis, MD 21401")
    assert compose.mailing_lines("State Capitol; P.O. Box 110001; Juneau, AK 99811-0001") == (
        "State Capitol", "P.O. Box 110001", "Juneau, AK 99811-0001")
    assert compose.mailing_lines("AR") == () and compose.mailing_lines(None) == ()


# -- the bundled snapshot, compared with a sample of ZIP codes ------------------------------------------------

BUNDLED_PEOPLE = json.loads(gzip.decompress(snapshot.STATE_PEOPLE.read_bytes()))
BUNDLED_DISTRICTS = json.loads(gzip.decompress(snapshot.STATE_DISTRICTS.read_bytes()))


def test_the_bundled_snapshot_says_its_source_and_date_and_matches_nearly_every_district():
    meta = snapshot.manifest()
    assert meta["state_officials"]["as_of"] == "2026-08-05" and "Open States" in meta["state_officials"]["source"]
    assert meta["zip_state_districts"]["as_of"] == "2026-02-14" and "Census" in meta["zip_state_districts"]["source"]
    assert meta["state_officials"]["rows"] == len(BUNDLED_PEOPLE["people"])
    seats = {(p["roles"][0]["jurisdiction"].split("state:")[1][:2].upper(),
              "upper" if p["roles"][0]["type"] == "legislature" else p["roles"][0]["type"],
              districts.seat_key(p["roles"][0]["jurisdiction"].split("state:")[1][:2].upper(),
                                 p["roles"][0].get("district", "")))
             for p in BUNDLED_PEOPLE["people"]}
    all_districts = [(s["abbreviation"], chamber, key) for s in BUNDLED_DISTRICTS["states"].values()
                     for chamber, body in s["chambers"].items() for key in body["districts"]]
    held = [d for d in all_districts if d in seats]
    assert len(all_districts) == 6775 and len(held) / len(all_districts) > 0.99  # the rest are vacant seats


def test_a_sample_of_zip_codes_finds_the_lawmakers_the_bundled_files_name(db, monkeypatch):
    monkeypatch.setattr(statehouse, "today", lambda: date(2026, 12, 6))
    state_importer.import_state_officials(str(snapshot.STATE_PEOPLE), today=date(2026, 12, 6))
    state_importer.import_state_districts(state_importer.parse_state_districts(
        importer.read_bytes(str(snapshot.STATE_DISTRICTS)), "bundled"), "bundled")
    by_zip: dict[str, set] = {}
    for state in BUNDLED_DISTRICTS["states"].values():
        for chamber, body in state["chambers"].items():
            for key, district in body["districts"].items():
                for zcta in district["zips"]:
                    by_zip.setdefault(zcta, set()).add((state["abbreviation"], chamber, key))
    people: dict[tuple, set] = {}
    for person in BUNDLED_PEOPLE["people"]:
        role = person["roles"][0]
        state = role["jurisdiction"].split("state:")[1][:2].upper()
        if role["type"] != "governor" and (not role.get("end_date") or role["end_date"] >= "2026-12-06"):
            chamber = "upper" if role["type"] == "legislature" else role["type"]
            people.setdefault((state, chamber, districts.seat_key(state, role["district"])), set()).add(person["name"])
    sample = random.Random(19).sample(sorted(by_zip), 60)
    for zcta in sample + ["05401", "02601", "03101", "83814", "68508", "21401"]:
        found = statehouse.find(zcta)
        assert {(s.state, s.chamber, s.seat) for s in found.seats} == by_zip[zcta], zcta
        for seat in found.seats:
            assert {o.name for o in seat.members} == people.get((seat.state, seat.chamber, seat.seat), set()), \
                (zcta, seat.key)
    # And a few read by eye from the public files: names of districts in Massachusetts, two seats in Idaho.
    massachusetts = statehouse.find("02601")
    assert [(s.chamber, s.district, [o.name for o in s.members]) for s in massachusetts.seats] == [
        ("upper", "Cape and Islands", ["Julian Cyr"]), ("lower", "2nd Barnstable", ["Kip Diggs"])]
    idaho = statehouse.find("83814").in_chamber("lower")
    assert [[o.name for o in s.members] for s in idaho][0] == ["Dale Hawkins", "Heather Scott"]


@pytest.mark.both_databases
def test_state_letters_run_the_same_few_statements_however_many_recipients(client, loaded):
    from .test_letters import statements_for

    def work(zip_code, **fields):
        form = page(client.get("/letters/schools"))
        data = {"csrf_token": csrf_token(form), "once": hidden(form, "once"), "zip": zip_code, **SENDER, **fields}
        seen = statements_for(loaded, lambda: client.post("/letters/schools", data=data))
        return [s for s in seen if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))]

    one_each = work("21401")  # a senator, two delegates, the governor
    many = work("05401", lower_district="chittenden13")  # three senators, two representatives, no governor
    # campaign, state districts with their members and governor, data sources, token, expired tokens, state
    # count, campaign total, page generation: the same whatever the ZIP and however many letters.
    assert len(one_each) == len(many) <= 10, "\n".join(many)


@pytest.mark.both_databases
def test_a_state_campaign_not_yet_in_spanish_is_quoted_in_a_spanish_letter_and_said_to_be(client, loaded):
    with loaded.app_context():
        campaign = _db.session.execute(select(Campaign).filter_by(slug="ohio-bill")).scalar_one()
        assert campaign.missing_spanish == ["title", "summary", "ask", "letter_template"]
    form = page(client.get("/es/letters/ohio-bill"))
    assert '<h1 lang="en">Pass the Ohio bill</h1>' in form and "Esta causa se escribió en inglés." in form
    html = page(write(client, "43215", slug="ohio-bill", lang="es", letter_language="es", upper_district="3"))
    letter = text_of_html(html[html.index('<article class="letter"'):html.index("</article>")])
    assert ("Vivo en Columbus, Ohio, y le escribo como una de las personas a quienes usted representa, para "
            "pedirle que actúe en una causa que me importa profundamente: “Pass the Ohio bill”.") in letter
    assert "que están escritas en inglés: Pass it." in letter and "Congreso" not in letter


@pytest.mark.both_databases
def test_a_closed_campaign_says_so_and_is_listed_as_done(client, loaded):
    sign_in(client, loaded)
    with loaded.app_context():
        campaign_id = _db.session.execute(select(Campaign.id).filter_by(slug="ohio-bill")).scalar_one()
    data = {"title": "Pass the Ohio bill", "slug": "ohio-bill", "summary": "Ohio only.", "ask": "Pass it.",
            "letter_template": ENGLISH, "level": "state", "state": "OH", "recipients": ["upper"], "status": "closed",
            "update": "The session ended before a vote.", "bill_number": "HB 1",
            "bill_url": "https://www.legislature.ohio.gov/legislation/136/hb1"}
    assert submit(client, f"/moderate/campaigns/{campaign_id}", data).status_code == 302
    text = text_of(loaded.test_client().get("/letters/ohio-bill"))
    assert "This campaign is closed" in text and "The session ended before a vote." in text
    assert "No letters were written for it here." in text and "The bill: HB 1" in text
    spanish = text_of(loaded.test_client().get("/es/letters/ohio-bill"))
    assert "Esta campaña está cerrada" in spanish and "The session ended before a vote." in spanish  # no Spanish yet
    index = text_of(loaded.test_client().get("/letters/"))
    assert "Closed · Letters to your state senator, in Ohio Pass the Ohio bill" in index


def test_the_letters_package_imports_before_the_rest_of_the_app():
    """bench/seed.py imports memorials.stories first, which imports feeds, then letters: no letters module may
    configure the models at import (a statement built at import once did, before the moderators' model existed)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", "import memorials.stories"], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-800:]


def test_a_download_of_another_kind_is_not_found(client, loaded):
    from .test_letters import press

    assert press(client, "05401", "pdf", url="/letters/congress-cause").mimetype == "application/pdf"
    form = page(client.get("/letters/congress-cause"))
    response = client.post("/letters/congress-cause/download/docx",
                           data={"csrf_token": csrf_token(form), "zip": "05401", **SENDER})
    assert response.status_code == 404


@pytest.mark.both_databases
def test_a_campaign_to_state_representatives_reaches_nebraskas_senator(client, loaded):
    """Nebraska's one chamber answers for both: a campaign to state representatives writes to its senator, as the
    page says, rather than to nobody."""
    with loaded.app_context():
        house = Campaign(slug="house-only", title="To the House", summary="s", status="live", letter_template=ENGLISH,
                         level="state", recipients="lower", call_ask="act")
        services.set_ask(house, "Act.")
        _db.session.add(house)
        _db.session.commit()
    text = text_of(write(client, "68508", slug="house-only", upper_district="28"))
    assert "Dear Senator Raybould:" in text and "Nebraska has one chamber, the Legislature" in text
    assert "Dear Representative" not in text


def test_reading_a_campaign_never_uses_up_the_letter_limit(make_app):
    """The limit counts letters sent, not pages read: a school or a library shares one address."""
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        _db.session.add(schools_campaign())
        _db.session.commit()
    client = app.test_client()
    assert [client.get("/letters/schools").status_code for _ in range(25)] == [200] * 25


def test_rebuilding_one_part_of_the_snapshot_keeps_the_other_in_the_manifest(tmp_path, monkeypatch):
    """`build_snapshot … congress` must not drop the statehouse entries (nor `… state` the Congress ones): a fresh
    install loads only what the manifest names."""
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"state_officials": {"rows": 7395}, "legislators": {"rows": 537}}))
    monkeypatch.setattr(build_snapshot, "MANIFEST", manifest)
    build_snapshot._update_manifest({"legislators": {"rows": 538}, "built": "2027-01-05"})
    assert json.loads(manifest.read_text()) == {"state_officials": {"rows": 7395}, "legislators": {"rows": 538},
                                                "built": "2027-01-05"}
