"""Two nodes serve one province: a journey that crosses between them over real HTTP.

Two gunicorn processes on two ports share the test database (one SQLite file in WAL, or
PostgreSQL in CI), one Redis for rate limits and one object store for uploads; each has an
upload folder of its own, so a paper one node took can reach the other only through the store.
The browser keeps one cookie jar for both, as behind nginx: cookies do not depend on the port.
"""

from __future__ import annotations

import hashlib
import io
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import Flask
from PIL import Image

from domain.workflow import STATUS_LABELS
from domain.workflow import Status
from extensions import db
from models import StoredFile
from tests.journeys import KHAI_SINH
from tests.journeys import Applicant
from tests.journeys import form_values
from tests.journeys import photo
from tests.objectstore import BUCKET
from tests.objectstore import MotoStore
from tests.objectstore import client_for
from tests.objectstore import objects
from tests.objectstore import s3_environment
from tests.pages import check_forms
from tests.pages import check_page
from tests.redisserver import RedisServer
from tests.servers import gunicorn
from tests.staff import PASSWORD
from tests.staff import make_user

pytestmark = pytest.mark.slow

TIMEOUT = 30  # seconds for any one request: a node that hangs fails the test, never stalls it


class Browser(Applicant):
    """The online form filled in over HTTP; `at` says which node the next request goes to."""

    def __init__(self, node: str) -> None:
        super().__init__(client=None)  # type: ignore[arg-type]
        self.session = requests.Session()
        self.node = node
        self.http: requests.Response | None = None

    def at(self, node: str) -> Browser:
        self.node = node
        return self

    def _page(self, response: requests.Response) -> BeautifulSoup:
        self.http = response
        self.page = BeautifulSoup(response.text, "html5lib")
        check_forms(self.page)
        return self.page

    def get(self, url: str, **kwargs: Any) -> BeautifulSoup:
        return self._page(self.session.get(self.node + url, timeout=TIMEOUT, **kwargs))

    def post(self, url: str, data: dict[str, str], **kwargs: Any) -> BeautifulSoup:
        return self._page(self.session.post(self.node + url, data=data, timeout=TIMEOUT, **kwargs))

    def submit(
        self, selector: str = "form#step-form", changes: dict[str, str] | None = None, **_: Any
    ) -> BeautifulSoup:
        form = self.page.select_one(selector)
        assert form is not None, f"no {selector} on {self.path}"
        return self.post(form["action"], {**form_values(form), **(changes or {})})

    def upload(self, slot: str, content: bytes, filename: str = "anh.jpg") -> BeautifulSoup:
        form = self.page.select_one(f"form.upload-form[data-slot={slot}]")
        assert form is not None, f"no upload form for {slot}"
        files = {"tep": (filename, content, "image/jpeg")}
        return self.post(form["action"], form_values(form), files=files)

    @property
    def response(self) -> Any:  # answer_all reads response.status_code
        return self.http

    @response.setter
    def response(self, _: Any) -> None:
        pass

    @property
    def path(self) -> str:
        return requests.utils.urlparse(self.http.url).path if self.http is not None else ""


def node_environment(uploads: Path, store: MotoStore, redis_url: str) -> dict[str, str]:
    return {
        **s3_environment(store.url),
        "MOTCUA_UPLOAD_FOLDER": str(uploads),
        "RATELIMIT_STORAGE_URI": redis_url,
        # Every node signs sessions with the same key: a browser's cookie is good on any.
        "SECRET_KEY": "two-nodes-one-key",
    }


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_a_journey_alternating_between_two_nodes(
    app: Flask,
    database: str,
    object_store: MotoStore,
    private_redis: RedisServer,
    tmp_path: Path,
) -> None:
    clerk_name = make_user(app, "tiep_nhan")
    folders = {name: tmp_path / f"uploads-{name}" for name in ("a", "b")}
    with ExitStack() as nodes:
        a, b = (
            nodes.enter_context(
                gunicorn(
                    database,
                    tmp_path / f"node-{name}.log",
                    workers=1,
                    env=node_environment(folder, object_store, private_redis.url),
                )
            )
            for name, folder in folders.items()
        )
        assert a != b

        # The draft is begun on node A...
        person = Browser(a)
        person.start("1.001193")
        person.answer_all(KHAI_SINH, [], until="giay-to")
        assert person.step_id == "giay-to" and person.node == a
        # ...the photo goes up to node B, which finds the draft through the shared database.
        taken = photo()
        person.at(b).get(person.path)
        assert person.http.status_code == 200
        person.upload("birth_certificate", taken)
        assert person.http.status_code == 200, person.errors()
        assert not person.errors()
        # The rest on A again, and sent.
        person.at(a).answer_all(KHAI_SINH, [])
        done = person.submit("form[action$='/gui']", {"declaration": "co"})
        assert person.http.status_code == 200
        code = done.select_one(".dossier-code").get_text(strip=True)

        # The clerk signs in on A and opens the photo node B took.
        clerk = Browser(a)
        login = clerk.get("/can-bo/dang-nhap")
        token = login.select_one("[name=csrf_token]")["value"]
        clerk.post(
            "/can-bo/dang-nhap",
            {"csrf_token": token, "username": clerk_name, "password": PASSWORD},
        )
        assert clerk.path.startswith("/can-bo"), clerk.path
        page = clerk.get(f"/can-bo/ho-so/{code}")
        assert clerk.http.status_code == 200
        check_page(page)
        link = page.select_one(".documents a")["href"]
        shown = clerk.session.get(a + link, timeout=TIMEOUT)
        assert shown.status_code == 200 and shown.headers["Content-Type"] == "image/jpeg"
        with app.app_context():
            stored = db.session.get(StoredFile, int(link.rsplit("/", 1)[1]))
            assert stored is not None
            name, digest = stored.stored_name, stored.sha256
        # Every upload is decoded and saved again without its metadata (domain/images.py), so
        # "the bytes uploaded" are the ones node B put in the store, checked behind its back.
        kept = client_for(object_store.url).get_object(
            Bucket=BUCKET, Key=f"uploads/{name[:2]}/{name}"
        )
        assert shown.content == kept["Body"].read()
        assert hashlib.sha256(shown.content).hexdigest() == digest
        assert Image.open(io.BytesIO(shown.content)).size == Image.open(io.BytesIO(taken)).size
        # ...and receives the dossier there.
        clerk.submit(f"form[action$='/ho-so/{code}/receive']")
        assert clerk.http.status_code == 200 and clerk.path == f"/can-bo/ho-so/{code}"

        # The citizen's status lookup, on B, shows it received.
        citizen = Browser(b)
        status = citizen.get("/tra-cuu", params={"ma": code})
        assert citizen.http.status_code == 200
        card = status.select_one(".status-card").get_text(" ", strip=True)
        assert STATUS_LABELS[Status.RECEIVED] in card

    # The paper is in the object store and in neither node's folder; both nodes counted in
    # the one Redis: the sign-in on A, the status lookup by code on B.
    assert name in objects(object_store.url, BUCKET)
    assert files_in(folders["a"]) == [] and files_in(folders["b"]) == []
    counters = private_redis.counters()
    assert any("backoffice.login" in key for key in counters), counters  # on A
    assert any("status-by-code" in key for key in counters), counters  # on B
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == 1
