"""Links the portal sends point only to the portal: never to the Host a request claims."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from extensions import db
from models import Dossier
from models import OutboxMessage
from services.links import public_url
from tests.journeys import KHAI_SINH
from tests.journeys import KHAI_SINH_UPLOADS
from tests.journeys import Applicant
from tests.pages import parse


def send_khai_sinh(person: Applicant) -> str:
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    return done.select_one(".dossier-code").get_text(strip=True)


def sms_of(app: Flask, code: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(OutboxMessage.body)
                .join(Dossier, Dossier.id == OutboxMessage.dossier_id)
                .where(Dossier.code == code, OutboxMessage.channel == "sms")
            )
        )


def test_another_host_is_refused_with_a_plain_page(make_app) -> None:
    app = make_app(PUBLIC_URL="")
    client = app.test_client()
    for path in ("/", "/nop-ho-so/1.001193", "/tra-cuu?ma=8566-261201-0001", "/can-bo/dang-nhap"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        page = parse(response)
        assert page.h1.get_text() == "Địa chỉ không đúng"
        assert "evil.example" not in response.get_data(as_text=True)
        assert not page.select("a[href], form, script")
    # A POST is refused before anything is saved or queued.
    response = client.post(
        "/nop-ho-so/1.001193", data={"phone": "0912345678"}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 400


def test_the_configured_host_and_loopback_are_served(make_app) -> None:
    app = make_app(PUBLIC_URL="https://tanson.example.gov.vn")
    client = app.test_client()
    for host in ("tanson.example.gov.vn", "localhost", "127.0.0.1:8000"):
        assert client.get("/tra-cuu", headers={"Host": host}).status_code == 200, host
    assert (
        client.get("/tra-cuu", headers={"Host": "tanson.example.gov.vn.evil.example"}).status_code
        == 400
    )


def test_behind_a_proxy_a_forged_forwarded_host_is_refused(make_app) -> None:
    app = make_app(PUBLIC_URL="https://tanson.example.gov.vn", PROXIES=1)
    client = app.test_client()
    forged = client.get("/tra-cuu", headers={"X-Forwarded-Host": "evil.example"})
    assert forged.status_code == 400
    real = client.get("/tra-cuu", headers={"X-Forwarded-Host": "tanson.example.gov.vn"})
    assert real.status_code == 200


def test_without_a_public_url_links_point_at_the_local_server(make_app) -> None:
    # The default `make run`: gunicorn on 127.0.0.1:PORT, nothing configured.
    app = make_app(PUBLIC_URL="", PORT=8123)
    person = Applicant(app.test_client())
    code = send_khai_sinh(person)
    link = f"http://127.0.0.1:8123/tra-cuu?ma={code}"
    (sms,) = sms_of(app, code)
    assert sms.endswith(f"Xem: {link}")
    receipt = person.get(person.path.replace("/xong", "/bien-nhan"))
    assert receipt.select_one(".url").get_text(strip=True) == link


def test_a_message_queued_on_any_host_links_to_the_public_url(app: Flask) -> None:
    person = Applicant(app.test_client())
    # 127.0.0.1 is trusted (a health check, a local helper), but it is not the portal's address.
    person.client.environ_base["HTTP_HOST"] = "127.0.0.1:8000"
    code = send_khai_sinh(person)
    link = f"https://tanson.example.gov.vn/tra-cuu?ma={code}"
    (sms,) = sms_of(app, code)
    assert sms.endswith(f"Xem: {link}")
    receipt = person.get(person.path.replace("/xong", "/bien-nhan"))
    assert receipt.select_one(".url").get_text(strip=True) == link
    assert "127.0.0.1" not in str(receipt.select_one("figure"))
    checklist = person.get("/thu-tuc/1.001193/in")
    assert checklist.select_one(".url").get_text(strip=True) == (
        "https://tanson.example.gov.vn/thu-tuc/1.001193"
    )


def test_links_outside_a_request_use_the_public_url_with_its_path(make_app) -> None:
    app = make_app(PUBLIC_URL="https://dichvucong.phutho.gov.vn/tan-son/")
    with app.app_context():
        assert public_url("lookup.index", ma="8566-261201-0001") == (
            "https://dichvucong.phutho.gov.vn/tan-son/tra-cuu?ma=8566-261201-0001"
        )
