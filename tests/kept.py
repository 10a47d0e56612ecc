"""Rows that `data load` writes and tests change: put back as they were after the test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from extensions import db
from models import Centre


@contextmanager
def centres_kept(app: Flask) -> Iterator[None]:
    """The centres' settings (the default unit's row is seeded by the load, not cleaned)."""
    with app.app_context():
        table = Centre.__table__
        rows = [dict(row._mapping) for row in db.session.execute(sa.select(table))]
        db.session.remove()
    try:
        yield
    finally:
        with app.app_context():
            db.session.execute(sa.delete(table))
            if rows:
                db.session.execute(sa.insert(table), rows)
            db.session.commit()
            db.session.remove()
