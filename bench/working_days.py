"""Working-day arithmetic, near and far, in process: no cost may grow with a date's distance.

Run: `.venv/bin/python bench/working_days.py`. An apology date of 31/12/9999 once took 16 s to
save and 5-8 s on every view of its dossier, because days were counted one by one. Each
figure is microseconds per call (p50/p95 of 200 runs), after one warm-up call; the warm-up
of the farthest span (the holiday lists of every year the package knows, once per process)
is reported on its own. Results go to bench/results/working_days.txt.
"""

from __future__ import annotations

import platform
import time
from datetime import date

from common import summary
from common import write_result

TODAY = date(2026, 12, 3)
RUNS = 200


def micros(call) -> dict[str, float]:
    call()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e6)
    return summary(times)


def main() -> None:
    from domain.calendar import WorkCalendar  # after common has put the project on the path

    calendar = WorkCalendar(extra_days_off=[date(2026, 12, 24)])
    start = time.perf_counter()
    calendar.working_days_between(TODAY, date(9999, 12, 31))
    first_far = (time.perf_counter() - start) * 1000
    cases = {
        "working days to a due date 10 days ahead": lambda: calendar.working_days_left(
            TODAY, date(2026, 12, 14)
        ),
        "working days to 31/12/2027": lambda: calendar.working_days_left(TODAY, date(2027, 12, 31)),
        "working days to 31/12/9999": lambda: calendar.working_days_left(TODAY, date(9999, 12, 31)),
        "the 10th working day (a due date)": lambda: calendar.add_working_days(TODAY, 10),
        "the 60th working day": lambda: calendar.add_working_days(TODAY, 60),
        "the 2,000,000th working day": lambda: calendar.add_working_days(TODAY, 2_000_000),
    }
    lines = [
        f"calendar arithmetic, {platform.python_implementation()} {platform.python_version()}",
        f"first count to 31/12/9999 in this process (holiday lists built): {first_far:.0f} ms",
        "",
        f"{'case':<44} {'p50 µs':>8} {'p95 µs':>8} {'max µs':>8}",
    ]
    for label, call in cases.items():
        figures = micros(call)
        lines.append(
            f"{label:<44} {figures['p50']:>8.1f} {figures['p95']:>8.1f} {figures['max']:>8.1f}"
        )
    write_result("working_days.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
