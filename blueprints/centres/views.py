"""Centre pages: /xa (choose), /xa/<unit code> and /xa/<name>, QR links that remember one."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from blueprints import centre_choice
from blueprints.htmx import render_page
from domain.search import clean_query
from extensions import db
from models import Procedure
from services import centres
from services.centres import Centre

bp = Blueprint("centres", __name__)


@bp.app_template_global()
def centre_of(unit_code: int) -> Centre:
    """A dossier's own centre, for the pages that speak of it (not the one a person chose)."""
    return centres.find(unit_code) or centres.default_centre()


def centre_or_404(unit: int) -> Centre:
    found = centres.find(unit)
    if found is None:  # unknown, or a commune of another province
        abort(404)
    return found


def show(centre: Centre) -> Response:
    """The centre's page; arriving here makes it the person's centre."""
    # Chosen before the page is drawn: its own header and footer already name this centre.
    centre_choice.use(centre)
    response = make_response(render_template("centres/centre.html", centre=centre))
    centre_choice.remember(response, centre)
    # Never served to someone else from a cache: it carries the cookie that chooses.
    response.headers["Cache-Control"] = "no-cache, private"
    return response


BACK = "tiep"  # the page to return to once the choice is forgotten


def same_site_path(raw: str) -> str:
    """A path of this portal (with its query) to go back to; "" for anything else.

    From a form field or the Referer: another site's address, a scheme-relative "//host" or a
    backslash (read as a slash by some browsers) would send the person away, so none is kept.
    """
    raw = raw[:500]
    if not raw.isprintable():
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", request.host):
        return ""
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return ""
    if path == url_for("centres.choose"):  # the chooser itself: no page to return to
        return ""
    return f"{path}?{parts.query}" if parts.query else path


@bp.route("/xa")
def choose() -> Response:
    """Every centre of the province, with a search box typed with or without accents."""
    query = clean_query(request.args.get("q", ""), current_app.config["MAX_QUERY_LENGTH"])
    found = centres.search(query)
    # Where the person came from: the footer's link is the same on every page (cached), so
    # the browser's Referer says which (same-origin only, by the Referrer-Policy).
    back = same_site_path(request.args.get(BACK, "")) or same_site_path(request.referrer or "")
    response = make_response(
        render_page(
            "centres/choose.html",
            "centres/_list.html",
            query=query,
            found=found,
            total=len(centres.province_centres()),
            chosen=centre_choice.chosen(),
            back=back,
        )
    )
    # It names the person's choice and carries their form token: never another's from a cache.
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@bp.route("/xa/bo-chon", methods=["POST"])
def forget() -> Response:
    """Forget the centre this browser chose, and go back to the page the person was on."""
    response = redirect(
        same_site_path(request.form.get(BACK, "")) or url_for("centres.choose"), 303
    )
    centre_choice.forget(response)
    return response


@bp.route("/xa/<int:unit>")
def centre(unit: int) -> Response:
    """A commune's centre: its address, hours and phone; it becomes the person's centre."""
    return show(centre_or_404(unit))


@bp.route("/xa/<string:name>")
def centre_by_name(name: str) -> Response | str | tuple[str, int]:
    """/xa/thanh-ba: the same page by the commune's name, or a choice if several share it."""
    found = centres.by_slug(name.lower()[:80])
    if not found:
        abort(404)
    if len(found) == 1:
        return show(found[0])
    # Two communes of the province may share a name (a xã and a phường): the person picks.
    return render_template("centres/same_name.html", found=found, name=name)


@bp.route("/xa/<int:unit>/thu-tuc/<procedure:code>")
def procedure(unit: int, code: str) -> Response:
    """A printed QR code's link: remember the centre, then open the procedure's page."""
    found = centre_or_404(unit)
    if db.session.get(Procedure, code) is None:
        abort(404)
    response = redirect(url_for("catalog.detail", code=code))
    centre_choice.remember(response, found)
    return response
