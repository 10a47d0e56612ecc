"""The province's pages: the figures of every unit and of the province, on screen and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from flask import Response
from flask import render_template
from flask import request
from flask_babel import gettext as _

from blueprints.backoffice.access import PROVINCE
from blueprints.backoffice.access import roles
from blueprints.backoffice.views import bp
from domain import figures as rules
from domain.figures import Figures
from domain.figures import Period
from domain.figures import UnitRow
from services import figures as figures_service
from services.staff import province_units
from services.workflow import local_today


@dataclass
class Report:
    period: Period
    bad_period: bool  # the URL named no month or quarter: this month is shown instead
    rows: list[UnitRow]
    total: Figures
    column: str
    descending: bool


def period_name(period: Period) -> str:
    if period.quarter is not None:
        return _("Quý %(quarter)s/%(year)s", quarter=period.roman_quarter, year=period.year)
    return _("Tháng %(month)s/%(year)s", month=f"{period.month:02d}", year=period.year)


def read_report() -> Report:
    """The period and order the request asks for, and the figures of every unit."""
    today = local_today()
    raw = request.args.get("ky")
    period = rules.parse_period(raw)
    bad = bool(raw) and period is None
    period = period or rules.month_of(today)
    column = request.args.get("sap-xep", "")
    if column not in rules.COLUMNS:
        column = rules.DEFAULT_COLUMN
    descending = request.args.get("chieu") == "giam"
    units = province_units()
    codes = [unit.code for unit in units]
    counted = figures_service.figures_by_unit(codes, period.start, period.end, today)
    rows = [UnitRow(unit.code, unit.name, counted[unit.code]) for unit in units]
    # Every dossier counts for one unit of the province: the total is the units' sum, not a
    # second pass over a month of the province's dossiers.
    total = rules.summed(counted.values())
    return Report(
        period, bad, rules.sorted_rows(rows, column, descending), total, column, descending
    )


def sort_link(report: Report, column: str) -> dict[str, str]:
    """The query of a column heading's link: this column, the other way if sorted by it."""
    same = column == report.column
    descending = not report.descending if same else rules.first_direction(column)
    return {"ky": report.period.key, "sap-xep": column, "chieu": "giam" if descending else "tang"}


@bp.route("/tinh/thong-ke")
@roles(*PROVINCE)
def province_figures() -> Any:
    """Every unit's figures and the province's, for a month or a quarter, sortable."""
    report = read_report()
    months, quarters = rules.recent_periods(local_today())
    return render_template(
        "backoffice/province_figures.html",
        report=report,
        months=months,
        quarters=quarters,
        period_name=period_name,
        sort_link=sort_link,
    )


def share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


@bp.route("/tinh/thong-ke.csv")
@roles(*PROVINCE)
def province_figures_csv() -> Response:
    """The same table as a CSV file, for a spreadsheet."""
    report = read_report()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Mã đơn vị"),
            _("Đơn vị"),
            _("Hồ sơ tiếp nhận"),
            _("Nộp trực tuyến"),
            _("Tỷ lệ trực tuyến (%)"),
            _("Đã có kết quả"),
            _("Trước hạn"),
            _("Đúng hạn"),
            _("Quá hạn"),
            _("Tỷ lệ trước hạn và đúng hạn (%)"),
            _("Đang quá hạn"),
            _("Lượt đánh giá"),
            _("Hài lòng và rất hài lòng"),
            _("Tỷ lệ hài lòng (%)"),
        ]
    )
    lines = [(f"{row.code:05d}", row.name, row.figures) for row in report.rows]
    for code, name, counted in [*lines, ("", _("Toàn tỉnh"), report.total)]:
        writer.writerow(
            [
                code,
                name,
                counted.received,
                counted.online,
                share(counted.online_share),
                counted.finished,
                counted.early,
                counted.on_time,
                counted.late,
                share(counted.on_time_share),
                counted.open_late,
                counted.rated,
                counted.satisfied,
                share(counted.satisfied_share),
            ]
        )
    # Excel reads a CSV file without a byte order mark in the computer's legacy code page
    # (Windows-1258 or 1252 on Vietnamese office PCs) and garbles every accented letter; the
    # BOM tells it the file is UTF-8. Other spreadsheets and csv readers skip it.
    body = "\ufeff" + out.getvalue()
    name = f"thong-ke-{report.period.key}.csv"
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
