"""Many people sending at once: codes stay unique and a doubled send makes one dossier."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from flask import Flask

from extensions import db
from models import Dossier
from models import Draft
from services import dossiers
from services import drafts
from services.forms import form_for

ANSWERS = {
    "filler": "self",
    "requester_name": "Hà Thị Mai",
    "requester_cccd": "025195012345",
    "requester_relation": "me",
    "child_name": "Đinh Minh An",
}


def new_draft(app: Flask) -> str:
    with app.app_context():
        form = form_for("1.001193")
        draft = drafts.start("1.001193", "0912345678", form)
        draft.answers = dict(ANSWERS)
        db.session.commit()
        return draft.id


def send_together(app: Flask, draft_ids: list[str]) -> list[str]:
    """Submit every draft id in its own thread, released at the same moment."""
    barrier = threading.Barrier(len(draft_ids))
    codes: list[str] = []
    failures: list[BaseException] = []

    def send(draft_id: str) -> None:
        with app.app_context():
            try:
                draft = db.session.get(Draft, draft_id)
                form = form_for("1.001193")
                barrier.wait()
                codes.append(dossiers.submit(draft, form).code)
            except BaseException as error:  # reported below, with the thread's error
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(d,)) for d in draft_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return codes


def test_concurrent_sends_get_unique_consecutive_codes(app: Flask) -> None:
    draft_ids = [new_draft(app) for _ in range(8)]
    codes = send_together(app, draft_ids)
    assert len(codes) == 8 and len(set(codes)) == 8
    numbers = sorted(int(code[-4:]) for code in codes)
    assert numbers == list(range(numbers[0], numbers[0] + 8))


def test_the_same_send_eight_times_at_once_makes_one_dossier(app: Flask) -> None:
    draft_id = new_draft(app)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier))
    codes = send_together(app, [draft_id] * 8)
    assert len(set(codes)) == 1
    with app.app_context():
        after = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier))
        assert after == before + 1
