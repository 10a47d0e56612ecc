"""The staff inbox with 100,000 dossiers: p50 and p95 of every tab, filter and search.

Seeds a throw-away database (SQLite by default; set BENCH_DATABASE_URL to a PostgreSQL test
database to measure there) with 100,000 dossiers of the commune, spread over statuses, due
dates, procedures and two years, plus 20,000 of another commune, then times the inbox query
(page + every tab's count) as the back office runs it. Target (DESIGN.md): p95 <= 100 ms.

Run: `.venv/bin/python bench/inbox.py [rows]`. Results go to bench/results/inbox.txt.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from common import summary
from common import write_result

NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hà Văn Đức",
    "Đinh Thị Mai",
    "Lò Văn Páo",
    "Bùi Thị Hoa",
]
STATUS_MIX = [1] * 6 + [2] * 4 + [4] * 20 + [5] * 5 + [6] * 2 + [9] * 5 + [10] * 50 + [3, 7, 8]


def seed(rows: int, unit: int, other_unit: int) -> None:
    import sqlalchemy as sa
    from seed import DossierCodes
    from seed import write

    from domain.search import fold
    from extensions import db
    from models import Dossier
    from models import Procedure

    codes = list(
        db.session.scalars(sa.select(Procedure.code).where(Procedure.is_local.is_(True)).limit(40))
    )
    random.seed(7)
    today = date.today()
    batch = []
    numbers = DossierCodes()
    for n in range(rows + rows // 5):
        this_unit = unit if n < rows else other_unit
        submitted = datetime.now(UTC) - timedelta(days=random.randint(0, 730), minutes=n % 600)
        status = random.choice(STATUS_MIX)
        name = random.choice(NAMES) + f" {n % 97}"
        due = today + timedelta(days=random.randint(-20, 20)) if status not in (1, 3, 7) else None
        batch.append(
            {
                "code": numbers.next(this_unit, submitted.date()),
                "unit_code": this_unit,
                "procedure_code": random.choice(codes),
                "status": status,
                "channel": random.choice([1, 2, 2, 3]),
                "applicant_name": name,
                "applicant_name_folded": fold(name),
                "applicant_phone": f"09{n:08d}"[-10:],
                "submitted_at": submitted,
                "due_date": due,
                "answers": {},
            }
        )
    write(Dossier.__table__, batch)
    db.session.commit()


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from app import create_app
    from domain.calendar import WorkCalendar
    from extensions import db
    from services.inbox import TAB_KEYS
    from services.inbox import InboxQuery
    from services.inbox import inbox
    from services.maintenance import refresh_statistics

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(folder) / 'inbox.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.drop_all()
            db.create_all()
            assert app.test_cli_runner().invoke(args=["data", "load"]).exit_code == 0
            started = time.perf_counter()
            seed(rows, 8566, 4792)
            refresh_statistics()
            seeded = time.perf_counter() - started
            calendar = WorkCalendar()
            queries = []
            today = date.today()
            queries += [InboxQuery(8566, tab=tab) for tab in TAB_KEYS]
            queries += [InboxQuery(8566, tab="dang-xu-ly", page=p) for p in (2, 10, 40)]
            queries += [
                # A search looks at every dossier, whatever the tab; a name that matches
                # nobody reads the most rows.
                InboxQuery(8566, tab="moi", text="nguyen van an"),
                InboxQuery(8566, tab="moi", text="khong co ai ten nay"),
                InboxQuery(8566, tab="dang-xu-ly", text="0900001234"),
                InboxQuery(8566, tab="cho-tra", text="08566 260101 0001"),
                InboxQuery(8566, tab="dang-xu-ly", channel="truc-tuyen"),
                InboxQuery(8566, tab="dang-xu-ly", procedure="1.001193"),
                InboxQuery(
                    8566, tab="qua-han", date_from=today - timedelta(days=90), date_to=today
                ),
            ]
            timings: dict[str, list[float]] = {}
            for _round in range(7):
                for query in queries:
                    label = f"{query.tab} p{query.page}"
                    label = f"any tab: search {query.text!r}" if query.text else label
                    label += " filter" if query.channel or query.date_from else ""
                    started = time.perf_counter()
                    inbox(query, today, calendar)
                    timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
                    db.session.rollback()
            dialect = db.engine.dialect.name
            if url.startswith("postgresql"):
                db.drop_all()
    every = [t for values in timings.values() for t in values[1:]]  # the first round warms up
    overall = summary(every)
    lines = [
        f"Staff inbox over {rows:,} dossiers of the commune (+{rows // 5:,} of another), {dialect}",
        f"seeding took {seeded:.0f} s; each query = one page of 25 + the six tab counts",
        "",
        f"{'query':<42}{'p50 ms':>8}{'p95 ms':>8}",
    ]
    for label, values in timings.items():
        stats = summary(values[1:])
        lines.append(f"{label:<42}{stats['p50']:>8.1f}{stats['p95']:>8.1f}")
    lines += [
        "",
        f"all queries: p50 {overall['p50']:.1f} ms, p95 {overall['p95']:.1f} ms "
        f"(target p95 <= 100 ms: {'met' if overall['p95'] <= 100 else 'NOT met'})",
    ]
    write_result(f"inbox-{dialect}.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
