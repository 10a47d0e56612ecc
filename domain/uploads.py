"""Files people attach to a dossier: which are accepted, and what is stored in their place.

- The kind is read from the file's first bytes, never from its name or the browser's type.
- Photos are cleaned by domain.images, PDFs by domain.pdfs.
- Size limits come from the caller's configuration; the dossier's total counts stored bytes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from domain import images
from domain import pdfs
from domain.messages import N_
from domain.messages import Invalid

MB = 1024 * 1024  # as settings.derived() counts MAX_FILE_MB and MAX_DOSSIER_MB
DEFAULT_MAX_FILE_BYTES = 10 * MB
DEFAULT_MAX_TOTAL_BYTES = 30 * MB

STORED_AS = {"jpeg": ("image/jpeg", "jpg"), "png": ("image/png", "png")}  # → (type, extension)

NOT_ACCEPTED = N_(
    "Hệ thống chỉ nhận ảnh chụp JPG, PNG, WebP hoặc tệp PDF. Tệp bạn chọn không thuộc các loại này."
)
EMPTY = N_("Tệp bạn chọn không có nội dung. Bạn hãy chọn ảnh chụp JPG, PNG, WebP hoặc tệp PDF.")
TOO_BIG = N_("Tệp này lớn hơn %(limit)s MB. Bạn hãy chụp lại ảnh nhỏ hơn hoặc chọn tệp khác.")
TOO_MUCH = N_(
    "Tổng dung lượng các tệp trong một hồ sơ không được quá %(limit)s MB. "
    "Bạn hãy xoá bớt tệp đã tải lên hoặc chọn tệp nhỏ hơn."
)
# Said by services.files when the disk or the object store refuses a checked file.
DISK_FULL = N_(
    "Máy chủ đang hết chỗ lưu tệp nên chưa nhận được tệp này. Những gì bạn đã nhập vẫn được "
    "giữ. Bạn hãy thử tải lên lại sau ít phút, hoặc mang giấy tờ đến Trung tâm."
)
NOT_WRITTEN = N_(
    "Máy chủ tạm thời chưa lưu được tệp này. Những gì bạn đã nhập vẫn được giữ. "
    "Bạn hãy thử tải lên lại sau ít phút, hoặc mang giấy tờ đến Trung tâm."
)
# Said by services.drafts when the store cannot delete a file now: it stays listed.
NOT_REMOVED = N_(
    "Máy chủ tạm thời chưa xoá được tệp này nên tệp vẫn còn trong hồ sơ. "
    "Bạn hãy thử xoá lại sau ít phút."
)


class UploadRejected(ValueError):
    """A file that cannot be accepted: the message to show and its placeholders."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params: dict[str, Any] = params


@dataclass(frozen=True)
class CleanFile:
    """What to store for an upload: its bytes and type; its size, or its pages for a PDF."""

    data: bytes = field(repr=False)  # megabytes in a log line help nobody
    mimetype: str
    extension: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None


def sniff(data: bytes) -> str | None:
    """The kind of file its first bytes show: 'jpeg', 'png', 'webp', 'pdf', or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return None


def stored_name() -> str:
    """A random name to store a file under (32 URL-safe characters), nothing from the upload."""
    return secrets.token_urlsafe(24)


def inspect_upload(
    data: bytes,
    *,
    max_file_bytes: int,
    max_total_bytes: int,
    already_stored: int = 0,
    rewrite_pdf: Callable[[bytes], tuple[bytes, int]] = pdfs.rewritten,
) -> CleanFile:
    """The file to store for an upload; raises UploadRejected with the reason to show.

    rewrite_pdf is domain.pdfs.rewritten or the same run where its memory is bounded.
    """
    # Sizes first: refusing a 30 MB file must not cost a decode.
    if len(data) > max_file_bytes:
        raise UploadRejected(TOO_BIG, limit=_megabytes(max_file_bytes))
    if already_stored >= max_total_bytes:
        raise UploadRejected(TOO_MUCH, limit=_megabytes(max_total_bytes))
    if not data:
        raise UploadRejected(EMPTY)
    kind = sniff(data)
    if kind is None:
        raise UploadRejected(NOT_ACCEPTED)
    try:
        clean = _cleaned(data, kind, rewrite_pdf)
    except Invalid as refused:
        raise UploadRejected(refused.problem.message, **refused.problem.params) from refused
    # The total counts what is stored: a 6 MB photo is kept as a few hundred kB.
    if already_stored + len(clean.data) > max_total_bytes:
        raise UploadRejected(TOO_MUCH, limit=_megabytes(max_total_bytes))
    return clean


def _cleaned(
    data: bytes, kind: str, rewrite_pdf: Callable[[bytes], tuple[bytes, int]]
) -> CleanFile:
    """What is stored for a file of this kind; raises Invalid when it cannot be."""
    if kind == "pdf":
        rewritten, pages = rewrite_pdf(data)
        return CleanFile(rewritten, "application/pdf", "pdf", pages=pages)
    image = images.cleaned(data, kind)
    mimetype, extension = STORED_AS[image.kind]
    return CleanFile(image.data, mimetype, extension, width=image.width, height=image.height)


def _megabytes(size: int) -> int | float:
    """A limit in MB as people read it: 10, or 2.5."""
    value = round(size / MB, 1)
    return int(value) if value.is_integer() else value
