"""Paper dossiers registered at the desk, and received there at once when the clerk says so."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.channels import Channel
from extensions import db
from models import Dossier
from models import Procedure
from models import StaffUser
from services.dossiers import new_at_counter
from services.dossiers import processing_limit
from services.transactions import one_transaction
from services.workflow import Request
from services.workflow import record_action


def has_time_limit(code: str) -> bool:
    """Whether a paper dossier of this procedure can be given a due date at the desk."""
    proc = db.session.get(Procedure, code) if code else None
    return proc is not None and processing_limit(proc, Channel.DIRECT) is not None


def register(values: dict[str, Any], clerk: StaffUser, now: datetime | None = None) -> Dossier:
    """Record the dossier and, with values["receive_now"], receive it: one transaction.

    A receipt that fails half-way leaves no dossier behind: the clerk's second try makes
    one dossier, not a second one next to a stray unreceived one. Raises Invalid for a
    procedure without a time limit: nothing is written.
    """
    with one_transaction():
        dossier = new_at_counter(values, clerk, now)
        if values.get("receive_now"):
            record_action(dossier, Request("receive", dossier.version), clerk, now)
    return dossier
