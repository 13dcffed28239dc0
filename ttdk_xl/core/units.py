"""Finding a unit of the book by what people type: the one matcher used by every stage.

A unit is named in many places — a workbook's title block and `_meta`, the book's head and deputy, the
agreed-score sheet's columns, ballots — and people write its name in many ways: 'UBND huyện Triệu Sơn',
'Huyện Triệu Sơn', 'triệu sơn', 'Trieu Son'. All of them are matched here, the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from ttdk_xl.core.models import Book, Unit
from ttdk_xl.core.text import nfc, strip_unit_prefixes, text_key


@lru_cache(maxsize=65536)  # a province's units: every name is looked up once per file
def unit_key(name: str) -> str:
    """Unit name for matching: NFC, lower case, single spaces, without prefixes like UBND, huyện, xã."""
    return strip_unit_prefixes(name).casefold()


def _ascii_key(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


class UnitNames:
    """Units by the keys their names are matched on, built once for a set of units (a book's, a ballot's).

    A name matches the unit whose name it is after normalising case and spaces; else the one whose name
    is the same without prefixes (`unit_key`); else without accents as well. A name that would match
    two units matches none."""

    def __init__(self, units: Iterable[Unit]):
        self._by_name: dict[str, list[Unit]] = {}
        self._by_key: dict[str, list[Unit]] = {}
        self._by_ascii: dict[str, list[Unit]] = {}
        for u in units:
            k = unit_key(u.name)
            self._by_name.setdefault(text_key(u.name), []).append(u)
            self._by_key.setdefault(k, []).append(u)
            self._by_ascii.setdefault(_ascii_key(k), []).append(u)

    def match(self, name: str) -> Unit | None:
        """The unit named `name`, or None (no unit, or more than one)."""
        key = unit_key(name)
        if not key:
            return None
        # The exact name first: 'Huyện Kỳ Anh' and 'Thị xã Kỳ Anh' share the key 'kỳ anh'.
        hits = self._by_name.get(text_key(name)) or self._by_key.get(key) or self._by_ascii.get(_ascii_key(key), [])
        return hits[0] if len(hits) == 1 else None


def match_unit(book: Book, name: str) -> Unit | None:
    """The book's unit whose name matches `name` (see UnitNames), or None."""
    return book.derived("unit_names", _unit_names).match(name)


def find_unit(book: Book, ref: str) -> Unit | None:
    """The unit named by `ref`: its code, or its name as `match_unit` matches it."""
    ref = nfc(ref)
    if not ref:
        return None
    return book.unit(ref) or match_unit(book, ref)


def _unit_names(book: Book) -> UnitNames:
    return UnitNames(book.units)
