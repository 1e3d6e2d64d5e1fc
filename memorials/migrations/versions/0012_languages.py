"""languages: the language a story is written in, and the family's language for mail

Revision ID: 0012_languages
Revises: 0011_security
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0012_languages"
down_revision = "0011_security"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
