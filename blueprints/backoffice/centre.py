"""The administrator's page for their centre's own settings: name, address, phone, hours."""

from __future__ import annotations

from typing import Any

from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from blueprints.backoffice.access import roles
from blueprints.backoffice.views import bp
from domain import centres as rules
from domain import validators
from domain.changelog import CENTRE
from domain.messages import N_
from domain.messages import Problem
from services import centres
from services import changelog

NOT_A_CENTRE = N_("Đơn vị của bạn không thuộc tỉnh của cổng này, nên chưa có Trung tâm để sửa.")


@bp.route("/trung-tam", methods=["GET", "POST"])
@roles("quan_tri")
def centre_settings() -> Any:
    """What people see of this unit's centre on every page and on paper; each change logged."""
    # Always the administrator's own unit: no unit in the URL or the form to tamper with.
    unit = current_user.unit_code
    centre = centres.find(unit)
    typed = centres.settings_of(unit)
    errors: dict[str, Problem] = {}
    if request.method == "POST":
        typed = {name: request.form.get(name, "")[:300] for name in rules.SETTINGS}
        values, errors = validators.check_all(request.form, rules.CHECKS, optional=rules.OPTIONAL)
        if centre is None:  # an account of a unit outside the portal's province
            errors["name"] = Problem(NOT_A_CENTRE)
        if not errors and centre is not None:
            changed = centres.update(unit, current_user.username, values)
            return redirect(url_for("backoffice.centre_settings", luu=len(changed)), 303)
    status = 422 if errors else 200
    return render_template(
        "backoffice/centre.html",
        centre=centre,
        typed=typed,
        errors=errors,
        saved=request.args.get("luu", type=int),
        changes=changelog.of_units([unit], CENTRE, limit=50),
    ), status
