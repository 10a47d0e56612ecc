"""One append-only log of what administrators change, instead of three

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 19:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

LOG = "change_log"

# The changes each old log held, as they were on the day of this migration (not read from
# domain.changelog, which may grow): the downgrade sends each row back to its own table.
ACCOUNT_CHANGES = (
    "created",
    "role",
    "deactivated",
    "reactivated",
    "password_reset",
    "password_changed",
    "moved_out",
    "moved_in",
)
OFFER_CHANGES = (
    "published",
    "unpublished",
    "online_opened",
    "online_closed",
    "day_off",
    "working_day",
    "day_removed",
)
SETTING = "setting"

# Every row of the three logs, as the one log names its parts: an account's username, a
# procedure's code or a day, a centre's setting are its subject; a setting's new value is the
# detail and its old one the previous.
OLD_ROWS = """
    SELECT 1 AS log, id, unit_code, at, actor,
           username AS subject, change, detail, '' AS previous FROM staff_changes
    UNION ALL
    SELECT 2, id, unit_code, at, actor, subject, change, detail, '' FROM admin_changes
    UNION ALL
    SELECT 3, id, unit_code, at, actor, setting, 'setting', new, old FROM centre_changes
"""
# The way back: each old table's columns, and the one log's column each is read from.
OLD_TABLES = {
    "staff_changes": (
        (("username", 60, "subject"), ("change", 30, "change"), ("detail", 200, "detail")),
        ACCOUNT_CHANGES,
    ),
    "admin_changes": (
        (("subject", 60, "subject"), ("change", 30, "change"), ("detail", 200, "detail")),
        OFFER_CHANGES,
    ),
    "centre_changes": (
        (("setting", 30, "subject"), ("old", 200, "previous"), ("new", 200, "detail")),
        (SETTING,),
    ),
}


def create_log_table(name, columns):
    """A log's table: who, when, which unit, then its own columns; never rewritten."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        *(
            sa.Column(column, sa.String(length=length), nullable=False)
            for column, length in columns
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f(f"fk_{name}_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(op.f(f"ix_{name}_unit_code"), name, ["unit_code"], unique=False)


def refuse_rewriting(name):
    """The database refuses UPDATE, DELETE and TRUNCATE of the table, as 0008 and 0009 do."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {name}"
            " FOR EACH ROW EXECUTE FUNCTION motcua_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name}"
            " FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {name}_no_{verb.lower()} BEFORE {verb} ON {name}"
            f" BEGIN SELECT RAISE(ABORT, '{name} is append-only'); END"
        )


def next_id_after_copy(name):
    """PostgreSQL's sequence goes on after the ids written by hand (SQLite's rowid does)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
            f" COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
        )


def upgrade():
    create_log_table(LOG, (("subject", 60), ("change", 30), ("detail", 200), ("previous", 200)))
    # In the order they happened, so that the newest first stays the newest first when the
    # three are read as one; rows of the same moment keep their log's order.
    op.execute(
        f"INSERT INTO {LOG} (id, unit_code, at, actor, subject, change, detail, previous)"
        " SELECT ROW_NUMBER() OVER (ORDER BY at, log, id),"
        " unit_code, at, actor, subject, change, detail, previous"
        f" FROM ({OLD_ROWS}) AS old_rows"
    )
    next_id_after_copy(LOG)
    refuse_rewriting(LOG)
    # Their triggers go with them, on both databases.
    for name in OLD_TABLES:
        op.drop_table(name)


def downgrade():
    known = ", ".join(
        f"'{change}'" for _columns, changes in OLD_TABLES.values() for change in changes
    )
    unknown = op.get_bind().scalar(
        sa.text(f"SELECT COUNT(*) FROM {LOG} WHERE change NOT IN ({known})")
    )
    if unknown:
        # A change added after this migration has no old table to go back to: keep the log.
        raise RuntimeError(f"{unknown} rows of {LOG} belong to none of the three old logs")
    for name, (columns, changes) in OLD_TABLES.items():
        create_log_table(name, [(column, length) for column, length, _source in columns])
        own = ", ".join(column for column, _length, _source in columns)
        read = ", ".join(source for _column, _length, source in columns)
        keys = ", ".join(f"'{change}'" for change in changes)
        # Each row keeps its id of the one log: unique, and in the order they were written.
        op.execute(
            f"INSERT INTO {name} (id, unit_code, at, actor, {own})"
            f" SELECT id, unit_code, at, actor, {read} FROM {LOG}"
            f" WHERE change IN ({keys}) ORDER BY id"
        )
        next_id_after_copy(name)
        refuse_rewriting(name)
    op.drop_table(LOG)
