"""sharing: share cards, old memorial addresses that redirect

Revision ID: 0008_sharing
Revises: 0007_search
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0008_sharing"
down_revision = "0007_search"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
