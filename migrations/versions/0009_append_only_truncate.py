"""TRUNCATE of the append-only tables is refused too (PostgreSQL)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 19:00:00

"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# 0008's row triggers do not fire for TRUNCATE, which empties a table in one statement (and
# follows foreign keys with CASCADE from dossiers or staff). SQLite has no TRUNCATE: its
# "DELETE FROM t" is a DELETE, already refused.
TABLES = ("dossier_events", "staff_changes")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
