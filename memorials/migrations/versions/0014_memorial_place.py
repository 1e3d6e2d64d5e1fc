"""memorial place: a gallery, memories, stewards, the family's review of messages, an "In memory of" link,
and the wall of faces

Revision ID: 0014_memorial_place
Revises: 0013_page_generation
"""
from alembic import op
import sqlalchemy as sa

revision = "0014_memorial_place"
down_revision = "0013_page_generation"
branch_labels = None
depends_on = None

ALL_STATES = "*"   # memorials/search/models.py: the roll-up row


def upgrade():
    # Plain columns with server defaults: SQLite adds them without rebuilding the tables, and what is already
    # there gets the defaults (no family review, every photo the story's own, none shown on its own).
    op.add_column("story", sa.Column("family_review", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("story_version", sa.Column("fund_name", sa.String(length=120), nullable=True))
    op.add_column("story_version", sa.Column("fund_url", sa.String(length=500), nullable=True))
    op.add_column("photo", sa.Column("purpose", sa.String(length=12), server_default="story", nullable=False))
    op.add_column("photo", sa.Column("shown", sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table(
        "steward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("new_token_hash", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_steward_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_steward")),
        sa.UniqueConstraint("new_token_hash", name=op.f("uq_steward_new_token_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_steward_token_hash")),
    )
    op.create_index(op.f("ix_steward_story_id"), "steward", ["story_id"], unique=False)

    op.create_table(
        "gallery_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("alt", sa.String(length=200), nullable=True),
        sa.Column("caption", sa.String(length=300), nullable=True),
        sa.Column("proposed_alt", sa.String(length=200), nullable=True),
        sa.Column("proposed_caption", sa.String(length=300), nullable=True),
        sa.Column("words_waiting", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["photo_id"], ["photo.id"], name=op.f("fk_gallery_photo_photo_id_photo"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_gallery_photo_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gallery_photo")),
        sa.UniqueConstraint("photo_id", name=op.f("uq_gallery_photo_photo_id")),
    )
    op.create_index("ix_gallery_photo_story", "gallery_photo", ["story_id", "status", "position"], unique=False)
    op.create_index(op.f("ix_gallery_photo_status"), "gallery_photo", ["status"], unique=False)

    op.create_table(
        "memory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=True),
        sa.Column("photo_alt", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["photo_id"], ["photo.id"], name=op.f("fk_memory_photo_id_photo"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_memory_story_id_story"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory")),
    )
    op.create_index("ix_memory_story_status", "memory", ["story_id", "status", "created_at"], unique=False)
    op.create_index(op.f("ix_memory_status"), "memory", ["status"], unique=False)

    # The wall of faces: which public memorials show a photo, and how many per state.
    op.add_column("search_entry", sa.Column("face", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index("ix_search_entry_faces", "search_entry",
                    [sa.text("published_at DESC"), sa.text("story_id DESC"), "version_id", "state_code"],
                    unique=False, sqlite_where=sa.text("face IS 1"), postgresql_where=sa.text("face IS true"))
    op.create_table(
        "search_face",
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("memorials", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("state_code", name=op.f("pk_search_face")),
    )
    op.execute("UPDATE search_entry SET face = true WHERE EXISTS (SELECT 1 FROM story_version v "
               "WHERE v.id = search_entry.version_id AND v.photo_id IS NOT NULL)")
    op.execute("INSERT INTO search_face (state_code, memorials) "
               "SELECT state_code, count(*) FROM search_entry WHERE face = true GROUP BY state_code")
    op.execute(f"INSERT INTO search_face (state_code, memorials) "
               f"SELECT '{ALL_STATES}', count(*) FROM search_entry WHERE face = true HAVING count(*) > 0")


def downgrade():
    op.drop_table("search_face")
    op.drop_index("ix_search_entry_faces", table_name="search_entry")
    op.drop_column("search_entry", "face")
    op.drop_index(op.f("ix_memory_status"), table_name="memory")
    op.drop_index("ix_memory_story_status", table_name="memory")
    op.drop_table("memory")
    op.drop_index(op.f("ix_gallery_photo_status"), table_name="gallery_photo")
    op.drop_index("ix_gallery_photo_story", table_name="gallery_photo")
    op.drop_table("gallery_photo")
    op.drop_index(op.f("ix_steward_story_id"), table_name="steward")
    op.drop_table("steward")
    op.drop_column("photo", "shown")
    op.drop_column("photo", "purpose")
    op.drop_column("story_version", "fund_url")
    op.drop_column("story_version", "fund_name")
    op.drop_column("story", "family_review")
