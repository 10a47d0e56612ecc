"""What every model module shares."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import sqlalchemy as sa

from extensions import db

if TYPE_CHECKING:
    # db.Model is made at run time; mypy follows the declarative base it is built on.
    from extensions import Base as Model
else:
    Model = db.Model

AnyModel = TypeVar("AnyModel")


def utcnow() -> datetime:
    return datetime.now(UTC)


def append_only(model: type[AnyModel]) -> type[AnyModel]:
    """Class decorator: the ORM refuses to change or delete a row of this model.

    For records that are evidence (who did what, when): they are added to, never rewritten.
    Migration 0008 adds the same rule in the database, for statements that bypass the ORM.
    """

    def refuse(_mapper: Any, _connection: Any, row: Any) -> None:
        raise PermissionError(f"{row.__tablename__} row {row.id} is append-only")

    sa.event.listen(model, "before_update", refuse)
    sa.event.listen(model, "before_delete", refuse)
    return model
