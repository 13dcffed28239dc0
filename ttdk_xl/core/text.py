"""Small text helpers: NFC, keys for matching typed text, Vietnamese number formatting, safe file names."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def nfc(value: object) -> str:
    """Text as NFC with surrounding spaces removed ('' for None)."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if not text.isascii():  # hot path: most cells are ASCII or already NFC; both checks run in C
        text = unicodedata.normalize("NFC", text)
    return text.strip()


def text_key(value: object) -> str:
    """Text people typed, for comparing: NFC, case-folded, single spaces ('' for None).

    'Nguyễn  Văn AN' = 'nguyễn văn an'. Unit names are matched by core.units.unit_key instead."""
    if value is None or value == "":  # most cells of a sheet are empty
        return ""
    return _text_key(value if type(value) is str else str(value))


@lru_cache(maxsize=16384)  # headers, labels and criterion texts recur in every file of a template
def _text_key(text: str) -> str:
    key = nfc(text).casefold()
    if not key.isascii():  # casefold can denormalise ('ǰ'); ASCII cannot
        key = unicodedata.normalize("NFC", key)
    return " ".join(key.split())


def header_key(value: object) -> str:
    """A column header, label, sheet name or choice from a list, for matching: text_key without a trailing
    ':' or '*' ('Đơn vị:' = 'ĐƠN VỊ' = 'đơn  vị')."""
    if value is None or value == "":
        return ""
    return _header_key(value if type(value) is str else str(value))


@lru_cache(maxsize=16384)
def _header_key(text: str) -> str:
    return _text_key(text).rstrip(":*").strip()


def code_text(value: object) -> str:
    """A code or key typed in a cell, as text: a whole number that Excel stores as a float loses its '.0'
    (1.0 → '1'); anything else as NFC text."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return nfc(value)


# Administrative prefixes of unit names, longest first: stripped to match names typed differently
# ("huyện Nông Cống" = "UBND huyện Nông Cống") and to get a place name ("Triệu Sơn").
UNIT_PREFIXES = (
    "ủy ban nhân dân",
    "uỷ ban nhân dân",
    "hội đồng nhân dân",
    "ubnd",
    "hđnd",
    "thành phố",
    "thị xã",
    "thị trấn",
    "đặc khu",
    "huyện",
    "quận",
    "phường",
    "xã",
    "tỉnh",
    "sở",
    "tp.",
    "tp",
    "tx.",
)


def strip_unit_prefixes(name: str) -> str:
    """'UBND huyện Triệu Sơn' → 'Triệu Sơn': every leading prefix removed, the rest as written."""
    text = " ".join(nfc(name).replace(".", ". ").split())
    low = text.casefold()
    if len(low) != len(text):  # a letter whose case-folded form is longer: positions differ, go slowly
        changed = True
        while changed:
            changed = False
            low = text.casefold()
            for prefix in UNIT_PREFIXES:
                if low.startswith(prefix + " "):
                    text, changed = text[len(prefix) + 1 :].lstrip(), True
                    break
        return text
    m = _PREFIXES.match(low)
    return text[m.end() :] if m else text


# Leading prefixes, each followed by a space, tried in UNIT_PREFIXES order (longest first).
_PREFIXES = re.compile("(?:(?:" + "|".join(re.escape(p) for p in UNIT_PREFIXES) + ") )+")


@lru_cache(maxsize=4096)  # the text depends on the value only; few values recur in every unit
def plain(value: Decimal) -> str:
    """Decimal as plain text without exponent or trailing zeros: 87.50 → '87.5'."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def vn_number(d: Decimal | None) -> str:
    """Vietnamese decimal comma: Decimal('87.5') → '87,5'; None → ''."""
    if d is None:
        return ""
    return plain(d).replace(".", ",")


def safe_filename(name: str, max_len: int = 120) -> str:
    """A Windows-safe file name that keeps Vietnamese letters."""
    name = _FORBIDDEN.sub("_", nfc(name))
    name = re.sub(r"\s+", " ", name).strip().rstrip(". ")
    return (name or "_")[:max_len]


def email_addresses(text: object) -> list[str]:
    """Email addresses in a cell typed by people: 'a@x.vn; b@y.vn', 'Tên <a@x.vn>'."""
    from email.utils import getaddresses  # deferred: most commands never need it

    return [addr for _, addr in getaddresses([nfc(text).replace(";", ",")]) if "@" in addr]


def people_time(value: str) -> str:
    """An ISO time (from a file, an email, `_meta`) as people read it: 'dd/mm/yyyy HH:MM', local time.

    A time with a zone ('…Z', '+00:00') is shown in this computer's time zone; one without is shown as
    written. Text that is not an ISO time is returned as it is (ISO stays in ket_qua.json)."""
    from datetime import datetime  # deferred: most commands never need it

    text = value.strip()
    if len(text) < 10:
        return value
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return value
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%d/%m/%Y %H:%M") if len(text) > 10 else when.strftime("%d/%m/%Y")


_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


def parse_day(value: object) -> date | None:
    """A date as typed in a sheet: an Excel date, or text 'dd/mm/yyyy' ('18/12/2026', '5-1-2027'); else None."""
    from datetime import date, datetime  # deferred: most commands never need it

    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _DATE.match(nfc(value))
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:  # 31/02/2026
        return None


def day_text(day: date) -> str:
    """'18/12/2026': a date as typed in a sheet."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def day_words(day: date) -> str:
    """'ngày 18 tháng 12 năm 2026', as Decree 30/2020 writes a document's date: a day below 10 and the months
    1 and 2 with a leading 0 ('ngày 05 tháng 3', 'ngày 20 tháng 01')."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"
