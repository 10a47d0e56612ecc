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


class DateTime(sa.types.TypeDecorator[datetime]):
    """A moment stored in UTC and read back aware, on SQLite as on PostgreSQL.

    SQLite keeps no offset and hands back naive datetimes; this converts on the way in and
    out, so no caller ever has to guess. The column stays `DateTime(timezone=True)`: no
    migration. A naive moment given to it is taken as UTC, as utcnow() gives.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        # SQLite would write the offset into the text and compare texts: keep them uniform.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
