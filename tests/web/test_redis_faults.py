"""A node that loses its Redis keeps serving, counts limits in memory, and goes back to Redis.

The app runs with its counters in a redis-server of the test's own (never the shared one on
6379), which the test stops and starts again under it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from blueprints.lookup.views import CODE_LOOKUPS
from blueprints.lookup.views import PHONE_TRIES
from extensions import db
from tests.conftest import base_config
from tests.journeys import submitted
from tests.pages import parse
from tests.redisserver import RedisServer
from tests.staff import make_user
from tests.staff import sign_in
from tests.staff import staff_client
from tests.web.test_lookup import verify

pytestmark = pytest.mark.slow

PER_HOUR = int(CODE_LOOKUPS.split()[0])
WRONG_PHONES = int(PHONE_TRIES.split()[0])
# A page that needs Redis for its count waits for it at most a second (ratelimits.py).
ANSWERS_WITHIN = 2.0
# Flask-Limiter asks a lost storage again after 1, 2, 4, 8, 16, 32 s (then from 1 s again).
BACK_WITHIN = 45.0


def timed(client: FlaskClient, method: str, path: str, **kwargs: Any) -> int:
    started = time.monotonic()
    response = client.open(path, method=method, **kwargs)
    took = time.monotonic() - started
    assert took < ANSWERS_WITHIN, f"{method} {path} took {took:.1f} s"
    return response.status_code


def at(address: str, app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def wait_for(ready: Callable[[], bool], seconds: float, pause: float, failure: str) -> int:
    """Ask until ready, at most `seconds` and seconds/pause times; how many times it asked."""
    for tries in range(1, int(seconds / pause) + 1):
        if ready():
            return tries
        time.sleep(pause)
    raise AssertionError(failure)


def test_a_node_without_redis_keeps_serving_and_comes_back_to_it(
    make_app: Callable[..., Flask], private_redis: RedisServer
) -> None:
    app = make_app(RATELIMIT_STORAGE_URI=private_redis.url)
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")  # its sign-in was counted in Redis
    citizen = at("10.0.0.1", app)
    assert citizen.get(f"/tra-cuu/{code}.txt").status_code == 200
    assert any("status-by-code" in key for key in private_redis.counters())

    private_redis.stop()
    assert not private_redis.answers()
    # What needs no counter, and what does, answers as usual.
    assert timed(citizen, "GET", "/") == 200
    assert timed(citizen, "GET", "/thu-tuc?q=khai+sinh") == 200
    assert timed(citizen, "GET", "/nop-ho-so/1.001193") == 200
    assert timed(citizen, "GET", "/tra-cuu", query_string={"ma": code}) == 200
    assert timed(citizen, "GET", f"/tra-cuu/{code}.txt") == 200
    assert timed(clerk, "GET", "/can-bo/") == 200
    assert timed(clerk, "GET", f"/can-bo/ho-so/{code}") == 200
    late = app.test_client()
    signed_in = sign_in(late, make_user(app, "chuyen_vien"))
    assert signed_in.status_code == 303, signed_in.get_data(as_text=True)[:300]

    # Limits still hold meanwhile, counted in this process's memory: a node (worker) lets a
    # guesser through at most once its allowance.
    guesser = at("10.0.0.2", app)
    phones = [verify(guesser, code, "0987000111").status_code for _ in range(WRONG_PHONES + 2)]
    assert phones == [422] * WRONG_PHONES + [429, 429]
    assert "quá nhiều lần" in parse(verify(guesser, code, "0987000111")).get_text()
    reader = at("10.0.0.3", app)
    lookups = [reader.get(f"/tra-cuu/{code}.txt").status_code for _ in range(PER_HOUR + 1)]
    assert lookups == [200] * PER_HOUR + [429]

    # Redis comes back, empty: the same app counts there again, without a restart.
    private_redis.start()
    returning = at("10.0.0.4", app)
    wait_for(
        lambda: (
            returning.get(f"/tra-cuu/{code}.txt").status_code == 200
            and any("10.0.0.4" in key for key in private_redis.counters())
        ),
        BACK_WITHIN,
        0.25,
        "the app did not count in Redis again",
    )
    counted = [
        key for key in private_redis.counters() if "status-by-code" in key and "10.0.0.4" in key
    ]
    before = int(private_redis.client().get(counted[0]) or 0)
    assert returning.get(f"/tra-cuu/{code}.txt").status_code == 200
    assert int(private_redis.client().get(counted[0]) or 0) == before + 1
    # The tries taken up front (ratelimits.take_try) are back in Redis too.
    assert verify(at("10.0.0.5", app), code, "0987000111").status_code == 422
    assert any("10.0.0.5" in key for key in private_redis.counters()), private_redis.counters()


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """An address that takes connections and never answers, as a hung Redis would."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    # Closing it resets whatever waits on it: a request that hangs is freed in 15 s, not never.
    stop = threading.Timer(15, listener.close)
    stop.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}"
    stop.cancel()
    listener.close()


def test_a_redis_that_does_not_answer_does_not_hang_the_pages(
    app: Flask, database: str, uploads: Path, silent_redis: str
) -> None:
    code = submitted(app)
    # Made here, not by make_app: emptying the counters would wait on the silent Redis too.
    app = create_app({**base_config(database, uploads), "RATELIMIT_STORAGE_URI": silent_redis})
    citizen = at("10.0.0.6", app)
    for _ in range(3):
        assert timed(citizen, "GET", f"/tra-cuu/{code}.txt") == 200
    assert timed(citizen, "GET", "/tra-cuu", query_string={"ma": code}) == 200
    assert timed(citizen, "POST", f"/tra-cuu/{code}", data={"phone": "0"}) == 400  # no CSRF token
    assert verify(citizen, code, "0987000111").status_code == 422
    with app.app_context():
        db.engine.dispose()
