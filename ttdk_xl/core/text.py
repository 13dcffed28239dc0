"""Small text helpers: NFC, Vietnamese number formatting, safe file names."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def nfc(value: object) -> str:
    """Text as NFC with surrounding spaces removed ('' for None)."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if not text.isascii():  # hot path: most cells are ASCII or already NFC; both checks run in C
        text = unicodedata.normalize("NFC", text)
    return text.strip()


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
