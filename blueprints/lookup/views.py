"""Status lookup (tra cứu hồ sơ): by code for anyone, more with the phone number given.

The code alone shows the procedure, the status and dates: a shared URL or a QR code on paper
reveals nothing personal. Personal details, answering a supplement request, withdrawing and
rating need the phone number too; failed tries are rate-limited per address and per code.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from flask_limiter.util import get_remote_address

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
from domain.formspec import item_counts
from domain.messages import Problem
from domain.references import normalize_dossier_code
from extensions import limiter
from models import Dossier
from services import lookup
from services.units import directory

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
    dossier = lookup.find(code)
    if dossier is not None:
        ratelimits.give_back(CODE_MISSES, key)
    return dossier


def path_code() -> str:
    return str((request.view_args or {}).get("code", ""))


def code_key() -> str:
    # Keyed on the code as printed: spelling it another way (no dashes, dots) must not give
    # a fresh set of guesses at the phone number.
    raw = path_code()
    return f"lookup-code:{normalize_dossier_code(raw) or raw}"


def render_status(
    dossier: Dossier,
    status: int = 200,
    *,
    raw: str | None = None,
    typed: Mapping[str, str] | None = None,
    problems: Mapping[str, Problem] | None = None,
    unavailable: str = "",
) -> tuple[str, int]:
    """The status page, however it is reached: typed refills the forms, problems sit by
    their fields (the one about the whole dossier at the top)."""
    page = lookup.status_page(dossier, verified(dossier))
    if page.personal:
        keep_private()  # the personal part is shown: the phone must not keep the page
    problems = problems or {}
    fields = (
        answer_fields(dossier, typed, dict(problems))
        if page.personal and dossier.awaits_supplement
        else []
    )
    body = render_page(
        "lookup/index.html",
        "lookup/_result.html",
        raw=dossier.code if raw is None else raw,
        code=dossier.code,
        dossier=dossier,
        page=page,
        answer_fields=fields,
        typed=typed or {},
        problems=problems,
        whole=problems.get(lookup.WHOLE),
        unavailable=unavailable,
    )
    return body, status


@bp.route("/tra-cuu")
@by_code_only
def index() -> Any:
    """Find a dossier by its code, typed any way (spaces, lower case, no dashes)."""
    raw = request.args.get("ma", "")[:60]
    if not raw.strip():
        return render_page("lookup/index.html", "lookup/_result.html", raw=raw)
    code = normalize_dossier_code(raw)
    dossier = find_by_code_only(code)
    if dossier is not None:
        return render_status(dossier, raw=raw)
    error = None
    if code is None:
        error = _("Mã hồ sơ gồm 15 chữ số, ví dụ 08566-261128-0001. Bạn hãy kiểm tra lại.")
    return render_page("lookup/index.html", "lookup/_result.html", raw=raw, code=code, error=error)


@outage.reshows("lookup.index")
def index_unavailable() -> str:
    """The database is busy: the lookup form again with the code typed, and no verdict."""
    return render_template(
        "lookup/index.html", raw=request.args.get("ma", "")[:60], unavailable="lookup"
    )


@bp.route("/tra-cuu/<code>.txt")
@by_code_only
def plain(code: str) -> Response:
    """A few words for the lightest phones and for an SMS or Zalo gateway: no personal data."""
    dossier = find_by_code_only(normalize_dossier_code(code))
    response = Response(lookup.plain_status(dossier), mimetype="text/plain")
    response.status_code = 200 if dossier else 404
    return response


@bp.route("/tra-cuu/<code>", methods=["POST"])
@private
def verify(code: str) -> Any:
    """The phone number given at submission opens the personal part of the page."""
    dossier = lookup.find(normalize_dossier_code(code))
    if dossier is None:
        abort(404)
    # Per address and per code: only wrong numbers count, and the try is taken before the
    # number is compared, so that parallel guesses cannot slip past the count.
    keys = (f"phone:{get_remote_address()}", f"phone-{code_key()}")
    if not ratelimits.take_try(PHONE_TRIES, *keys):
        abort(429)
    outcome = lookup.check_phone(dossier, request.form.get("phone", ""))
    if not outcome.done:
        return render_status(dossier, 422, typed=request.form, problems=outcome.problems)
    ratelimits.give_back(PHONE_TRIES, *keys)
    codes = [c for c in session.get(VERIFIED, []) if c != dossier.code]
    session[VERIFIED] = [*codes, dossier.code][-10:]
    return redirect(url_for("lookup.index", ma=dossier.code), 303)


@outage.reshows("lookup.verify")
def verify_unavailable() -> tuple[str, int] | None:
    """The database is busy: the status page again with the phone number typed."""
    dossier = lookup.find(normalize_dossier_code(path_code()))
    if dossier is None:
        return None
    return render_status(dossier, 503, typed=request.form, unavailable="verify")


def verified_dossier(code: str) -> Dossier:
    dossier = lookup.find(normalize_dossier_code(code))
    if dossier is None:
        abort(404)
    if not verified(dossier):
        abort(403)
    return dossier


# --- Answering a supplement request ------------------------------------------------------------


def answer_fields(
    dossier: Dossier,
    typed: Mapping[str, str] | None = None,
    errors: dict[str, Problem] | None = None,
) -> list[FieldView]:
    """The same inputs as the online form (dates in three boxes, choices as labelled radios,
    addresses as lists of provinces and communes), filled with what was typed or else the
    current answer, so a correction starts from what the centre has."""
    asked = lookup.asked_answers(dossier)
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


@bp.route("/tra-cuu/xa")
def communes() -> str:
    """The communes of a province, as <option>s, when an address's province changes (htmx)."""
    return commune_options()


def dossier_key() -> str:
    raw = path_code()
    return f"upload-dossier:{normalize_dossier_code(raw) or raw}"


@bp.route("/tra-cuu/<code>/tep", methods=["POST"])
@private
@limiter.limit(UPLOADS_PER_ADDRESS, on_breach=throttled)
@limiter.limit(UPLOADS_PER_DRAFT, key_func=dossier_key, on_breach=throttled)
def supplement_file(code: str) -> Any:
    """One more photo or PDF for an item asked for; checked like any upload."""
    dossier, key = asked_paper(code)
    received = read_uploads(10, sum(f.size for f in dossier.files))
    outcome = lookup.add_papers(dossier, key, received.files)
    problem = outcome.problems.get(key) or received.problem
    if problem is not None or request.headers.get("X-Upload") == "1":
        return paper_answer(dossier, key, problem, 422 if problem else 200)
    return redirect(url_for("lookup.index", ma=dossier.code) + f"#{key}-slot", 303)


def asked_paper(code: str) -> tuple[Dossier, str]:
    """The dossier and the paper (?o=) a file is sent for; 404 unless that paper is asked for."""
    dossier = verified_dossier(code)
    key = request.args.get("o", "")
    # Only papers asked for: a file sent for an answer (a date, a name) would never be read.
    if not dossier.awaits_supplement or key not in lookup.paper_keys(dossier):
        abort(404)
    return dossier, key


def paper_answer(dossier: Dossier, key: str, problem: Problem | None, status: int) -> Any:
    """The paper's block (site.js replaces just it) or the whole page, with the problem by it."""
    problems = {key: problem} if problem else {}
    if request.headers.get("X-Upload") == "1":
        paper = next(p for p in lookup.papers(dossier) if p.key == key)
        return render_template(
            "lookup/_slot.html", dossier=dossier, paper=paper, problems=problems
        ), status
    return render_status(dossier, status, problems=problems)


@bp.errorhandler(UploadsThrottled)
def uploads_throttled(error: UploadsThrottled) -> Any:
    """Too many uploads: the page again, with when to try next by the paper; nothing is lost."""
    dossier = lookup.find(normalize_dossier_code(path_code()))
    key = request.args.get("o", "")
    if (
        dossier is None
        or not verified(dossier)
        or not dossier.awaits_supplement
        or key not in lookup.paper_keys(dossier)
    ):
        return render_template("errors/error.html", code=429), 429
    body, status = paper_answer(dossier, key, error.problem, 429)
    return body, status, {"Retry-After": str(error.minutes * 60)}


@bp.route("/tra-cuu/<code>/bo-sung", methods=["POST"])
@private
def supplement(code: str) -> Any:
    """Send what was asked for; the dossier goes back to the centre and the clock restarts."""
    dossier = verified_dossier(code)
    if not dossier.awaits_supplement:
        return redirect(url_for("lookup.index", ma=dossier.code), 303)
    if request.form.get("hanh-dong", "").startswith("tinh:"):
        # "Show this province's communes", for browsers without JavaScript: nothing is sent.
        return render_status(dossier, typed=request.form)
    outcome = lookup.answer_supplement(dossier, request.form)
    if outcome.changed_meanwhile:
        return render_status(
            verified_dossier(code), 409, typed=request.form, problems=outcome.problems
        )
    if not outcome.done:
        return render_status(dossier, 422, typed=request.form, problems=outcome.problems)
    return redirect(url_for("lookup.index", ma=dossier.code), 303)


@outage.reshows("lookup.supplement")
def supplement_unavailable() -> tuple[str, int]:
    """The database is busy: the corrections again as typed (papers already sent are kept)."""
    dossier = verified_dossier(path_code())
    return render_status(dossier, 503, typed=request.form, unavailable="supplement")


# --- Withdrawing and rating --------------------------------------------------------------------


def render_withdraw(
    dossier: Dossier,
    status: int = 200,
    reason: str = "",
    problems: Mapping[str, Problem] | None = None,
) -> tuple[str, int]:
    problems = problems or {}
    return render_template(
        "lookup/withdraw.html",
        dossier=dossier,
        reason=reason,
        problems=problems,
        whole=problems.get(lookup.WHOLE),
    ), status


@bp.route("/tra-cuu/<code>/rut", methods=["GET", "POST"])
@private
def withdraw(code: str) -> Any:
    """Withdraw the dossier, after a second look."""
    dossier = verified_dossier(code)
    if not dossier.can_withdraw:
        return redirect(url_for("lookup.index", ma=dossier.code), 303)
    if request.method == "GET":
        return render_withdraw(dossier)
    reason = validators.collapse(request.form.get("reason", ""))[:500]
    outcome = lookup.withdraw(dossier, reason, request.form.get("confirm") == "co")
    if outcome.changed_meanwhile:
        fresh = verified_dossier(code)
        if fresh.can_withdraw:
            return render_withdraw(fresh, 409, reason, outcome.problems)
        return render_status(fresh, 409, problems=outcome.problems)
    if not outcome.done:
        return render_withdraw(dossier, 422, reason, outcome.problems)
    return redirect(url_for("lookup.index", ma=dossier.code), 303)


@bp.route("/tra-cuu/<code>/danh-gia", methods=["POST"])
@private
def rate(code: str) -> Any:
    """How satisfied the person was: once per dossier, once the result is returned."""
    dossier = verified_dossier(code)
    if not dossier.can_rate:
        return redirect(url_for("lookup.index", ma=dossier.code), 303)
    comment = validators.collapse(request.form.get("comment", ""))[:1000]
    outcome = lookup.rate(dossier, request.form.get("value", ""), comment)
    if not outcome.done:
        return render_status(dossier, 422, typed=request.form, problems=outcome.problems)
    return redirect(url_for("lookup.index", ma=dossier.code) + "#danh-gia", 303)
