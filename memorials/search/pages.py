"""What the lists of memorials show, for their views (stories.index, stories.wall, the front page): the form,
one page of results and the cards, drawn from the index and the card cache. The views import only this module
of the search package."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from .. import fragments
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


def newest_faces(count: int) -> list:
    """The newest memorials with a photo, as faces, for the front page."""
    return cards.render(faces(None, 1, count, counted=False).cards, heading="p", macro="face")
