"""Files sent with a form: read from the request, each checked by domain.uploads on arrival.

Shared by the online form (a draft's document slots) and the status page (a supplement):
the same limits, the same messages, whoever keeps the files afterwards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import field

from flask import current_app
from flask import request
from flask_limiter import RateLimitExceeded
from flask_limiter import RequestLimit
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.exceptions import TooManyRequests

from domain.messages import N_
from domain.messages import Problem
from domain.uploads import CleanFile
from domain.uploads import UploadRejected
from domain.uploads import inspect_upload
from services import bounded
from services import files

# Each upload costs a decode of up to 80 MB and a second or so of a core: like the other costly
# endpoints, limited per address (a commune office helping many people shares one) and per
# draft or dossier (a form has a few papers, each retried a few times on a bad link).
UPLOADS_PER_ADDRESS = "120 per hour"
UPLOADS_PER_DRAFT = "30 per 10 minutes"
THROTTLED = N_(
    "Bạn đã tải lên nhiều tệp trong thời gian ngắn. Bạn hãy đợi khoảng %(minutes)s phút rồi "
    "tải lên tiếp. Những gì bạn đã nhập và các tệp đã gửi vẫn được giữ."
)


class UploadsThrottled(RateLimitExceeded):
    """Too many uploads: each blueprint shows the page again with the message by the slot.

    A RateLimitExceeded, so that Flask-Limiter lets it through as the breach it is: any other
    exception raised while it checks a limit, it takes for a lost storage, and checks again in
    memory (extensions.py), where nothing was counted, so the upload went through.
    """

    def __init__(self, minutes: int) -> None:
        # Not RateLimitExceeded's own: it builds a description from a limit this has no need of.
        TooManyRequests.__init__(self, description=f"uploads throttled for {minutes} min")
        self.minutes = minutes
        self.problem = Problem(THROTTLED, {"minutes": minutes})


def throttled(limit: RequestLimit) -> None:
    """Flask-Limiter's on_breach: raise what the blueprint's error handler answers with 429."""
    # reset_at is a whole second past the window's end: rounded, a fresh 10-minute window
    # reads "10 phút", not "11 phút".
    raise UploadsThrottled(max(1, round((limit.reset_at - time.time()) / 60)))


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
                rewrite_pdf=bounded.rewritten_pdf,
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
