"""Flask extensions, created unbound and initialised in create_app()."""

from __future__ import annotations

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
babel = Babel()
csrf = CSRFProtect()
compress = Compress()
htmx = Htmx()
# Counters live in the app's database by default (ratelimits.py), so that every worker and
# node counts the same; RATELIMIT_STORAGE_URI=redis://… moves them to Redis.
# While that storage does not answer, each worker counts in its own memory: the catalogue, the
# forms, the lookup and the back office keep serving, and a guesser still meets a limit, at
# most once per worker and node instead of once in all. Refusing every limited action would
# shut citizens out of their status for the length of a Redis outage; not counting at all
# would open sign-in and lookups to guessing. Each worker asks the storage again on a limited
# request 1, 2, 4... 32 s apart; once it answers, counting goes back to it without a restart.
limiter = Limiter(key_func=get_remote_address, in_memory_fallback_enabled=True)
login_manager = LoginManager()
