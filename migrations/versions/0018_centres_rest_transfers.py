"""Each transfer between units in a table of its own, for the sender's tab of dossiers sent

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 19:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLE = "dossier_transfers"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("dossier_events.id"), nullable=False),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossiers.id"), nullable=False),
        sa.Column("from_unit", sa.Integer(), sa.ForeignKey("units.code"), nullable=False),
        sa.Column("to_unit", sa.Integer(), sa.ForeignKey("units.code"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_dossier_transfers_dossier_id", TABLE, ["dossier_id"])
    op.create_index("ix_dossier_transfers_from_unit", TABLE, ["from_unit", "dossier_id"])
    # The transfers made before this migration, from their events (the details name both units).
    events = sa.table(
        "dossier_events",
        sa.column("id", sa.Integer),
        sa.column("dossier_id", sa.Integer),
        sa.column("at", sa.DateTime),
        sa.column("action", sa.String),
        sa.column("details", sa.JSON),
    )
    bind = op.get_bind()
    found = bind.execute(
        sa.select(events.c.id, events.c.dossier_id, events.c.at, events.c.details)
        .where(events.c.action == "transfer")
        .order_by(events.c.id)
    ).all()
    if found:
        op.bulk_insert(
            sa.table(
                TABLE,
                sa.column("event_id", sa.Integer),
                sa.column("dossier_id", sa.Integer),
                sa.column("from_unit", sa.Integer),
                sa.column("to_unit", sa.Integer),
                sa.column("at", sa.DateTime),
            ),
            [
                {
                    "event_id": row.id,
                    "dossier_id": row.dossier_id,
                    "from_unit": int(row.details["from_unit"]),
                    "to_unit": int(row.details["to_unit"]),
                    "at": row.at,
                }
                for row in found
            ],
        )
    # Append-only as the events it mirrors (0008, 0009).
    if bind.dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}"
            " FOR EACH ROW EXECUTE FUNCTION motcua_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}"
            " FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE}"
            f" BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END"
        )


def downgrade():
    # Its triggers and indexes go with it; the events keep every transfer.
    op.drop_table(TABLE)
