"""What the lists of memorials show, for their views (stories.index, stories.wall, the front page): the form,
one page of results and the cards, drawn from the index and the card cache. The views import only this module
of the search package."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, session
from flask_login import current_user
from markupsafe import Markup

from .. import fragments, i18n
from ..languages import LANGUAGES
from . import cards
from .forms import FindForm, WallForm
from .query import Filters, Results, faces, find


@dataclass
class ListPage:
    form: FindForm
    filters: Filters
    results: Results           # .items: the cards' HTML, in order
    args: dict                 # the valid filters, for links to other pages

    @property
    def form_html(self) -> Markup:
        """The form with its values: drawn once per worker for each set of filters and years offered, the words
        put in its one hole (a new search is most often new words); with a value in error, drawn for this page
        alone."""
        form, template = self.form, "stories/_find_form.html"
        if form.errors:
            return Markup(render_template(template, form=form, filters=self.filters))
        words = form.q.data
        # What the template reads besides the words: whether anything is asked for (words that are all
        # punctuation ask for nothing), the filters, the years offered.
        key = (bool(words), self.filters.active, form.state.data, form.year.data, form.age.data,
               tuple(self.results.years))
        if not words:
            return fragments.drawn_for(template, key, form=form, filters=self.filters)
        form.q.data = fragments.stand_in("q")
        try:
            return fragments.drawn_for(template, key, holes={"q": words}, form=form, filters=self.filters)
        finally:
            form.q.data = words

    @property
    def counts(self) -> list:
        """Each card's candles, and messages with memories, drawn, in order."""
        return cards.render_counts([card.counts for card in self.results.cards])


def render_list(found: ListPage) -> str:
    """/stories/ as a page: how many match, the cards and the pages (stories/_results.html) are drawn for it; the
    rest (head, header, title, footer) is the same for every list page in a language, so it is kept per worker,
    language and menu (_kept_page), the form (kept on its own: form_html) put in."""
    results = _drawn("stories/_results.html", "results", found.results, found.filters, found.args, found.counts)
    return _kept_page("stories/index.html", (current_user.is_authenticated,), found.form,
                      {"find_form": found.form_html, "results": results})


def _drawn(template: str, macro: str, *args) -> Markup:
    """A macro of `template`, drawn with these values (the module of macros is made once per worker)."""
    return Markup(getattr(current_app.jinja_env.get_template(template).module, macro)(*args))


def _kept_page(template: str, key: tuple, form, own: dict) -> str:
    """`template` as a page, drawn once per worker, language and `key` with a stand-in for each of its `own` parts,
    this page's address in each language and the language switch (base.html), and kept: each page puts in its
    own. A page with something more of its own (a value in error beside its form, a message waiting to be shown)
    is drawn whole."""
    if form.errors or session.get("_flashes"):
        return render_template(template, form=form, **own)
    holes = {**own, "switch": i18n.switch_url(), **{f"in_{lang}": i18n.page_url(lang) for lang in LANGUAGES}}
    return fragments.drawn_for(
        template, key, holes=holes, form=form, **{name: fragments.stand_in(name) for name in own},
        language_switch_url=lambda: fragments.stand_in("switch"),
        language_url=lambda lang, **_: fragments.stand_in(f"in_{lang}"))


def list_page(args, page: int, per_page: int) -> ListPage:
    """/stories/: words and filters from the query string (a value in error is set aside, with a note beside its
    field), one page of matching memorials, and the years to offer."""
    form = FindForm(args)
    form.validate()
    filters = form.filters()
    results = find(filters, page, per_page)
    results.items = cards.render(results.cards, heading="h3")
    form.offer_years(results.years)
    return ListPage(form, filters, results, form.query_args())


@dataclass
class WallPage:
    form: WallForm
    state: str | None
    results: Results           # .items: each face's HTML

    @property
    def args(self) -> dict:
        return {"state": self.state} if self.state else {}


def wall_page(args, page: int, per_page: int) -> WallPage:
    """/stories/wall: the faces of the memorials with a photo, newest first, one state or all."""
    form = WallForm(args)
    form.validate()
    state = form.chosen_state()
    results = faces(state, page, per_page)
    results.items = cards.render(results.cards, heading="p", macro="face")
    return WallPage(form, state, results)


def render_wall(found: WallPage) -> str:
    """/stories/wall as a page: how many faces, the faces and the pages (stories/_wall_results.html) are drawn for
    it; the rest (its form with the state chosen, head, header, footer) is kept per worker, language, state and
    menu, as the list's is."""
    own = {"count_line": _drawn("stories/_wall_results.html", "count_line", found.results, found.state),
           "faces": _drawn("stories/_wall_results.html", "faces", found.results, found.args)}
    return _kept_page("stories/wall.html", (current_user.is_authenticated, found.state), found.form, own)


def newest_faces(count: int) -> list:
    """The newest memorials with a photo, as faces, for the front page."""
    return cards.render(faces(None, 1, count, counted=False).cards, heading="p", macro="face")
