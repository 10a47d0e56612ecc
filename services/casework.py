"""What the back office reads about its unit's dossiers and procedures.

Its writes are services.workflow (actions), services.counter (paper dossiers), services.admin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.orm import selectinload

from domain.paging import Paging
from domain.procedures import TIME_UNITS
from domain.procedures import TimeLimit
from domain.references import normalize_dossier_code
from extensions import db
from models import Dossier
from models import DossierEvent
from models import Procedure
from models import StoredFile
from models import Unit
from services.limits import processing_limit


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
    """(event, dossier code) of every action while the dossier was in this unit, newest first.

    A unit held a dossier from its reception, or from a transfer to it, until (and with) a
    transfer away: a sender reads its events up to its hand-over, the unit it went to from that
    hand-over on, and a unit it never reached nothing.
    """
    earlier = aliased(DossierEvent)
    passed_on = aliased(DossierEvent)
    # Who held the dossier when this happened: where the last transfer before it went, else
    # the unit that received it. A transfer itself is the sender's (held before it) and the
    # receiver's (the clause after).
    holder = sa.func.coalesce(
        sa.select(earlier.details["to_unit"].as_integer())
        .where(
            earlier.dossier_id == DossierEvent.dossier_id,
            earlier.action == "transfer",
            earlier.id < DossierEvent.id,
        )
        .order_by(earlier.id.desc())
        .limit(1)
        .scalar_subquery(),
        Dossier.received_unit_code,
    )
    handed_to_it = sa.and_(
        DossierEvent.action == "transfer",
        DossierEvent.details["to_unit"].as_integer() == unit_code,
    )
    # Only dossiers this unit ever held: deciding, received, or passed on by it (a second
    # transfer); the first two on the dossier row, before any event is weighed.
    ever_held = sa.or_(
        Dossier.unit_code == unit_code,
        Dossier.received_unit_code == unit_code,
        sa.exists().where(
            passed_on.dossier_id == Dossier.id,
            passed_on.action == "transfer",
            passed_on.details["from_unit"].as_integer() == unit_code,
        ),
    )
    return db.session.execute(
        sa.select(DossierEvent, Dossier.code)
        .join(Dossier, Dossier.id == DossierEvent.dossier_id)
        .where(ever_held, sa.or_(holder == unit_code, handed_to_it))
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


def promised_limit(dossier: Dossier, event: DossierEvent) -> TimeLimit | None:
    """The time limit a reception promised (slip 01): the one it recorded, or for a reception
    recorded before limits were kept, the procedure's limit for the channel now."""
    kept = (event.details or {}).get("limit")
    if isinstance(kept, dict) and kept.get("unit") in TIME_UNITS and kept.get("qty"):
        return TimeLimit(kept["qty"], kept["unit"])
    return processing_limit(dossier.procedure, dossier.submission_channel)
