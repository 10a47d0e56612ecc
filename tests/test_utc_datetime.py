"""Stored moments come back in UTC and aware, on SQLite as on PostgreSQL."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from domain.formatting import LOCAL
from extensions import db
from models import LoginThrottle


def test_a_moment_comes_back_aware_in_utc(app_context: Flask) -> None:
    noon_in_hanoi = datetime(2026, 3, 2, 12, 0, tzinfo=LOCAL)
    db.session.add(LoginThrottle(key="utc-test", failures=0, updated_at=noon_in_hanoi))
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(LoginThrottle, "utc-test")
    assert row.updated_at.tzinfo is not None
    assert row.updated_at.utcoffset() == timedelta(0)
    assert row.updated_at == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    # A comparison in the query converts its side too: 05:00 UTC is 12:00 in Hà Nội.
    found = db.session.scalar(
        sa.select(LoginThrottle.key).where(
            LoginThrottle.key == "utc-test",
            LoginThrottle.updated_at < datetime(2026, 3, 2, 12, 30, tzinfo=LOCAL),
            LoginThrottle.updated_at > datetime(2026, 3, 2, 5, 30, tzinfo=UTC) - timedelta(hours=1),
        )
    )
    assert found == "utc-test"
    db.session.delete(row)
    db.session.commit()
