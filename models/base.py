"""What every model module shares."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any
from typing import TypeVar

import sqlalchemy as sa

Model = TypeVar("Model")


def utcnow() -> datetime:
    return datetime.now(UTC)


def append_only(model: type[Model]) -> type[Model]:
    """Class decorator: the ORM refuses to change or delete a row of this model.

    For records that are evidence (who did what, when): they are added to, never rewritten.
    Migration 0008 adds the same rule in the database, for statements that bypass the ORM.
    """

    def refuse(_mapper: Any, _connection: Any, row: Any) -> None:
        raise PermissionError(f"{row.__tablename__} row {row.id} is append-only")

    sa.event.listen(model, "before_update", refuse)
    sa.event.listen(model, "before_delete", refuse)
    return model
