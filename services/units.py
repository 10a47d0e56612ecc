"""The official unit list, read once per process (it changes by law, not by users)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from extensions import db
from models import Province
from models import Unit

if TYPE_CHECKING:
    from services.centres import Centre


@dataclass(frozen=True)
class UnitDirectory:
    """Provinces and their communes, for address fields (implements formspec.Units)."""

    provinces: dict[int, str]
    units: dict[int, dict[int, str]]  # province code → {unit code: name}

    def province_name(self, code: int) -> str | None:
        return self.provinces.get(code)

    def unit_name(self, code: int, province: int) -> str | None:
        return self.units.get(province, {}).get(code)

    def sorted_provinces(self) -> list[tuple[int, str]]:
        return sorted(self.provinces.items(), key=lambda item: item[1])

    def sorted_units(self, province: int) -> list[tuple[int, str]]:
        return sorted(self.units.get(province, {}).items(), key=lambda item: item[1])


_lock = threading.Lock()
_directories: dict[str, UnitDirectory] = {}


def directory() -> UnitDirectory:
    key = current_app.config["SQLALCHEMY_DATABASE_URI"]
    found = _directories.get(key)
    if found is not None:
        return found
    provinces = dict(db.session.execute(sa.select(Province.code, Province.name)).all())
    units: dict[int, dict[int, str]] = {}
    for code, name, province in db.session.execute(
        sa.select(Unit.code, Unit.name, Unit.province_code)
    ):
        units.setdefault(province, {})[code] = name
    found = UnitDirectory(provinces, units)
    if provinces:
        with _lock:
            _directories[key] = found
    return found


def deployment() -> Centre:
    """The deployment's own unit (MOTCUA_UNIT), whatever centre a person chose."""
    from services.centres import default_centre

    return default_centre()


def province_units() -> list[tuple[int, str]]:
    """(code, name) of every commune of the deployment's province, by name."""
    return directory().sorted_units(current_app.config["PROVINCE_CODE"])


def unit_name(code: int) -> str:
    """A commune of the deployment's province by its name; '' for any other code."""
    return directory().unit_name(code, current_app.config["PROVINCE_CODE"]) or ""
