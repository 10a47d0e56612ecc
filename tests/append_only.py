"""A check that a row of an append-only table (models.base.append_only, 0008) stays as it is."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from extensions import db


def assert_cannot_be_rewritten(row: Any, column: str, value: str) -> None:
    """Changing or deleting the row is refused: by the ORM, and past it by the database."""
    model = type(row)
    setattr(row, column, value)
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(row)
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    # Past the ORM too: the database's own triggers refuse bulk statements.
    for statement in (
        sa.update(model).where(model.id == row.id).values({column: value}),
        sa.delete(model).where(model.id == row.id),
        sa.text(f"DELETE FROM {model.__tablename__}"),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
