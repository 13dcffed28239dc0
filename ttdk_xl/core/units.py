"""Finding a unit of the book by what people type: the one matcher used by every stage.

A unit is named in many places — a workbook's title block and `_meta`, the book's head and deputy, the
agreed-score sheet's columns, ballots — and people write its name in many ways: 'UBND huyện Triệu Sơn',
'Huyện Triệu Sơn', 'triệu sơn', 'Trieu Son'. All of them are matched here, the same way.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ttdk_xl.core.models import Book, Unit
from ttdk_xl.core.text import nfc, strip_unit_prefixes


@lru_cache(maxsize=65536)  # a province's units: every name is looked up once per file
def unit_key(name: str) -> str:
    """Unit name for matching: NFC, lower case, single spaces, without prefixes like UBND, huyện, xã."""
    return strip_unit_prefixes(name).casefold()


def _ascii_key(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def match_unit(book: Book, name: str) -> Unit | None:
    """The book's unit whose name matches `name` after normalising (accents too, when that alone is
    unambiguous), or None (also when two units would match)."""
    key = unit_key(name)
    if not key:
        return None
    by_key, by_ascii = book.derived("unit_keys", _unit_keys)
    hits = by_key.get(key) or by_ascii.get(_ascii_key(key), [])
    return hits[0] if len(hits) == 1 else None


def find_unit(book: Book, ref: str) -> Unit | None:
    """The unit named by `ref`: its code, or its name as `match_unit` matches it."""
    ref = nfc(ref)
    if not ref:
        return None
    return book.unit(ref) or match_unit(book, ref)


def _unit_keys(book: Book) -> tuple[dict[str, list[Unit]], dict[str, list[Unit]]]:
    """The book's units by matching key and by its accent-free form (built once per book)."""
    by_key: dict[str, list[Unit]] = {}
    by_ascii: dict[str, list[Unit]] = {}
    for u in book.units:
        k = unit_key(u.name)
        by_key.setdefault(k, []).append(u)
        by_ascii.setdefault(_ascii_key(k), []).append(u)
    return by_key, by_ascii
