"""Headers that keep personal pages and papers private."""

from __future__ import annotations

from flask import Flask

from extensions import db
from models import StoredFile
from tests.journeys import KHAI_SINH
from tests.journeys import KHAI_SINH_UPLOADS
from tests.journeys import Applicant
from tests.journeys import form_values
from tests.journeys import photo
from tests.objectstore import both_stores
from tests.pages import parse
from tests.staff import staff_client
from tests.web.test_backoffice import submitted


def no_store(person: Applicant) -> bool:
    return person.response.headers.get("Cache-Control") == "no-store"


def test_every_page_with_the_persons_data_is_never_stored(app: Flask) -> None:
    person = Applicant(app.test_client())
    person.start("1.001193")
    seen = []
    for _ in range(20):  # every step, prefilled with what was typed (the full CCCD)
        assert person.response.status_code == 200
        assert no_store(person), person.path
        seen.append(person.step_id)
        if person.step_id == "kiem-tra":
            break
        for slot in KHAI_SINH_UPLOADS:
            if person.page.select_one(f"form.upload-form[data-slot={slot}]"):
                person.upload(slot, photo())
                assert no_store(person), ("upload", person.path)
        person.submit(changes=KHAI_SINH.get(person.step_id, {}))
    assert len(seen) > 3 and seen[-1] == "kiem-tra"
    # A step refused for a missing answer shows the rest of what was typed: private too.
    check_url = person.path
    person.get(check_url.replace("/kiem-tra", "/nguoi-yeu-cau"))
    assert person.response.status_code == 200 and no_store(person)
    person.submit(changes={"requester_name": ""})
    assert person.response.status_code == 422 and person.errors() and no_store(person)
    person.get(check_url)
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    assert no_store(person), person.path
    code = done.select_one(".dossier-code").get_text(strip=True)
    person.get(person.path.replace("/xong", "/bien-nhan"))
    assert person.response.status_code == 200 and no_store(person)

    # The status page by code alone holds no personal data; once the phone is given it does.
    lookup = Applicant(app.test_client())
    page = lookup.get(f"/tra-cuu?ma={code}")
    assert lookup.response.status_code == 200 and not no_store(lookup)
    wrong = lookup.client.post(
        f"/tra-cuu/{code}",
        data={**form_values(page.select_one("form[action^='/tra-cuu/']")), "phone": "0987654321"},
    )
    assert wrong.status_code == 422 and wrong.headers["Cache-Control"] == "no-store"
    lookup.submit("form[action^='/tra-cuu/']", {"phone": "0912345678"})
    assert lookup.page.select_one("a[href$='/rut']"), "not the verified page"
    assert no_store(lookup)
    lookup.get(f"/tra-cuu/{code}/rut")
    assert lookup.response.status_code == 200 and no_store(lookup)


def test_staff_pages_are_never_stored_by_the_same_mechanism(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/can-bo/dang-nhap").headers["Cache-Control"] == "no-store"
    staff = staff_client(app, "tiep_nhan")
    response = staff.get("/can-bo/")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    # Public pages keep their own caching.
    assert client.get("/quyen-rieng-tu").headers.get("Cache-Control") != "no-store"


@both_stores
def test_staff_downloads_keep_every_protection_and_only_photos_and_pdfs_open_inline(
    app: Flask,
) -> None:
    code = submitted(app)
    staff = staff_client(app, "tiep_nhan")
    page = parse(staff.get(f"/can-bo/ho-so/{code}"))
    links = [a["href"] for a in page.select("a[href*='/tep/']")]
    assert links
    response = staff.get(links[0])
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    headers = response.headers
    assert "sandbox" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Disposition"].startswith("inline;")
    assert headers["Content-Disposition"].endswith(".jpg")
    response.close()
    # Any other type, should one ever be stored, is saved rather than shown.
    file_id = int(links[0].rsplit("/", 1)[1])
    with app.app_context():
        stored = db.session.get(StoredFile, file_id)
        stored.mimetype = "text/html"
        db.session.commit()
    response = staff.get(links[0])
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_hsts_only_when_cookies_are_secure(make_app) -> None:
    plain = make_app().test_client().get("/")
    assert "Strict-Transport-Security" not in plain.headers
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client()
    for path in ("/", "/can-bo/dang-nhap", "/khong-co"):
        assert secure.get(path).headers["Strict-Transport-Security"] == "max-age=31536000"
