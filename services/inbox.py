"""The staff inbox: tabs with counts, filters, search and paging, fast on 100,000 dossiers.

Every query is bounded by the unit (an index leads with unit_code) and by status or due date,
so the database reads only the rows a tab shows; counts come from one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

import sqlalchemy as sa

from domain import numbers
from domain import workflow
from domain.calendar import LOCAL
from domain.calendar import WorkCalendar
from domain.channels import Channel
from domain.paging import Paging
from domain.references import normalize_dossier_code
from domain.search import fold
from extensions import db
from models import Dossier
from models import DossierTransfer
from models import Procedure
from models import Unit

# Statuses whose clock runs: overdue and due-soon are counted among these.
RUNNING = tuple(sorted(workflow.RUNNING))
TABS = {tab.key: tuple(sorted(tab.statuses)) for tab in workflow.INBOX_TABS}
DUE_TABS = ("qua-han", "sap-den-han")
# Every dossier, closed ones too (refused, withdrawn, stopped, returned): they are in no
# other tab, and a person at the counter asks about them. A search always looks here.
ALL_TAB = "tat-ca"
# The dossiers this unit handed to another and holds no more: reached from here, read up to
# the hand-over (casework.sent_dossier). Not the unit's work, so no search looks there.
SENT_TAB = "da-chuyen-di"
TAB_KEYS = (*TABS, *DUE_TABS, ALL_TAB, SENT_TAB)
SCAN_BELOW = 1000  # a name search with fewer matches reads the table rather than an index


@dataclass
class InboxQuery:
    unit_code: int
    tab: str = "moi"
    procedure: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    page: int = 1
    size: int = 25
    helper_user_id: int | None = None  # community helpers see only the dossiers they helped with


@dataclass(frozen=True)
class InboxRow(workflow.StatusQuestions):
    """One dossier in the list: the columns it shows, and the questions about its status."""

    code: str
    status: int
    channel: int
    applicant_name: str
    applicant_phone: str
    submitted_at: datetime
    due_date: date | None
    expected_due: date | None
    procedure_name: str


@dataclass(frozen=True)
class SentRow(workflow.StatusQuestions):
    """A dossier sent away: where to, when, and its status there now."""

    code: str
    status: int
    applicant_name: str
    procedure_name: str
    to_name: str
    sent_at: datetime


@dataclass
class InboxPage:
    rows: list[Any]
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    size: int = 25
    tab: str = "moi"  # the tab shown: the one asked for, or every dossier for a search

    @property
    def pages(self) -> int:
        return Paging(1, self.size, self.total).pages


def _scope(query: InboxQuery, scan: bool = False) -> list[Any]:
    """The unit's dossiers (a helper's own). scan: read the table straight through."""
    unit: Any = Dossier.unit_code
    if scan and db.session.get_bind().dialect.name == "sqlite":
        # A name is found only by reading every row. Through a (unit, …) index SQLite would
        # fetch the rows one by one in index order, six times slower than a straight read
        # (230 ms against 35 ms over 100,000 dossiers); "+" keeps it off the index.
        unit = sa.literal_column(f"+{Dossier.__tablename__}.unit_code", sa.Integer)
    conditions: list[Any] = [unit == query.unit_code]
    if query.helper_user_id is not None:
        conditions.append(Dossier.helper_user_id == query.helper_user_id)
    return conditions


def _filters(query: InboxQuery) -> list[Any]:
    """Procedure, channel and dates: they narrow the tabs and their counts alike."""
    conditions = []
    if query.procedure:
        conditions.append(Dossier.procedure_code == query.procedure)
    channel = Channel.from_slug(query.channel)
    if channel is not None:
        conditions.append(Dossier.channel == channel)
    if query.date_from:
        start = datetime.combine(query.date_from, time.min, LOCAL)
        conditions.append(Dossier.submitted_at >= start)
    if query.date_to:
        end = datetime.combine(query.date_to, time.max, LOCAL)
        conditions.append(Dossier.submitted_at <= end)
    return conditions


def _search(text: str) -> tuple[list[Any], bool]:
    """A code (typed any way), a phone number, or part of a name without accents.

    Also says whether it is a name: a code and a phone number have an index, a name none.
    """
    text = text.strip()
    if not text:
        return [], False
    code = normalize_dossier_code(text)
    if code:
        return [Dossier.code == code], False
    digits = "".join(numbers.ASCII_DIGITS.findall(text))
    if len(digits) >= 9 and len(digits) == len(text.replace(" ", "").replace(".", "")):
        phone = "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits
        return [Dossier.applicant_phone == phone], False
    folded = fold(text)[:100].replace("%", "").replace("_", "")
    return [Dossier.applicant_name_folded.like(f"%{folded}%")], True


def _tab_condition(tab: str, today: date, soon: date) -> Any:
    """Which dossiers a tab holds (unknown tabs: the new ones)."""
    if tab == ALL_TAB:
        return sa.true()
    if tab == "qua-han":
        return sa.and_(Dossier.status.in_(RUNNING), Dossier.due_date < today)
    if tab == "sap-den-han":
        return sa.and_(
            Dossier.status.in_(RUNNING), Dossier.due_date >= today, Dossier.due_date <= soon
        )
    return Dossier.status.in_(TABS.get(tab, TABS["moi"]))


def counts(query: InboxQuery, today: date, soon: date) -> dict[str, int]:
    """How many dossiers each tab holds (search text aside: it has its own total).

    One grouped count on the (unit, status, due date) index, and two range counts on it for
    overdue and due-soon: a few milliseconds over 100,000 dossiers.
    """
    base = [*_scope(query), *_filters(query)]
    by_status = dict(
        db.session.execute(
            sa.select(Dossier.status, sa.func.count()).where(*base).group_by(Dossier.status)
        ).all()
    )
    result = {tab: sum(by_status.get(s, 0) for s in statuses) for tab, statuses in TABS.items()}
    result[ALL_TAB] = sum(by_status.values())
    result[SENT_TAB] = 0 if query.helper_user_id is not None else _sent_count(query)
    for tab in DUE_TABS:
        condition = _tab_condition(tab, today, soon)
        result[tab] = db.session.execute(
            sa.select(sa.func.count()).select_from(Dossier).where(*base, condition)
        ).scalar_one()
    return result


def inbox(query: InboxQuery, today: date, calendar: WorkCalendar) -> InboxPage:
    """One page of a tab, sorted by due date (soonest first), with every tab's count.

    A search by code, name or phone looks at every dossier, whatever the tab: a clerk asked
    "where is my dossier?" does not know its status, and a closed one is in no other tab.
    """
    soon = calendar.next_working_day(today)
    tab_counts = counts(query, today, soon)
    searched, by_name = _search(query.text)
    tab = ALL_TAB if searched else query.tab if query.tab in tab_counts else "moi"
    if tab == SENT_TAB:  # never a helper's: they see only the dossiers they helped with
        sent = [] if query.helper_user_id is not None else _sent_rows(query)
        return InboxPage(sent, tab_counts[tab], tab_counts, query.size, tab)
    others = [*_filters(query), *searched, _tab_condition(tab, today, soon)]
    conditions = [*_scope(query), *others]
    total = tab_counts[tab]
    if searched:
        total = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Dossier)
            .where(*_scope(query, scan=by_name), *others)
        ).scalar_one()
        if by_name and total < SCAN_BELOW:
            # Few people of that name: reading them all and sorting them beats walking the
            # whole (unit, submitted) index for a page that may never fill. Many: the walk
            # fills the page after a few hundred rows. They are found in the (unit, name, id)
            # index, where a unit's names lie side by side, and only their rows are read: in
            # the table a unit's rows are spread over a year of the whole province's (22,000
            # pages for the busiest ward of Phú Thọ, 90 ms; through the index, 3 ms).
            found_ids = sa.select(Dossier.id).where(*_scope(query), *others)
            conditions = [Dossier.id.in_(found_ids)]
        if total == 0:
            return InboxPage([], 0, tab_counts, query.size, tab)
    # New dossiers have no due date yet: oldest first. Every dossier: newest first, as the
    # (unit, submitted) index gives them. Others: soonest due first, from (unit, due date).
    order: list[Any] = [Dossier.due_date, Dossier.id]
    if tab == "moi":
        order = [Dossier.submitted_at, Dossier.id]
    elif tab == ALL_TAB:
        order = [Dossier.submitted_at.desc(), Dossier.id.desc()]
    paging = Paging(max(1, query.page), query.size)
    found = db.session.execute(
        sa.select(
            Dossier.code,
            Dossier.status,
            Dossier.channel,
            Dossier.applicant_name,
            Dossier.applicant_phone,
            Dossier.submitted_at,
            Dossier.due_date,
            Dossier.expected_due,
            Procedure.name.label("procedure_name"),
        )
        .join(Procedure, Procedure.code == Dossier.procedure_code)
        .where(*conditions)
        .order_by(*order)
        .limit(query.size)
        .offset(paging.offset)
    ).all()
    rows = [InboxRow(**row._mapping) for row in found]
    return InboxPage(rows, total, tab_counts, query.size, tab)


def counts_page(query: InboxQuery, today: date, calendar: WorkCalendar) -> InboxPage:
    """Every tab's count and no rows: for those who watch the workload, not the dossiers."""
    tab_counts = counts(query, today, calendar.next_working_day(today))
    tab = query.tab if query.tab in tab_counts else "moi"
    return InboxPage([], tab_counts[tab], tab_counts, query.size, tab)


def _last_sent(query: InboxQuery) -> Any:
    """Each dossier the unit sent away and holds no more, with its last hand-over from here.

    By the (from unit, dossier) index of the transfers: a unit sends few, whatever it holds.
    A dossier that came back and left again counts once, by its latest hand-over.
    """
    return (
        sa.select(
            DossierTransfer.dossier_id.label("dossier_id"),
            sa.func.max(DossierTransfer.id).label("transfer_id"),
        )
        .where(DossierTransfer.from_unit == query.unit_code)
        .group_by(DossierTransfer.dossier_id)
        .subquery()
    )


def _sent_conditions(query: InboxQuery, last: Any) -> list[Any]:
    return [Dossier.id == last.c.dossier_id, Dossier.unit_code != query.unit_code, *_filters(query)]


def _sent_count(query: InboxQuery) -> int:
    last = _last_sent(query)
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(last)
        .join(Dossier, sa.and_(*_sent_conditions(query, last)))
    ).scalar_one()


def _sent_rows(query: InboxQuery) -> list[SentRow]:
    """One page of the dossiers sent away, the latest hand-over first."""
    last = _last_sent(query)
    paging = Paging(max(1, query.page), query.size)
    found = db.session.execute(
        sa.select(
            Dossier.code,
            Dossier.status,
            Dossier.applicant_name,
            Procedure.name.label("procedure_name"),
            Unit.name.label("to_name"),
            DossierTransfer.at.label("sent_at"),
        )
        .select_from(last)
        .join(Dossier, sa.and_(*_sent_conditions(query, last)))
        .join(DossierTransfer, DossierTransfer.id == last.c.transfer_id)
        .join(Unit, Unit.code == DossierTransfer.to_unit)
        .join(Procedure, Procedure.code == Dossier.procedure_code)
        .order_by(DossierTransfer.id.desc())
        .limit(query.size)
        .offset(paging.offset)
    ).all()
    return [SentRow(**row._mapping) for row in found]
