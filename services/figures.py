"""On-time figures as the national index counts them (QĐ 766/QĐ-TTg)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time

import sqlalchemy as sa

from domain import workflow
from domain.calendar import LOCAL
from domain.calendar import on_time_class
from extensions import db
from models import Dossier
from models import DossierRating


@dataclass
class Figures:
    received: int = 0
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    open_late: int = 0
    ratings: dict[str, int] | None = None

    @property
    def rated(self) -> int:
        return sum((self.ratings or {}).values())

    @property
    def satisfied_share(self) -> float | None:
        """Very satisfied or satisfied, among the ratings given (the satisfaction indicator)."""
        if not self.rated:
            return None
        ratings = self.ratings or {}
        return (ratings.get("rat_hai_long", 0) + ratings.get("hai_long", 0)) / self.rated

    @property
    def on_time_share(self) -> float | None:
        """Finished before or on the due day, among those finished (the 20-point indicator)."""
        return (self.early + self.on_time) / self.finished if self.finished else None


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def on_time_figures(unit_code: int, start: date, end: date, today: date | None = None) -> Figures:
    """Dossiers received and finished between start and end (local days, inclusive)."""
    since = datetime.combine(start, time.min, LOCAL)
    until = datetime.combine(end, time.max, LOCAL)
    figures = Figures()
    figures.received = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Dossier)
        .where(
            Dossier.unit_code == unit_code,
            Dossier.received_at >= since,
            Dossier.received_at <= until,
        )
    ).scalar_one()
    # An apology moves due_date to the promised new day, but a dossier that needed one was
    # late (QĐ 766): judge against the due date it had before, kept in original_due_date.
    legal_due = sa.func.coalesce(Dossier.original_due_date, Dossier.due_date)
    finished = db.session.execute(
        sa.select(Dossier.finished_at, legal_due).where(
            Dossier.unit_code == unit_code,
            Dossier.finished_at >= since,
            Dossier.finished_at <= until,
            Dossier.due_date.is_not(None),
        )
    ).all()
    for finished_at, due in finished:
        assert finished_at is not None  # the query asks for finished_at >= since
        figures.finished += 1
        kind = on_time_class(local_day(finished_at), due)  # "early", "on_time" or "late"
        setattr(figures, kind, getattr(figures, kind) + 1)
    figures.ratings = dict(
        db.session.execute(
            sa.select(DossierRating.value, sa.func.count())
            .join(Dossier, Dossier.id == DossierRating.dossier_id)
            .where(
                Dossier.unit_code == unit_code,
                DossierRating.created_at >= since,
                DossierRating.created_at <= until,
            )
            .group_by(DossierRating.value)
        ).all()
    )
    figures.open_late = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Dossier)
        .where(
            Dossier.unit_code == unit_code,
            Dossier.status.in_(workflow.RUNNING),
            legal_due < (today or end),
        )
    ).scalar_one()
    return figures
