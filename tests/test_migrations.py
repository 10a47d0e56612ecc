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
    ("statement", "refusal"),
    [
        # The transfers' foreign key refuses before the trigger; with CASCADE the trigger does.
        ("TRUNCATE dossier_events", "foreign key"),
        ("TRUNCATE dossier_events CASCADE", "append-only"),
        ("TRUNCATE dossier_transfers", "append-only"),
        ("TRUNCATE change_log", "append-only"),
        ("TRUNCATE dossiers CASCADE", "append-only"),  # reaches the events by their foreign key
        ("TRUNCATE units CASCADE", "append-only"),  # and the log of changes through its unit
    ],
)
def test_the_append_only_tables_cannot_be_truncated(
    app_context: Flask, statement: str, refusal: str
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE FROM is refused by 0008's triggers")
    with db.engine.connect() as connection:
        with pytest.raises(sa.exc.DBAPIError, match=refusal):
            connection.execute(sa.text(statement))
        connection.rollback()


def test_existing_dossiers_were_received_where_they_are_decided(tmp_path) -> None:
    """0016 on a database with dossiers: each gets its own unit as the receiving one."""
    from pathlib import Path

    from flask_migrate import downgrade
    from flask_migrate import upgrade

    from app import create_app
    from models import Dossier
    from models import Procedure
    from models import Province
    from models import Unit
    from tests.conftest import base_config

    app = create_app(base_config(f"sqlite:///{tmp_path / 'upgrade.sqlite3'}", tmp_path))
    folder = str(Path(app.root_path) / "migrations")
    with app.app_context():
        upgrade(directory=folder)
        db.session.add(
            Province(code=25, name="Tỉnh Phú Thọ", codename="phu_tho", division_type="tỉnh")
        )
        for code, name in ((8566, "Xã Tân Sơn"), (4792, "Phường Tân Hòa")):
            db.session.add(
                Unit(code=code, name=name, codename=str(code), division_type="xã", province_code=25)
            )
        db.session.add(Procedure(code="1.001193", name="Thủ tục đăng ký khai sinh"))
        for number, unit in enumerate((8566, 4792, 8566)):
            db.session.add(
                Dossier(
                    code=f"0{unit}-260101-000{number}", unit_code=unit, procedure_code="1.001193"
                )
            )
        db.session.commit()
        downgrade(directory=folder, revision="0015")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("dossiers")}
        assert "received_unit_code" not in columns
        upgrade(directory=folder)
        rows = db.session.execute(
            sa.text("SELECT unit_code, received_unit_code FROM dossiers ORDER BY id")
        ).all()
        assert rows == [(8566, 8566), (4792, 4792), (8566, 8566)]
        db.session.remove()
        db.engine.dispose()


def test_the_transfers_made_before_0018_are_found_in_its_table(tmp_path) -> None:
    """0018 on a database with transfers: each transfer event gets its row, none other."""
    from datetime import UTC
    from datetime import datetime
    from pathlib import Path

    from flask_migrate import downgrade
    from flask_migrate import upgrade

    from app import create_app
    from models import Dossier
    from models import DossierEvent
    from models import DossierTransfer
    from models import Procedure
    from models import Province
    from models import Unit
    from tests.conftest import base_config

    app = create_app(base_config(f"sqlite:///{tmp_path / 'transfers.sqlite3'}", tmp_path))
    folder = str(Path(app.root_path) / "migrations")
    at = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    with app.app_context():
        upgrade(directory=folder)
        db.session.add(
            Province(code=25, name="Tỉnh Phú Thọ", codename="phu_tho", division_type="tỉnh")
        )
        for code, name in ((8566, "Xã Tân Sơn"), (8152, "Xã Thanh Ba"), (4792, "Phường Tân Hòa")):
            db.session.add(
                Unit(code=code, name=name, codename=str(code), division_type="xã", province_code=25)
            )
        db.session.add(Procedure(code="1.001193", name="Thủ tục đăng ký khai sinh"))
        dossier = Dossier(
            code="08566-261201-0001",
            unit_code=4792,
            received_unit_code=8566,
            procedure_code="1.001193",
        )
        db.session.add(dossier)
        for action, details in (
            ("receive", {}),
            ("transfer", {"from_unit": 8566, "to_unit": 8152, "papers": []}),
            ("note", {}),
            ("transfer", {"from_unit": 8152, "to_unit": 4792, "papers": []}),
        ):
            db.session.add(
                DossierEvent(dossier=dossier, at=at, action=action, to_status=2, details=details)
            )
        db.session.commit()
        downgrade(directory=folder, revision="0017")
        assert "dossier_transfers" not in sa.inspect(db.engine).get_table_names()
        upgrade(directory=folder)
        rows = db.session.scalars(sa.select(DossierTransfer).order_by(DossierTransfer.id)).all()
        assert [(r.from_unit, r.to_unit, r.event.action, r.at) for r in rows] == [
            (8566, 8152, "transfer", at),
            (8152, 4792, "transfer", at),
        ]
        assert rows[0].event_id < rows[1].event_id and rows[0].dossier_id == dossier.id
        db.session.remove()
        db.engine.dispose()
