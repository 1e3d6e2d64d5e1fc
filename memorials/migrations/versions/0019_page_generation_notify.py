"""page generation notify: PostgreSQL tells every listening worker the counter's new value as it commits

Revision ID: 0019_page_generation_notify
Revises: 0018_wall_months
"""
from alembic import op

revision = "0019_page_generation_notify"
down_revision = "0018_wall_months"
branch_labels = None
depends_on = None

# However the counter is raised (a commit of the app, a migration, SQL typed by hand), the new value goes to
# every connection that LISTENs on page_generation (memorials/pagecache/listen.py). SQLite has no such thing:
# there each visit reads the counter.


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION page_generation_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('page_generation', NEW.value::text);
            RETURN NULL;
        END
        $$
    """)
    op.execute("CREATE TRIGGER page_generation_notify AFTER INSERT OR UPDATE ON page_generation "
               "FOR EACH ROW EXECUTE FUNCTION page_generation_notify()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS page_generation_notify ON page_generation")
    op.execute("DROP FUNCTION IF EXISTS page_generation_notify()")
