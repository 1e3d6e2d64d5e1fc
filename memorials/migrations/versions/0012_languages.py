"""languages: the language a story is written in, and the family's language for mail

Revision ID: 0012_languages
Revises: 0011_security
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_languages"
down_revision = "0011_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("story") as batch:
        batch.add_column(sa.Column("family_language", sa.String(8), nullable=False, server_default="en"))
    with op.batch_alter_table("story_version") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default="en"))


def downgrade():
    with op.batch_alter_table("story_version") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("story") as batch:
        batch.drop_column("family_language")
