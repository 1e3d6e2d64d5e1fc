"""visitors' memorial features: guestbook (condolences, candles), reports, remembrance notes

Revision ID: 0006_community
Revises: 0005_outbox
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_community"
down_revision = "0005_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "condolence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_condolence_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_condolence")),
    )
    op.create_index(op.f("ix_condolence_status"), "condolence", ["status"], unique=False)
    op.create_index("ix_condolence_story_status", "condolence", ["story_id", "status", "created_at"], unique=False)

    op.create_table(
        "candle_tally",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("candles", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_candle_tally_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("story_id", "day", name=op.f("pk_candle_tally")),
    )

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_report_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    op.create_index(op.f("ix_report_status"), "report", ["status"], unique=False)
    op.create_index(op.f("ix_report_story_id"), "report", ["story_id"], unique=False)

    op.create_table(
        "remembrance_sent",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_remembrance_sent_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("story_id", "occasion", "year", name=op.f("pk_remembrance_sent")),
    )

    # Plain columns with server defaults: SQLite adds them without rebuilding the story table,
    # and stories already shared get the defaults (no remembrance note, condolence mail on).
    op.add_column("story", sa.Column("remembrance", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("story", sa.Column("condolence_mail", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    op.drop_column("story", "condolence_mail")
    op.drop_column("story", "remembrance")
    op.drop_table("remembrance_sent")
    op.drop_index(op.f("ix_report_story_id"), table_name="report")
    op.drop_index(op.f("ix_report_status"), table_name="report")
    op.drop_table("report")
    op.drop_table("candle_tally")
    op.drop_index("ix_condolence_story_status", table_name="condolence")
    op.drop_index(op.f("ix_condolence_status"), table_name="condolence")
    op.drop_table("condolence")
