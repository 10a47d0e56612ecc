"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from extensions import db


def test_models_and_migrations_agree(app_context: Flask) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], diff


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE dossier_events",
        "TRUNCATE staff_changes",
        "TRUNCATE admin_changes",
        "TRUNCATE centre_changes",
        "TRUNCATE dossiers CASCADE",  # reaches the events through their foreign key
        "TRUNCATE units CASCADE",  # and the account log through its unit
    ],
)
def test_the_append_only_tables_cannot_be_truncated(app_context: Flask, statement: str) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE FROM is refused by 0008's triggers")
    with db.engine.connect() as connection:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            connection.execute(sa.text(statement))
        connection.rollback()
