"""PDFs people attach: opened and written anew by qpdf (through pikepdf), never kept as sent.

The rewrite itself is domain.pdf_rewrite, imported on first use: pikepdf and qpdf cost a
process several MB, and web workers never rewrite (services.bounded runs it in a child).
"""

from __future__ import annotations

from domain.messages import N_

DAMAGED_PDF = N_("Tệp PDF bị hỏng hoặc chưa tải lên hết. Bạn hãy chọn lại tệp.")
LOCKED_PDF = N_(
    "Tệp PDF này có mật khẩu hoặc bị khoá nên không kiểm tra được. "
    "Bạn hãy gỡ mật khẩu hoặc chụp ảnh giấy tờ."
)
# Said when the rewrite ran out of the memory or time it may use (services.bounded).
UNCHECKABLE_PDF = N_(
    "Không kiểm tra được nội dung tệp PDF này. "
    "Bạn hãy mở tệp, chọn In rồi Lưu dưới dạng PDF để có tệp mới, hoặc chụp ảnh giấy tờ."
)


def rewritten(data: bytes) -> tuple[bytes, int]:
    """The PDF written anew without active parts or metadata, and its page count."""
    from domain import pdf_rewrite

    return pdf_rewrite.rewritten(data)
