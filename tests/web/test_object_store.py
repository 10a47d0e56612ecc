"""The object store: a node that loses it keeps serving, says so plainly, and recovers by itself.

Papers kept in the local folder before the store was configured stay readable, and
`flask files copy-to-store` copies them over.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from extensions import db
from models import Draft
from models import StoredFile
from models import utcnow
from services.storage import storage
from settings import ConfigurationError
from settings import from_environment
from settings import storage_location
from tests.conftest import base_config
from tests.journeys import KHAI_SINH
from tests.journeys import Applicant
from tests.journeys import photo
from tests.journeys import submitted
from tests.objectstore import BUCKET
from tests.objectstore import MotoStore
from tests.objectstore import client_for
from tests.objectstore import objects
from tests.objectstore import s3_config
from tests.objectstore import s3_environment
from tests.pages import check_page
from tests.pages import parse
from tests.staff import staff_client
from tests.web.test_apply import draft_of

# A store that is down answers nothing: each request that needs it must give up about this soon.
GIVES_UP_WITHIN = 3.0
NOBODY_LISTENS = "http://127.0.0.1:1"  # every connection refused at once


@pytest.fixture
def flaky_store() -> Iterator[MotoStore]:
    """A moto server of this test's own, to stop and start under a running app."""
    server = MotoStore()
    server.start()
    try:
        client_for(server.url).create_bucket(Bucket=BUCKET)
    except client_for(server.url).exceptions.BucketAlreadyOwnedByYou:
        pass  # moto keeps buckets in this process: the run's own store made it already
    yield server
    if server.thread is not None and server.thread.is_alive():
        server.stop()


def at_the_papers(app: Flask) -> Applicant:
    person = Applicant(app.test_client())
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    assert person.step_id == "giay-to"
    return person


def timed(action):
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


def file_rows(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(StoredFile.id)))


def paper_url(clerk, code: str) -> str:
    response = clerk.get(f"/can-bo/ho-so/{code}")
    assert response.status_code == 200
    return parse(response).select_one(".documents a")["href"]


def test_a_node_that_loses_the_store_keeps_serving_and_recovers(
    make_app, flaky_store: MotoStore
) -> None:
    app = make_app(**s3_config(flaky_store.url))
    code = submitted(app)  # its photo went to the store
    clerk = staff_client(app, "tiep_nhan")
    url = paper_url(clerk, code)
    person = at_the_papers(app)
    person.upload("birth_certificate", photo(), "giay-truoc.jpg")
    assert person.response.status_code == 200
    answers = draft_of(app, person).answers
    rows = file_rows(app)

    flaky_store.stop()

    # An upload: a plain message by the field, quickly, and nothing typed is lost.
    page, seconds = timed(lambda: person.upload("birth_certificate", photo(), "giay.jpg"))
    assert person.response.status_code == 422 and seconds < GIVES_UP_WITHIN
    check_page(page)
    message = page.select_one("#birth_certificate-error").get_text()
    assert "tạm thời chưa lưu được" in message and "vẫn được giữ" in message
    assert "giay-truoc.jpg" in page.select_one("#birth_certificate-slot .files").get_text()
    assert file_rows(app) == rows
    assert draft_of(app, person).answers == answers
    # Taking a file back waits for the store too, and says so; the file stays listed.
    page = person.submit("#birth_certificate-slot form.inline")
    assert person.response.status_code == 422
    assert "chưa xoá được" in page.select_one("#birth_certificate-error").get_text()
    assert "giay-truoc.jpg" in page.select_one("#birth_certificate-slot .files").get_text()
    assert file_rows(app) == rows
    # Everything that does not need the store works as before.
    for path in ("/", "/thu-tuc/1.001193", f"/tra-cuu?ma={code}"):
        assert app.test_client().get(path).status_code == 200, path
    assert clerk.get(f"/can-bo/ho-so/{code}").status_code == 200
    assert clerk.get("/can-bo/").status_code == 200
    # The clerk opening the paper gets a page that says what happened and how to go on.
    response, seconds = timed(lambda: clerk.get(url))
    assert response.status_code == 503 and seconds < GIVES_UP_WITHIN
    assert int(response.headers["Retry-After"]) > 0
    page = parse(response)
    check_page(page)
    assert "tạm thời không trả lời" in page.select_one("main").get_text()
    assert page.select_one(f"a.button[href='{url}']").get_text(strip=True) == "Thử lại"
    assert page.select_one(f"a[href='/can-bo/ho-so/{code}']")

    flaky_store.start()  # the same address: no restart, no setting changed

    response = clerk.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    response.close()
    person.get(f"/nop-ho-so/{draft_of(app, person).id}/giay-to")
    person.upload("birth_certificate", photo(), "giay.jpg")
    assert person.response.status_code == 200
    listed = person.page.select_one("#birth_certificate-slot .files").get_text()
    assert "giay.jpg" in listed and "giay-truoc.jpg" in listed
    assert file_rows(app) == rows + 1


def test_a_store_that_never_answers_fails_fast_and_the_app_still_starts(make_app) -> None:
    app = make_app(**s3_config(NOBODY_LISTENS))  # made without asking the store anything
    assert app.test_client().get("/").status_code == 200
    person = at_the_papers(app)
    page, seconds = timed(lambda: person.upload("birth_certificate", photo(), "giay.jpg"))
    assert person.response.status_code == 422 and seconds < GIVES_UP_WITHIN
    assert "tạm thời chưa lưu được" in page.select_one("#birth_certificate-error").get_text()


def test_the_purge_leaves_drafts_whose_files_the_store_cannot_delete(
    make_app, flaky_store: MotoStore
) -> None:
    app = make_app(**s3_config(flaky_store.url))
    person = at_the_papers(app)
    person.upload("birth_certificate", photo(), "giay.jpg")
    with_file = draft_of(app, person).id
    without_file = draft_of(app, at_the_papers(app)).id
    with app.app_context():
        name = db.session.scalar(
            sa.select(StoredFile.stored_name).where(StoredFile.draft_id == with_file)
        )
        for draft_id in (with_file, without_file):
            db.session.get(Draft, draft_id).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert name in objects(flaky_store.url)
    flaky_store.stop()
    result = app.test_cli_runner().invoke(args=["drafts", "purge"])
    assert "Purged 1 expired drafts" in result.output  # the one that needs no store
    with app.app_context():
        assert db.session.get(Draft, without_file) is None
        assert db.session.get(Draft, with_file) is not None  # kept, with its file, for next time
    flaky_store.start()
    result = app.test_cli_runner().invoke(args=["drafts", "purge"])
    assert "Purged 1 expired drafts" in result.output
    with app.app_context():
        assert db.session.get(Draft, with_file) is None
    assert name not in objects(flaky_store.url)


# --- Papers kept before the store --------------------------------------------------------------


def test_papers_kept_in_the_folder_stay_readable_and_are_copied_into_the_store(
    make_app, uploads: Path, object_store: MotoStore
) -> None:
    before = make_app()  # the folder, as a commune ran it until now
    code = submitted(before)
    with before.app_context():
        kept = db.session.scalars(sa.select(StoredFile)).all()
    assert kept and all((uploads / f.stored_name[:2] / f.stored_name).is_file() for f in kept)
    names = {f.stored_name for f in kept}

    after = make_app(**s3_config(object_store.url))  # the same node, now on the store
    assert not names & objects(object_store.url)
    clerk = staff_client(after, "tiep_nhan")
    url = paper_url(clerk, code)
    response = clerk.get(url)
    assert response.status_code == 200, "read from the folder while the store has none"
    body = response.get_data()
    response.close()

    runner = after.test_cli_runner()
    result = runner.invoke(args=["files", "copy-to-store"])
    assert result.exit_code == 0, result.output
    assert f"Copied {len(kept)}, already in the store 0, missing" in result.output
    assert names <= objects(object_store.url)
    again = runner.invoke(args=["files", "copy-to-store"])  # nothing twice
    assert f"Copied 0, already in the store {len(kept)}," in again.output
    for stored in kept:  # the folder may go now: the store has them
        (uploads / stored.stored_name[:2] / stored.stored_name).unlink()
    response = clerk.get(url)
    assert response.status_code == 200 and response.get_data() == body
    response.close()


def test_copying_names_a_paper_that_is_nowhere(
    make_app, uploads: Path, object_store: MotoStore
) -> None:
    before = make_app()
    code = submitted(before)
    with before.app_context():
        lost = db.session.scalars(sa.select(StoredFile)).first()
    (uploads / lost.stored_name[:2] / lost.stored_name).unlink()
    after = make_app(**s3_config(object_store.url))
    result = after.test_cli_runner().invoke(args=["files", "copy-to-store"])
    assert result.exit_code != 0
    assert "missing from the upload folder 1" in result.output
    # The clerk is told the paper cannot be found, on a page of the back office.
    clerk = staff_client(after, "tiep_nhan")
    response = clerk.get(paper_url(clerk, code))
    assert response.status_code == 404
    page = parse(response)
    check_page(page)
    assert "Không tìm thấy tệp này" in page.select_one("main").get_text()


def test_copying_needs_a_store(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["files", "copy-to-store"])
    assert result.exit_code != 0 and "MOTCUA_STORAGE_URL is not set" in result.output


# --- Settings ----------------------------------------------------------------------------------


def test_the_storage_url_names_a_bucket_and_a_prefix() -> None:
    assert storage_location("") is None
    assert storage_location("s3://motcua-phutho") == ("motcua-phutho", "")
    assert storage_location("s3://motcua-phutho/uploads/") == ("motcua-phutho", "uploads/")
    for wrong in ("motcua-phutho", "file:///srv/uploads", "s3://Motcua", "s3://a", "s3://b?x=1"):
        with pytest.raises(ConfigurationError, match="MOTCUA_STORAGE_URL"):
            storage_location(wrong)


def test_the_store_is_set_from_the_environment(database: str) -> None:
    settings = from_environment(s3_environment("http://minio.internal:9000", "motcua-phutho"))
    app = create_app({**base_config(database), **settings})
    assert app.config["STORAGE"] == ("motcua-phutho", "uploads/")
    with app.app_context():
        made = storage()
        assert made.client.meta.endpoint_url == "http://minio.internal:9000"
        assert made.key("abcdef") == "uploads/ab/abcdef"
        assert made.client.meta.config.connect_timeout <= 1


def test_a_wrong_storage_url_stops_the_app_at_start(database: str) -> None:
    with pytest.raises(ConfigurationError, match="MOTCUA_STORAGE_URL"):
        create_app({**base_config(database), "STORAGE_URL": "http://minio:9000/motcua"})
