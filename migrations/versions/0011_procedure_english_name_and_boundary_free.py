"""Procedures: an English name, and whether any centre accepts them regardless of boundary

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03 18:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN with a constant default: SQLite keeps the table instead of copying it.
    op.add_column("procedures", sa.Column("name_en", sa.Text(), nullable=True))
    op.add_column(
        "procedures",
        sa.Column("is_non_territorial", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    with op.batch_alter_table("procedures") as batch_op:
        batch_op.drop_column("is_non_territorial")
        batch_op.drop_column("name_en")
