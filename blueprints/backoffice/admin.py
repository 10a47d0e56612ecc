"""Back office administration: accounts, one's own password, published procedures."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_user

from blueprints.backoffice.access import ACCOUNT_ADMINS
from blueprints.backoffice.access import EVERYONE
from blueprints.backoffice.access import home_endpoint
from blueprints.backoffice.access import roles
from blueprints.backoffice.views import bp
from domain import accounts
from domain import numbers
from domain import procedures as procedure_rules
from domain import validators
from domain.changelog import ACCOUNTS
from domain.changelog import OFFER
from domain.channels import Channel
from domain.messages import N_
from domain.messages import Invalid
from domain.messages import Problem
from domain.procedures import TIME_UNITS
from models import StaffUser
from services import admin as admin_service
from services import changelog
from services import staff as staff_service
from services.forms import has_form

ACCOUNT_FIELDS = ("username", "full_name", "phone", "role")


def read_account_form() -> tuple[dict[str, str], dict[str, Problem]]:
    checks = {
        "username": accounts.check_username,
        "full_name": validators.person_name,
        "phone": validators.phone,
        # A commune administrator's form offers no province role: one sent anyway is refused.
        "role": lambda raw: accounts.check_role(raw, current_user.role),
    }
    # A phone number helps colleagues, but is not required.
    values, errors = validators.check_all(request.form, checks, optional={"phone"})
    if "username" in values and staff_service.username_taken(values["username"]):
        errors["username"] = Problem(staff_service.USERNAME_TAKEN)
    return values, errors


def managed_unit_or_404(raw: str | None) -> int:
    """The unit a form or link names, if this administrator manages it; never another's."""
    code = numbers.whole(raw)
    if code is None or code not in staff_service.managed_units(current_user):
        abort(404)
    return code


def account_or_404(user_id: int) -> StaffUser:
    user = staff_service.managed_account(current_user, user_id)
    if user is None:
        abort(404)
    return user


def chosen_units() -> tuple[list[int], int | None]:
    """The units the accounts page lists: all those managed, or the one picked (?xa=)."""
    if request.args.get("xa"):
        code = managed_unit_or_404(request.args.get("xa"))
        return [code], code
    return staff_service.managed_units(current_user), None


@bp.route("/nguoi-dung", methods=["GET", "POST"])
@roles(*ACCOUNT_ADMINS)
def users() -> Any:
    """Accounts of the units one manages: open a new one, see who changed what."""
    typed = {k: request.form.get(k, "")[:100] for k in (*ACCOUNT_FIELDS, "don-vi")}
    errors: dict[str, Problem] = {}
    province = current_user.role == accounts.PROVINCE_ADMIN
    if request.method == "POST":
        # Only a province administrator's form has the field; a commune administrator's
        # accounts go to their own unit, and a unit forged into their form is not found.
        raw_unit = request.form.get("don-vi")
        unit_code = managed_unit_or_404(raw_unit) if raw_unit or province else None
        values, errors = read_account_form()
        if not errors:
            try:
                user, temporary = staff_service.create_account(
                    current_user, **values, unit_code=unit_code
                )
            except Invalid as problem:
                errors[problem.field] = problem.problem
            else:
                # Shown once, on this answer only: never kept in the session cookie or the log.
                return render_template(
                    "backoffice/temporary_password.html", person=user, temporary=temporary
                )
    units, picked = chosen_units()
    status = 422 if errors else 200
    return render_template(
        "backoffice/users.html",
        people=staff_service.managed_accounts(current_user, units),
        changes=changelog.of_units(units, ACCOUNTS),
        # Procedures and days off are a commune's own page; the province's page is accounts.
        offer_changes=None if province else changelog.of_units([current_user.unit_code], OFFER),
        units=staff_service.province_units() if province else None,
        picked=picked,
        assignable=accounts.assignable_roles(current_user.role),
        typed=typed,
        errors=errors,
    ), status


@bp.route("/nguoi-dung/<id:user_id>", methods=["GET", "POST"])
@roles(*ACCOUNT_ADMINS)
def account(user_id: int) -> Any:
    """One account: change the role, close or reopen it, give a temporary password, move it."""
    person = account_or_404(user_id)
    province = current_user.role == accounts.PROVINCE_ADMIN
    error = None
    if request.method == "POST":
        what = request.form.get("doi")
        try:
            if what == "vai-tro":
                role = accounts.check_role(request.form.get("role", ""), current_user.role)
                staff_service.change_account(current_user, person, role=role)
            elif what in ("khoa", "mo"):
                staff_service.change_account(current_user, person, active=what == "mo")
            elif what == "mat-khau":
                temporary = staff_service.reset_password(current_user, person)
                return render_template(
                    "backoffice/temporary_password.html", person=person, temporary=temporary
                )
            elif what == "don-vi":
                if not province:
                    abort(403)  # moving between units is the province's decision
                target = managed_unit_or_404(request.form.get("don-vi"))
                staff_service.move_account(current_user, person, target)
            else:
                abort(400)
        except Invalid as problem:
            error = problem.problem
        else:
            return redirect(url_for("backoffice.account", user_id=person.id), 303)
    units = staff_service.managed_units(current_user)
    changes = changelog.of_subject(units, ACCOUNTS, person.username)
    status = 422 if error else 200
    return render_template(
        "backoffice/account.html",
        person=person,
        changes=changes,
        error=error,
        assignable=accounts.assignable_roles(current_user.role),
        units=staff_service.province_units() if province else None,
    ), status


@bp.route("/mat-khau", methods=["GET", "POST"])
@roles(*EVERYONE, temporary_ok=True)
def change_password() -> Any:
    """Choose one's own password (required after a temporary one)."""
    errors: dict[str, Problem] = {}
    if request.method == "POST":
        new = request.form.get("new", "")
        if not staff_service.password_is(current_user, request.form.get("current", "")):
            errors["current"] = Problem(N_("Mật khẩu hiện tại chưa đúng."))
        elif new != request.form.get("again", ""):
            errors["again"] = Problem(N_("Hai lần nhập mật khẩu mới chưa giống nhau."))
        else:
            try:
                staff_service.change_own_password(current_user, new)
            except Invalid as problem:
                errors["new"] = problem.problem
        if not errors:
            home = home_endpoint(current_user.role)
            login_user(current_user)  # this session carries the account's new version
            return redirect(url_for(home), 303)
    status = 422 if errors else 200
    return render_template("backoffice/password.html", errors=errors), status


# The publishing page's buttons, and the switch of a procedure each one sets.
SWITCHES = {"cong-bo": "published", "truc-tuyen": "online_open"}
CHANNELS = {channel.name: channel for channel in Channel}


@bp.route("/thu-tuc", methods=["GET", "POST"])
@roles("quan_tri")
def procedures() -> Any:
    """Which commune procedures this portal lists, which take dossiers online now, and the
    time limits the published records leave out."""
    problem: dict[str, Any] | None = None
    if request.method == "POST":
        proc = admin_service.local_procedure(request.form.get("code", ""))
        if proc is None:
            abort(404)
        if request.form.get("doi") == "thoi-han":
            problem = set_time_limit(proc)
            if problem is None:
                return redirect(url_for("backoffice.procedures") + f"#han-{proc.code}", 303)
        else:
            switch = SWITCHES.get(request.form.get("doi", ""))
            if switch is None:
                abort(400)
            admin_service.switch_procedure(
                current_user, proc, switch, request.form.get("gia-tri") == "co"
            )
            return redirect(url_for("backoffice.procedures") + f"#p-{proc.code}", 303)
    rows = admin_service.local_procedures()
    with_form = {p.code for p in rows if has_form(p.code)}
    return render_template(
        "backoffice/procedures.html",
        rows=rows,
        with_form=with_form,
        without_limit=[
            (p, admin_service.channels_without_published_limit(p))
            for p in admin_service.without_time_limit()
        ],
        time_units=TIME_UNITS,
        problem=problem,
    ), 422 if problem else 200


def set_time_limit(proc: Any) -> dict[str, Any] | None:
    """Set the limit the form sends; the problem to show by its row when it is refused."""
    form = request.form
    typed = {k: form.get(k, "")[:40] for k in ("kenh", "truong-hop", "so", "don-vi")}
    channel = CHANNELS.get(typed["kenh"])
    if channel is None or channel not in admin_service.channels_without_published_limit(proc):
        abort(400)  # only a forged form names another channel
    if typed["truong-hop"] and typed["truong-hop"] not in {c.code for c in proc.cases}:
        abort(400)
    try:
        limit = procedure_rules.check_time_limit(typed["so"], typed["don-vi"])
    except Invalid as refused:
        return {"code": proc.code, "field": refused.field, "problem": refused.problem, **typed}
    admin_service.set_time_limit(current_user, proc, channel, typed["truong-hop"], limit)
    return None
