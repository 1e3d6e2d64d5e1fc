"""letters: legislators, district offices, ZIP-to-district table, datasets, campaigns, letter counts

Revision ID: 0003_letters
Revises: 0001_foundation

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_letters'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('ask', sa.Text(), nullable=False),
    sa.Column('ask_html', sa.Text(), nullable=False),
    sa.Column('letter_template', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign')),
    sa.UniqueConstraint('slug', name=op.f('uq_campaign_slug'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_status'), ['status'], unique=False)

    op.create_table('district_office',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bioguide', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('address', sa.String(length=400), nullable=True),
    sa.Column('zip', sa.String(length=10), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_office'))
    )
    with op.batch_alter_table('district_office', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_office_bioguide'), ['bioguide'], unique=False)

    op.create_table('legislator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bioguide', sa.String(length=10), nullable=False),
    sa.Column('chamber', sa.String(length=6), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('district', sa.Integer(), nullable=True),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=160), nullable=False),
    sa.Column('party', sa.String(length=40), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('office', sa.String(length=200), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('url', sa.String(length=300), nullable=True),
    sa.Column('contact_form', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legislator')),
    sa.UniqueConstraint('bioguide', name=op.f('uq_legislator_bioguide'))
    )
    with op.batch_alter_table('legislator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legislator_state'), ['state'], unique=False)

    op.create_table('letter_dataset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('as_of', sa.String(length=40), nullable=True),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_dataset')),
    sa.UniqueConstraint('kind', name=op.f('uq_letter_dataset_kind'))
    )
    op.create_table('zip_district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('zcta', sa.String(length=5), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('district', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zip_district')),
    sa.UniqueConstraint('zcta', 'state', 'district', name='uq_zip_district_key')
    )
    with op.batch_alter_table('zip_district', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zip_district_zcta'), ['zcta'], unique=False)

    op.create_table('letter_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_letter_count_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_count')),
    sa.UniqueConstraint('campaign_id', 'state', name='uq_letter_count_key')
    )


def downgrade():
    op.drop_table('letter_count')
    with op.batch_alter_table('zip_district', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zip_district_zcta'))

    op.drop_table('zip_district')
    op.drop_table('letter_dataset')
    with op.batch_alter_table('legislator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legislator_state'))

    op.drop_table('legislator')
    with op.batch_alter_table('district_office', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_office_bioguide'))

    op.drop_table('district_office')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_status'))

    op.drop_table('campaign')
