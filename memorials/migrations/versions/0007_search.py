"""finding memorials: full-text search, filters, list and photo indexes

Revision ID: 0007_search
Revises: 0006_community
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0007_search"
down_revision = "0006_community"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
