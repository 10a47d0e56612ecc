"""The reference data in data/ and what the loaders make of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from extensions import db
from models import Procedure
from models import ProcedureDocument
from models import Province
from models import Unit

ROOT = Path(__file__).resolve().parents[1]
GUIDE_KEYS = {
    "title",
    "summary",
    "who",
    "bring",
    "show",
    "time",
    "fee",
    "where",
    "deadline",
    "online",
    "tips",
}


def counts() -> dict[str, int]:
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in [
            ("provinces", Province),
            ("units", Unit),
            ("procedures", Procedure),
            ("documents", ProcedureDocument),
        ]
    }


def test_official_units_are_loaded(app_context: Flask) -> None:
    assert counts()["provinces"] == 34 and counts()["units"] == 3321
    phu_tho = db.session.get(Province, 25)
    assert phu_tho.name == "Tỉnh Phú Thọ" and len(phu_tho.units) == 148
    tan_son = db.session.get(Unit, 8566)
    assert tan_son.name == "Xã Tân Sơn" and tan_son.padded_code == "08566"
    kinds = dict(
        db.session.execute(
            sa.select(Unit.division_type, sa.func.count()).group_by(Unit.division_type)
        ).all()
    )
    assert kinds == {"xã": 2621, "phường": 687, "đặc khu": 13}


def test_loading_twice_changes_nothing(app_context: Flask) -> None:
    before = counts()
    result = app_context.test_cli_runner().invoke(args=["data", "load"])
    assert result.exit_code == 0, result.output
    assert counts() == before


def test_detailed_records_keep_their_source(app_context: Flask) -> None:
    proc = db.session.get(Procedure, "1.001193")
    assert proc.has_detail and proc.is_local
    assert proc.source_url.startswith("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")
    assert proc.source_updated_at.year == 2026
    assert {c.channel for c in proc.channels} == {"DIRECT", "ONLINE", "POSTAL"}
    assert [c.code for c in proc.cases] == ["1.001193.01", "1.001193.02"]
    groups = {d.group for d in proc.documents}
    assert groups == {"submit", "present", "note"}


def test_unit_outside_the_province_is_refused(app: Flask) -> None:
    app.config.update(UNIT_CODE=4792, PROVINCE_CODE=1)  # Phường Tân Hòa is in Phú Thọ (25)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["data", "load"])
    assert result.exit_code != 0 and "not in MOTCUA_PROVINCE" in result.output


def guides() -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "data" / "guides").glob("*.json"))
    ]


def test_at_least_ten_plain_guides_in_both_languages() -> None:
    found = guides()
    assert len(found) >= 10
    for guide in found:
        for lang in ("vi", "en"):
            assert set(guide[lang]) == GUIDE_KEYS, (guide["code"], lang)
            assert guide[lang]["title"] and guide[lang]["summary"] and guide[lang]["bring"]
            for item in guide[lang]["bring"]:
                assert set(item) == {"item", "originals", "copies", "note"}
        assert len(guide["vi"]["bring"]) == len(guide["en"]["bring"]), guide["code"]
    ranks = sorted(g["rank"] for g in found)
    assert ranks == list(range(1, len(found) + 1))


@pytest.mark.parametrize(
    "code",
    [
        "1.001193",
        "1.000656",
        "1.000894",
        "1.004873",
        "2.000635",
        "2.000815",
        "1.004222",
        "1.004194",
    ],
)
def test_common_procedures_have_a_guide(app_context: Flask, code: str) -> None:
    proc = db.session.get(Procedure, code)
    assert proc.guide and proc.guide_in("en")["title"] and proc.popularity


def test_national_catalogue_loads_all_rows_without_touching_details(
    app: Flask, tmp_path: Path
) -> None:
    from app import create_app
    from tests.conftest import base_config

    url = f"sqlite:///{tmp_path / 'national.sqlite3'}"
    other = create_app(base_config(url))
    with other.app_context():
        db.create_all()
        runner = other.test_cli_runner()
        assert runner.invoke(args=["data", "load"]).exit_code == 0
        result = runner.invoke(args=["data", "load-national"])
        assert result.exit_code == 0, result.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Procedure)) == 5670
        assert db.session.get(Procedure, "1.001193").has_detail
        assert db.session.scalar(sa.select(sa.func.count()).where(Procedure.is_local)) == 390
        db.session.remove()
        db.engine.dispose()
