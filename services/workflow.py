"""Doing an action to a dossier: the rule check, the clock, the event, the version check.

Each action is one transaction (act); record_action lets a service make it part of a larger one.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from domain import procedures
from domain import workflow
from domain.calendar import LOCAL
from domain.messages import Invalid
from extensions import db
from models import Dossier
from models import DossierEvent
from models import DossierTransfer
from models import StaffUser
from models import Unit
from models import utcnow
from services import notify
from services.calendar import work_calendar
from services.dossiers import expected_due
from services.dossiers import processing_limit
from services.transactions import one_transaction
from services.units import province_units
from services.units import unit_name


class Conflict(Exception):
    """Someone else changed the dossier since this page was opened."""


@dataclass
class Request:
    """What a member of staff (or the citizen) asked for, as read from the form."""

    key: str
    version: int
    reason: str = ""
    items: list[dict[str, str]] = field(default_factory=list)
    deadline: date | None = None
    new_date: date | None = None
    channel: str = ""
    confirmed: bool = False  # "yes, I am sure" ticked, where the action asks for it
    unit: int | None = None  # a transfer's commune
    papers: list[str] = field(default_factory=list)  # the papers a transfer hands over


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL).date()


def past_actions(dossier: Dossier) -> list[str]:
    return [event.action for event in dossier.events]


def status_before_supplement(dossier: Dossier) -> int:
    for event in reversed(dossier.events):
        if event.action == "request_supplement" and event.from_status is not None:
            return event.from_status
    return workflow.Status.PROCESSING


def _resume_clock(dossier: Dossier, now: datetime) -> None:
    if dossier.due_date and dossier.paused_on:
        calendar = work_calendar(dossier.unit_code)
        # The day the answer came, whatever the hour: a round trip within one day pauses no
        # working day, so a late reply cannot buy the centre a day (domain.calendar).
        resumed = local_today(now)
        dossier.due_date = calendar.extend_for_pause(dossier.due_date, dossier.paused_on, resumed)
        # The legal due date moves with the pause too: the figures judge against it, and the
        # time the person took is never the centre's lateness.
        if dossier.original_due_date:
            dossier.original_due_date = calendar.extend_for_pause(
                dossier.original_due_date, dossier.paused_on, resumed
            )
    dossier.paused_on = None


def _effects(dossier: Dossier, request: Request, now: datetime, today: date) -> dict[str, Any]:
    """Change the dossier's clock and records for the action; returns the event's details."""
    key = request.key
    details: dict[str, Any] = {}
    if key == "receive":
        dossier.received_at = now
        limit = processing_limit(dossier.procedure, dossier.submission_channel)
        assert limit is not None  # refused above without one
        calendar = work_calendar(dossier.unit_code)
        dossier.due_date = calendar.due_date(now, limit.qty, limit.unit)
        dossier.original_due_date = dossier.due_date
        details["due_date"] = dossier.due_date.isoformat()
        # The legal limit as promised, for slip 01 ("03 ngày làm việc"), whatever changes later.
        details["limit"] = {"qty": limit.amount, "unit": limit.unit}
    elif key == "request_supplement":
        dossier.paused_on = today
        dossier.supplement_items = request.items
        dossier.supplement_reason = request.reason
        dossier.supplement_deadline = request.deadline
        assert request.deadline is not None  # the action needs_deadline: checked above
        details = {"items": request.items, "deadline": request.deadline.isoformat()}
    elif key == "request_fee":
        dossier.paused_on = today
    elif key in {"supplement_received", "fee_paid"}:
        _resume_clock(dossier, now)
        details["due_date"] = dossier.due_date.isoformat() if dossier.due_date else None
    elif key == "finish":
        dossier.finished_at = now
    elif key == "return_result":
        dossier.returned_at = now
        dossier.result_channel = request.channel
        details["channel"] = request.channel
    elif key == "transfer":
        details = _transfer(dossier, request, now)
    elif key == "apologise":
        details = {"old_date": dossier.due_date.isoformat() if dossier.due_date else None}
        assert request.new_date is not None  # the action needs_new_date: checked above
        dossier.due_date = request.new_date
        details["new_date"] = request.new_date.isoformat()
    return details


def _transfer(dossier: Dossier, request: Request, now: datetime) -> dict[str, Any]:
    """Hand the dossier to the deciding unit and move its clock to that unit's calendar."""
    assert request.unit is not None  # the action needs_unit: checked above
    details: dict[str, Any] = {
        "from_unit": dossier.unit_code,
        "from_name": dossier.unit.name,
        "to_unit": request.unit,
        "to_name": unit_name(request.unit),
        "papers": request.papers,
    }
    unit = db.session.get(Unit, request.unit)
    assert unit is not None  # one of the province's communes: checked above
    dossier.unit = unit
    calendar = work_calendar(request.unit)
    limit = processing_limit(dossier.procedure, dossier.submission_channel)
    # The clock continues: under NĐ 118/2025 a centre receives a dossier whatever the address
    # (tiếp nhận không phụ thuộc địa giới, domain.md §0.3), so the person handed it in once and
    # the time limit runs from that reception (the first day not counted, BLDS 2015 art. 147,
    # domain.md §2.4). The deciding unit counts the same working days from the same moment on
    # its own calendar: its days off are the ones that matter now.
    if dossier.received_at is not None and limit is not None:
        due = calendar.due_date(dossier.received_at, limit.qty, limit.unit)
        dossier.original_due_date = due
        # An apology's new date is a promise made to the person (slip 04): it stands.
        if "apologise" not in past_actions(dossier):
            dossier.due_date = due
    elif dossier.received_at is None:
        dossier.expected_due = expected_due(dossier.procedure, dossier.submitted_at, request.unit)
    details["due_date"] = dossier.due_date.isoformat() if dossier.due_date else None
    return details


def act(
    dossier: Dossier, request: Request, actor: StaffUser | None, now: datetime | None = None
) -> DossierEvent:
    """Do the action in its own transaction, or raise Invalid (not allowed, something missing)
    or Conflict (changed); either leaves nothing written."""
    try:
        with one_transaction():
            return record_action(dossier, request, actor, now)
    except StaleDataError:
        raise Conflict from None


def record_action(
    dossier: Dossier, request: Request, actor: StaffUser | None, now: datetime | None = None
) -> DossierEvent:
    """The action's changes, event and message, written into the session but not committed.

    For a service that does more in the same transaction (services.counter); act() is the
    action alone. Raises Invalid or Conflict as act() does.
    """
    now = now or utcnow()
    today = local_today(now)
    if request.version != dossier.version:
        raise Conflict
    role = actor.role if actor is not None else workflow.CITIZEN
    action = workflow.check(
        request.key,
        dossier.status,
        role,
        reason=request.reason,
        items=[item["key"] for item in request.items],
        deadline=request.deadline,
        new_date=request.new_date,
        channel=request.channel,
        confirmed=request.confirmed,
        today=today,
        due=dossier.due_date,
        past_actions=past_actions(dossier),
        calendar=work_calendar(dossier.unit_code),
        # Only an apology's new date is bounded by it: no other action reads the procedure.
        limit=processing_limit(dossier.procedure, dossier.submission_channel)
        if request.key == "apologise"
        else None,
        unit=request.unit,
        papers=request.papers,
        own_unit=dossier.unit_code,
        province_units=[code for code, _name in province_units()],
    )
    if action.key == "receive" and (
        processing_limit(dossier.procedure, dossier.submission_channel) is None
    ):
        # Received means a due date: without a limit there is none to give (DESIGN.md).
        raise Invalid(procedures.NO_TIME_LIMIT)
    before = dossier.status
    target = workflow.next_status(
        action.key, dossier.status, before_supplement=status_before_supplement(dossier)
    )
    details = _effects(dossier, request, now, today)
    dossier.status = target
    event = DossierEvent(
        dossier=dossier,
        at=now,
        action=action.key,
        from_status=before,
        to_status=dossier.status,
        actor_id=actor.id if actor else None,
        actor_name=actor.full_name if actor else dossier.applicant_name,
        actor_role=role,
        reason=request.reason.strip(),
        details=details,
        public=action.public,
    )
    db.session.add(event)
    if action.key == "transfer":
        db.session.add(
            DossierTransfer(
                event=event,
                dossier=dossier,
                from_unit=details["from_unit"],
                to_unit=details["to_unit"],
                at=now,
            )
        )
    notify.queue(dossier, event)
    return event
