"""Fixtures: one migrated and loaded database per test run, a fresh app and client per test.

The database is SQLite in a temporary folder unless TEST_DATABASE_URL or DATABASE_URL names
one (CI runs the suite again on PostgreSQL). Because the run drops every table first, it
refuses a database whose name does not end in "test".

The loaded catalogue is shared and read-only; every row a test writes (dossiers, drafts,
accounts, days off, the outbox...) is deleted after it, so that no test counts another's rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import MetaData

from app import create_app
from extensions import db
from extensions import limiter
from settings import database_url
from tests.objectstore import BUCKET
from tests.objectstore import MotoStore
from tests.objectstore import client_for
from tests.objectstore import s3_config
from tests.redisserver import RedisServer

HX = {"HX-Request": "true"}


def test_database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.sqlite3'}"
    url = database_url(url)
    name = sa.engine.make_url(url).database or ""
    if not name.rstrip("/").endswith("test"):
        raise pytest.UsageError(f"refusing to wipe {name!r}: a test database name ends in 'test'")
    return url


def base_config(url: str, uploads: Path | None = None) -> dict:
    # The counters live where a deployment keeps them: the database by default; CI runs the
    # limiter tests once more with TEST_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379.
    storage = os.environ.get("TEST_RATELIMIT_STORAGE_URI") or "database://"
    return {
        "RATELIMIT_STORAGE_URI": storage,
        "UPLOAD_FOLDER": str(uploads or Path("/tmp/motcua-test-uploads")),
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": True,
        "PUBLIC_URL": "https://tanson.example.gov.vn",
        "CATALOG_CHECK_SECONDS": 0,
    }


def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


class Cleaner:
    """Empties, after each test, the tables that `data load` leaves empty."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        if self.engine.dialect.name == "sqlite":
            # pysqlite would commit DROP TRIGGER at once; an explicit BEGIN keeps it in the
            # cleaning transaction, so the triggers are never left off.
            sa.event.listen(self.engine, "connect", _no_implicit_transactions)
            sa.event.listen(
                self.engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN")
            )
        self.tables: list[str] = []
        self.append_only: dict[str, list[str]] = {}  # table -> its triggers' CREATE statements

    def learn(self) -> None:
        """Note the tables tests write to, children first, and the triggers guarding them."""
        with self.engine.connect() as connection:
            present = set(sa.inspect(connection).get_table_names())
            loaded = MetaData()
            loaded.reflect(connection, only=sorted(present - {"alembic_version"}))
            for table in reversed(loaded.sorted_tables):
                if connection.scalar(sa.select(sa.func.count()).select_from(table)) == 0:
                    self.tables.append(table.name)
            if connection.dialect.name == "sqlite":
                for table, sql in connection.execute(
                    sa.text("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
                ):
                    self.append_only.setdefault(table, []).append(sql)
            else:
                for (table,) in connection.execute(
                    sa.text(
                        "SELECT DISTINCT c.relname FROM pg_trigger t"
                        " JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
                    )
                ):
                    self.append_only[table] = []

    def clean(self) -> None:
        with self.engine.begin() as connection:
            # One statement says which tables hold rows, so a test that wrote little costs little.
            counts = " UNION ALL ".join(
                f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in self.tables
            )
            written = {name for (name,) in connection.execute(sa.text(counts))}
            if not written:
                return
            sqlite = connection.dialect.name == "sqlite"
            guarded = [name for name in self.tables if name in written and name in self.append_only]
            if not sqlite:
                connection.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            # The append-only triggers (migrations 0008, 0009) refuse DELETE: lift them inside
            # this transaction only, so that they are back whatever happens.
            for name in guarded:
                if sqlite:
                    for sql in self.append_only[name]:
                        trigger = sql.split()[2]
                        connection.execute(sa.text(f"DROP TRIGGER {trigger}"))
                else:
                    connection.execute(sa.text(f"ALTER TABLE {name} DISABLE TRIGGER USER"))
            for name in self.tables:
                if name in written:
                    connection.execute(sa.text(f"DELETE FROM {name}"))
            for name in guarded:
                if sqlite:
                    for sql in self.append_only[name]:
                        connection.execute(sa.text(sql))
                else:
                    connection.execute(sa.text(f"ALTER TABLE {name} ENABLE TRIGGER USER"))


@pytest.fixture(scope="session")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory, uploads: Path) -> Iterator[str]:
    """A database migrated from scratch and loaded with the real catalogue, once per run."""
    tmp_dir = tmp_path_factory.mktemp("db")
    url = test_database_url(tmp_dir)
    app = create_app(base_config(url, uploads))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=str(Path(app.root_path) / "migrations"))
        runner = app.test_cli_runner()
        result = runner.invoke(args=["data", "load"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    yield url


@pytest.fixture(scope="session")
def cleaner(database: str) -> Iterator[Cleaner]:
    made = Cleaner(database)
    made.learn()
    yield made
    made.engine.dispose()


@pytest.fixture(autouse=True)
def clean_rows(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that uses the database, delete its rows (autouse, so torn down last)."""
    if "database" not in request.fixturenames:
        yield
        return
    found: Cleaner = request.getfixturevalue("cleaner")
    yield
    found.clean()


@pytest.fixture(scope="session")
def object_store() -> Iterator[MotoStore]:
    """moto's S3 server with the tests' bucket, started for the run on a free loopback port."""
    server = MotoStore()
    server.start()
    client_for(server.url).create_bucket(Bucket=BUCKET)
    yield server
    server.stop()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own on a free port, stopped after it."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def store(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Where the app under test keeps uploads: the folder, or the object store (`both_stores`)."""
    if getattr(request, "param", "folder") == "folder":
        return {}
    return s3_config(request.getfixturevalue("object_store").url)


@pytest.fixture
def app(database: str, uploads: Path, store: dict[str, Any]) -> Iterator[Flask]:
    # No app context is held here: requests would share it (and its `g`) with the test.
    application = create_app({**base_config(database, uploads), **store})
    counters = fresh_counters()
    yield application
    with application.app_context():
        db.engine.dispose()
    close_counters(counters)


def fresh_counters() -> Any:
    """The storage the app just built, emptied: every test starts with no tries counted."""
    limiter.reset()
    return limiter.storage


def close_counters(storage: Any) -> None:
    if hasattr(storage, "dispose"):  # the database storage holds connections of its own
        storage.dispose()


@pytest.fixture
def make_app(database: str, uploads: Path, store: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Apps with settings of their own; their connections are closed after the test."""
    made: list[Flask] = []
    storages: list[Any] = []

    def make(**config: Any) -> Flask:
        made.append(create_app({**base_config(database, uploads), **store, **config}))
        storages.append(fresh_counters())
        return made[-1]

    yield make
    for application in made:
        with application.app_context():
            db.engine.dispose()
    for storage in storages:
        close_counters(storage)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own, empty: SQLite, or a PostgreSQL one beside the test database."""
    url = test_database_url(tmp_path)
    if not url.startswith("postgresql"):
        yield url
        return
    made = sa.engine.make_url(url)
    name = f"{made.database}_upgrade_test"
    server = sa.create_engine(made.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield made.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def app_context(app: Flask) -> Iterator[Flask]:
    """For tests that use the database directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
