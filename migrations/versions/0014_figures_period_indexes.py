"""Indexes for the figures of a period: dossiers received or finished, ratings given

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 02:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # The figures read a month of each unit (or of all 148): without these, each measure
    # reads every dossier of every year.
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index("ix_dossiers_unit_received", ["unit_code", "received_at"], unique=False)
        batch_op.create_index("ix_dossiers_unit_finished", ["unit_code", "finished_at"], unique=False)
    with op.batch_alter_table("dossier_ratings", schema=None) as batch_op:
        batch_op.create_index("ix_dossier_ratings_created_at", ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("dossier_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_ratings_created_at")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_dossiers_unit_finished")
        batch_op.drop_index("ix_dossiers_unit_received")
