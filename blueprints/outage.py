"""When the database is busy or down: a 503 that gives the person back what they typed.

One handler (registered by site.py) catches every database failure. A view whose form a
person fills in names a function that renders that page again from the request alone (with
the same templates, as typed, and a "Thử lại" button); when that also needs the database and
the database is down, a plain page carries the typed values back in a form of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask import current_app
from flask import g
from flask import make_response
from flask import render_template
from flask import request
from sqlalchemy import exc

from blueprints.htmx import is_fragment_request
from extensions import db

# Locked (SQLite "database is locked", PostgreSQL lock_timeout), refused, unreachable, or
# every pooled connection taken.
UNAVAILABLE = (exc.OperationalError, exc.TimeoutError)
# Never written back into a page, even to the person who typed it.
SECRET_FIELDS = {"csrf_token", "password", "new_password", "confirm_password", "current_password"}
RETRY_AFTER_SECONDS = 10

_reshown: dict[str, Callable[[], Any]] = {}


def reshows(endpoint: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register the function that renders `endpoint`'s page again from what was sent."""

    def register(function: Callable[[], Any]) -> Callable[[], Any]:
        _reshown[endpoint] = function
        return function

    return register


def typed_values() -> list[tuple[str, str]]:
    """What the person sent, in order, without tokens and passwords (files are not kept)."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in SECRET_FIELDS and "password" not in name
    ]


def retry_url() -> str:
    """This same address, always a path on this site (never "//host/…")."""
    query = request.query_string.decode("latin-1")
    return "/" + request.path.lstrip("/") + (f"?{query}" if query else "")


def _rollback() -> None:
    try:
        db.session.rollback()
    except UNAVAILABLE:  # the connection is gone: nothing to undo
        db.session.invalidate()


def database_unavailable(error: Exception) -> Response:
    """503 with the page again as typed, or a plain page that can send it again."""
    _rollback()
    original = getattr(error, "orig", None) or error
    # The class and the driver's first line only: statements and their parameters carry
    # names, phone and ID numbers.
    current_app.logger.error(
        "database unavailable on %s %s: %s: %s",
        request.method,
        request.path,
        type(original).__name__,
        str(original).split("\n", 1)[0][:200],
    )
    body: Any = None
    fragment = is_fragment_request()
    reshow = _reshown.get(request.endpoint or "")
    if reshow is not None and not fragment:
        try:
            body = reshow()
        except UNAVAILABLE:  # it needed the database too: the plain page below
            _rollback()
        except Exception:  # an error page must not fail: the plain page keeps what was typed
            current_app.logger.exception("showing %s again failed", request.endpoint)
            _rollback()
    if isinstance(body, tuple):
        body = body[0]
    if body is None:
        if "_login_user" not in g:
            # Flask-Login loads the signed-in user (from the database) for every template;
            # this page shows nothing of theirs, and the session itself is left as it is.
            g._login_user = current_app.login_manager.anonymous_user()
        template = "errors/_unavailable.html" if fragment else "errors/unavailable.html"
        body = render_template(template, typed=typed_values(), retry_url=retry_url())
    response = make_response(body, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    if fragment:
        # Swapped into the page's notice area, so the field or list that asked keeps
        # whatever the person had typed there.
        response.headers["HX-Retarget"] = "#outage"
        response.headers["HX-Reswap"] = "innerHTML"
    return response
