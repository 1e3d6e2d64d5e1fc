"""search document inline: PostgreSQL keeps each memorial's full-text document in its row, compressed with lz4
where the server has it, instead of out of line in the TOAST table

Revision ID: 0023_search_document_inline
Revises: 0022_search_cards

A search ranks every memorial that matches (ts_rank reads the whole document). Most documents are a little
over 2 KB, so PostgreSQL stored them apart: each one ranked cost a lookup in the TOAST table's index and one or
two more pages. Kept in the row (STORAGE MAIN: compressed, and moved out only when a row would not fit a page),
a common surname with a state took 1.65 ms instead of 2.15 at 1,000,000 memorials (warm). The documents already
stored are written again so that they move too (the same lexemes, positions and weights): 1 min 38 s at
1,000,000 on a 2-core machine.
"""
from alembic import op

revision = "0023_search_document_inline"
down_revision = "0022_search_cards"
branch_labels = None
depends_on = None


# STORAGE MAIN, and lz4 where this server was built with it (Debian's and most packaged servers are).
INLINE = """
DO $$ BEGIN
    ALTER TABLE search_entry ALTER COLUMN document SET STORAGE MAIN;
    IF EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
        ALTER TABLE search_entry ALTER COLUMN document SET COMPRESSION lz4;
    END IF;
END $$"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(INLINE)
    op.execute("UPDATE search_entry SET document = document || ''::tsvector WHERE document IS NOT NULL")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_entry ALTER COLUMN document SET STORAGE EXTENDED")
    op.execute("ALTER TABLE search_entry ALTER COLUMN document SET COMPRESSION default")
    op.execute("UPDATE search_entry SET document = document || ''::tsvector WHERE document IS NOT NULL")
