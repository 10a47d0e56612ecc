"""Guided online submission: start, one step at a time, uploads, check answers, send, receipt."""

from __future__ import annotations

from typing import Any

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
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from blueprints import centre_choice
from blueprints import fields as views
from blueprints import outage
from blueprints.apply import pages
from blueprints.htmx import is_fragment_request
from blueprints.incoming import UPLOADS_PER_ADDRESS
from blueprints.incoming import UPLOADS_PER_DRAFT
from blueprints.incoming import UploadsThrottled
from blueprints.incoming import read_uploads
from blueprints.incoming import throttled
from blueprints.private import private
from blueprints.qr import qr_svg
from domain import validators
from domain.formspec import FieldSpec
from domain.formspec import FormSpec
from domain.formspec import StepSpec
from domain.messages import N_
from domain.messages import Invalid
from domain.messages import Problem
from domain.references import normalize_resume_code
from domain.search import clean_query
from extensions import db
from extensions import limiter
from models import Dossier
from models import Draft
from models import Procedure
from services import centres
from services import drafts
from services import steps
from services.centres import Centre
from services.forms import accepts_online
from services.forms import form_for
from services.links import public_url
from services.workflow import local_today

bp = Blueprint("apply", __name__)

SESSION_KEY = "drafts"
NOT_FOUND = N_("Không tìm thấy hồ sơ đang làm với mã và số điện thoại này, hoặc hồ sơ đã hết hạn.")
KEEP_IN_SESSION = 5


# --- Which drafts this browser may open --------------------------------------------------------


def bind(draft: Draft) -> None:
    """Let this browser open the draft without its resume code."""
    known = [d for d in session.get(SESSION_KEY, []) if d != draft.id]
    session[SESSION_KEY] = [*known, draft.id][-KEEP_IN_SESSION:]


def unbind(draft_id: str) -> None:
    session[SESSION_KEY] = [d for d in session.get(SESSION_KEY, []) if d != draft_id]


def held() -> list[str]:
    """The drafts this browser may open without their resume code."""
    return list(session.get(SESSION_KEY, []))


def open_draft(draft_id: str) -> tuple[Draft, FormSpec]:
    """The draft and its form, if this browser may open it (else ask for the resume code)."""
    try:
        return drafts.open_held(draft_id, held())
    except drafts.Expired:
        abort(410)
    except drafts.NoForm:
        abort(404)


@bp.errorhandler(drafts.NeedsResume)
def needs_resume(_error: drafts.NeedsResume) -> Response:
    return redirect(url_for("apply.resume"), 303)


@bp.errorhandler(drafts.AlreadySent)
def already_sent(error: drafts.AlreadySent) -> Response:
    return redirect(url_for("apply.done", draft_id=error.draft_id), 303)


def step_as_sent(status: int, **notice: Any) -> tuple[str, int] | None:
    """The step just sent, shown again with what was typed, unsaved and without messages."""
    if request.endpoint != "apply.step" or not request.view_args:
        return None
    draft, form = open_draft(request.view_args["draft_id"])
    current = form.step(request.view_args["step_id"])
    if current is None:
        return None
    page = steps.as_sent(draft, current, request.form, local_today())
    return pages.step_page(draft, form, page, returning=returning(), **notice), status


@bp.errorhandler(CSRFError)
def stale_form(_error: CSRFError) -> Any:
    """A form sent from a page too old to trust: show it again with what was typed, unsaved."""
    shown = step_as_sent(400, stale=True)
    return shown or (render_template("errors/error.html", code=400, stale=True), 400)


@outage.reshows("apply.step")
def step_unsaved() -> tuple[str, int] | None:
    """The database is busy: the step again as typed, with a "Thử lại" button."""
    return step_as_sent(503, unavailable="step")


@bp.errorhandler(413)
def too_big(_error: Exception) -> tuple[str, int]:
    """A request over MAX_CONTENT_LENGTH: refused before any view (the CSRF check reads the
    body first), so say the limit here and lead back to the document's section."""
    back = None
    draft_id = (request.view_args or {}).get("draft_id", "")
    try:
        draft, form = open_draft(draft_id) if draft_id else (None, None)
    except (drafts.NeedsResume, drafts.AlreadySent, HTTPException):
        draft = form = None
    if draft is not None and form is not None:
        back = url_for("apply.step_or_check", draft_id=draft.id)
        slot = request.args.get("o", "")
        found = drafts.upload_slot(form, draft, slot)
        if found is not None:
            back = url_for("apply.step", draft_id=draft.id, step_id=found[0].id)
            back += f"#{slot}-slot"
    return render_template("apply/too_big.html", back=back), 413


@bp.errorhandler(410)
def expired(_error: Exception) -> tuple[str, int]:
    return render_template("apply/expired.html"), 410


# --- Start -------------------------------------------------------------------------------------


# --- Which centre receives it --------------------------------------------------------------------

CENTRE_FIELD = "xa"
SEARCH = "tim"  # the centre list's search button (without JavaScript)
SHOWN = "tim-da-hien"  # the query the list shows: Enter elsewhere sends SEARCH unchanged
NOT_A_CENTRE = N_("Bạn hãy chọn một Trung tâm trong danh sách của tỉnh.")


def centre_query() -> str:
    source = request.form if request.method == "POST" else request.args
    return clean_query(source.get("q", ""), current_app.config["MAX_QUERY_LENGTH"])


def searching() -> bool:
    """The search button pressed for a new query (not Enter in another field)."""
    return SEARCH in request.form and request.form.get("q", "") != request.form.get(SHOWN, "")


def posted_centre() -> Centre | None:
    """The centre chosen in the form; None for none, or a unit not of this province."""
    raw = request.form.get(CENTRE_FIELD, "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
        return None
    return centres.find(int(raw))


def centre_list(selected: int | None, home: Centre | None) -> dict[str, Any]:
    """The province's centres matching the search, the person's own commune first."""
    query = centre_query()
    found = centres.search(query)
    if home is not None and not query:
        found = [home, *(c for c in found if c.unit_code != home.unit_code)]
    total = len(centres.province_centres())
    return {"query": query, "found": found, "total": total, "selected": selected, "home": home}


# --- Start -------------------------------------------------------------------------------------


@bp.route("/nop-ho-so/<procedure:code>", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
@private
def start(code: str) -> Any:
    """The start page: what you need, how long it takes, the phone to resume with."""
    proc = db.session.get(Procedure, code)
    if proc is None:
        abort(404)
    form = form_for(code)
    if form is None or not accepts_online(proc):
        return render_template("apply/in_person.html", proc=proc, paused=form is not None)
    errors: dict[str, Problem] = {}
    existing = drafts.in_progress(code, held())
    phone = request.form.get("phone", existing.phone if existing else "")
    known = centre_choice.chosen()
    # Only a boundary-free procedure lets the person pick; any other goes where they live.
    ask = known is None and proc.is_non_territorial
    picked = posted_centre() if ask else None
    home = drafts.home_centre(held()) if ask else None
    if ask and is_fragment_request():
        return render_template("apply/_centres.html", **centre_list(None, home), fragment=True)
    if request.method == "POST" and not searching():
        try:
            clean = validators.phone(phone)
        except Invalid as problem:
            errors["phone"] = problem.problem
        if ask and picked is None:
            errors[CENTRE_FIELD] = Problem(NOT_A_CENTRE)
        if not errors:
            unit = (picked or known or centres.default_centre()).unit_code
            draft = drafts.start(code, clean, form, unit)
            bind(draft)
            response = redirect(
                url_for("apply.step", draft_id=draft.id, step_id=draft.current_step), 303
            )
            if picked is not None:  # chosen here: remembered as the chooser at /xa does
                centre_choice.remember(response, picked)
            return response
    selected = picked.unit_code if picked else (home.unit_code if home else None)
    return render_template(
        "apply/start.html",
        proc=proc,
        form=form,
        phone=phone,
        errors=errors,
        existing=existing,
        ask=ask,
        known=known,
        **(centre_list(selected, home) if ask else {}),
    ), (422 if errors else 200)


@outage.reshows("apply.start")
def start_unsaved() -> str | None:
    """The database is busy: the start page again with the phone number typed."""
    code = (request.view_args or {}).get("code", "")
    proc = db.session.get(Procedure, code)
    form = form_for(code) if proc is not None else None
    if proc is None or form is None:
        return None
    return render_template(
        "apply/start.html",
        proc=proc,
        form=form,
        phone=request.form.get("phone", "")[:20],
        errors={},
        existing=drafts.in_progress(code, held()),
        unavailable="start",
        ask=False,
        known=centre_choice.chosen(),
    )


@bp.route("/nop-ho-so/<draft_id>")
@private
def step_or_page(draft_id: str) -> Response:
    """/nop-ho-so/<draft>: go to where this draft stopped."""
    draft, _form = open_draft(draft_id)
    if draft.dossier is not None:
        return redirect(url_for("apply.done", draft_id=draft.id), 303)
    return redirect(url_for("apply.step", draft_id=draft.id, step_id=draft.current_step), 303)


# --- Steps -------------------------------------------------------------------------------------


def returning() -> bool:
    """Sent from the check page's change link: back there once saved."""
    return request.args.get("sua") == "1"


@bp.route("/nop-ho-so/<draft_id>/<step_id>", methods=["GET", "POST"])
@private
def step(draft_id: str, step_id: str) -> Any:
    """One question page. Answers are kept on the server every time the page is sent."""
    draft, form = open_draft(draft_id)
    if request.method == "GET":
        outcome = steps.show_step(draft, form, step_id, local_today())
    else:
        outcome = steps.submit_step(draft, form, step_id, request.form, local_today())
    if outcome.kind == steps.SENT:
        return redirect(url_for("apply.done", draft_id=draft.id), 303)
    if outcome.kind == steps.ELSEWHERE:
        # An old page, or a step an answer has since hidden: go to where the draft is now.
        return redirect(url_for("apply.step_or_check", draft_id=draft.id), 303)
    if outcome.page is not None:
        page = pages.step_page(draft, form, outcome.page, returning=returning())
        return page, (422 if outcome.refused else 200)
    following = outcome.goes_to(returning())
    if following is None:
        return redirect(url_for("apply.check", draft_id=draft.id), 303)
    sua = "1" if returning() else None
    return redirect(url_for("apply.step", draft_id=draft.id, step_id=following, sua=sua), 303)


@bp.route("/nop-ho-so/<draft_id>/tiep")
@private
def step_or_check(draft_id: str) -> Response:
    """Where the draft stopped: its current step, or the check page."""
    draft, form = open_draft(draft_id)
    current = form.step(draft.current_step)
    if current is None or not current.shown(draft.answers):
        return redirect(url_for("apply.check", draft_id=draft.id), 303)
    return redirect(url_for("apply.step", draft_id=draft.id, step_id=current.id), 303)


# --- Uploads -----------------------------------------------------------------------------------


def upload_spec(form: FormSpec, draft: Draft, slot: str) -> tuple[StepSpec, FieldSpec]:
    found = drafts.upload_slot(form, draft, slot)
    if found is None:
        abort(404)
    return found


def draft_key() -> str:
    return f"upload-draft:{(request.view_args or {}).get('draft_id', '')}"


@bp.route("/nop-ho-so/<draft_id>/tep", methods=["POST"])
@private
@limiter.limit(UPLOADS_PER_ADDRESS, on_breach=throttled)
@limiter.limit(UPLOADS_PER_DRAFT, key_func=draft_key, on_breach=throttled)
def upload(draft_id: str) -> Any:
    """Take one or more files for a document slot; each is checked and cleaned on arrival."""
    draft, form = open_draft(draft_id)
    if draft.dossier is not None:
        return redirect(url_for("apply.done", draft_id=draft.id), 303)
    slot = request.args.get("o", "")
    current, spec = upload_spec(form, draft, slot)
    received = read_uploads(drafts.room_left(draft, spec), drafts.stored_bytes(draft, form))
    problem = drafts.keep_files(draft, slot, received.files) or received.problem
    if problem:
        return slot_refused(draft, form, current, spec, problem, 422)
    if is_fragment_request() or request.headers.get("X-Upload") == "1":
        return pages.upload_slot(draft, current, spec, {})
    return redirect(
        url_for("apply.step", draft_id=draft.id, step_id=current.id) + f"#{slot}-tep", 303
    )


def slot_refused(
    draft: Draft, form: FormSpec, current: StepSpec, spec: FieldSpec, problem: Problem, status: int
) -> tuple[str, int]:
    """The slot (htmx, site.js) or its whole step again, with the problem by the slot."""
    errors = {spec.name: problem}
    if is_fragment_request() or request.headers.get("X-Upload") == "1":
        return pages.upload_slot(draft, current, spec, errors), status
    page = steps.with_problems(draft, current, errors)
    return pages.step_page(draft, form, page, returning=returning()), status


@bp.errorhandler(UploadsThrottled)
def uploads_throttled(error: UploadsThrottled) -> Any:
    """Too many uploads: the step again, with when to try next by the slot; nothing is lost."""
    try:
        draft, form = open_draft(str((request.view_args or {}).get("draft_id", "")))
        current, spec = upload_spec(form, draft, request.args.get("o", ""))
    except (drafts.NeedsResume, drafts.AlreadySent, HTTPException):
        return render_template("errors/error.html", code=429), 429
    body, status = slot_refused(draft, form, current, spec, error.problem, 429)
    return body, status, {"Retry-After": str(error.minutes * 60)}


@bp.route("/nop-ho-so/<draft_id>/tep/<id:file_id>/xoa", methods=["POST"])
@private
def remove_file(draft_id: str, file_id: int) -> Any:
    """Take a file back before sending."""
    draft, form = open_draft(draft_id)
    slot = request.args.get("o", "")
    current, spec = upload_spec(form, draft, slot)
    problem = drafts.remove_file(draft, file_id) if draft.dossier is None else None
    if problem:
        return slot_refused(draft, form, current, spec, problem, 422)
    if is_fragment_request() or request.headers.get("X-Upload") == "1":
        return pages.upload_slot(draft, current, spec, {})
    return redirect(
        url_for("apply.step", draft_id=draft.id, step_id=current.id) + f"#{slot}-tep", 303
    )


# --- Small helpers for htmx --------------------------------------------------------------------


@bp.route("/nop-ho-so/<draft_id>/dia-chi")
def communes(draft_id: str) -> str:
    """The communes of a province, as <option>s, when the province changes (htmx)."""
    open_draft(draft_id)
    return views.commune_options()


@bp.route("/nop-ho-so/<draft_id>/truong/<step_id>/<name>", methods=["POST"])
@private
def check_field(draft_id: str, step_id: str, name: str) -> Any:
    """Check one field as it changes (htmx) and return it with its message, or none."""
    draft, form = open_draft(draft_id)
    checked = steps.check_field(
        form, step_id, name, request.form, local_today(), draft.procedure.is_non_territorial
    )
    if checked is None:
        abort(404)
    return pages.field_check(draft, checked, dict(request.form))


# --- Check, send, confirmation, receipt --------------------------------------------------------


@bp.route("/nop-ho-so/<draft_id>/kiem-tra")
@private
def check(draft_id: str) -> Any:
    """Check your answers, with a change link for each; then the declaration and send."""
    draft, form = open_draft(draft_id)
    if draft.dossier is not None:
        return redirect(url_for("apply.done", draft_id=draft.id), 303)
    return pages.check_page(draft, form)


@bp.route("/nop-ho-so/<draft_id>/trung-tam", methods=["GET", "POST"])
@private
def centre(draft_id: str) -> Any:
    """Choose the centre that receives a boundary-free dossier, before it is sent."""
    draft, form = open_draft(draft_id)
    if draft.dossier is not None:
        return redirect(url_for("apply.done", draft_id=draft.id), 303)
    if not draft.procedure.is_non_territorial:  # the address decides: nothing to choose
        return redirect(url_for("apply.check", draft_id=draft.id), 303)
    home = drafts.home_centre([draft.id])
    if is_fragment_request():
        return render_template("apply/_centres.html", **centre_list(None, home), fragment=True)
    errors: dict[str, Problem] = {}
    picked = posted_centre()
    if request.method == "POST" and not searching():
        if picked is not None and drafts.choose_centre(draft, picked.unit_code):
            response = redirect(url_for("apply.check", draft_id=draft.id), 303)
            # Chosen once: every page from now on shows it, as if chosen at /xa.
            centre_choice.remember(response, picked)
            return response
        errors[CENTRE_FIELD] = Problem(NOT_A_CENTRE)
    selected = picked.unit_code if picked else draft.unit_code
    return render_template(
        "apply/centre.html", draft=draft, form=form, errors=errors, **centre_list(selected, home)
    ), (422 if errors else 200)


@bp.route("/nop-ho-so/<draft_id>/gui", methods=["POST"])
@limiter.limit("30/hour")
@private
def send(draft_id: str) -> Any:
    """Send the dossier. Sending again (a retry, a double tap) returns the same dossier."""
    draft, form = open_draft(draft_id)
    declared = request.form.get("declaration") == "co"
    helper = signed_in_helper(drafts.receiving_unit(draft, form))
    problem = steps.send(draft, form, declared, helper_user_id=helper)
    if problem is not None:
        return pages.check_page(draft, form, problem), 422
    return redirect(url_for("apply.done", draft_id=draft.id), 303)


@outage.reshows("apply.send")
def send_unsaved() -> str | None:
    """The database is busy: the check page again, the declaration as ticked, to send again."""
    draft, form = open_draft((request.view_args or {}).get("draft_id", ""))
    if draft.dossier is not None:
        return None
    declared = request.form.get("declaration") == "co"
    return pages.check_page(draft, form, declared=declared, unavailable="check")


def signed_in_helper(unit_code: int) -> int | None:
    """A community helper signed in to the back office (same session cookie) of the unit the
    dossier goes to: staff follow only their own unit's dossiers."""
    user = current_user
    if not user.is_authenticated or user.role != "to_cong_nghe_so" or user.must_change_password:
        return None
    return user.id if user.unit_code == unit_code else None


def submitted(draft_id: str) -> Dossier:
    """The sent dossier; it does not need its draft, which expires and is purged."""
    dossier = drafts.sent_dossier(draft_id, held())
    if dossier is None:
        open_draft(draft_id)  # not this browser's, or expired unsent: say so
        abort(404)
    return dossier


@bp.route("/nop-ho-so/<draft_id>/xong")
@private
def done(draft_id: str) -> str:
    """Confirmation: the dossier code in large type and what happens next."""
    dossier = submitted(draft_id)
    return render_template("apply/done.html", draft_id=draft_id, dossier=dossier)


@bp.route("/nop-ho-so/<draft_id>/bien-nhan")
@private
def receipt(draft_id: str) -> str:
    """A printable receipt with a QR code to the status page."""
    dossier = submitted(draft_id)
    url = public_url("lookup.index", ma=dossier.code)
    return render_template(
        "apply/receipt.html",
        draft_id=draft_id,
        dossier=dossier,
        url=url,
        qr=qr_svg(url, _("Mã QR mở trang tra cứu hồ sơ này")),
    )


@bp.route("/nop-ho-so/<draft_id>/thoat", methods=["POST"])
@private
def leave(draft_id: str) -> Response:
    """Stop and forget the draft on this device (a shared phone); the resume code still works."""
    unbind(draft_id)
    return redirect(url_for("apply.left"), 303)


@bp.route("/da-thoat")
def left() -> str:
    """After leaving: nothing personal stays on this device."""
    return render_template("apply/left.html")


# --- Resume ------------------------------------------------------------------------------------


@bp.route("/tiep-tuc", methods=["GET", "POST"])
@limiter.limit("10 per 10 minutes", methods=["POST"])
@private
def resume() -> Any:
    """Go on with a draft on any device: the resume code and the phone number given at the start."""
    errors: dict[str, Problem] = {}
    raw_code = request.form.get("ma", "")
    raw_phone = request.form.get("phone", "")
    if request.method == "POST":
        code = normalize_resume_code(raw_code)
        if code is None:
            errors["ma"] = Problem(N_("Mã tiếp tục gồm 8 chữ và số, ví dụ ACDE 3479."))
        try:
            phone = validators.phone(raw_phone)
        except Invalid as problem:
            errors["phone"] = problem.problem
            phone = ""
        if not errors:
            draft = drafts.find_for_resume(code or "", phone)
            if draft is None:
                errors["ma"] = Problem(NOT_FOUND)
            else:
                bind(draft)
                if draft.dossier is not None:
                    return redirect(url_for("apply.done", draft_id=draft.id), 303)
                return redirect(url_for("apply.step_or_check", draft_id=draft.id), 303)
    status = 422 if errors else 200
    return render_template(
        "apply/resume.html", raw_code=raw_code, raw_phone=raw_phone, errors=errors
    ), status


@outage.reshows("apply.resume")
def resume_unsaved() -> str:
    """The database is busy: the resume form again as typed (it needs nothing stored)."""
    return render_template(
        "apply/resume.html",
        raw_code=request.form.get("ma", "")[:20],
        raw_phone=request.form.get("phone", "")[:20],
        errors={},
        unavailable="resume",
    )
