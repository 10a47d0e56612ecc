"""A disk or store that refuses an upload: a clear message by the field, nothing half-written left.

The tests with a full disk run again with a full object store (its quota reached).
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from models import StoredFile
from services import files
from services import storage
from tests.journeys import KHAI_SINH
from tests.journeys import Applicant
from tests.journeys import form_values
from tests.journeys import photo
from tests.objectstore import both_stores
from tests.objectstore import in_folder
from tests.objectstore import objects
from tests.pages import check_page
from tests.web.test_apply import draft_of


def on_disk(folder: Path) -> set[str]:
    """Every file under the upload folder, hidden ones included."""
    return in_folder(folder)


class FillingDisk(io.RawIOBase):
    """A file that takes the first half of what is written, then the disk is full."""

    def __init__(self, real: io.BufferedWriter) -> None:
        self.real = real

    def write(self, data: bytes) -> int:
        self.real.write(bytes(data)[: len(data) // 2])
        self.real.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self) -> None:
        self.real.close()
        super().close()


@pytest.fixture
def full_disk(app: Flask, store: dict, monkeypatch: pytest.MonkeyPatch) -> list[Path] | list[str]:
    """Writes fail half-way with ENOSPC, or the store's quota is reached; returns what was tried."""
    return fill_the_store(app, monkeypatch) if store else fill_the_disk(monkeypatch)


def fill_the_store(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the object store refuses every file as over its quota (as Ceph says it)."""
    from botocore.exceptions import ClientError

    tried: list[str] = []

    def refusing(**request):
        tried.append(request["Key"])
        error = {"Code": "QuotaExceeded", "Message": "Quota exceeded"}
        raise ClientError(
            {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 403}}, "PutObject"
        )

    with app.app_context():
        monkeypatch.setattr(storage.storage().client, "put_object", refusing)
    return tried


def kept(uploads: Path, store: dict) -> set[str]:
    """What is kept anywhere: files in the folder, and objects in the store."""
    return on_disk(uploads) | (objects(store["S3_ENDPOINT_URL"]) if store else set())


def fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """From now on, writes under the upload folder fail half-way; returns the paths tried."""
    tried: list[Path] = []

    def opening(path, mode="r", *args, **kwargs):
        handle = builtins.open(path, mode, *args, **kwargs)  # noqa: SIM115 closed by the caller
        if "x" in mode or "w" in mode:
            tried.append(Path(path))
            return FillingDisk(handle)
        return handle

    monkeypatch.setattr(storage, "open", opening, raising=False)
    return tried


def at_the_papers(client: FlaskClient) -> Applicant:
    person = Applicant(client)
    person.start("1.001193")
    person.answer_all(KHAI_SINH, [], until="giay-to")
    assert person.step_id == "giay-to"
    return person


@both_stores
def test_a_full_disk_gets_a_message_by_the_field_and_leaves_no_file(
    client: FlaskClient, app: Flask, uploads: Path, store: dict, full_disk: list
) -> None:
    person = at_the_papers(client)
    answers_before = draft_of(app, person).answers
    files_before = kept(uploads, store)
    with app.app_context():
        rows_before = db.session.scalar(sa.select(sa.func.count(StoredFile.id)))
    page = person.upload("birth_certificate", photo(), "giay.jpg")
    assert person.response.status_code == 422
    check_page(page)
    message = page.select_one("#birth_certificate-error").get_text()
    assert "hết chỗ lưu tệp" in message and "vẫn được giữ" in message
    assert full_disk, "the write was never tried"
    assert kept(uploads, store) == files_before  # no partial file, under any name
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == rows_before
    # What the person answered on the earlier steps is all still there, on the check page too.
    assert draft_of(app, person).answers == answers_before
    assert page.select_one("form.upload-form[data-slot=birth_certificate]") is not None


@both_stores
def test_with_htmx_the_slot_says_so_too(client: FlaskClient, full_disk: list) -> None:
    person = at_the_papers(client)
    form = person.page.select_one("form.upload-form[data-slot=birth_certificate]")
    response = client.post(
        form["action"],
        data={**form_values(form), "tep": (io.BytesIO(photo()), "giay.jpg")},
        content_type="multipart/form-data",
        headers={"X-Upload": "1"},
    )
    assert response.status_code == 422
    assert "hết chỗ lưu tệp" in response.get_data(as_text=True)


def test_another_write_error_gets_its_own_message(
    client: FlaskClient, app: Flask, uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refusing(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(storage, "open", refusing, raising=False)
    person = at_the_papers(client)
    page = person.upload("birth_certificate", photo(), "giay.jpg")
    assert person.response.status_code == 422
    assert "tạm thời chưa lưu được" in page.select_one("#birth_certificate-error").get_text()


def test_a_file_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_disk = fill_the_disk(monkeypatch)
    target = tmp_path / "ab" / "abcdef"
    target.parent.mkdir()
    with pytest.raises(OSError, match="No space"):
        storage.write_whole(target, b"x" * 1000)
    assert full_disk == [target.with_name(".abcdef.part")]  # written beside, then renamed
    assert list(tmp_path.rglob("*")) == [target.parent]


def test_the_purge_removes_what_a_killed_worker_left(app: Flask, uploads: Path) -> None:
    bucket = uploads / "zz"
    bucket.mkdir(exist_ok=True)
    old = bucket / ".zzold.part"
    new = bucket / ".zznew.part"
    kept = bucket / "zzkept"
    for path in (old, new, kept):
        path.write_bytes(b"half")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    os.utime(kept, (hours_ago, hours_ago))
    with app.app_context():
        assert files.remove_partial_files(older_than=timedelta(hours=1)) == 1
    assert not old.exists() and new.exists() and kept.exists()


@both_stores
def test_a_full_disk_on_a_supplement_paper_says_so_by_the_paper(
    app: Flask, uploads: Path, store: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models import Dossier
    from tests.pages import parse
    from tests.web.test_lookup import asked_to_correct

    code, citizen = asked_to_correct(app, ["birth_certificate"])  # its papers sent whole
    full_disk = fill_the_store(app, monkeypatch) if store else fill_the_disk(monkeypatch)
    form = parse(citizen.get(f"/tra-cuu?ma={code}")).select_one("form.upload-form")
    files_before = kept(uploads, store)
    for script in (False, True):
        response = citizen.post(
            form["action"],
            data={**form_values(form), "tep": (io.BytesIO(photo()), "bo-sung.jpg")},
            content_type="multipart/form-data",
            headers={"X-Upload": "1"} if script else {},
        )
        assert response.status_code == 422
        page = parse(response)
        if not script:
            check_page(page)  # the whole page; with the script, the paper's block alone
        assert "hết chỗ lưu tệp" in page.select_one("#birth_certificate-error").get_text()
        assert "bo-sung.jpg" not in page.select_one("#birth_certificate-slot").get_text()
    assert full_disk and kept(uploads, store) == files_before
    with app.app_context():
        linked = db.session.scalar(
            sa.select(sa.func.count(StoredFile.id))
            .join(Dossier, Dossier.id == StoredFile.dossier_id)
            .where(Dossier.code == code, StoredFile.original_name == "bo-sung.jpg")
        )
    assert linked == 0
