"""search cards: each public memorial's card drawn in each language when it is approved, so a first visit to a
list page reads its cards instead of drawing them (empty at first: `flask --app app draw-cards` draws them)

Revision ID: 0022_search_cards
Revises: 0021_search_days
"""
from alembic import op
import sqlalchemy as sa

revision = "0022_search_cards"
down_revision = "0021_search_days"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_card",
        sa.Column("story_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=16), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_search_card_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("story_id", "language", name=op.f("pk_search_card")),
    )


def downgrade():
    op.drop_table("search_card")
