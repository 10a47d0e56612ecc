"""Each commune's centre keeps its own settings in the database, with an append-only log

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 01:40:00

"""

from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "centres",
        sa.Column("unit_code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("hours", sa.String(length=100), nullable=False),
        sa.Column("public_url", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_centres_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("unit_code", name=op.f("pk_centres")),
    )
    op.create_table(
        "centre_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("setting", sa.String(length=30), nullable=False),
        sa.Column("old", sa.String(length=200), nullable=False),
        sa.Column("new", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_centre_changes_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_changes")),
    )
    op.create_index(
        op.f("ix_centre_changes_unit_code"), "centre_changes", ["unit_code"], unique=False
    )
    # The log is evidence, as the account log is (0008, 0009): the database refuses to
    # rewrite it, whatever the statement.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER centre_changes_append_only BEFORE UPDATE OR DELETE ON centre_changes"
            " FOR EACH ROW EXECUTE FUNCTION motcua_append_only()"
        )
        op.execute(
            "CREATE TRIGGER centre_changes_no_truncate BEFORE TRUNCATE ON centre_changes"
            " FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER centre_changes_no_{verb.lower()} BEFORE {verb} ON centre_changes"
                " BEGIN SELECT RAISE(ABORT, 'centre_changes is append-only'); END"
            )
    # An existing portal served one commune, MOTCUA_UNIT, described by the environment: its
    # centre keeps what people saw until now. Its dossiers, drafts and accounts already name
    # that unit. On a new database the unit list is not loaded yet; `data load` seeds it then.
    config = current_app.config
    bind = op.get_bind()
    unit = int(config["UNIT_CODE"])
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":  # as models.base.DateTime writes it there
        now = now.replace(tzinfo=None)
    if bind.execute(sa.text("SELECT 1 FROM units WHERE code = :unit"), {"unit": unit}).first():
        bind.execute(
            sa.text(
                "INSERT INTO centres (unit_code, name, address, phone, hours, public_url,"
                " updated_at) VALUES (:unit, '', :address, :phone, :hours, '', :now)"
            ),
            {
                "unit": unit,
                "address": config["CENTRE_ADDRESS"][:200],
                "phone": config["CENTRE_PHONE"][:30],
                "hours": config["CENTRE_HOURS"][:100],
                "now": now,
            },
        )

def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER centre_changes_no_truncate ON centre_changes")
        op.execute("DROP TRIGGER centre_changes_append_only ON centre_changes")
    op.drop_index(op.f("ix_centre_changes_unit_code"), table_name="centre_changes")
    op.drop_table("centre_changes")
    op.drop_table("centres")
