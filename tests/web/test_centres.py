"""Every commune of the province is a centre: its page, choosing it once, its settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain.changelog import SETTING
from extensions import db
from models import Centre
from models import LogEntry
from tests.conftest import HX
from tests.kept import centres_kept
from tests.pages import check_page
from tests.pages import fragment
from tests.pages import parse
from tests.staff import post_form
from tests.staff import staff_client

PORTAL = "https://tanson.example.gov.vn"
FORM = "form[action='/can-bo/trung-tam']"


def centre_log_size() -> int:
    """How many changes of a centre's settings the log holds, every centre's."""
    count = sa.select(sa.func.count()).select_from(LogEntry).where(LogEntry.change == SETTING)
    return db.session.scalar(count)


# Pages every person reaches, whether or not they chose a centre; the printed ones first.
PAGES = ["/", "/thu-tuc", "/thu-tuc/1.001193", "/thu-tuc?q=khai+sinh", "/tra-cuu", "/tiep-tuc"]


@pytest.fixture(autouse=True)
def kept(app: Flask) -> Iterator[None]:
    with centres_kept(app):
        yield


def footer(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    soup = parse(response)
    check_page(soup)
    return soup.select_one("footer").get_text(" ", strip=True)


def test_a_commune_has_its_own_page_and_arriving_there_remembers_it(client: FlaskClient) -> None:
    response = client.get("/xa/8152")
    assert response.status_code == 200
    soup = parse(response)
    check_page(soup)
    assert soup.h1.get_text(strip=True) == "Trung tâm Phục vụ hành chính công Xã Thanh Ba"
    assert "Xã Thanh Ba, Tỉnh Phú Thọ" in soup.select_one("dl.facts").get_text()
    assert soup.select_one(".centre-url").get_text(strip=True) == f"{PORTAL}/xa/8152"
    assert "private" in response.headers["Cache-Control"]
    # The page that makes the choice already shows it, above and below.
    assert soup.select_one(".brand-name").get_text().startswith("Xã Thanh Ba")
    own = soup.select_one("footer").get_text(" ", strip=True)
    assert "Xã Thanh Ba" in own and "Tân Sơn" not in own and "Chọn Trung tâm khác" in own
    for url in PAGES:
        text = footer(client, url)
        assert "Xã Thanh Ba" in text and "Tân Sơn" not in text, url
        assert "Chọn Trung tâm khác" in text
    brand = parse(client.get("/thu-tuc")).select_one(".brand-name").get_text()
    assert brand.startswith("Xã Thanh Ba")


def test_without_a_choice_every_page_shows_the_default_unit_as_today(client: FlaskClient) -> None:
    for url in PAGES:
        text = footer(client, url)
        assert "Xã Tân Sơn" in text and "1800 1096" in text, url
        assert "Chọn Trung tâm của xã, phường bạn" in text
    assert client.get("/thu-tuc/1.001193/in").status_code == 200
    assert client.get("/tra-cuu?ma=8566-261201-0001").status_code == 200


@pytest.mark.parametrize("alias", ["thanh-ba", "Thanh-Ba", "xa-thanh-ba"])
def test_a_commune_is_also_found_by_its_name_without_accents(
    client: FlaskClient, alias: str
) -> None:
    soup = parse(client.get(f"/xa/{alias}"))
    assert soup.h1.get_text(strip=True).endswith("Xã Thanh Ba")
    assert "Xã Thanh Ba" in footer(client, "/thu-tuc")


@pytest.mark.parametrize(
    "url",
    [
        "/xa/3388",  # Phường Đoàn Kết, Tỉnh Lai Châu: a real unit, of another province
        "/xa/99999",
        "/xa/0",
        "/xa/khong-co-xa-nay",
        "/xa/phuong-doan-ket",  # Lai Châu's, by name
        "/xa/3388/thu-tuc/1.001193",
        "/xa/8152/thu-tuc/9.999999",
    ],
)
def test_an_unknown_or_foreign_unit_is_a_vietnamese_404_and_changes_nothing(
    client: FlaskClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    soup = parse(response)
    check_page(soup)
    assert soup.h1.get_text() == "Không tìm thấy trang"
    assert "Set-Cookie" not in response.headers
    assert "Xã Tân Sơn" in footer(client, "/thu-tuc")


@pytest.mark.parametrize("cookie", ["3388", "99999", "abc", "8152" * 10, "٨١٥٢", ""])
def test_a_cookie_naming_no_centre_of_the_province_is_ignored(
    client: FlaskClient, cookie: str
) -> None:
    client.set_cookie("xa", cookie)
    text = footer(client, "/thu-tuc/1.001193")
    assert "Xã Tân Sơn" in text and "Đoàn Kết" not in text


def test_the_chooser_lists_the_province_and_searches_without_accents(client: FlaskClient) -> None:
    soup = parse(client.get("/xa"))
    check_page(soup)
    links = soup.select("ul.centres a")
    assert len(links) == 148
    assert "148" in soup.select_one("[role=status]").get_text()
    form = soup.select_one("form[role=search]")
    assert form["method"] == "get" and form["action"] == "/xa"
    assert form["data-hx-target"] == "#centres" and soup.select_one("#centres")
    found = parse(client.get("/xa", query_string={"q": "thanh ba"})).select("ul.centres a")
    assert [a.get_text() for a in found] == ["Xã Thanh Ba"]
    assert found[0]["href"] == "/xa/8152"
    # Typed with its accents, in capitals, or a piece of a word: the same commune.
    for typed in ("Thanh Bá", "THANH BA", "thanh b"):
        names = [a.get_text() for a in parse(client.get(f"/xa?q={typed}")).select("ul.centres a")]
        assert "Xã Thanh Ba" in names, typed
    # Tone marks placed either way (Hòa / Hoà) find the same ward.
    for typed in ("Tân Hòa", "Tân Hoà", "tan hoa"):
        names = [a.get_text() for a in parse(client.get(f"/xa?q={typed}")).select("ul.centres a")]
        assert names == ["Phường Tân Hòa"], typed
    none = parse(client.get("/xa?q=zzz"))
    assert not none.select("ul.centres a")
    assert "Không thấy xã, phường nào" in none.select_one("#centres").get_text()


def test_the_chooser_filters_with_htmx_as_a_fragment(client: FlaskClient) -> None:
    response = client.get("/xa?q=viet+tri", headers=HX)
    assert "HX-Request" in response.headers["Vary"]
    part = fragment(response)
    assert [a.get_text() for a in part.select("ul.centres a")] == ["Phường Việt Trì"]
    assert part.select_one("[role=status]")


def test_the_chosen_centre_is_marked_in_the_chooser(client: FlaskClient) -> None:
    client.get("/xa/8152")
    soup = parse(client.get("/xa"))
    assert soup.select_one("a[aria-current]")["href"] == "/xa/8152"
    assert "Bạn đang chọn" in soup.select_one("main").get_text()


def test_a_cached_catalogue_page_never_shows_one_persons_centre_to_another(app: Flask) -> None:
    thanh_ba, nobody, tan_hoa = app.test_client(), app.test_client(), app.test_client()
    thanh_ba.get("/xa/8152")
    tan_hoa.get("/xa/tan-hoa")
    for url in ("/thu-tuc/1.001193", "/thu-tuc/1.001193/in", "/", "/thu-tuc?q=khai+sinh"):
        # Twice each, so the second answer comes from the cache.
        for _ in range(2):
            assert "Thanh Ba" in thanh_ba.get(url).get_data(as_text=True), url
            page = nobody.get(url).get_data(as_text=True)
            assert "Thanh Ba" not in page and "Tân Hòa" not in page, url
            page = tan_hoa.get(url).get_data(as_text=True)
            assert "Phường Tân Hòa" in page and "Thanh Ba" not in page, url
    etags = {c.get("/thu-tuc/1.001193").headers["ETag"] for c in (thanh_ba, nobody, tan_hoa)}
    assert len(etags) == 3


def test_the_checklist_prints_the_chosen_centre_and_its_qr_code_leads_back_to_it(
    app: Flask,
) -> None:
    person = app.test_client()
    person.get("/xa/8152")
    soup = parse(person.get("/thu-tuc/1.001193/in"))
    check_page(soup)
    assert "Xã Thanh Ba" in soup.select_one(".sheet-unit").get_text()
    link = soup.select_one(".url").get_text(strip=True)
    assert link == f"{PORTAL}/xa/8152/thu-tuc/1.001193"
    assert soup.select_one(".centre-url").get_text(strip=True) == f"{PORTAL}/xa/8152"
    # Someone else scans it on their own phone: the link remembers the centre for them.
    scanner = app.test_client()
    response = scanner.get(link.removeprefix(PORTAL))
    assert response.status_code == 302
    assert response.headers["Location"] == "/thu-tuc/1.001193"
    assert "Xã Thanh Ba" in footer(scanner, "/thu-tuc/1.001193")


def test_without_a_choice_the_checklist_prints_the_portals_address_as_today(
    client: FlaskClient,
) -> None:
    soup = parse(client.get("/thu-tuc/1.001193/in"))
    assert soup.select_one(".url").get_text(strip=True) == f"{PORTAL}/thu-tuc/1.001193"
    assert soup.select_one(".centre-url").get_text(strip=True) == PORTAL


def test_two_communes_of_one_name_are_offered_both(make_app) -> None:
    # Tỉnh Thanh Hóa has Xã Đồng Tiến and Phường Đông Tiến: the same without accents.
    app = make_app(PROVINCE_CODE=38, UNIT_CODE=15724)
    with centres_kept(app):
        client = app.test_client()
        response = client.get("/xa/dong-tien")
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
        soup = parse(response)
        check_page(soup)
        assert {a["href"] for a in soup.select("ul.centres a")} == {"/xa/15724", "/xa/15853"}
        assert "Phường Đông Tiến" in parse(client.get("/xa/phuong-dong-tien")).h1.get_text()
        assert client.get("/xa/8152").status_code == 404  # Phú Thọ's is foreign here


# --- The administrator's page ---------------------------------------------------------------

SETTINGS = {
    "name": "Trung tâm Phục vụ hành chính công xã Thanh Ba",
    "address": "Khu 5, xã Thanh Ba, tỉnh Phú Thọ",
    "phone": "0210 3885 123",
    "hours": "7:00 - 11:30; 13:30-17:00",
    "public_url": "",
}


def test_an_administrator_edits_their_centre_and_every_page_shows_it(app: Flask) -> None:
    admin = staff_client(app, "quan_tri", unit=8152)
    page = parse(admin.get("/can-bo/trung-tam"))
    check_page(page)
    assert page.select_one("#address")["value"] == ""  # nothing stored yet for Thanh Ba
    response = post_form(admin, page, FORM, SETTINGS)
    assert response.status_code == 303
    saved = parse(admin.get(response.headers["Location"]))
    assert "Đã lưu" in saved.select_one("[role=status]").get_text()
    assert saved.select_one("#hours")["value"] == "07:00-11:30,13:30-17:00"
    log = saved.select_one("ul.changes").get_text()
    assert "Điện thoại: (trống) → 0210 3885 123" in log
    with app.app_context():
        row = db.session.get(Centre, 8152)
        assert (row.phone, row.hours) == ("0210 3885 123", "07:00-11:30,13:30-17:00")
        changes = db.session.scalars(
            sa.select(LogEntry).where(LogEntry.unit_code == 8152, LogEntry.change == SETTING)
        ).all()
        assert {c.subject for c in changes} == {"name", "address", "phone", "hours"}
        assert len({c.actor for c in changes}) == 1
        assert changes[0].actor.startswith("quan-tri-") and changes[0].actor.endswith("-8152")
        assert db.session.get(Centre, 8566).phone == "1800 1096"  # the other centre untouched
    person = app.test_client()
    person.get("/xa/8152")
    text = footer(person, "/thu-tuc/1.001193")
    assert SETTINGS["name"] in text and "0210 3885 123" in text
    assert "07:00–11:30, 13:30–17:00" in text and "Khu 5, xã Thanh Ba" in text
    assert "Xã Tân Sơn" in footer(app.test_client(), "/thu-tuc/1.001193")
    # Saving the same again changes nothing and logs nothing.
    again = post_form(admin, parse(admin.get("/can-bo/trung-tam")), FORM)
    assert "luu=0" in again.headers["Location"]
    with app.app_context():
        assert centre_log_size() == 4


def test_a_centre_with_an_address_of_its_own_prints_it_on_qr_codes(app: Flask) -> None:
    admin = staff_client(app, "quan_tri", unit=8152)
    page = parse(admin.get("/can-bo/trung-tam"))
    post_form(admin, page, FORM, {"public_url": "https://thanhba.vn/"})
    person = app.test_client()
    person.get("/xa/8152")
    soup = parse(person.get("/thu-tuc/1.001193/in"))
    assert soup.select_one(".url").get_text(strip=True) == "https://thanhba.vn/thu-tuc/1.001193"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("hours", "sáng 7 giờ", "Giờ làm việc ghi theo mẫu"),
        ("hours", "11:30-07:30", "đóng cửa sau khi mở"),
        ("hours", "07:30-11:30, 11:00-17:00", "buổi sau bắt đầu sau buổi trước"),
        ("phone", "gọi anh Nam", "Số điện thoại chỉ gồm chữ số"),
        ("public_url", "javascript:alert(1)", "phải bắt đầu bằng https://"),
        ("public_url", "https://thanhba.vn/?a=1", "phải bắt đầu bằng https://"),
        ("address", "x" * 201, "Địa chỉ dài quá 200 ký tự"),
    ],
)
def test_a_wrong_setting_gets_a_vietnamese_message_and_keeps_what_was_typed(
    app: Flask, field: str, value: str, says: str
) -> None:
    admin = staff_client(app, "quan_tri", unit=8152)
    page = parse(admin.get("/can-bo/trung-tam"))
    response = post_form(admin, page, FORM, {**SETTINGS, field: value})
    assert response.status_code == 422
    soup = parse(response)
    check_page(soup)
    assert says in soup.select_one(f"#{field}-error").get_text()
    assert soup.select_one("#phone")["value"] == SETTINGS["phone"] or field == "phone"
    assert soup.select_one(f"#{field}")["value"] == value[:300]
    with app.app_context():
        assert db.session.get(Centre, 8152) is None
        assert centre_log_size() == 0


def test_only_an_administrator_edits_and_only_their_own_centre(app: Flask) -> None:
    clerk = staff_client(app, "tiep_nhan", unit=8152)
    assert clerk.get("/can-bo/trung-tam").status_code == 403
    assert app.test_client().get("/can-bo/trung-tam").status_code in (302, 303)
    admin = staff_client(app, "quan_tri", unit=8152)
    page = parse(admin.get("/can-bo/trung-tam"))
    # A unit slipped into the form is not read: the page edits the signed-in unit only.
    response = post_form(admin, page, FORM, {**SETTINGS, "unit_code": "8566", "unit": "8566"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Centre, 8566).phone == "1800 1096"
        assert db.session.get(Centre, 8152).phone == SETTINGS["phone"]


def test_an_administrator_of_a_unit_outside_the_province_is_told_so(app: Flask) -> None:
    admin = staff_client(app, "quan_tri", unit=3388)  # Phường Đoàn Kết, Tỉnh Lai Châu
    page = parse(admin.get("/can-bo/trung-tam"))
    response = post_form(admin, page, FORM, SETTINGS)
    assert response.status_code == 422
    assert "không thuộc tỉnh" in parse(response).select_one("#name-error").get_text()
    with app.app_context():
        assert db.session.get(Centre, 3388) is None
