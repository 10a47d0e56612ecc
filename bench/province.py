"""A province at a year's volume: Phú Thọ's 148 units and 2,000,000 dossiers on PostgreSQL.

Creates its own database (`province_bench` on the PostgreSQL of BENCH_ADMIN_URL) and drops it
at the end. Seeds, by COPY, a year of dossiers received over the last twelve months, spread
over the units with the skew of a real province (a big ward gets ten times what a mountain
commune gets), online for 30-60 % of each unit, due after their procedure's working days,
most finished (early, on time, a few late), some in progress, awaiting a supplement or a
fee, some running late; each with the events of its path, and some rated. Then, warm and
after VACUUM ANALYZE (what autovacuum does to a live table), times through the real views:

- the inbox of the busiest ward and of a middle-sized commune, every tab, far pages and a
  search by code, by name and by phone (a clerk signed in; target p95 <= 100 ms);
- the province figures of last month (a province administrator; target <= 1 s);
- a status lookup by code (anyone; target p95 <= 20 ms), with the rate-limit counters in
  Redis as a province runs them (BENCH_REDIS_URL), and in the database for comparison.

Run: `.venv/bin/python bench/province.py [dossiers]` (2,000,000 by default; develop with
20,000). BENCH_KEEP=1 keeps the database afterwards and BENCH_REUSE=1 measures a kept one
again without seeding (to look into a slow query). Results: bench/results/province.txt.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from common import signed_in
from common import summary
from common import write_result

DATABASE = "province_bench"
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
PASSWORD = "mat-khau-do-thoi-gian"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà", "Đinh", "Lò"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Hữu", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hoa", "Hùng", "Lan", "Mai", "Nam", "Páo"]
GIVEN += ["Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Khánh"]
PREFIXES = ["032", "033", "035", "038", "056", "070", "077", "081", "086", "088", "091", "098"]
LIMITS = [1, 1, 3, 3, 5, 5, 5, 7, 10, 10, 15, 20]  # working days, one per procedure
RATINGS = ["rat_hai_long"] * 5 + ["hai_long"] * 4 + ["khong_hai_long"]


def local(day: date, minutes: int) -> datetime:
    from domain.calendar import LOCAL

    return datetime(day.year, day.month, day.day, tzinfo=LOCAL) + timedelta(minutes=minutes)


class Province:
    """What the seeding draws from: units with their weights, procedures, people."""

    def __init__(self, units: list[tuple[int, str]], procedures: list[str]) -> None:
        from domain.search import fold

        self.units = [code for code, _name in units]
        # Dossiers a unit receives a month run from 237 to 2,971 in Phú Thọ (Aug. 2026, mean
        # 1,247): a log-normal weight, more in a ward (phường), clipped to that range.
        weights = []
        for _code, name in units:
            ward = 1.7 if name.startswith("Phường") else 1.0
            weights.append(min(2.38, max(0.19, random.lognormvariate(0, 0.5) * ward)))
        self.cumulative = [sum(weights[: n + 1]) for n in range(len(weights))]
        self.online_share = {code: random.uniform(0.3, 0.6) for code in self.units}
        # A few procedures make most dossiers (birth, residence, certified copies).
        self.procedures = procedures
        self.procedure_weights = [1 / (rank + 1) for rank in range(len(procedures))]
        self.limits = {code: LIMITS[n % len(LIMITS)] for n, code in enumerate(procedures)}
        people = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
        self.people = [(name, fold(name)) for name in people]


Event = tuple[datetime, str, int | None, int]  # at, action, from status, to status


class Year:
    """A year of dossiers, oldest first (ids follow time, as in a live table), with their
    events and ratings, yielded as ("dossiers" | "events" | "ratings", row)."""

    def __init__(self, province: Province, today: date) -> None:
        from seed import DossierCodes

        from domain.calendar import WorkCalendar

        self.province = province
        self.today = today
        self.calendar = WorkCalendar()
        self.codes = DossierCodes()
        self.now = datetime.now(UTC)
        self._due: dict[tuple[date, bool, int], date] = {}
        self._after: dict[tuple[date, int], date] = {}
        self.event_id = 0

    def after(self, day: date, n: int) -> date:
        """n working days after day (cached: a year has few distinct pairs)."""
        if (day, n) not in self._after:
            self._after[(day, n)] = self.calendar.add_working_days(day, n)
        return self._after[(day, n)]

    def due(self, received: datetime, limit: int) -> date:
        from domain.calendar import LOCAL

        moment = received.astimezone(LOCAL)
        key = (moment.date(), moment.hour >= 15, limit)
        if key not in self._due:
            self._due[key] = self.calendar.due_date(received, limit, "WORKING_DAY")
        return self._due[key]

    def rows(self, count: int) -> Iterator[tuple[str, dict[str, Any]]]:
        days = [self.today - timedelta(days=n) for n in range(364, -1, -1)]
        # Most is received on working days; online dossiers come in on days off too.
        weights = [1.0 if self.calendar.is_working_day(d) else 0.12 for d in days]
        scale = count / sum(weights)
        made = 0
        for index, day in enumerate(days):
            today = round(weights[index] * scale) if index < len(days) - 1 else count - made
            today = max(0, min(today, count - made))
            province = self.province
            units = random.choices(province.units, cum_weights=province.cumulative, k=today)
            procedures = random.choices(province.procedures, province.procedure_weights, k=today)
            minutes = sorted(random.randint(6 * 60, 22 * 60) for _ in range(today))
            for unit, procedure, minute in zip(units, procedures, minutes, strict=True):
                made += 1
                yield from self.dossier(made, day, unit, procedure, minute)

    def dossier(
        self, number: int, day: date, unit: int, procedure: str, minute: int
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        from domain.calendar import LOCAL
        from domain.channels import Channel
        from domain.workflow import Status as S

        working = self.calendar.is_working_day(day)
        online = not working or random.random() < self.province.online_share[unit]
        if not online:
            minute = 7 * 60 + minute % (10 * 60)  # at the counter, in office hours
        submitted = min(local(day, minute), self.now - timedelta(minutes=random.randint(1, 600)))
        name, folded = random.choice(self.province.people)
        row: dict[str, Any] = {
            "id": number,
            "code": self.codes.next(unit, submitted.astimezone(LOCAL).date()),
            "unit_code": unit,
            "received_unit_code": unit,
            "procedure_code": procedure,
            "channel": Channel.ONLINE if online else Channel.DIRECT,
            "applicant_name": name,
            "applicant_name_folded": folded,
            "applicant_id_number": f"025{random.randrange(10**9):09d}",
            "applicant_phone": random.choice(PREFIXES) + f"{random.randrange(10**7):07d}",
            "submitted_at": submitted,
            "answers": {},
        }
        events: list[Event] = []
        received = submitted
        if online:
            events.append((submitted, "submit", None, S.NEW))
            received = submitted + timedelta(minutes=random.randint(20, 2 * 24 * 60))
            if not self.calendar.is_working_day(received.astimezone(LOCAL).date()):
                next_day = self.calendar.next_working_day(received.astimezone(LOCAL).date())
                received = local(next_day, 8 * 60 + 5)
        fate = random.random()
        rating = None
        if received > self.now:  # online, not yet received: new
            row["status"] = S.NEW
        elif fate < 0.015:  # refused at reception
            row["status"] = S.REFUSED
            events.append((received, "refuse", events[-1][3] if events else None, S.REFUSED))
        else:
            events.append((received, "receive", events[-1][3] if events else None, S.RECEIVED))
            rating = self.handled(row, events, received, fate)
        yield "dossiers", row
        for at, action, before, after in events:
            if at > self.now:
                break
            self.event_id += 1
            yield (
                "events",
                {
                    "id": self.event_id,
                    "dossier_id": number,
                    "at": at,
                    "action": action,
                    "from_status": before,
                    "to_status": after,
                    "actor_name": "" if action == "submit" else "Cán bộ tiếp nhận",
                    "actor_role": "" if action == "submit" else "tiep_nhan",
                },
            )
        if rating is not None:
            yield "ratings", {"dossier_id": number, "value": rating[0], "created_at": rating[1]}

    def handled(
        self, row: dict[str, Any], events: list[Event], received: datetime, fate: float
    ) -> tuple[str, datetime] | None:
        """What became of a received dossier by now; its rating, if it was given one."""
        from domain.workflow import Status as S

        due = self.due(received, self.province.limits[row["procedure_code"]])
        start = self.calendar.reception_day(received)
        row.update(received_at=received, due_date=due, original_due_date=due)
        forwarded = received + timedelta(minutes=random.randint(10, 300))
        events.append((forwarded, "forward", S.RECEIVED, S.PROCESSING))
        outcome = random.random()
        if outcome < 0.78 and due > start:  # early
            span = self.calendar.working_days_between(start, due)
            finished_on = min(self.after(start, random.randrange(span)), due - timedelta(days=1))
        elif outcome < 0.92:  # on the day
            finished_on = due
        else:  # late, by up to five weeks
            finished_on = self.after(due, random.randint(1, 25))
        finished = local(finished_on, random.randint(8 * 60, 17 * 60))
        if fate < 0.025:
            row["status"] = S.WITHDRAWN
            events.append((forwarded, "withdraw", S.PROCESSING, S.WITHDRAWN))
        elif fate < 0.03:
            row["status"] = S.STOPPED
            events.append((forwarded, "stop", S.PROCESSING, S.STOPPED))
        elif finished <= self.now:
            return self.finished(row, events, finished, finished_on > due)
        else:
            self.running(row, events, forwarded)
        return None

    def finished(
        self, row: dict[str, Any], events: list[Event], finished: datetime, late: bool
    ) -> tuple[str, datetime] | None:
        from domain.workflow import Status as S

        row["finished_at"] = finished
        events.append((finished, "finish", S.PROCESSING, S.FINISHED))
        if late and random.random() < 0.1:
            # Late and apologised for: a new promised day, the legal one kept.
            row["due_date"] = finished.date() + timedelta(days=2)
            events.append((finished, "apologise", S.PROCESSING, S.PROCESSING))
        returned = finished + timedelta(hours=random.randint(1, 96))
        if returned > self.now or random.random() < 0.03:
            row["status"] = S.FINISHED
            return None
        row.update(status=S.RETURNED, returned_at=returned)
        events.append((returned, "return_result", S.FINISHED, S.RETURNED))
        rated = returned + timedelta(hours=random.randint(0, 48))
        if random.random() < 0.25 and rated <= self.now:
            return random.choice(RATINGS), rated
        return None

    def running(self, row: dict[str, Any], events: list[Event], forwarded: datetime) -> None:
        """Still running: in progress, waiting for papers or for a fee."""
        from domain.calendar import LOCAL
        from domain.workflow import Status as S

        state = random.random()
        if forwarded >= self.now:
            row["status"] = S.RECEIVED
        elif state < 0.2:
            asked = forwarded + timedelta(hours=2)
            row.update(
                status=S.SUPPLEMENT,
                paused_on=asked.astimezone(LOCAL).date(),
                supplement_deadline=asked.date() + timedelta(days=15),
                supplement_reason="Thiếu bản sao giấy tờ tùy thân.",
            )
            events.append((asked, "request_supplement", S.PROCESSING, S.SUPPLEMENT))
        elif state < 0.25:
            row["status"] = S.FEE
            events.append((forwarded, "request_fee", S.PROCESSING, S.FEE))
        else:
            row["status"] = S.PROCESSING


def seed(rows: int, province: Province, today: date) -> dict[str, int]:
    """Write the year of dossiers by COPY, three tables side by side; indexes built after."""
    import seed as seeding
    import sqlalchemy as sa

    from extensions import db
    from models import Dossier
    from models import DossierEvent
    from models import DossierRating

    tables: dict[str, Any] = {
        "dossiers": Dossier.__table__,
        "events": DossierEvent.__table__,
        "ratings": DossierRating.__table__,
    }
    dropped = [index for table in tables.values() for index in seeding.without_indexes(table)]
    db.session.commit()
    held: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
    counted = dict.fromkeys(tables, 0)

    def flush() -> None:
        for name in tables:  # dossiers first: events and ratings name theirs
            counted[name] += seeding.write(tables[name], held[name])
            held[name].clear()

    for name, row in Year(province, today).rows(rows):
        held[name].append(row)
        if len(held["dossiers"]) >= 50_000:
            flush()
    flush()
    db.session.commit()
    seeding.with_indexes(dropped)
    for table in tables.values():
        seeding.restart_ids(table)
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            sa.text("VACUUM ANALYZE")
        )
    return counted


def timed(action: Callable[[int], object], rounds: int, budget: float) -> list[float]:
    """Milliseconds of each call after a first, warming one: `rounds` calls or `budget`
    seconds, whichever ends first (at least 5)."""
    action(0)
    values: list[float] = []
    stop = time.monotonic() + budget
    for n in range(1, rounds + 1):
        started = time.perf_counter()
        action(n)
        values.append((time.perf_counter() - started) * 1000)
        if time.monotonic() > stop and len(values) >= 5:
            break
    return values


Results = dict[str, tuple[list[float], float]]  # label → timings, target in ms (0: none)


def facts(today: date) -> dict[str, Any]:
    """What was seeded, and what to ask for: the units to time, codes, phones and names."""
    import sqlalchemy as sa

    from domain.figures import Period
    from extensions import db

    def one(sql: str, **values: Any) -> Any:
        return db.session.execute(sa.text(sql), values).one()

    per_unit = dict(
        db.session.execute(sa.text("SELECT unit_code, count(*) FROM dossiers GROUP BY 1")).all()
    )
    ranked = sorted(per_unit, key=per_unit.__getitem__)
    probes = {}
    for unit in (ranked[-1], ranked[len(ranked) // 2]):
        probes[unit] = {
            name: one(
                f"SELECT {column} FROM dossiers WHERE unit_code = :unit ORDER BY id "
                "LIMIT 1 OFFSET :offset",
                unit=unit,
                offset=int(per_unit[unit] * share),
            )[0]
            for name, column, share in (
                ("code", "code", 0.6),
                ("phone", "applicant_phone", 0.5),
                ("name", "applicant_name", 0.4),
            )
        }
    last = today.replace(day=1) - timedelta(days=1)
    month = Period(last.year, month=last.month)
    codes = list(db.session.scalars(sa.text("SELECT code FROM dossiers TABLESAMPLE SYSTEM (1)")))
    random.shuffle(codes)
    return {
        "per_unit": per_unit,
        "statuses": dict(
            db.session.execute(sa.text("SELECT status, count(*) FROM dossiers GROUP BY 1")).all()
        ),
        "online": one("SELECT avg((channel = 2)::int) FROM dossiers")[0],
        "probes": probes,
        "codes": codes[:400],
        "month": month,
        "in_month": one(
            "SELECT count(*) FILTER (WHERE received_at >= :a AND received_at < :b),"
            " count(*) FILTER (WHERE finished_at >= :a AND finished_at < :b) FROM dossiers",
            a=local(month.start, 0),
            b=local(month.end + timedelta(days=1), 0),
        ),
        "events": one("SELECT count(*) FROM dossier_events")[0],
        "ratings": one("SELECT count(*) FROM dossier_ratings")[0],
    }


def time_inbox(app: Any, known: dict[str, Any]) -> Results:
    from services.inbox import TAB_KEYS

    results: Results = {}
    for unit, kind in zip(known["probes"], ("busiest", "middle"), strict=True):
        clerk = signed_in(app, f"bench.xa{unit}", PASSWORD)
        probe = known["probes"][unit]
        paths = {f"tab {tab}": f"/can-bo/?tab={tab}" for tab in TAB_KEYS}
        paths["tab dang-xu-ly, page 10"] = "/can-bo/?tab=dang-xu-ly&trang=10"
        paths["tab tat-ca, page 40"] = "/can-bo/?tab=tat-ca&trang=40"
        paths["online only, tab dang-xu-ly"] = "/can-bo/?tab=dang-xu-ly&kenh=truc-tuyen"
        paths["search by code, typed with spaces"] = f"/can-bo/?q={probe['code'].replace('-', ' ')}"
        paths["search by phone"] = f"/can-bo/?q={probe['phone']}"
        paths["search by whole name"] = f"/can-bo/?q={probe['name']}"
        paths["search by part of a name"] = "/can-bo/?q=thi+hoa"
        paths["search, a name of nobody"] = "/can-bo/?q=khong+co+ai+ten+nay"
        for label, path in paths.items():

            def get(_n: int, path: str = path, client: Any = clerk) -> None:
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)

            count = known["per_unit"][unit]
            results[f"inbox, {kind} unit ({count:,}): {label}"] = (timed(get, 40, 8), 100)
    return results


def time_figures(app: Any, known: dict[str, Any], today: date) -> Results:
    from domain.figures import Period
    from domain.figures import summed
    from extensions import db
    from services.figures import figures_by_unit
    from services.units import province_units

    month: Period = known["month"]
    results: Results = {}
    with app.app_context():
        codes = [code for code, _name in province_units()]

        def compute(_n: int) -> None:
            summed(figures_by_unit(codes, month.start, month.end, today).values())
            db.session.rollback()

        label = f"figures {month.key}: counting (148 units, as the page does)"
        results[label] = (timed(compute, 11, 60), 1000)
    admin = signed_in(app, "bench.tinh", PASSWORD)
    quarter = Period(today.year, quarter=(today.month - 1) // 3 + 1)
    for label, query, target in (
        ("whole page", f"?ky={month.key}", 1000),
        ("whole CSV", f".csv?ky={month.key}", 1000),
        (f"whole page of {quarter.key} (no target)", f"?ky={quarter.key}", 0),
    ):

        def get(_n: int, path: str = f"/can-bo/tinh/thong-ke{query}") -> None:
            answer = admin.get(path)
            assert answer.status_code == 200, (path, answer.status_code)

        results[f"figures {month.key}: {label}"] = (timed(get, 11, 60), target)
    return results


def time_lookup(app: Any, codes: list[str], label: str, target: float) -> Results:
    """A status lookup by code, each from its own address as people are: the limits per
    address are counted (that is part of every lookup's cost) but never reached."""
    client = app.test_client()

    def get(n: int) -> None:
        answer = client.get(
            f"/tra-cuu?ma={codes[n % len(codes)]}",
            environ_base={"REMOTE_ADDR": f"127.1.{n // 250}.{n % 250 + 1}"},
        )
        assert answer.status_code == 200, answer.status_code

    values = timed(get, 300, 20)
    from extensions import limiter

    with app.app_context():
        limiter.reset()
    return {f"status lookup by code, {label}": (values, target)}


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def admin_execute(statement: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)


def prepare(rows: int, app: Any, reuse: bool) -> tuple[dict[str, Any], float | None]:
    """Seed the database (unless kept from a run before); the facts to measure with."""
    import sqlalchemy as sa

    from extensions import db
    from models import Procedure
    from models import StaffUser
    from services.staff import create_user
    from services.units import province_units
    from services.workflow import local_today

    seeded = None
    with app.app_context():
        if not reuse:
            db.create_all()
            assert app.test_cli_runner().invoke(args=["data", "load"]).exit_code == 0
            procedures = db.session.scalars(
                sa.select(Procedure.code)
                .where(Procedure.is_local.is_(True))
                .order_by(Procedure.code)
                .limit(60)
            )
            province = Province(province_units(), list(procedures))
            started = time.perf_counter()
            seed(rows, province, local_today())
            seeded = time.perf_counter() - started
        known = facts(local_today())
        for unit in known["probes"]:
            if db.session.scalar(sa.select(StaffUser).filter_by(username=f"bench.xa{unit}")):
                continue
            create_user(f"bench.xa{unit}", PASSWORD, "tiep_nhan", unit)
        if not db.session.scalar(sa.select(StaffUser).filter_by(username="bench.tinh")):
            create_user("bench.tinh", PASSWORD, "quan_tri_tinh", next(iter(known["probes"])))
        db.session.remove()
    return known, seeded


def report(
    known: dict[str, Any], results: Results, seeded: float | None, loads: list[tuple]
) -> None:
    per_unit, statuses = known["per_unit"], known["statuses"]
    total = sum(per_unit.values())
    monthly = [n / 12 for n in per_unit.values()]
    month, (received, finished) = known["month"], known["in_month"]
    before, after = loads
    lines = [
        f"Phú Thọ at a year's volume: {total:,} dossiers in {len(per_unit)} units, PostgreSQL, "
        f"received over the 12 months to {known['today']}",
        f"machine load (1, 5, 15 min) before: {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}; "
        f"after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f} ({os.cpu_count()} cores, shared)",
        (
            f"seeding took {seeded:.0f} s by COPY"
            if seeded is not None
            else "seeded by a run before (BENCH_REUSE)"
        )
        + f" ({known['events']:,} events, {known['ratings']:,} ratings; indexes built after; "
        "VACUUM ANALYZE)",
        f"per unit a month: {min(monthly):,.0f} to {max(monthly):,.0f} dossiers "
        f"(mean {sum(monthly) / len(monthly):,.0f}); online {known['online'] * 100:.0f} %",
        "statuses: "
        + ", ".join(f"{s}: {n * 100 / total:.1f} %" for s, n in sorted(statuses.items())),
        f"{month.key}: {received:,} received, {finished:,} finished",
        "",
        f"{'what':<68}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}  target",
    ]
    missed = []
    for label, (values, target) in results.items():
        stats = summary(values)
        verdict = ""
        if target:
            verdict = f"p95 <= {target:.0f} ms: " + ("met" if stats["p95"] <= target else "NOT met")
            if stats["p95"] > target:
                missed.append(label)
        lines.append(
            f"{label:<68}{len(values):>4}{stats['p50']:>9.1f}{stats['p95']:>9.1f}  {verdict}"
        )
    lines += ["", f"targets: {'all met' if not missed else 'NOT met: ' + '; '.join(missed)}"]
    write_result("province.txt", "\n".join(lines) + "\n")


def main() -> None:
    from app import create_app
    from extensions import db
    from services.workflow import local_today

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    reuse = bool(os.environ.get("BENCH_REUSE"))
    loads = [os.getloadavg()]
    random.seed(14)
    if not reuse:
        admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin_execute(f"CREATE DATABASE {DATABASE}")
    url = ADMIN_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0]
    config = {"SQLALCHEMY_DATABASE_URI": f"{url}/{DATABASE}", "SECRET_KEY": "bench"}
    app = create_app(config)
    apps = [app]
    try:
        known, seeded = prepare(rows, app, reuse)
        known["today"] = local_today()
        results = time_inbox(app, known)
        results.update(time_figures(app, known, known["today"]))
        redis = redis_answers()
        if redis:
            apps.append(create_app({**config, "RATELIMIT_STORAGE_URI": REDIS_URL}))
            label = "limits in Redis (a province)"
            results.update(time_lookup(apps[-1], known["codes"], label, 20))
        label = "limits in PostgreSQL (database://)"
        results.update(time_lookup(app, known["codes"], label, 0 if redis else 20))
    finally:
        for each in apps:
            with each.app_context():
                db.session.remove()
                db.engine.dispose()
        if not os.environ.get("BENCH_KEEP"):
            admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    loads.append(os.getloadavg())
    report(known, results, seeded, loads)


if __name__ == "__main__":
    main()
