"""Rate limits that hold: shared by every gunicorn worker, and on reading a status by code.

These run on the storage a deployment uses by default (the database); CI runs this file once
more with TEST_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from blueprints.lookup.views import CODE_LOOKUPS
from blueprints.lookup.views import CODE_MISSES
from extensions import db
from ratelimits import counters_url
from tests.pages import parse
from tests.servers import Visitor
from tests.servers import gunicorn
from tests.web.test_backoffice import submitted

STORAGE = os.environ.get("TEST_RATELIMIT_STORAGE_URI", "")
PER_HOUR = int(CODE_LOOKUPS.split()[0])
MISSES = int(CODE_MISSES.split()[0])


def test_four_workers_count_as_one(app: Flask, database: str, tmp_path: Path) -> None:
    code = submitted(app)  # the app fixture also emptied the counters gunicorn will use
    with gunicorn(database, tmp_path / "gunicorn.log", workers=4, storage_uri=STORAGE) as url:
        person = Visitor(url)
        token = person.token("/tiep-tuc")
        resume = person.burst(
            30, "/tiep-tuc", {"csrf_token": token, "ma": "ABCD2345", "phone": "0"}
        )
        lookups = person.burst(PER_HOUR + 20, f"/tra-cuu/{code}.txt")
        # Wrong phone numbers: only failures count, and the limit holds when they race.
        phone = {"csrf_token": token, "phone": "0987000111"}
        guesses = person.burst(30, f"/tra-cuu/{code}", phone)
    assert resume == {422: 10, 429: 20}, resume
    assert lookups == {200: PER_HOUR, 429: 20}, lookups
    assert guesses == {422: 10, 429: 20}, guesses


def test_reading_statuses_by_code_is_limited(app: Flask) -> None:
    code = submitted(app)
    client = app.test_client()
    for number in range(PER_HOUR):
        # The page and the .txt answer draw on the same allowance.
        path = f"/tra-cuu/{code}.txt" if number % 2 else f"/tra-cuu?ma={code}"
        assert client.get(path).status_code == 200, number
    assert client.get("/tra-cuu").status_code == 200  # the empty form guesses nothing
    assert client.get(f"/tra-cuu/{code}.txt").status_code == 429
    refused = client.get("/tra-cuu", query_string={"ma": code})
    assert refused.status_code == 429
    assert "quá nhiều lần" in parse(refused).get_text()
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"  # another address has its own allowance
    assert other.get(f"/tra-cuu/{code}.txt").status_code == 200


def test_walking_through_codes_stops_after_a_few_misses(app: Flask) -> None:
    code = submitted(app)
    unit, day, number = code.split("-")
    client = app.test_client()
    statuses = [
        client.get(f"/tra-cuu/{unit}-{day}-{n:04d}.txt").status_code
        for n in range(int(number) + 1, int(number) + 1 + MISSES + 5)
    ]
    assert statuses == [404] * MISSES + [429] * 5
    assert client.get(f"/tra-cuu?ma={code}").status_code == 429  # even a real code now waits


def test_counters_on_sqlite_sit_in_a_file_of_their_own() -> None:
    assert counters_url("sqlite:////srv/motcua/instance/motcua.sqlite3") == (
        "sqlite:////srv/motcua/instance/motcua-limits.sqlite3"
    )
    postgres = "postgresql+psycopg://motcua@localhost/motcua"
    assert counters_url(postgres) == postgres


def test_the_database_storage_counts_atomically_and_restarts_windows(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from limits.storage import storage_from_string

    from ratelimits import storage_uri

    uri = storage_uri("database://", f"sqlite:///{tmp_path / 'motcua.sqlite3'}")
    workers = [storage_from_string(uri) for _ in range(3)]  # as three processes would
    try:
        with ThreadPoolExecutor(8) as pool:
            counts = list(pool.map(lambda n: workers[n % 3].incr("k", 60), range(60)))
        assert sorted(counts) == list(range(1, 61))
        assert workers[1].get("k") == 60 and workers[2].get_expiry("k") > 0
        assert [workers[0].incr("over", 0) for _ in range(2)] == [1, 1]  # window already over
        assert workers[0].get("over") == 0
    finally:
        for storage in workers:
            storage.dispose()


def test_an_overlong_key_is_counted_on_its_own(database: str) -> None:
    """A key holding what was typed (a 3,000-character code) fits the counters' column."""
    from limits.storage import storage_from_string

    from ratelimits import storage_uri

    storage = storage_from_string(storage_uri("database://", database))
    first, second = "code:" + "a" * 3000, "code:" + "a" * 2999 + "b"
    try:
        assert [storage.incr(first, 60) for _ in range(2)] == [1, 2]
        assert storage.incr(second, 60) == 1
        assert storage.get(first) == 2
        storage.clear(first)
        assert storage.get(first) == 0 and storage.get(second) == 1
    finally:
        storage.clear(second)
        storage.dispose()


def test_counts_do_not_wait_for_the_disk_but_dossiers_do(app: Flask, database: str) -> None:
    """On PostgreSQL the counters' commits are asynchronous; the app's stay durable."""
    if not database.startswith("postgresql"):
        pytest.skip("SQLite keeps the counters in a file of their own")
    from limits.storage import storage_from_string

    from ratelimits import storage_uri

    storage = storage_from_string(storage_uri("database://", database))
    try:
        with storage.engine.connect() as connection:
            assert connection.scalar(sa.text("SHOW synchronous_commit")) == "off"
    finally:
        storage.dispose()
    with app.app_context():
        assert db.session.scalar(sa.text("SHOW synchronous_commit")) == "on"
