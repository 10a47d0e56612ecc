"""What the back office reads about its unit's dossiers and procedures.

Its writes are services.workflow (actions), services.counter (paper dossiers), services.admin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from domain.paging import Paging
from domain.references import normalize_dossier_code
from extensions import db
from models import Dossier
from models import DossierEvent
from models import Procedure
from models import StoredFile
from models import Unit


def unit_dossier(code: str, unit_code: int) -> Dossier | None:
    """The dossier of this code, if it belongs to this unit, with its events and files."""
    normal = normalize_dossier_code(code)
    if not normal:
        return None
    return db.session.scalar(
        sa.select(Dossier)
        .where(Dossier.code == normal, Dossier.unit_code == unit_code)
        .options(selectinload(Dossier.events), selectinload(Dossier.files))
    )


@dataclass(frozen=True)
class Sent:
    """A dossier this unit handed to another: what it may still read of it.

    Its history up to its own last hand-over, and that hand-over (to whom, when, why): never
    what the deciding unit did since, nor the papers and answers, which went with the dossier.
    """

    dossier: Dossier
    events: list[DossierEvent]
    handover: DossierEvent


def sent_dossier(code: str, unit_code: int) -> Sent | None:
    """The dossier of this code, if this unit transferred it away and does not hold it now."""
    normal = normalize_dossier_code(code)
    if not normal:
        return None
    found = db.session.scalar(
        sa.select(Dossier)
        .where(Dossier.code == normal, Dossier.unit_code != unit_code)
        .options(selectinload(Dossier.events))
    )
    if found is None:
        return None
    last = None
    for index, event in enumerate(found.events):
        if event.action == "transfer" and event.details.get("from_unit") == unit_code:
            last = index
    if last is None:
        return None
    return Sent(found, found.events[: last + 1], found.events[last])


def dossier_file(dossier: Dossier, file_id: int) -> StoredFile | None:
    """One paper of this dossier; another dossier's is not found."""
    stored = db.session.get(StoredFile, file_id)
    return stored if stored is not None and stored.dossier_id == dossier.id else None


def procedures_in_use(unit_code: int) -> Sequence[Any]:
    """(code, name) of the procedures the unit has dossiers of, for the inbox's filter."""
    return db.session.execute(
        sa.select(Procedure.code, Procedure.name)
        .where(
            Procedure.code.in_(
                sa.select(Dossier.procedure_code).where(Dossier.unit_code == unit_code).distinct()
            )
        )
        .order_by(Procedure.name)
    ).all()


def counter_procedures() -> Sequence[Any]:
    """(code, name) of the commune procedures a paper dossier may be registered for."""
    return db.session.execute(
        sa.select(Procedure.code, Procedure.name)
        .where(Procedure.is_local.is_(True))
        .order_by(Procedure.popularity.is_(None), Procedure.popularity, Procedure.name)
    ).all()


def procedure_exists(code: str) -> bool:
    return bool(code) and db.session.get(Procedure, code) is not None


def unit_events(unit_code: int, paging: Paging) -> Sequence[Any]:
    """(event, dossier code) of every action on the unit's dossiers, newest first."""
    return db.session.execute(
        sa.select(DossierEvent, Dossier.code)
        .join(Dossier, Dossier.id == DossierEvent.dossier_id)
        .where(Dossier.unit_code == unit_code)
        .order_by(DossierEvent.id.desc())
        .limit(paging.size)
        .offset(paging.offset)
    ).all()


def unit_at(dossier: Dossier, event: DossierEvent) -> Unit:
    """The unit that held the dossier when this happened: the one that issues its slip."""
    code = dossier.received_unit_code
    for earlier in dossier.events:
        if earlier.id == event.id:
            break
        if earlier.action == "transfer":
            code = earlier.details["to_unit"]
    found = db.session.get(Unit, code)
    assert found is not None  # a foreign key
    return found
