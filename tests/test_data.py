"""The reference data in data/ and what the loaders make of it."""

from __future__ import annotations

import json
import os
import re
import unicodedata
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
PROCEDURES = ROOT / "data" / "procedures"
# The shared reference data the records in data/ were copied from (absent on CI machines).
SHARED = Path(os.environ.get("MOTCUA_SHARED_DATA", "/work/shared/data")) / "procedures"
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
        local = db.session.scalar(sa.select(sa.func.count()).where(Procedure.is_local))
        assert local == len(expected_commune_codes())
        db.session.remove()
        db.engine.dispose()


def plain(text: str) -> str:
    """Lower case without accents, written here on its own so the count below owes nothing to
    the loader's code."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def read_json(name: str) -> dict:
    return json.loads((PROCEDURES / name).read_text(encoding="utf-8"))


def national_rows() -> list[dict]:
    with (PROCEDURES / "national_catalog.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def expected_commune_codes(province: str = "phu tho") -> set[str]:
    """The commune's procedures counted straight from the data: a row is in when its
    departments name a commune body, when its detail record says isWard, or, when neither a
    detail record nor a department says anything, when our decision (by row, else by field)
    says so; a province's own (SPECIFIC) procedures count only in that province, internal ones
    between state bodies (STANDARD_INTERNAL) nowhere; and every procedure we wrote a guide
    for."""
    levels = read_json("national_levels.json")["procedures"]
    decisions = read_json("commune_level_decisions.json")
    by_row = {d["code"]: d["commune"] for d in decisions["procedures"]}
    by_field = {
        unicodedata.normalize("NFC", f): r["commune"]
        for r in decisions["field_rules"]
        for f in r["fields"]
    }
    found = {g["code"] for g in guides()}
    for row in national_rows():
        mine = plain(row["departmentPromulgate"]).endswith(province)
        if row["type"] != "STANDARD" and not mine:  # another province's, or internal
            continue
        departments = [plain(d) for d in row["departments"] if d]
        by_department = any("cap xa" in d and "tinh" not in d for d in departments)
        if row["code"] in levels:
            decided = levels[row["code"]]["isWard"]
        elif not departments:
            field = unicodedata.normalize("NFC", " ".join(row["categories"][0].split()))
            decided = by_row[row["code"]] if row["code"] in by_row else by_field[field]
        else:
            decided = False
        if by_department or decided:
            found.add(row["code"])
    return found


def local_codes() -> set[str]:
    return set(db.session.scalars(sa.select(Procedure.code).where(Procedure.is_local)))


def test_every_commune_level_procedure_is_loaded(app_context: Flask) -> None:
    expected = expected_commune_codes()
    assert local_codes() == expected
    assert len(expected) == 415
    # The four that answered 404: no detail record and an empty department list.
    assert {"2.001263", "2.001255", "1.001699", "1.001653"} <= expected
    # isWard records the department filter missed, e.g. lưu động registrations.
    assert {"1.003583", "1.000593", "1.000419", "3.000323"} <= expected
    # Another province's own procedure is not this commune's, even with isWard.
    lai_chau = [r["code"] for r in national_rows() if "Lai Châu" in r["departmentPromulgate"]]
    assert lai_chau and not (set(lai_chau) & expected)
    # Internal procedures between state bodies are nobody's to apply for.
    internal = {r["code"] for r in national_rows() if r["type"] == "STANDARD_INTERNAL"}
    assert "6.006594" in internal and not (internal & local_codes())


def test_the_loader_reports_counts_and_lists_procedures_without_details(
    app_context: Flask,
) -> None:
    result = app_context.test_cli_runner().invoke(args=["data", "load"])
    assert result.exit_code == 0, result.output
    expected = expected_commune_codes()
    detailed = {p["code"] for p in read_json("commune_procedures.json")["procedures"]}
    summary = re.search(
        r"(\d+) procedures done at commune level, (\d+) with details", result.output
    )
    assert summary, result.output
    assert int(summary[1]) == len(expected) and int(summary[2]) == len(expected & detailed)
    listed = re.search(r"Without details \((\d+)\): (.*)", result.output)
    assert set(listed[2].split(", ")) == expected - detailed
    assert int(listed[1]) == len(expected - detailed)
    with_detail = set(db.session.scalars(sa.select(Procedure.code).where(Procedure.has_detail)))
    assert with_detail & expected == expected & detailed


def test_every_row_the_data_say_nothing_about_is_decided_with_a_reason() -> None:
    levels = read_json("national_levels.json")["procedures"]
    decisions = read_json("commune_level_decisions.json")
    rows = {r["code"]: r for r in national_rows()}
    silent = {c for c, r in rows.items() if c not in levels and not any(r["departments"])}
    assert len(silent) == 778
    by_row = {d["code"]: d for d in decisions["procedures"]}
    # A decision is for a row the data say nothing about, with its reason, under its name.
    assert set(by_row) <= silent
    for code, decision in by_row.items():
        assert decision["reason"].strip() and isinstance(decision["commune"], bool), code
        assert plain(decision["name"]) == plain(" ".join(rows[code]["name"].split())), code
    fields = {}
    for rule in decisions["field_rules"]:
        assert rule["reason"].strip() and rule["fields"]
        for field in rule["fields"]:
            assert field not in fields, f"{field} has two rules"
            fields[field] = rule["commune"]
    for code in silent - set(by_row):
        field = unicodedata.normalize("NFC", " ".join(rows[code]["categories"][0].split()))
        assert field in fields, f"{code} ({field}) has no decision"
    for code in ("2.001263", "2.001255", "1.001699", "1.001653"):
        assert by_row[code]["commune"] is True


def test_a_row_without_any_decision_stops_the_load() -> None:
    from loaders.catalog import LevelDecisions

    decisions = LevelDecisions({"procedures": [], "field_rules": []})
    row = {"code": "9.999999", "categories": ["Lĩnh vực mới"], "departments": [""]}
    with pytest.raises(ValueError, match="9.999999"):
        decisions.commune(row)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared reference data are not here")
def test_records_in_data_are_those_of_the_shared_source() -> None:
    from tools.normalise_details import normalise

    raw = {
        p.stem: json.loads(p.read_text(encoding="utf-8"))["data"]
        for p in (SHARED / "national_details").glob("*.json")
    }
    assert len(raw) == 502
    levels = read_json("national_levels.json")["procedures"]
    assert {c: v["isWard"] for c, v in levels.items()} == {c: r["isWard"] for c, r in raw.items()}
    records = read_json("commune_procedures.json")["procedures"]
    assert {r["code"] for r in records} == {c for c, r in raw.items() if r["isWard"]}
    for record in records:
        assert record == normalise(raw[record["code"]], record["crawled_at"]), record["code"]
    assert (PROCEDURES / "national_catalog.jsonl").read_bytes() == (
        SHARED / "national_catalog.jsonl"
    ).read_bytes()


def words(text: str) -> str:
    return re.sub(r"\W+", "", unicodedata.normalize("NFC", text))


def test_official_texts_load_word_for_word(app_context: Flask) -> None:
    """Cleaning drops bullets, spaces and empty lines only: every letter of every record's
    official text reaches the page in order (texts garbled at the source stay as published)."""
    records = {r["code"]: r for r in read_json("commune_procedures.json")["procedures"]}
    for fix in read_json("text_corrections.json")["corrections"]:
        texts = records[fix["code"]][fix["field"]]
        texts[:] = [t.replace(fix["published"], fix["corrected"]) for t in texts]
    checked = 0
    for proc in db.session.scalars(sa.select(Procedure).where(Procedure.has_detail)):
        record = records[proc.code]
        assert words(" ".join(proc.steps_text)) == words(" ".join(record["steps_text"]))
        assert words(proc.requirements) == words(record["requirements_and_conditions"])
        source = [d["name"] for g in record["document_groups"] for d in g["documents"]]
        assert [words(d.name) for d in proc.documents] == [words(n) for n in source]
        assert words(proc.name) == words(record["name"])
        checked += 1
    assert checked == len(expected_commune_codes() & records.keys())


def test_new_records_keep_their_details_and_flags(app_context: Flask) -> None:
    levels = read_json("national_levels.json")["procedures"]
    loaded = list(db.session.scalars(sa.select(Procedure).where(Procedure.has_detail)))
    for proc in loaded:
        assert proc.is_local and proc.source_url.startswith("https://dichvucong.gov.vn/")
        assert proc.source_updated_at is not None, proc.code
        assert proc.is_non_territorial == levels[proc.code]["isNonTerritorial"], proc.code
        # Notes are never papers to hand in.
        for doc in proc.documents:
            if doc.originals == 0 and doc.copies == 0:
                assert doc.group == "note", (proc.code, doc.name)
    mobile = db.session.get(Procedure, "1.003583")  # lưu động: an isWard record new to us
    assert mobile.has_detail and mobile.channels and mobile.cases and mobile.legal_basis
    assert {d.group for d in mobile.documents} >= {"submit"}


def names_en() -> dict[str, str]:
    return {k: v for k, v in read_json("names_en.json").items() if not k.startswith("_")}


def test_forty_english_names_for_procedures_of_the_catalogue(app_context: Flask) -> None:
    names = names_en()
    assert len(names) == 40
    assert set(names) <= expected_commune_codes()
    for code, name in names.items():
        proc = db.session.get(Procedure, code)
        assert proc.is_local and proc.name_en == name
        assert name.isascii() and name[0].isupper() and not name.endswith("."), code
    assert db.session.get(Procedure, "1.000593").name_en is None


def test_another_province_gets_its_own_procedures_with_their_flags(tmp_path: Path) -> None:
    from app import create_app
    from tests.conftest import base_config

    other = create_app(base_config(f"sqlite:///{tmp_path / 'laichau.sqlite3'}"))
    other.config.update(PROVINCE_CODE=12, UNIT_CODE=3388)  # Phường Đoàn Kết, Tỉnh Lai Châu
    with other.app_context():
        db.create_all()
        result = other.test_cli_runner().invoke(args=["data", "load"])
        assert result.exit_code == 0, result.output
        assert local_codes() == expected_commune_codes("lai chau")
        levels = read_json("national_levels.json")["procedures"]
        boundary_free = set(
            db.session.scalars(sa.select(Procedure.code).where(Procedure.is_non_territorial))
        )
        assert len(boundary_free) == 16
        assert boundary_free == {
            c for c in local_codes() if levels.get(c, {}).get("isNonTerritorial")
        }
        db.session.remove()
        db.engine.dispose()


def test_texts_garbled_at_the_source_read_as_the_ministry_wrote_them(app_context: Flask) -> None:
    steps = " ".join(db.session.get(Procedure, "1.001193").steps_text)
    assert "nộp hồ sơ đăng ký khai sinh tại Trung tâm Phục vụ hành chính công" in steps
    assert "hoàn tất việc nộp hồ sơ." in steps
    assert "khai tâm" not in steps and "việc sinh tại Trung" not in steps
    for fix in read_json("text_corrections.json")["corrections"]:
        assert fix["evidence"].strip() and fix["published"] != fix["corrected"]


def test_a_correction_that_no_longer_matches_stops_the_load() -> None:
    from domain.procedures import corrected

    assert corrected("a b c", "b", "x", "t") == "a x c"
    with pytest.raises(ValueError, match="0 times"):
        corrected("a c", "b", "x", "1.001193 steps_text")


def national_limit(record: dict) -> bool:
    """Whether a raw national detail record gives a usable time limit (channel or case)."""
    units = {"WORKING_DAY", "DAY", "HOUR", "MONTH"}
    methods = record.get("executionMethods") or []
    cases = [c.get("processingDay") or {} for c in record.get("cases") or []]
    return any(
        m.get("processingTime") and m.get("processingTimeUnit") in units for m in methods
    ) or any(c.get("qty") and c.get("type") in units for c in cases)


def test_every_time_limit_the_national_records_give_reaches_the_counter(
    app_context: Flask,
) -> None:
    from domain.channels import Channel
    from services.limits import published_counter_limits
    from services.limits import published_limit

    limited, missing = published_counter_limits()
    assert limited + len(missing) == len(local_codes())
    # Khai sinh, from its record: 1 working day at the desk.
    limit = published_limit(db.session.get(Procedure, "1.001193"), Channel.DIRECT)
    assert (limit.qty, limit.unit) == (1, "WORKING_DAY")
    # Chứng thực bản sao and chứng thực chữ ký have no detail record in the national data: no
    # limit to load, so an administrator sets theirs (tests/web/test_time_limits.py).
    assert {"2.000815", "2.000884"} <= set(missing)
    folder = SHARED / "national_details"
    if not folder.is_dir():
        pytest.skip("the shared national records are not on this machine")
    assert not (folder / "2.000815.json").exists() and not (folder / "2.000884.json").exists()
    # No procedure is left to the administrators that a national record gives a limit for.
    given = [
        code
        for code in missing
        if (folder / f"{code}.json").exists()
        and national_limit(json.loads((folder / f"{code}.json").read_text("utf-8"))["data"])
    ]
    assert given == []
