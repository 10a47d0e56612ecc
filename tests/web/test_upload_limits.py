"""Uploads are limited per draft (or dossier) and per address; the page stays usable at 429."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from blueprints.incoming import UPLOADS_PER_ADDRESS
from blueprints.incoming import UPLOADS_PER_DRAFT
from extensions import db
from models import StoredFile
from tests.journeys import KHAI_SINH
from tests.journeys import Applicant
from tests.journeys import form_values
from tests.journeys import photo
from tests.objectstore import both_stores
from tests.pages import check_page
from tests.pages import parse
from tests.web.test_apply import draft_of
from tests.web.test_lookup import asked_to_correct

# Limits count tries, wherever the files go.
pytestmark = both_stores

NOT_A_FILE = b"not a photo"  # refused at once: the tries still count, and cost no decode
PER_DRAFT = int(UPLOADS_PER_DRAFT.split()[0])
PER_ADDRESS = int(UPLOADS_PER_ADDRESS.split()[0])


def at_the_papers(client: FlaskClient) -> Applicant:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    assert person.step_id == "giay-to"
    return person


def send(client: FlaskClient, person: Applicant, content: bytes, script: bool = True):
    form = person.page.select_one("form.upload-form[data-slot=birth_certificate]")
    return client.post(
        form["action"],
        data={**form_values(form), "tep": (io.BytesIO(content), "giay.jpg")},
        content_type="multipart/form-data",
        headers={"X-Upload": "1"} if script else {},
    )


def test_uploads_to_one_draft_are_limited_and_the_step_stays_usable(
    client: FlaskClient, app: Flask
) -> None:
    person = at_the_papers(client)
    assert send(client, person, photo()).status_code == 200  # one kept before the limit
    statuses = [send(client, person, NOT_A_FILE).status_code for _ in range(PER_DRAFT - 1)]
    assert statuses == [422] * (PER_DRAFT - 1)
    blocked = send(client, person, photo())
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    slot = parse(blocked).select_one("#birth_certificate-slot")
    message = slot.select_one("#birth_certificate-error").get_text()
    assert "đợi khoảng 10 phút" in message and "vẫn được giữ" in message
    assert "giay.jpg" in slot.select_one(".files").get_text()  # the file sent before stays
    # Without JavaScript: the whole step again, a page like any other, the answers kept.
    page = parse(send(client, person, photo(), script=False))
    check_page(page)
    assert "đợi khoảng" in page.select_one("#birth_certificate-error").get_text()
    assert page.select_one("form.upload-form[data-slot=birth_certificate]") is not None
    assert draft_of(app, person).answers["child_name"]
    with app.app_context():
        kept = db.session.scalars(
            sa.select(StoredFile).where(StoredFile.draft_id == draft_of(app, person).id)
        ).all()
    assert len(kept) == 1
    # Another draft from the same address is not held back by this one's limit.
    other = at_the_papers(app.test_client())
    assert send(other.client, other, photo()).status_code == 200


def test_uploads_from_one_address_are_limited_across_drafts(app: Flask) -> None:
    client = app.test_client()
    people = [at_the_papers(client) for _ in range(-(-PER_ADDRESS // PER_DRAFT) + 1)]
    sent = 0
    for person in people:
        for _ in range(min(PER_DRAFT, PER_ADDRESS - sent)):
            assert send(client, person, NOT_A_FILE).status_code == 422
            sent += 1
    fresh = people[-1]
    assert sent == PER_ADDRESS
    blocked = send(client, fresh, photo())
    assert blocked.status_code == 429
    assert "đợi khoảng" in parse(blocked).select_one("#birth_certificate-error").get_text()
    # Someone else, from another address, uploads as usual.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    other = at_the_papers(elsewhere)
    assert send(elsewhere, other, photo()).status_code == 200


def test_supplement_uploads_are_limited_per_dossier(app: Flask) -> None:
    code, citizen = asked_to_correct(app, ["birth_certificate"])
    page = parse(citizen.get(f"/tra-cuu?ma={code}"))
    form = page.select_one("form.upload-form[data-slot=birth_certificate]")

    def upload(content: bytes, script: bool = True):
        return citizen.post(
            form["action"],
            data={**form_values(form), "tep": (io.BytesIO(content), "bo-sung.jpg")},
            content_type="multipart/form-data",
            headers={"X-Upload": "1"} if script else {},
        )

    assert [upload(NOT_A_FILE).status_code for _ in range(PER_DRAFT)] == [422] * PER_DRAFT
    blocked = upload(photo())
    assert blocked.status_code == 429
    assert "đợi khoảng" in parse(blocked).get_text()
    page = parse(upload(photo(), script=False))
    check_page(page)
    assert "đợi khoảng" in page.select_one("#birth_certificate-slot").get_text()
    assert page.select_one("form[action$='/bo-sung']") is not None  # can still send the rest


def test_uploads_throttled_without_the_phone_number_get_a_plain_429(app: Flask) -> None:
    code, citizen = asked_to_correct(app, ["birth_certificate"])
    action = parse(citizen.get(f"/tra-cuu?ma={code}")).select_one("form.upload-form")["action"]
    stranger = app.test_client()
    token = parse(stranger.get(f"/tra-cuu?ma={code}")).select_one("[name=csrf_token]")["value"]

    def upload(client: FlaskClient, url: str, csrf: str):
        return client.post(
            url,
            data={"csrf_token": csrf, "tep": (io.BytesIO(NOT_A_FILE), "x.jpg")},
            content_type="multipart/form-data",
            headers={"X-Upload": "1"},  # as site.js sends it: the paper's block alone
        )

    # The limit counts every try on the dossier; the page with the paper is only the owner's.
    statuses = [upload(stranger, action, token).status_code for _ in range(PER_DRAFT)]
    assert statuses == [403] * PER_DRAFT
    blocked = upload(stranger, action, token)
    assert blocked.status_code == 429
    check_page(parse(blocked))
    page = parse(blocked)
    assert page.select_one(".status-card, .upload, form.upload-form") is None  # the error page
    # The owner, throttled in turn, for an item that is not a paper asked for: no paper to
    # show the wait by, so the plain page too.
    token = parse(citizen.get(f"/tra-cuu?ma={code}")).select_one("[name=csrf_token]")["value"]
    not_a_paper = upload(citizen, action.replace("birth_certificate", "child_sex"), token)
    assert not_a_paper.status_code == 429 and not_a_paper.headers["Cache-Control"] == "no-store"
    assert parse(not_a_paper).select_one(".status-card, .upload, form.upload-form") is None
