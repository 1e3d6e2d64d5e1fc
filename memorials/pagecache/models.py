"""The site's change counter: one row, raised by every commit that changes what a public page shows."""
from __future__ import annotations

from sqlalchemy import DDL, BigInteger, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, unseen_by_visitors


@unseen_by_visitors
class PageGeneration(db.Model):
    """A page kept by any worker on any app server is served only while this number is what it was
    when the page was made (memorials/pagecache/generation.py raises it in the changing transaction)."""

    __tablename__ = "page_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# On PostgreSQL the counter's every new value is sent to the workers that LISTEN for it (listen.py), however it
# was raised. (Migration 0019 adds the same to a database made before it.)
NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION page_generation_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('page_generation', NEW.value::text);
    RETURN NULL;
END
$$"""
NOTIFY_TRIGGER = ("CREATE TRIGGER page_generation_notify AFTER INSERT OR UPDATE ON page_generation "
                  "FOR EACH ROW EXECUTE FUNCTION page_generation_notify()")
event.listen(PageGeneration.__table__, "after_create", DDL(NOTIFY_FUNCTION).execute_if(dialect="postgresql"))
event.listen(PageGeneration.__table__, "after_create", DDL(NOTIFY_TRIGGER).execute_if(dialect="postgresql"))
event.listen(PageGeneration.__table__, "after_drop",
             DDL("DROP FUNCTION IF EXISTS page_generation_notify()").execute_if(dialect="postgresql"))
