"""What every page shares: language, the deployment's name, headers, error pages."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any
from urllib.parse import quote
from urllib.parse import urlencode

from babel import Locale
from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import get_locale
from flask_babel import get_translations
from flask_babel import gettext as _
from jinja2.ext import _make_new_gettext
from jinja2.ext import _make_new_ngettext
from markupsafe import Markup
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import SecurityError

from blueprints import centre_choice
from blueprints import outage
from blueprints.assets import asset_url
from blueprints.compression import compress_error_pages
from blueprints.fragments import fragment
from blueprints.fragments import slot
from blueprints.private import no_store
from domain import formatting
from domain.search import clean_query
from extensions import db
from services.links import public_url

bp = Blueprint("site", __name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def select_locale() -> str:
    """The language chosen with ?lang= (kept in the session), else Vietnamese.

    The browser's Accept-Language is not used on purpose: many phones here run an English
    system language while their owners read Vietnamese.
    """
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.before_app_request
def remember_language() -> None:
    if b"lang=" not in request.query_string:
        return  # most requests: no need to parse the query for it
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"] and session.get("lang") != lang:
        session["lang"] = lang


def language_url(lang: str) -> str:
    """The current page in another language (the header's language link)."""
    args = request.args.to_dict()
    if "q" in args:
        # The search query as the page shows it, not the raw one: a 2,000-character query
        # would otherwise ride along in every language link.
        args["q"] = clean_query(args["q"], current_app.config["MAX_QUERY_LENGTH"])
    args["lang"] = lang
    if request.endpoint and request.url_rule is not None:
        # The path the page was asked by, not one built again with url_for: the same
        # address, at a tenth of the cost on a page that is mostly cached parts.
        return f"{request.script_root}{quote(request.path)}?{urlencode(args)}"
    return url_for("catalog.home", lang=lang)


# Each language named in itself: a reader looks for their own language's name. Written out
# for the portal's own languages: Babel's locale data, loaded for these two names alone, held
# 7 MB in every worker. Another language configured gets its name from Babel.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


@cache
def _language_names(languages: tuple[str, ...]) -> dict[str, str]:
    return {
        lang: LANGUAGE_NAMES.get(lang) or Locale.parse(lang).get_display_name(lang)
        for lang in languages
    }


@bp.app_context_processor
def inject_site() -> dict[str, Any]:
    # This render's translations, found once: Flask-Babel's gettext looks them up anew for
    # every string (its request state three times over), a fifth of a search page's cost.
    # Wrapped as Jinja wraps Flask-Babel's own (autoescaped, %-formatted); macros imported
    # without context still use those, with the same result.
    translations = get_translations()
    return {
        "gettext": _make_new_gettext(translations.ugettext),
        "ngettext": _make_new_ngettext(translations.ungettext),
        "site": centre_choice.current(),
        "province_header": centre_choice.staff_province(),
        "locale": str(get_locale()),
        "asset_url": asset_url,
        "page_header": page_header,
        "page_footer": page_footer,
    }


def menu_item() -> str | None:
    """Which item of the main menu the page belongs to, if any."""
    endpoint = request.endpoint or ""
    if endpoint.startswith("catalog.") and endpoint != "catalog.home":
        return "catalog"
    if endpoint.startswith("lookup."):
        return "lookup"
    return "resume" if endpoint == "apply.resume" else None


def page_header() -> Markup:
    """The skip link and header of every page, kept per centre, language and menu item."""
    site = centre_choice.current()
    locale = str(get_locale())
    names = _language_names(tuple(current_app.config["LANGUAGES"]))
    others = [lang for lang in names if lang != locale]
    province = centre_choice.staff_province()
    current = menu_item()
    return fragment(
        "_header.html",
        (tuple(names), site.unit_name, site.province_name, current, province),
        fill={f"lang-{lang}": language_url(lang) for lang in others},
        site=site,
        province_header=province,
        locale=locale,
        language_names=names,
        language_href={lang: slot(f"lang-{lang}") for lang in others},
        current=current,
    )


def page_footer() -> Markup:
    """The footer of every page, kept per centre, language and choice (template global)."""
    # The same bytes for every visitor of a centre; rendering it each time (hours, three
    # links, seven strings) was a tenth of an uncached search page.
    site = centre_choice.current()
    chosen = centre_choice.chosen() is not None
    province = centre_choice.staff_province()
    key = (chosen, site.unit_code, site.unit_name, site.name, site.address, site.phone, province)
    return fragment(
        "_footer.html",
        (*key, tuple(site.hours)),
        site=site,
        centre_chosen=chosen,
        province_header=province,
    )


# When the accessibility statement was last checked against the pages; change with it.
ACCESSIBILITY_REVIEWED = date(2026, 11, 28)


@bp.route("/quyen-rieng-tu")
def privacy() -> str:
    """What personal data the portal keeps, why, who sees it and for how long."""
    return render_template("site/privacy.html", draft_days=current_app.config["DRAFT_DAYS"])


@bp.route("/tiep-can")
def accessibility() -> str:
    """The accessibility statement: what works, what does not yet, whom to call."""
    return render_template("site/accessibility.html", reviewed=ACCESSIBILITY_REVIEWED)


SECURITY_HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "geolocation=(), microphone=(), camera=()"),
]


def security_headers(hsts: str) -> list[tuple[str, str]]:
    """The headers every answer carries (edge.SecurityHeaders adds them), HSTS where set."""
    return [*SECURITY_HEADERS, *([("Strict-Transport-Security", hsts)] if hsts else [])]


@bp.after_app_request
def vary_on_htmx(response: Response) -> Response:
    if request.endpoint != "assets.static" and "HX-Request" not in response.headers.get("Vary", ""):
        # Pages differ between a full load and an htmx fragment; caches must keep both.
        response.vary.add("HX-Request")
    return response


def render_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    template = "errors/404.html" if code == 404 else "errors/error.html"
    return render_template(template, error=error, code=code), code


def render_server_error(_error: Exception) -> tuple[str, int]:
    db.session.rollback()
    return render_template("errors/500.html", code=500), 500


def render_bad_host(_error: SecurityError) -> tuple[str, int, dict[str, str]]:
    """A request for another Host than the portal's: a plain page, its address in words."""
    # No layout: there is no URL adapter for an untrusted Host, and any link would go to it.
    address = escape(current_app.config["PUBLIC_URL"])
    # Outside the f-string, where pybabel finds the words to translate.
    title = escape(_("Địa chỉ không đúng"))
    only_at = escape(_("Cổng dịch vụ công chỉ mở tại địa chỉ:"))
    page = (
        f'<!doctype html><html lang="{get_locale()}"><meta charset="utf-8">'
        f"<title>{title}</title><h1>{title}</h1><p>{only_at} {address}</p></html>"
    )
    return page, 400, {"Content-Type": "text/html; charset=utf-8"}


def register_site(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(compress_error_pages)
    app.after_request(no_store)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(SecurityError, render_bad_host)
    app.register_error_handler(500, render_server_error)
    for unavailable in outage.UNAVAILABLE:
        app.register_error_handler(unavailable, outage.database_unavailable)
    app.jinja_env.filters["money"] = formatting.money
    app.jinja_env.filters["day"] = formatting.day
    app.jinja_env.filters["moment"] = formatting.moment
    app.jinja_env.filters["local_date"] = formatting.local_date
    app.jinja_env.filters["isodate"] = date.fromisoformat
    app.jinja_env.globals["public_url"] = public_url
