"""The model's questions about a status answer from the workflow's own sets and actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from domain import workflow
from domain.workflow import Status


@dataclass
class Row(workflow.StatusQuestions):
    status: int
    due_date: date | None = None


@pytest.mark.parametrize("status", list(Status))
def test_the_questions_follow_the_rules(status: Status) -> None:
    row = Row(status)
    assert row.is_running == (status in workflow.RUNNING)
    assert row.is_paused == (status in workflow.PAUSED)
    assert row.is_closed == (status in workflow.CLOSED)
    citizen = {a.key for a in workflow.allowed_actions(status, workflow.CITIZEN)}
    assert row.can_withdraw == ("withdraw" in citizen)
    assert row.awaits_supplement == ("supplement_received" in citizen)


def test_the_clock_counts_down_only_while_it_runs() -> None:
    assert [s for s in Status if Row(s).is_running] == [Status.RECEIVED, Status.PROCESSING]
    assert not Row(Status.FEE).is_running and Row(Status.FEE).is_paused


def test_overdue_means_running_and_past_its_day() -> None:
    today = date(2026, 3, 10)
    assert Row(Status.PROCESSING, date(2026, 3, 9)).is_overdue(today)
    assert not Row(Status.PROCESSING, today).is_overdue(today)
    assert not Row(Status.FEE, date(2026, 3, 9)).is_overdue(today)
    assert not Row(Status.NEW).is_overdue(today)
