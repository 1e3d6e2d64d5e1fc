"""sharing: every address a memorial has had, so old links answer 301 to the current one

Revision ID: 0008_sharing
Revises: 0007_search
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_sharing"
down_revision = "0007_search"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "story_slug",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_story_slug_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_slug")),
        sa.UniqueConstraint("slug", name=op.f("uq_story_slug_slug")),
    )
    op.create_index(op.f("ix_story_slug_story_id"), "story_slug", ["story_id"], unique=False)
    # Memorials published before this revision: their address today is the first one remembered.
    op.execute(
        "INSERT INTO story_slug (story_id, slug, created_at) "
        "SELECT id, slug, COALESCE(published_at, created_at) FROM story WHERE slug IS NOT NULL"
    )


def downgrade():
    op.drop_index(op.f("ix_story_slug_story_id"), table_name="story_slug")
    op.drop_table("story_slug")
