"""After a transfer: each unit's event log holds its own part, the sender's inbox its tab."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from domain import workflow
from tests.journeys import submitted
from tests.pages import check_page
from tests.pages import parse
from tests.staff import staff_client
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
