"""Status lookup: what the code alone shows, what the phone number opens, and the rest."""

from __future__ import annotations

import io
from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain import workflow
from extensions import db
from models import Dossier
from models import DossierRating
from models import OutboxMessage
from models import StoredFile
from services import notify
from tests.journeys import photo
from tests.pages import check_page
from tests.pages import gzipped_size
from tests.pages import parse
from tests.staff import staff_client
from tests.web.test_backoffice import do
from tests.web.test_backoffice import dossier
from tests.web.test_backoffice import events
from tests.web.test_backoffice import submitted

PHONE = "0912345678"  # what tests.journeys gives at the start


def verify(client: FlaskClient, code: str, phone: str = PHONE):
    page = parse(client.get("/tra-cuu", query_string={"ma": code}))
    form = page.select_one("form[action$='/tra-cuu/" + code + "']")
    token = form.select_one("[name=csrf_token]")["value"]
    return client.post(form["action"], data={"csrf_token": token, "phone": phone})


def set_status(app: Flask, code: str, status: int, **fields) -> None:
    with app.app_context():
        row = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        row.status = status
        for key, value in fields.items():
            setattr(row, key, value)
        db.session.commit()


def test_the_code_alone_shows_status_and_dates_but_nothing_personal(
    app: Flask, client: FlaskClient
) -> None:
    code = submitted(app)
    for typed in [code, code.replace("-", " "), code.replace("-", ""), f"  {code}  "]:
        response = client.get("/tra-cuu", query_string={"ma": typed})
        soup = parse(response)
        check_page(soup)
        card = soup.select_one(".status-card")
        assert card is not None, typed
        assert "Mới đăng ký" in card.get_text()
        assert "Đăng ký khai sinh" in card.get_text().replace("Thủ tục đ", "Đ")
    text = response.get_data(as_text=True)
    assert "Hà Thị Mai" not in text and PHONE not in text and "025195012345" not in text
    assert response.headers["Vary"]


def test_unknown_and_malformed_codes(client: FlaskClient) -> None:
    missing = parse(client.get("/tra-cuu?ma=08566-200101-9999"))
    assert "Không tìm thấy" in missing.select_one(".empty").get_text()
    wrong = parse(client.get("/tra-cuu?ma=12345"))
    assert "15 chữ số" in wrong.select_one("#ma-error").get_text()


def test_the_phone_number_opens_the_personal_part(app: Flask) -> None:
    code = submitted(app)
    client = app.test_client()
    wrong = verify(client, code, "0987000111")
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert "không khớp" in text and "Hà Thị Mai" not in text
    right = verify(client, code)
    assert right.status_code == 303
    page = parse(client.get(right.headers["Location"]))
    check_page(page)
    assert "Hà Thị Mai" in page.select_one("#personal-title").find_parent("section").get_text()
    other_device = app.test_client().get("/tra-cuu", query_string={"ma": code})
    assert "Hà Thị Mai" not in other_device.get_data(as_text=True)


def test_failed_tries_are_limited(app: Flask) -> None:
    app.config["RATELIMIT_ENABLED"] = True
    code = submitted(app)
    client = app.test_client()
    statuses = [verify(client, code, "0987000111").status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    blocked = verify(client, code, "0987000111")
    assert "quá nhiều lần" in blocked.get_data(as_text=True)


def test_the_limit_per_code_holds_however_the_code_is_spelled(app: Flask) -> None:
    app.config["RATELIMIT_ENABLED"] = True
    code = submitted(app)
    first = app.test_client()
    first.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    statuses = [verify(first, code, "0987000111").status_code for _ in range(11)]
    assert statuses[10] == 429
    # Other addresses, so only the per-code limit can stop them.
    for number, spelling in enumerate([code.replace("-", ""), code.replace("-", ".")], 2):
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        page = parse(other.get("/tra-cuu", query_string={"ma": code}))
        token = page.select_one("[name=csrf_token]")["value"]
        response = other.post(
            f"/tra-cuu/{spelling}", data={"csrf_token": token, "phone": "0987000111"}
        )
        assert response.status_code == 429, spelling
        assert "quá nhiều lần" in response.get_data(as_text=True)


def test_plain_text_answer_is_short_and_anonymous(app: Flask, client: FlaskClient) -> None:
    code = submitted(app)
    response = client.get(f"/tra-cuu/{code}.txt")
    body = response.get_data()
    assert response.mimetype == "text/plain" and len(body) < 300
    assert body.decode().startswith(f"Ho so {code}: Moi dang ky.")
    assert b"Mai" not in body and PHONE.encode() not in body
    assert client.get("/tra-cuu/08566-200101-9999.txt").status_code == 404


@pytest.mark.parametrize("status", [s.value for s in workflow.Status])
def test_every_status_is_explained(app: Flask, client: FlaskClient, status: int) -> None:
    code = submitted(app)
    set_status(app, code, status, due_date=date.today() + timedelta(days=3))
    soup = parse(client.get("/tra-cuu", query_string={"ma": code}))
    check_page(soup)
    card = soup.select_one(".status-card").get_text(" ", strip=True)
    assert workflow.STATUS_LABELS[workflow.Status(status)] in card
    assert workflow.STATUS_HELP[workflow.Status(status)] in card


def test_the_lookup_page_is_light(app: Flask, client: FlaskClient) -> None:
    code = submitted(app)
    assert gzipped_size(client.get("/tra-cuu", query_string={"ma": code})) <= 8 * 1024


def test_the_public_timeline_has_no_notes_and_no_staff_names(
    app: Flask, client: FlaskClient
) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, code, "note", {"reason": "Số điện thoại nhà hàng xóm"})
    do(clerk, code, "receive")
    text = client.get("/tra-cuu", query_string={"ma": code}).get_data(as_text=True)
    assert "hàng xóm" not in text and "Cán bộ tiep_nhan" not in text
    timeline = [
        li.get_text(" ", strip=True)
        for li in parse(client.get(f"/tra-cuu?ma={code}")).select(".timeline li")
    ]
    assert len(timeline) == 2 and "Tiếp nhận" in timeline[1]


def test_answering_a_supplement_request_only_for_the_items_asked(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, code, "receive")
    deadline = (date.today() + timedelta(days=7)).isoformat()
    do(
        clerk,
        code,
        "request_supplement",
        {"items": "birth_certificate", "reason": "Ảnh mờ", "deadline": deadline},
    )
    citizen = app.test_client()
    public = parse(citizen.get(f"/tra-cuu?ma={code}")).get_text()
    assert "Giấy chứng sinh" in public and "Ảnh mờ" not in public  # the why needs the phone
    verify(citizen, code)
    page = parse(citizen.get(f"/tra-cuu?ma={code}"))
    check_page(page)
    assert "Ảnh mờ" in page.get_text()
    assert [f["data-slot"] for f in page.select("form.upload-form")] == ["birth_certificate"]
    early = citizen.post(
        page.select_one("form[action$='/bo-sung']")["action"],
        data={"csrf_token": page.select_one("[name=csrf_token]")["value"]},
    )
    assert early.status_code == 422 and dossier(app, code).status == 5
    form = page.select_one("form.upload-form")
    citizen.post(
        form["action"],
        data={
            "csrf_token": form.select_one("[name=csrf_token]")["value"],
            "tep": (io.BytesIO(photo()), "ro.jpg"),
        },
        content_type="multipart/form-data",
    )
    page = parse(citizen.get(f"/tra-cuu?ma={code}"))
    assert "ro.jpg" in page.select_one("#birth_certificate-slot").get_text()
    sent = citizen.post(
        page.select_one("form[action$='/bo-sung']")["action"],
        data={"csrf_token": page.select_one("[name=csrf_token]")["value"]},
    )
    assert sent.status_code == 303
    back = dossier(app, code)
    assert back.status == 4 and back.paused_on is None
    assert events(app, code)[-1][:3] == ("supplement_received", 5, 4)


def test_withdrawal_needs_the_phone_and_a_confirmation(app: Flask) -> None:
    code = submitted(app)
    citizen = app.test_client()
    assert citizen.get(f"/tra-cuu/{code}/rut").status_code == 403
    verify(citizen, code)
    page = parse(citizen.get(f"/tra-cuu/{code}/rut"))
    check_page(page)
    token = page.select_one("[name=csrf_token]")["value"]
    unconfirmed = citizen.post(f"/tra-cuu/{code}/rut", data={"csrf_token": token, "reason": "Sai"})
    assert unconfirmed.status_code == 422
    assert dossier(app, code).status == 1  # not confirmed: nothing happens
    again = parse(unconfirmed)
    check_page(again)
    box = again.select_one("#confirm")
    assert box["aria-describedby"] == "confirm-error" and box["aria-invalid"] == "true"
    assert "đánh dấu" in again.select_one("#confirm-error").get_text()
    assert again.select_one("#reason").get_text() == "Sai"  # what was typed stays
    citizen.post(
        f"/tra-cuu/{code}/rut", data={"csrf_token": token, "confirm": "co", "reason": "Nộp nhầm"}
    )
    assert dossier(app, code).status == 7
    assert events(app, code)[-1][0] == "withdraw"


def test_rating_once_after_the_result_is_returned(app: Flask) -> None:
    code = submitted(app)
    set_status(app, code, 10)
    citizen = app.test_client()
    verify(citizen, code)
    page = parse(citizen.get(f"/tra-cuu?ma={code}"))
    form = page.select_one("form[action$='/danh-gia']")
    token = form.select_one("[name=csrf_token]")["value"]
    citizen.post(
        form["action"], data={"csrf_token": token, "value": "rat_hai_long", "comment": "Nhanh"}
    )
    citizen.post(form["action"], data={"csrf_token": token, "value": "khong_hai_long"})
    with app.app_context():
        ratings = db.session.scalars(
            sa.select(DossierRating)
            .join(Dossier, Dossier.id == DossierRating.dossier_id)
            .where(Dossier.code == code)
        ).all()
        assert [(r.value, r.comment) for r in ratings] == [("rat_hai_long", "Nhanh")]


def test_each_change_queues_an_sms_without_diacritics(app: Flask) -> None:
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, code, "receive")
    with app.app_context():
        messages = db.session.scalars(
            sa.select(OutboxMessage)
            .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
            .where(Dossier.code == code)
            .order_by(OutboxMessage.id)
        ).all()
        assert [m.channel for m in messages] == ["sms", "sms"]
        for message in messages:
            assert (
                len(message.body) <= 160 and message.body.isascii() and message.recipient == PHONE
            )
        assert "Hen tra ngay" in messages[1].body and f"ma={code}" in messages[1].body


class Failing:
    def send(self, message) -> None:
        raise OSError("gateway down")


class Keeping:
    def __init__(self) -> None:
        self.sent = []

    def send(self, message) -> None:
        self.sent.append(message.id)


def test_outbox_retries_with_back_off_and_loses_nothing(app: Flask) -> None:
    submitted(app)
    with app.app_context():
        from models import utcnow

        now = utcnow()
        waiting = db.session.scalar(
            sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None))
        )
        sent, failed = notify.send_due(now, {"sms": Failing(), "email": Failing()}, limit=10_000)
        assert (sent, failed) == (0, waiting)
        first = db.session.scalar(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        assert first.attempts == 1 and first.sent_at is None and "gateway down" in first.last_error
        assert first.next_attempt_at.replace(tzinfo=None) >= (now + timedelta(seconds=59)).replace(
            tzinfo=None
        )
        assert notify.send_due(now, {"sms": Keeping(), "email": Keeping()}) == (0, 0)  # not due yet
        later = now + timedelta(minutes=2)
        keeping = Keeping()
        sent, failed = notify.send_due(later, {"sms": keeping, "email": keeping}, limit=10_000)
        assert sent == waiting and failed == 0
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None)))
            == 0
        )
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "Sent" in result.output


def asked_to_correct(app: Flask, items: list[str]) -> tuple[str, FlaskClient]:
    """A khai sinh dossier whose answers `items` are asked for again; a verified citizen."""
    code = submitted(app)
    clerk = staff_client(app, "tiep_nhan")
    do(clerk, code, "receive")
    deadline = (date.today() + timedelta(days=7)).isoformat()
    do(
        clerk,
        code,
        "request_supplement",
        {"items": items, "reason": "Ghi sai ngày sinh", "deadline": deadline},
    )
    citizen = app.test_client()
    verify(citizen, code)
    return code, citizen


def test_correcting_a_date_and_a_choice_uses_the_forms_own_inputs(app: Flask) -> None:
    code, citizen = asked_to_correct(app, ["child_birth_date", "child_sex"])
    born = date.fromisoformat(dossier(app, code).answers["child_birth_date"])
    page = parse(citizen.get(f"/tra-cuu?ma={code}"))
    check_page(page)
    form = page.select_one("form[action$='/bo-sung']")
    # Day, month and year boxes and labelled radios, filled with the answers the centre has.
    assert form.select_one("#child_birth_date-ngay")["value"] == str(born.day)
    assert form.select_one("#child_birth_date-thang")["value"] == str(born.month)
    assert form.select_one("#child_birth_date-nam")["value"] == str(born.year)
    assert form.select_one("#child_sex-nam").has_attr("checked")
    assert form.select_one("label[for=child_sex-nu]").get_text() == "Nữ"
    assert page.select("form.upload-form") == []  # nothing to upload was asked for
    token = form.select_one("[name=csrf_token]")["value"]
    wrong = citizen.post(
        form["action"],
        data={
            "csrf_token": token,
            "child_birth_date-ngay": "31",
            "child_birth_date-thang": "2",
            "child_birth_date-nam": str(born.year),
            "child_sex": "nu",
        },
    )
    assert wrong.status_code == 422 and dossier(app, code).status == 5
    again = parse(wrong)
    check_page(again)
    assert again.select_one("#child_birth_date-error").get_text(strip=True)
    assert again.select_one("#child_birth_date-ngay")["value"] == "31"  # nothing typed is lost
    assert again.select_one("#child_sex-nu").has_attr("checked")
    assert again.select_one("#child_sex-error") is None
    new_day = date.today() - timedelta(days=20)
    sent = citizen.post(
        form["action"],
        data={
            "csrf_token": token,
            "child_birth_date-ngay": str(new_day.day),
            "child_birth_date-thang": str(new_day.month),
            "child_birth_date-nam": str(new_day.year),
            "child_sex": "nu",
        },
    )
    assert sent.status_code == 303
    back = dossier(app, code)
    assert back.status == 4 and events(app, code)[-1][:3] == ("supplement_received", 5, 4)
    assert back.answers["child_birth_date"] == new_day.isoformat()
    assert back.answers["child_sex"] == "nu"
    assert back.answers["child_name"] == "Đinh Minh An"  # what was not asked stays


def test_an_address_is_corrected_with_the_province_and_commune_lists(app: Flask) -> None:
    code, citizen = asked_to_correct(app, ["requester_address"])
    page = parse(citizen.get(f"/tra-cuu?ma={code}"))
    check_page(page)
    form = page.select_one("form[action$='/bo-sung']")
    saved = dossier(app, code).answers["requester_address"]
    assert form.select_one("#requester_address-tinh option[selected]")["value"] == str(
        saved["province"]
    )
    assert form.select_one("#requester_address-xa option[selected]")["value"] == str(saved["unit"])
    assert form.select_one("#requester_address-chi-tiet")["value"] == saved["detail"]
    # Without JavaScript, another province's communes come from sending the form once.
    token = form.select_one("[name=csrf_token]")["value"]
    typed = {
        "csrf_token": token,
        "requester_address-tinh": "79",
        "requester_address-xa": "",
        "requester_address-chi-tiet": "Số 5, tổ 3",
    }
    shown = citizen.post(form["action"], data={**typed, "hanh-dong": "tinh:requester_address"})
    assert shown.status_code == 200 and dossier(app, code).status == 5
    again = parse(shown)
    check_page(again)
    communes = [o["value"] for o in again.select("#requester_address-xa option") if o["value"]]
    assert communes and str(saved["unit"]) not in communes  # Hồ Chí Minh's, not Phú Thọ's
    assert again.select_one("#requester_address-chi-tiet")["value"] == "Số 5, tổ 3"
    # With JavaScript, the same list comes alone.
    options = parse(
        citizen.get("/tra-cuu/xa?truong=requester_address&requester_address-tinh=79")
    ).select("option")
    assert [o["value"] for o in options if o["value"]] == communes
    missing = citizen.post(form["action"], data=typed)
    assert missing.status_code == 422
    assert "xã, phường" in parse(missing).select_one("#requester_address-error").get_text()
    sent = citizen.post(form["action"], data={**typed, "requester_address-xa": communes[0]})
    assert sent.status_code == 303
    answer = dossier(app, code).answers["requester_address"]
    assert (answer["province"], answer["unit"]) == (79, int(communes[0]))
    assert answer["detail"] == "Số 5, tổ 3"
    assert dossier(app, code).status == 4


def test_files_are_taken_only_for_papers_asked_for(app: Flask) -> None:
    code, citizen = asked_to_correct(app, ["child_sex", "birth_certificate"])
    page = parse(citizen.get(f"/tra-cuu?ma={code}"))
    token = page.select_one("[name=csrf_token]")["value"]

    def upload(slot: str):
        return citizen.post(
            f"/tra-cuu/{code}/tep?o={slot}",
            data={"csrf_token": token, "tep": (io.BytesIO(photo()), "bo-sung-1.jpg")},
            content_type="multipart/form-data",
        )

    assert upload("child_sex").status_code == 404
    assert upload("birth_certificate").status_code == 303
    with app.app_context():
        slots = db.session.scalars(
            sa.select(StoredFile.slot)
            .join(Dossier, Dossier.id == StoredFile.dossier_id)
            .where(Dossier.code == code, StoredFile.original_name == "bo-sung-1.jpg")
        ).all()
    assert slots == ["birth_certificate"]


def test_a_repeated_group_is_corrected_item_by_item(app: Flask) -> None:
    from werkzeug.datastructures import MultiDict

    from blueprints.lookup import views
    from services import lookup

    saved = {
        "previous_spouse_name": "Lò Văn Páo",
        "previous_end_reason": "ly-hon",
        "previous_end_date": "2019-05-04",
        "previous_end_paper": "Bản án số 12",
    }
    row = Dossier(
        procedure_code="1.004873",
        unit_code=8566,
        status=5,
        answers={"previous_marriages": [saved]},
        supplement_items=[{"key": "previous_marriages", "label": "Các lần kết hôn trước"}],
    )
    with app.test_request_context():
        (group,) = views.answer_fields(row)
        (item,) = group.items
        shown = {view.name: view.values for view in item}
        assert shown["previous_marriages-0-previous_end_date"] == {
            "previous_marriages-0-previous_end_date-ngay": "4",
            "previous_marriages-0-previous_end_date-thang": "5",
            "previous_marriages-0-previous_end_date-nam": "2019",
        }
        reason = next(o.value for o in item[1].spec.options)
        posted = MultiDict(
            {
                "previous_marriages-count": "1",
                "previous_marriages-0-previous_spouse_name": "Lò Văn Pảo",
                "previous_marriages-0-previous_end_reason": reason,
                "previous_marriages-0-previous_end_date-ngay": "40",
                "previous_marriages-0-previous_end_date-thang": "5",
                "previous_marriages-0-previous_end_date-nam": "2019",
                "previous_marriages-0-previous_end_paper": "Bản án số 12",
            }
        )
        values, errors = lookup.read_corrections(row, posted)
        assert list(errors) == ["previous_marriages-0-previous_end_date"]
        posted["previous_marriages-0-previous_end_date-ngay"] = "14"
        values, errors = lookup.read_corrections(row, posted)
        assert errors == {}
        assert values["previous_marriages"][0]["previous_end_date"] == "2019-05-14"
        assert values["previous_marriages"][0]["previous_spouse_name"] == "Lò Văn Pảo"


def test_a_rating_sent_without_a_choice_says_so_and_keeps_the_comment(app: Flask) -> None:
    code = submitted(app)
    set_status(app, code, 10)
    citizen = app.test_client()
    verify(citizen, code)
    page = parse(citizen.get(f"/tra-cuu?ma={code}"))
    form = page.select_one("form[action$='/danh-gia']")
    token = form.select_one("[name=csrf_token]")["value"]
    for value in ("", "rat-hai-long"):  # nothing ticked, or a value no radio sends
        answer = citizen.post(
            form["action"], data={"csrf_token": token, "value": value, "comment": "Cán bộ tận tình"}
        )
        assert answer.status_code == 422 and answer.headers["Cache-Control"] == "no-store"
        again = parse(answer)
        check_page(again)
        assert "chọn một câu trả lời" in again.select_one("#value-error").get_text()
        assert again.select_one("#danh-gia fieldset")["aria-describedby"] == "value-error"
        assert again.select_one("#comment").get_text() == "Cán bộ tận tình"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DossierRating)) == 0
    citizen.post(
        form["action"],
        data={"csrf_token": token, "value": "hai_long", "comment": "Cán bộ tận tình"},
    )
    shown = parse(citizen.get(f"/tra-cuu?ma={code}"))
    assert "Cảm ơn" in shown.select_one("#danh-gia").get_text()


def test_a_phone_number_written_wrongly_is_explained_by_the_field_and_kept(app: Flask) -> None:
    code = submitted(app)
    citizen = app.test_client()
    answer = verify(citizen, code, "09123")
    assert answer.status_code == 422
    page = parse(answer)
    check_page(page)
    assert "10 chữ số" in page.select_one("#phone-error").get_text()
    assert page.select_one("#phone")["value"] == "09123"
    assert page.select_one("#phone")["aria-describedby"] == "phone-error"
    assert "Hà Thị Mai" not in answer.get_data(as_text=True)
