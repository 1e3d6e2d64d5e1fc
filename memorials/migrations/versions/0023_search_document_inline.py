"""search document inline: PostgreSQL keeps each memorial's full-text document in its row, compressed with lz4
where the server has it, instead of out of line in the TOAST table

Revision ID: 0023_search_document_inline
Revises: 0022_search_cards

A search ranks every memorial that matches (ts_rank reads the whole document). Most documents are a little
over 2 KB, so PostgreSQL stored them apart: each one ranked cost a lookup in the TOAST table's index and one or
two more pages. Kept in the row (STORAGE MAIN: compressed, and moved out only when a row would not fit a page),
a common surname with a state took 1.65 ms instead of 2.15 at 1,000,000 memorials (warm). The documents already
stored are written again so that they move too (the same lexemes, positions and weights), a batch of memorials
at a time, so that the site keeps serving meanwhile.
"""
from alembic import op

revision = "0023_search_document_inline"
down_revision = "0022_search_cards"
branch_labels = None
depends_on = None


# STORAGE MAIN, and lz4 where this server has it (PostgreSQL 14 or later, built with lz4, as Debian's and most
# packaged servers are); EXECUTE, so that an older server never reads SET COMPRESSION.
INLINE = """
DO $$ BEGIN
    ALTER TABLE search_entry ALTER COLUMN document SET STORAGE MAIN;
    IF EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
        EXECUTE 'ALTER TABLE search_entry ALTER COLUMN document SET COMPRESSION lz4';
    END IF;
END $$"""
OUT_OF_LINE = """
DO $$ BEGIN
    ALTER TABLE search_entry ALTER COLUMN document SET STORAGE EXTENDED;
    IF EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression') THEN
        EXECUTE 'ALTER TABLE search_entry ALTER COLUMN document SET COMPRESSION default';
    END IF;
END $$"""
BATCH = 20_000   # memorials written again per transaction: the site keeps serving (and approving) meanwhile


def _store_again(how: str) -> None:
    """Set how documents are stored (a moment's exclusive lock), then write every document again in short
    transactions of BATCH memorials, so that readers and approvals never wait for the whole table; then VACUUM,
    so that the rows left behind are reused."""
    with op.get_context().autocommit_block():
        op.execute(how)
        last = op.get_bind().exec_driver_sql("SELECT coalesce(max(story_id), 0) FROM search_entry").scalar()
        for start in range(0, last, BATCH):
            op.execute(f"UPDATE search_entry SET document = document || ''::tsvector "
                       f"WHERE story_id > {start} AND story_id <= {start + BATCH} AND document IS NOT NULL")
        op.execute("VACUUM (ANALYZE) search_entry")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _store_again(INLINE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _store_again(OUT_OF_LINE)
