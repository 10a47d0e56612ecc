"""Status lookup (tra cứu hồ sơ): by code for anyone, more with the phone number given.

The code alone shows the procedure, the status and dates: a shared URL or a QR code on paper
reveals nothing personal. Personal details, answering a supplement request, withdrawing and
rating need the phone number too; failed tries are rate-limited per address and per code.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

import ratelimits
from blueprints import outage
from blueprints.fields import FieldView
from blueprints.fields import commune_options
from blueprints.fields import field_views
from blueprints.htmx import render_page
from blueprints.incoming import UPLOADS_PER_ADDRESS
from blueprints.incoming import UPLOADS_PER_DRAFT
from blueprints.incoming import UploadsThrottled
from blueprints.incoming import read_uploads
from blueprints.incoming import throttled
from blueprints.private import keep_private
from blueprints.private import private
from domain import validators
from domain import workflow
from domain.formatting import day
from domain.formatting import without_marks
from domain.formspec import FieldSpec
from domain.formspec import StepSpec
from domain.formspec import item_counts
from domain.formspec import read_step
from domain.messages import N_
from domain.messages import Invalid
from domain.messages import Problem
from domain.references import normalize_dossier_code
from extensions import db
from extensions import limiter
from models import Dossier
from models import DossierEvent
from models import DossierRating
from models import StoredFile
from services import dossiers as dossiers_service
from services import files as files_service
from services.calendar import work_calendar
from services.forms import form_for
from services.units import directory
from services.workflow import Conflict
from services.workflow import Request
from services.workflow import act
from services.workflow import local_today

bp = Blueprint("lookup", __name__)

VERIFIED = "verified"  # session key: dossier codes this browser proved it may see
# Reading a status by its code alone, on the page and in .txt, counted together per address,
# so that codes cannot be walked (300 guesses in a few seconds found 27 dossiers). A helper at
# a commune office, where everyone shares one address, checks one person's dossier every
# minute or two (about 30 an hour): 120 an hour lets four of them work at once, and 600 a
# day is more than an office's busiest day. A code that finds nothing counts again, on its
# own: a receipt read wrongly costs a few of those, a walk through codes is nearly all misses.
CODE_LOOKUPS = "120 per hour;600 per day"
PHONE_TRIES = "10 per 10 minutes"  # wrong phone numbers, per address and per dossier code
CODE_MISSES = "20 per 10 minutes"
RATINGS = ("rat_hai_long", "hai_long", "khong_hai_long")


def find(code: str | None) -> Dossier | None:
    if not code:
        return None
    return db.session.scalar(
        sa.select(Dossier)
        .where(Dossier.code == code)
        .options(selectinload(Dossier.events), selectinload(Dossier.files))
    )


def verified(dossier: Dossier) -> bool:
    return dossier.code in session.get(VERIFIED, [])


def no_code_asked() -> bool:
    """The empty lookup form guesses nothing."""
    return request.endpoint == "lookup.index" and not request.args.get("ma", "").strip()


def by_code_only(view: Any) -> Any:
    """The limit on reading a status by code alone, shared by the page and the .txt answer."""
    return limiter.shared_limit(CODE_LOOKUPS, scope="status-by-code", exempt_when=no_code_asked)(
        view
    )


def find_by_code_only(code: str | None) -> Dossier | None:
    """The dossier of a code typed or guessed; a code that finds nothing counts as a miss."""
    key = f"status-miss:{get_remote_address()}"
    if not ratelimits.take_try(CODE_MISSES, key):
        abort(429)
    dossier = find(code)
    if dossier is not None:
        ratelimits.give_back(CODE_MISSES, key)
    return dossier


def code_key() -> str:
    # Keyed on the code as printed: spelling it another way (no dashes, dots) must not give
    # a fresh set of guesses at the phone number.
    raw = str((request.view_args or {}).get("code", ""))
    return f"lookup-code:{normalize_dossier_code(raw) or raw}"


def public_events(dossier: Dossier) -> list[DossierEvent]:
    """What the person may see of the history: public steps, no notes, no staff names."""
    return [e for e in dossier.events if e.public]


def status_context(
    dossier: Dossier,
    typed: Mapping[str, str] | None = None,
    answer_errors: dict[str, Problem] | None = None,
) -> dict[str, Any]:
    """What the status page shows; typed and answer_errors refill a refused correction."""
    if verified(dossier):
        keep_private()  # the personal part is shown: the phone must not keep the page
    today = local_today()
    running = dossier.due_date is not None and workflow.is_running(dossier.status)
    days = (
        work_calendar(dossier.unit_code).working_days_left(today, dossier.due_date)
        if running
        else None
    )
    return {
        "dossier": dossier,
        "events": public_events(dossier),
        "days": days,
        "verified": verified(dossier),
        "form": form_for(dossier.procedure_code),
        "rating": db.session.scalar(
            sa.select(DossierRating).where(DossierRating.dossier_id == dossier.id)
        ),
        "status_label": workflow.label,
        "status_help": lambda status: workflow.STATUS_HELP[workflow.Status(status)],
        "action_label": workflow.action_label,
        "supplement_slots": supplement_slots,
        "new_files": new_files,
        "answer_fields": (
            answer_fields(dossier, typed, answer_errors)
            if verified(dossier) and dossier.status == workflow.Status.SUPPLEMENT
            else []
        ),
    }


@bp.route("/tra-cuu")
@by_code_only
def index() -> str:
    """Find a dossier by its code, typed any way (spaces, lower case, no dashes)."""
    raw = request.args.get("ma", "")[:60]
    code = normalize_dossier_code(raw) if raw.strip() else None
    error = None
    if raw.strip() and code is None:
        error = _("Mã hồ sơ gồm 15 chữ số, ví dụ 08566-261128-0001. Bạn hãy kiểm tra lại.")
    dossier = find_by_code_only(code) if raw.strip() else None
    context = status_context(dossier) if dossier else {"dossier": None}
    return render_page(
        "lookup/index.html", "lookup/_result.html", raw=raw, code=code, error=error, **context
    )


@outage.reshows("lookup.index")
def index_unavailable() -> str:
    """The database is busy: the lookup form again with the code typed, and no verdict."""
    return render_template(
        "lookup/index.html",
        raw=request.args.get("ma", "")[:60],
        code=None,
        error=None,
        dossier=None,
        unavailable="lookup",
    )


@bp.route("/tra-cuu/<code>.txt")
@by_code_only
def plain(code: str) -> Response:
    """A few words for the lightest phones and for an SMS or Zalo gateway: no personal data."""
    dossier = find_by_code_only(normalize_dossier_code(code))
    if dossier is None:
        text = "Khong tim thay ho so nay."
    else:
        parts = [f"Ho so {dossier.code}: {workflow.label(dossier.status)}."]
        if dossier.due_date and workflow.is_running(dossier.status):
            parts.append(f"Hen tra {day(dossier.due_date)}.")
        if dossier.status == workflow.Status.SUPPLEMENT and dossier.supplement_deadline:
            parts.append(f"Can bo sung truoc {day(dossier.supplement_deadline)}.")
        text = " ".join(parts)
    body = without_marks(text)[:280] + "\n"
    response = Response(body, mimetype="text/plain")
    response.status_code = 200 if dossier else 404
    return response


@bp.route("/tra-cuu/<code>", methods=["POST"])
@private
def verify(code: str) -> Any:
    """The phone number given at submission opens the personal part of the page."""
    dossier = find(normalize_dossier_code(code))
    if dossier is None:
        abort(404)
    # Per address and per code: only wrong numbers count, and the try is taken before the
    # number is compared, so that parallel guesses cannot slip past the count.
    keys = (f"phone:{get_remote_address()}", f"phone-{code_key()}")
    if not ratelimits.take_try(PHONE_TRIES, *keys):
        abort(429)
    phone_error = None
    try:
        phone = validators.phone(request.form.get("phone", ""))
    except Invalid as problem:
        phone_error = problem.problem
        phone = ""
    if phone_error is None and secrets.compare_digest(phone, dossier.applicant_phone or "-"):
        ratelimits.give_back(PHONE_TRIES, *keys)
        codes = [c for c in session.get(VERIFIED, []) if c != dossier.code]
        session[VERIFIED] = [*codes, dossier.code][-10:]
        return redirect(url_for("lookup.index", ma=dossier.code), 303)
    error = phone_error or Problem(N_("Số điện thoại không khớp với số đã ghi khi nộp hồ sơ."))
    return render_template(
        "lookup/index.html",
        raw=dossier.code,
        code=dossier.code,
        error=None,
        phone_error=error,
        typed_phone=request.form.get("phone", "")[:20],
        **status_context(dossier),
    ), 422


@outage.reshows("lookup.verify")
def verify_unavailable() -> str | None:
    """The database is busy: the status page again with the phone number typed."""
    dossier = find(normalize_dossier_code((request.view_args or {}).get("code", "")))
    if dossier is None:
        return None
    return render_template(
        "lookup/index.html",
        raw=dossier.code,
        code=dossier.code,
        error=None,
        typed_phone=request.form.get("phone", "")[:20],
        **status_context(dossier),
        unavailable="verify",
    )


def verified_dossier(code: str) -> Dossier:
    dossier = find(normalize_dossier_code(code))
    if dossier is None:
        abort(404)
    if not verified(dossier):
        abort(403)
    return dossier


# --- Answering a supplement request ------------------------------------------------------------


def supplement_since(dossier: Dossier) -> Any:
    for event in reversed(dossier.events):
        if event.action == "request_supplement":
            return event.at
    return None


def new_files(dossier: Dossier, slot: str) -> list[StoredFile]:
    since = supplement_since(dossier)
    return [
        f
        for f in dossier.files
        if f.slot == slot and since is not None and f.created_at >= since
    ]


def supplement_slots(dossier: Dossier) -> list[tuple[dict[str, str], Any]]:
    """(item asked for, its form field or None) for each item of the request."""
    form = form_for(dossier.procedure_code)
    fields = {f.name: f for f in form.all_fields()} if form else {}
    return [(item, fields.get(item["key"])) for item in dossier.supplement_items]


def asked_answers(dossier: Dossier) -> list[FieldSpec]:
    """The answers (not papers) the request asks to correct."""
    return [spec for _item, spec in supplement_slots(dossier) if spec and spec.type != "upload"]


def answer_fields(
    dossier: Dossier,
    typed: Mapping[str, str] | None = None,
    errors: dict[str, Problem] | None = None,
) -> list[FieldView]:
    """The same inputs as the online form (dates in three boxes, choices as labelled radios,
    addresses as lists of provinces and communes), filled with what was typed or else the
    current answer, so a correction starts from what the centre has."""
    asked = asked_answers(dossier)
    return field_views(
        asked,
        dossier.answers,
        dict(typed) if typed is not None else None,
        errors or {},
        {},
        directory(),
        current_app.config["PROVINCE_CODE"],
        {},
        item_counts(asked, dossier.answers, typed or {}),
    )


def read_answers(
    dossier: Dossier, form: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Problem]]:
    """Clean corrections of the asked answers, read and checked as a step of the online form."""
    asked = asked_answers(dossier)
    step = StepSpec(id="bo-sung", title="", fields=tuple(asked))
    counts = item_counts(asked, dossier.answers, form)
    result = read_step(step, form, dossier.answers, local_today(), directory(), counts)
    return result.values, result.errors


@bp.route("/tra-cuu/xa")
def communes() -> str:
    """The communes of a province, as <option>s, when an address's province changes (htmx)."""
    return commune_options()


def dossier_key() -> str:
    raw = str((request.view_args or {}).get("code", ""))
    return f"upload-dossier:{normalize_dossier_code(raw) or raw}"


@bp.route("/tra-cuu/<code>/tep", methods=["POST"])
@private
@limiter.limit(UPLOADS_PER_ADDRESS, on_breach=throttled)
@limiter.limit(UPLOADS_PER_DRAFT, key_func=dossier_key, on_breach=throttled)
def supplement_file(code: str) -> Any:
    """One more photo or PDF for an item asked for; checked like any upload."""
    dossier, slot = supplement_slot(code)
    received = read_uploads(10, sum(f.size for f in dossier.files))
    stored, not_stored = files_service.store_all(received.files, slot)
    for one in stored:
        one.dossier_id = dossier.id
    db.session.commit()
    problem = not_stored or received.problem
    if problem is not None or request.headers.get("X-Upload") == "1":
        return slot_answer(dossier, slot, problem, 422 if problem else 200)
    return redirect(url_for("lookup.index", ma=dossier.code) + f"#{slot}-slot", 303)


def supplement_slot(code: str) -> tuple[Dossier, str]:
    """The dossier and the item (?o=) a file is sent for; 404 unless that paper is asked for."""
    dossier = verified_dossier(code)
    slot = request.args.get("o", "")
    # Only papers asked for: a file sent for an answer (a date, a name) would never be read.
    paper_slots = {
        item["key"]
        for item, spec in supplement_slots(dossier)
        if spec is None or spec.type == "upload"
    }
    if dossier.status != workflow.Status.SUPPLEMENT or slot not in paper_slots:
        abort(404)
    return dossier, slot


def slot_answer(dossier: Dossier, slot: str, problem: Problem | None, status: int) -> Any:
    """The item's block (site.js replaces just it) or the whole page, with the problem by it."""
    errors = {slot: problem} if problem else {}
    if request.headers.get("X-Upload") == "1":
        item = next(i for i in dossier.supplement_items if i["key"] == slot)
        return render_template(
            "lookup/_slot.html",
            dossier=dossier,
            item=item,
            key=slot,
            upload_errors=errors,
            new_files=new_files,
        ), status
    return render_template(
        "lookup/index.html",
        raw=dossier.code,
        code=dossier.code,
        error=None,
        upload_errors=errors,
        **status_context(dossier),
    ), status


@bp.errorhandler(UploadsThrottled)
def uploads_throttled(error: UploadsThrottled) -> Any:
    """Too many uploads: the page again, with when to try next by the item; nothing is lost."""
    try:
        dossier, slot = supplement_slot(str((request.view_args or {}).get("code", "")))
    except HTTPException:
        return render_template("errors/error.html", code=429), 429
    body, status = slot_answer(dossier, slot, error.problem, 429)
    return body, status, {"Retry-After": str(error.minutes * 60)}


@bp.route("/tra-cuu/<code>/bo-sung", methods=["POST"])
@private
def supplement(code: str) -> Any:
    """Send what was asked for; the dossier goes back to the centre and the clock restarts."""
    dossier = verified_dossier(code)
    if dossier.status != workflow.Status.SUPPLEMENT:
        return redirect(url_for("lookup.index", ma=dossier.code), 303)
    if request.form.get("hanh-dong", "").startswith("tinh:"):
        # "Show this province's communes", for browsers without JavaScript: nothing is sent.
        return render_template(
            "lookup/index.html",
            raw=dossier.code,
            code=dossier.code,
            error=None,
            **status_context(dossier, request.form),
        )
    corrections, errors = read_answers(dossier, request.form)
    upload_errors: dict[str, Problem] = {}
    for item, spec in supplement_slots(dossier):
        if (spec is None or spec.type == "upload") and not new_files(dossier, item["key"]):
            upload_errors[item["key"]] = Problem(
                N_("Bạn hãy tải lên ảnh chụp hoặc tệp PDF của giấy tờ này.")
            )
    if errors or upload_errors:
        return render_template(
            "lookup/index.html",
            raw=dossier.code,
            code=dossier.code,
            error=None,
            upload_errors=upload_errors,
            **status_context(dossier, request.form, errors),
        ), 422
    if corrections:
        dossier.answers = {**dossier.answers, **corrections}
    try:
        act(dossier, Request("supplement_received", dossier.version, reason=""), None)
    except (Conflict, Invalid):
        db.session.rollback()
    return redirect(url_for("lookup.index", ma=dossier.code), 303)


@outage.reshows("lookup.supplement")
def supplement_unavailable() -> str:
    """The database is busy: the corrections again as typed (papers already sent are kept)."""
    dossier = verified_dossier((request.view_args or {}).get("code", ""))
    return render_template(
        "lookup/index.html",
        raw=dossier.code,
        code=dossier.code,
        error=None,
        **status_context(dossier, request.form),
        unavailable="supplement",
    )


# --- Withdrawing and rating --------------------------------------------------------------------


@bp.route("/tra-cuu/<code>/rut", methods=["GET", "POST"])
@private
def withdraw(code: str) -> Any:
    """Withdraw the dossier, after a second look."""
    dossier = verified_dossier(code)
    allowed = workflow.allowed_actions(dossier.status, workflow.CITIZEN)
    if not any(a.key == "withdraw" for a in allowed):
        return redirect(url_for("lookup.index", ma=dossier.code), 303)
    if request.method == "GET":
        return render_template("lookup/withdraw.html", dossier=dossier)
    reason = validators.collapse(request.form.get("reason", ""))[:500]
    if request.form.get("confirm") != "co":
        return render_template(
            "lookup/withdraw.html",
            dossier=dossier,
            reason=reason,
            confirm_error=Problem(N_("Bạn hãy đánh dấu vào ô này nếu chắc chắn muốn rút hồ sơ.")),
        ), 422
    try:
        act(dossier, Request("withdraw", dossier.version, reason=reason, confirmed=True), None)
    except (Conflict, Invalid):
        db.session.rollback()
    return redirect(url_for("lookup.index", ma=dossier.code), 303)


@bp.route("/tra-cuu/<code>/danh-gia", methods=["POST"])
@private
def rate(code: str) -> Any:
    """How satisfied the person was: once per dossier, once the result is returned."""
    dossier = verified_dossier(code)
    value = request.form.get("value", "")
    if dossier.status == workflow.Status.RETURNED and value in RATINGS:
        comment = validators.collapse(request.form.get("comment", ""))[:1000]
        dossiers_service.rate(dossier, value, comment)
    return redirect(url_for("lookup.index", ma=dossier.code) + "#danh-gia", 303)
