"""PDFs are rewritten in a child whose memory and time are bounded; the worker stays small."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pikepdf
import pytest

from domain import pdfs
from domain.messages import Invalid
from services import bounded
from tests.unit.test_uploads import clean_pdf


def test_the_child_rewrites_as_the_worker_would() -> None:
    document = clean_pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>", catalog=b"/OpenAction 5 0 R")
    assert bounded.rewritten_pdf(document) == pdfs.rewritten(document)


def test_the_childs_refusal_comes_back_with_its_message() -> None:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="chu", user="mo"))
    with pytest.raises(Invalid) as caught:
        bounded.rewritten_pdf(out.getvalue())
    assert caught.value.problem.message == pdfs.LOCKED_PDF


@pytest.fixture(scope="module")
def object_stream_bomb() -> bytes:
    """A PDF of a few kB whose one object, in a compressed object stream, is 48 MB of spaces."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.Root.Extra = pdf.make_indirect(pikepdf.String(b" " * (48 << 20)))
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert len(out.getvalue()) < 200 * 1024
    return out.getvalue()


def test_a_pdf_that_needs_more_memory_than_the_bound_is_refused(
    object_stream_bomb: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounded, "MEMORY_BYTES", 64 << 20)  # qpdf needs a few times the string
    with pytest.raises(Invalid) as caught:
        bounded.rewritten_pdf(object_stream_bomb)
    # qpdf reports a failed allocation as a file it cannot read.
    assert caught.value.problem.message in (pdfs.DAMAGED_PDF, pdfs.UNCHECKABLE_PDF)
    monkeypatch.setattr(bounded, "MEMORY_BYTES", 512 << 20)
    assert bounded.rewritten_pdf(object_stream_bomb)[1] == 1  # within the bound, it is read


def test_a_child_that_runs_too_long_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], bounded.WALL_SECONDS)

    monkeypatch.setattr(bounded.subprocess, "run", slow)
    with pytest.raises(Invalid) as caught:
        bounded.rewritten_pdf(clean_pdf())
    assert caught.value.problem.message == pdfs.UNCHECKABLE_PDF
    assert "In rồi Lưu dưới dạng PDF" in str(caught.value)


def test_a_child_that_dies_gives_the_same_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded, "SECONDS", 0)  # RLIMIT_CPU of 0: killed at its first second
    monkeypatch.setattr(bounded, "MEMORY_BYTES", 8 << 20)  # or fails to start at all
    with pytest.raises(Invalid) as caught:
        bounded.rewritten_pdf(clean_pdf())
    assert caught.value.problem.message == pdfs.UNCHECKABLE_PDF


def test_uploads_from_the_web_go_through_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    from blueprints import incoming

    assert incoming.bounded.rewritten_pdf is bounded.rewritten_pdf
    called: list[int] = []
    real = bounded.rewritten_pdf

    def recording(data: bytes) -> tuple[bytes, int]:
        called.append(len(data))
        return real(data)

    monkeypatch.setattr(bounded, "rewritten_pdf", recording)
    from flask import Flask

    app = Flask(__name__)
    app.config.update(MAX_FILE_BYTES=10 << 20, MAX_DOSSIER_BYTES=30 << 20)
    document = clean_pdf()
    with app.test_request_context(
        "/", method="POST", data={"tep": (io.BytesIO(document), "a.pdf")}
    ):
        received = incoming.read_uploads(5, 0)
    assert called == [len(document)]
    assert received.problem is None and received.files[0][0].pages == 1


def test_a_web_worker_never_loads_pikepdf() -> None:
    # pikepdf and qpdf cost every worker ~9 MB against its 100 MB budget (DESIGN.md), and only
    # the bounded child rewrites a PDF. A fresh interpreter: this one imported pikepdf above.
    program = (
        "import sys; from app import create_app; import blueprints.incoming, services.bounded; "
        "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'}); "
        "print('pikepdf' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=bounded.ROOT,
        env={**os.environ, "MOTCUA_WEB_WORKER": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"
