"""outbox: mail written in the same transaction as its cause; new private links that keep the old one; one log

Revision ID: 0005_outbox
Revises: 0004_merge
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_outbox"
down_revision = "0004_merge"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    op.create_index("ix_outbox_message_due", "outbox_message", ["status", "next_attempt_at"], unique=False)

    # A plain column and a unique index: SQLite adds both without rebuilding the story table.
    op.add_column("story", sa.Column("new_token_hash", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_story_new_token_hash"), "story", ["new_token_hash"], unique=True)

    # The log serves every feature: items other than stories, and acts with no story (sign-ins).
    with op.batch_alter_table("moderation_event", schema=None) as batch_op:
        batch_op.alter_column("story_ref", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("item_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("item_ref", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("moderation_event", schema=None) as batch_op:
        batch_op.drop_column("item_ref")
        batch_op.drop_column("item_kind")
    op.drop_index(op.f("ix_story_new_token_hash"), table_name="story")
    op.drop_column("story", "new_token_hash")
    op.drop_index("ix_outbox_message_due", table_name="outbox_message")
    op.drop_table("outbox_message")
