"""Dossier statuses and the transitions each role may make: the one place that defines them.

Statuses are the national sync codes (1–10). An action moves a dossier from some statuses to
one other, may need a reason, ticked items, a deadline, a new date or a channel, and may
produce one of the statutory slips (TT 03/2025/TT-VPCP): 01 receipt and appointment,
02 supplement request, 03 refusal, 04 apology and new date, 05 stop notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from domain.messages import N_
from domain.messages import Invalid


class Status(IntEnum):
    NEW = 1  # Mới đăng ký
    RECEIVED = 2  # Được tiếp nhận
    REFUSED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT = 5  # Yêu cầu bổ sung giấy tờ
    FEE = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    FINISHED = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả


STATUS_LABELS = {
    Status.NEW: N_("Mới đăng ký"),
    Status.RECEIVED: N_("Được tiếp nhận"),
    Status.REFUSED: N_("Không được tiếp nhận"),
    Status.PROCESSING: N_("Đang xử lý"),
    Status.SUPPLEMENT: N_("Yêu cầu bổ sung giấy tờ"),
    Status.FEE: N_("Yêu cầu nộp phí, lệ phí"),
    Status.WITHDRAWN: N_("Công dân đã rút hồ sơ"),
    Status.STOPPED: N_("Dừng xử lý"),
    Status.FINISHED: N_("Đã có kết quả, chờ trả"),
    Status.RETURNED: N_("Đã trả kết quả"),
}

# What each status means for the person who applied, and what to do next (status page).
STATUS_HELP = {
    Status.NEW: N_("Hồ sơ đã gửi, đang chờ cán bộ kiểm tra. Bạn chưa cần làm gì."),
    Status.RECEIVED: N_("Hồ sơ đã được nhận và đang chờ giải quyết. Bạn chờ đến ngày hẹn."),
    Status.REFUSED: N_(
        "Hồ sơ không được nhận. Bạn xem lý do bên dưới; nếu cần, làm lại hồ sơ hoặc gọi Trung tâm."
    ),
    Status.PROCESSING: N_("Cán bộ đang giải quyết hồ sơ. Bạn chờ đến ngày hẹn."),
    Status.SUPPLEMENT: N_(
        "Hồ sơ cần bổ sung giấy tờ. Bạn xem danh sách cần bổ sung bên dưới và gửi trước hạn."
    ),
    Status.FEE: N_("Hồ sơ cần nộp phí, lệ phí. Bạn xem số tiền và cách nộp bên dưới."),
    Status.WITHDRAWN: N_("Bạn đã rút hồ sơ. Hồ sơ không được giải quyết tiếp."),
    Status.STOPPED: N_("Hồ sơ đã dừng giải quyết. Bạn xem lý do bên dưới hoặc gọi Trung tâm."),
    Status.FINISHED: N_("Đã có kết quả. Bạn mang giấy tờ tùy thân đến Trung tâm để nhận."),
    Status.RETURNED: N_("Kết quả đã được trả. Cảm ơn bạn."),
}

ROLES = {
    "tiep_nhan": N_("Cán bộ tiếp nhận"),
    "chuyen_vien": N_("Chuyên viên"),
    "lanh_dao": N_("Lãnh đạo"),
    # Administrators manage accounts, days off and procedures; they do not act on dossiers.
    "quan_tri": N_("Quản trị"),
    # Community helpers submit for people and follow those dossiers; they never act on them.
    "to_cong_nghe_so": N_("Tổ công nghệ số cộng đồng"),
}
CITIZEN = "citizen"
# Who else appears on a timeline, and the one event that is not an action.
OTHER_ACTORS = {CITIZEN: N_("Người dân"), "helper": N_("Tổ công nghệ số cộng đồng")}
OTHER_EVENTS = {"submit": N_("Nộp hồ sơ")}

RESULT_CHANNELS = {
    "tai_quay": N_("Tại Trung tâm"),
    "buu_chinh": N_("Qua bưu điện"),
    "truc_tuyen": N_("Trực tuyến"),
}

CLOSED = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
# The clock stops while the person has to act: a supplement or a fee.
PAUSED = frozenset({Status.SUPPLEMENT, Status.FEE})
RUNNING = frozenset({Status.RECEIVED, Status.PROCESSING})


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    sources: frozenset[int]
    target: int | None  # None: the status stays (an apology)
    roles: frozenset[str]
    needs_reason: bool = False
    needs_items: bool = False
    needs_deadline: bool = False
    needs_new_date: bool = False
    needs_channel: bool = False
    slip: str = ""
    public: bool = True
    danger: bool = False  # asks for a second look before it is done


def _action(
    key: str,
    label: str,
    sources: Sequence[int],
    target: int | None,
    roles: Sequence[str],
    **needs: object,
) -> Action:
    return Action(key, label, frozenset(sources), target, frozenset(roles), **needs)  # type: ignore[arg-type]


S = Status
ACTIONS: dict[str, Action] = {
    a.key: a
    for a in [
        _action(
            "receive", N_("Tiếp nhận"), [S.NEW], S.RECEIVED, ["tiep_nhan", "lanh_dao"], slip="01"
        ),
        _action(
            "refuse",
            N_("Từ chối tiếp nhận"),
            [S.NEW],
            S.REFUSED,
            ["tiep_nhan", "lanh_dao"],
            needs_reason=True,
            slip="03",
            danger=True,
        ),
        _action(
            "request_supplement",
            N_("Yêu cầu bổ sung"),
            [S.NEW, S.RECEIVED, S.PROCESSING],
            S.SUPPLEMENT,
            ["tiep_nhan", "chuyen_vien", "lanh_dao"],
            needs_reason=True,
            needs_items=True,
            needs_deadline=True,
            slip="02",
        ),
        _action(
            "supplement_received",
            N_("Đã nhận bổ sung"),
            [S.SUPPLEMENT],
            S.PROCESSING,
            ["tiep_nhan", CITIZEN],
        ),
        _action(
            "forward", N_("Chuyển xử lý"), [S.RECEIVED], S.PROCESSING, ["tiep_nhan", "lanh_dao"]
        ),
        _action(
            "request_fee",
            N_("Yêu cầu nộp phí, lệ phí"),
            [S.PROCESSING],
            S.FEE,
            ["chuyen_vien", "lanh_dao"],
            needs_reason=True,
        ),
        _action("fee_paid", N_("Đã nộp phí"), [S.FEE], S.PROCESSING, ["tiep_nhan", "chuyen_vien"]),
        _action(
            "stop",
            N_("Dừng xử lý"),
            [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.FEE],
            S.STOPPED,
            ["lanh_dao"],
            needs_reason=True,
            slip="05",
            danger=True,
        ),
        _action("finish", N_("Duyệt, đã xử lý xong"), [S.PROCESSING], S.FINISHED, ["lanh_dao"]),
        _action(
            "return_result",
            N_("Trả kết quả"),
            [S.FINISHED],
            S.RETURNED,
            ["tiep_nhan"],
            needs_channel=True,
        ),
        _action(
            "withdraw",
            N_("Rút hồ sơ"),
            [S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.FEE],
            S.WITHDRAWN,
            [CITIZEN],
            slip="05",
            danger=True,
        ),
        _action(
            "apologise",
            N_("Xin lỗi và hẹn lại ngày"),
            [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.FEE],
            None,
            ["chuyen_vien", "lanh_dao"],
            needs_reason=True,
            needs_new_date=True,
            slip="04",
        ),
        _action(
            "note",
            N_("Ghi chú nội bộ"),
            list(S),
            None,
            ["tiep_nhan", "chuyen_vien", "lanh_dao"],
            needs_reason=True,
            public=False,
        ),
    ]
}


def label(status: int) -> str:
    return STATUS_LABELS[Status(status)]


def is_closed(status: int) -> bool:
    return status in CLOSED


def is_paused(status: int) -> bool:
    return status in PAUSED


def is_running(status: int) -> bool:
    return status in RUNNING


def resume_status(status_before_request: int) -> int:
    """Where a dossier goes when a supplement arrives: back to processing if it had been
    received, else back to new, to be checked at reception again."""
    return Status.NEW if status_before_request == Status.NEW else Status.PROCESSING


def allowed_actions(
    status: int, role: str, *, past_actions: Sequence[str] = (), late: bool = False
) -> list[Action]:
    """What this role may do to a dossier in this status now, in a sensible order."""
    found = []
    for action in ACTIONS.values():
        if role not in action.roles or status not in action.sources:
            continue
        if action.key == "apologise" and (not late or "apologise" in past_actions):
            continue
        found.append(action)
    return found


def check(
    key: str,
    status: int,
    role: str,
    *,
    reason: str = "",
    items: Sequence[str] = (),
    deadline: date | None = None,
    new_date: date | None = None,
    channel: str = "",
    today: date,
    due: date | None = None,
    past_actions: Sequence[str] = (),
) -> Action:
    """The action, if this role may do it now with what was given; else Invalid, in words."""
    action = ACTIONS.get(key)
    if action is None or role not in action.roles:
        raise Invalid(N_("Bạn không có quyền làm việc này với hồ sơ."))
    if status not in action.sources:
        raise Invalid(
            N_(
                "Hồ sơ đang ở trạng thái “%(status)s”, không làm được việc này nữa. "
                "Bạn tải lại trang."
            ),
            status=label(status),
        )
    if action.needs_reason and len(reason.strip()) < 3:
        raise Invalid(N_("Bạn hãy ghi rõ lý do."))
    if action.needs_items and not items:
        raise Invalid(N_("Bạn hãy đánh dấu ít nhất một giấy tờ hoặc thông tin cần bổ sung."))
    if action.needs_deadline and (deadline is None or deadline <= today):
        raise Invalid(N_("Hạn bổ sung phải sau hôm nay."))
    if action.needs_channel and channel not in RESULT_CHANNELS:
        raise Invalid(N_("Bạn hãy chọn cách trả kết quả."))
    if key == "apologise":
        if "apologise" in past_actions:
            raise Invalid(
                N_("Hồ sơ này đã có văn bản xin lỗi và hẹn lại một lần; chỉ được hẹn lại một lần.")
            )
        if new_date is None or (due is not None and new_date <= due):
            raise Invalid(N_("Ngày hẹn mới phải sau ngày hẹn cũ."))
    return action


def action_label(key: str) -> str:
    return ACTIONS[key].label if key in ACTIONS else OTHER_EVENTS.get(key, key)


def role_label(role: str) -> str:
    return ROLES.get(role) or OTHER_ACTORS.get(role, role)


def slip_of(key: str) -> str:
    return ACTIONS[key].slip if key in ACTIONS else ""
