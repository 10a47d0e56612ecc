"""Seeding the benchmarks' databases fast: rows made in Python, written by COPY on PostgreSQL.

Dossier codes are numbered per unit and day as the app numbers them (services.dossiers);
rows of any table go in through `write`, which fills the columns a row leaves out with their
model defaults, so that a new NOT NULL column does not break every benchmark at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Iterator
from datetime import date
from itertools import chain
from itertools import islice
from typing import Any

import sqlalchemy as sa

from extensions import db


class DossierCodes:
    """The next code of a unit for a day: 08566-261128-0001, as the app numbers them."""

    def __init__(self) -> None:
        self._last: dict[tuple[int, date], int] = {}

    def next(self, unit: int, day: date) -> str:
        number = self._last.get((unit, day), 0) + 1
        self._last[(unit, day)] = number
        return f"{unit:05d}-{day:%y%m%d}-{number:04d}"


def _defaults(table: sa.Table) -> dict[str, Any]:
    """What a column gets when a row does not say: its scalar or callable default, else NULL."""
    found: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        value = None
        if default is not None and getattr(default, "is_scalar", False):
            value = default.arg
        elif default is not None and getattr(default, "is_callable", False):
            try:
                value = default.arg(None)
            except (KeyError, AttributeError, TypeError):  # needs the statement's parameters
                value = None
        found[column.name] = value
    return found


def write(table: sa.Table, rows: Iterable[dict[str, Any]], batch: int = 5000) -> int:
    """Add these rows to the table in the session's transaction; returns how many.

    PostgreSQL: one COPY, tens of times faster than INSERTs. Elsewhere: INSERTs by batch.
    """
    iterator: Iterator[dict[str, Any]] = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    iterator = chain([first], iterator)
    # A row without its id gets one from the database.
    defaults = {
        name: value
        for name, value in _defaults(table).items()
        if name in first or not table.columns[name].primary_key
    }
    names = list(defaults)
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    connection = db.session.connection()
    count = 0
    if connection.dialect.name != "postgresql":
        while chunk := list(islice(iterator, batch)):
            connection.execute(sa.insert(table), [{**defaults, **row} for row in chunk])
            count += len(chunk)
        return count
    raw = connection.connection.driver_connection
    assert raw is not None
    columns = ", ".join(f'"{name}"' for name in names)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        for row in iterator:
            merged = {**defaults, **row}
            for name in json_columns:
                merged[name] = json.dumps(merged[name], ensure_ascii=False)
            copy.write_row([merged[name] for name in names])
            count += 1
    return count


def without_indexes(table: sa.Table) -> list[sa.Index]:
    """Drop the table's secondary indexes before a bulk load (rebuilt by `with_indexes`)."""
    connection = db.session.connection()
    indexes = list(table.indexes)
    for index in indexes:
        index.drop(connection)
    return indexes


def with_indexes(indexes: list[sa.Index]) -> None:
    connection = db.session.connection()
    for index in indexes:
        index.create(connection)


def restart_ids(table: sa.Table) -> None:
    """After rows written with their own ids, the next id given by the database follows them."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
            )
        )
