"""Rate limits as one address sees them under gunicorn with 4 workers, per counter storage.

    .venv/bin/python bench/rate_limits.py [storage ...]

Storages: memory:// (each worker counts alone: the old default), database:// (the default)
and redis://127.0.0.1:6379 (skipped when no Redis answers). Each limited endpoint gets more
tries than its limit, 8 at a time, from one address; the table says how many got through.
Writes bench/results/limits.txt.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from common import ROOT  # also puts the project on sys.path
from common import write_result

from tests.servers import Visitor
from tests.servers import gunicorn

WORKERS = 4
# (what, limit, tries)
ENDPOINTS = [
    ("phone number on /tra-cuu/<code> (wrong)", 10, 40),
    ("resume code on /tiep-tuc", 10, 40),
    ("sign-in on /can-bo/dang-nhap (wrong)", 30, 120),
    ("status by code, /tra-cuu/<code>.txt", 120, 200),
]


def prepare(folder: Path) -> tuple[str, str]:
    """A migrated, loaded SQLite database with one dossier sent online; (URL, its code)."""
    from flask_migrate import upgrade

    from app import create_app
    from extensions import db
    from tests.web.test_backoffice import submitted

    url = f"sqlite:///{folder / 'limits.sqlite3'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        assert app.test_cli_runner().invoke(args=["data", "load"]).exit_code == 0
    code = submitted(app)
    with app.app_context():
        db.engine.dispose()
    return url, code


def empty_counters(storage: str, database_url: str) -> None:
    from limits.storage import storage_from_string

    import ratelimits

    if storage != "memory://":  # a fresh server starts with fresh memory
        storage_from_string(ratelimits.storage_uri(storage, database_url)).reset()


def redis_answers(uri: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(uri, socket_timeout=2).ping())
    except Exception:  # any failure means: no Redis here
        return False


def measure(storage: str, database_url: str, code: str, folder: Path) -> list[int]:
    empty_counters(storage, database_url)
    through = []
    with gunicorn(database_url, folder / "gunicorn.log", WORKERS, storage) as url:
        person = Visitor(url)
        token = person.token("/tiep-tuc")  # not a status lookup: those all count
        phone = {"csrf_token": token, "phone": "0987000111"}
        resume = {"csrf_token": token, "ma": "ABCD2345", "phone": "0987000111"}
        login = {"csrf_token": token, "username": "khong-co-ai", "password": "sai-mat-khau"}
        requests = [
            (f"/tra-cuu/{code}", phone),
            ("/tiep-tuc", resume),
            ("/can-bo/dang-nhap", login),
            (f"/tra-cuu/{code}.txt", None),
        ]
        for (path, form), (_what, _limit, tries) in zip(requests, ENDPOINTS, strict=True):
            counts = person.burst(tries, path, form)
            through.append(tries - counts.get(429, 0))
    return through


def main() -> None:
    storages = sys.argv[1:] or ["memory://", "database://", "redis://127.0.0.1:6379"]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database_url, code = prepare(folder)
        results = {}
        for storage in storages:
            if storage.startswith("redis") and not redis_answers(storage):
                print(f"skipped {storage}: no Redis answers", file=sys.stderr)
                continue
            started = time.monotonic()
            results[storage] = measure(storage, database_url, code, folder)
            print(f"{storage}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    width = max(len(what) for what, _, _ in ENDPOINTS)
    lines = [
        f"Tries let through from one address, gunicorn with {WORKERS} workers, 8 at a time"
        " (bench/rate_limits.py)",
        "",
        f"{'endpoint':<{width}}  limit  tries  " + "  ".join(f"{s:>22}" for s in results),
    ]
    for index, (what, limit, tries) in enumerate(ENDPOINTS):
        cells = "  ".join(f"{results[s][index]:>22}" for s in results)
        lines.append(f"{what:<{width}}  {limit:>5}  {tries:>5}  {cells}")
    write_result("limits.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
