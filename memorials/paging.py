"""One page of a memorial's messages or memories, read with as few statements as the page allows."""
from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from flask import request, url_for
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy.orm import lazyload

from .extensions import db

# The names a paged statement binds for its page (see paginate).
LIMIT = sa.bindparam("limit", type_=sa.Integer())
OFFSET = sa.bindparam("offset", type_=sa.Integer())


# Stands for the page number while a pagination's address is built (a lower-case word: url_for writes it as is).
PAGE_MARK = "pagenumberhere"


def page_link(endpoint: str, params: dict, param: str = "page", anchor: str | None = None):
    """n -> the address of page n of a list (templates/_macros.html `pagination` shows up to nine): built once
    with url_for, the page number put in its place after, when the mark stands once in the query string (else
    url_for for each)."""
    values = {name: value for name, value in params.items() if name != param}
    values[param] = PAGE_MARK
    built = url_for(endpoint, _anchor=anchor, **values)
    query = built.find("?")
    if built.count(PAGE_MARK) != 1 or not 0 <= query < built.find(PAGE_MARK):
        # The mark is not where a page number alone goes (a word, an anchor or a path holding it): one url_for each.
        return lambda n: url_for(endpoint, _anchor=anchor, **{**values, param: n})
    head, _, tail = built.partition(PAGE_MARK)
    return lambda n: f"{head}{n}{tail}"


def pages_shown(page: int, pages: int) -> list[tuple[int, bool]]:
    """The page numbers a pagination shows (the first, the last and the two either side of this one), each with
    whether a gap comes before it: (1, False), (4, True), (5, False), ... Worked out here rather than with the
    template's filters, which cost a list page more than its links."""
    shown = sorted({n for n in (1, page - 2, page - 1, page, page + 1, page + 2, pages) if 1 <= n <= pages})
    return [(n, n > previous + 1) for previous, n in zip([0, *shown], shown)]


def page_number(name: str) -> int:
    """?messages=3 -> 3; anything else (or absurd) -> a page the query answers plainly."""
    return min(max(request.args.get(name, 1, type=int) or 1, 1), 1_000_000)


class _CountedByItsItems(SelectPagination):
    """A statement built once (its page bound as LIMIT and OFFSET, the rest as `values`), read a page at a time.
    A first page that is not full holds every item there is: the total is known without a count. A total read
    beforehand (with the memorial, in the same statement) is taken as it is, and a page past it is not read."""

    def _query_items(self) -> list:
        args = self._query_args
        if args["total"] is not None and self._query_offset >= args["total"]:
            return []
        values = {**args["values"], "limit": self.per_page, "offset": self._query_offset}
        return list(args["session"].execute(args["select"], values).unique().scalars())

    def _query_count(self) -> int:
        args = self._query_args
        if args["total"] is not None:
            return args["total"]
        if self.page == 1 and len(self.items) < self.per_page:
            return len(self.items)
        every = args["select"].options(lazyload("*")).limit(None).offset(None).order_by(None).subquery()
        return args["session"].execute(sa.select(sa.func.count()).select_from(every), args["values"]).scalar()


@lru_cache(maxsize=64)
def _paged(select):
    """A statement built once, with its page bound as LIMIT and OFFSET: made once per statement, so that it keeps
    the key SQLAlchemy caches its compiled form under."""
    return select.limit(LIMIT).offset(OFFSET)


def paginate(select, page: int, per_page: int, values: dict, total: int | None = None) -> SelectPagination:
    """db.paginate (out-of-range pages answer empty, never 404) of a statement built once (its page is bound
    here), with these bound values; without its count where the items say it or `total` (already read) does,
    and without reading a page that `total` says is empty."""
    return _CountedByItsItems(select=_paged(select), values=values, total=total, session=db.session(), page=page,
                              per_page=per_page, max_per_page=per_page, error_out=False)
