"""Who may open what in the back office: signed-in staff, by role, in their own unit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask import current_app
from flask import redirect
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import logout_user

from extensions import login_manager
from models import utcnow
from services.staff import load_user

login_manager.login_view = "backoffice.login"
login_manager.login_message = None  # the login page explains itself
login_manager.session_protection = "strong"

SIGNED_IN_AT = "signed_in_at"  # session key: when this browser signed in (Unix time)
SESSION_TOKEN = "staff_session"  # session key: the server-side session this cookie belongs to


def sign_in_expired() -> bool:
    """Whether this browser signed in longer ago than a working day (or never said when)."""
    since = session.get(SIGNED_IN_AT)
    if not isinstance(since, int):
        return True
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    return utcnow().timestamp() - since > lifetime


@login_manager.user_loader
def _load(user_id: str) -> Any:
    return load_user(user_id, session.get(SESSION_TOKEN), current_app.permanent_session_lifetime)


def roles(*allowed: str, temporary_ok: bool = False) -> Callable:
    """Only these roles may use the view; others get 403 (after signing in).

    Someone signed in with a temporary password goes to choose their own first.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user.is_authenticated and sign_in_expired():
                logout_user()
                session.clear()
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            if current_user.must_change_password and not temporary_ok:
                return redirect(url_for("backoffice.change_password"), 303)
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed  # read by the access test that walks every route
        return wrapper

    return decorate


STAFF = ("tiep_nhan", "chuyen_vien", "lanh_dao", "quan_tri")
# Who opens dossiers, their papers and slips (full names, ID numbers, photos): those who act
# on them. The administrator runs the system and sees figures, never a person's file.
ON_DOSSIERS = ("tiep_nhan", "chuyen_vien", "lanh_dao")
# A community helper also opens the dossiers they submitted (the page only, as before).
DOSSIER_READERS = (*ON_DOSSIERS, "to_cong_nghe_so")
# Work in one unit's inbox.
IN_UNIT = (*STAFF, "to_cong_nghe_so")
# Works for the whole province: its accounts and its figures, no unit's inbox or dossiers.
PROVINCE = ("quan_tri_tinh",)
EVERYONE = (*IN_UNIT, *PROVINCE)
# Open and change accounts: a commune's own, or every unit's of the province.
ACCOUNT_ADMINS = ("quan_tri", *PROVINCE)
# Sees how many dossiers wait in each tab, not which.
COUNTS_ONLY = ("quan_tri",)


def home_endpoint(role: str) -> str:
    """The page a member of staff starts from: the inbox, or the province's figures."""
    return "backoffice.province_figures" if role in PROVINCE else "backoffice.inbox"
