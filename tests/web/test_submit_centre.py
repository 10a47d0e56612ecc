"""The centre an online dossier goes to: the one chosen if boundary-free, else the address's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from models import Dossier
from models import Draft
from models import Procedure
from tests.conftest import HX
from tests.journeys import BAN_SAO
from tests.journeys import KHAI_SINH
from tests.journeys import KHAI_SINH_UPLOADS
from tests.journeys import Applicant
from tests.pages import check_page
from tests.pages import fragment
from tests.pages import gzipped_size
from tests.pages import parse
from tests.staff import staff_client

BOUNDARY_FREE = "2.000635"  # a copy of a civil-status record, made boundary-free for these tests
START = f"/nop-ho-so/{BOUNDARY_FREE}"
THANH_BA, TAN_SON = 8152, 8566
BA_DINH = (1, 4)  # Phường Ba Đình, Thành phố Hà Nội: another province


@pytest.fixture
def boundary_free(app: Flask) -> Iterator[None]:
    with app.app_context():
        db.session.get(Procedure, BOUNDARY_FREE).is_non_territorial = True
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            db.session.get(Procedure, BOUNDARY_FREE).is_non_territorial = False
            db.session.commit()


def dossier_of(app: Flask, person: Applicant) -> Dossier:
    code = person.page.select_one(".dossier-code").get_text(strip=True)
    with app.app_context():
        dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code == code))
        db.session.expunge(dossier)
        return dossier


def draft_unit(app: Flask, person: Applicant) -> int:
    with app.app_context():
        return db.session.get(Draft, person.path.split("/")[2]).unit_code


def inbox_codes(app: Flask, unit: int) -> str:
    clerk = staff_client(app, "tiep_nhan", unit=unit)
    return parse(clerk.get("/can-bo/", follow_redirects=True)).get_text(" ")


def test_a_boundary_free_dossier_is_sent_to_another_communes_centre(
    client: FlaskClient, app: Flask, boundary_free: None
) -> None:
    person = Applicant(client)
    page = person.get(START)
    check_page(page)
    # No centre known: the start page asks, over the whole province.
    radios = page.select("#xa-field input[type=radio][name=xa]")
    assert len(radios) > 100 and not any(r.has_attr("checked") for r in radios)
    # Searching without accents keeps the phone typed, and starts nothing.
    page = person.submit("form[action='/nop-ho-so/2.000635']", {"phone": "0912345678",
                         "q": "thanh ba", "tim": "1"})  # fmt: skip
    assert person.response.status_code == 200 and person.path == START
    assert page.select_one("#phone")["value"] == "0912345678"
    found = [r["value"] for r in page.select("#centre-list input[name=xa]")]
    assert str(THANH_BA) in found and len(found) < 5
    page = person.submit("form[action='/nop-ho-so/2.000635']", {"xa": str(THANH_BA)})
    assert person.step_id == "nguoi-dien", person.errors()
    assert draft_unit(app, person) == THANH_BA
    check = person.answer_all(BAN_SAO, [])  # the person lives in Tân Sơn
    box = check.select_one("#receiving-centre").get_text(" ", strip=True)
    assert "Xã Thanh Ba" in box
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    assert "Xã Thanh Ba" in done.select_one("#receiving-centre").get_text()
    dossier = dossier_of(app, person)
    assert dossier.unit_code == THANH_BA and dossier.code.startswith("08152-")
    receipt = person.get(person.path.replace("/xong", "/bien-nhan"))
    assert "Xã Thanh Ba" in receipt.select_one("#receiving-centre").get_text()
    assert dossier.code in inbox_codes(app, THANH_BA)
    assert dossier.code not in inbox_codes(app, TAN_SON)


def test_the_receiving_centre_can_be_changed_before_sending(
    client: FlaskClient, app: Flask, boundary_free: None
) -> None:
    client.set_cookie("xa", str(TAN_SON))
    person = Applicant(client)
    start = person.get(START)
    assert not start.select("#xa-field")  # known from the cookie: nothing asked
    assert "Xã Tân Sơn" in start.select_one("#receiving-centre").get_text()
    person.submit("form[action='/nop-ho-so/2.000635']", {"phone": "0912345678"})
    assert draft_unit(app, person) == TAN_SON
    check = person.answer_all(BAN_SAO, [])
    change = check.select_one("#receiving-centre a")
    page = person.get(change["href"])
    check_page(page)
    assert page.select_one(f"#xa-{TAN_SON}").has_attr("checked")
    form = "form[action$='/trung-tam']"
    # A forged or foreign unit: a message by the field, the draft's centre unchanged.
    for forged in ("3388", str(BA_DINH[1]), "99999", "abc", "8152" * 3):
        page = person.submit(form, {"xa": forged})
        assert person.response.status_code == 422
        assert "Bạn hãy chọn một Trung tâm trong danh sách" in page.select_one("#xa-error").text
        assert draft_unit(app, person) == TAN_SON
    check = person.submit(form, {"xa": str(THANH_BA)})
    assert person.step_id == "kiem-tra"
    assert "Xã Thanh Ba" in check.select_one("#receiving-centre").get_text()
    person.submit("form[action$='/gui']", {"declaration": "co"})
    assert dossier_of(app, person).unit_code == THANH_BA


def test_the_centre_list_filters_with_htmx_as_a_fragment(
    client: FlaskClient, boundary_free: None
) -> None:
    response = client.get(f"{START}?q=thanh ba", headers=HX)
    soup = fragment(response)
    assert soup.select_one("#centre-list") is not None and soup.select_one("h1") is None
    assert f"xa-{THANH_BA}" in {r["id"] for r in soup.select("input[name=xa]")}
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_a_forged_centre_at_the_start_is_a_message_and_keeps_the_phone(
    client: FlaskClient, app: Flask, boundary_free: None
) -> None:
    person = Applicant(client)
    person.get(START)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Draft))
    for forged in ("", "3388", "4", "0", "-1", "٨١٥٢"):
        page = person.submit("form[action='/nop-ho-so/2.000635']", {"phone": "0912345678",
                             "xa": forged})  # fmt: skip
        assert person.response.status_code == 422, forged
        assert page.select_one("#xa-error") is not None
        assert page.select_one("#phone")["value"] == "0912345678"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Draft)) == before


def test_the_own_commune_comes_first_when_an_earlier_form_gave_it(
    client: FlaskClient, boundary_free: None
) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS, until="tre-em")  # address: Tân Sơn
    page = person.get(START)
    first = page.select_one("#centre-list input[name=xa]")
    assert first["value"] == str(TAN_SON) and first.has_attr("checked")
    assert "nơi bạn cư trú" in page.select_one(f"label[for=xa-{TAN_SON}]").get_text()


def test_a_territorial_dossier_goes_to_the_mothers_commune_whatever_was_chosen(
    client: FlaskClient, app: Flask
) -> None:
    client.set_cookie("xa", str(TAN_SON))
    person = Applicant(client)
    start = person.get("/nop-ho-so/1.001193")
    assert not start.select("#xa-field")  # the address decides: nothing to choose
    assert "Nơi mẹ đang cư trú" in start.select_one("#receiving-centre").get_text()
    person.submit("form[action^='/nop-ho-so/']", {"phone": "0912345678"})
    answers = {**KHAI_SINH, "me": {**KHAI_SINH["me"], "mother_address-xa": str(THANH_BA)}}
    check = person.answer_all(answers, KHAI_SINH_UPLOADS)
    assert draft_unit(app, person) == THANH_BA
    box = check.select_one("#receiving-centre").get_text(" ", strip=True)
    assert "Xã Thanh Ba (nơi bạn cư trú)" in box and not check.select("#receiving-centre a")
    # Nothing to change for such a procedure: the page leads back to the check page.
    change = client.get(person.path.replace("/kiem-tra", "/trung-tam"))
    assert change.status_code == 303 and change.location.endswith("/kiem-tra")
    person.submit("form[action$='/gui']", {"declaration": "co"})
    dossier = dossier_of(app, person)
    assert dossier.unit_code == THANH_BA and dossier.code.startswith("08152-")
    assert dossier.code in inbox_codes(app, THANH_BA)


def test_an_address_in_another_province_is_explained_by_the_field(
    client: FlaskClient, app: Flask
) -> None:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS, until="me")
    province, unit = BA_DINH
    other = {"mother_address-tinh": str(province), "mother_address-xa": str(unit),
             "mother_address-chi-tiet": "Số 5 phố Kim Mã"}  # fmt: skip
    page = person.submit(changes={**KHAI_SINH["me"], **other})
    assert person.response.status_code == 422 and person.step_id == "me"
    error = page.select_one("#mother_address-error").get_text(" ", strip=True)
    assert "tỉnh khác" in error and "nộp hồ sơ tại tỉnh đó" in error
    assert page.select_one("[name=mother_address-chi-tiet]")["value"] == "Số 5 phố Kim Mã"
    assert page.select_one("[name=mother_name]")["value"] == "Hà Thị Mai"
    with app.app_context():
        draft = db.session.get(Draft, person.path.split("/")[2])
        assert "mother_address" not in draft.answers and draft.unit_code == TAN_SON
    # The same message as the field is checked while typing (htmx).
    url = person.path.replace("/me", "/truong/me/mother_address")
    csrf = page.select_one("[name=csrf_token]")["value"]
    checked = fragment(client.post(url, data={"csrf_token": csrf, **other}, headers=HX))
    assert "tỉnh khác" in checked.select_one(".error-message").get_text()
    # Another person's address may be anywhere: only the one deciding competence is held.
    page = person.submit(changes={**KHAI_SINH["me"]})
    assert person.step_id == "cha"


def test_a_boundary_free_address_may_be_in_another_province(
    client: FlaskClient, app: Flask, boundary_free: None
) -> None:
    client.set_cookie("xa", str(THANH_BA))
    person = Applicant(client)
    person.start(BOUNDARY_FREE)
    province, unit = BA_DINH
    elsewhere = {"requester_address-tinh": str(province), "requester_address-xa": str(unit)}
    answers = {**BAN_SAO, "nguoi-yeu-cau": {**BAN_SAO["nguoi-yeu-cau"], **elsewhere}}
    person.answer_all(answers, [])
    person.submit("form[action$='/gui']", {"declaration": "co"})
    assert dossier_of(app, person).unit_code == THANH_BA


def test_a_signed_in_helper_follows_only_a_dossier_sent_to_their_own_unit(app: Flask) -> None:
    answers = {**KHAI_SINH, "me": {**KHAI_SINH["me"], "mother_address-xa": str(THANH_BA)}}
    followed = {}
    for unit in (THANH_BA, TAN_SON):
        person = Applicant(staff_client(app, "to_cong_nghe_so", unit=unit))
        person.start("1.001193")
        person.answer_all(answers, KHAI_SINH_UPLOADS)
        person.submit("form[action$='/gui']", {"declaration": "co"})
        dossier = dossier_of(app, person)
        assert dossier.unit_code == THANH_BA
        followed[unit] = dossier.helper_user_id is not None
    # Tân Sơn's helper sent it, but it is Thanh Ba's: staff never follow another unit's.
    assert followed == {THANH_BA: True, TAN_SON: False}


def test_the_start_page_with_every_centre_fits_the_byte_budget(
    client: FlaskClient, boundary_free: None
) -> None:
    response = client.get(START)
    assert len(parse(response).select("#centre-list input[name=xa]")) == 148
    assert gzipped_size(response) <= 14 * 1024
