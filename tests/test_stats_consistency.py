"""One state, one figure: its statistics page, the map and the state table, its own download, a memorial from
it, a letter written through the real letter form, and (for the nation) the home page all say the same number
and month."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from memorials.extensions import db
from memorials.i18n import in_language
from memorials.letters import importer as letters_importer
from memorials.letters import services as letters_services
from memorials.letters.compose import figures_sentence
from memorials.letters.models import Campaign
from memorials.pagecache import page_store
from memorials.stats import queries
from memorials.stats.indicators import ALL_DRUGS, SYNTHETIC

from . import factories
from .forms import submit
from .test_stats import PREFIX, Statements, csv_rows, headline_of, load_everything, map_tiles, page_text, queries_in, words

pytestmark = pytest.mark.both_databases

LETTERS = Path(__file__).parent / "fixtures" / "letters"
TEMPLATE = "I write from {{ sender_city }}, {{ state }}.\n\n{{ state_figures }}\n\nPlease act now."
SENDER = {"zip": "05401", "sender_name": "Maria Lopez", "sender_address": "12 Elm Street",
          "sender_city": "Burlington", "personal_note": ""}


@pytest.fixture
def everything(app):
    """The statistics fixtures, Vermont's members of Congress and ZIPs, and one live campaign."""
    load_everything(app)
    with app.app_context():
        letters_importer.import_legislators([str(LETTERS / "legislators-current.yaml"),
                                             str(LETTERS / "legislators-district-offices.yaml")])
        letters_importer.import_zip_districts(str(LETTERS / "zccd.csv"))
        campaign = Campaign(slug="same-figures", title="Same figures", summary="s", letter_template=TEMPLATE,
                            status="live")
        letters_services.set_ask(campaign, "Please act.")
        db.session.add(campaign)
        db.session.commit()
    return app


def memorial_in(everything, code: str, **fields) -> str:
    """A published memorial from this state; its slug."""
    with everything.app_context():
        story, _ = factories.make_story(state_code=code, **fields)
        factories.publish(story)
        return story.slug


def state_line(memorial_page: str) -> str:
    """The words of a memorial's state line, as read."""
    return words(memorial_page.split('class="memorial-state">')[1].split("</p>")[0])


@pytest.mark.both_databases
def test_a_states_page_its_table_row_its_memorials_and_its_letters_say_the_same(everything, client):
    # Vermont: CDC's newest all-drug count is April 2025 (180); synthetic opioids run later (January 2026, 96),
    # and for April 2025 they were 139. Every place uses the first two, for the same month.
    sentence = "180 people died of a drug overdose in Vermont in the 12 months ending April 2025"
    page = words(page_text(client, "/stats/VT"))
    assert sentence in page and "77% of these deaths (139) involved synthetic opioids" in page
    table = page_text(client, "/stats/").split('href="/stats/VT">Vermont</a>')[1].split("</tr>")[0]
    assert words(table).startswith("Apr 2025 180 ")

    response = submit(client, "/letters/same-figures", SENDER)
    assert response.status_code == 200
    letters = words(response.get_data(as_text=True))
    expected = ("According to the CDC's provisional counts, 180 people in Vermont died of a drug overdose in the 12 "
                "months ending April 2025. 139 of those deaths involved synthetic opioids other than methadone")
    assert letters.count(expected) >= 3  # one letter per member: two senators and the representative

    memorial = page_text(client, f"/stories/{memorial_in(everything, 'VT', city='Burlington')}")
    line = state_line(memorial)
    assert line.startswith("In Vermont, 180 people died of a drug overdose in the 12 months ending April 2025.")
    assert 'href="/stats/VT"' in memorial and 'href="/stories/?state=VT"' in memorial


# A sample of states as the fixtures carry them: (deaths, month in English and Spanish, rate per 100,000,
# deaths involving synthetic opioids in the same 12 months or None where CDC publishes none).
SAMPLE = {
    "VT": ("180", ("April 2025", "abril de 2025"), "27.9", "139"),
    "OH": ("2,830", ("April 2025", "abril de 2025"), "23.8", "1,771"),
    "NY": ("3,814", ("April 2025", "abril de 2025"), "19.1", "2,587"),
    "LA": ("1,202", ("September 2025", "septiembre de 2025"), "26.0", None),
}
SHORT = {"April 2025": ("Apr 2025", "abr 2025"), "September 2025": ("Sep 2025", "sept 2025")}  # the table's months
NAMES = {"VT": "Vermont", "OH": "Ohio", "NY": "New York", "LA": "Louisiana"}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_map_the_table_the_page_the_download_a_memorial_and_a_letter_agree(everything, client, lang):
    prefix, spanish = PREFIX[lang], lang == "es"
    index = page_text(client, prefix + "/stats/")
    tiles = {href.rsplit("/", 1)[1]: label for href, label, _ in map_tiles(index)}
    table = index.split('id="states-caption"')[1].split("</table>")[0]
    for code, (deaths, months, rate, synthetic) in SAMPLE.items():
        month = months[spanish]
        name = NAMES[code]
        # The map: the square's name carries the rate and its month.
        assert f"{name}: {rate} " in tiles[code] and tiles[code].endswith(month), (code, tiles[code])
        # The table beside it: month, deaths, rate.
        row = words(table.split(f'href="{prefix}/stats/{code}">{name}</a>')[1].split("</tr>")[0]).lstrip("* ")
        assert row.startswith(f"{SHORT[months[0]][spanish]} {deaths} {rate} "), (code, row)
        # The state's page: the headline (count and month said once), the share, and where it stands.
        page = page_text(client, f"{prefix}/stats/{code}")
        headline = headline_of(page).lstrip("> ")
        assert headline.startswith(deaths) and headline.count(month) == 1, (code, headline)
        if synthetic:
            assert f"({synthetic})" in headline
        standing = words(page.split('class="standing">')[1].split("</p>")[0])
        assert standing.startswith(f"{'Con' if spanish else 'At'} {rate} "), (code, standing)
        # The state's own download: CDC's row for that month is the figure every page leads with.
        rows = {(r["jurisdiction"], r["indicator"], r["period_end"]): r
                for r in csv_rows(client.get(f"/stats/{code}/data.csv"))}
        period = {"April 2025": "2025-04", "September 2025": "2025-09"}[months[0]]
        assert rows[(code, ALL_DRUGS, period)]["reported"] == deaths.replace(",", "")
        if synthetic and code != "NY":  # (New York's is CDC's NY and YC rows added: checked in test_stats)
            assert rows[(code, SYNTHETIC, period)]["reported"] == synthetic.replace(",", "")
        # A memorial from the state: its line says the same count and month.
        line = state_line(page_text(client, f"{prefix}/stories/{memorial_in(everything, code, name=f'Sam {code}')}"))
        assert deaths in line and month in line, (code, line)
        # A letter: the sentence the letter carries for the state, from the same query.
        with everything.test_request_context(), in_language(lang):
            sentence = figures_sentence(queries.latest_figures(code), name)
        assert deaths in sentence and month in sentence and (synthetic is None or synthetic in sentence), sentence


def test_the_nation_on_the_home_page_and_its_page(everything, client):
    sentence = "68,962 people died of a drug overdose in the United States in the 12 months ending September 2025"
    assert sentence in words(page_text(client, "/")) and sentence in words(page_text(client, "/stats/"))


@pytest.mark.both_databases
def test_the_memorial_line_costs_one_small_query(everything, client):
    with everything.app_context():
        story, _ = factories.make_story(state_code="OH")
        factories.publish(story)
        other, _ = factories.make_story(state_code="GU", name="Ana Cruz")
        factories.publish(other)
        slugs = story.slug, other.slug
    client.get(f"/stories/{slugs[0]}")
    page_store(everything).clear()  # the cost of making the page, not of serving the copy kept
    with Statements(everything) as seen:
        client.get(f"/stories/{slugs[0]}")
    ours = [s for s in queries_in(seen) if "stat_" in s]
    assert len(ours) == 1
    with Statements(everything) as seen:
        page = page_text(client, f"/stories/{slugs[1]}")
    assert not [s for s in queries_in(seen) if "stat_" in s]  # Guam: CDC reports no figures, no query
    assert 'class="memorial-state"' not in page


def test_no_line_when_a_state_has_no_current_figures(everything, client):
    slug = memorial_in(everything, "WY", name="Sam Doe")
    with everything.app_context():
        assert queries_state_line("WY") is None
    line = state_line(page_text(client, f"/stories/{slug}"))
    assert line == "Wyoming's numbers · Memorials from Wyoming"  # links, and no stale figure


def queries_state_line(code):
    from memorials.stats import queries

    return queries.state_line(code)


def test_figures_sentence_for_a_place_with_only_synthetic_opioid_counts():
    from memorials.letters.compose import figures_sentence
    from memorials.stats.queries import LatestFigures

    sentence = figures_sentence(LatestFigures("PR", "Puerto Rico", date(2025, 12, 1), None, 304, date(2025, 12, 1)),
                                "Puerto Rico")
    assert sentence == ("In the 12 months ending December 2025, 304 overdose deaths in Puerto Rico involved synthetic "
                        "opioids other than methadone, which means mostly illicit fentanyl.")
    assert figures_sentence(None, "Ohio") == ""
    assert re.search(r"1 person in Ohio died", figures_sentence(
        LatestFigures("OH", "Ohio", date(2025, 4, 1), 1, None, None), "Ohio"))


def test_in_spanish_the_page_the_table_a_memorial_and_a_letter_say_the_same(everything, client):
    page = words(page_text(client, "/es/stats/VT"))
    assert ("180 personas murieron por sobredosis de drogas en Vermont en los 12 meses que terminan en abril de 2025, "
            "un 18.6% menos que un año antes.") in page
    assert "El 77% de estas muertes (139) estuvieron relacionadas con opioides sintéticos" in page
    table = page_text(client, "/es/stats/").split('href="/es/stats/VT">Vermont</a>')[1].split("</tr>")[0]
    assert words(table).startswith("abr 2025 180 ")

    memorial = page_text(client, f"/es/stories/{memorial_in(everything, 'VT', city='Burlington')}")
    line = state_line(memorial)
    assert line == ("En Vermont, 180 personas murieron por sobredosis de drogas en los 12 meses que terminan en abril "
                    "de 2025. Las cifras de Vermont · Homenajes de Vermont")
    assert 'href="/es/stats/VT"' in memorial and 'href="/es/stories/?state=VT"' in memorial

    # A letter written from the Spanish pages quotes the same figures for the same month, in whichever
    # language the letter itself is written (English unless the visitor chooses Spanish).
    response = submit(client, "/es/letters/same-figures", SENDER)
    assert response.status_code == 200
    letters = words(response.get_data(as_text=True))
    # (The letter's own words are the letters' business; the figures and month are the statistics'.)
    assert letters.count(" 180 ") >= 3 and letters.count(" 139 ") >= 3  # two senators and the representative
    assert letters.count("April 2025") + letters.count("abril de 2025") >= 3


def test_in_spanish_a_memorial_without_current_figures_has_only_its_links(everything, client):
    line = state_line(page_text(client, f"/es/stories/{memorial_in(everything, 'WY', name='Sam Doe')}"))
    assert line == "Las cifras de Wyoming · Homenajes de Wyoming"
