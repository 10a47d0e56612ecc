"""The motcua application factory. gunicorn runs `app:create_app()`."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

import settings
from domain.privacy import RedactNumbers
from extensions import babel
from extensions import compress
from extensions import csrf
from extensions import db
from extensions import htmx
from extensions import limiter
from extensions import login_manager


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from defaults, then the environment, then test_config."""
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    from blueprints.assets import SessionInterface

    app.session_interface = SessionInterface()
    app.config.from_mapping(settings.defaults(app.instance_path))
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    settings.derived(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        settings.engine_options(
            app.config["SQLALCHEMY_DATABASE_URI"], app.config["DB_WAIT_SECONDS"]
        ),
    )
    # A failed statement's error names its parameters (a CCCD, a phone number, a name) and
    # ends up in the error log: keep them out of it.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("hide_parameters", True)

    import ratelimits  # registers the database:// storage with the limits library

    app.config["RATELIMIT_STORAGE_URI"] = ratelimits.storage_uri(
        app.config["RATELIMIT_STORAGE_URI"], app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", ratelimits.storage_options(app.config["RATELIMIT_STORAGE_URI"])
    )

    from blueprints import register_blueprints
    from blueprints.site import select_locale

    db.init_app(app)
    if not os.environ.get("MOTCUA_WEB_WORKER"):
        # Web workers never migrate; leaving Alembic out saves each of them ~11 MB.
        from flask_migrate import Migrate

        Migrate(app, db, directory=f"{app.root_path}/migrations")
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    compress.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    # The limiter is one object per process: an app made after another lost its storage
    # starts on its own, new storage (the tests make many apps).
    limiter._storage_dead = False
    # Only per-view limits are used, and their decorators check them; the app-wide hook
    # Flask-Limiter also adds would cost every page request ~0.15 ms for nothing.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)
    login_manager.init_app(app)
    # Flask-Login's context processor loads the user for every page rendered; the proxy as
    # a template global loads it only where a page asks (the back office's).
    from flask_login import current_user
    from flask_login.utils import _user_context_processor

    processors = app.template_context_processors[None]
    if _user_context_processor in processors:
        processors.remove(_user_context_processor)
    app.jinja_env.globals["current_user"] = current_user
    register_blueprints(app)
    from blueprints.edge import SecurityHeaders
    from blueprints.site import security_headers

    app.wsgi_app = SecurityHeaders(app.wsgi_app, security_headers(app.config["HSTS"]))
    if app.config["PROXIES"]:
        # Behind nginx, every request comes from the proxy's address: without this, rate
        # limits and sign-in locks would treat all citizens as one person.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    # What the app itself logs (an unexpected error and its traceback) is kept free of
    # phone and CCCD numbers too.
    # app.logger is one logger per process, shared by every app made in it (the tests').
    if not any(isinstance(f, RedactNumbers) for f in app.logger.filters):
        app.logger.addFilter(RedactNumbers())

    from cli import register_commands

    register_commands(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while one worker writes. How long a second writer waits
    # before "database is locked" is the connection's timeout (settings.engine_options).
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
