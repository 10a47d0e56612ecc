"""An existing single-commune database upgrades in place to the province's centres (0013).

It starts from a database made at 0012, the head before centres, with what a commune's
portal holds: accounts and their log, days off, drafts with their files, dossiers with their
events and files. After the upgrade nothing is lost or changed, everything still belongs to
the MOTCUA_UNIT commune, and that commune's centre shows what the environment said.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from extensions import db
from extensions import limiter
from loaders.divisions import load_divisions
from models import CalendarDay
from models import Dossier
from models import DossierEvent
from models import Draft
from models import Procedure
from models import StoredFile
from services.staff import create_user
from tests.conftest import base_config
from tests.conftest import close_counters
from tests.old_logs import STAFF_CHANGES
from tests.pages import parse

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")
KEPT = [
    "provinces",
    "units",
    "procedures",
    "staff_users",
    "staff_changes",
    "calendar_days",
    "drafts",
    "stored_files",
    "dossiers",
    "dossier_events",
]
ENVIRONMENT = {
    "UNIT_CODE": 8566,
    "CENTRE_ADDRESS": "Khu 3, xã Tân Sơn, tỉnh Phú Thọ",
    "CENTRE_PHONE": "0210 3870 123",
    "CENTRE_HOURS": "07:00-11:00,13:30-17:00",
}


def fill_at_0012(app: Flask) -> str:
    """What a commune's portal holds at 0012, written through the models (unchanged by 0013)."""
    now = datetime.now(UTC)
    load_divisions()
    db.session.add(Procedure(code="1.004746", name="Thủ tục chứng thực bản sao", is_local=True))
    db.session.commit()
    admin = create_user("quantri", "mat-khau-rat-dai-2026", "quan_tri", 8566, "Nguyễn Văn Quản")
    clerk = create_user("tiepnhan", "mat-khau-rat-dai-2026", "tiep_nhan", 8566, "Lê Thị Nhận")
    # The account log as 0012 had it (0017 made it part of the one log of changes).
    db.session.execute(sa.insert(STAFF_CHANGES).values(unit_code=8566, at=now, actor=admin.username,
                       username=clerk.username, change="created", detail="tiep_nhan"))  # fmt: skip
    db.session.add(
        CalendarDay(unit_code=8566, day=date(2026, 12, 24), note="Bão", created_by="quantri")
    )
    # Drafts as 0012 wrote them: the columns of that day only (0015 added their unit).
    drafts = sa.insert(Draft.__table__)
    db.session.execute(drafts.values(id="d" * 32, resume_code="ABC234", phone="0912345678",
                       procedure_code="1.004746", answers={"child_name": "Đinh Minh Khang"},
                       current_step="tre-em", expires_at=now + timedelta(days=30)))  # fmt: skip
    db.session.execute(drafts.values(id="s" * 32, resume_code="XYZ789", phone="0987654321",
                       procedure_code="1.004746", expires_at=now + timedelta(days=30)))  # fmt: skip
    # A dossier as 0012 wrote it too: its table without the columns added since (0016's
    # receiving unit), defaults and types as the model has them.
    at_0012 = sa.Table("dossiers", sa.MetaData(), *(
        column._copy() for column in Dossier.__table__.columns
        if column.name != "received_unit_code"
    ))  # fmt: skip
    db.session.execute(sa.insert(at_0012).values(code="08566-261201-0001", draft_id="s" * 32,
                       unit_code=8566, procedure_code="1.004746", status=2,
                       applicant_name="Đinh Văn Bình", applicant_phone="0987654321",
                       answers={"child_name": "Đinh Minh An"}, received_at=now,
                       due_date=date(2026, 12, 8)))  # fmt: skip
    dossier = db.session.execute(sa.select(at_0012.c.id, at_0012.c.code)).one()
    db.session.add_all(
        [
            DossierEvent(dossier_id=dossier.id, action="submit", to_status=1),
            DossierEvent(
                dossier_id=dossier.id,
                action="receive",
                from_status=1,
                to_status=2,
                actor_name=clerk.full_name,
                actor_role="tiep_nhan",
                actor_id=clerk.id,
            ),  # fmt: skip
            StoredFile(
                draft_id="d" * 32,
                slot="birth_certificate",
                stored_name="a" * 40,
                mimetype="image/jpeg",
                size=1234,
                sha256="b" * 64,
            ),  # fmt: skip
            StoredFile(
                dossier_id=dossier.id,
                slot="birth_certificate",
                stored_name="c" * 40,
                mimetype="application/pdf",
                size=5678,
                sha256="d" * 64,
            ),  # fmt: skip
        ]
    )
    db.session.commit()
    return dossier.code


def rows(table: str) -> list[dict]:
    query = sa.text(f"SELECT * FROM {table} ORDER BY 1")
    return [dict(row._mapping) for row in db.session.execute(query)]


def test_a_commune_database_at_0012_upgrades_and_keeps_everything(empty_database: str) -> None:
    app = create_app({**base_config(empty_database), **ENVIRONMENT})
    counters = [limiter.storage]
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0012")
        code = fill_at_0012(app)
        before = {table: rows(table) for table in KEPT}
        upgrade(directory=MIGRATIONS, revision="0013")
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == "0013"
        after = {table: rows(table) for table in KEPT}
        assert after == before
        assert len(after["units"]) == 3321 and len(after["stored_files"]) == 2
        # Everything the portal held is the MOTCUA_UNIT commune's.
        for table in ("staff_users", "staff_changes", "calendar_days", "dossiers"):
            assert {row["unit_code"] for row in after[table]} == {8566}, table
        # Its centre: what the environment said, once; the other communes have no row yet.
        centres = rows("centres")
        assert [(c["unit_code"], c["address"], c["phone"], c["hours"]) for c in centres] == [
            (8566, ENVIRONMENT["CENTRE_ADDRESS"], "0210 3870 123", "07:00-11:00,13:30-17:00")
        ]
        assert rows("centre_changes") == []
        # Then on to the head: every draft begun goes to the commune it always went to (0015),
        # files stay.
        db.session.commit()  # let go of the tables read: 0015 alters drafts
        upgrade(directory=MIGRATIONS)
        head = ScriptDirectory(MIGRATIONS).get_current_head()
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == head
        assert [(d["id"][0], d["unit_code"]) for d in rows("drafts")] == [("d", 8566), ("s", 8566)]
        # and every dossier was received where it is decided (0016).
        assert [(d["unit_code"], d["received_unit_code"]) for d in rows("dossiers")] == [
            (8566, 8566)
        ]
        assert rows("stored_files") == after["stored_files"]
        db.session.remove()
    # The upgraded portal serves as before, with the centre's settings from the database.
    client = app.test_client()
    footer = parse(client.get("/")).select_one("footer").get_text(" ", strip=True)
    assert "0210 3870 123" in footer and "Khu 3, xã Tân Sơn" in footer
    assert "07:00–11:00, 13:30–17:00" in footer
    lookup = parse(client.get(f"/tra-cuu?ma={code}"))
    assert code in lookup.select_one("main").get_text()
    # Later the environment says something else: the database, edited on the web, decides.
    later = create_app({**base_config(empty_database), **ENVIRONMENT, "CENTRE_PHONE": "0999"})
    counters.append(limiter.storage)
    footer = parse(later.test_client().get("/")).select_one("footer").get_text(" ", strip=True)
    assert "0210 3870 123" in footer and "0999" not in footer
    for made in (app, later):
        with made.app_context():
            db.engine.dispose()
    for storage in counters:
        close_counters(storage)
