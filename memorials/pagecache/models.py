"""The site's change counter: one row, raised by every commit that changes what a public page shows."""
from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, unseen_by_visitors


@unseen_by_visitors
class PageGeneration(db.Model):
    """A page kept by any worker on any app server is served only while this number is what it was
    when the page was made (memorials/pagecache/generation.py raises it in the changing transaction)."""

    __tablename__ = "page_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
