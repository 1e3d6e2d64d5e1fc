"""letters: memorial bridge, calls counted, one-time letter tokens

Revision ID: 0010_letters
Revises: 0009_numbers
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0010_letters"
down_revision = "0009_numbers"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
