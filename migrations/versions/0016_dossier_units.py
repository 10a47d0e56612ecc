"""A dossier's receiving unit beside its deciding one (unit_code), for transfers between units

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 02:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


FK = "fk_dossiers_received_unit_code_units"


def upgrade():
    # Nullable: SQLite adds a foreign-key column to a table with rows only when its default is
    # NULL. The UPDATE below fills every row, and the model fills every new one.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE dossiers ADD COLUMN received_unit_code INTEGER"
            f" CONSTRAINT {FK} REFERENCES units (code)"
        )
    else:
        op.add_column("dossiers", sa.Column("received_unit_code", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "dossiers", "units", ["received_unit_code"], ["code"])
    # Nothing was ever transferred: every dossier was received where it is decided.
    op.execute("UPDATE dossiers SET received_unit_code = unit_code")


def downgrade():
    # The column's foreign key goes with it (SQLite reflects it unnamed: no drop by name).
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("received_unit_code")
