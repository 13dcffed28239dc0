"""Blank self-scoring workbooks for thousands of units, fast: write one, stamp the rest.

The blank workbooks of one book differ only in the unit's own strings (code, name…). So the workbook is
written once with xlsxwriter for a placeholder unit, and each unit's file is that workbook's parts with
the placeholders replaced, zipped the way xlsxwriter zips them: the same bytes as writing the unit's
workbook directly (tests compare them), at a fraction of the time (xlsxwriter spends most of its time
on per-file work such as preparing every formula). A unit whose strings could make the two differ
(XML special characters, a string equal to another one in the workbook, an empty field the workbook
shows) is written directly.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from pathlib import Path

from ttdk_xl.core.atomic import write_bytes
from ttdk_xl.core.models import Book, Unit

FAST_FROM = 100  # units: fewer (any cluster) get workbooks written one by one by xlsxwriter
_MARK = "ZQXTTDK"  # no real text contains it; found in any case after a transformation like upper()
_FIELDS = tuple(f.name for f in fields(Unit))
_UNSAFE = set("&<>\"'")


class Stamper:
    """Writes blank workbooks of one book for many units (see the module docstring)."""

    def __init__(self, book: Book, issued_at: datetime, write_direct: Callable[..., Path]):
        """`write_direct(book, unit, path, issued_at)` writes one unit's workbook with xlsxwriter
        (forms.template.write_unit_workbook): for the placeholder unit, and for units it cannot stamp."""
        self.book = book
        self.issued_at = issued_at
        self._write_direct = write_direct
        placeholder = Unit(**{name: f"{_MARK}{name.upper()}{_MARK}" for name in _FIELDS})
        self._marks = {name: getattr(placeholder, name).encode() for name in _FIELDS}
        with tempfile.TemporaryDirectory(prefix="ttdk-stamp-") as tmp:
            proto = Path(tmp) / "proto.xlsx"
            write_direct(book, placeholder, proto, issued_at)
            with zipfile.ZipFile(proto) as zf:
                self.parts = [(info.filename, zf.read(info)) for info in zf.infolist()]
        # Which fields the workbook shows, and the strings already in it (a unit's string equal to one of
        # them would be stored once by xlsxwriter: the direct path then differs).
        self.used = [name for name in _FIELDS if any(self._marks[name] in data for _, data in self.parts)]
        self.strings = b"".join(data for name, data in self.parts if name.endswith("sharedStrings.xml"))
        self.ok = self._marks_intact()

    def _marks_intact(self) -> bool:
        """Every placeholder appears only verbatim (not upper-cased, cut or escaped)."""
        for _, data in self.parts:
            rest = data
            for mark in self._marks.values():
                rest = rest.replace(mark, b"")
            if _MARK.lower().encode() in rest.lower():
                return False
        return True

    def stampable(self, unit: Unit) -> bool:
        for name in self.used:
            value = getattr(unit, name)
            if not value or value != value.strip() or any(ch in _UNSAFE or ord(ch) < 32 for ch in value):
                return False
            if _MARK.lower() in value.lower():
                return False
            encoded = value.encode()
            if b"<t>" + encoded + b"</t>" in self.strings:
                return False
        # Two fields with the same value would also be stored once.
        values = [getattr(unit, name) for name in self.used]
        return len(set(values)) == len(values)

    def write(self, unit: Unit, path: Path) -> Path:
        """Write `unit`'s blank workbook to `path` (atomically, like write_unit_workbook)."""
        if not self.ok or not self.stampable(unit):
            return self._write_direct(self.book, unit, path, self.issued_at)
        swaps = [(self._marks[name], getattr(unit, name).encode()) for name in self.used]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as zf:
            for name, data in self.parts:
                if _MARK.encode() in data:
                    for old, new in swaps:
                        data = data.replace(old, new)
                info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))  # as xlsxwriter's in-memory mode does
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        return write_bytes(path, buf.getvalue())
