"""wall months: how many memorials with a photo each month has, so a deep page of the wall starts from its month

Revision ID: 0018_wall_months
Revises: 0017_photo_storage
"""
from alembic import op
import sqlalchemy as sa

revision = "0018_wall_months"
down_revision = "0017_photo_storage"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("search_month", schema=None) as batch_op:
        batch_op.add_column(sa.Column("faces", sa.Integer(), server_default=sa.text("0"), nullable=False))
    # Count the faces already on the wall, by the month each memorial was first published (month_of: YYYYMM).
    if op.get_bind().dialect.name == "postgresql":
        month = "(EXTRACT(YEAR FROM published_at) * 100 + EXTRACT(MONTH FROM published_at))::integer"
    else:
        month = "CAST(strftime('%Y%m', published_at) AS INTEGER)"
    op.execute(f"UPDATE search_month SET faces = (SELECT count(*) FROM search_entry WHERE search_entry.face "
               f"AND {month} = search_month.month)")


def downgrade():
    with op.batch_alter_table("search_month", schema=None) as batch_op:
        batch_op.drop_column("faces")
