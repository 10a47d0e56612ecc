"""Search speed over the whole national catalogue (5,670 procedures), in process.

Run: `make bench` or `.venv/bin/python bench/search.py`. Target (DESIGN.md): p95 ≤ 10 ms.
Queries are what people type: each one letter by letter (live search), with and without
accents, with typos and everyday phrases. Results go to bench/results/search.txt.
"""

from __future__ import annotations

import platform
import tempfile
import time
from pathlib import Path

from common import national_database
from common import summary
from common import write_result

QUERIES = [
    "dang ky khai sinh",
    "lam giay khai sinh cho con",
    "đăng ký kết hôn",
    "dang ky ho khau",
    "xac nhan tinh trang hon nhan",
    "giay doc than",
    "chung thuc ban sao",
    "thoung tru",  # typo
    "tam tru",
    "cap giay phep xay dung",
    "ho ngheo",
    "tro cap xa hoi",
    "dat dai",
    "doanh nghiep",
    "khai tu",
    "1.001193",
    "thu tuc",
    "d",
    "giay",
    "khai sinh " * 40,
    # How people type (tests/unit/test_search_as_people_type.py): fillers, i/y, swapped
    # letters, abbreviations, everyday words, English.
    "lam giay khai tu cho bo",
    "dang ki tam tru",
    "khia sinh",
    "dk ket hon",
    "lam so do",
    "cong chung hop dong mua ban nha",
    "birth certificate",
]


def typed(query: str) -> list[str]:
    """Every state of the box while the query is typed, as live search sees them."""
    return [query[:i] for i in range(1, len(query) + 1) if not query[:i].endswith(" ")]


def row(label: str, values: dict[str, float]) -> str:
    return f"{label:<22}" + "".join(f"{values[k]:>8.2f}" for k in ("p50", "p95", "max"))


def main() -> None:
    from app import create_app
    from services.catalog_index import build_index

    with tempfile.TemporaryDirectory() as folder:
        url = national_database(Path(folder))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            started = time.perf_counter()
            index = build_index()
            build_ms = (time.perf_counter() - started) * 1000
    cases = [state for q in QUERIES for state in typed(q)]
    for state in cases[:50]:  # warm up
        index.search(state)
    timings, facet_timings = [], []
    for _ in range(5):
        for state in cases:
            started = time.perf_counter()
            index.search(state)
            timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            index.search(state, facets={"local"})
            facet_timings.append((time.perf_counter() - started) * 1000)
    everything, local = summary(timings), summary(facet_timings)
    lines = [
        "Search over the national catalogue, in process (bench/search.py)",
        f"machine: {platform.machine()}, Python {platform.python_version()}",
        f"documents: {len(index)}, vocabulary: {len(index.vocabulary)} words",
        f"index build: {build_ms:.0f} ms (once per worker and catalogue change)",
        f"queries: {len(cases)} typing states of {len(QUERIES)} queries, 5 rounds each",
        "",
        f"{'scope':<22}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}",
        row("whole catalogue", everything),
        row("commune only", local),
        "",
        f"target p95 <= 10 ms: {'met' if everything['p95'] <= 10 else 'NOT met'}",
    ]
    write_result("search.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
