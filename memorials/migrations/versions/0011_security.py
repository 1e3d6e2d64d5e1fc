"""moderators: two-factor sign-in, roles, sessions, sign-in throttling

Revision ID: 0011_security
Revises: 0010_letters
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_security"
down_revision = "0010_letters"
branch_labels = None
depends_on = None


def upgrade():
    # Plain add_column calls: SQLite adds them without rebuilding the tables.
    op.add_column("moderator", sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("moderator", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("moderator", sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.add_column("moderator", sa.Column("last_sign_in_at", sa.DateTime(), nullable=True))
    op.add_column("moderator_session", sa.Column("last_seen_at", sa.DateTime(), nullable=False,
                                                 server_default=sa.func.current_timestamp()))

    op.create_table(
        "moderator_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["moderator_id"], ["moderator.id"], ondelete="CASCADE",
                                name=op.f("fk_moderator_recovery_code_moderator_id_moderator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_moderator_recovery_code_code_hash")),
    )
    op.create_index(op.f("ix_moderator_recovery_code_moderator_id"), "moderator_recovery_code",
                    ["moderator_id"], unique=False)

    op.create_table(
        "moderator_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["moderator_id"], ["moderator.id"], ondelete="CASCADE",
                                name=op.f("fk_moderator_invitation_moderator_id_moderator")),
        sa.ForeignKeyConstraint(["invited_by_id"], ["moderator.id"], ondelete="SET NULL",
                                name=op.f("fk_moderator_invitation_invited_by_id_moderator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_moderator_invitation_token_hash")),
    )
    op.create_index(op.f("ix_moderator_invitation_moderator_id"), "moderator_invitation",
                    ["moderator_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_moderator_invitation_moderator_id"), table_name="moderator_invitation")
    op.drop_table("moderator_invitation")
    op.drop_index(op.f("ix_moderator_recovery_code_moderator_id"), table_name="moderator_recovery_code")
    op.drop_table("moderator_recovery_code")
    with op.batch_alter_table("moderator_session") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("moderator") as batch:
        for column in ("last_sign_in_at", "totp_last_step", "totp_secret", "is_active"):
            batch.drop_column(column)
