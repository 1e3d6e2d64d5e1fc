"""page generation: the counter that tells every worker a public page it kept is out of date

Revision ID: 0013_page_generation
Revises: 0012_languages
"""
from alembic import op
import sqlalchemy as sa

revision = "0013_page_generation"
down_revision = "0012_languages"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "page_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "value": 0}])


def downgrade():
    op.drop_table("page_generation")
