"""visitors' memorial features: guestbook (condolences, candles), reports, remembrance notes

Revision ID: 0006_community
Revises: 0005_outbox
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0006_community"
down_revision = "0005_outbox"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
