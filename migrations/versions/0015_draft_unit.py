"""A draft records the centre it will be submitted to

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 02:30:00

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    # Until now every draft went to MOTCUA_UNIT. A plain ADD COLUMN with a constant default
    # fills the existing rows without copying the table: SQLite's copy would drop and
    # recreate drafts, and their files' ON DELETE SET NULL would let go of them. No foreign
    # key for the same reason (SQLite adds none with NOT NULL); the code is one of the
    # province's centres, checked by services.centres before it is kept.
    unit = int(current_app.config["UNIT_CODE"])
    op.add_column(
        "drafts",
        sa.Column("unit_code", sa.Integer(), nullable=False, server_default=sa.text(str(unit))),
    )


def downgrade():
    with op.batch_alter_table("drafts") as batch_op:
        batch_op.drop_column("unit_code")
