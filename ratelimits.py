"""Rate-limit counters in the app's own database, shared by every worker and node.

`memory://` gives each gunicorn worker counters of its own, so with four workers one address
got about four times its limit. This storage (`RATELIMIT_STORAGE_URI=database://`, the default)
needs no server: one atomic upsert per counted request, on a connection of its own (never the
request's transaction). On PostgreSQL the counters sit in the `rate_limits` table, so several
nodes share them too. On SQLite they sit in a file of their own beside the database
(`motcua-limits.sqlite3`): SQLite has one writer at a time, and counting a status lookup must
not wait behind a dossier being saved, nor make it wait.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import TypeVar
from urllib.parse import parse_qs
from urllib.parse import quote
from urllib.parse import urlsplit

import sqlalchemy as sa
from limits import parse as parse_limit
from limits.errors import StorageError
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from models.staff import RateLimitCounter

SCHEME = "database"
TABLE = RateLimitCounter.__table__
# Expired windows are deleted now and then by the requests themselves: no job to schedule.
PURGE_ONE_IN = 500
# The length of the key column (migration 0010).
MAX_KEY = 255
T = TypeVar("T")


def storage_uri(setting: str, database_url: str) -> str:
    """The setting as the limiter gets it: `database://` carries the app's database URL."""
    if setting.rstrip("/") != f"{SCHEME}:":
        return setting
    return f"{SCHEME}://?url={quote(database_url, safe='')}"


def counters_url(database_url: str) -> str:
    """Where the counters go for this database URL: beside a SQLite file, else the same place."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return database_url
    path = Path(url.database)
    return str(url.set(database=str(path.with_name(f"{path.stem}-limits{path.suffix}"))))


def stored_key(key: str) -> str:
    """The key as the 255-character column holds it.

    A key carries what was typed (a dossier code in the URL, a username): an overlong one is
    kept as its start and a digest, so it still counts on its own and never fails the insert.
    """
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key[: MAX_KEY - len(digest) - 1]}#{digest}"


class DatabaseStorage(Storage):
    """A `limits` storage (fixed windows) on SQLAlchemy; registered as `database://`."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        url = parse_qs(urlsplit(uri).query).get("url", [""])[0]
        if not url:
            raise ValueError("database:// rate limits need the database URL (see storage_uri)")
        self.url = counters_url(url)
        # Two connections per worker are plenty: each use is one short statement.
        pool: dict[str, Any] = (
            {} if self.url == url and url.startswith("sqlite") else {"pool_size": 2}
        )
        if sa.engine.make_url(self.url).get_backend_name() == "postgresql":
            # A counter needs to be exact, not to outlive a crash of the server: its commits
            # do not wait for the disk. Waiting took 30 of the 37 ms of a status lookup (four
            # counts) on a busy machine; a crash loses at most the last fraction of a second
            # of counts, never a dossier (the app's own connections still wait).
            pool["connect_args"] = {"options": "-c synchronous_commit=off"}
        self.engine = sa.create_engine(self.url, pool_pre_ping=True, **pool)
        self.dialect = self.engine.dialect.name
        if self.url != url:
            # Every worker starts at once: IF NOT EXISTS, not a check and then a create.
            with self.engine.begin() as connection:
                connection.execute(sa.schema.CreateTable(TABLE, if_not_exists=True))
                for index in TABLE.indexes:
                    connection.execute(sa.schema.CreateIndex(index, if_not_exists=True))

    @property
    def base_exceptions(self) -> type[Exception]:
        return sa.exc.SQLAlchemyError

    def _upsert(self, key: str, expiry: int, amount: int, now: float) -> sa.Executable:
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        expired = TABLE.c.expires_at <= now
        statement = insert(TABLE).values(key=key, hits=amount, expires_at=now + expiry)
        # Both right-hand sides read the row as it was: a window that is over starts again.
        return statement.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "hits": sa.case((expired, amount), else_=TABLE.c.hits + amount),
                "expires_at": sa.case((expired, now + expiry), else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.hits)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        key = stored_key(key)
        now = time.time()
        with self.engine.begin() as connection:
            hits = connection.execute(self._upsert(key, expiry, amount, now)).scalar_one()
            if random.randrange(PURGE_ONE_IN) == 0:
                connection.execute(sa.delete(TABLE).where(TABLE.c.expires_at <= now))
        return int(hits)

    def _row(self, key: str) -> sa.Row | None:
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(TABLE.c.hits, TABLE.c.expires_at).where(
                    TABLE.c.key == stored_key(key), TABLE.c.expires_at > time.time()
                )
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.hits) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(sa.delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(TABLE).where(TABLE.c.key == stored_key(key)))

    def dispose(self) -> None:
        self.engine.dispose()


def storage_options(uri: str) -> dict[str, Any]:
    """How the limiter talks to Redis: briefly, so that a Redis that is lost costs little.

    redis-py waits 5 s by default for a server that takes connections and never answers (a
    hung Redis, a route that drops packets): a status lookup then took 10 s, a count and a
    health check. A count is one short command on the local network; half a second is
    plenty. A refused connection fails at once anyway, and the limiter then counts in memory
    (extensions.py).
    """
    if not uri.startswith(("redis://", "rediss://", "redis+unix://")):
        return {}
    return {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def _counted(count: Callable[[Storage], T]) -> T:
    """Run a count on the limiter's storage, or on its per-process memory while that is down.

    Flask-Limiter falls back to memory for the limits it checks itself (settings:
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) and goes back to the storage once it answers again;
    counts made here follow the same switch, and a failure seen here throws the same switch.
    """
    from extensions import limiter

    try:
        return count(limiter.limiter.storage)
    except Exception as error:
        storage = limiter.storage
        if not isinstance(error, (StorageError, storage.base_exceptions)):
            raise
        if limiter.limiter.storage is not storage:  # memory itself failed: not a lost server
            raise
        if not limiter._in_memory_fallback_enabled:
            raise
        limiter.logger.warning("Rate limit storage unreachable - counting in memory")
        limiter._storage_dead = True
        return count(limiter.limiter.storage)


def take_try(limit: str, *keys: str) -> bool:
    """Take one try from each key's allowance up front; False, taking nothing, if one is spent.

    Flask-Limiter's deduct_when checks first and counts after the view, so parallel requests
    all pass the check: 8 at a time got 16 wrong phone numbers through a limit of 10. Taking
    first is one atomic increment, exact however many workers ask at once; `give_back` returns
    the try when it turns out not to count (the right phone number).
    """
    from extensions import limiter

    if not limiter.enabled or not limiter.initialized:
        return True
    item = parse_limit(limit)
    taken = [
        key
        for key in keys
        if _counted(lambda storage, key=key: FixedWindowRateLimiter(storage).hit(item, "try", key))
        or give_back(limit, key)
    ]
    if len(taken) == len(keys):
        return True
    give_back(limit, *taken)
    return False


def give_back(limit: str, *keys: str) -> bool:
    """Return one try to each key (always False, for use in take_try)."""
    from extensions import limiter

    if limiter.enabled and limiter.initialized:
        item = parse_limit(limit)
        for key in keys:
            _counted(
                lambda storage, key=key: storage.incr(
                    item.key_for("try", key), item.get_expiry(), amount=-1
                )
            )
    return False
