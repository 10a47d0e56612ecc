"""Days off and make-up days per commune; the legal due date follows supplement pauses

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 10:40:00.000000

"""
import json
from datetime import date

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('calendar_days', sa.Column('unit_code', sa.Integer(), nullable=True))
    # Until now a day off applied to every commune of the portal, whoever added it. Each
    # existing row goes to the commune of the administrator who added it (that is whose
    # decision it was); a row whose author is unknown goes to the deployment's own unit
    # (MOTCUA_UNIT), the commune the portal was set up for. Rows that still name no known
    # unit (a database whose unit list is not loaded yet) are dropped: they cannot be
    # attached to any commune, and the administrator can add them again on the web.
    op.execute(
        "UPDATE calendar_days SET unit_code = (SELECT staff_users.unit_code FROM staff_users"
        " WHERE staff_users.username = calendar_days.created_by)"
    )
    op.execute(
        sa.text("UPDATE calendar_days SET unit_code = :unit WHERE unit_code IS NULL").bindparams(
            unit=int(current_app.config["UNIT_CODE"])
        )
    )
    op.execute(
        "DELETE FROM calendar_days WHERE unit_code NOT IN (SELECT code FROM units)"
    )
    # Nothing points at calendar_days, so SQLite may copy the table (batch mode) to change
    # its primary key even while foreign keys are enforced.
    with op.batch_alter_table('calendar_days', schema=None, recreate='always') as batch_op:
        batch_op.alter_column('unit_code', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('pk_calendar_days', type_='primary')
        batch_op.create_primary_key('pk_calendar_days', ['unit_code', 'day'])
        batch_op.create_foreign_key(
            batch_op.f('fk_calendar_days_unit_code_units'), 'units', ['unit_code'], ['code']
        )


    # original_due_date was set at reception and never moved with supplement pauses, and the
    # on-time figures now judge against it. Without an apology it is simply the due date;
    # with one, the date the apology replaced (its event keeps it).
    op.execute(
        "UPDATE dossiers SET original_due_date = due_date WHERE original_due_date IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM dossier_events WHERE dossier_events.dossier_id ="
        " dossiers.id AND dossier_events.action = 'apologise')"
    )
    bind = op.get_bind()
    apologies = bind.execute(
        sa.text("SELECT dossier_id, details FROM dossier_events WHERE action = 'apologise'")
    ).all()
    for dossier_id, details in apologies:
        old = (json.loads(details) if isinstance(details, str) else details or {}).get("old_date")
        if old:
            bind.execute(
                sa.text("UPDATE dossiers SET original_due_date = :day WHERE id = :id"),
                {"day": date.fromisoformat(old), "id": dossier_id},
            )


def downgrade():
    # One global calendar again: only the deployment's own commune's days can stay.
    op.execute(
        sa.text("DELETE FROM calendar_days WHERE unit_code != :unit").bindparams(
            unit=int(current_app.config["UNIT_CODE"])
        )
    )
    with op.batch_alter_table('calendar_days', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint('fk_calendar_days_unit_code_units', type_='foreignkey')
        batch_op.drop_constraint('pk_calendar_days', type_='primary')
        batch_op.create_primary_key('pk_calendar_days', ['day'])
        batch_op.drop_column('unit_code')
