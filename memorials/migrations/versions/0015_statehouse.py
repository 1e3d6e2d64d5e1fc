"""statehouse: state legislators and governors, ZIP areas to state districts, state campaigns in two languages

Revision ID: 0015_statehouse
Revises: 0014_memorial_place

Adds: state_official (Open States people: current state legislators and governors); zip_state_district (ZIP
code areas to 2024 state legislative districts); on campaign, its level (congress or state), state and
recipients, its words in Spanish, what happened (for won and closed campaigns) in both languages, and the
bill it is about. Plain add_column and create_table: no table is rebuilt, and every campaign stays a Congress
campaign.
"""
from alembic import op
import sqlalchemy as sa

revision = "0015_statehouse"
down_revision = "0014_memorial_place"
branch_labels = None
depends_on = None

CAMPAIGN_COLUMNS = [
    sa.Column("level", sa.String(length=10), server_default="congress", nullable=False),
    sa.Column("state", sa.String(length=2), nullable=True),
    sa.Column("recipients", sa.String(length=40), nullable=True),
    sa.Column("title_es", sa.String(length=160), nullable=True),
    sa.Column("summary_es", sa.String(length=500), nullable=True),
    sa.Column("ask_es", sa.Text(), nullable=True),
    sa.Column("ask_html_es", sa.Text(), nullable=True),
    sa.Column("call_ask_es", sa.String(length=300), nullable=True),
    sa.Column("letter_template_es", sa.Text(), nullable=True),
    sa.Column("update_text", sa.Text(), nullable=True),
    sa.Column("update_html", sa.Text(), nullable=True),
    sa.Column("update_text_es", sa.Text(), nullable=True),
    sa.Column("update_html_es", sa.Text(), nullable=True),
    sa.Column("bill_number", sa.String(length=40), nullable=True),
    sa.Column("bill_url", sa.String(length=300), nullable=True),
]


def upgrade():
    for column in CAMPAIGN_COLUMNS:
        op.add_column("campaign", column)
    op.create_table(
        "state_official",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("chamber", sa.String(length=12), nullable=False),
        sa.Column("district", sa.String(length=80), nullable=True),
        sa.Column("seat", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("family_name", sa.String(length=80), nullable=False),
        sa.Column("party", sa.String(length=60), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("district_phone", sa.String(length=30), nullable=True),
        sa.Column("district_address", sa.String(length=300), nullable=True),
        sa.Column("url", sa.String(length=300), nullable=True),
        sa.Column("contact_form", sa.String(length=300), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_official")),
        sa.UniqueConstraint("person", name=op.f("uq_state_official_person")),
    )
    op.create_index("ix_state_official_seat", "state_official", ["state", "seat"], unique=False)
    op.create_table(
        "zip_state_district",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zcta", sa.String(length=5), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("chamber", sa.String(length=6), nullable=False),
        sa.Column("seat", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zip_state_district")),
        sa.UniqueConstraint("zcta", "state", "chamber", "seat", name="uq_zip_state_district_key"),
    )
    op.create_index(op.f("ix_zip_state_district_zcta"), "zip_state_district", ["zcta"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_zip_state_district_zcta"), table_name="zip_state_district")
    op.drop_table("zip_state_district")
    op.drop_index("ix_state_official_seat", table_name="state_official")
    op.drop_table("state_official")
    with op.batch_alter_table("campaign") as batch_op:
        for column in reversed(CAMPAIGN_COLUMNS):
            batch_op.drop_column(column.name)
