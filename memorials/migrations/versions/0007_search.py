"""finding memorials: full-text search, filters, list and photo indexes

search_entry (one row per public memorial, with PostgreSQL's tsvector and its GIN index), search_count
(public memorials per state, year and age group), search_month (per month published), SQLite's FTS5
table search_text; indexes for the
list's order and for the photo lookup. Memorials already published are indexed here.

Revision ID: 0007_search
Revises: 0006_community
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0007_search"
down_revision = "0006_community"
branch_labels = None
depends_on = None

CREATE_FTS = ("CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5("
              "name, place, story, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')")


def upgrade():
    # Plain indexes: SQLite adds them without rebuilding story or story_version.
    op.create_index("ix_story_status_newest", "story", ["status", sa.text("published_at DESC"), sa.text("id DESC")])
    op.create_index(op.f("ix_story_live_version_id"), "story", ["live_version_id"])
    op.create_index(op.f("ix_story_version_photo_id"), "story_version", ["photo_id"])

    op.create_table(
        "search_entry",
        sa.Column("story_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("died_year", sa.Integer(), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("document", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_search_entry_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("story_id", name=op.f("pk_search_entry")),
    )
    op.create_index("ix_search_entry_newest", "search_entry",
                    [sa.text("published_at DESC"), sa.text("story_id DESC"), "version_id", "state_code", "died_year",
                     "age"])
    op.create_index("ix_search_entry_document", "search_entry", ["document"], postgresql_using="gin",
                    sqlite_where=sa.text("document IS NOT NULL"))
    op.create_table(
        "search_count",
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("died_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("age_group", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("memorials", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("state_code", "died_year", "age_group", name=op.f("pk_search_count")),
    )
    op.create_table(
        "search_month",
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("memorials", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_search_month")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(CREATE_FTS)

    from memorials.search.index import rebuild

    rebuild(bind)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_text")
    op.drop_table("search_month")
    op.drop_table("search_count")
    op.drop_index("ix_search_entry_document", table_name="search_entry")
    op.drop_index("ix_search_entry_newest", table_name="search_entry")
    op.drop_table("search_entry")
    op.drop_index(op.f("ix_story_version_photo_id"), table_name="story_version")
    op.drop_index(op.f("ix_story_live_version_id"), table_name="story")
    op.drop_index("ix_story_status_newest", table_name="story")
