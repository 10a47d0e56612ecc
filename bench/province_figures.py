"""The province's figures page over every unit of Phú Thọ: how long a month and a quarter take.

Seeds a throw-away database (SQLite by default; set BENCH_DATABASE_URL to a PostgreSQL test
database to measure there) with dossiers spread over the province's 148 units and the last
four months (received, finished early, on time or late, some running late, some rated), then
times the figures as the page counts them (every unit, and the province apart), the whole
page and the CSV, and counts the SQL statements one count makes. Target (DESIGN.md): a month
in <= 1 s.

Run: `.venv/bin/python bench/province_figures.py [dossiers]`. Results go to
bench/results/province-figures-<dialect>.txt.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from common import signed_in
from common import summary
from common import write_result

STATUS_MIX = [2] * 3 + [4] * 10 + [5] * 3 + [9] * 10 + [10] * 70 + [3, 7, 8]
RATINGS = ["rat_hai_long"] * 5 + ["hai_long"] * 4 + ["khong_hai_long"]


def seed(rows: int, units: list[int]) -> None:
    import sqlalchemy as sa
    from seed import DossierCodes
    from seed import write

    from domain.calendar import LOCAL
    from extensions import db
    from models import Dossier
    from models import DossierRating

    random.seed(11)
    today = date.today()
    codes = DossierCodes()
    batch: list[dict] = []
    rated: list[tuple[int, datetime]] = []

    for n in range(rows):
        unit = random.choice(units)
        received = datetime.combine(
            today - timedelta(days=random.randint(0, 120)), datetime.min.time(), LOCAL
        ) + timedelta(minutes=random.randint(7 * 60, 17 * 60))
        status = random.choice(STATUS_MIX)
        due = received.date() + timedelta(days=random.randint(1, 15))
        finished = None
        if status in (9, 10):
            finished = received + timedelta(days=random.randint(0, 18), hours=random.randint(0, 6))
            if finished.date() > today:
                finished = None
                status = 4
        batch.append(
            {
                "code": codes.next(unit, received.date()),
                "unit_code": unit,
                "procedure_code": "1.001193",
                "status": status,
                "channel": random.choice([1, 2, 2, 3]),
                "submitted_at": received,
                "received_at": received,
                "due_date": due,
                "original_due_date": due,
                "finished_at": finished,
                "answers": {},
            }
        )
        if status == 10 and finished is not None and random.random() < 0.3:
            rated.append((n, finished + timedelta(days=1)))
    write(Dossier.__table__, batch)
    ids = list(db.session.scalars(sa.select(Dossier.id).order_by(Dossier.id)))
    write(
        DossierRating.__table__,
        (
            {"dossier_id": ids[n], "value": random.choice(RATINGS), "created_at": at}
            for n, at in rated
        ),
    )
    db.session.commit()


def timed(action, rounds: int) -> list[float]:
    values = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        values.append((time.perf_counter() - started) * 1000)
    return values[1:]  # the first round warms up


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import sqlalchemy as sa

    from app import create_app
    from domain.figures import month_of
    from domain.figures import parse_period
    from extensions import db
    from services.figures import figures_by_unit
    from services.figures import province_total
    from services.staff import create_user
    from services.staff import province_units
    from services.workflow import local_today

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(folder) / 'fig.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.drop_all()
            db.create_all()
            assert app.test_cli_runner().invoke(args=["data", "load"]).exit_code == 0
            units = [unit.code for unit in province_units()]
            started = time.perf_counter()
            seed(rows, units)
            seeded = time.perf_counter() - started
            create_user("bench.tinh", "mat-khau-do-thoi-gian", "quan_tri_tinh", units[0])
            dialect = db.engine.dialect.name
            today = local_today()
            month = month_of(today - timedelta(days=31))
            quarter = parse_period(f"{today.year}-q{(today.month - 1) // 3 + 1}")
            assert quarter is not None

            statements: list[str] = []

            def count(*_args: object) -> None:
                statements.append("x")

            def compute(period) -> None:
                figures_by_unit(units, period.start, period.end, today)
                province_total(units, period.start, period.end, today)
                db.session.rollback()

            sa.event.listen(db.engine, "before_cursor_execute", count)
            compute(month)
            sa.event.remove(db.engine, "before_cursor_execute", count)
            results = {
                f"figures, {month.key} (148 units + province)": timed(lambda: compute(month), 11),
                f"figures, {quarter.key} (148 units + province)": timed(
                    lambda: compute(quarter), 11
                ),
            }
            finished_in_month = db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM dossiers WHERE finished_at >= :a AND finished_at < :b"
                ),
                {"a": month.start, "b": month.end + timedelta(days=1)},
            )
        client = signed_in(app, "bench.tinh", "mat-khau-do-thoi-gian")
        for label, path in (
            ("page", f"/can-bo/tinh/thong-ke?ky={month.key}&sap-xep=tiep-nhan&chieu=giam"),
            ("CSV", f"/can-bo/tinh/thong-ke.csv?ky={month.key}"),
        ):

            def get(path: str = path) -> None:
                answer = client.get(path)
                assert answer.status_code == 200, answer.status_code

            results[f"whole {label}, {month.key}"] = timed(get, 11)
        if url.startswith("postgresql"):
            with app.app_context():
                db.drop_all()
    lines = [
        f"Province figures over {rows:,} dossiers in {len(units)} units (last 120 days), {dialect}",
        f"seeding took {seeded:.0f} s; {finished_in_month:,} dossiers finished in {month.key}",
        f"one count of every unit and of the province = {len(statements)} SQL statements",
        "(whatever the number of units: grouped by unit, never one query per unit)",
        "",
        f"{'what':<48}{'p50 ms':>8}{'p95 ms':>8}",
    ]
    for label, values in results.items():
        stats = summary(values)
        lines.append(f"{label:<48}{stats['p50']:>8.1f}{stats['p95']:>8.1f}")
    worst = max(summary(values)["p95"] for values in results.values())
    verdict = "met" if worst <= 1000 else "NOT met"
    lines += ["", f"target: a month in <= 1 s ({verdict}, worst p95 {worst:.0f} ms)"]
    write_result(f"province-figures-{dialect}.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
