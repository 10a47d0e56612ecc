"""Paper dossiers registered at the desk, and received there at once when the clerk says so."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models import Dossier
from models import StaffUser
from services.dossiers import new_at_counter
from services.transactions import one_transaction
from services.workflow import Request
from services.workflow import record_action


def register(values: dict[str, Any], clerk: StaffUser, now: datetime | None = None) -> Dossier:
    """Record the dossier and, with values["receive_now"], receive it: one transaction.

    A receipt that fails half-way leaves no dossier behind: the clerk's second try makes
    one dossier, not a second one next to a stray unreceived one.
    """
    with one_transaction():
        dossier = new_at_counter(values, clerk, now)
        if values.get("receive_now"):
            record_action(dossier, Request("receive", dossier.version), clerk, now)
    return dossier
