"""Back office pages: sign in, inbox, dossier, actions, files, slips, counter, figures, admin."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import session
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from blueprints.backoffice.access import COUNTS_ONLY
from blueprints.backoffice.access import DOSSIER_READERS
from blueprints.backoffice.access import EVERYONE
from blueprints.backoffice.access import IN_UNIT
from blueprints.backoffice.access import ON_DOSSIERS
from blueprints.backoffice.access import SESSION_TOKEN
from blueprints.backoffice.access import SIGNED_IN_AT
from blueprints.backoffice.access import STAFF
from blueprints.backoffice.access import home_endpoint
from blueprints.backoffice.access import roles
from blueprints.htmx import render_page
from blueprints.private import keep_private
from blueprints.qr import qr_svg
from domain import centres as centre_rules
from domain import changelog
from domain import numbers
from domain import procedures as procedure_rules
from domain import validators
from domain import workflow
from domain.calendar import override_window
from domain.messages import N_
from domain.messages import Invalid
from domain.messages import Problem
from domain.paging import Paging
from domain.paging import page_number
from domain.search import clean_query
from extensions import limiter
from models import Dossier
from models import StoredFile
from models import utcnow
from services import admin as admin_service
from services import casework
from services import counter as counter_service
from services import files
from services import inbox as inbox_service
from services import staff as staff_service
from services.calendar import weekday_days_off
from services.calendar import work_calendar
from services.dossiers import processing_limit
from services.forms import form_for
from services.links import public_url
from services.units import province_units
from services.workflow import Conflict
from services.workflow import Request
from services.workflow import act
from services.workflow import local_today

bp = Blueprint("backoffice", __name__, url_prefix="/can-bo")

SLIPS = set(workflow.SLIPS)
# The types a staff browser may show itself, with the extension of what is stored: a photo
# sent as .heic is kept as JPEG, and its name should say so.
EVENTS_PER_PAGE = 50
INLINE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


@bp.context_processor
def words() -> dict[str, Any]:
    from blueprints.fields import display

    def form_label(form: Any, slot: str) -> str:
        spec = next((f for f in form.all_fields() if f.name == slot), None) if form else None
        return spec.label if spec else slot

    return {
        "status_label": workflow.label,
        "role_names": workflow.ROLES,
        "change_words": changelog.WORDS,
        "setting_words": centre_rules.SETTING_WORDS,
        "role_label": workflow.role_label,
        "action_label": workflow.action_label,
        "slip_of": workflow.slip_of,
        "display": display,
        "form_label": form_label,
        "unit_name": unit_name,
    }


def unit_name(code: int | str) -> str:
    """A unit of the province by its name, for logs that keep its code."""
    from services.units import directory

    number = numbers.whole(str(code))
    names = directory().units.get(current_app.config["PROVINCE_CODE"], {})
    return names.get(number, str(code)) if number is not None else str(code)


# Every staff page shows personal data (or could, after sign-in): none is ever stored.
bp.before_request(keep_private)


# --- Signing in --------------------------------------------------------------------------------


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"])
def login() -> Any:
    """Sign in. Wrong tries slow down that username from that address (services.staff)."""
    error = None
    username = request.form.get("username", "")[:60]
    if request.method == "POST":
        user, locked = staff_service.authenticate(
            username, request.form.get("password", ""), request.remote_addr or "?"
        )
        if user is not None:
            session.clear()
            session.permanent = True
            # Flask renews the cookie's lifetime at every page; this keeps the sign-in itself
            # to one working day however busy the day was (checked by access.roles).
            session[SIGNED_IN_AT] = int(utcnow().timestamp())
            session[SESSION_TOKEN] = staff_service.open_session(
                user, current_app.permanent_session_lifetime
            )
            login_user(user)
            return redirect(url_for(home_endpoint(user.role)), 303)
        if locked is not None:
            minutes = max(1, int((locked - utcnow()).total_seconds() // 60) + 1)
            error = Problem(
                N_("Đã nhập sai nhiều lần. Bạn đợi %(minutes)s phút rồi thử lại."),
                {"minutes": minutes},
            )
        else:
            error = Problem(N_("Tên đăng nhập hoặc mật khẩu không đúng."))
    status = 422 if error else 200
    return render_template("backoffice/login.html", username=username, error=error), status


@bp.route("/dang-xuat", methods=["POST"])
def logout() -> Response:
    """Sign out of this browser; the session ends on the server too."""
    staff_service.close_session(session.get(SESSION_TOKEN))
    logout_user()
    session.clear()
    return redirect(url_for("backoffice.login"), 303)


@bp.route("/dang-xuat-moi-noi", methods=["POST"])
@roles(*EVERYONE)
def logout_everywhere() -> Response:
    """Sign out on every computer at once (a lost phone, a shared office PC)."""
    staff_service.sign_out_everywhere(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("backoffice.login"), 303)


# --- Inbox -------------------------------------------------------------------------------------


def parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.route("/")
@roles(*IN_UNIT)
def inbox() -> str:
    """Dossiers by tab with counts, filters, search; soonest due first.

    The administrator sees the counts only: how much work waits, not whose.
    """
    args = request.args
    counts_only = current_user.role in COUNTS_ONLY
    query = inbox_service.InboxQuery(
        unit_code=current_user.unit_code,
        tab=args.get("tab", "moi") if args.get("tab") in inbox_service.TAB_KEYS else "moi",
        procedure=args.get("thu-tuc", "")[:20],
        channel=args.get("kenh", ""),
        date_from=parse_day(args.get("tu")),
        date_to=parse_day(args.get("den")),
        text="" if counts_only else clean_query(args.get("q", ""), 100),
        page=page_number(args.get("trang")),
        helper_user_id=current_user.id if current_user.role == "to_cong_nghe_so" else None,
    )
    calendar = work_calendar(current_user.unit_code)
    if counts_only:
        result = inbox_service.counts_page(query, local_today(), calendar)
    else:
        result = inbox_service.inbox(query, local_today(), calendar)
    procedures = casework.procedures_in_use(current_user.unit_code)
    return render_page(
        "backoffice/inbox.html",
        "backoffice/_inbox_results.html",
        query=query,
        result=result,
        procedures=procedures,
        today=local_today(),
        # A helper sees only the dossiers they helped with, never one sent away.
        tabs=[
            tab
            for tab in inbox_service.TAB_KEYS
            if tab != inbox_service.SENT_TAB or current_user.role != "to_cong_nghe_so"
        ],
        counts_only=counts_only,
    )


# --- One dossier -------------------------------------------------------------------------------


def dossier_or_404(code: str) -> Dossier:
    """The dossier, if it belongs to this member of staff's unit (helpers: their own)."""
    dossier = casework.unit_dossier(code, current_user.unit_code)
    if dossier is None:
        abort(404)
    if current_user.role == "to_cong_nghe_so" and dossier.helper_user_id != current_user.id:
        abort(404)
    return dossier


def sent_or_none(code: str) -> casework.Sent | None:
    """A dossier this unit transferred away and holds no more (a helper never sees one)."""
    if current_user.role not in ON_DOSSIERS:
        return None
    return casework.sent_dossier(code, current_user.unit_code)


def dossier_context(
    dossier: Dossier, error: Problem | None = None, failed: str = "", error_field: str = ""
) -> dict[str, Any]:
    """What the dossier page shows; failed is the action just refused, whose form keeps
    what was typed and shows the problem next to error_field."""
    today = local_today()
    late = workflow.is_late(dossier.status, today, dossier.due_date)
    calendar = work_calendar(dossier.unit_code)
    near_due = workflow.apology_open(dossier.status, today, dossier.due_date, calendar)
    left = calendar.working_days_left(today, dossier.due_date) if dossier.due_date else None
    form = form_for(dossier.procedure_code)
    actions = workflow.allowed_actions(
        dossier.status,
        current_user.role,
        past_actions=[e.action for e in dossier.events],
        near_due=near_due,
    )
    transfer = any(a.needs_unit for a in actions)
    return {
        "dossier": dossier,
        "form": form,
        "actions": actions,
        # Where a transfer may go, and the papers it may hand over: only when it may be done.
        "units": [u for u in province_units() if u[0] != dossier.unit_code] if transfer else [],
        "papers": paper_names(dossier) if transfer else [],
        "late": late,
        "days_left": left,
        "today": today,
        "error": error,
        "failed": failed,
        "error_field": error_field if error else "",
        "typed": request.form if failed else {},
        "supplement_choices": supplement_choices(dossier, form),
        "channels": workflow.RESULT_CHANNELS,
        # The browser's date picker stops where the rule does; the rule is checked anyway.
        "latest": {
            "deadline": workflow.latest_deadline(today),
            "new_date": workflow.latest_new_date(
                today,
                dossier.due_date,
                calendar,
                processing_limit(dossier.procedure, dossier.submission_channel),
            ),
        },
    }


def supplement_choices(dossier: Dossier, form: Any) -> list[tuple[str, str]]:
    """What a clerk may ask to add or redo: each upload slot and each answer of the form."""
    if form is None:
        return [("giay-to", N_("Giấy tờ của hồ sơ"))]
    choices = []
    for spec in form.all_fields():
        if spec.type == "upload" or spec.name in dossier.answers:
            choices.append((spec.name, spec.label))
    return choices


@bp.route("/ho-so/<code>")
@roles(*DOSSIER_READERS)
def dossier(code: str) -> str:
    """A dossier: answers, documents, timeline, due date, and the actions allowed now.

    A dossier this unit transferred away: its history up to the hand-over, and where it went.
    """
    sent = sent_or_none(code)
    if sent is not None:
        return render_template("backoffice/sent_dossier.html", sent=sent)
    found = dossier_or_404(code)
    return render_template("backoffice/dossier.html", **dossier_context(found))


def paper_names(dossier: Dossier) -> list[str]:
    """What a transfer may hand over: the papers received, as slip 01 lists them."""
    return [str(paper["name"]) for paper in received_documents(dossier)] or [_("Giấy tờ của hồ sơ")]


def read_request(dossier: Dossier, key: str) -> Request:
    form = request.form
    labels = dict(supplement_choices(dossier, form_for(dossier.procedure_code)))
    items = [{"key": k, "label": labels[k]} for k in form.getlist("items") if k in labels]
    version = numbers.whole(form.get("version"))
    known = paper_names(dossier) if "papers" in form else []
    return Request(
        unit=numbers.whole(form.get("unit")),
        papers=[name for name in form.getlist("papers") if name in known],
        key=key,
        version=-1 if version is None else version,
        reason=form.get("reason", "")[:2000],
        items=items,
        deadline=parse_day(form.get("deadline")),
        new_date=parse_day(form.get("new_date")),
        channel=form.get("channel", ""),
    )


@bp.route("/ho-so/<code>/<key>", methods=["POST"])
@roles(*ON_DOSSIERS)
def action(code: str, key: str) -> Any:
    """Do one action. If someone else acted first, say so and show the dossier as it is now."""
    found = dossier_or_404(code)
    try:
        act(found, read_request(found, key), current_user)
    except Invalid as problem:
        return render_template(
            "backoffice/dossier.html",
            **dossier_context(found, problem.problem, key, problem.field),
        ), 422
    except Conflict:
        # act() rolled back, which expired what was read: this reads the dossier anew.
        fresh = dossier_or_404(code)
        error = Problem(
            N_(
                "Một cán bộ khác vừa cập nhật hồ sơ này. Trang đã tải lại; "
                "bạn xem lại rồi làm tiếp."
            )
        )
        return render_template("backoffice/dossier.html", **dossier_context(fresh, error)), 409
    return redirect(url_for("backoffice.dossier", code=found.code), 303)


def download_name(stored: StoredFile) -> str:
    stem = (stored.original_name or "").rsplit(".", 1)[0].strip() or f"{stored.slot}-{stored.id}"
    extension = INLINE_TYPES.get(stored.mimetype)
    return f"{stem}.{extension}" if extension else stem


@bp.route("/ho-so/<code>/tep/<id:file_id>")
@roles(*ON_DOSSIERS)
def document(code: str, file_id: int) -> Any:
    """A paper the person sent, for staff only; never cached, never run."""
    found = dossier_or_404(code)
    stored = casework.dossier_file(found, file_id)
    if stored is None:
        abort(404)
    try:
        content = files.open_stored(stored.stored_name)
    except files.StoreUnavailable:
        # Everything else about the dossier still works: say so, and offer to try again.
        return paper_unavailable(found, stored, lost=False), 503, {"Retry-After": "30"}
    except files.Missing:
        current_app.logger.error("file %s of dossier %s is in no store", stored.id, found.id)
        return paper_unavailable(found, stored, lost=True), 404
    # Photos and PDFs open in the browser, where staff read them beside the dossier; any other
    # type is saved, never rendered.
    inline = stored.mimetype in INLINE_TYPES
    response = send_file(
        content,  # streamed as it is read: a 10 MB scan never sits in a worker's memory
        mimetype=stored.mimetype,
        max_age=0,
        as_attachment=not inline,
        download_name=download_name(stored),
        # The same on every node, unlike a file's modification time.
        etag=stored.sha256,
        last_modified=stored.created_at,
        conditional=False,
    )
    response.content_length = stored.size
    try:
        # A stream's length is not known to send_file: ranges and 304s are asked for here.
        response = response.make_conditional(
            request, accept_ranges=True, complete_length=stored.size
        )
    except Exception:
        content.close()
        raise
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox"
    )
    return response


def paper_unavailable(dossier: Dossier, stored: StoredFile, lost: bool) -> str:
    return render_template(
        "backoffice/paper_unavailable.html", dossier=dossier, file=stored, lost=lost
    )


@bp.route("/ho-so/<code>/phieu/<slip>")
@roles(*ON_DOSSIERS)
def print_slip(code: str, slip: str) -> str:
    """A statutory slip (01–06) to print, A4 or A5, with a QR code to the status page.

    A unit that transferred the dossier prints the slips of its own part of the history.
    """
    if slip not in SLIPS:
        abort(404)
    sent = sent_or_none(code)
    found = sent.dossier if sent else dossier_or_404(code)
    event = next(
        (
            e
            for e in reversed(sent.events if sent else found.events)
            if workflow.ACTIONS.get(e.action) and workflow.ACTIONS[e.action].slip == slip
        ),
        None,
    )
    if event is None:
        abort(404)
    url = public_url("lookup.index", ma=found.code)
    return render_template(
        "print/slip.html",
        documents=received_documents(found) if slip == "01" else [],
        limit=casework.promised_limit(found, event) if slip == "01" else None,
        slip=slip,
        dossier=found,
        event=event,
        issuer=casework.unit_at(found, event),
        url=url,
        qr=qr_svg(url, _("Mã QR mở trang tra cứu hồ sơ này"), scale=2),
        size="a5" if request.args.get("kho") == "a5" else "a4",
        issued=event.at,
    )


def received_documents(dossier: Dossier) -> list[dict[str, Any]]:
    """What slip 01 lists as received (mẫu 01): the papers sent, with how many of each.

    Online: each upload slot of the form that has files, with the number of files. At the
    counter: the papers the procedure asks to submit, with their originals and copies.
    """
    if dossier.files:
        form = form_for(dossier.procedure_code)
        counted: dict[str, int] = {}
        for stored in dossier.files:
            counted[stored.slot] = counted.get(stored.slot, 0) + 1
        order = [spec.name for spec in form.all_fields()] if form else []
        slots = sorted(counted, key=lambda s: (order.index(s) if s in order else len(order), s))
        labels = {spec.name: spec.label for spec in form.all_fields()} if form else {}
        return [{"name": _(labels.get(s, s)), "files": counted[s]} for s in slots]
    return [
        {"name": doc.name, "originals": doc.originals, "copies": doc.copies}
        for doc in dossier.procedure.documents
        if doc.group == "submit"
    ]


# --- Counter submissions -----------------------------------------------------------------------


COUNTER_FIELDS = ("procedure", "name", "cccd", "phone", "email", "note")


def read_counter_form() -> tuple[dict[str, Any], dict[str, Problem]]:
    form = request.form
    checks = {
        "name": validators.person_name,
        "cccd": validators.cccd,
        "phone": validators.phone,
        "email": validators.email,
    }
    values, errors = validators.check_all(form, checks, optional={"email"})
    code = form.get("procedure", "")
    if not casework.procedure_exists(code):
        errors = {"procedure": Problem(N_("Bạn hãy chọn thủ tục.")), **errors}
    elif not counter_service.has_time_limit(code):
        errors = {"procedure": Problem(procedure_rules.NO_TIME_LIMIT), **errors}
    values["procedure"] = code
    values["note"] = validators.collapse(form.get("note", ""))[:1000]
    values["receive_now"] = form.get("receive_now") == "co"
    return values, errors


@bp.route("/tiep-nhan-truc-tiep", methods=["GET", "POST"])
@roles("tiep_nhan", "lanh_dao")
def counter() -> Any:
    """Register a paper dossier handed in at the desk, so every dossier is in one system."""
    procedures = casework.counter_procedures()
    typed = {k: request.form.get(k, "") for k in COUNTER_FIELDS}
    errors: dict[str, Problem] = {}
    if request.method == "POST":
        values, errors = read_counter_form()
        if not errors:
            try:
                found = counter_service.register(values, current_user)
            except Invalid as problem:
                errors[problem.field or "procedure"] = problem.problem
            else:
                return redirect(url_for("backoffice.dossier", code=found.code), 303)
    status = 422 if errors else 200
    return render_template(
        "backoffice/counter.html", procedures=procedures, typed=typed, errors=errors
    ), status


# --- Figures -----------------------------------------------------------------------------------


@bp.route("/thong-ke")
@roles(*STAFF)
def figures() -> str:
    """On-time figures (QĐ 766): finished before, on or after the due day, by calendar day."""
    from services.figures import on_time_figures

    today = local_today()
    start = parse_day(request.args.get("tu")) or today.replace(day=1)
    end = parse_day(request.args.get("den")) or today
    return render_template(
        "backoffice/figures.html",
        figures=on_time_figures(current_user.unit_code, start, end, today),
        start=start,
        end=end,
    )


# --- Administration ----------------------------------------------------------------------------


@bp.route("/nhat-ky")
@roles("quan_tri")
def event_log() -> str:
    """Every action on this unit's dossiers, newest first (append-only)."""
    paging = Paging(page_number(request.args.get("trang")), EVENTS_PER_PAGE)
    events = casework.unit_events(current_user.unit_code, paging)
    return render_template("backoffice/event_log.html", events=events, page=paging.page)


@bp.route("/ngay-nghi", methods=["GET", "POST"])
@roles("quan_tri")
def days_off() -> Any:
    """Days off and make-up working days beyond the law's holidays."""
    error = None
    today = local_today()
    typed = {name: request.form.get(name, "")[:200] for name in ("day", "note", "working")}
    if request.method == "POST":
        day = parse_day(request.form.get("day"))
        if request.form.get("xoa"):
            if day:
                admin_service.remove_day(current_user, day)
            return redirect(url_for("backoffice.days_off"), 303)
        try:
            admin_service.set_day(
                current_user,
                day,
                working=request.form.get("working") == "co",
                note=request.form.get("note", ""),
                today=today,
            )
        except Invalid as problem:
            error = problem.problem
        else:
            return redirect(url_for("backoffice.days_off"), 303)
    first, last = override_window(today)
    status = 422 if error else 200
    return render_template(
        "backoffice/days_off.html",
        rows=admin_service.declared_days(current_user.unit_code),
        holidays=weekday_days_off(current_user.unit_code, today.year, str(get_locale())),
        error=error,
        year=today.year,
        typed=typed if error else {},
        first=first,
        last=last,
    ), status
