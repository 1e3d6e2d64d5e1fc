"""search days: how many memorials (and faces) were first published each day, so a deep page of the list or the
wall skips at most one day's memorials, not a month's (search_month gives way to search_day)

Revision ID: 0021_search_days
Revises: 0020_search_state_lexeme
"""
from alembic import op
import sqlalchemy as sa

revision = "0021_search_days"
down_revision = "0020_search_state_lexeme"
branch_labels = None
depends_on = None


def _bucket(digits: int) -> str:
    """published_at as YYYYMMDD (8 digits) or YYYYMM (6), in this database's SQL."""
    if op.get_bind().dialect.name == "postgresql":
        parts = ["EXTRACT(YEAR FROM published_at) * 10000", "EXTRACT(MONTH FROM published_at) * 100",
                 "EXTRACT(DAY FROM published_at)"] if digits == 8 else \
                ["EXTRACT(YEAR FROM published_at) * 100", "EXTRACT(MONTH FROM published_at)"]
        return f"({' + '.join(parts)})::integer"
    return "CAST(strftime('%Y%m%d', published_at) AS INTEGER)" if digits == 8 else \
        "CAST(strftime('%Y%m', published_at) AS INTEGER)"


def upgrade():
    op.create_table(
        "search_day",
        sa.Column("day", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("memorials", sa.Integer(), nullable=False),
        sa.Column("faces", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_search_day")),
    )
    # Every memorial in the index, by the day it was first published (search/models.py day_of).
    op.execute(f"INSERT INTO search_day (day, memorials, faces) SELECT {_bucket(8)}, count(*), "
               f"sum(CASE WHEN face THEN 1 ELSE 0 END) FROM search_entry GROUP BY {_bucket(8)}")
    op.drop_table("search_month")


def downgrade():
    op.create_table(
        "search_month",
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("memorials", sa.Integer(), nullable=False),
        sa.Column("faces", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_search_month")),
    )
    op.execute(f"INSERT INTO search_month (month, memorials, faces) SELECT {_bucket(6)}, count(*), "
               f"sum(CASE WHEN face THEN 1 ELSE 0 END) FROM search_entry GROUP BY {_bucket(6)}")
    op.drop_table("search_day")
