"""After a transfer: each unit's event log holds its own part, the sender's inbox its tab."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from domain import workflow
from tests.journeys import submitted
from tests.pages import check_page
from tests.pages import parse
from tests.staff import staff_client
from tests.web.test_backoffice import counter_dossier
from tests.web.test_backoffice import do
from tests.web.test_backoffice import events
from tests.web.test_transfers import TAN_HOA
from tests.web.test_transfers import THANH_BA
from tests.web.test_transfers import transfer


def logged(admin: FlaskClient, code: str) -> list[str]:
    """The actions on this dossier in the unit's event log, oldest first (no status, no note)."""
    page = parse(admin.get("/can-bo/nhat-ky"))
    check_page(page)
    rows = [row.select("td") for row in page.select("table.inbox tbody tr")]
    return [
        str(cells[2].contents[0]).split(" (")[0]
        for cells in reversed(rows)
        if cells[1].get_text() == code
    ]


def where(admin: FlaskClient, code: str) -> list[str]:
    """The notes under this dossier's log lines: where a transfer went, a note's words."""
    page = parse(admin.get("/can-bo/nhat-ky"))
    rows = [row.select("td") for row in page.select("table.inbox tbody tr")]
    return [
        meta.get_text(" ", strip=True)
        for cells in reversed(rows)
        if cells[1].get_text() == code
        for meta in cells[2].select(".meta")
    ]


def label(key: str) -> str:
    return workflow.action_label(key)


def test_each_units_log_holds_the_events_while_it_held_the_dossier(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, code, "receive")
    do(clerk, code, "note", {"reason": "Ghi chú của xã Tân Sơn"})
    admins = {unit: staff_client(app, "quan_tri", unit=unit) for unit in (8566, THANH_BA, TAN_HOA)}
    before = logged(admins[8566], code)
    assert before == [
        label("submit"),
        label("receive"),
        label("note"),
    ]

    assert transfer(clerk, code).status_code == 303
    there = staff_client(app, "tiep_nhan", unit=THANH_BA)
    do(there, code, "forward")
    do(staff_client(app, "chuyen_vien", unit=THANH_BA), code, "note", {"reason": "Của Thanh Ba"})
    assert [e[0] for e in events(app, code)] == [
        "submit",
        "receive",
        "note",
        "transfer",
        "forward",
        "note",
    ]

    # The sender: up to and with its hand-over, and where it went; nothing Thanh Ba did.
    sent = logged(admins[8566], code)
    assert sent[:3] == before and len(sent) == 4
    assert sent[3] == label("transfer")
    assert "từ Xã Tân Sơn đến Xã Thanh Ba" in where(admins[8566], code)
    log = parse(admins[8566].get("/can-bo/nhat-ky")).get_text()
    assert "Của Thanh Ba" not in log and "Ghi chú của xã Tân Sơn" in log
    # A change of status in words, as the timeline says it, not its national code.
    assert "Tiếp nhận (Mới đăng ký → Được tiếp nhận)" in log and "(1 → 2)" not in log
    # The deciding unit: from the hand-over on, none of what Tân Sơn did before.
    decided = logged(admins[THANH_BA], code)
    assert decided == [
        label("transfer"),
        label("forward"),
        label("note"),
    ]
    log = parse(admins[THANH_BA].get("/can-bo/nhat-ky")).get_text()
    assert "Ghi chú của xã Tân Sơn" not in log and "Của Thanh Ba" in log
    # A commune it never reached: nothing.
    assert logged(admins[TAN_HOA], code) == []
    assert code not in parse(admins[TAN_HOA].get("/can-bo/nhat-ky")).get_text()


def test_a_unit_that_passed_a_dossier_on_keeps_its_part_of_the_log(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, code, "receive")
    assert transfer(clerk, code).status_code == 303
    middle = staff_client(app, "tiep_nhan", unit=THANH_BA)
    do(middle, code, "note", {"reason": "Không phải của xã Thanh Ba"})
    assert transfer(middle, code, unit=str(TAN_HOA)).status_code == 303
    last = staff_client(app, "tiep_nhan", unit=TAN_HOA)
    do(last, code, "note", {"reason": "Của xã Tân Hòa"})
    admins = {unit: staff_client(app, "quan_tri", unit=unit) for unit in (8566, THANH_BA, TAN_HOA)}

    assert logged(admins[8566], code) == [label("submit"), label("receive"), label("transfer")]
    assert logged(admins[THANH_BA], code) == [label("transfer"), label("note"), label("transfer")]
    assert logged(admins[TAN_HOA], code) == [label("transfer"), label("note")]
    assert where(admins[TAN_HOA], code)[0] == "từ Xã Thanh Ba đến Phường Tân Hòa"
    assert "Không phải của xã Thanh Ba" not in where(admins[TAN_HOA], code)
    assert "Của xã Tân Hòa" not in where(admins[THANH_BA], code)


# --- The sender's tab of dossiers sent away ------------------------------------------------------

SENT = "da-chuyen-di"


def tab_count(page, name: str) -> int:
    tabs = {a.get_text(" ", strip=True).split(" (")[0]: a for a in page.select(".tabs a")}
    return int(tabs[name].select_one(".count").get_text().strip("()"))


def sent_rows(client: FlaskClient, **args: object) -> list[list[str]]:
    page = parse(client.get("/can-bo/", query_string={"tab": SENT, **args}))
    check_page(page)
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in page.select("table.inbox tbody tr")
    ]


def test_the_sender_lists_what_it_sent_where_when_and_how_it_stands(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    kept, sent = counter_dossier(clerk), counter_dossier(clerk)
    page = parse(clerk.get("/can-bo/"))
    assert tab_count(page, "Đã chuyển đi") == 0
    assert transfer(clerk, sent).status_code == 303
    there = staff_client(app, "tiep_nhan", unit=THANH_BA)
    do(there, sent, "forward")

    page = parse(clerk.get("/can-bo/"))
    assert tab_count(page, "Đã chuyển đi") == 1
    link = next(a for a in page.select(".tabs a") if a.get_text().startswith("Đã chuyển đi"))
    assert f"tab={SENT}" in link["href"] and link["data-hx-get"] == link["href"]
    rows = sent_rows(clerk)
    assert len(rows) == 1 and kept not in rows[0][0]
    code, applicant, _procedure, went = rows[0]
    assert code.startswith(sent) and "Hiện nay: Đang xử lý" in code  # its status there now
    assert applicant == "Lò Văn Páo"
    assert went.startswith("Xã Thanh Ba ") and re.search(r"\d\d/\d\d/\d{4}", went)
    # It opens the page of what the sender may still read.
    opened = parse(clerk.get(f"/can-bo/ho-so/{sent}"))
    assert "Hồ sơ đã được chuyển đến Xã Thanh Ba" in opened.get_text()
    # The unit it went to does not list it as sent, and holds it among its work.
    assert sent_rows(there) == [] and tab_count(parse(there.get("/can-bo/")), "Đã chuyển đi") == 0
    # The other tabs of the sender do not count it any more.
    assert tab_count(page, "Tất cả") == 1


def test_a_dossier_that_came_back_is_not_sent_and_one_passed_on_is_the_middles(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    back, on = counter_dossier(clerk), counter_dossier(clerk)
    middle = staff_client(app, "tiep_nhan", unit=THANH_BA)
    for code in (back, on):
        assert transfer(clerk, code).status_code == 303
    assert transfer(middle, back, unit="8566").status_code == 303  # sent back home
    assert transfer(middle, on, unit=str(TAN_HOA)).status_code == 303  # passed on
    assert [row[0].split()[0] for row in sent_rows(clerk)] == [on]
    # Thanh Ba sent both away: the latest first, each to where it sent it.
    rows = sent_rows(middle)
    assert [(row[0].split()[0], row[3].split(" ")[0:2]) for row in rows] == [
        (on, ["Phường", "Tân"]),
        (back, ["Xã", "Tân"]),
    ]
    assert tab_count(parse(middle.get("/can-bo/")), "Đã chuyển đi") == 2


def test_the_sent_tab_pages_and_filters_as_the_others(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    codes = [counter_dossier(clerk) for _ in range(3)]
    for code in codes:
        assert transfer(clerk, code).status_code == 303
    with app.app_context():
        from services.calendar import work_calendar
        from services.inbox import InboxQuery
        from services.inbox import inbox
        from services.workflow import local_today

        query = InboxQuery(unit_code=8566, tab=SENT, size=2, page=2)
        found = inbox(query, local_today(), work_calendar(8566))
    assert found.total == 3 and found.pages == 2 and [r.code for r in found.rows] == [codes[0]]
    # Through the page: a filter that matches none empties the tab and its count.
    page = parse(clerk.get("/can-bo/", query_string={"tab": SENT, "kenh": "truc-tuyen"}))
    assert tab_count(page, "Đã chuyển đi") == 0 and not page.select("table.inbox")
    assert len(sent_rows(clerk, kenh="truc-tiep")) == 3


def test_a_helper_and_the_administrator_see_no_sent_dossier(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    code = counter_dossier(clerk)
    assert transfer(clerk, code).status_code == 303
    helper = staff_client(app, "to_cong_nghe_so")
    page = parse(helper.get("/can-bo/"))
    assert not [a for a in page.select(".tabs a") if a.get_text().startswith("Đã chuyển đi")]
    assert code not in helper.get("/can-bo/", query_string={"tab": SENT}).get_data(as_text=True)
    admin = staff_client(app, "quan_tri")
    page = parse(admin.get("/can-bo/", query_string={"tab": SENT}))
    assert tab_count(page, "Đã chuyển đi") == 1 and code not in page.get_text()
