"""One page of a memorial's messages or memories, read with as few statements as the page allows."""
from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import SelectPagination

from .extensions import db


def page_number(name: str) -> int:
    """?messages=3 -> 3; anything else (or absurd) -> a page the query answers plainly."""
    return min(max(request.args.get(name, 1, type=int) or 1, 1), 1_000_000)


class _CountedByItsItems(SelectPagination):
    """A first page that is not full holds every item there is: the total is known without a count."""

    def _query_count(self) -> int:
        if self.page == 1 and len(self.items) < self.per_page:
            return len(self.items)
        return super()._query_count()


def paginate(select, page: int, per_page: int) -> SelectPagination:
    """db.paginate (out-of-range pages answer empty, never 404), without its count where the items say it."""
    return _CountedByItsItems(select=select, session=db.session(), page=page, per_page=per_page,
                              max_per_page=per_page, error_out=False)
