"""Numbers, dates and names the way Vietnamese readers write them: `10.122` and `99,95`,
`31/12/2021`, and units sorted in Vietnamese alphabetical order with numbers in number order
("Phường 2" before "Phường 10").

English output (the terminal's `--lang en`) uses `10,122` and `99.95` and ISO dates.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

LANGS = ("vi", "en")

# Excel number formats. The numbers stay numbers (analysts compute with them); Excel draws
# the separators of the reader's regional settings, which for a Vietnamese Windows or
# LibreOffice are `.` for thousands and `,` for decimals. The [$-42A] tag marks the format
# as Vietnamese (LCID 0x042A): LibreOffice then draws Vietnamese separators on any machine.
EXCEL_COUNT_FORMAT = "[$-42A]#,##0"
EXCEL_RATE_FORMAT = "[$-42A]#,##0.00"
EXCEL_DATE_FORMAT = "dd/mm/yyyy"
EXCEL_DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"

# d3-format / d3-time-format locales for the charts (vega-embed's formatLocale options).
D3_FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}
D3_TIME_FORMAT_LOCALE = {
    "dateTime": "%A, %e %B %Y, %X",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["SA", "CH"],
    "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [f"tháng {m}" for m in range(1, 13)],
    "shortMonths": [f"Th{m}" for m in range(1, 13)],
}

# The readers' clock: the reports show every time in it, whatever the server's zone.
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
LOCAL_ZONE_NAME = {"vi": "giờ Việt Nam", "en": "Vietnam time"}

_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def fmt_number(value: int | float | Decimal | None, decimals: int = 0, lang: str = "vi") -> str:
    """`10122` -> `10.122`, `Decimal('99.95')` with 2 decimals -> `99,95` (vi); `` for None.
    Rounds half-up, as the warehouse does."""
    if value is None:
        return ""
    thousands, decimal_mark = _SEPARATORS[lang]
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + thousands.join(groups)
    return result + decimal_mark + fraction if fraction else result


def fmt_date(value: dt.date | None, lang: str = "vi") -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def fmt_datetime(value: dt.datetime | None, lang: str = "vi") -> str:
    if value is None:
        return ""
    if lang == "vi":
        return value.strftime("%H:%M:%S %d/%m/%Y")
    return value.strftime("%Y-%m-%d %H:%M:%S")


def local_time(value: dt.datetime | None) -> dt.datetime | None:
    """value as a naive Asia/Ho_Chi_Minh wall-clock time (Excel has no time zones). A naive
    value is the server's local time, as the publish step writes `published_at`."""
    if value is None:
        return None
    return value.astimezone(LOCAL_ZONE).replace(tzinfo=None)


def now_local() -> dt.datetime:
    return dt.datetime.now(LOCAL_ZONE).replace(microsecond=0, tzinfo=None)


def fmt_local_time(value: dt.datetime | None, lang: str = "vi") -> str:
    """`09:00:00 01/03/2022 (giờ Việt Nam)`: a server time on the readers' clock."""
    if value is None:
        return ""
    return f"{fmt_datetime(local_time(value), lang)} ({LOCAL_ZONE_NAME[lang]})"


def fmt_met(meets: bool | None, lang: str = "vi") -> str:
    if meets is None:
        return ""
    if lang == "vi":
        return "Đạt" if meets else "Không đạt"
    return "yes" if meets else "no"


# Vietnamese alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y. A letter's
# rank comes from its base letter and its shape mark (breve, circumflex, horn, stroke); the
# five tone marks only break ties.
_SHAPE_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 2}  # breve, circumflex, horn
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_NUMBER = re.compile(r"(\d+)")


def _letter_keys(text: str) -> tuple[tuple, tuple]:
    primary: list[tuple[str, int]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in _SHAPE_MARKS and primary:
            base, _ = primary[-1]
            primary[-1] = (base, _SHAPE_MARKS[char])
        elif char in _TONE_MARKS and tones:
            tones[-1] = _TONE_MARKS[char]
        elif char == "đ":
            primary.append(("d", 1))
            tones.append(0)
        elif not unicodedata.combining(char):
            primary.append((char, 0))
            tones.append(0)
    return tuple(primary), tuple(tones)


def sort_key(name: str) -> tuple:
    """Vietnamese alphabetical order, numbers compared as numbers: Phường 2 < Phường 10,
    An < Ân < Bình < Đông."""
    parts = _NUMBER.split(name or "")
    key = []
    for position, part in enumerate(parts):
        if position % 2:
            key.append((1, int(part), (), ()))
        elif part:
            primary, tones = _letter_keys(part)
            key.append((0, 0, primary, tones))
    return tuple(key)
