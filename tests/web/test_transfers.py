"""A dossier handed to the competent commune: both inboxes, the clock, the timeline, access."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain import workflow
from extensions import db
from models import CalendarDay
from models import Dossier
from models import DossierEvent
from models import OutboxMessage
from models import StoredFile
from tests.journeys import submitted
from tests.pages import check_page
from tests.pages import parse
from tests.staff import post_form
from tests.staff import staff_client
from tests.web.test_backoffice import DOSSIER_ENDPOINTS
from tests.web.test_backoffice import backoffice_routes
from tests.web.test_backoffice import counter_dossier
from tests.web.test_backoffice import csrf_token
from tests.web.test_backoffice import do
from tests.web.test_backoffice import dossier
from tests.web.test_backoffice import events

TAN_SON, THANH_BA, TAN_HOA = 8566, 8152, 4792  # communes of Phú Thọ, the deployment's province
REASON = "Người dân thường trú tại xã Thanh Ba"


def transfer(client: FlaskClient, code: str, **changes: object):
    page = parse(client.get(f"/can-bo/ho-so/{code}"))
    values = {"unit": str(THANH_BA), "reason": REASON, **changes}
    return post_form(client, page, "form[action$='/transfer']", values)


def inbox_codes(client: FlaskClient, tab: str) -> list[str]:
    page = parse(client.get("/can-bo/", query_string={"tab": tab}))
    return [a.get_text(strip=True) for a in page.select("table.inbox tbody a")]


def test_a_transfer_is_seen_by_both_inboxes_and_on_the_citizens_timeline(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    there = staff_client(app, "tiep_nhan", unit=THANH_BA)
    code = counter_dossier(clerk)
    assert code in inbox_codes(clerk, "dang-xu-ly") and code not in inbox_codes(there, "tat-ca")
    page = parse(clerk.get(f"/can-bo/ho-so/{code}"))
    check_page(page)
    form = page.select_one("form[action$='/transfer']")
    options = {o["value"]: o.get_text() for o in form.select("select[name=unit] option")}
    # The other communes of Phú Thọ, not its own one, nor another province's.
    assert options[str(THANH_BA)] == "Xã Thanh Ba" and str(TAN_HOA) in options
    assert str(TAN_SON) not in options and len(options) > 100
    papers = [box["value"] for box in form.select("input[name=papers][checked]")]
    assert papers  # every paper received goes with the dossier unless unticked
    before = dossier(app, code)

    response = transfer(clerk, code, papers=papers)
    assert response.status_code == 303

    after = dossier(app, code)
    assert (after.unit_code, after.received_unit_code) == (THANH_BA, TAN_SON)
    assert after.status == before.status == workflow.Status.RECEIVED
    assert events(app, code)[-1] == ("transfer", 2, 2, True)
    with app.app_context():
        handover = db.session.scalars(
            sa.select(DossierEvent).join(Dossier).where(Dossier.code == code)
        ).all()[-1]
        assert handover.details["from_unit"] == TAN_SON and handover.details["to_unit"] == THANH_BA
        assert handover.details["papers"] == papers and handover.reason == REASON
    # The receiving commune's inbox has it, where it was in the sender's; the sender's has not.
    assert code in inbox_codes(there, "dang-xu-ly")
    assert code not in inbox_codes(clerk, "tat-ca")
    held = parse(there.get(f"/can-bo/ho-so/{code}"))
    check_page(held)
    facts = held.select_one(".status-facts").get_text(" ", strip=True)
    assert "Nơi tiếp nhận Xã Tân Sơn" in facts
    assert "đến Xã Thanh Ba" in held.select(".timeline li")[-1].get_text(" ", strip=True)
    assert held.select("form[action$='/forward']")  # and it goes on with the work

    # The person sees where the dossier is, with the code alone.
    lookup = parse(app.test_client().get("/tra-cuu", query_string={"ma": code}))
    steps = [li.get_text(" ", strip=True) for li in lookup.select(".timeline li")]
    assert steps[-1].endswith("Đã chuyển đến UBND xã Thanh Ba")
    assert REASON not in lookup.get_text()  # the reason is for whoever gives the phone number
    plain = app.test_client().get(f"/tra-cuu/{code}.txt").get_data(as_text=True)
    assert "Da chuyen den UBND xa Thanh Ba." in plain
    with app.app_context():
        told = db.session.scalars(
            sa.select(OutboxMessage.body)
            .join(Dossier)
            .where(Dossier.code == code, OutboxMessage.channel == "sms")
            .order_by(OutboxMessage.id)
        ).all()[-1]
    # An SMS has 160 letters: where the dossier is now; the link shows the rest.
    assert told.startswith(f"Ho so {code}: Duoc tiep nhan. Da chuyen den Xa Thanh Ba. Xem: ")


def test_the_due_date_follows_the_deciding_communes_calendar(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    code = counter_dossier(clerk)
    received = dossier(app, code)
    assert received.due_date is not None
    # Xã Thanh Ba does not work on the day Xã Tân Sơn promised.
    with app.app_context():
        db.session.add(CalendarDay(unit_code=THANH_BA, day=received.due_date, working=False))
        db.session.commit()
    assert transfer(clerk, code).status_code == 303
    moved = dossier(app, code)
    with app.app_context():
        from services.calendar import work_calendar
        from services.dossiers import processing_limit

        row = db.session.get(Dossier, moved.id)
        limit = processing_limit(row.procedure, row.submission_channel)
        # The clock continues from the reception at Tân Sơn, on Thanh Ba's days.
        expected = work_calendar(THANH_BA).due_date(received.received_at, limit.qty, limit.unit)
    assert moved.due_date == moved.original_due_date == expected
    assert moved.due_date > received.due_date
    assert moved.received_at == received.received_at


def test_a_new_online_dossier_is_received_by_the_commune_it_went_to(app: Flask) -> None:
    code = submitted(app)
    assert transfer(staff_client(app, "lanh_dao"), code).status_code == 303
    there = staff_client(app, "tiep_nhan", unit=THANH_BA)
    assert code in inbox_codes(there, "moi")
    assert do(there, code, "receive").status_code == 303
    got = dossier(app, code)
    assert got.status == workflow.Status.RECEIVED and got.unit_code == THANH_BA
    slip = parse(there.get(f"/can-bo/ho-so/{code}/phieu/01"))
    assert "Ủy ban nhân dân Xã Thanh Ba" in slip.select_one(".slip-head").get_text(" ")


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        ("", "Bạn hãy chọn xã, phường nhận hồ sơ."),
        ("chin", "Bạn hãy chọn xã, phường nhận hồ sơ."),
        (str(TAN_SON), "Hồ sơ đang ở chính xã, phường này. Bạn hãy chọn xã, phường khác."),
        ("26734", "Không có xã, phường này trong tỉnh."),  # a ward of Hồ Chí Minh City
        ("99999", "Không có xã, phường này trong tỉnh."),
    ],
)
def test_an_unknown_or_foreign_unit_is_a_message_by_the_field(
    app: Flask, unit: str, message: str
) -> None:
    clerk = staff_client(app, "tiep_nhan")
    code = counter_dossier(clerk)
    before = dossier(app, code)
    response = transfer(clerk, code, unit=unit)
    assert response.status_code == 422
    page = parse(response)
    check_page(page)
    error = page.select_one("#transfer-unit-error")
    assert error is not None and message in error.get_text()
    assert page.select_one("#transfer-unit")["aria-invalid"] == "true"
    assert page.select_one("#transfer-reason").get_text() == REASON  # what was typed stays
    after = dossier(app, code)
    assert (after.unit_code, after.version) == (TAN_SON, before.version)


def test_a_transfer_needs_the_papers_it_hands_over(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan")
    code = counter_dossier(clerk)
    page = parse(clerk.get(f"/can-bo/ho-so/{code}"))
    values = {"unit": str(THANH_BA), "reason": REASON}
    form = page.select_one("form[action$='/transfer']")
    data = values | {"csrf_token": csrf_token(clerk)}
    data["version"] = form.select_one("[name=version]")["value"]
    response = clerk.post(form["action"], data=data)  # no paper ticked
    assert response.status_code == 422
    assert "giấy tờ đã nhận" in parse(response).select_one("#transfer-papers-error").get_text()
    forged = clerk.post(form["action"], data={**data, "papers": "Giấy tờ bịa ra"})
    assert forged.status_code == 422
    assert dossier(app, code).unit_code == TAN_SON


# --- Who sees what after a transfer --------------------------------------------------------------


def walk(
    client: FlaskClient, app: Flask, code: str, file_id: int, posts: bool = True
) -> dict[str, int]:
    """Every dossier route with this code: 'METHOD url' → status (posts: the actions too)."""
    token = csrf_token(client)
    found = dossier(app, code)
    answers = {}
    for endpoint, method, url, _allowed in backoffice_routes(app, code, file_id):
        if endpoint not in DOSSIER_ENDPOINTS or (method == "POST" and not posts):
            continue
        urls = [url]
        if endpoint == "backoffice.action":
            urls = [url.rsplit("/", 1)[0] + f"/{key}" for key in workflow.ACTIONS]
        if endpoint == "backoffice.print_slip":
            urls = [url.rsplit("/", 1)[0] + f"/{slip}" for slip in workflow.SLIPS]
        for each in urls:
            data = {"csrf_token": token, "version": str(found.version), "reason": "x"}
            data |= {"unit": str(TAN_HOA), "papers": "x"}
            response = client.open(each, method=method, data=data if method == "POST" else None)
            answers[f"{method} {each}"] = response.status_code
            if response.status_code == 404:
                body = response.get_data(as_text=True)
                assert found.applicant_name not in body and found.applicant_phone not in body
            response.close()
    return answers


def test_after_a_transfer_the_sender_reads_its_part_and_a_third_commune_nothing(
    app: Flask,
) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, code, "receive")
    do(clerk, code, "note", {"reason": "Đã gọi điện cho người dân"})
    with app.app_context():
        file_id = db.session.scalar(
            sa.select(StoredFile.id).join(Dossier).where(Dossier.code == code)
        )
    sender = {role: staff_client(app, role) for role in ("tiep_nhan", "chuyen_vien", "lanh_dao")}
    receiver = {
        role: staff_client(app, role, unit=THANH_BA)
        for role in ("tiep_nhan", "chuyen_vien", "lanh_dao")
    }
    third = {role: staff_client(app, role, unit=TAN_HOA) for role in ("tiep_nhan", "lanh_dao")}
    # Before: the commune it went to sees nothing of it, as any other commune.
    for client in [*receiver.values(), *third.values()]:
        assert set(walk(client, app, code, file_id).values()) == {404}

    assert transfer(clerk, code).status_code == 303
    history = events(app, code)
    for client in third.values():  # a third commune: still nothing, on every route
        assert set(walk(client, app, code, file_id).values()) == {404}
        assert code not in parse(client.get("/can-bo/", query_string={"q": code})).get_text()
    for role, client in sender.items():
        answers = walk(client, app, code, file_id)
        opened = {k for k, v in answers.items() if v == 200}
        # Its history up to the hand-over and the slips of it: no action, no paper.
        assert opened == {
            f"GET /can-bo/ho-so/{code}",
            f"GET /can-bo/ho-so/{code}/phieu/01",
            f"GET /can-bo/ho-so/{code}/phieu/06",
        }, role
        assert set(answers.values()) == {200, 404}, role
    for client in receiver.values():  # it acts on them: it is not made to act here
        answers = walk(client, app, code, file_id, posts=False)
        assert answers[f"GET /can-bo/ho-so/{code}"] == 200
        assert answers[f"GET /can-bo/ho-so/{code}/tep/{file_id}"] == 200
    assert events(app, code) == history  # the walks changed nothing

    # What the sender sees: that it went, to whom, why, and its own steps.
    there = receiver["chuyen_vien"]
    assert do(receiver["tiep_nhan"], code, "forward").status_code == 303
    do(there, code, "note", {"reason": "Ghi chú của xã Thanh Ba"})
    page = parse(sender["chuyen_vien"].get(f"/can-bo/ho-so/{code}"))
    check_page(page)
    text = page.select_one("main").get_text(" ", strip=True)
    assert "Hồ sơ đã được chuyển đến Xã Thanh Ba lúc" in text and REASON in text
    steps = [li.get_text(" ", strip=True) for li in page.select(".timeline li")]
    assert [s.split(" · ")[1] for s in steps] == [
        "Nộp hồ sơ",
        "Tiếp nhận (Mới đăng ký → Được tiếp nhận)",
        "Ghi chú nội bộ",
        "Chuyển đến xã, phường có thẩm quyền",
    ]
    assert "Ghi chú của xã Thanh Ba" not in text and "Đang xử lý" not in text
    assert not page.select("form[method=post][action*='/ho-so/']")
    assert not page.select("a[href*='/tep/']") and not page.select(".documents")
    slip = parse(sender["tiep_nhan"].get(f"/can-bo/ho-so/{code}/phieu/06"))
    head = slip.select_one(".slip-head").get_text(" ", strip=True)
    assert "Ủy ban nhân dân Xã Tân Sơn" in head and "Xã Tân Sơn, ngày" in head
