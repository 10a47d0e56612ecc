"""The centre a person chose, remembered in a cookie of its own; shared by every page.

Not the session: that cookie ends with the browser, and a person who chose their commune once
should find it there next month. The cookie holds only a unit code; one that is not a centre of
this province (typed by hand, or left from another portal) is ignored, never trusted.
"""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from flask_login import current_user

from domain import accounts
from services import centres
from services.centres import Centre

COOKIE = "xa"
REMEMBER_DAYS = 365


def chosen() -> Centre | None:
    """The centre this person chose, if any (and if it is one of this province)."""
    if not has_request_context():
        return None
    if "chosen_centre" not in g:
        raw = request.cookies.get(COOKIE, "")
        found = None
        if raw.isascii() and raw.isdigit() and len(raw) <= 6:
            try:
                found = centres.find(int(raw))
            except Exception:  # an error page renders even when the database does not
                found = None
        g.chosen_centre = found
    return g.chosen_centre


def current() -> Centre:
    """The centre every page shows: the one chosen, else the deployment's own.

    Staff pages show the staff member's own unit, whatever the office browser once chose.
    """
    if not has_request_context():  # a message queued by a command
        return centres.default_centre()
    if request.blueprint == "backoffice" and current_user.is_authenticated:
        try:
            own = centres.find(current_user.unit_code)
        except Exception:  # an error page renders even when the database does not
            own = None
        if own is not None:
            return own
    return chosen() or centres.default_centre()


def staff_province() -> str:
    """On a staff page, the province a province administrator serves; "" for anyone else.

    They work for every commune of it, not for the one their account is filed under.
    """
    if not (has_request_context() and request.blueprint == "backoffice"):
        return ""
    if not (current_user.is_authenticated and current_user.role == accounts.PROVINCE_ADMIN):
        return ""
    return centres.default_centre().province_name


def cache_key() -> tuple[int, tuple]:
    """What a cached page's header and footer depend on: which centre, and its settings."""
    found = chosen()
    return (found.unit_code if found else 0, centres.snapshot().version)


def use(centre: Centre) -> None:
    """This request's pages show the centre, as the next ones will once the cookie is back."""
    g.chosen_centre = centre


def remember(response: Response, centre: Centre) -> None:
    """The response keeps the centre in the browser for a year; this request shows it now."""
    response.set_cookie(
        COOKIE,
        str(centre.unit_code),
        max_age=REMEMBER_DAYS * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    use(centre)


def forget(response: Response) -> None:
    """The browser no longer remembers a centre (a shared phone, a wrong choice)."""
    response.delete_cookie(
        COOKIE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    g.chosen_centre = None
