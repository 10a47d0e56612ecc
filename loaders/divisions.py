"""Load the 34 provinces and 3,321 commune-level units. Safe to run again: it upserts."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import sqlalchemy as sa

from extensions import db
from models import Province
from models import Unit

DIVISIONS = Path(__file__).resolve().parent.parent / "data" / "divisions" / "nested-divisions.json"


def load_divisions(path: Path = DIVISIONS) -> tuple[int, int]:
    """Upsert provinces and units; returns how many of each the file holds."""
    provinces = json.loads(path.read_text(encoding="utf-8"))
    known_provinces = {p.code: p for p in db.session.scalars(sa.select(Province))}
    known_units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    unit_count = 0
    for item in provinces:
        province = known_provinces.get(item["code"]) or Province(code=item["code"])
        province.name = unicodedata.normalize("NFC", item["name"])
        province.codename = item["codename"]
        province.division_type = item["division_type"]
        db.session.add(province)
        for ward in item["wards"]:
            unit = known_units.get(ward["code"]) or Unit(code=ward["code"])
            unit.name = unicodedata.normalize("NFC", ward["name"])
            unit.codename = ward["codename"]
            unit.division_type = ward["division_type"]
            unit.province_code = item["code"]
            db.session.add(unit)
            unit_count += 1
    db.session.commit()
    return len(provinces), unit_count
