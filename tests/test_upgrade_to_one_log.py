"""The three logs of changes become one (0017), with every row, and can go back (to 0016).

A database made at 0016 holds rows in the account log, the log of procedures and days off
and a centre's log, written at moments that interleave. After the upgrade each is in the one
log, in the order they happened, read through services.changelog as the pages read them, and
the one log refuses to be rewritten like the three did.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade
from flask_migrate import upgrade

from app import create_app
from domain import changelog as rules
from extensions import db
from models import LogEntry
from models import Province
from models import Unit
from services import changelog
from tests.conftest import base_config
from tests.old_logs import ADMIN_CHANGES
from tests.old_logs import CENTRE_CHANGES
from tests.old_logs import STAFF_CHANGES

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")
TAN_SON, TAN_HOA = 8566, 4792
START = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


# (table, minutes after START, unit, actor, its own columns), as each old log names them.
OLD_ROWS = [
    (STAFF_CHANGES, 0, TAN_SON, "quantri", {"username": "tiepnhan", "change": "created",
                                            "detail": "tiep_nhan"}),
    (CENTRE_CHANGES, 1, TAN_SON, "MOTCUA_CENTRE_PHONE", {"setting": "phone", "old": "",
                                                         "new": "0210 3870 123"}),
    (ADMIN_CHANGES, 2, TAN_SON, "quantri", {"subject": "1.001193", "change": "unpublished",
                                            "detail": "Thủ tục đăng ký khai sinh"}),
    (CENTRE_CHANGES, 3, TAN_SON, "quantri", {"setting": "hours", "old": "07:30-11:30",
                                             "new": "07:00-11:00,13:30-17:00"}),
    (ADMIN_CHANGES, 4, TAN_HOA, "quantri.th", {"subject": "24/12/2026", "change": "day_off",
                                               "detail": "Bão"}),
    # A move: both units' rows of one moment.
    (STAFF_CHANGES, 5, TAN_SON, "tinh", {"username": "tiepnhan", "change": "moved_out",
                                         "detail": "4792"}),
    (STAFF_CHANGES, 5, TAN_HOA, "tinh", {"username": "tiepnhan", "change": "moved_in",
                                         "detail": "8566"}),
]  # fmt: skip
# The same rows as the one log keeps them: unit, moment, actor, subject, change, detail, previous.
ONE_LOG = [
    (TAN_SON, at(0), "quantri", "tiepnhan", "created", "tiep_nhan", ""),
    (TAN_SON, at(1), "MOTCUA_CENTRE_PHONE", "phone", "setting", "0210 3870 123", ""),
    (TAN_SON, at(2), "quantri", "1.001193", "unpublished", "Thủ tục đăng ký khai sinh", ""),
    (TAN_SON, at(3), "quantri", "hours", "setting", "07:00-11:00,13:30-17:00", "07:30-11:30"),
    (TAN_HOA, at(4), "quantri.th", "24/12/2026", "day_off", "Bão", ""),
    (TAN_SON, at(5), "tinh", "tiepnhan", "moved_out", "4792", ""),
    (TAN_HOA, at(5), "tinh", "tiepnhan", "moved_in", "8566", ""),
]


def fill_at_0016() -> dict[str, list[tuple]]:
    """Two units and the rows above; each old table's rows as read back, in id order."""
    db.session.add(Province(code=25, name="Tỉnh Phú Thọ", codename="phu_tho", division_type="tỉnh"))
    for code, name in ((TAN_SON, "Xã Tân Sơn"), (TAN_HOA, "Phường Tân Hòa")):
        db.session.add(
            Unit(code=code, name=name, codename=str(code), division_type="xã", province_code=25)
        )
    db.session.flush()
    for table, minutes, unit, actor, own in OLD_ROWS:
        db.session.execute(
            sa.insert(table).values(unit_code=unit, at=at(minutes), actor=actor, **own)
        )
    db.session.commit()
    return old_rows()


def old_rows() -> dict[str, list[tuple]]:
    found = {}
    for table in (STAFF_CHANGES, ADMIN_CHANGES, CENTRE_CHANGES):
        columns = [c for c in table.columns if c.name != "id"]
        query = sa.select(*columns).order_by(table.c.id)
        found[table.name] = [tuple(row) for row in db.session.execute(query)]
    return found


def one_log() -> list[tuple]:
    query = sa.select(LogEntry).order_by(LogEntry.id)
    return [
        (e.unit_code, e.at, e.actor, e.subject, e.change, e.detail, e.previous)
        for e in db.session.scalars(query)
    ]


def tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_the_three_logs_become_one_with_every_row_and_go_back(empty_database: str) -> None:
    app: Flask = create_app(base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0016")
        before = fill_at_0016()
        assert sum(len(rows) for rows in before.values()) == len(OLD_ROWS)
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == (
            ScriptDirectory(MIGRATIONS).get_current_head()
        )
        assert not tables() & {"staff_changes", "admin_changes", "centre_changes"}
        assert one_log() == ONE_LOG

        # Read as the pages read it: by unit and area, by account, newest first.
        def subjects(rows: list[LogEntry]) -> list[tuple[str, str]]:
            return [(row.subject, row.change) for row in rows]

        assert subjects(changelog.of_units([TAN_SON, TAN_HOA], rules.ACCOUNTS)) == [
            ("tiepnhan", "moved_in"),
            ("tiepnhan", "moved_out"),
            ("tiepnhan", "created"),
        ]
        assert subjects(changelog.of_subject([TAN_SON], rules.ACCOUNTS, "tiepnhan")) == [
            ("tiepnhan", "moved_out"),
            ("tiepnhan", "created"),
        ]
        assert subjects(changelog.of_units([TAN_SON], rules.OFFER)) == [("1.001193", "unpublished")]
        assert subjects(changelog.of_units([TAN_HOA], rules.OFFER)) == [("24/12/2026", "day_off")]
        centre = changelog.of_units([TAN_SON], rules.CENTRE)
        assert [(row.subject, row.previous, row.detail) for row in centre] == [
            ("hours", "07:30-11:30", "07:00-11:00,13:30-17:00"),
            ("phone", "", "0210 3870 123"),
        ]
        # Appended after the copy: the next id, after the copied rows (PostgreSQL's sequence
        # moved on), and refused a rewrite as the old logs were.
        changelog.record("quantri", TAN_SON, "1.001193", "published", "Thủ tục đăng ký khai sinh")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.max(LogEntry.id))) == len(ONE_LOG) + 1
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(sa.text("UPDATE change_log SET detail = 'x'"))
        db.session.rollback()

        # Back to 0016: each row in its own log again, the old logs refusing rewrites again.
        downgrade(directory=MIGRATIONS, revision="0016")
        assert "change_log" not in tables()
        after = old_rows()
        published = (TAN_SON, after["admin_changes"][-1][1], "quantri", "1.001193", "published",
                     "Thủ tục đăng ký khai sinh")  # fmt: skip
        assert after == {**before, "admin_changes": [*before["admin_changes"], published]}
        for table in ("staff_changes", "admin_changes", "centre_changes"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                db.session.execute(sa.text(f"DELETE FROM {table}"))
            db.session.rollback()
        # And up again, as a deployment that went back would.
        upgrade(directory=MIGRATIONS)
        assert one_log()[: len(ONE_LOG)] == ONE_LOG
        db.session.remove()
        db.engine.dispose()
