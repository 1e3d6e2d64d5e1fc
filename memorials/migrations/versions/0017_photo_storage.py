"""photo storage: deletes and public copies of photos and share cards that must still happen

Revision ID: 0017_photo_storage
Revises: 0015_statehouse
"""
from alembic import op
import sqlalchemy as sa

revision = "0017_photo_storage"
down_revision = "0015_statehouse"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "store_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_task")),
        sa.UniqueConstraint("action", "area", "name", name="uq_store_task_action_area_name"),
    )
    with op.batch_alter_table("store_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_store_task_next_attempt_at"), ["next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("store_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_task_next_attempt_at"))
    op.drop_table("store_task")
