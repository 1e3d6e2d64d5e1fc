"""the numbers: long view since 1999, figures computed once per import

Revision ID: 0009_numbers
Revises: 0008_sharing
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0009_numbers"
down_revision = "0008_sharing"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
