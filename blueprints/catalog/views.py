"""Catalogue pages: home, search, procedure detail, printable checklist."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy.orm import selectinload

from blueprints import centre_choice
from blueprints.fragments import fragment
from blueprints.fragments import slot
from blueprints.htmx import render_page
from blueprints.page_cache import cached_page
from blueprints.qr import qr_svg
from domain import procedures as rules
from domain.channels import Channel
from domain.paging import Paging
from domain.paging import page_number
from domain.search import clean_query
from domain.search import word_pieces
from extensions import db
from models import Procedure
from models import ProcedureChannel
from services import catalog_index
from services.forms import accepts_online
from services.forms import has_form

bp = Blueprint("catalog", __name__)

POPULAR_ON_HOME = 8
# How much of an official document list (no plain guide) the one-page A4 checklist holds, in
# characters at its 10 pt print size in two columns beside the QR code; measured with the
# longest lists in the catalogue (tests/browser/test_print.py prints them all).
CHECKLIST_ROOM = 2000
CHECKLIST_LONGEST_ITEM = 260
CHECKLIST_PER_ITEM = 60
# A list longer than this prints in two columns.
CHECKLIST_TWO_COLUMNS = 700


@dataclass(frozen=True)
class ChannelInfo:
    channel: str
    limits: list[rules.TimeLimit]
    fees: list[rules.Fee]
    description: str


# The name's place in a pre-rendered result line; a control character no name holds.
NAME_SLOT = "\x00"
# Lines kept: every commune procedure in both languages, and the national ones people find.
LINES_KEPT = 4096


@dataclass(frozen=True, slots=True)
class ResultLine:
    """A search result's line, rendered once: the markup around its name, and the name's words."""

    # The line cut at its name's words: markup before the name, then the name's escaped
    # pieces, then the markup after it; a search wraps only the matched words in <mark>.
    parts: tuple[str, ...]
    places: dict[str, tuple[int, ...]]  # folded word -> where it stands in parts

    def marked(self, wanted: frozenset[str]) -> Markup:
        """The line with the name's matched words in <mark>."""
        parts = list(self.parts)
        for word in wanted:
            for place in self.places.get(word, ()):
                parts[place] = f"<mark>{parts[place]}</mark>"
        return Markup("".join(parts))


@lru_cache(maxsize=LINES_KEPT)
def _result_line(listed: catalog_index.Listed, locale: str, script_root: str) -> ResultLine:
    # Keyed by the row itself: a catalogue change makes new rows and the old lines age out.
    template = current_app.jinja_env.get_template("catalog/_result.html")
    html = template.render(url=detail_url(listed.code), name=NAME_SLOT, procedure=listed)
    before, after = html.split(NAME_SLOT)
    parts = [before]
    places: dict[str, list[int]] = {}
    for piece, folded in word_pieces(listed.name_in(locale)):
        if folded is not None:
            places.setdefault(folded, []).append(len(parts))
        parts.append(str(escape(piece)))
    parts.append(after)
    return ResultLine(tuple(parts), {word: tuple(at) for word, at in places.items()})


def result_line(listed: catalog_index.Listed, locale: str) -> ResultLine:
    """The result line of a procedure in a language (its words rendered once, not per search)."""
    return _result_line(listed, locale, request.script_root)


@lru_cache(maxsize=2048)
def _detail_url(script_root: str, code: str) -> str:
    return url_for("catalog.detail", code=code)


def detail_url(code: str) -> str:
    """url_for('catalog.detail', code=code), built once per code: 20 a page were 5 % of it."""
    return _detail_url(request.script_root, code)


@lru_cache(maxsize=4)
def _option_tags(fields: tuple[tuple[str, str], ...]) -> tuple[tuple[str, Markup, Markup], ...]:
    plain = Markup('<option value="{}">{}</option>')
    chosen = Markup('<option value="{}" selected>{}</option>')
    return tuple(
        (slug, plain.format(slug, name), chosen.format(slug, name)) for slug, name in fields
    )


def field_options(fields: tuple[tuple[str, str], ...], selected: str) -> Markup:
    """The field filter's <option>s, the chosen one selected.

    Written in Python and escaped once per catalogue: as a template loop, the 86 fields of
    a commune were the largest part of rendering a search page.
    """
    return Markup(
        "".join(
            tag if slug != selected else chosen_tag
            for slug, tag, chosen_tag in _option_tags(fields)
        )
    )


@bp.app_template_global()
@pass_context
def search_form(
    context: Context, live: bool = False, filters: bool = False, autofocus: bool = False
) -> Markup:
    """The catalogue's search form, kept per language and filters; the typed words filled in."""
    online_only, nationwide = bool(context.get("online_only")), bool(context.get("nationwide"))
    has_national = bool(context.get("has_national"))
    return fragment(
        "catalog/_search_form.html",
        (live, filters, autofocus, online_only, nationwide, has_national),
        fill={"query": context.get("query", ""), "fields": context.get("field_options", "")},
        live=live,
        filters=filters,
        autofocus=autofocus,
        online_only=online_only,
        nationwide=nationwide,
        has_national=has_national,
        query=slot("query"),
        field_options=slot("fields"),
    )


def popular(limit: int) -> list[Procedure]:
    return list(
        db.session.scalars(
            sa.select(Procedure)
            .where(Procedure.popularity.is_not(None), Procedure.published.is_(True))
            .order_by(Procedure.popularity, Procedure.code)
            .limit(limit)
        )
    )


def channel_info(proc: Procedure, channel: ProcedureChannel) -> ChannelInfo:
    cases = [rules.TimeLimit(c.time_qty or 0, c.time_unit, c.code) for c in proc.cases]
    return ChannelInfo(
        channel=channel.channel,
        limits=rules.time_limits(channel.time_qty, channel.time_unit, cases),
        fees=rules.fees(channel.fees),
        description=channel.description,
    )


def procedure_or_404(code: str) -> Procedure:
    proc = db.session.get(
        Procedure,
        code,
        options=[
            selectinload(Procedure.channels),
            selectinload(Procedure.cases),
            selectinload(Procedure.documents),
        ],
    )
    if proc is None:
        abort(404)
    return proc


@bp.route("/")
@cached_page
def home() -> str:
    """Home: search box, most used procedures, status lookup box."""
    return render_template("catalog/home.html", popular=popular(POPULAR_ON_HOME))


@bp.route("/thu-tuc")
@cached_page
def index() -> str:
    """The catalogue: search as you type, filter by field and by fully-online, page through."""
    max_length = current_app.config["MAX_QUERY_LENGTH"]
    query = clean_query(request.args.get("q", ""), max_length)
    field_slug = request.args.get("linh-vuc", "")[:200]
    online_only = request.args.get("truc-tuyen") == "1"
    nationwide = request.args.get("pham-vi") == "toan-quoc"
    page = page_number(request.args.get("trang"))
    size = current_app.config["CATALOG_PAGE_SIZE"]

    facets = set()
    if field_slug:
        facets.add(f"field:{field_slug}")
    if online_only:
        facets.add("online")
    if not nationwide:
        facets.add("local")

    snapshot = catalog_index.current()
    search_index = snapshot.index
    found = None
    if query.strip():
        found = search_index.search(query, facets, max_length=max_length)
        keys = found.keys
    else:
        keys = search_index.browse(facets)
    total = len(keys)
    pages = Paging(page, size, total).pages
    page = min(page, pages)
    page_keys = keys[(page - 1) * size : page * size]
    rows = snapshot.listed
    locale = str(get_locale())
    results = [
        result_line(rows[k], locale).marked(found.words(k) if found else frozenset())
        for k in page_keys
        if k in rows
    ]
    return render_page(
        "catalog/index.html",
        "catalog/_results.html",
        query=query,
        field_slug=field_slug,
        online_only=online_only,
        nationwide=nationwide,
        has_national=snapshot.has_national,
        field_options=field_options(snapshot.fields, field_slug),
        results=results,
        total=total,
        page=page,
        pages=pages,
        suggestions=popular(5) if query.strip() and not total else [],
    )


@bp.route("/thu-tuc/<procedure:code>")
@cached_page
def detail(code: str) -> str:
    """A procedure: the plain guide first, then the official text."""
    proc = procedure_or_404(code)
    return render_template(
        "catalog/detail.html",
        proc=proc,
        guide=proc.guide_in(str(get_locale())),
        online_form=accepts_online(proc),
        paused=proc.is_local and has_form(proc.code) and not accepts_online(proc),
        channels=[channel_info(proc, c) for c in proc.channels],
        cases=[(c, rules.TimeLimit(c.time_qty or 0, c.time_unit, c.code)) for c in proc.cases],
        documents={
            group: [d for d in proc.documents if d.group == group]
            for group in ("submit", "present", "note")
        },
    )


@bp.route("/thu-tuc/<procedure:code>/in")
@cached_page
def checklist(code: str) -> str:
    """A one-page A4 checklist with a QR code to the detail page, for outreach teams."""
    proc = procedure_or_404(code)
    # The chosen centre's address: the QR code brings the reader back to the same centre.
    url = centre_choice.current().procedure_address(proc.code)
    cases = [rules.TimeLimit(c.time_qty or 0, c.time_unit, c.code) for c in proc.cases]
    limits = []
    for channel in proc.channels:
        if channel.channel == Channel.DIRECT.name:
            limits = rules.time_limits(channel.time_qty, channel.time_unit, cases)
    guide = proc.guide_in(str(get_locale()))
    # The plain guide, written to be short, prints whole; the official list only when there
    # is no guide, and then only as much of it as fits.
    documents = []
    if not guide:
        documents = [d for d in proc.documents if d.group == "submit"]
        documents += [d for d in proc.documents if d.group == "present"]
    printed = rules.fit_for_print(
        [d.name for d in documents], CHECKLIST_ROOM, CHECKLIST_LONGEST_ITEM, CHECKLIST_PER_ITEM
    )
    if guide:
        length = sum(len(i["item"]) + len(i.get("note") or "") for i in guide["bring"])
        length += sum(len(i) for i in guide.get("show", []))
    else:
        length = sum(len(text) for text in printed.texts)
    return render_template(
        "print/checklist.html",
        proc=proc,
        guide=guide,
        url=url,
        qr=qr_svg(url, _("Mã QR mở trang thủ tục này")),
        limits=limits,
        documents=list(zip(documents, printed.texts, strict=False)),
        left_out=printed.left_out,
        shortened=printed.shortened,
        two_columns=length > CHECKLIST_TWO_COLUMNS,
    )
