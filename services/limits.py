"""A procedure's time limit per channel: the published record's, else an administrator's."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from domain import procedures as rules
from domain.channels import Channel
from extensions import db
from models import Procedure


def published_limit(proc: Procedure, channel: Channel) -> rules.TimeLimit | None:
    """The published record's time: the channel's, else the longest of the cases."""
    cases = [rules.TimeLimit(c.time_qty or 0, c.time_unit, c.code) for c in proc.cases]
    for method in proc.channels:
        if method.channel == channel.name:
            return rules.longest_working_days(
                rules.time_limits(method.time_qty, method.time_unit, cases)
            )
    return rules.longest_working_days(rules.time_limits(None, "", cases))


def administrator_limit(proc: Procedure, channel: Channel) -> rules.TimeLimit | None:
    """The longest limit an administrator set for the channel (for the procedure or a case)."""
    return rules.longest_working_days(
        [
            rules.TimeLimit(row.time_qty, row.time_unit, row.case_code)
            for row in proc.set_limits
            if row.channel == channel.name
        ]
    )


def processing_limit(proc: Procedure, channel: Channel = Channel.ONLINE) -> rules.TimeLimit | None:
    """The time to promise: the published record's, else the one an administrator set.

    None means that the procedure cannot be received on this channel: no due date to give.
    """
    return published_limit(proc, channel) or administrator_limit(proc, channel)


def published_counter_limits() -> tuple[int, list[str]]:
    """How many commune procedures the published records give a limit at the desk for, and
    the codes of those they do not (the administrators' to set)."""
    procs = db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.is_local.is_(True))
        .options(selectinload(Procedure.channels), selectinload(Procedure.cases))
        .order_by(Procedure.code)
    ).all()
    missing = [p.code for p in procs if published_limit(p, Channel.DIRECT) is None]
    return len(procs) - len(missing), missing
