"""Dossier statuses and what each role may do to a dossier: the one place that defines them.

- Statuses are the national sync codes 1–10 (QĐ 766/QĐ-TTg), so they go to the national
  portal as they are.
- An action moves a dossier from some statuses to one other (or leaves it where it is: an
  apology, a note), may need a reason, ticked items, a deadline, a new date, a channel or a
  confirmation, and may produce a statutory slip: 01 receipt and appointment, 02 supplement
  request, 03 refusal, 04 apology and new date, 05 notice that the dossier stops, 06 the
  transfer slip that goes with a dossier handed to the competent unit of the province.
- Staff roles act on dossiers; the administrator and the community helper never do. The
  citizen ("citizen") may withdraw a dossier and send a supplement.
- The clock stops while the person has to act: a supplement (5) or a payment (6).
- This module only says what is allowed; the caller computes dates with domain.calendar and
  keeps the event history.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from enum import IntEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from domain.calendar import WorkCalendar
from domain.calendar import add_months
from domain.channels import Channel
from domain.formatting import day
from domain.messages import N_
from domain.messages import Invalid
from domain.procedures import TimeLimit


class Status(IntEnum):
    """A dossier's status, as the national sync code."""

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


S = Status

# The national names: staff know them, and reports to the province use them.
STATUS_LABELS: Mapping[Status, str] = MappingProxyType(
    {
        S.NEW: N_("Mới đăng ký"),
        S.RECEIVED: N_("Được tiếp nhận"),
        S.REFUSED: N_("Không được tiếp nhận"),
        S.PROCESSING: N_("Đang xử lý"),
        S.SUPPLEMENT: N_("Yêu cầu bổ sung giấy tờ"),
        S.FEE: N_("Yêu cầu thực hiện nghĩa vụ tài chính"),
        S.WITHDRAWN: N_("Công dân yêu cầu rút hồ sơ"),
        S.STOPPED: N_("Dừng xử lý"),
        S.FINISHED: N_("Đã xử lý xong"),
        S.RETURNED: N_("Đã trả kết quả"),
    }
)

# For the person who applied (status page): what the status means and what to do next.
STATUS_HELP: Mapping[Status, str] = MappingProxyType(
    {
        S.NEW: N_("Hồ sơ đã được gửi và đang chờ cán bộ kiểm tra. Bạn chưa cần làm gì thêm."),
        S.RECEIVED: N_(
            "Hồ sơ đã được tiếp nhận. Bạn hãy chờ đến ngày hẹn trả kết quả ghi trên giấy hẹn."
        ),
        S.REFUSED: N_(
            "Hồ sơ không được tiếp nhận. Bạn hãy xem lý do bên dưới; nếu cần, bạn có thể làm lại"
            " hồ sơ và nộp lại."
        ),
        S.PROCESSING: N_("Cán bộ đang giải quyết hồ sơ. Bạn hãy chờ đến ngày hẹn trả kết quả."),
        S.SUPPLEMENT: N_(
            "Hồ sơ cần bổ sung giấy tờ. Bạn hãy xem danh sách cần bổ sung bên dưới và gửi lại"
            " trước hạn."
        ),
        S.FEE: N_(
            "Hồ sơ cần nộp phí, lệ phí hoặc thuế. Bạn hãy xem số tiền và cách nộp bên dưới; hồ sơ"
            " được giải quyết tiếp khi bạn đã nộp."
        ),
        S.WITHDRAWN: N_(
            "Bạn đã rút hồ sơ này nên hồ sơ không được giải quyết tiếp. Khi cần, bạn có thể nộp"
            " hồ sơ mới."
        ),
        S.STOPPED: N_(
            "Hồ sơ đã dừng giải quyết. Bạn hãy xem lý do bên dưới; nếu chưa rõ, bạn hãy gọi điện"
            " cho Trung tâm."
        ),
        S.FINISHED: N_(
            "Hồ sơ đã có kết quả. Bạn hãy nhận kết quả theo cách đã chọn; nếu nhận tại Trung tâm,"
            " bạn nhớ mang theo căn cước."
        ),
        S.RETURNED: N_("Kết quả đã được trả cho bạn. Hồ sơ đã hoàn thành."),
    }
)

# Ended for good: nothing but an internal note may be added.
CLOSED = frozenset({S.REFUSED, S.WITHDRAWN, S.STOPPED, S.RETURNED})
# Not closed. FINISHED counts as open: the result still has to reach the person.
OPEN = frozenset(S) - CLOSED
# Dealt with: the result exists (FINISHED) or has been handed over (RETURNED).
FINISHED = frozenset({S.FINISHED, S.RETURNED})
# The clock stops while the person has to act. A payment counts too: the time a person takes
# to pay fees or taxes is not the centre's (QĐ 766 counts 5, 6 and 8 as paused; 8 is closed
# here, since a stopped dossier never resumes).
PAUSED = frozenset({S.SUPPLEMENT, S.FEE})
# The clock runs: it starts at reception and stops when the result is ready.
RUNNING = frozenset({S.RECEIVED, S.PROCESSING})

CITIZEN = "citizen"
ROLES: Mapping[str, str] = MappingProxyType(
    {
        "tiep_nhan": N_("Cán bộ tiếp nhận"),
        "chuyen_vien": N_("Chuyên viên"),
        "lanh_dao": N_("Lãnh đạo"),
        # Runs the system (accounts, days off, procedures) and does not act on dossiers: a
        # decision on a dossier must come from someone who answers for it (separation of duties).
        "quan_tri": N_("Quản trị hệ thống"),
        # Manages the accounts of every unit of the province and reads the province's figures;
        # like the commune administrator, never opens a dossier.
        "quan_tri_tinh": N_("Quản trị cấp tỉnh"),
        # Submits for people and follows those dossiers; never decides on one.
        "to_cong_nghe_so": N_("Tổ công nghệ số cộng đồng"),
    }
)
# Who else appears on a timeline: the person, or a named helper who submitted for them.
OTHER_ACTORS: Mapping[str, str] = MappingProxyType(
    {CITIZEN: N_("Người dân"), "helper": N_("Tổ công nghệ số cộng đồng")}
)
# Events on a timeline that are not actions on this page.
OTHER_EVENTS: Mapping[str, str] = MappingProxyType({"submit": N_("Nộp hồ sơ")})

RESULT_CHANNELS: Mapping[str, str] = MappingProxyType(
    {
        "tai_quay": N_("Tại Trung tâm"),
        "buu_chinh": N_("Qua bưu điện"),
        "truc_tuyen": N_("Trực tuyến"),
    }
)

SLIPS: Mapping[str, str] = MappingProxyType(
    {
        "01": N_("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        "02": N_("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        "03": N_("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        "04": N_("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        "05": N_("Thông báo dừng giải quyết hồ sơ"),
        # Mẫu 06 of TT 03/2025/TT-VPCP logs the hand-overs (luân chuyển) between units.
        "06": N_("Phiếu chuyển hồ sơ"),
    }
)

# What check() says. Constants, so that callers and tests can tell them apart.
UNKNOWN_ACTION = N_("Việc này không có trong quy trình giải quyết hồ sơ.")
NOT_ALLOWED = N_("Tài khoản của bạn không có quyền làm việc này với hồ sơ.")
WRONG_STATUS = N_(
    "Hồ sơ đã chuyển sang trạng thái khác nên không làm được việc này nữa. Bạn hãy tải lại"
    " trang để xem việc có thể làm."
)
ALREADY_DONE = N_(
    "Hồ sơ này đã có phiếu xin lỗi và hẹn lại ngày. Mỗi hồ sơ chỉ được hẹn lại một lần."
)
NOT_LATE = N_(
    "Chỉ hẹn lại ngày từ một ngày làm việc trước ngày hẹn trả, khi hồ sơ chưa giải quyết xong."
)
REASON_MISSING = N_("Bạn hãy ghi rõ lý do.")
FEE_MISSING = N_("Bạn hãy ghi số tiền cần nộp và cách nộp.")
NOTE_MISSING = N_("Bạn hãy viết nội dung ghi chú.")
ITEMS_MISSING = N_("Bạn hãy đánh dấu ít nhất một giấy tờ hoặc thông tin cần bổ sung.")
DEADLINE_MISSING = N_("Bạn hãy chọn hạn bổ sung.")
DEADLINE_PAST = N_("Hạn bổ sung phải sau hôm nay. Bạn hãy chọn ngày khác.")
DEADLINE_TOO_LATE = N_(
    "Hạn bổ sung chậm nhất là ngày %(latest)s (3 tháng kể từ hôm nay). Bạn hãy chọn ngày sớm hơn."
)
NEW_DATE_MISSING = N_("Bạn hãy chọn ngày hẹn mới.")
NEW_DATE_TOO_LATE = N_(
    "Ngày hẹn mới chậm nhất là ngày %(latest)s: thêm một lần thời hạn giải quyết của thủ tục"
    " (ít nhất 5 ngày làm việc), tính từ ngày hẹn cũ, hoặc từ hôm nay nếu đã quá hạn. Bạn hãy"
    " chọn ngày sớm hơn."
)
NEW_DATE_TOO_EARLY = N_("Ngày hẹn mới phải sau ngày hẹn cũ (%(due)s).")
NEW_DATE_PAST = N_("Ngày hẹn mới không được trước hôm nay.")
NEW_DATE_DAY_OFF = N_(
    "Ngày %(date)s là ngày nghỉ nên Trung tâm không trả kết quả được. Bạn hãy chọn ngày làm"
    " việc, ví dụ %(next)s."
)
CHANNEL_MISSING = N_("Bạn hãy chọn cách trả kết quả.")
NOT_CONFIRMED = N_("Bạn hãy đánh dấu xác nhận muốn rút hồ sơ.")
UNIT_MISSING = N_("Bạn hãy chọn xã, phường nhận hồ sơ.")
UNIT_UNKNOWN = N_(
    "Không có xã, phường này trong tỉnh. Bạn hãy chọn một xã, phường trong danh sách."
)
UNIT_SAME = N_("Hồ sơ đang ở chính xã, phường này. Bạn hãy chọn xã, phường khác.")
PAPERS_MISSING = N_("Bạn hãy đánh dấu các giấy tờ đã nhận để chuyển đi cùng hồ sơ.")


@dataclass(frozen=True)
class Action:
    """One thing a role may do to a dossier, and what it needs."""

    key: str
    label: str
    sources: frozenset[Status]
    target: Status | None  # None: the status stays (an apology, a note)
    roles: frozenset[str]
    needs_reason: bool = False
    missing_reason: str = REASON_MISSING  # what to say when the reason is left blank
    needs_items: bool = False  # at least one document or answer ticked
    needs_deadline: bool = False  # a day after today
    needs_new_date: bool = False  # a day after the old due date
    needs_channel: bool = False  # one of RESULT_CHANNELS
    needs_confirmation: bool = False  # a ticked "yes, I am sure"
    needs_unit: bool = False  # another commune of the province
    needs_papers: bool = False  # at least one paper received ticked, to go with the dossier
    slip: str = ""  # the key of SLIPS it produces, if any
    public: bool = True  # the person sees it on the status page
    danger: bool = False  # it ends the dossier: the page asks for a second look
    once: bool = False  # at most once per dossier
    near_due: bool = False  # only from one working day before the due date (apology_open)


def _statuses(*statuses: Status) -> frozenset[Status]:
    """A set of statuses, for the table below."""
    return frozenset(statuses)


def _roles(*roles: str) -> frozenset[str]:
    """A set of roles, for the table below."""
    return frozenset(roles)


_RECEPTION_ROLES = _roles("tiep_nhan", "lanh_dao")
# In the order the dossier page lists them.
_ACTIONS = (
    # The caller sets the due date with domain.calendar.
    Action(
        "receive",
        N_("Tiếp nhận"),
        _statuses(S.NEW),
        S.RECEIVED,
        _RECEPTION_ROLES,
        slip="01",
    ),
    Action(
        "refuse",
        N_("Từ chối tiếp nhận"),
        _statuses(S.NEW),
        S.REFUSED,
        _RECEPTION_ROLES,
        needs_reason=True,
        slip="03",
        danger=True,
    ),
    # Asked at reception (from NEW) or later; the clock stops until the supplement arrives.
    Action(
        "request_supplement",
        N_("Yêu cầu bổ sung"),
        _statuses(S.NEW, S.RECEIVED, S.PROCESSING),
        S.SUPPLEMENT,
        _roles("tiep_nhan", "chuyen_vien", "lanh_dao"),
        needs_reason=True,
        needs_items=True,
        needs_deadline=True,
        slip="02",
    ),
    # The usual target; resume_status() gives the real one from the status before the request.
    Action(
        "supplement_received",
        N_("Đã nhận bổ sung"),
        _statuses(S.SUPPLEMENT),
        S.PROCESSING,
        _roles("tiep_nhan", CITIZEN),
    ),
    Action(
        "forward",
        N_("Chuyển xử lý"),
        _statuses(S.RECEIVED),
        S.PROCESSING,
        _RECEPTION_ROLES,
    ),
    # The reason is the amount and how to pay: the person reads it on the status page.
    Action(
        "request_fee",
        N_("Yêu cầu nộp phí, lệ phí"),
        _statuses(S.PROCESSING),
        S.FEE,
        _roles("chuyen_vien", "lanh_dao"),
        needs_reason=True,
        missing_reason=FEE_MISSING,
    ),
    Action(
        "fee_paid",
        N_("Đã nộp phí, lệ phí"),
        _statuses(S.FEE),
        S.PROCESSING,
        _roles("tiep_nhan", "chuyen_vien"),
    ),
    Action(
        "stop",
        N_("Dừng xử lý hồ sơ"),
        _statuses(S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.FEE),
        S.STOPPED,
        _roles("lanh_dao"),
        needs_reason=True,
        slip="05",
        danger=True,
    ),
    # Only a leader approves; a specialist's proposal is a note until the leader acts.
    Action(
        "finish",
        N_("Duyệt kết quả"),
        _statuses(S.PROCESSING),
        S.FINISHED,
        _roles("lanh_dao"),
    ),
    Action(
        "return_result",
        N_("Trả kết quả"),
        _statuses(S.FINISHED),
        S.RETURNED,
        _roles("tiep_nhan"),
        needs_channel=True,
    ),
    # The stop notice (05) also records a withdrawal (TT 03/2025/TT-VPCP).
    Action(
        "withdraw",
        N_("Rút hồ sơ"),
        _statuses(S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.FEE),
        S.WITHDRAWN,
        _roles(CITIZEN),
        needs_confirmation=True,
        slip="05",
        danger=True,
    ),
    # A centre receives whatever the address (NĐ 118/2025) and hands the dossier to the
    # competent commune before any work on it starts: new, or received and not yet forwarded.
    # The status stays; the deciding unit goes on from where it is.
    Action(
        "transfer",
        N_("Chuyển đến xã, phường có thẩm quyền"),
        _statuses(S.NEW, S.RECEIVED),
        None,
        _RECEPTION_ROLES,
        needs_reason=True,
        needs_unit=True,
        needs_papers=True,
        slip="06",
    ),
    # Once per dossier: a second new date would make the first promise worthless.
    Action(
        "apologise",
        N_("Xin lỗi và hẹn lại ngày"),
        _statuses(S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.FEE),
        None,
        _roles("chuyen_vien", "lanh_dao"),
        needs_reason=True,
        needs_new_date=True,
        slip="04",
        once=True,
        near_due=True,
    ),
    # Staff talk to each other about a dossier, whatever its status; the person never sees it.
    Action(
        "note",
        N_("Ghi chú nội bộ"),
        frozenset(S),
        None,
        _roles("tiep_nhan", "chuyen_vien", "lanh_dao"),
        needs_reason=True,
        missing_reason=NOTE_MISSING,
        public=False,
    ),
)
ACTIONS: Mapping[str, Action] = MappingProxyType({a.key: a for a in _ACTIONS})
# The staff roles that act on dossiers; the others only see them.
DOSSIER_ROLES = frozenset(role for a in _ACTIONS for role in a.roles if role in ROLES)


@dataclass(frozen=True)
class InboxTab:
    """A tab of the staff inbox: the dossiers in some statuses."""

    key: str
    label: str
    statuses: frozenset[Status]


# Every open status is in exactly one tab, so that no dossier waits where nobody looks:
# RECEIVED (waiting to be forwarded) and FEE (waiting for a payment) sit with the ones
# being processed.
INBOX_TABS = (
    InboxTab("moi", N_("Mới"), _statuses(S.NEW)),
    InboxTab("dang-xu-ly", N_("Đang xử lý"), _statuses(S.RECEIVED, S.PROCESSING, S.FEE)),
    InboxTab("cho-bo-sung", N_("Chờ bổ sung"), _statuses(S.SUPPLEMENT)),
    InboxTab("cho-tra", N_("Chờ trả kết quả"), _statuses(S.FINISHED)),
)


def label(status: int) -> str:
    """The status's name; ValueError for a code that is not a status."""
    return STATUS_LABELS[Status(status)]


def help_text(status: int) -> str:
    """What the status means for the person, and what to do next."""
    return STATUS_HELP[Status(status)]


def action_label(key: str) -> str:
    """The name of an action or other timeline event; the key itself when unknown."""
    if key in ACTIONS:
        return ACTIONS[key].label
    return OTHER_EVENTS.get(key, key)


def role_label(role: str) -> str:
    """The name of a role or other actor; the key itself when unknown."""
    return ROLES.get(role) or OTHER_ACTORS.get(role, role)


def slip_of(key: str) -> str:
    """The slip an action produces ('01'–'06'), or '' when none."""
    return ACTIONS[key].slip if key in ACTIONS else ""


def is_closed(status: int) -> bool:
    """Whether the dossier has ended: refused, withdrawn, stopped or returned."""
    return status in CLOSED


def is_open(status: int) -> bool:
    """Whether the dossier has not ended yet (a result waiting to be returned is open)."""
    return status in OPEN


def is_finished(status: int) -> bool:
    """Whether the dossier has its result, returned or not."""
    return status in FINISHED


def is_paused(status: int) -> bool:
    """Whether the clock stops: the person has to send a supplement or pay."""
    return status in PAUSED


def is_running(status: int) -> bool:
    """Whether the clock runs: received and not yet dealt with, nothing awaited."""
    return status in RUNNING


def apology_open(status: int, today: date, due: date | None, calendar: WorkCalendar) -> bool:
    """Whether an open, unfinished dossier is due within one working day: it may get an apology."""
    # NĐ 61/2018 asked for the apology "chậm nhất 01 ngày trước ngày hết hạn" (domain.md §2.4):
    # from the working day before the due date, so the person hears before the day is missed.
    if due is None or not is_open(status) or is_finished(status):
        return False
    return calendar.working_days_between(today, due) <= 1


def is_late(status: int, today: date, due: date | None) -> bool:
    """Whether an open, unfinished dossier is due today or before (see apology_open too)."""
    return due is not None and due <= today and is_open(status) and not is_finished(status)


def can_withdraw(status: int) -> bool:
    """Whether the person may still withdraw a dossier in this status."""
    return status in ACTIONS["withdraw"].sources


def can_rate(status: int) -> bool:
    """Whether the person may rate the service: only once the result is in their hands."""
    return status == S.RETURNED


class StatusQuestions:
    """What pages ask about a dossier's status, answered by the rules above.

    Mixed into anything with a `status` (the Dossier model, an inbox row), so that templates
    ask `dossier.is_running` and never compare status codes themselves.
    """

    if TYPE_CHECKING:  # given by the class it is mixed into
        status: int
        due_date: date | None
        channel: int

    @property
    def submission_channel(self) -> Channel:
        """How it reached the centre."""
        return Channel(self.channel)

    @property
    def is_new(self) -> bool:
        """Sent and not yet received: no due date, only an expected one."""
        return self.status == S.NEW

    @property
    def is_running(self) -> bool:
        """The clock runs: the days left mean something."""
        return is_running(self.status)

    @property
    def is_paused(self) -> bool:
        """The clock stops while the person sends a supplement or pays."""
        return is_paused(self.status)

    @property
    def awaits_supplement(self) -> bool:
        """The person has to send the papers or answers asked for."""
        return self.status == S.SUPPLEMENT

    @property
    def awaits_fee(self) -> bool:
        """The person has to pay a fee or tax before the work goes on."""
        return self.status == S.FEE

    @property
    def is_closed(self) -> bool:
        """Ended for good: no due date is promised any more."""
        return is_closed(self.status)

    @property
    def result_ready(self) -> bool:
        """The result exists and waits for the person to collect it."""
        return self.status == S.FINISHED

    @property
    def is_returned(self) -> bool:
        """The result has been handed over."""
        return self.status == S.RETURNED

    @property
    def can_withdraw(self) -> bool:
        """The person may still withdraw it."""
        return can_withdraw(self.status)

    @property
    def can_rate(self) -> bool:
        """The person may rate the service."""
        return can_rate(self.status)

    def is_overdue(self, today: date) -> bool:
        """The clock runs and the due date has passed."""
        return self.due_date is not None and self.due_date < today and self.is_running


def resume_status(status_before_request: int) -> Status:
    """Where a supplement takes a dossier: to NEW if asked for at reception, else PROCESSING."""
    # Asked for at reception, the dossier was never received: the clerk checks it again.
    if status_before_request == S.NEW:
        return S.NEW
    if status_before_request in (S.RECEIVED, S.PROCESSING):
        return S.PROCESSING
    raise ValueError(f"a supplement is never asked for in status {status_before_request!r}")


def next_status(key: str, status: int, *, before_supplement: int | None = None) -> Status:
    """The status after the action; before_supplement is the status before the request."""
    action = ACTIONS[key]
    if key == "supplement_received":
        if before_supplement is None:
            raise ValueError("supplement_received needs the status before the request")
        return resume_status(before_supplement)
    return Status(status) if action.target is None else action.target


def _may(action: Action, past_actions: Sequence[str], near_due: bool) -> bool:
    """Whether the once-only and near-the-due-date conditions let the action be done."""
    if action.once and action.key in past_actions:
        return False
    return near_due or not action.near_due


def allowed_actions(
    status: int, role: str, *, past_actions: Sequence[str] = (), near_due: bool = False
) -> list[Action]:
    """What this role may do now to a dossier in this status, in page order."""
    return [
        action
        for action in _ACTIONS
        if role in action.roles
        and status in action.sources
        and _may(action, past_actions, near_due)
    ]


def check(
    action_key: str,
    status: int,
    role: str,
    *,
    reason: str = "",
    items: Sequence[str] = (),
    deadline: date | None = None,
    new_date: date | None = None,
    channel: str = "",
    confirmed: bool = False,
    today: date,
    due: date | None = None,
    past_actions: Sequence[str] = (),
    near_due: bool | None = None,
    calendar: WorkCalendar | None = None,
    limit: TimeLimit | None = None,
    unit: int | None = None,
    papers: Sequence[str] = (),
    own_unit: int | None = None,
    province_units: Collection[int] = (),
) -> Action:
    """The action, if this role may do it now with what was given; else Invalid, in words."""
    # near_due=None: judge by the due date (apology_open); pass a bool to judge it otherwise.
    # calendar: the dossier's commune's; without one, the national calendar judges new dates.
    # limit: the procedure's time limit, which bounds an apology's new date.
    # unit, for a transfer: where to, among province_units (the province's communes), never
    # own_unit (the one holding the dossier).
    calendar = calendar or WorkCalendar()
    action = ACTIONS.get(action_key)
    if action is None:
        raise Invalid(UNKNOWN_ACTION)
    if role not in action.roles:
        raise Invalid(NOT_ALLOWED)
    if status not in action.sources:
        raise Invalid(WRONG_STATUS)
    if action.once and action.key in past_actions:
        raise Invalid(ALREADY_DONE)
    if near_due is None:
        near_due = apology_open(status, today, due, calendar)
    if action.near_due and not near_due:
        raise Invalid(NOT_LATE)
    _check_details(
        action,
        reason,
        items,
        deadline,
        new_date,
        channel,
        confirmed,
        today,
        due,
        calendar,
        limit,
    )
    if action.needs_unit:
        check_unit(unit, own_unit, province_units)
    if action.needs_papers and not any(paper.strip() for paper in papers):
        raise Invalid(PAPERS_MISSING, field="papers")
    return action


def check_unit(unit: int | None, own_unit: int | None, province_units: Collection[int]) -> None:
    """Raise Invalid unless unit is another commune of the province."""
    if unit is None:
        raise Invalid(UNIT_MISSING, field="unit")
    if unit == own_unit:
        raise Invalid(UNIT_SAME, field="unit")
    # An unknown code, or a commune of another province: the same words, naming neither.
    if unit not in province_units:
        raise Invalid(UNIT_UNKNOWN, field="unit")


def _check_details(
    action: Action,
    reason: str,
    items: Sequence[str],
    deadline: date | None,
    new_date: date | None,
    channel: str,
    confirmed: bool,
    today: date,
    due: date | None,
    calendar: WorkCalendar,
    limit: TimeLimit | None,
) -> None:
    """Raise Invalid for the first thing the action needs that is missing or wrong."""
    if action.needs_reason and not reason.strip():
        raise Invalid(action.missing_reason, field="reason")
    if action.needs_items and not any(item.strip() for item in items):
        raise Invalid(ITEMS_MISSING, field="items")
    if action.needs_deadline:
        if deadline is None:
            raise Invalid(DEADLINE_MISSING, field="deadline")
        if deadline <= today:
            raise Invalid(DEADLINE_PAST, field="deadline")
        if deadline > latest_deadline(today):
            raise Invalid(DEADLINE_TOO_LATE, field="deadline", latest=day(latest_deadline(today)))
    if action.needs_new_date:
        _check_new_date(new_date, today, due, calendar, limit)
    if action.needs_channel and channel not in RESULT_CHANNELS:
        raise Invalid(CHANNEL_MISSING, field="channel")
    if action.needs_confirmation and not confirmed:
        raise Invalid(NOT_CONFIRMED, field="confirmed")


# How far ahead a supplement deadline may be set: it gives the person time to fetch papers,
# from another province at worst, and three months is ample. The bound also keeps typing
# slips (31/12/9999, 2062 for 2026) out of the dates everyone computes with.
DATE_BOUND_MONTHS = 3
# An apology's new date (slip 04) is at most the procedure's own time limit again, counted
# from the missed date (or from today when it is long past), as if the dossier were received
# afresh that day: the centre gets once more the whole time the law gives for the work, which
# fits a same-day certification and a 65-working-day land case alike, where one fixed span
# would be too long for the first or too short for the second. A dossier that needs longer
# is to be stopped (slip 05), not promised a date no one believes. At least 5 working days,
# one working week: a same-day or one-day procedure that overran usually waits on another
# office (a registry asked to check a marriage answers within 3 working days, domain.md §5),
# and a person can plan a week ahead. Without a known limit, 30 working days (six weeks)
# stand for it. Working days, not months: Tết does not eat the time given.
APOLOGY_FLOOR_WORKING_DAYS = 5
APOLOGY_UNKNOWN_LIMIT = TimeLimit(30, "WORKING_DAY")


def latest_deadline(today: date) -> date:
    """The latest supplement deadline that may be set today."""
    try:
        return add_months(today, DATE_BOUND_MONTHS)
    except ValueError:  # past year 9999
        return date.max


def latest_new_date(
    today: date, due: date | None, calendar: WorkCalendar, limit: TimeLimit | None
) -> date:
    """The latest new date an apology may promise: the procedure's time limit again (at least
    5 working days) after the missed date, or after today when that is past."""
    start = max(today, due) if due else today
    limit = limit or APOLOGY_UNKNOWN_LIMIT
    try:
        again = calendar.due_date(datetime.combine(start, time(0)), limit.qty, limit.unit)
        return max(again, calendar.add_working_days(start, APOLOGY_FLOOR_WORKING_DAYS))
    except (OverflowError, ValueError):  # past year 9999: a due date saved before the bound
        return date.max


def _check_new_date(
    new_date: date | None,
    today: date,
    due: date | None,
    calendar: WorkCalendar,
    limit: TimeLimit | None,
) -> None:
    """Raise Invalid unless new_date is a working day after the old due date, not past."""
    if new_date is None:
        raise Invalid(NEW_DATE_MISSING, field="new_date")
    if due is not None and new_date <= due:
        raise Invalid(NEW_DATE_TOO_EARLY, field="new_date", due=day(due))
    # Long overdue, a day after the old date may still be gone: a promise must be ahead.
    if new_date < today:
        raise Invalid(NEW_DATE_PAST, field="new_date")
    # Checked before the calendar is asked about the day: a typo such as 31/12/9999 is
    # refused in words, not computed with.
    latest = latest_new_date(today, due, calendar, limit)
    if new_date > latest:
        raise Invalid(NEW_DATE_TOO_LATE, field="new_date", latest=day(latest))
    # The person comes for the result on that day: the centre must be open.
    if not calendar.is_working_day(new_date):
        raise Invalid(
            NEW_DATE_DAY_OFF,
            field="new_date",
            date=day(new_date),
            next=day(calendar.next_working_day(new_date)),
        )
