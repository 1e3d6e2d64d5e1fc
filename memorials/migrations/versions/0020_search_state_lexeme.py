"""search state lexeme: PostgreSQL's full-text document carries its memorial's state, so a search with a state
reads only that state's matches

Revision ID: 0020_search_state_lexeme
Revises: 0019_page_generation_notify
"""
from alembic import op

revision = "0020_search_state_lexeme"
down_revision = "0019_page_generation_notify"
branch_labels = None
depends_on = None

# As memorials/search/index.py wrote it until migration 0024: '_state_oh' (no typed word, nor its prefix, can match
# it). SQLite's index is unchanged (its search joins the state from search_entry).


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("UPDATE search_entry SET document = coalesce(document, ''::tsvector) "
               "|| array_to_tsvector(ARRAY['_state_' || lower(state_code)]) WHERE state_code <> ''")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("UPDATE search_entry SET document = ts_delete(document, '_state_' || lower(state_code)) "
               "WHERE state_code <> ''")
