"""Status lookup pages."""

from __future__ import annotations

from flask import Blueprint
from flask import request
from flask_babel import gettext as _

from blueprints.htmx import render_page
from domain.references import normalize_dossier_code

bp = Blueprint("lookup", __name__)


@bp.route("/tra-cuu")
def index() -> str:
    """Find a dossier by its code, typed any way (spaces, lower case, no dashes)."""
    raw = request.args.get("ma", "")[:60]
    code = normalize_dossier_code(raw) if raw.strip() else None
    error = None
    if raw.strip() and code is None:
        error = _("Mã hồ sơ gồm 15 chữ số, ví dụ 08566-261128-0001. Bạn hãy kiểm tra lại.")
    return render_page(
        "lookup/index.html", "lookup/_result.html", raw=raw, code=code, error=error, dossier=None
    )
