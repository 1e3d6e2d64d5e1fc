"""Finding a memorial: words, state, year, age; the index follows every decision; hidden names stay hidden."""
from __future__ import annotations

import html
import re
from datetime import date, datetime

import pytest
from markupsafe import Markup
from flask import request, url_for
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, text

from memorials import create_app
from memorials.extensions import db
from memorials.paging import PAGE_MARK, page_link
from memorials.search.forms import FindForm
from memorials.search.index import Document, words
from memorials.search.models import STATE_WORDS_INDEX, SearchCard, SearchCount, SearchDay, SearchEntry
from memorials.stories.models import Story

from .factories import form_data, make_moderator, make_story, publish, sign_in
from .forms import csrf_token, submit

# Its behaviour depends on the database: it runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.both_databases


def names_on(page: str) -> list[str]:
    """The names on the memorial cards, in order."""
    return [html.unescape(n) for n in re.findall(r'class="story-card-name">([^<]+)<', page)]


def find(client, **params) -> tuple[int, str]:
    response = client.get("/stories/", query_string=params)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def count_line(page: str) -> str:
    return re.search(r'id="results-title"[^>]*>\s*([^<]+?)\s*<', page).group(1)


def story(name, *, died=date(2023, 7, 2), born=date(1998, 3, 14), state="OH", city="Dayton", nickname=None,
          text="He was kind and funny and we miss him every single day of our lives.", display="full"):
    created, _ = make_story(name=name, died=died, born=born, state_code=state, city=city, nickname=nickname,
                            story_markdown=text, name_display=display)
    return created


@pytest.fixture
def moderator(app):
    with app.app_context():
        return make_moderator()


def published(moderator, *stories):
    for s in stories:
        publish(s, moderator)


# --- words -------------------------------------------------------------------------------------

def test_words_find_name_nickname_hometown_state_and_story_best_match_first(app, client, moderator):
    with app.app_context():
        published(moderator,
                  story("Daniel James Rivera", nickname="Danny", city="Dayton", state="OH"),
                  story("Maria Lopez", city="Tucson", state="AZ",
                        text="She loved her brother Rivera Lopez's band and sang every song at the top of her lungs."),
                  story("Samuel Okafor", city="Erie", state="PA", text="Sam fixed bikes for every kid on our street."))
    assert names_on(find(client, q="rivera")[1]) == ["Daniel James Rivera", "Maria Lopez"]  # the name counts most
    assert names_on(find(client, q="danny")[1]) == ["Daniel James Rivera"]
    assert names_on(find(client, q="tucson")[1]) == ["Maria Lopez"]
    assert names_on(find(client, q="pennsylvania")[1]) == ["Samuel Okafor"]
    assert names_on(find(client, q="bikes street")[1]) == ["Samuel Okafor"]
    assert names_on(find(client, q="bik")[1]) == ["Samuel Okafor"]  # the start of a word is enough
    status, page = find(client, q="rivera")
    assert status == 200 and count_line(page) == "2 memorials match"
    assert 'value="rivera"' in page  # the words stay in the box


def test_words_with_a_state_find_only_that_states_memorials_best_match_first(app, client, moderator):
    """With a state, the same words find the same memorials, that state's alone (on PostgreSQL from the index of
    the words with their state): any word of the name, the place or the story, the start of a name, accents; the
    name counts most."""
    with app.app_context():
        published(moderator,
                  story("Daniel James Rivera", nickname="Danny", city="Dayton", state="OH"),
                  story("Ann Cole", city="Toledo", state="OH", text="José Rivera coached her team."),
                  story("Maria Rivera", city="Tucson", state="AZ", text="She fixed bikes on our street."),
                  story("Samuel Okafor", city="Erie", state="OH", text="Sam fixed bikes for every kid on our street."))
    assert names_on(find(client, q="rivera", state="OH")[1]) == ["Daniel James Rivera", "Ann Cole"]
    assert names_on(find(client, q="rivera", state="AZ")[1]) == ["Maria Rivera"]
    assert names_on(find(client, q="rivera", state="PA")[1]) == []
    assert names_on(find(client, q="bikes street", state="OH")[1]) == ["Samuel Okafor"]
    assert names_on(find(client, q="bik", state="OH")[1]) == ["Samuel Okafor"]     # the start of a word
    assert names_on(find(client, q="dan riv", state="OH")[1]) == ["Daniel James Rivera"]
    assert names_on(find(client, q="JOSÉ coached", state="OH")[1]) == ["Ann Cole"]
    assert names_on(find(client, q="toledo ohio", state="OH")[1]) == ["Ann Cole"]
    assert names_on(find(client, q="tucson", state="OH")[1]) == []
    status, page = find(client, q="rivera", state="OH")
    assert status == 200 and count_line(page) == "2 memorials match"


def test_accents_and_case_do_not_matter(app, client, moderator):
    with app.app_context():
        published(moderator, story("José Ángel Müller", city="San Germán", state="PR",
                                   text="Le encantaba bailar cumbias en la cocina con su mamá, todos los días."))
    for query in ("jose", "JOSÉ", "angel muller", "MULLER", "german", "mama cocina", "Mamá"):
        assert names_on(find(client, q=query)[1]) == ["José Ángel Müller"], query
    assert names_on(find(client, q="puerto rico")[1]) == ["José Ángel Müller"]


@pytest.mark.parametrize("display, shown", [("first", "Daniel"), ("initials", "D. J. R.")])
def test_a_surname_the_family_hid_is_never_found(app, client, moderator, display, shown):
    with app.app_context():
        published(moderator, story("Daniel James Rivera", display=display, nickname="Danny"))
        rows = db.session.execute(db.select(SearchEntry.story_id)).scalars().all()
        assert len(rows) == 1
        if db.engine.dialect.name == "sqlite":
            stored = " ".join(db.session.execute(text("SELECT name || ' ' || place || ' ' || story FROM search_text")).scalars())
        else:
            stored = " ".join(db.session.execute(text("SELECT document::text FROM search_entry")).scalars())
    assert "rivera" not in stored and "james" not in stored
    for hidden in ("Rivera", "rivera", "James", "daniel rivera", "riv"):
        status, page = find(client, q=hidden)
        assert status == 200 and names_on(page) == [] and "No memorial matches this search" in page, hidden
    assert names_on(find(client, q="danny")[1]) == [shown]
    if display == "first":
        assert names_on(find(client, q="daniel")[1]) == ["Daniel"]


# --- the index follows every decision ------------------------------------------------------------

def test_the_index_follows_approval_edit_unpublish_republish_and_withdrawal(app, client, outbox):
    with app.app_context():
        make_moderator()
    sign_in(client)
    submit(client, "/stories/new", form_data(story="Danny loved fishing with his grandfather at the quarry lake."))
    manage = re.search(r"(/stories/manage/[A-Za-z0-9_-]+)", outbox()[0].get_content()).group(1)
    with app.app_context():
        story_id = db.session.execute(db.select(Story.id)).scalar_one()
    assert names_on(find(client, q="quarry")[1]) == []  # nothing before a moderator approves

    def decide(action, reason=""):
        page = client.get(f"/moderate/stories/{story_id}").get_data(as_text=True)
        client.post(f"/moderate/stories/{story_id}", data={"csrf_token": csrf_token(page), "action": action,
                                                           "reason": reason})

    decide("approve")
    assert names_on(find(client, q="quarry")[1]) == ["Daniel James Rivera"]
    assert count_line(find(client)[1]) == "1 memorial"

    def stored_cards():
        with app.app_context():
            live = db.session.execute(db.select(Story.live_version_id)).scalar()
            return sorted((c.language, c.version_id == live) for c in db.session.execute(db.select(SearchCard)).scalars())

    assert stored_cards() == [("en", True), ("es", True)]    # its card, drawn in each language at approval

    edited = form_data(story="Danny loved the trumpet more than anything, and played it badly and loudly.")
    edited.pop("consent")
    submit(client, manage, {**edited, "action": "save"})
    assert names_on(find(client, q="quarry")[1]) == ["Daniel James Rivera"]  # the edit waits for a moderator
    assert names_on(find(client, q="trumpet")[1]) == []
    decide("approve")
    assert names_on(find(client, q="trumpet")[1]) == ["Daniel James Rivera"]
    assert names_on(find(client, q="quarry")[1]) == []
    assert stored_cards() == [("en", True), ("es", True)]    # drawn again for the new version

    decide("unpublish", "The family asked us to, by phone.")
    assert names_on(find(client, q="trumpet")[1]) == [] and count_line(find(client, state="OH")[1]) == "0 memorials match"
    assert stored_cards() == []
    decide("republish")
    assert names_on(find(client, q="trumpet")[1]) == ["Daniel James Rivera"]
    assert count_line(find(client, state="OH")[1]) == "1 memorial matches"

    page = client.get(manage).get_data(as_text=True)
    client.post(manage, data={"csrf_token": csrf_token(page), "action": "withdraw", "confirm": "yes"})
    assert names_on(find(client, q="trumpet")[1]) == []
    assert count_line(find(client)[1]) == "0 memorials"
    assert stored_cards() == []                                 # nothing of a withdrawn memorial is kept
    with app.app_context():
        assert db.session.execute(db.select(func.count()).select_from(SearchEntry)).scalar() == 0
        assert db.session.execute(db.select(func.sum(SearchCount.memorials))).scalar() == 0
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("SELECT count(*) FROM search_text")).scalar() == 0


def test_a_list_reads_the_cards_stored_at_approval_and_draws_those_another_version_of_the_site_drew(app, client,
                                                                                                    runner, moderator):
    """search/cards.py: a first visit to a list page puts each card's own addresses into the card stored in its
    language, which is exactly what drawing it gives; a card drawn by other templates or code (its stamp) is
    drawn on the page instead. A name holding the link's stand-in stays a name."""
    from memorials.search import cards

    with app.app_context():
        published(moderator, story("Ana <card-href> Ruiz", city="Erie", state="PA"), story("Luis Ortega"))
        slugs = list(db.session.execute(db.select(Story.slug).order_by(Story.id)).scalars())

    def grid(url):
        with app.app_context():
            cards.cache().clear()           # no card kept by this worker: a first visit
        page = client.get(url).get_data(as_text=True)
        return page[page.index('<div class="story-grid">'):page.index("</div>", page.index('<div class="story-grid">'))]

    stored_en, stored_es = grid("/stories/"), grid("/es/stories/")
    assert f'href="/stories/{slugs[0]}"' in stored_en and f'href="/es/stories/{slugs[0]}"' in stored_es
    assert "Ana &lt;card-href&gt; Ruiz" in stored_en and stored_en.count("<card-") == 0
    assert "falleció en julio de 2023" in stored_es and "died July 2023" in stored_en
    with app.app_context():                 # the stored card is what the page shows: a word changed in it shows
        db.session.execute(db.update(SearchCard).where(SearchCard.language == "en")
                           .values(html=func.replace(SearchCard.html, "Erie", "Erie (as stored)")))
        db.session.commit()
    assert "Erie (as stored)" in grid("/stories/") and "(as stored)" not in grid("/es/stories/")
    with app.app_context():                 # drawn by another version of the site: drawn again, as before
        db.session.execute(db.update(SearchCard).values(stamp="another"))
        db.session.commit()
    assert grid("/stories/") == stored_en and grid("/es/stories/") == stored_es
    with app.test_request_context("/"):     # this version's stamp again: a search's cards are read stored too
        db.session.execute(db.update(SearchCard).values(stamp=cards.stamp()))
        db.session.commit()
    assert "Erie (as stored)" in grid("/stories/?q=erie") and "Erie (as stored)" not in grid("/es/stories/?q=erie")
    # After an upgrade, an operator draws every card again: `flask draw-cards`.
    result = runner.invoke(args=["draw-cards"])
    assert result.exit_code == 0 and "Drew 4 cards." in result.output
    assert grid("/stories/") == stored_en and "(as stored)" not in grid("/stories/?q=erie")


def test_rebuilding_the_index_gives_the_same_answers(app, client, runner, moderator):
    with app.app_context():
        published(moderator, *(story(f"Person{n} Example", state=("OH", "TX", "WV")[n % 3],
                                     died=date(2016 + n % 5, 1, 1), born=date(1990 - n, 6, 1)) for n in range(12)))
        pending = story("Waiting Person")  # never approved: never indexed
        assert pending.slug is None
    before = [find(client, **p)[1] for p in ({}, {"state": "TX"}, {"q": "example", "age": "25-34"}, {"year": "2018"})]
    with app.app_context():                 # cards an older version of the site drew: the rebuild draws them again
        stored = db.session.execute(db.select(SearchCard.story_id, SearchCard.language, SearchCard.html)
                                    .order_by(SearchCard.story_id, SearchCard.language)).all()
        db.session.execute(db.update(SearchCard).values(stamp="older", html="old"))
        db.session.commit()
    result = runner.invoke(args=["reindex-search"])
    assert result.exit_code == 0 and "Indexed 12 published memorials" in result.output
    after = [find(client, **p)[1] for p in ({}, {"state": "TX"}, {"q": "example", "age": "25-34"}, {"year": "2018"})]
    assert [names_on(p) for p in after] == [names_on(p) for p in before]
    assert [count_line(p) for p in after] == [count_line(p) for p in before]
    with app.test_request_context("/"):
        from memorials.search import cards

        assert db.session.execute(db.select(SearchCard.story_id, SearchCard.language, SearchCard.html)
                                  .order_by(SearchCard.story_id, SearchCard.language)).all() == stored
        assert set(db.session.execute(db.select(SearchCard.stamp)).scalars()) == {cards.stamp()}


# --- filters -----------------------------------------------------------------------------------

@pytest.fixture
def many(app, moderator):
    """30 memorials: three states, two years, known ages (two without a birth date)."""
    with app.app_context():
        for n in range(30):
            born = None if n in (0, 1) else date(2023 - (10 + 2 * n), 1, 1)   # ages 10, 12, ... at 2023-07-02
            published(moderator, story(f"Person Number{n:02d}", state=("OH", "TX", "WV")[n % 3],
                                       died=date(2023 if n % 2 else 2020, 7, 2), born=born))


def test_filters_combine_say_how_many_match_and_stay_in_the_form(app, client, many):
    status, page = find(client, state="OH", year="2023")
    expected = [f"Person Number{n:02d}" for n in reversed(range(30)) if n % 3 == 0 and n % 2]
    assert status == 200 and names_on(page) == expected and count_line(page) == f"{len(expected)} memorials match"
    assert re.search(r'<option selected value="OH">Ohio</option>|<option value="OH" selected>', page)
    assert re.search(r'<option selected value="2023">2023</option>|<option value="2023" selected>', page)
    assert "Clear the search and show every memorial" in page
    assert count_line(find(client)[1]) == "30 memorials"
    # ages: n >= 2 died at 10 + 2n (2020 deaths three years younger)
    def ages(n):
        return (10 + 2 * n) - (0 if n % 2 else 3)
    for value, low, high in (("25-34", 25, 34), ("65-", 65, 200), ("0-17", 0, 17), ("20-40", 20, 40)):
        page = find(client, age=value)[1]
        expected = {f"Person Number{n:02d}" for n in range(2, 30) if low <= ages(n) <= high}
        shown = set(names_on(page)) | set(names_on(find(client, age=value, page=2)[1]))
        assert shown == expected, value
        assert count_line(page) == (f"{len(expected)} memorials match" if len(expected) != 1 else "1 memorial matches")
    everything = find(client, q="person", state="WV", age="35-44", year="2020")[1]
    expected = [f"Person Number{n:02d}" for n in reversed(range(30)) if n % 3 == 2 and n % 2 == 0 and 35 <= ages(n) <= 44]
    assert expected and names_on(everything) == expected


def test_the_form_is_drawn_once_for_each_search_and_afresh_with_a_value_in_error(app, client, many):
    """search/pages.py: the form with its values is the same on every page of one search, so each worker keeps
    it (memorials/fragments.py drawn_for); other values, another language or a value in error draw their own."""
    app.config["STORIES_PER_PAGE"] = 4
    first = find(client, state="OH")[1]
    with app.app_context():
        pieces = app.extensions["page_pieces"]
        [key] = [k for k in pieces.keys() if k[0] == "stories/_find_form.html"]
        assert key[1:3] == ("en", "") and "OH" in key
        pieces.put(key, Markup(str(pieces.get(key)).replace("Find</button>", "Find (as this worker kept it)</button>")))
    assert "(as this worker kept it)" not in first
    assert "(as this worker kept it)" in find(client, state="OH", page="2")[1]
    assert "(as this worker kept it)" not in find(client, state="TX")[1]
    assert "(as this worker kept it)" not in find(client, state="OH", year="abc")[1]
    refused = find(client, state="OH", year="abc")[1]
    assert re.search(r'<option selected value="OH">Ohio</option>|<option value="OH" selected>', refused)
    spanish = client.get("/es/stories/?state=OH&page=2").get_data(as_text=True)
    assert "(as this worker kept it)" not in spanish and "Buscar" in spanish



def test_new_words_with_the_same_filters_reuse_the_form_and_show_their_own_words(app, client, many):
    """A new search is most often new words: the form is kept for its filters, the words put in its hole, escaped
    as WTForms writes them (the visitor's own words, an ampersand, quotes and a stand-in's look-alike included)."""
    find(client, q="person", state="OH")
    with app.app_context():
        pieces = app.extensions["page_pieces"]
        [key] = [k for k in pieces.keys() if k[0] == "stories/_find_form.html"]
        assert "person" not in key
        pieces.put(key, tuple(part.replace("Find</button>", "Find (as this worker kept it)</button>")
                              for part in pieces.get(key)))
    for words in ("number", 'O"Brien & <b>sons</b>', "fragment-hole-q-here", "  spaced   words "):
        page = client.get("/stories/", query_string={"q": words, "state": "OH"}).get_data(as_text=True)
        assert "(as this worker kept it)" in page
        field = re.search(r'<input[^>]* name="q"[^>]*>', page).group(0)
        with app.test_request_context("/stories/", query_string={"q": words, "state": "OH"}):
            form = FindForm(request.args)
            form.validate()
            expected = str(form.q())
        assert field == expected, words
    assert "(as this worker kept it)" not in find(client, q="number", state="TX")[1]
    assert "(as this worker kept it)" not in find(client, state="OH")[1]
    spanish = client.get("/es/stories/?q=number&state=OH").get_data(as_text=True)
    assert "(as this worker kept it)" not in spanish and 'value="number"' in spanish
    # words that are all punctuation ask for nothing: the form keeps them, but offers no search to clear
    def form_for(words):
        page = client.get("/stories/", query_string={"q": words}).get_data(as_text=True)
        return re.search(r'<form class="find-form".*?</form>', page, re.S).group(0)
    for words, asked in (("!!!", False), ("person", True), ("???", False), ("number", True)):
        form = form_for(words)
        assert f'value="{words}"' in form and ("Clear the search" in form) == asked, words

def test_the_list_page_is_kept_around_its_results_and_each_page_puts_in_its_own(app, client, many):
    """search/pages.py render_list: the page around the results is drawn once per worker, language and menu; each
    page puts in its own results, form, links to itself in each language and language switch. A page with a value
    in error or a message waiting, or for a moderator, is drawn for itself."""
    app.config["STORIES_PER_PAGE"] = 4
    client.get("/stories/?page=2")
    with app.app_context():
        pieces = app.extensions["page_pieces"]
        [key] = [k for k in pieces.keys() if k[0] == "stories/index.html"]
        assert key[1:4] == ("en", "", False)
        pieces.put(key, tuple(part.replace("Their families chose", "Their families (as kept) chose")
                              for part in pieces.get(key)))
    asked = "/stories/?state=OH&page=3"
    page = client.get(asked).get_data(as_text=True)
    assert "(as kept)" in page
    expected = [f"Person Number{n:02d}" for n in reversed(range(30)) if n % 3 == 0][8:12]
    assert names_on(page) == expected and count_line(page) == "10 memorials match"
    assert re.search(r'<option selected value="OH">Ohio</option>|<option value="OH" selected>', page)
    assert '<link rel="alternate" hreflang="es" href="http://localhost/es/stories/?state=OH&amp;page=3">' in page
    assert '<link rel="alternate" hreflang="x-default" href="http://localhost/stories/?state=OH&amp;page=3">' in page
    with app.test_request_context("/"):
        switch = url_for("i18n.switch", lang="es", next=asked)
    assert f'<p class="language-switch"><a href="{html.escape(switch)}"' in page
    assert "fragment-hole-" not in page
    with client.session_transaction() as session:                   # a message waiting: drawn for this page
        session["_flashes"] = [("message", "A note waiting for you.")]
    flashed = client.get("/stories/?page=2").get_data(as_text=True)
    assert "A note waiting for you." in flashed and "(as kept)" not in flashed
    refused = client.get("/stories/?state=ZZ").get_data(as_text=True)
    assert "Please choose a state from the list." in refused and "(as kept)" not in refused
    sign_in(client)
    moderating = client.get("/stories/?page=2").get_data(as_text=True)
    assert "(as kept)" not in moderating and "/moderate/" in moderating
    visitor = app.test_client().get("/stories/?state=TX").get_data(as_text=True)   # (page 2 is in the page cache)
    assert "(as kept)" in visitor and "/moderate/" not in visitor
    spanish = app.test_client().get("/es/stories/?page=2").get_data(as_text=True)
    assert "(as kept)" not in spanish and "Compartir una historia" in spanish


def test_every_page_link_keeps_the_filters(app, client, many):
    page = find(client, q="person", year="2023")[1]
    assert count_line(page) == "15 memorials match"
    app.config["STORIES_PER_PAGE"] = 4
    first = client.get("/stories/?q=person&year=2023&age=25-").get_data(as_text=True)
    next_link = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    assert all(part in next_link for part in ("q=person", "year=2023", "age=25-", "page=2"))
    second = client.get(next_link).get_data(as_text=True)
    previous = html.unescape(re.search(r'rel="prev" href="([^"]+)"', second).group(1))
    assert all(part in previous for part in ("q=person", "year=2023", "age=25-", "page=1"))
    assert not set(names_on(first)) & set(names_on(second))
    # each link is built once and only its page number changed (paging.page_link): the same addresses url_for
    # makes, even for words that look like the number's stand-in
    with app.test_request_context("/stories/"):
        for endpoint, params, param, anchor in (
                ("stories.index", {"q": f"a {PAGE_MARK}", "year": 2023}, "page", None),
                ("stories.show", {"slug": "someone", "page": 3, "messages": 2}, "messages", "condolences"),
                ("stories.show", {"slug": "someone"}, "messages", f"after-{PAGE_MARK}"),      # one url_for each
                ("stories.show", {"slug": PAGE_MARK}, "messages", None)):
            link = page_link(endpoint, params, param, anchor)
            for n in (1, 2, 1000):
                assert link(n) == url_for(endpoint, _anchor=anchor, **{**params, param: n})


def test_the_state_link_from_other_pages_finds_that_states_memorials(app, client, many):
    from flask import url_for

    with app.test_request_context():
        link = url_for("stories.index", state="TX")
    page = html.unescape(client.get(link).get_data(as_text=True))
    assert names_on(page) and all(int(n[-2:]) % 3 == 1 for n in names_on(page))
    assert count_line(page) == "10 memorials match"


@pytest.mark.parametrize("params, field_message", [
    ({"year": "abc"}, "Please choose a year from the list."),
    ({"year": "1850"}, "Please choose a year from the list."),
    ({"age": "9-x"}, "Please choose an age from the list."),
    ({"age": "40-20"}, "Please choose an age from the list."),
    ({"state": "ZZ"}, "Please choose a state from the list."),
    ({"state": "Z\x00Z"}, "Please choose a state from the list."),  # the NUL is stripped; ZZ is still no state
    ({"q": "x" * 300}, "Please use fewer words"),
])
def test_bad_values_are_set_aside_with_a_plain_note(app, client, many, params, field_message):
    status, page = find(client, **params)
    assert status == 200 and field_message in page
    assert page.count('class="story-card"') == 24 and count_line(page) == "30 memorials"  # the rest still works
    assert "<title>Error:" in page


@pytest.mark.parametrize("params", [
    {"page": "99999999999999999999"}, {"page": "-3"}, {"page": "abc"}, {"page": "2.5"}, {"page": "0"},
    {"q": "\x00"}, {"q": "'\"*:()&|!"}, {"q": "OR AND NOT NEAR"}, {"q": "a:* & b"}, {"q": "١٢٣ 北京"},
    {"year": "99999999999999999999"}, {"age": "999-"}, {"state": "\x00"}, {"page": "\x00"},
])
def test_odd_values_never_break_the_page(app, client, many, params):
    status, page = find(client, **params)
    assert status == 200 and "Something went wrong" not in page


def test_a_page_past_the_end_says_so_and_links_to_the_last(app, client, many):
    for params in ({"page": "3"}, {"page": "99999999999999999999"}, {"q": "person", "page": "7"}):
        status, page = find(client, **params)
        assert status == 200 and "There is no page" in page and names_on(page) == []
        assert "Go to the last page" in page and "page=2" in page


def test_the_pages_of_a_search_hold_its_matches_in_turn_each_counted_the_same(app, client, moderator, monkeypatch):
    from memorials.search import query

    monkeypatch.setattr(query, "COUNT_LIMIT", 9)
    monkeypatch.setitem(app.config, "STORIES_PER_PAGE", 4)
    with app.app_context():
        # The name counts most, then the place, then the story (the newest first among equals).
        published(moderator, *(story(f"Kid{n} Otherwise", text="She loved the sea and rivers.") for n in range(7)),
                  story("Lena Rivers"), story("Kid Lake", city="Rivers"))
    pages = [find(client, q="rivers", page=str(n))[1] for n in (1, 2, 3, 4)]
    assert [count_line(page) for page in pages[:3]] == ["9 memorials match"] * 3
    assert [len(names_on(page)) for page in pages[:3]] == [4, 4, 1]
    assert names_on(pages[0])[:2] == ["Lena Rivers", "Kid Lake"]
    assert [name for page in pages[:3] for name in names_on(page)][2:] == [f"Kid{n} Otherwise" for n in range(6, -1, -1)]
    assert "There is no page" in pages[3] and names_on(pages[3]) == [] and "page=3" in pages[3]


@pytest.mark.usefixtures("many")
def test_each_search_is_planned_for_its_own_words(app, client):
    """On PostgreSQL, bound words could get a plan made once for any words (its generic plan, after five searches
    with the same filters): at 1,000,000 memorials one such plan read all 725,000 holding "loved" for 20 s. Written
    into the statement, every search is planned for what it asks, the newest first walked for a common word.
    (SQLite's full-text table is asked with MATCH, its words bound: it makes no such plan.)"""
    from .statements import Statements

    with app.app_context():
        engine = db.engine
    with Statements(engine) as seen:
        status, page = find(client, q="number03", state="OH")
        assert status == 200 and names_on(page) == ["Person Number03"]
        status, page = find(client, q="o'neil person", state="OH")   # a quote in the words stays in its literal
        assert status == 200 and "No memorial matches this search" in page
    if engine.dialect.name == "postgresql":
        matches = [sql for sql in seen.seen if "search_state_words" in sql]
        assert len(matches) == 2 and all("'''oh_" in sql for sql in matches), matches
        assert "'''number03'''" in matches[0] and "'''o'' & ''neil'':* & ''person'''" in matches[1], matches
    else:
        assert sum("search_text MATCH ?" in sql for sql in seen.seen) == 2, seen.seen


def test_nothing_found_is_said_kindly_with_a_way_back(app, client, many):
    status, page = find(client, q="zebra", state="OH")
    assert status == 200 and count_line(page) == "0 memorials match"
    assert "No memorial matches this search" in page and 'href="/stories/">Clear the search' in page


def test_an_empty_site_says_so(client):
    status, page = find(client)
    assert status == 200 and "No memorials have been published yet." in page and count_line(page) == "0 memorials"


def test_very_many_matches_are_bounded_and_said_so(app, client, moderator, monkeypatch):
    from memorials.search import query

    monkeypatch.setattr(query, "COUNT_LIMIT", 5)
    with app.app_context():
        published(moderator, *(story(f"Kid{n} Same", died=date(2022, 1, 1)) for n in range(8)))
    page = find(client, q="same")[1]
    assert count_line(page) == "More than 5 memorials match" and len(names_on(page)) == 5
    assert "Add a word, a state or a year" in page
    assert count_line(find(client, year="2022")[1]) == "8 memorials match"  # counted exactly without words


def test_the_search_form_is_a_labelled_get_form_without_a_token(client):
    page = client.get("/stories/").get_data(as_text=True)
    form = re.search(r'<form class="find-form"[^>]*>.*?</form>', page, re.S).group(0)
    assert 'method="get"' in form and 'role="search"' in form and "csrf_token" not in form
    for name in ("q", "state", "year", "age"):
        assert re.search(rf'<label for="{name}">', form) and f'name="{name}"' in form
    assert "Under 18" in form and "65 and over" in form and "25 to 34" in form


# --- the engines' own full-text objects ------------------------------------------------------

def test_each_database_uses_its_own_full_text_engine(app, moderator):
    with app.app_context():
        published(moderator, story("Ana Beatriz Souza"))
        if db.engine.dialect.name == "sqlite":
            sql = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'search_text'")).scalar()
            assert "fts5" in sql and "remove_diacritics 2" in sql
            assert db.session.execute(text("SELECT rowid FROM search_text WHERE search_text MATCH 'souza'")).scalar()
        else:
            index = db.session.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_entry_document'")).scalar()
            assert "USING gin (document)" in index
            assert db.session.execute(text(
                "SELECT story_id FROM search_entry WHERE document @@ to_tsquery('simple', 'souza')")).scalar()


def test_documents_hold_only_what_the_public_page_shows():
    from memorials.stories.models import StoryVersion

    version = StoryVersion(name="Daniel James Rivera", name_display="initials", nickname="Danny", born=None,
                           died=date(2020, 1, 2), city="Dayton", state_code="OH",
                           story_html='<p>He <a href="https://secret.example/rivera" rel="nofollow">loved</a> '
                                      "fish &amp; chips.</p>", submitter_name="Maria Rivera")
    document = Document.of(1, None, version)
    assert document.name == "d j r danny" and document.place == "dayton ohio"
    assert document.story == "he loved fish chips"
    assert words("Ça va, MÜLLER_x!") == ["ca", "va", "muller", "x"]


# --- in a browser, on a phone --------------------------------------------------------------------

@pytest.mark.browser
def test_a_visitor_finds_a_memorial_on_a_phone(tmp_path):
    from .browser import PHONE, LiveServer, assert_accessible, new_driver, page_overflow, quit_driver, require_browser, visit

    require_browser()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    live = LiveServer(tmp_path).start()
    driver = None
    try:
        with live.context():
            moderator = make_moderator()
            for n, (name, state, city) in enumerate([("Daniel James Rivera", "OH", "Dayton"),
                                                     ("María José Gómez", "TX", "El Paso"),
                                                     ("Samuel Okafor", "PA", "Erie")]):
                publish(story(name, state=state, city=city, died=date(2020 + n, 5, 1)), moderator)
        driver = new_driver(PHONE)
        visit(driver, live.url + "/stories/")
        assert "3 memorials" in driver.find_element(By.ID, "results-title").text
        assert page_overflow(driver)["scrollWidth"] <= PHONE[0]

        driver.find_element(By.ID, "q").send_keys("maria gomez")
        Select(driver.find_element(By.ID, "state")).select_by_visible_text("Texas")
        driver.find_element(By.CSS_SELECTOR, ".find-form button[type=submit]").click()
        assert_accessible(driver)
        assert driver.find_element(By.ID, "results-title").text == "1 memorial matches"
        assert [e.text for e in driver.find_elements(By.CLASS_NAME, "story-card-name")] == ["María José Gómez"]
        assert driver.find_element(By.ID, "q").get_attribute("value") == "maria gomez"
        assert Select(driver.find_element(By.ID, "state")).first_selected_option.text == "Texas"

        driver.find_element(By.ID, "q").clear()
        driver.find_element(By.ID, "q").send_keys("nobody by this name")
        driver.find_element(By.CSS_SELECTOR, ".find-form button[type=submit]").click()
        assert_accessible(driver)
        assert "No memorial matches this search" in driver.page_source
        driver.find_element(By.LINK_TEXT, "Clear the search and show every memorial").click()
        assert_accessible(driver)
        assert len(driver.find_elements(By.CLASS_NAME, "story-card")) == 3

        visit(driver, live.url + "/stories/?year=abc&age=9-x")
        assert driver.title.startswith("Error:")
        assert driver.switch_to.active_element.get_attribute("id") == "form-errors"
        assert len(driver.find_elements(By.CLASS_NAME, "story-card")) == 3
    finally:
        if driver is not None:
            quit_driver(driver)
        live.stop()


@pytest.mark.usefixtures("make_app")   # the seeder commits on a connection of its own
def test_every_page_of_the_whole_list_holds_the_next_memorials_in_order(app, client):
    from bench.seed import seed

    with app.app_context():
        seed(150)
        order = [s for s in db.session.execute(db.select(Story.slug).order_by(Story.published_at.desc(), Story.id.desc()))
                 .scalars()]
        unpublish_one = db.session.execute(db.select(Story).where(Story.slug == order[40])).scalar_one()
        from memorials.moderation import services as moderation

        moderation.unpublish(unpublish_one, make_moderator(), "Asked by the family.")
        db.session.commit()
        order.remove(unpublish_one.slug)
    app.config["STORIES_PER_PAGE"] = 7
    shown = []
    for page in range(1, 23):
        body = client.get(f"/stories/?page={page}").get_data(as_text=True)
        shown += re.findall(r'class="story-card-link" href="/stories/([^"]+)"', body)
    assert shown == order


# --- in Spanish --------------------------------------------------------------------------------

def find_es(client, **params) -> tuple[int, str]:
    response = client.get("/es/stories/", query_string=params)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def test_the_spanish_list_filters_and_counts_in_spanish(app, client, many):
    def ages(n):
        return (10 + 2 * n) - (0 if n % 2 else 3)

    status, page = find_es(client, state="OH", age="25-34")
    expected = [f"Person Number{n:02d}" for n in reversed(range(2, 30)) if n % 3 == 0 and 25 <= ages(n) <= 34]
    assert status == 200 and names_on(page) == expected and len(expected) > 1
    assert count_line(page) == f"{len(expected)} homenajes coinciden"
    assert '<html lang="es">' in page and "<title>Homenajes · " in page
    # The form speaks Spanish and keeps the choices.
    assert "Nombre, lugar o palabras de su historia" in page and "Año en que falleció" in page
    assert re.search(r'<option value="OH" selected>Ohio</option>', page)
    assert re.search(r'<option value="25-34" selected>De 25 a 34</option>', page)
    assert '<option value="65-">65 o más</option>' in page and '<option value="0-17">Menos de 18</option>' in page
    assert '<option value="DC">Distrito de Columbia</option>' in page
    assert 'href="/es/stories/">Borrar la búsqueda y mostrar todos los homenajes' in page
    # The cards: Spanish words around the family's words, dates by Babel.
    assert "falleció en julio de 2023" in page and "died" not in page
    one = find_es(client, state="OH", age="0-17")[1]
    assert count_line(one) in ("1 homenaje coincide", "0 homenajes coinciden")


def test_the_spanish_list_says_kindly_when_nothing_matches(app, client, many):
    status, page = find_es(client, q="zebra", state="OH", age="25-34")
    assert status == 200 and count_line(page) == "0 homenajes coinciden"
    assert "Ningún homenaje coincide con esta búsqueda." in page
    assert 'href="/es/stories/">Borrar la búsqueda' in page


def test_the_spanish_list_pages_and_sets_bad_values_aside_in_spanish(app, client, many):
    page = find_es(client)[1]
    assert count_line(page) == "30 homenajes" and "Página 1 de 2" in page and "Anteriores →" in page
    assert 'rel="next" href="/es/stories/?page=2"' in page
    past = find_es(client, page="3")[1]
    assert "Aquí no hay página 3: estos homenajes ocupan 2 páginas." in past and "Ir a la última página" in past
    bad = find_es(client, state="ZZ", year="1850", age="9-x")[1]
    assert "<title>Error: Homenajes" in bad and "Por favor, revise los campos marcados abajo." in bad
    for message in ("Por favor, elija un estado de la lista.", "Por favor, elija un año de la lista.",
                    "Por favor, elija una edad de la lista."):
        assert message in bad
    assert count_line(bad) == "30 homenajes"


def test_an_empty_site_says_so_in_spanish(client):
    status, page = find_es(client)
    assert status == 200 and "Todavía no se ha publicado ningún homenaje." in page and count_line(page) == "0 homenajes"


def test_cards_are_kept_per_language(app, client, many):
    english = find(client, state="TX")[1]
    spanish = find_es(client, state="TX")[1]
    english_again = find(client, state="TX")[1]
    assert names_on(english) == names_on(spanish) == names_on(english_again)
    assert "died July 2023" in english and "falleció" not in english and "died July 2023" in english_again
    assert "falleció en julio de 2023" in spanish and "died July" not in spanish
    # A card's link follows the page's language.
    assert 'href="/es/stories/person-number' in spanish and 'href="/stories/person-number' in english


@pytest.mark.both_databases
def test_the_wall_months_and_search_days_migrations_count_the_faces_already_published(empty_database_url, tmp_path):
    """Migration 0018 on a database with memorials: each month's faces are counted from the index as it stands
    (a month without faces keeps 0), so the wall's deep pages are right from the first request; migration 0021
    counts the same memorials and faces by day, and its downgrade by month again."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "migrated")})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0017_photo_storage")
        entries = [(1, datetime(2024, 1, 31, 23, 59), True), (2, datetime(2024, 1, 2), True),
                   (3, datetime(2024, 1, 5), False), (4, datetime(2024, 12, 1), True), (5, datetime(2025, 3, 9), False)]
        with db.engine.begin() as connection:   # as 0017 left them: stories in the index, months counted
            for story_id, published, face in entries:
                connection.execute(text(
                    "INSERT INTO story (id, slug, status, email, manage_token_hash, created_at, published_at) "
                    "VALUES (:id, :slug, 'published', 'a@example.org', :hash, :at, :at)"),
                    {"id": story_id, "slug": f"person-{story_id}", "hash": f"h{story_id}", "at": published})
                connection.execute(text(
                    "INSERT INTO search_entry (story_id, version_id, published_at, state_code, died_year, age, face) "
                    "VALUES (:id, :id, :at, 'OH', 2023, 30, :face)"), {"id": story_id, "at": published, "face": face})
            connection.execute(text("INSERT INTO search_month (month, memorials) VALUES (202401, 3), (202412, 1), "
                                    "(202503, 1)"))
        upgrade(directory=directory, revision="0020_search_state_lexeme")
        months = "SELECT month, memorials, faces FROM search_month ORDER BY month"
        by_month = [(202401, 3, 2), (202412, 1, 1), (202503, 1, 0)]
        with db.engine.begin() as connection:
            assert [tuple(row) for row in connection.execute(text(months))] == by_month
        # Migration 0021: the same memorials counted by the day they were first published (search_day), and back.
        upgrade(directory=directory, revision="head")
        days = db.session.execute(db.select(SearchDay.day, SearchDay.memorials, SearchDay.faces)
                                  .order_by(SearchDay.day)).all()
        assert [tuple(row) for row in days] == [(20240102, 1, 1), (20240105, 1, 0), (20240131, 1, 1),
                                                (20241201, 1, 1), (20250309, 1, 0)]
        db.session.remove()
        downgrade(directory=directory, revision="0020_search_state_lexeme")
        with db.engine.begin() as connection:
            assert [tuple(row) for row in connection.execute(text(months))] == by_month
        db.session.remove()
        db.engine.dispose()


def _ana_garcia_as_indexed(connection, *, lexemes: bool) -> None:
    """Three public memorials of Ana Garcia (1: Ohio, 2: Texas, 3: no state) as an older schema indexed them on
    PostgreSQL: the words alone, or (`lexemes`) with the state's lexeme migration 0020 gave each document."""
    for story_id, state in ((1, "OH"), (2, "TX"), (3, "")):
        connection.execute(text(
            "INSERT INTO story (id, slug, status, email, manage_token_hash, created_at, published_at) "
            "VALUES (:id, :slug, 'published', 'a@example.org', :hash, now(), now())"),
            {"id": story_id, "slug": f"person-{story_id}", "hash": f"h{story_id}"})
        connection.execute(text(
            "INSERT INTO search_entry (story_id, version_id, published_at, state_code, died_year, age, face, "
            "document) VALUES (:id, :id, now(), :state, 2023, 30, false, to_tsvector('simple', 'Ana Garcia') "
            "|| CAST(:lexeme AS tsvector))"),
            {"id": story_id, "state": state, "lexeme": f"_state_{state.lower()}" if state and lexemes else ""})


@pytest.mark.postgresql_only
def test_the_state_lexeme_migration_lets_a_search_with_a_state_find_memorials_already_published(empty_database_url,
                                                                                                 tmp_path):
    """Migration 0020: documents indexed before it gain their state's lexeme, so a search with words and a state
    (which asks the full-text index for both) finds them; a memorial with no state gains nothing."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "migrated")})
    both = "SELECT story_id FROM search_entry WHERE document @@ (to_tsquery('simple', 'garcia') && CAST(:state AS tsquery))"
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0019_page_generation_notify")
        with db.engine.begin() as connection:   # as 0019 left them: the words, no state
            _ana_garcia_as_indexed(connection, lexemes=False)
            assert connection.execute(text(both), {"state": "'_state_oh'"}).all() == []
        upgrade(directory=directory, revision="0020_search_state_lexeme")
        found = db.session.execute(text(both), {"state": "'_state_oh'"}).scalars().all()
        assert found == [1]
        assert db.session.execute(text("SELECT count(*) FROM search_entry WHERE document @@ to_tsquery('simple', "
                                       "'garcia')")).scalar() == 3
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgresql_only
def test_the_document_in_row_migration_keeps_every_document_searchable_and_ranked_the_same(empty_database_url,
                                                                                           tmp_path):
    """Migration 0023: a document stored out of line before it (long, and hardly compressible) moves into its
    row, with the same lexemes, positions and weights: found by the same words, ranked the same; its downgrade
    moves it back."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "migrated")})
    rank = "SELECT ts_rank(document, to_tsquery('simple', 'garcia')) FROM search_entry WHERE document @@ " \
           "to_tsquery('simple', 'garcia & c4ca4238a0b923820dcc509a6f75849b')"
    out_of_line = "SELECT count(*) FROM pg_toast.pg_toast_{oid}"
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0022_search_cards")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO story (id, slug, status, email, manage_token_hash, created_at, published_at) "
                "VALUES (1, 'ana-garcia', 'published', 'a@example.org', 'h1', now(), now())"))
            connection.execute(text(
                "INSERT INTO search_entry (story_id, version_id, published_at, state_code, died_year, age, face, "
                "document) SELECT 1, 1, now(), 'OH', 2023, 30, false, setweight(to_tsvector('simple', 'Ana "
                "Garcia'), 'A') || to_tsvector('simple', string_agg(md5(i::text), ' ') || ' garcia') "
                "FROM generate_series(1, 150) i"))
            oid = connection.execute(text("SELECT oid FROM pg_class WHERE relname = 'search_entry'")).scalar()
            before = connection.execute(text(rank)).scalar()
            assert connection.execute(text(out_of_line.format(oid=oid))).scalar() > 0
        upgrade(directory=directory, revision="head")
        assert db.session.execute(text(rank)).scalar() == before > 0
        assert db.session.execute(text(out_of_line.format(oid=oid))).scalar() == 0
        db.session.remove()
        downgrade(directory=directory, revision="0022_search_cards")    # and back, as it was
        assert db.session.execute(text(rank)).scalar() == before
        assert db.session.execute(text(out_of_line.format(oid=oid))).scalar() > 0
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgresql_only
def test_the_state_words_migration_moves_the_state_from_the_documents_to_its_own_index(empty_database_url, tmp_path):
    """Migration 0024: documents lose the state's lexeme 0020 gave them, and a search with a state reads the index
    of the words with their state (memorials already published found there too); its downgrade gives the
    lexemes back and drops the index."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "migrated")})
    lexemes = "SELECT count(*) FROM search_entry WHERE document @@ CAST('_state_oh | _state_tx' AS tsquery)"
    in_state = "SELECT story_id FROM search_entry WHERE search_state_words(document, state_code) @@ CAST(:q AS tsquery)"
    index = "SELECT count(*) FROM pg_indexes WHERE indexname = :name"
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0023_search_document_inline")
        with db.engine.begin() as connection:   # as 0023 left them: the state's lexeme in each document
            _ana_garcia_as_indexed(connection, lexemes=True)
            assert connection.execute(text(lexemes)).scalar() == 2
        upgrade(directory=directory, revision="head")
        assert db.session.execute(text(lexemes)).scalar() == 0
        assert db.session.execute(text(in_state), {"q": "oh_garcia"}).scalars().all() == [1]
        assert db.session.execute(text(in_state), {"q": "tx_an:*"}).scalars().all() == [2]
        assert db.session.execute(text(index), {"name": STATE_WORDS_INDEX}).scalar() == 1
        assert db.session.execute(text("SELECT count(*) FROM search_entry WHERE document @@ to_tsquery('simple', "
                                       "'garcia')")).scalar() == 3
        db.session.remove()
        downgrade(directory=directory, revision="0023_search_document_inline")    # and back, as it was
        assert db.session.execute(text(lexemes)).scalar() == 2
        assert db.session.execute(text(index), {"name": STATE_WORDS_INDEX}).scalar() == 0
        db.session.remove()
        db.engine.dispose()


def test_a_short_word_never_matches_the_state_a_memorial_is_indexed_with(app, client, moderator):
    """On PostgreSQL a search with a state reads words that carry their state ("az_tucson"): a short word, which is
    also sought as the start of longer ones ("sta" finds "stacy"), finds words, never the state put in front of
    them, with or without a state."""
    with app.app_context():
        published(moderator, story("Maria Lopez", city="Tucson", state="AZ", text="She loved music and dancing."))
    for words in ("sta", "stat", "st maria", "az", "az maria"):
        assert names_on(find(client, q=words)[1]) == [], words
        assert names_on(find(client, q=words, state="AZ")[1]) == [], words
    assert names_on(find(client, q="ar", state="AZ")[1]) == ["Maria Lopez"]    # the start of "Arizona"
    assert names_on(find(client, q="maria", state="AZ")[1]) == ["Maria Lopez"]
    assert names_on(find(client, q="maria", state="OH")[1]) == []
