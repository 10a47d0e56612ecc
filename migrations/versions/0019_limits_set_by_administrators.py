"""The time limits administrators set where the published procedure record gives none

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 20:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "procedure_limits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "procedure_code", sa.String(20), sa.ForeignKey("procedures.code"), nullable=False
        ),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("case_code", sa.String(30), nullable=False),
        sa.Column("time_qty", sa.Integer(), nullable=False),
        sa.Column("time_unit", sa.String(20), nullable=False),
        sa.Column("set_by", sa.String(60), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("procedure_code", "channel", "case_code"),
    )


def downgrade():
    op.drop_table("procedure_limits")
