"""foundation: stories, versions, photos, moderators, log

Revision ID: 0001_foundation
Revises: 

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # story and story_version refer to each other: SQLite accepts the forward reference
    # inline (and cannot add a foreign key later without rebuilding the table); PostgreSQL
    # gets it as a separate constraint once both tables exist.
    sqlite = op.get_bind().dialect.name == "sqlite"
    live_version_fk = [sa.ForeignKeyConstraint(['live_version_id'], ['story_version.id'], name=op.f('fk_story_live_version_id_story_version'), ondelete='SET NULL')] if sqlite else []
    op.create_table('moderator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator')),
    sa.UniqueConstraint('email', name=op.f('uq_moderator_email'))
    )
    op.create_table('story',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('manage_token_hash', sa.String(length=64), nullable=False),
    sa.Column('live_version_id', sa.Integer(), nullable=True),
    sa.Column('moderator_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    *live_version_fk,
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story')),
    sa.UniqueConstraint('manage_token_hash', name=op.f('uq_story_manage_token_hash')),
    sa.UniqueConstraint('slug', name=op.f('uq_story_slug'))
    )
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_status'), ['status'], unique=False)

    op.create_table('moderation_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('story_ref', sa.Integer(), nullable=False),
    sa.Column('version_ref', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['moderator_id'], ['moderator.id'], name=op.f('fk_moderation_event_moderator_id_moderator'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_event'))
    )
    with op.batch_alter_table('moderation_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_event_story_ref'), ['story_ref'], unique=False)

    op.create_table('moderator_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['moderator_id'], ['moderator.id'], name=op.f('fk_moderator_session_moderator_id_moderator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_session')),
    sa.UniqueConstraint('token', name=op.f('uq_moderator_session_token'))
    )
    with op.batch_alter_table('moderator_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderator_session_moderator_id'), ['moderator_id'], unique=False)

    op.create_table('photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=64), nullable=False),
    sa.Column('thumb_filename', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_photo_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo')),
    sa.UniqueConstraint('filename', name=op.f('uq_photo_filename')),
    sa.UniqueConstraint('thumb_filename', name=op.f('uq_photo_thumb_filename'))
    )
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_story_id'), ['story_id'], unique=False)

    op.create_table('story_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('nickname', sa.String(length=60), nullable=True),
    sa.Column('name_display', sa.String(length=10), nullable=False),
    sa.Column('born', sa.Date(), nullable=True),
    sa.Column('died', sa.Date(), nullable=False),
    sa.Column('city', sa.String(length=80), nullable=True),
    sa.Column('state_code', sa.String(length=2), nullable=True),
    sa.Column('story_markdown', sa.Text(), nullable=False),
    sa.Column('content_note', sa.String(length=200), nullable=True),
    sa.Column('submitter_name', sa.String(length=120), nullable=True),
    sa.Column('relationship_to', sa.String(length=80), nullable=True),
    sa.Column('photo_id', sa.Integer(), nullable=True),
    sa.Column('photo_alt', sa.String(length=200), nullable=True),
    sa.Column('story_html', sa.Text(), nullable=True),
    sa.Column('excerpt', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_story_version_photo_id_photo'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_story_version_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_version'))
    )
    with op.batch_alter_table('story_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_version_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_version_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_version_story_id'), ['story_id'], unique=False)

    if not sqlite:
        op.create_foreign_key(op.f('fk_story_live_version_id_story_version'), 'story', 'story_version',
                              ['live_version_id'], ['id'], ondelete='SET NULL')
    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f('fk_story_live_version_id_story_version'), 'story', type_='foreignkey')
    with op.batch_alter_table('story_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_version_story_id'))
        batch_op.drop_index(batch_op.f('ix_story_version_state'))
        batch_op.drop_index(batch_op.f('ix_story_version_created_at'))

    op.drop_table('story_version')
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_story_id'))

    op.drop_table('photo')
    with op.batch_alter_table('moderator_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderator_session_moderator_id'))

    op.drop_table('moderator_session')
    with op.batch_alter_table('moderation_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_event_story_ref'))
        batch_op.drop_index(batch_op.f('ix_moderation_event_created_at'))

    op.drop_table('moderation_event')
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_status'))
        batch_op.drop_index(batch_op.f('ix_story_published_at'))

    op.drop_table('story')
    op.drop_table('moderator')
    # ### end Alembic commands ###
