"""Shared by the benchmarks: a throw-away database with the whole national catalogue."""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def national_database(folder: Path) -> str:
    """A SQLite database with the units, the commune catalogue and the national list."""
    from app import create_app
    from extensions import db

    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        runner = app.test_cli_runner()
        for command in (["data", "load"], ["data", "load-national"]):
            result = runner.invoke(args=command)
            if result.exit_code:
                raise SystemExit(result.output)
    return url


def write_result(name: str, text: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(text, encoding="utf-8")
    print(text)


def signed_in(app: Any, username: str, password: str) -> Any:
    """A test client signed in through the real form, as a member of staff would."""
    client = app.test_client()
    page = client.get("/can-bo/dang-nhap").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    answer = client.post(
        "/can-bo/dang-nhap",
        data={
            "csrf_token": found.group(1) if found else "",
            "username": username,
            "password": password,
        },
    )
    assert answer.status_code == 303, answer.status_code
    return client
