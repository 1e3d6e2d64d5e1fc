"""the numbers: long view since 1999, figures computed once per import

Revision ID: 0009_numbers
Revises: 0008_sharing
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_numbers"
down_revision = "0008_sharing"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("stat_release", sa.Column("dataset", sa.String(length=20), server_default="vsrr", nullable=False))
    op.add_column("stat_release", sa.Column("first_period", sa.Date(), nullable=True))
    op.create_table(
        "stat_long_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=20), nullable=False),
        sa.Column("jurisdiction", sa.String(length=2), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("indicator", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["stat_release.id"],
                                name=op.f("fk_stat_long_figure_release_id_stat_release")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_long_figure")),
        sa.UniqueConstraint("dataset", "jurisdiction", "measure", "unit", "year", "month",
                            name="uq_stat_long_figure_key"),
    )
    op.create_index(op.f("ix_stat_long_figure_release_id"), "stat_long_figure", ["release_id"], unique=False)
    op.create_table(
        "stat_artifact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=80), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_artifact")),
        sa.UniqueConstraint("key", name=op.f("uq_stat_artifact_key")),
    )


def downgrade():
    op.drop_table("stat_artifact")
    op.drop_index(op.f("ix_stat_long_figure_release_id"), table_name="stat_long_figure")
    op.drop_table("stat_long_figure")
    with op.batch_alter_table("stat_release") as batch_op:
        batch_op.drop_column("first_period")
        batch_op.drop_column("dataset")
