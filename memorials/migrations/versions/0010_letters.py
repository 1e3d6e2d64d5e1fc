"""letters: memorial bridge, calls counted, one-time letter tokens

Revision ID: 0010_letters
Revises: 0009_numbers

Adds: district office hours; a campaign's call ask and running totals (back-filled from the
per-state counts); calls per campaign and state; letters per memorial; used one-time tokens
(hash and expiry only). Plain add_column and create_table: no table is rebuilt.
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_letters"
down_revision = "0009_numbers"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("district_office", sa.Column("hours", sa.String(length=200), nullable=True))
    op.add_column("campaign", sa.Column("call_ask", sa.String(length=300), nullable=True))
    op.add_column("campaign", sa.Column("letters_total", sa.Integer(), server_default="0", nullable=False))
    op.add_column("campaign", sa.Column("calls_total", sa.Integer(), server_default="0", nullable=False))
    op.add_column("letter_count", sa.Column("calls", sa.Integer(), server_default="0", nullable=False))
    op.execute("UPDATE campaign SET letters_total = (SELECT COALESCE(SUM(letter_count.letters), 0) "
               "FROM letter_count WHERE letter_count.campaign_id = campaign.id)")

    op.create_table(
        "memorial_letter_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("letters", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_memorial_letter_count_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memorial_letter_count")),
        sa.UniqueConstraint("story_id", name=op.f("uq_memorial_letter_count_story_id")),
    )
    op.create_table(
        "used_letter_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_used_letter_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_used_letter_token_token_hash")),
    )
    op.create_index(op.f("ix_used_letter_token_expires_at"), "used_letter_token", ["expires_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_used_letter_token_expires_at"), table_name="used_letter_token")
    op.drop_table("used_letter_token")
    op.drop_table("memorial_letter_count")
    with op.batch_alter_table("letter_count") as batch_op:
        batch_op.drop_column("calls")
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.drop_column("calls_total")
        batch_op.drop_column("letters_total")
        batch_op.drop_column("call_ask")
    with op.batch_alter_table("district_office") as batch_op:
        batch_op.drop_column("hours")
