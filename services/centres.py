"""The province's centres as each worker holds them: one per commune-level unit.

A worker keeps the centres of its province in memory and, at most every
CATALOG_CHECK_SECONDS, asks the database whether an administrator changed one (row count and
last update), as the catalogue does: a phone number edited on the web shows everywhere within
seconds, on every node.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from domain import centres as rules
from domain import formatting
from domain.changelog import SETTING
from domain.messages import Invalid
from extensions import db
from models import Centre as CentreRow
from models import Province
from models import Unit
from models import utcnow
from services import changelog
from services.links import public_url


@dataclass(frozen=True)
class Centre:
    """A commune's centre, as shown in the header, footer and printouts."""

    unit_code: int
    unit_name: str
    province_name: str
    name: str  # as the administrator wrote it; empty: "Trung tâm … <unit name>"
    address: str
    phone: str
    hours: list[tuple[str, str]]
    own_url: str  # an address of its own for paper and QR codes; empty: the portal's
    slug: str  # "thanh-ba", for /xa/thanh-ba

    @property
    def centre_name(self) -> str:
        return self.name or self.unit_name

    @property
    def is_default(self) -> bool:
        return self.unit_code == current_app.config["UNIT_CODE"]

    def public_address(self) -> str:
        """The centre's address on paper: its own, else the portal's page for it."""
        if self.own_url:
            return self.own_url
        if self.is_default:  # a single-commune portal's address is the centre's
            return public_url("catalog.home").rstrip("/")
        return public_url("centres.centre", unit=self.unit_code)

    def procedure_address(self, code: str) -> str:
        """Where a printed QR code for a procedure leads, remembering this centre."""
        if self.own_url:
            return f"{self.own_url}/thu-tuc/{code}"
        if self.is_default:
            return public_url("catalog.detail", code=code)
        return public_url("centres.procedure", unit=self.unit_code, code=code)


@dataclass
class Snapshot:
    version: tuple[Any, ...]
    centres: dict[int, Centre]  # the province's units, by code
    by_slug: dict[str, list[int]]  # short and full slugs → unit codes (several if ambiguous)
    checked_at: float = field(default_factory=time.monotonic)


_lock = threading.Lock()
_snapshots: dict[tuple[str, int, int], Snapshot] = {}


def _version() -> tuple[Any, ...]:
    return tuple(
        db.session.execute(
            sa.select(sa.func.count(CentreRow.unit_code), sa.func.max(CentreRow.updated_at))
        ).one()
    )


def _build(version: tuple[Any, ...], province: int, default: int) -> Snapshot:
    rows = db.session.execute(
        sa.select(Unit, Province.name, CentreRow)
        .join(Province, Unit.province_code == Province.code)
        .outerjoin(CentreRow, CentreRow.unit_code == Unit.code)
        # The default unit is a centre even in a test set up across provinces.
        .where(sa.or_(Unit.province_code == province, Unit.code == default))
        .order_by(Unit.name)
    ).all()
    centres: dict[int, Centre] = {}
    by_slug: dict[str, list[int]] = {}
    for unit, province_name, row in rows:
        short = rules.short_slug(unit.name)
        centres[unit.code] = Centre(
            unit_code=unit.code,
            unit_name=unit.name,
            province_name=province_name,
            name=row.name if row else "",
            address=(row.address if row else "") or f"{unit.name}, {province_name}",
            phone=row.phone if row else "",
            hours=formatting.parse_hours(row.hours if row else ""),
            own_url=row.public_url if row else "",
            slug=short,
        )
        by_slug.setdefault(short, []).append(unit.code)
        full = rules.slug(unit.name)
        if full != short:
            by_slug.setdefault(full, []).append(unit.code)
    return Snapshot(version, centres, by_slug)


def snapshot() -> Snapshot:
    """This worker's centres, rebuilt if an administrator changed one."""
    config = current_app.config
    key = (config["SQLALCHEMY_DATABASE_URI"], config["PROVINCE_CODE"], config["UNIT_CODE"])
    known = _snapshots.get(key)
    if known is not None and time.monotonic() - known.checked_at < config["CATALOG_CHECK_SECONDS"]:
        return known
    version = _version()
    if known is not None and known.version == version:
        known.checked_at = time.monotonic()
        return known
    with _lock:
        known = _snapshots.get(key)
        if known is None or known.version != version:
            known = _build(version, config["PROVINCE_CODE"], config["UNIT_CODE"])
            if known.centres:  # not before the unit list is loaded
                _snapshots[key] = known
    return known


def find(code: int) -> Centre | None:
    """A centre of this province, or None for an unknown or foreign unit."""
    return snapshot().centres.get(code)


def by_slug(slug: str) -> list[Centre]:
    """The centres a readable name such as "thanh-ba" may mean (none, one, or several)."""
    known = snapshot()
    return [known.centres[code] for code in known.by_slug.get(slug, [])]


def province_centres() -> list[Centre]:
    return list(snapshot().centres.values())


def search(query: str) -> list[Centre]:
    """The centres whose unit name holds every word typed, with or without accents."""
    words = rules.folded(query).split()
    found = province_centres()
    if not words:
        return found
    return [c for c in found if all(w in rules.folded(c.unit_name).split() for w in words)] or [
        c for c in found if all(w in rules.folded(c.unit_name) for w in words)
    ]


def default_centre() -> Centre:
    """The deployment's own unit (MOTCUA_UNIT); an error page renders even without a database."""
    code = current_app.config["UNIT_CODE"]
    try:
        found = find(code)
    except Exception:  # an error page must render even when the database does not
        db.session.rollback()
        found = None
    if found is None:
        config = current_app.config
        return Centre(
            code,
            "",
            "",
            "",
            config["CENTRE_ADDRESS"],
            config["CENTRE_PHONE"],
            formatting.parse_hours(config["CENTRE_HOURS"]),
            "",
            "",
        )
    return found


def settings_of(unit_code: int) -> dict[str, str]:
    """What the edit form shows: the stored values, empty where none is stored."""
    row = db.session.get(CentreRow, unit_code)
    return {name: getattr(row, name) if row else "" for name in rules.SETTINGS}


def seed(config: Mapping[str, Any]) -> bool:
    """Give the default unit the settings of the environment, once: later, the web decides."""
    code = config["UNIT_CODE"]
    if db.session.get(CentreRow, code) is not None or db.session.get(Unit, code) is None:
        return False
    db.session.add(
        CentreRow(
            unit_code=code,
            address=config["CENTRE_ADDRESS"][: rules.LIMITS["address"]],
            phone=config["CENTRE_PHONE"][: rules.LIMITS["phone"]],
            hours=config["CENTRE_HOURS"][: rules.LIMITS["hours"]],
        )
    )
    db.session.commit()
    return True


def update(unit_code: int, actor: str, values: Mapping[str, str]) -> list[str]:
    """Save an administrator's settings; each changed one is logged. Returns what changed."""
    if find(unit_code) is None:
        raise Invalid("not a centre of this province")
    row = db.session.get(CentreRow, unit_code, with_for_update=True)
    if row is None:
        row = CentreRow(unit_code=unit_code, name="", address="", phone="", hours="", public_url="")
        db.session.add(row)
    changed = []
    for name in rules.SETTINGS:
        new = values.get(name, "")
        old = getattr(row, name) or ""
        if new != old:
            setattr(row, name, new)
            changed.append(name)
            changelog.record(actor, unit_code, name, SETTING, new, previous=old)
    if changed:
        row.updated_at = utcnow()
    db.session.commit()
    return changed
