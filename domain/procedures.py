"""Rules for reading published procedure records, whose data has known traps.

- A channel's time may say "1 OTHER" while its cases say "1 WORKING_DAY": cases win.
- A fee of 0 often hides "set by the provincial People's Council" in its description.
- Some listed "documents" are notes (group "* Lưu ý:", or no originals and no copies).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from domain.channels import CATALOG_ORDER
from domain.formatting import shorten
from domain.messages import N_
from domain.messages import Invalid
from domain.numbers import whole

CHANNEL_ORDER = CATALOG_ORDER
# A procedure's code on the national portal, e.g. 1.001193 (URLs match it whole).
CODE_PATTERN = r"\d\.\d{6}"
TIME_UNITS = ("WORKING_DAY", "DAY", "HOUR", "MONTH")
# The longest limit an administrator may set, in any unit: a year of working days is already
# longer than any commune procedure's; a bigger number is a typing slip.
LIMIT_MAX = 250
BULLET = re.compile(r"^\s*(?:[-+*•]\s*)+")
SPACES = re.compile(r"[ \t]{2,}")


@dataclass(frozen=True)
class TimeLimit:
    qty: float
    unit: str  # one of TIME_UNITS
    case: str = ""  # the case code when the time belongs to one case

    @property
    def amount(self) -> int | float:
        return int(self.qty) if float(self.qty).is_integer() else self.qty


# Said where a dossier cannot be received because its procedure has no time limit: by the
# procedure field at the counter, on the dossier page for one sent online.
NO_TIME_LIMIT = N_(
    "Thủ tục này chưa có thời hạn giải quyết, nên chưa tiếp nhận được: không có ngày hẹn trả "
    "kết quả. Quản trị hệ thống của xã đặt thời hạn ở trang Công bố thủ tục; khi đã có, bạn "
    "tiếp nhận lại."
)


def check_time_limit(raw_qty: str | None, raw_unit: str | None) -> TimeLimit:
    """The limit an administrator typed: a whole number from 0 and one of TIME_UNITS.

    0 is a same-day procedure (trong ngày): due the day of receipt, the next working day when
    received from 15:00 (domain.calendar). 1 working day is the next working day, since the day
    of receipt is not counted.
    """
    if raw_unit not in TIME_UNITS:
        raise Invalid(N_("Bạn hãy chọn đơn vị của thời hạn."), field="don-vi")
    qty = whole(raw_qty, maximum=LIMIT_MAX)
    if qty is None or qty < 0:
        raise Invalid(
            N_("Thời hạn là một số nguyên từ 0 (trả kết quả trong ngày) đến %(max)s."),
            field="so",
            max=LIMIT_MAX,
        )
    return TimeLimit(qty, raw_unit)


@dataclass(frozen=True)
class Fee:
    amount_vnd: int
    description: str

    @property
    def is_zero_without_text(self) -> bool:
        return self.amount_vnd == 0 and not self.description


def document_group(group_heading: str, originals: int, copies: int) -> str:
    """Classify a published document: 'submit', 'present' or 'note'."""
    heading = group_heading.lower()
    if "lưu ý" in heading or (originals == 0 and copies == 0):
        return "note"
    if "xuất trình" in heading:
        return "present"
    return "submit"


def clean_text(text: str) -> str:
    """Published text in composed Unicode (NFC), without leading bullets or runs of spaces;
    line breaks kept. The crawl mixes composed and decomposed letters ("ặ" as a + ̆ + ̣)."""
    text = unicodedata.normalize("NFC", text)
    lines = [SPACES.sub(" ", BULLET.sub("", line)).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def corrected(text: str, published: str, correction: str, where: str) -> str:
    """A published text with one garbled piece put right; the piece must be there once."""
    found = text.count(published)
    if found != 1:
        raise ValueError(f"{where}: the text to correct is there {found} times, not once")
    return text.replace(published, correction)


def time_limits(
    channel_qty: float | None, channel_unit: str, cases: Sequence[TimeLimit]
) -> list[TimeLimit]:
    """The time limits to show for a channel: its own when it has a real unit, else the cases'."""
    if channel_qty and channel_unit in TIME_UNITS:
        return [TimeLimit(channel_qty, channel_unit)]
    usable = [c for c in cases if c.qty and c.unit in TIME_UNITS]
    unique: dict[tuple[float, str], TimeLimit] = {}
    for case in sorted(usable, key=lambda c: c.case):
        unique.setdefault((case.qty, case.unit), case)
    return list(unique.values())


def longest_working_days(limits: Sequence[TimeLimit]) -> TimeLimit | None:
    """The longest limit: what to promise when the case is not known yet."""
    if not limits:
        return None
    weight = {"HOUR": 1 / 8, "WORKING_DAY": 1, "DAY": 1, "MONTH": 22}
    return max(limits, key=lambda t: t.qty * weight[t.unit])


def fees(raw: Sequence[dict]) -> list[Fee]:
    """Fees as published, without duplicates."""
    seen: dict[tuple[int, str], Fee] = {}
    for item in raw:
        fee = Fee(int(item.get("value_vnd") or 0), clean_text(item.get("description") or ""))
        seen.setdefault((fee.amount_vnd, fee.description), fee)
    return list(seen.values())


@dataclass(frozen=True)
class PrintedList:
    """What an official document list prints as on a one-page sheet."""

    texts: list[str]  # the first items, each perhaps shortened
    left_out: int  # items after them that did not fit
    shortened: bool  # whether some printed text is cut


def fit_for_print(texts: Sequence[str], room: int, longest: int, per_item: int) -> PrintedList:
    """The items of an official list that fit on a printed sheet, in order.

    Some published lists run to dozens of papers of several thousand characters each (a
    building permit's land papers); a sheet that runs onto a second page gets lost, so the
    sheet keeps the first items, each cut to `longest` characters, while their characters
    plus `per_item` (a started line, the copies) stay within `room`, and says how many more
    there are. The full list is one QR scan away. The first item is always kept.
    """
    kept: list[str] = []
    used = 0
    shortened = False
    for text in texts:
        short = shorten(text, longest)
        cost = len(short) + per_item
        if kept and used + cost > room:
            break
        kept.append(short)
        used += cost
        shortened = shortened or short != " ".join(text.split())
    return PrintedList(kept, len(texts) - len(kept), shortened)
