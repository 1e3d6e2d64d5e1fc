"""Which page numbers a pagination shows (memorials/paging.py pages_shown): the first, the last, this page and the
two either side of it, in order, with a gap marked wherever numbers are skipped."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from memorials.paging import pages_shown


@st.composite
def page_of(draw):
    pages = draw(st.integers(min_value=1, max_value=1_000_000))
    return draw(st.integers(min_value=1, max_value=pages)), pages


@given(page_of())
def test_the_first_the_last_and_the_pages_around_this_one_in_order_with_their_gaps(where):
    page, pages = where
    shown = pages_shown(page, pages)
    numbers = [n for n, _gap in shown]
    assert numbers == sorted(set(numbers))
    assert set(numbers) == {1, pages} | {n for n in range(page - 2, page + 3) if 1 <= n <= pages}
    assert [gap for _n, gap in shown] == [n > previous + 1 for previous, n in zip([0, *numbers], numbers)]


def test_a_few_paginations_as_a_visitor_sees_them():
    def drawn(page, pages):
        return " ".join(("… " if gap else "") + str(n) for n, gap in pages_shown(page, pages))
    assert drawn(1, 1) == "1"
    assert drawn(1, 7) == "1 2 3 … 7"
    assert drawn(4, 7) == "1 2 3 4 5 6 7"
    assert drawn(50, 100) == "1 … 48 49 50 51 52 … 100"
    assert drawn(100, 100) == "1 … 98 99 100"
