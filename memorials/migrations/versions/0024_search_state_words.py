"""search state words: PostgreSQL answers a search with a state from an index of the words with their
memorial's state ("oh_garcia"), and the documents no longer carry the state as a lexeme of their own

Revision ID: 0024_search_state_words
Revises: 0023_search_document_inline

Since migration 0020 a search with a state asked the documents' index for the words and the state's lexeme
together. The index then read both whole: at 1,000,000 memorials, every Nguyen and every Texan (about 17,000
of each) to keep the few hundred in both, 1.2 ms of the index's time. The new index (of an expression:
nothing more is stored in the row) holds each word once per state, so it reads Ohio's Garcias alone. The
lexemes are taken out of the documents a batch of memorials at a time, and the index is made CONCURRENTLY, so
that the site keeps serving, and approving, meanwhile. SQLite is unchanged (its search joins the state).
"""
from alembic import op

revision = "0024_search_state_words"
down_revision = "0023_search_document_inline"
branch_labels = None
depends_on = None

BATCH = 20_000   # memorials written again per transaction (as in migration 0023)
# The state's lexeme as migration 0020 wrote it: '_state_oh'.
LEXEME = "'_state_' || lower(state_code)"
# As memorials/search/models.py makes them (create_all).
FUNCTION = """
CREATE OR REPLACE FUNCTION search_state_words(document tsvector, state_code text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN array_to_tsvector(ARRAY(SELECT lower(state_code) || '_' || lexeme FROM unnest(document)));
END $$"""
INDEX = "ix_search_entry_state_words"


def _in_batches(statement: str) -> None:
    last = op.get_bind().exec_driver_sql("SELECT coalesce(max(story_id), 0) FROM search_entry").scalar()
    for start in range(0, last, BATCH):
        op.execute(f"{statement} AND story_id > {start} AND story_id <= {start + BATCH}")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.get_context().autocommit_block():
        _in_batches(f"UPDATE search_entry SET document = ts_delete(document, {LEXEME}) WHERE state_code <> ''")
        op.execute(FUNCTION)
        op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON search_entry "
                   "USING gin (search_state_words(document, state_code))")
        op.execute("VACUUM (ANALYZE) search_entry")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        op.execute("DROP FUNCTION IF EXISTS search_state_words(tsvector, text)")
        _in_batches(f"UPDATE search_entry SET document = coalesce(document, ''::tsvector) "
                    f"|| array_to_tsvector(ARRAY[{LEXEME}]) WHERE state_code <> ''")
