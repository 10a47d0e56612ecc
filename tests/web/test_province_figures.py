"""The province's figures: every unit and the province, counted as the commune's page counts."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from domain.calendar import LOCAL
from domain.calendar import lateness_class
from domain.calendar import on_time_class
from domain.channels import Channel
from domain.figures import Figures
from domain.figures import UnitRow
from domain.figures import parse_period
from domain.figures import sorted_rows
from domain.figures import summed
from domain.workflow import Status
from extensions import db
from models import Dossier
from models import DossierRating
from services.figures import days_after
from services.figures import figures_by_unit
from services.figures import on_time_figures
from services.figures import province_total
from services.staff import province_units
from services.workflow import local_today
from tests.pages import check_page
from tests.pages import parse
from tests.staff import staff_client

YEN_THUY, LAC_LUONG, YEN_TRI = 5353, 5362, 5386  # three communes of Phú Thọ; the third is idle
_numbers = iter(range(1, 10_000))


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=LOCAL)


def dossier(unit: int, status: Status, received: str, channel: Channel, **fields) -> Dossier:
    row = Dossier(
        code=f"{unit:05d}-250301-{next(_numbers):04d}",
        unit_code=unit,
        procedure_code="1.001193",
        status=status,
        channel=channel,
        received_at=at(*received.split()),
        **fields,
    )
    db.session.add(row)
    return row


def rate(row: Dossier, value: str, day: str) -> None:
    db.session.flush()
    db.session.add(DossierRating(dossier_id=row.id, value=value, created_at=at(day)))


def seed(app: Flask) -> None:
    """Dossiers whose figures are counted by hand in the tests below (March and Q1 2025)."""
    on, by_hand = Channel.ONLINE, Channel.DIRECT
    with app.app_context():
        # Xã Yên Thủy
        early = dossier(
            YEN_THUY, Status.RETURNED, "2025-03-03", on,
            due_date=date(2025, 3, 10), finished_at=at("2025-03-07"),
        )  # fmt: skip
        rate(early, "hai_long", "2025-03-08")
        # Finished at 23:30 on the due day, local time: on time (in UTC it is still that day).
        dossier(
            YEN_THUY, Status.FINISHED, "2025-03-04", by_hand,
            due_date=date(2025, 3, 5), finished_at=at("2025-03-05", "23:30"),
        )  # fmt: skip
        # An apology promised 20/3; the law's day was 6/3: late, though before the new date.
        dossier(
            YEN_THUY, Status.FINISHED, "2025-03-05", on, due_date=date(2025, 3, 20),
            original_due_date=date(2025, 3, 6), finished_at=at("2025-03-10"),
        )  # fmt: skip
        dossier(YEN_THUY, Status.PROCESSING, "2025-03-06", on, due_date=date(2025, 3, 7))
        # Received in February; finished at 00:30 on 1/3 local time (still 28/2 in UTC):
        # a March result, one day late.
        dossier(
            YEN_THUY, Status.RETURNED, "2025-02-10", by_hand,
            due_date=date(2025, 2, 28), finished_at=at("2025-03-01", "00:30"),
        )  # fmt: skip
        # Xã Lạc Lương
        on_time = dossier(
            LAC_LUONG, Status.RETURNED, "2025-03-10", on,
            due_date=date(2025, 3, 12), finished_at=at("2025-03-12"),
        )  # fmt: skip
        rate(on_time, "khong_hai_long", "2025-03-13")
        # Waiting for a supplement: the clock stops, it is not overdue.
        dossier(LAC_LUONG, Status.SUPPLEMENT, "2025-03-31 23:00", on, due_date=date(2025, 4, 1))
        # 00:10 on 1/4 local time (31/3 in UTC): an April dossier; still running, overdue.
        dossier(LAC_LUONG, Status.RECEIVED, "2025-04-01 00:10", by_hand, due_date=date(2025, 4, 10))
        january = dossier(
            LAC_LUONG, Status.RETURNED, "2025-01-15", by_hand,
            due_date=date(2025, 1, 25), finished_at=at("2025-01-20"),
        )  # fmt: skip
        rate(january, "rat_hai_long", "2025-03-02")  # rated in March
        db.session.commit()


def counted(figures: Figures) -> tuple:
    return (
        figures.received, figures.online, figures.finished, figures.early, figures.on_time,
        figures.late, figures.open_late, figures.ratings,
    )  # fmt: skip


MARCH = {
    YEN_THUY: (4, 3, 4, 1, 1, 2, 1, {"hai_long": 1}),
    LAC_LUONG: (2, 2, 1, 0, 1, 0, 1, {"khong_hai_long": 1, "rat_hai_long": 1}),
    YEN_TRI: (0, 0, 0, 0, 0, 0, 0, {}),
}
QUARTER_ONE = {
    YEN_THUY: (5, 3, 4, 1, 1, 2, 1, {"hai_long": 1}),
    LAC_LUONG: (3, 2, 2, 1, 1, 0, 1, {"khong_hai_long": 1, "rat_hai_long": 1}),
}


@pytest.mark.parametrize(("key", "expected"), [("2025-03", MARCH), ("2025-q1", QUARTER_ONE)])
def test_figures_of_each_unit_match_a_hand_count(app: Flask, key: str, expected: dict) -> None:
    seed(app)
    period = parse_period(key)
    assert period is not None
    with app.app_context():
        found = figures_by_unit(list(expected), period.start, period.end, local_today())
    assert {unit: counted(found[unit]) for unit in expected} == expected


def test_the_province_total_is_the_sum_of_its_units(app: Flask) -> None:
    seed(app)
    period = parse_period("2025-03")
    assert period is not None
    with app.app_context():
        codes = [unit.code for unit in province_units()]
        assert len(codes) == 148
        units = figures_by_unit(codes, period.start, period.end, local_today())
        total = province_total(codes, period.start, period.end, local_today())
    assert counted(total) == counted(summed(units.values()))
    assert counted(total)[:7] == (6, 5, 5, 1, 2, 2, 2)  # and the seeded dossiers are all in it
    assert total.ratings == {"hai_long": 1, "khong_hai_long": 1, "rat_hai_long": 1}


def test_the_database_counts_the_days_after_due_as_python_does(app: Flask) -> None:
    """The figures class results from days the database counts: at every hour of the local
    day, on the edges of midnight in Việt Nam and in UTC, it agrees with on_time_class."""
    clocks = ["00:00", "00:00:01", "06:59:59", "07:00", "12:00", "16:59:59.999999", "23:59:59"]
    moments = [at(day, clock) for day in ("2025-03-05", "2025-03-06") for clock in clocks]
    dues = [date(2025, 3, day) for day in range(3, 9)]
    with app.app_context():
        for moment in moments:
            for due in dues:
                # As often after an apology: the later due date is not the one judged.
                dossier(
                    YEN_THUY, Status.RETURNED, "2025-03-03", Channel.ONLINE,
                    due_date=due + timedelta(days=9), original_due_date=due, finished_at=moment,
                )  # fmt: skip
        db.session.commit()
        legal = sa.func.coalesce(Dossier.original_due_date, Dossier.due_date)
        rows = db.session.execute(
            sa.select(Dossier.finished_at, legal, days_after(legal, Dossier.finished_at))
        ).all()
        found = on_time_figures(YEN_THUY, date(2025, 3, 1), date(2025, 3, 31))
    assert len(rows) == len(moments) * len(dues)
    for finished_at, due, days in rows:
        local_day = finished_at.astimezone(LOCAL).date()
        assert days == (local_day - due).days, (finished_at, due)
        assert lateness_class(days) == on_time_class(local_day, due)
    by_python = Counter(on_time_class(m.astimezone(LOCAL).date(), d) for m in moments for d in dues)
    assert (found.early, found.on_time, found.late) == (
        by_python["early"],
        by_python["on_time"],
        by_python["late"],
    )
    assert found.finished == len(rows) and min(by_python.values()) > 0


def table(page) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """(headings, cells by unit name, the total row's cells) of the province table."""
    headings = [th.get_text(strip=True).rstrip("↑↓ ") for th in page.select("thead th")]
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in page.select("tbody tr")
    }
    total = [td.get_text(strip=True) for td in page.select_one("tfoot tr").select("td")]
    return headings, rows, total


def test_the_province_page_shows_every_unit_and_the_total(app: Flask) -> None:
    seed(app)
    province = staff_client(app, "quan_tri_tinh")
    response = province.get("/can-bo/tinh/thong-ke", query_string={"ky": "2025-03"})
    assert response.status_code == 200
    page = parse(response)
    check_page(page)
    headings, rows, total = table(page)
    assert len(rows) == 148
    assert headings[:2] == ["Đơn vị", "Hồ sơ tiếp nhận"]
    assert rows["Xã Yên Thủy"] == ["4", "75.0%", "4", "1", "1", "2", "50.0%", "1", "1", "100.0%"]
    assert rows["Xã Lạc Lương"] == ["2", "100.0%", "1", "0", "1", "0", "100.0%", "1", "2", "50.0%"]
    assert rows["Xã Yên Trị"] == ["0", "–", "0", "0", "0", "0", "–", "0", "0", "–"]
    assert total[:2] == ["6", "83.3%"] and total[-2:] == ["3", "66.7%"]
    assert page.select_one("option[value='2025-03']").has_attr("selected")
    # The page a commune's own leader reads says the same of that commune.
    leader = staff_client(app, "lanh_dao", unit=YEN_THUY)
    own = parse(
        leader.get("/can-bo/thong-ke", query_string={"tu": "2025-03-01", "den": "2025-03-31"})
    )
    words = {r.th.get_text(): r.td.get_text() for r in own.select("table.figures tr")}
    assert (words["Hồ sơ tiếp nhận"], words["Trước hạn"], words["Quá hạn"]) == ("4", "1", "2")
    assert words["Tỷ lệ hồ sơ nộp trực tuyến"] == "75.0%"
    assert words["Đang giải quyết mà đã quá hạn"] == "1"


def test_columns_sort_by_links_that_work_without_javascript(app: Flask) -> None:
    seed(app)
    province = staff_client(app, "quan_tri_tinh")
    page = parse(province.get("/can-bo/tinh/thong-ke", query_string={"ky": "2025-03"}))
    names = list(table(page)[1])
    assert names == sorted(names, key=lambda n: __import__("domain.search").search.fold(n))
    link = page.select_one("thead th a[href*='sap-xep=tiep-nhan']")["href"]
    assert "chieu=giam" in link and "ky=2025-03" in link
    by_received = parse(province.get(link))
    th = by_received.select_one("thead th[aria-sort]")
    assert th["aria-sort"] == "descending" and "Hồ sơ tiếp nhận" in th.get_text()
    first = list(table(by_received)[1])[:3]
    assert first[:2] == ["Xã Yên Thủy", "Xã Lạc Lương"]
    # The same heading again turns the order round; units without a share always come last.
    again = by_received.select_one("thead th[aria-sort] a")["href"]
    assert "chieu=tang" in again
    by_satisfaction = parse(
        province.get("/can-bo/tinh/thong-ke?ky=2025-03&sap-xep=hai-long&chieu=tang")
    )
    order = list(table(by_satisfaction)[1])
    assert order[:2] == ["Xã Lạc Lương", "Xã Yên Thủy"]
    unknown = parse(province.get("/can-bo/tinh/thong-ke?ky=2025-03&sap-xep=hai-long&chieu=giam"))
    assert list(table(unknown)[1])[:2] == ["Xã Yên Thủy", "Xã Lạc Lương"]


def test_sorting_keeps_units_without_figures_last_either_way() -> None:
    rows = [
        UnitRow(1, "Xã Bình", Figures(received=2, online=1)),
        UnitRow(2, "Xã An", Figures()),
        UnitRow(3, "Xã Ấp", Figures(received=4, online=4)),
    ]
    assert [r.code for r in sorted_rows(rows, "truc-tuyen", descending=True)] == [3, 1, 2]
    assert [r.code for r in sorted_rows(rows, "truc-tuyen", descending=False)] == [1, 3, 2]
    assert [r.code for r in sorted_rows(rows, "don-vi", descending=False)] == [2, 3, 1]


def test_a_period_that_is_no_month_or_quarter_is_said_so(app: Flask) -> None:
    province = staff_client(app, "quan_tri_tinh")
    for raw in ("2025-13", "2025-q5", "tháng 3", "2025-03-01"):
        page = parse(province.get("/can-bo/tinh/thong-ke", query_string={"ky": raw}))
        assert "Kỳ thống kê chưa đúng" in page.select_one(".error-summary").get_text(), raw
    assert parse_period("2025-q4").end == date(2025, 12, 31)
    assert parse_period("2024-02").end == date(2024, 2, 29)


def test_the_csv_opens_in_excel_and_says_what_the_page_says(app: Flask) -> None:
    seed(app)
    province = staff_client(app, "quan_tri_tinh")
    response = province.get("/can-bo/tinh/thong-ke.csv", query_string={"ky": "2025-03"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "thong-ke-2025-03.csv" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM, for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Hồ sơ tiếp nhận"]
    assert len(rows) == 1 + 148 + 1
    by_code = {row[0]: row for row in rows[1:-1]}
    assert by_code["05353"][1:] == [
        "Xã Yên Thủy", "4", "3", "75.0", "4", "1", "1", "2", "50.0", "1", "1", "1", "100.0",
    ]  # fmt: skip
    assert by_code["05386"][2:] == ["0", "0", "", "0", "0", "0", "0", "", "0", "0", "0", ""]
    total = rows[-1]
    assert total[:2] == ["", "Toàn tỉnh"]
    for column in (2, 3, 5, 6, 7, 8, 10, 11, 12):
        assert int(total[column]) == sum(int(row[column]) for row in rows[1:-1]), rows[0][column]


def test_commune_staff_get_no_province_figures(app: Flask) -> None:
    for role in ("tiep_nhan", "chuyen_vien", "lanh_dao", "quan_tri", "to_cong_nghe_so"):
        client = staff_client(app, role)
        for url in ("/can-bo/tinh/thong-ke", "/can-bo/tinh/thong-ke.csv"):
            assert client.get(url).status_code == 403, (role, url)
    anonymous = app.test_client().get("/can-bo/tinh/thong-ke.csv")
    assert "/can-bo/dang-nhap" in anonymous.headers["Location"]


def test_the_province_administrator_starts_on_the_figures_and_opens_no_inbox(app: Flask) -> None:
    from tests.staff import make_user
    from tests.staff import sign_in

    client = app.test_client()
    signed = sign_in(client, make_user(app, "quan_tri_tinh"))
    assert signed.headers["Location"].endswith("/can-bo/tinh/thong-ke")
    assert client.get("/can-bo/").status_code == 403
    nav = [
        a.get_text(strip=True)
        for a in parse(client.get(signed.headers["Location"])).select(".staff-nav a")
    ]
    assert "Thống kê toàn tỉnh" in nav and "Hộp hồ sơ" not in nav
