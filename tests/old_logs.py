"""The three logs of changes as they were before 0017 made them one, for tests to fill."""

from __future__ import annotations

import sqlalchemy as sa

from models.base import DateTime


def _old_log(name: str, *columns: str) -> sa.TableClause:
    """Who, when, which unit, then the log's own columns (the moment stored as the app does)."""
    own = (sa.column(column, sa.String()) for column in columns)
    return sa.table(
        name, sa.column("id"), sa.column("unit_code"), sa.column("at", DateTime()),
        sa.column("actor", sa.String()), *own,
    )  # fmt: skip


STAFF_CHANGES = _old_log("staff_changes", "username", "change", "detail")
ADMIN_CHANGES = _old_log("admin_changes", "subject", "change", "detail")
CENTRE_CHANGES = _old_log("centre_changes", "setting", "old", "new")
