"""Join the statistics and letters branches into one line of history.

Revision ID: 0004_merge
Revises: 0002_stats, 0003_letters
"""

revision = "0004_merge"
down_revision = ("0002_stats", "0003_letters")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
