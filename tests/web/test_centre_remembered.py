"""A centre chosen while submitting is remembered as the chooser's; forgetting it goes back."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.journeys import BAN_SAO
from tests.journeys import Applicant
from tests.pages import check_page
from tests.pages import parse
from tests.web.test_submit_centre import START
from tests.web.test_submit_centre import TAN_SON
from tests.web.test_submit_centre import THANH_BA
from tests.web.test_submit_centre import boundary_free  # noqa: F401 (a fixture)
from tests.web.test_submit_centre import draft_unit

pytestmark = pytest.mark.usefixtures("boundary_free")


def brand(client: FlaskClient, url: str = "/thu-tuc") -> str:
    return parse(client.get(url)).select_one(".brand-name").get_text(" ", strip=True)


def test_a_centre_chosen_at_the_centre_step_is_the_one_every_page_shows(
    client: FlaskClient, app: Flask
) -> None:
    client.set_cookie("xa", str(TAN_SON))
    person = Applicant(client)
    person.start(START.rsplit("/", 1)[1])
    person.answer_all(BAN_SAO, [])
    change = person.get(person.path.replace("/kiem-tra", "/trung-tam"))
    check_page(change)
    person.submit("form[action$='/trung-tam']", {"xa": "99999"})  # not a centre
    assert person.response.status_code == 422 and client.get_cookie("xa").value == str(TAN_SON)
    person.submit("form[action$='/trung-tam']", {"xa": str(THANH_BA)})
    assert person.step_id == "kiem-tra" and draft_unit(app, person) == THANH_BA
    cookie = client.get_cookie("xa")
    assert cookie.value == str(THANH_BA) and cookie.http_only
    assert brand(client).startswith("Xã Thanh Ba")
    # The page it redirects to already shows it (the cookie is back with that request).
    assert person.page.select_one(".brand-name").get_text().startswith("Xã Thanh Ba")


def test_a_centre_chosen_at_the_start_is_remembered_and_not_asked_again(
    client: FlaskClient, app: Flask
) -> None:
    person = Applicant(client)
    assert client.get_cookie("xa") is None
    person.get(START)
    person.submit(f"form[action='{START}']", {"phone": "0912345678", "xa": str(THANH_BA)})
    assert person.step_id == "nguoi-dien" and client.get_cookie("xa").value == str(THANH_BA)
    again = parse(client.get(START))
    assert not again.select("#xa-field")  # known now: nothing asked
    assert "Xã Thanh Ba" in again.select_one("#receiving-centre").get_text()
    assert brand(client).startswith("Xã Thanh Ba")


# --- Forgetting the centre ---------------------------------------------------------------------


def forget_form(client: FlaskClient, **headers: str):
    response = client.get("/xa", headers=headers)
    assert response.headers["Cache-Control"] == "no-cache, private"  # a token, a choice
    page = parse(response)
    check_page(page)
    return page.select_one("form[action='/xa/bo-chon']")


def test_forgetting_the_centre_goes_back_to_the_page_the_person_was_on(
    client: FlaskClient,
) -> None:
    assert forget_form(client) is None  # nothing chosen: nothing to forget
    client.get(f"/xa/{THANH_BA}")
    assert brand(client).startswith("Xã Thanh Ba")
    form = forget_form(client, Referer="http://localhost/thu-tuc?q=khai+sinh")
    assert form is not None and form["method"] == "post"
    assert form.select_one("button").get_text(strip=True) == "Bỏ chọn"
    values = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert values["tiep"] == "/thu-tuc?q=khai+sinh"
    # Searching the list (without JavaScript) keeps where to go back to.
    searched = parse(client.get("/xa", query_string={"q": "thanh", "tiep": values["tiep"]}))
    kept = searched.select_one("form[action='/xa/bo-chon'] [name=tiep]")
    assert kept["value"] == "/thu-tuc?q=khai+sinh"
    assert searched.select_one("form[role=search] [name=tiep]")["value"] == kept["value"]

    response = client.post("/xa/bo-chon", data=values)
    assert response.status_code == 303 and response.location == "/thu-tuc?q=khai+sinh"
    assert client.get_cookie("xa") is None
    page = parse(client.get("/thu-tuc?q=khai+sinh"))
    assert page.select_one(".brand-name").get_text().startswith("Xã Tân Sơn")  # the default
    assert "Chọn Trung tâm của xã, phường bạn" in page.select_one("footer").get_text()


def test_forgetting_needs_the_forms_token(client: FlaskClient) -> None:
    client.get(f"/xa/{THANH_BA}")
    response = client.post("/xa/bo-chon", data={"tiep": "/thu-tuc"})
    assert response.status_code == 400
    assert client.get_cookie("xa").value == str(THANH_BA)


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/thu-tuc",
        "//evil.example/thu-tuc",
        "/\\evil.example",
        "javascript:alert(1)",
        "thu-tuc",
        "/thu-tuc\r\nSet-Cookie: x=1",
        "/xa",
        "",
    ],
)
def test_only_a_path_of_this_portal_is_gone_back_to(client: FlaskClient, back: str) -> None:
    client.get(f"/xa/{THANH_BA}")
    form = forget_form(client, Referer=back) if back.isprintable() else forget_form(client)
    assert form.select_one("[name=tiep]") is None  # the Referer gave nothing to go back to
    token = form.select_one("[name=csrf_token]")["value"]
    response = client.post("/xa/bo-chon", data={"csrf_token": token, "tiep": back})
    assert response.status_code == 303 and response.location == "/xa"
    assert client.get_cookie("xa") is None


def test_a_same_site_address_with_the_host_is_kept_as_a_path(client: FlaskClient) -> None:
    client.get(f"/xa/{THANH_BA}")
    token = forget_form(client).select_one("[name=csrf_token]")["value"]
    data = {"csrf_token": token, "tiep": "http://localhost/tra-cuu?ma=08566-261201-0001"}
    response = client.post("/xa/bo-chon", data=data)
    assert response.location == "/tra-cuu?ma=08566-261201-0001"


def test_with_nothing_chosen_the_search_carries_no_return_address(client: FlaskClient) -> None:
    page = parse(client.get("/xa", headers={"Referer": "http://localhost/thu-tuc"}))
    assert page.select_one("form[role=search] [name=tiep]") is None
    assert page.select_one("form[action='/xa/bo-chon']") is None
