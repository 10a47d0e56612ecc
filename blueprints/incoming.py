"""Files sent with a form: read from the request, each checked by domain.uploads on arrival.

Shared by the online form (a draft's document slots) and the status page (a supplement):
the same limits, the same messages, whoever keeps the files afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from flask import current_app
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from domain.messages import N_
from domain.messages import Problem
from domain.uploads import CleanFile
from domain.uploads import UploadRejected
from domain.uploads import inspect_upload
from services import files


@dataclass
class Received:
    files: list[tuple[CleanFile, str]] = field(default_factory=list)  # (clean file, its name)
    problem: Problem | None = None


def read_uploads(room: int, already_stored: int, field_name: str = "tep") -> Received:
    """Check the files of the request; stop at the first one refused, keeping those before it."""
    config = current_app.config
    received = Received()
    try:
        incoming = [f for f in request.files.getlist(field_name) if f and f.filename]
    except RequestEntityTooLarge:
        mb = config["MAX_FILE_BYTES"] // (1024 * 1024)
        received.problem = Problem(
            N_("Tệp lớn hơn %(limit)s MB. Bạn hãy chọn ảnh nhỏ hơn."), {"limit": mb}
        )
        return received
    if not incoming:
        received.problem = Problem(N_("Bạn hãy chọn ảnh chụp hoặc tệp PDF để tải lên."))
    stored = already_stored
    for upload_file in incoming:
        if len(received.files) >= room:
            received.problem = Problem(N_("Mỗi giấy tờ gửi tối đa %(count)s tệp."), {"count": room})
            break
        try:
            clean = inspect_upload(
                upload_file.read(config["MAX_FILE_BYTES"] + 1),
                max_file_bytes=config["MAX_FILE_BYTES"],
                max_total_bytes=config["MAX_DOSSIER_BYTES"],
                already_stored=stored,
            )
        except UploadRejected as rejected:
            received.problem = Problem(rejected.message, rejected.params)
            break
        received.files.append((clean, upload_file.filename or ""))
        stored += len(clean.data)
    for upload_file in incoming:
        upload_file.close()  # large uploads were spooled to a temporary file
    files.give_memory_back()
    return received
