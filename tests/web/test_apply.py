"""Guided online submission, end to end with the Flask client: pages parsed, database checked."""

from __future__ import annotations

import gc
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from models import Dossier
from models import DossierEvent
from models import Draft
from models import Procedure
from models import StoredFile
from models import utcnow
from services.storage import Missing
from tests.conftest import HX
from tests.journeys import BAN_SAO
from tests.journeys import KHAI_SINH
from tests.journeys import KHAI_SINH_UPLOADS
from tests.journeys import KHAI_TU
from tests.journeys import XAC_NHAN
from tests.journeys import Applicant
from tests.journeys import born_days_ago
from tests.journeys import date_inputs
from tests.journeys import form_values
from tests.journeys import photo
from tests.objectstore import both_stores
from tests.objectstore import objects
from tests.objectstore import stored_bytes
from tests.pages import check_page
from tests.pages import first_submit
from tests.pages import gzipped_size
from tests.pages import parse
from tests.staff import staff_client
from tests.unit.test_pdfs import walk
from tests.unit.test_uploads import clean_pdf

CODE_PATTERN = re.compile(r"^08566-\d{6}-\d{4}$")


def count(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def draft_of(app: Flask, person: Applicant) -> Draft:
    draft_id = person.path.split("/")[2]
    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        db.session.expunge(draft)
        return draft


def sent_khai_sinh(client: FlaskClient) -> Applicant:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    person.submit("form[action$='/gui']", {"declaration": "co"})
    return person


def test_start_page_says_what_to_prepare_and_how_long(client: FlaskClient) -> None:
    soup = parse(client.get("/nop-ho-so/1.001193"))
    check_page(soup)
    assert "Giấy chứng sinh" in soup.select_one("main ul").get_text()
    assert "15 phút" in soup.get_text()
    form = soup.select_one("form[method=post]")
    assert form.select_one("input[name=phone][type=tel]")


def test_detail_page_links_to_online_submission_only_with_a_form(client: FlaskClient) -> None:
    with_form = parse(client.get("/thu-tuc/1.001193"))
    assert with_form.select_one("a[href='/nop-ho-so/1.001193']")
    without = parse(client.get("/thu-tuc/1.004884"))
    assert not without.select_one("a[href^='/nop-ho-so/']")


def test_a_procedure_without_a_form_explains_how_to_submit_in_person(client: FlaskClient) -> None:
    response = client.get("/nop-ho-so/1.004884")
    soup = parse(response)
    check_page(soup)
    assert response.status_code == 200
    assert soup.select_one("a[href='/thu-tuc/1.004884/in']")
    assert not soup.select("form[method=post]")
    # What to bring is on the page itself: one less page to load on a slow line.
    with client.application.app_context():
        wanted = db.session.get(Procedure, "1.004884").guide_in("vi")["bring"]
    listed = [li.get_text(" ", strip=True) for li in soup.select("ul.checklist li")]
    assert len(listed) >= len(wanted) > 0
    assert all(any(w["item"] in text for text in listed) for w in wanted)


def test_wrong_phone_at_start_is_explained_by_the_field(client: FlaskClient, app: Flask) -> None:
    drafts_before = count(app, Draft)
    person = Applicant(client)
    person.get("/nop-ho-so/1.001193")
    person.submit("form[method=post]", {"phone": "0212 345 67"})
    assert person.response.status_code == 422
    check_page(person.page)
    assert "10 chữ số" in person.page.select_one("#phone-error").get_text()
    assert person.page.select_one("#phone")["value"] == "0212 345 67"
    assert count(app, Draft) == drafts_before


def test_the_first_step_gives_a_resume_code_without_look_alikes(client: FlaskClient) -> None:
    person = Applicant(client)
    page = person.start("1.001193")
    check_page(page)
    assert person.step_id == "nguoi-dien"
    code = person.resume_code()
    assert re.fullmatch(r"[34679ACDEFGHJKMNPQRTUVWXY]{8}", code)


def test_whole_khai_sinh_journey_stores_a_dossier(client: FlaskClient, app: Flask) -> None:
    before = count(app, Dossier)
    person = Applicant(client)
    person.start("1.001193", phone="0912 345 678")
    check = person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    check_page(check)
    rows = {
        row.dt.get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in check.select(".summary .row")
    }
    assert rows["Họ, chữ đệm và tên của trẻ"] == "Đinh Minh An"
    assert rows["Giới tính"] == "Nam"
    assert rows["Nơi bạn đang cư trú"] == "Khu 3, Xã Tân Sơn, Tỉnh Phú Thọ"
    assert "anh.jpg" in rows["Giấy chứng sinh"]
    change = check.select_one("a[href*='/tre-em?sua=1']")
    assert change is not None
    # Each change link lands on its question; a document's is its upload section.
    upload_change = check.select_one("a[href*='/giay-to?sua=1']")
    target = upload_change["href"].split("#")[1]
    assert person.get(upload_change["href"]).select_one(f"#{target}"), target
    person.page = check
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    check_page(done)
    code = done.select_one(".dossier-code").get_text(strip=True)
    assert CODE_PATTERN.match(code)
    assert count(app, Dossier) == before + 1
    with app.app_context():
        dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        assert (dossier.status, dossier.channel) == (1, 2)
        assert dossier.applicant_name == "Hà Thị Mai"
        assert dossier.applicant_id_number == "025195012345"
        assert dossier.applicant_phone == "0912345678"
        assert dossier.answers["child_name"] == "Đinh Minh An"
        assert dossier.answers["requester_address"]["unit"] == 8566
        assert sorted(f.slot for f in dossier.files) == sorted(KHAI_SINH_UPLOADS)
        assert [(e.action, e.to_status) for e in dossier.events] == [("submit", 1)]
        assert dossier.expected_due is not None
    receipt = parse(client.get(done.select_one("a[href$='/bien-nhan']")["href"]))
    check_page(receipt)
    assert f"tra-cuu?ma={code}" in receipt.select_one("figcaption").get_text()
    assert receipt.select_one("svg.qr")


def test_a_replayed_send_returns_the_same_dossier(client: FlaskClient, app: Flask) -> None:
    person = Applicant(client)
    person.start("1.001193")
    check = person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    send = check.select_one("form[action$='/gui']")
    data = {"csrf_token": send.select_one("[name=csrf_token]")["value"], "declaration": "co"}
    before = count(app, Dossier)
    first = client.post(send["action"], data=data, follow_redirects=True)
    second = client.post(send["action"], data=data, follow_redirects=True)
    codes = {parse(r).select_one(".dossier-code").get_text(strip=True) for r in (first, second)}
    assert len(codes) == 1
    assert count(app, Dossier) == before + 1


def test_send_needs_the_declaration_and_keeps_everything(client: FlaskClient, app: Flask) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    before = count(app, Dossier)
    page = person.submit("form[action$='/gui']")
    assert person.response.status_code == 422
    assert "cam đoan" in page.select_one("#error-summary").get_text()
    assert count(app, Dossier) == before
    assert page.select(".summary .row")  # the answers are all still there


def test_errors_are_shown_by_the_field_and_typed_values_kept(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.submit(changes={"filler": "self"})
    page = person.submit(changes={**KHAI_SINH["nguoi-yeu-cau"], "requester_cccd": "0251950123"})
    assert person.response.status_code == 422
    check_page(page)
    summary = page.select_one("#error-summary")
    assert summary.select_one("a[href='#requester_cccd']")
    assert "12 chữ số" in page.select_one("#requester_cccd-error").get_text()
    assert page.select_one("#requester_cccd")["value"] == "0251950123"
    assert page.select_one("#requester_name")["value"] == "Hà Thị Mai"
    assert page.select_one("#requester_cccd")["aria-invalid"] == "true"


def test_reload_and_back_never_lose_answers(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.submit(changes={"filler": "self"})
    requester_url = person.path
    person.submit(changes=KHAI_SINH["nguoi-yeu-cau"])
    assert person.step_id == "tre-em"
    back = person.get(requester_url)
    assert back.select_one("#requester_name")["value"] == "Hà Thị Mai"
    assert back.select_one("#requester_address-xa option[selected]")["value"] == "8566"
    # An invalid post is kept as typed too: a reload shows it again.
    person.submit(changes={"requester_cccd": "12"})
    again = person.get(requester_url)
    assert again.select_one("#requester_cccd")["value"] == "12"


def test_resume_on_another_device_with_code_and_phone(client: FlaskClient, app: Flask) -> None:
    person = Applicant(client)
    person.start("1.001193", phone="0987654321")
    person.submit(changes={"filler": "self"})
    person.submit(changes=KHAI_SINH["nguoi-yeu-cau"])
    code = person.resume_code()
    step_url = person.path
    other = app.test_client()
    assert other.get(step_url).headers["Location"].endswith("/tiep-tuc")
    device = Applicant(other)
    device.get("/tiep-tuc")
    check_page(device.page)
    wrong = device.submit("form[method=post]", {"ma": code, "phone": "0911111111"})
    assert device.response.status_code == 422
    assert "Không tìm thấy" in wrong.select_one("#error-summary").get_text()
    page = device.submit(
        "form[method=post]", {"ma": f"{code[:4].lower()} {code[4:]}", "phone": "098 765 4321"}
    )
    assert device.path == step_url
    assert page.h1.get_text() == "Thông tin của trẻ"


def test_an_expired_draft_is_refused_and_purged(client: FlaskClient, app: Flask, uploads) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="me")
    draft = draft_of(app, person)
    with app.app_context():
        row = db.session.get(Draft, draft.id)
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.get(f"/nop-ho-so/{draft.id}/tre-em")
    assert response.status_code == 410
    check_page(parse(response))
    result = app.test_cli_runner().invoke(args=["drafts", "purge"])
    assert "Purged" in result.output
    with app.app_context():
        assert db.session.get(Draft, draft.id) is None


def test_posting_an_old_step_after_sending_shows_the_dossier(
    client: FlaskClient, app: Flask
) -> None:
    person = sent_khai_sinh(client)
    done_url = person.path
    draft_id = done_url.split("/")[2]
    csrf = parse(client.get("/tiep-tuc")).select_one("[name=csrf_token]")["value"]
    response = client.post(
        f"/nop-ho-so/{draft_id}/tre-em", data={"csrf_token": csrf, "child_name": "X"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/xong")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("tai-lieu.jpg", b"MZ\x90\x00" + b"\x00" * 200, "JPG, PNG, WebP"),
        (
            "anh.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "JPG, PNG, WebP",
        ),
        ("anh.jpg", photo()[: len(photo()) * 6 // 10], "hỏng"),
        ("giay.pdf", clean_pdf()[:-200], "hỏng"),
    ],
)
def test_bad_uploads_are_refused_by_the_field(
    client: FlaskClient, app: Flask, name: str, content: bytes, words: str
) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    assert person.step_id == "giay-to"
    stored_before = count(app, StoredFile)
    page = person.upload("birth_certificate", content, name)
    assert person.response.status_code == 422
    check_page(page)
    message = page.select_one("#birth_certificate-error").get_text()
    assert words in message
    assert count(app, StoredFile) == stored_before


# Werkzeug's test client spools a large request body to a temporary file it never closes.
BIG_BODY = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def collected() -> Iterator[None]:
    """Collect garbage at teardown, so the spooled file's warning stays with its own test."""
    yield
    gc.collect()


@both_stores
def test_a_pdf_with_a_script_is_kept_without_it(client: FlaskClient, app: Flask) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    script = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    page = person.upload(
        "birth_certificate", clean_pdf(script, catalog=b"/OpenAction 5 0 R"), "giay.pdf"
    )
    assert person.response.status_code == 200
    assert "giay.pdf" in page.select_one("#birth_certificate-slot .files").get_text()
    with app.app_context():
        stored = db.session.scalar(sa.select(StoredFile).order_by(StoredFile.id.desc()))
    kept = stored_bytes(app, stored.stored_name)
    assert kept.startswith(b"%PDF-") and stored.size == len(kept)
    keys, names, text = walk(kept)
    assert not {"/OpenAction", "/JS"} & keys and "app.alert" not in text


@BIG_BODY
def test_a_30_mb_file_is_refused_with_the_limit(
    client: FlaskClient, app: Flask, collected: None
) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    page = person.upload(
        "birth_certificate", b"\xff\xd8\xff" + b"\x00" * (30 * 1024 * 1024), "to.jpg"
    )
    assert person.response.status_code == 422
    assert "10 MB" in page.select_one("#birth_certificate-error").get_text()


@BIG_BODY
@both_stores
def test_uploads_are_cleaned_and_kept_outside_static(
    client: FlaskClient, app: Flask, uploads, store: dict, collected: None
) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    person.upload("birth_certificate", photo((4000, 3000)), "IMG_0001.JPG")
    assert person.response.status_code == 200
    items = person.page.select("#birth_certificate-slot .files li")
    assert len(items) == 1 and "IMG_0001.JPG" in items[0].get_text()
    with app.app_context():
        stored = db.session.scalar(sa.select(StoredFile).order_by(StoredFile.id.desc()))
    path = uploads / stored.stored_name[:2] / stored.stored_name
    if store:  # in the object store, and nowhere on this node's disk
        assert stored.stored_name in objects(store["S3_ENDPOINT_URL"]) and not path.exists()
    else:
        assert path.is_file() and "static" not in str(path)
    from PIL import Image

    with Image.open(io.BytesIO(stored_bytes(app, stored.stored_name))) as image:
        assert max(image.size) == 2000


@both_stores
def test_upload_with_htmx_returns_only_the_slot(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    form = person.page.select_one("form.upload-form[data-slot=birth_certificate]")

    response = client.post(
        form["action"],
        data={
            "csrf_token": form.select_one("[name=csrf_token]")["value"],
            "tep": (io.BytesIO(photo()), "a.jpg"),
        },
        content_type="multipart/form-data",
        headers={"X-Upload": "1"},
    )
    text = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and "<html" not in text
        and 'id="birth_certificate-slot"' in text
    )


@both_stores
def test_removing_a_file(client: FlaskClient, app: Flask) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    person.upload("birth_certificate", photo())
    before = count(app, StoredFile)
    with app.app_context():
        name = db.session.scalar(sa.select(StoredFile.stored_name).order_by(StoredFile.id.desc()))
    assert stored_bytes(app, name)
    person.submit("#birth_certificate-slot form.inline")
    assert count(app, StoredFile) == before - 1
    assert not person.page.select("#birth_certificate-slot .files li")
    with pytest.raises(Missing):  # the file itself went too
        stored_bytes(app, name)


def test_continuing_without_a_required_upload_is_refused(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    page = person.submit()
    assert person.response.status_code == 422
    assert page.select_one("#error-summary a[href='#birth_certificate-tep']")


def test_late_birth_is_explained_not_refused(client: FlaskClient, app: Flask) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.submit(changes={"filler": "self"})
    person.submit(changes=KHAI_SINH["nguoi-yeu-cau"])
    late = {
        **KHAI_SINH["tre-em"],
        "child_birth_date-ngay": "1",
        "child_birth_date-thang": "1",
        "child_birth_date-nam": "2025",
    }
    page = person.submit(changes=late)
    # Accepted and saved, and the person reads why it matters before going on.
    assert person.response.status_code == 200 and person.step_id == "tre-em"
    check_page(page)
    assert "hơn 60 ngày" in page.select_one("#child_birth_date-notice").get_text()
    assert page.select_one("#notice-summary")
    assert draft_of(app, person).answers["child_birth_date"] == "2025-01-01"
    assert person.submit().h1.get_text() == "Thông tin của mẹ"
    check = person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    assert "hơn 60 ngày" in check.select_one("#notices").get_text()
    future = {**late, "child_birth_date-nam": "2099"}
    person.get(person.path.replace("/kiem-tra", "/tre-em"))
    page = person.submit(changes=future)
    assert person.response.status_code == 422
    assert "chưa tới" in page.select_one("#child_birth_date-error").get_text()


def test_late_death_registration_is_explained_and_accepted(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.000656")
    person.answer_all(KHAI_TU, [], until="viec-mat")
    late = {**KHAI_TU["viec-mat"], **date_inputs("death_date", born_days_ago(20))}
    page = person.submit(changes=late)
    assert person.response.status_code == 200 and person.step_id == "viec-mat"
    assert "15 ngày" in page.select_one("#death_date-notice").get_text()
    person.submit()
    assert person.step_id == "giay-to"


def test_a_death_before_the_birth_is_refused_by_the_field(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.000656")
    person.answer_all(KHAI_TU, [], until="viec-mat")
    before = {
        **KHAI_TU["viec-mat"],
        **date_inputs("death_date", {"ngay": "1", "thang": "1", "nam": "1949"}),
    }
    page = person.submit(changes=before)
    assert person.response.status_code == 422
    assert "04/07/1950" in page.select_one("#death_date-error").get_text()


def sent(client: FlaskClient, app: Flask, code: str, answers: dict, uploads: list[str]) -> dict:
    """Answer a whole form, check that every step page fits the budget, send; the answers kept."""
    person = Applicant(client)
    person.start(code)
    for _ in range(15):
        assert gzipped_size(person.response) <= STEP_BUDGET, person.step_id
        if person.step_id == "kiem-tra":
            break
        for slot in uploads:
            if person.page.select_one(f"form.upload-form[data-slot={slot}]"):
                person.upload(slot, photo())
        person.submit(changes=answers.get(person.step_id, {}))
        assert person.response.status_code == 200, (person.step_id, person.errors())
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    number = done.select_one(".dossier-code").get_text(strip=True)
    with app.app_context():
        return db.session.scalar(sa.select(Dossier).where(Dossier.code == number)).answers


def test_a_death_registration_keeps_the_death_notice_and_the_time(
    client: FlaskClient, app: Flask
) -> None:
    answers = sent(client, app, "1.000656", KHAI_TU, ["death_notice"])
    assert answers["death_notice_number"] == "12/GBT"
    assert answers["death_notice_issuer"] == "Ủy ban nhân dân xã Tân Sơn"
    assert answers["death_notice_date"] and (answers["death_hour"], answers["death_minute"]) == (
        14,
        30,
    )


def test_a_death_notice_dated_before_the_death_is_refused(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.000656")
    person.answer_all(KHAI_TU, [], until="viec-mat")
    early = {**KHAI_TU["viec-mat"], **date_inputs("death_notice_date", born_days_ago(5))}
    page = person.submit(changes={**early, "death_hour": "24"})
    assert person.response.status_code == 422
    assert "trước ngày mất" in page.select_one("#death_notice_date-error").get_text()
    assert "23" in page.select_one("#death_hour-error").get_text()


def test_a_copy_request_describes_the_person_named_in_the_record(
    client: FlaskClient, app: Flask
) -> None:
    answers = sent(client, app, "2.000635", BAN_SAO, [])
    assert answers["record_person_sex"] == "nu"
    assert answers["record_person_ethnicity"] == "Mường"
    assert answers["record_person_nationality"] == "Việt Nam"
    assert answers["record_person_address"]["unit"] == 8566
    assert answers["copies"] == 2


def test_a_marital_status_confirmation_can_cover_an_earlier_residence(
    client: FlaskClient, app: Flask
) -> None:
    period = {
        "past_residence": "co",
        "past_residence_place": "xã Yên Sở, huyện Thanh Trì, Hà Nội",
        **date_inputs("past_residence_from", {"ngay": "1", "thang": "9", "nam": "2015"}),
        **date_inputs("past_residence_to", {"ngay": "30", "thang": "6", "nam": "2020"}),
    }
    person = Applicant(client)
    person.start("1.004873")
    person.answer_all(XAC_NHAN, [], until="thoi-gian-cu-tru")
    backwards = {
        **period,
        **date_inputs("past_residence_to", {"ngay": "1", "thang": "1", "nam": "2014"}),
    }
    page = person.submit(changes=backwards)
    assert person.response.status_code == 422
    assert "01/09/2015" in page.select_one("#past_residence_to-error").get_text()
    answers = sent(app.test_client(), app, "1.004873", {**XAC_NHAN, "thoi-gian-cu-tru": period}, [])
    assert answers["past_residence_place"] == "xã Yên Sở, huyện Thanh Trì, Hà Nội"
    assert (answers["past_residence_from"], answers["past_residence_to"]) == (
        "2015-09-01",
        "2020-06-30",
    )


def test_someone_applying_for_another_person_gives_their_residence_and_relation(
    client: FlaskClient, app: Flask
) -> None:
    proxy = {
        **XAC_NHAN["nguoi-xin-cap"],
        "for_whom": "nguoi-khac",
        "proxy_name": "Hà Văn Nam",
        "proxy_cccd": "025090012345",
        "proxy_relation": "Anh trai",
        "proxy_address-tinh": "25",
        "proxy_address-xa": "8566",
        "proxy_address-chi-tiet": "Khu 5",
    }
    answers = sent(client, app, "1.004873", {**XAC_NHAN, "nguoi-xin-cap": proxy}, ["authorisation"])
    assert answers["proxy_relation"] == "Anh trai"
    assert answers["proxy_address"]["detail"] == "Khu 5"


def test_a_mother_born_after_the_child_is_refused(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="me")
    late_mother = date_inputs("mother_birth_date", born_days_ago(5))
    page = person.submit(changes={**KHAI_SINH["me"], **late_mother, "mother_cccd": ""})
    assert person.response.status_code == 422
    assert "trước ngày sinh của trẻ" in page.select_one("#mother_birth_date-error").get_text()


def test_inline_check_returns_the_field_with_its_message(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.submit(changes={"filler": "self"})
    field = person.page.select_one("#requester_cccd-field")
    url = field["data-hx-post"]
    csrf = person.page.select_one("[name=csrf_token]")["value"]
    response = client.post(url, data={"csrf_token": csrf, "requester_cccd": "123"}, headers=HX)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in text
    assert "12 chữ số" in parse(response).select_one("#requester_cccd-error").get_text()
    good = client.post(url, data={"csrf_token": csrf, "requester_cccd": "025195012345"}, headers=HX)
    assert not parse(good).select_one(".error-message")


def test_communes_follow_the_province(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.submit(changes={"filler": "self"})
    select = person.page.select_one("#requester_address-tinh")
    options = parse(client.get(select["data-hx-get"] + "&requester_address-tinh=1", headers=HX))
    names = [o.get_text() for o in options.select("option")]
    assert "Phường Ba Đình" in names and "Xã Tân Sơn" not in names


def test_province_change_without_javascript_keeps_what_was_typed(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.submit(changes={"filler": "self"})
    page = person.submit(
        changes={
            "requester_name": "Lò Văn Páo",
            "requester_address-tinh": "1",
            "hanh-dong": "tinh:requester_address",
        }
    )
    assert person.response.status_code == 200 and not page.select(".error-message")
    assert page.select_one("#requester_name")["value"] == "Lò Văn Páo"
    assert "Phường Ba Đình" in page.select_one("#requester_address-xa").get_text()


def test_helper_submits_on_behalf_with_consent(client: FlaskClient, app: Flask) -> None:
    person = Applicant(client)
    person.start("1.001193")
    page = person.submit(
        changes={"filler": "helper", "helper_name": "Nguyễn Văn Tổ", "helper_phone": "0977000111"}
    )
    assert person.response.status_code == 422
    assert page.select_one("#helper_consent-error")
    person.submit(
        changes={
            "filler": "helper",
            "helper_name": "Nguyễn Văn Tổ",
            "helper_phone": "0977000111",
            "helper_consent": "co",
        }
    )
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    assert "Nguyễn Văn Tổ" in done.get_text()
    code = done.select_one(".dossier-code").get_text(strip=True)
    with app.app_context():
        dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        assert (dossier.helper_name, dossier.helper_phone) == ("Nguyễn Văn Tổ", "0977000111")
        assert dossier.helper_consent_at is not None
        event = db.session.scalar(
            sa.select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
        )
        assert event.actor_role == "helper"
    receipt = parse(client.get(done.select_one("a[href$='/bien-nhan']")["href"]))
    check_page(receipt)
    facts = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in receipt.select(".facts dt")
    }
    assert "Nguyễn Văn Tổ" in facts["Người làm giúp"]
    assert "đã đồng ý" in facts["Sự đồng ý của người dân"]


def test_leaving_forgets_the_draft_on_this_device(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    url = person.path
    person.submit(".resume-box form")
    assert person.path == "/da-thoat"
    assert client.get(url).headers["Location"].endswith("/tiep-tuc")


def test_codes_are_sequential_per_unit_and_day(client: FlaskClient, app: Flask) -> None:
    first = sent_khai_sinh(client).page.select_one(".dossier-code").get_text(strip=True)
    second = sent_khai_sinh(app.test_client()).page.select_one(".dossier-code").get_text(strip=True)
    assert first[:12] == second[:12]
    assert int(second[-4:]) == int(first[-4:]) + 1


STEP_BUDGET = 14 * 1024


def test_every_step_page_fits_the_byte_budget(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    sizes = {}
    for _ in range(12):
        sizes[person.step_id] = gzipped_size(person.response)
        if person.step_id == "kiem-tra":
            break
        for slot in KHAI_SINH_UPLOADS:
            if person.page.select_one(f"form.upload-form[data-slot={slot}]"):
                person.upload(slot, photo())
        person.submit(changes=KHAI_SINH.get(person.step_id, {}))
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    sizes["xong"] = gzipped_size(person.response)
    assert done.select_one(".dossier-code")
    assert set(sizes) >= {
        "nguoi-dien",
        "nguoi-yeu-cau",
        "tre-em",
        "me",
        "cha",
        "giay-to",
        "ban-sao",
        "kiem-tra",
        "xong",
    }
    too_big = {k: v for k, v in sizes.items() if v > STEP_BUDGET}
    assert not too_big, too_big


def at_previous_marriages(client: FlaskClient) -> Applicant:
    """A divorced person's marital status request, at the step listing earlier marriages."""
    person = Applicant(client)
    person.start("1.004873")
    answers = {**XAC_NHAN, "tinh-trang": {"marital_status": "da-ly-hon"}}
    person.answer_all(answers, [], until="hon-nhan-truoc")
    return person


def previous_marriage(index: int, name: str, year: str = "") -> dict[str, str]:
    item = f"previous_marriages-{index}"
    return {
        f"{item}-previous_spouse_name": name,
        f"{item}-previous_end_reason": "ly-hon",
        f"{item}-previous_end_date-ngay": "10" if year else "",
        f"{item}-previous_end_date-thang": "5" if year else "",
        f"{item}-previous_end_date-nam": year,
    }


def test_removing_an_item_keeps_the_others_in_order(client: FlaskClient, app: Flask) -> None:
    person = at_previous_marriages(client)
    while len(person.page.select("fieldset.item")) < 2:
        person.submit(changes={"hanh-dong": "them:previous_marriages"})
    page = person.submit(
        changes={
            **previous_marriage(0, "Trần Văn Một", "2015"),
            "previous_marriages-0-bo": "co",
            **previous_marriage(1, "Trần Văn Hai"),
        }
    )
    assert person.response.status_code == 422
    check_page(page)
    names = [i["value"] for i in page.select("input[name$='-previous_spouse_name']")]
    assert names == ["Trần Văn Hai"]
    assert page.select_one("#previous_marriages-0-previous_end_date-error")
    # A reload shows the same single item.
    again = person.get(person.path)
    assert [i["value"] for i in again.select("input[name$='-previous_spouse_name']")] == names
    person.submit(changes=previous_marriage(0, "Trần Văn Hai", "2018"))
    assert person.response.status_code == 200 and person.step_id != "hon-nhan-truoc"
    with app.app_context():
        saved = db.session.get(Draft, person.path.split("/")[2]).answers["previous_marriages"]
    assert [item["previous_spouse_name"] for item in saved] == ["Trần Văn Hai"]


def test_a_change_from_the_check_page_asks_the_questions_it_reveals(
    client: FlaskClient, app: Flask
) -> None:
    person = Applicant(client)
    person.start("1.004873")
    check = person.answer_all(XAC_NHAN, [])
    assert not check.select_one("#hon-nhan-truoc")
    person.get(check.select_one("a[href*='/tinh-trang?sua=1']")["href"])
    page = person.submit(changes={"marital_status": "da-ly-hon"})
    assert person.step_id == "hon-nhan-truoc"
    assert person.response.request.args.get("sua") == "1"
    assert page.select("fieldset.item")  # a divorced person lists at least one marriage
    # Skipping it is not possible: the step refuses no items, and so does the send.
    empty = person.submit(changes={"previous_marriages-0-bo": "co"})
    assert person.response.status_code == 422
    assert empty.select_one("#error-summary a[href='#previous_marriages-field']")
    assert empty.select_one("#previous_marriages-error")
    check = person.get(person.path.rsplit("/", 1)[0] + "/kiem-tra")
    refused = person.submit("form[action$='/gui']", {"declaration": "co"})
    assert person.response.status_code == 422
    assert refused.select_one("#hon-nhan-truoc .error-message")
    person.get(person.path.rsplit("/", 1)[0] + "/hon-nhan-truoc?sua=1")
    person.submit(changes=previous_marriage(0, "Trần Văn Hai", "2018"))
    assert person.step_id == "kiem-tra"
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    code = done.select_one(".dossier-code").get_text(strip=True)
    with app.app_context():
        dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        assert dossier.answers["marital_status"] == "da-ly-hon"
        assert dossier.answers["previous_marriages"][0]["previous_spouse_name"] == "Trần Văn Hai"


def test_someone_married_now_may_have_no_earlier_marriage(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.004873")
    answers = {
        **XAC_NHAN,
        "tinh-trang": {"marital_status": "dang-co", "current_spouse_name": "Lê Văn Ba"},
    }
    page = person.answer_all(answers, [], until="hon-nhan-truoc")
    assert not page.select("fieldset.item")
    person.submit()
    assert person.step_id == "kiem-tra"


def current_step(app: Flask, person: Applicant) -> str:
    return draft_of(app, person).current_step


def test_sending_an_earlier_step_again_never_moves_the_draft_back(
    client: FlaskClient, app: Flask
) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="cha")
    base = person.path.rsplit("/", 1)[0]
    old = person.get(f"{base}/tre-em")
    person.submit(changes={"child_name": "Đinh Minh Anh"})
    assert person.response.status_code == 200
    assert current_step(app, person) == "cha"
    assert draft_of(app, person).answers["child_name"] == "Đinh Minh Anh"
    assert client.get(f"{base}/tiep").headers["Location"].endswith("/cha")
    # The same old page sent again incomplete: its messages show, the draft stays at "cha".
    person.page = old
    person.submit(changes={"child_name": ""})
    assert person.response.status_code == 422
    assert current_step(app, person) == "cha"
    assert client.get(f"{base}/tiep").headers["Location"].endswith("/cha")


def test_no_form_asks_for_a_photo_of_an_identity_card(app: Flask) -> None:
    from services.forms import form_for

    with app.app_context():
        for code in ("1.000656", "1.001193", "1.000894", "1.004873", "2.000635"):
            slots = [f.name for f in form_for(code).upload_fields()]
            assert not [s for s in slots if "id_photo" in s], (code, slots)


def test_a_page_of_papers_with_none_needed_is_skipped(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.004873")
    person.answer_all(XAC_NHAN, [], until="kiem-tra")
    assert person.step_id == "kiem-tra"
    assert not person.page.select_one("#giay-to")


def test_a_sent_dossier_keeps_its_pages_after_the_draft_expires_and_is_purged(
    client: FlaskClient, app: Flask
) -> None:
    person = sent_khai_sinh(client)
    done_url = person.path
    code = person.page.select_one(".dossier-code").get_text(strip=True)
    base = done_url.rsplit("/", 1)[0]
    resume_code = draft_of(app, person).resume_code
    with app.app_context():
        row = db.session.get(Draft, base.split("/")[2])
        row.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    for _ in range(2):  # expired, then purged
        for url in (done_url, f"{base}/bien-nhan"):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert code in response.get_data(as_text=True)
            assert "bắt đầu lại" not in response.get_data(as_text=True)
        for url in (base, f"{base}/kiem-tra", f"{base}/tre-em"):
            assert client.get(url).headers["Location"].endswith("/xong"), url
        if _ == 0:
            other = Applicant(app.test_client())
            other.get("/tiep-tuc")
            page = other.submit("form[method=post]", {"ma": resume_code, "phone": "0912345678"})
            assert page.select_one(".dossier-code").get_text(strip=True) == code
            assert "Purged" in app.test_cli_runner().invoke(args=["drafts", "purge"]).output
    with app.app_context():
        assert db.session.get(Draft, base.split("/")[2]) is None
        assert db.session.scalar(sa.select(Dossier).where(Dossier.code == code)).files


def test_a_signed_in_helper_follows_the_dossier_they_sent(app: Flask) -> None:
    helper = staff_client(app, "to_cong_nghe_so")
    person = Applicant(helper)
    person.start("1.001193")
    person.submit(
        changes={
            "filler": "helper",
            "helper_name": "Nguyễn Văn Tổ",
            "helper_phone": "0977000111",
            "helper_consent": "co",
        }
    )
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    code = done.select_one(".dossier-code").get_text(strip=True)
    with app.app_context():
        dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        assert dossier.helper_user_id is not None
    inbox = parse(helper.get("/can-bo/"))
    assert code in inbox.get_text()
    assert helper.get(f"/can-bo/ho-so/{code}").status_code == 200
    # Someone else's dossier stays out of the helper's sight.
    other = sent_khai_sinh(app.test_client()).page.select_one(".dossier-code").get_text(strip=True)
    assert other not in parse(helper.get("/can-bo/")).get_text()
    assert helper.get(f"/can-bo/ho-so/{other}").status_code == 404


def test_papers_of_a_slot_an_answer_later_hid_are_not_sent(client: FlaskClient, app: Flask) -> None:
    from services import drafts as drafts_service
    from services.forms import form_for

    person = Applicant(client)
    person.start("1.001193")
    by_proxy = {
        **KHAI_SINH,
        "nguoi-yeu-cau": {**KHAI_SINH["nguoi-yeu-cau"], "requester_relation": "khac"},
    }
    check = person.answer_all(by_proxy, [*KHAI_SINH_UPLOADS, "authorisation"])
    assert "anh.jpg" in check.select_one("#giay-to").get_text()
    person.get(check.select_one("a[href*='/nguoi-yeu-cau?sua=1']")["href"])
    check = person.submit(changes={"requester_relation": "me"})
    assert person.step_id == "kiem-tra"
    draft_id = person.path.split("/")[2]
    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        sizes = {f.slot: f.size for f in draft.files}
        assert set(sizes) == {"birth_certificate", "authorisation"}
        form = form_for("1.001193")
        assert drafts_service.stored_bytes(draft, form) == sizes["birth_certificate"]
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    code = done.select_one(".dossier-code").get_text(strip=True)
    with app.app_context():
        dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        assert [f.slot for f in dossier.files] == ["birth_certificate"]


@BIG_BODY
def test_an_upload_over_the_request_limit_says_the_limit_and_leads_back(
    client: FlaskClient, app: Flask, collected: None
) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    person.upload("birth_certificate", photo())
    step_url = person.path
    page = person.upload("birth_certificate", b"\xff\xd8\xff" + b"\x00" * (32 * 1024 * 1024))
    assert person.response.status_code == 413
    check_page(page)
    assert "30 MB" in page.select_one("main").get_text()
    back = page.select_one("main a.button")["href"]
    assert back == f"{step_url}#birth_certificate-slot"
    again = person.get(back)
    assert len(again.select("#birth_certificate-slot .files li")) == 1  # kept


def test_the_upload_script_explains_a_too_large_upload(client: FlaskClient) -> None:
    person = Applicant(client)
    person.start("1.001193")
    page = person.answer_all(KHAI_SINH, [], until="giay-to")
    note = page.select_one("#birth_certificate-slot .progress")
    assert "30 MB" in note["data-too-big"]
    script = client.get(page.select_one("script[src*='site']")["src"]).get_data(as_text=True)
    assert "413" in script and "data-too-big" in script


def test_back_from_the_first_step_offers_the_draft_already_begun(
    client: FlaskClient, app: Flask
) -> None:
    person = Applicant(client)
    person.start("1.001193", phone="0987654321")
    person.submit(changes={"filler": "self"})
    draft_id = person.path.split("/")[2]
    person.get(f"/nop-ho-so/{draft_id}/nguoi-dien")
    start = person.get(person.page.select_one("a.back")["href"])
    check_page(start)
    assert start.select_one("#phone")["value"] == "0987654321"
    drafts_before = count(app, Draft)
    page = person.get(start.select_one("#draft-in-progress a")["href"])
    assert person.path == f"/nop-ho-so/{draft_id}/nguoi-yeu-cau"
    assert page.h1 is not None
    assert count(app, Draft) == drafts_before
    # Another procedure's start page, or another browser, offers nothing.
    assert not parse(client.get("/nop-ho-so/1.000656")).select_one("#draft-in-progress")
    assert not parse(app.test_client().get("/nop-ho-so/1.001193")).select_one("#draft-in-progress")


def test_enter_in_a_step_with_an_address_means_continue(client: FlaskClient) -> None:
    """Enter presses a form's first submit button: on the address step, that is "Tiếp tục"."""
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS, until="nguoi-yeu-cau")
    form = person.page.select_one("#step-form")
    assert form.select_one("button[name=hanh-dong][value^='tinh:']"), "the no-JS button is there"
    first = first_submit(form)
    assert first.get_text(strip=True) == "Tiếp tục"
    data = {**form_values(form), **KHAI_SINH["nguoi-yeu-cau"]}
    if first.get("name"):
        data[first["name"]] = first.get("value", "")
    response = client.post(form["action"], data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/tre-em")
