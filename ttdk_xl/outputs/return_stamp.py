"""Annotated returns for many units, fast: xlsxwriter once per kind of return, then each file assembled.

A return (returns.py) is a whole unit workbook, and xlsxwriter takes ~20 ms to build one, most of it
serialising what every return of a book shares: styles, theme, validations, the guide, page set-up…
Only the cells the unit filled (and the results cached for its formulas), the slip `Phiếu trả lại`, the
delegates, the comments with their highlight rules and the document's title and date differ.

So the first return of each kind (with or without a slip; by the colours of its highlighted comments, red
or orange) is written directly with xlsxwriter, and the same workbook is recorded by running the real sheet
writers (template.py, returns.py, delegates.py) against light stand-ins for xlsxwriter's Workbook and
Worksheet (`_Workbook`, `_Sheet`). From the two,
the stamper learns what every return shares — parts, the XML around each sheet's cells, cell styles, the
book's own strings — and then assembles every later return of that kind:

- the slip is recorded again for each return (it is small); the delegate sheet once per pattern of
  filled fields, with placeholders then replaced by the unit's text; the score sheet's and `_meta`'s
  changing cells are computed by `_Score` and `_meta`'s three keys (the rest is the learnt return's);
- cells are serialised as xlsxwriter serialises them (`_sheet_data`), the shared strings, highlight
  rules, comments and VML by xlsxwriter's own classes; the book's constant strings are numbered first,
  so that the cells and sheets holding only those are ready XML;
- parts are deflated piece by piece, the constant pieces once (`_Frozen`).

The learnt kind is trusted only if the return it was learnt from, assembled this way, is the same
workbook as xlsxwriter's file (`same_workbook`: every part byte for byte, the sheets with their shared
strings in place, since those are numbered differently). Anything else — a method the stand-ins do not
know, an overlong string, a sheet set up differently from the learnt one — is written directly. The
files are therefore not byte-identical to xlsxwriter's (string order, compression), but hold the same
workbook; tests/test_return_stamp.py compares both ways cell by cell.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ttdk_xl.core.atomic import write_bytes
from ttdk_xl.core.failures import log
from ttdk_xl.core.layout import (
    COL_CHECK,
    COL_EXPLAIN,
    COL_SCORE,
    DELEGATE_SHEET,
    GUIDE_SHEET,
    META_KEYS,
    META_SHEET,
    SCORE_HEADER_ROW,
    SCORE_SHEET,
    cell_name,
)
from ttdk_xl.core.models import Book, Kind, Unit
from ttdk_xl.core.text import nfc
from ttdk_xl.forms import template
from ttdk_xl.forms.delegate_sheet import write_delegate_sheet
from ttdk_xl.forms.template import cell_value, is_number, leaf_row_height, row_invalid, write_unit_workbook

if TYPE_CHECKING:
    from ttdk_xl.forms.xlsx_quick import QuickFormulaSheet  # imported where used: it brings in xlsxwriter

_ROWS, _COLS = 1_048_576, 16_384
_DEFAULT_ROW = 20  # xlsxwriter's default row height, in pixels
_INF = float("inf")
_COL_MASK = (1 << 14) - 1
_MARK = "ZQXTTDK"  # placeholder text (as stamp.py's)
_DATE = (1980, 1, 1, 0, 0, 0)  # xlsxwriter's in-memory zip timestamps
_ERROR_CODES = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")
_SHEET_PART = re.compile(r"^xl/worksheets/sheet(\d+)\.xml$")
_CELL_STYLE = re.compile(r'<c r="([A-Z]+[0-9]+)"(?: s="([0-9]+)")?')
_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)$")


class _Unsupported(Exception):
    """The recording met something the fast path does not reproduce: the file is written directly."""


def _rowcol(ref: str) -> tuple[int, int]:
    m = _A1.match(ref)
    if not m:
        raise _Unsupported(ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _cell_args(args: tuple) -> tuple:
    if args and isinstance(args[0], str):
        return (*_rowcol(args[0]), *args[1:])
    return args


def _range_args(args: tuple) -> tuple:
    if args and isinstance(args[0], str):
        first, _, last = args[0].partition(":")
        return (*_rowcol(first), *_rowcol(last or first), *args[1:])
    return args


def _column_args(args: tuple) -> tuple:
    if args and isinstance(args[0], str):
        first, _, last = args[0].partition(":")
        return (_rowcol(first + "1")[1], _rowcol((last or first) + "1")[1], *args[1:])
    return args


def _escape(data: object) -> object:
    """xlsxwriter's _escape_data (strings only; other values are written with str())."""
    if isinstance(data, str):
        return data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return data


class _Format:
    """Stand-in for an xlsxwriter Format: known by its creation order in the workbook."""

    __slots__ = ("id", "props")

    def __init__(self, id_: int, props: dict):
        self.id = id_
        self.props = props

    def __eq__(self, other):
        return isinstance(other, _Format) and other.id == self.id and other.props == self.props

    def __hash__(self):
        return self.id

    def __repr__(self):  # part of the keys of cached rules
        return f"_Format({self.id}, {self.props!r})"

    def __getattr__(self, name: str):
        if name.startswith("set_"):

            def setter(*args):
                self.props = {**self.props, name[4:]: args[0] if args else True}

            return setter
        raise AttributeError(name)


class _Workbook:
    """Stand-in for xlsxwriter's Workbook: its sheets and formats, in call order."""

    def __init__(self, formats: Iterable[_Format] = ()):
        self.sheets: list[_Sheet] = []
        self.formats: list[_Format] = list(formats)

    def add_format(self, props: dict | None = None) -> _Format:
        fmt = _Format(len(self.formats), dict(props or {}))
        self.formats.append(fmt)
        return fmt

    def add_worksheet(self, name: str | None = None) -> _Sheet:
        sheet = _Sheet(self, name)
        self.sheets.append(sheet)
        return sheet

    def __getattr__(self, name: str):
        raise _Unsupported(f"Workbook.{name}")


class _Sheet:
    """Stand-in for xlsxwriter's Worksheet: records cells, rows, rules and comments with xlsxwriter's rules.

    Cells are kept by `row << 14 | col`, so that sorting them gives xlsxwriter's row/column order. Calls
    it does not model are recorded in `calls` and must match the learnt return's exactly.
    """

    def __init__(self, wb: _Workbook | None, name: str | None):  # None: a sheet made here, not by a writer
        self.wb = wb
        self.name = name
        self.cells: dict[int, tuple] = {}
        self.heights: dict[int, int] = {}  # row → pixels
        self.row_calls: list[tuple] = []
        self.comment_calls: list[tuple] = []
        self.cond_calls: list[tuple] = []
        self.calls: list[tuple] = []
        self.dim_cols: list[int] = []  # columns that count in the used range besides the cells' and comments'

    def write_string(self, row, col, string=None, fmt=None):
        if row.__class__ is str:
            (row, col), string, fmt = _rowcol(row), col, string
        if string.__class__ is not str or len(string) > 16_383:  # xlsxwriter would check or truncate
            raise _Unsupported("long or odd string")
        if not (0 <= row < _ROWS and 0 <= col < _COLS):
            raise _Unsupported("cell outside the sheet")
        self.cells[row << 14 | col] = ("s", string, fmt)
        return 0

    def write_number(self, row, col, number=None, fmt=None):
        if row.__class__ is str:
            (row, col), number, fmt = _rowcol(row), col, number
        if number.__class__ not in (int, float) or number != number or number in (_INF, -_INF):
            raise _Unsupported("odd number")
        if not (0 <= row < _ROWS and 0 <= col < _COLS):
            raise _Unsupported("cell outside the sheet")
        self.cells[row << 14 | col] = ("n", number, fmt)
        return 0

    def write_blank(self, row, col, blank=None, fmt=None):
        if row.__class__ is str:
            (row, col), blank, fmt = _rowcol(row), col, blank
        if fmt is not None:
            if not (0 <= row < _ROWS and 0 <= col < _COLS):
                raise _Unsupported("cell outside the sheet")
            self.cells[row << 14 | col] = ("b", None, fmt)
        return 0

    def write_formula(self, *args):
        row, col, formula, *rest = _cell_args(args)
        fmt = rest[0] if rest else None
        value = rest[1] if len(rest) > 1 else 0
        if formula.__class__ is not str or not formula:
            raise _Unsupported("empty formula")
        if not (0 <= row < _ROWS and 0 <= col < _COLS):
            raise _Unsupported("cell outside the sheet")
        self.cells[row << 14 | col] = ("f", formula, fmt, value)
        return 0

    def _write(self, row: int, col: int, data, fmt) -> None:
        """Worksheet.write for what merge_range is given."""
        if data is None or data == "":
            self.write_blank(row, col, None, fmt)
        elif data.__class__ is str:
            self.write_string(row, col, data, fmt)
        elif data.__class__ in (int, float):
            self.write_number(row, col, data, fmt)
        else:
            raise _Unsupported("merged value")

    def merge_range(self, *args):
        first_row, first_col, last_row, last_col, data, *rest = _range_args(args)
        fmt = rest[0] if rest else None
        if (first_row, first_col) == (last_row, last_col) or first_row > last_row or first_col > last_col:
            raise _Unsupported("merge")
        self.calls.append(("merge_range", first_row, first_col, last_row, last_col))
        self._write(first_row, first_col, data, fmt)
        for row in range(first_row, last_row + 1):
            for col in range(first_col, last_col + 1):
                if (row, col) != (first_row, first_col):
                    self.write_blank(row, col, "", fmt)
        return 0

    def set_row(self, row, height=None, cell_format=None, options=None):
        if cell_format is not None or options:
            raise _Unsupported("row format")
        pixels = int(height * 4.0 / 3.0 + 0.5) if height is not None else _DEFAULT_ROW
        if pixels == 0 or not (0 <= row < _ROWS):
            raise _Unsupported("hidden row")
        # xlsxwriter counts the row in the used range, with its first used column (A if none yet).
        if not self.cells and not self.dim_cols and not self.comment_calls:
            self.dim_cols.append(0)
        self.heights[row] = pixels
        self.row_calls.append((row, height))
        return 0

    def set_column(self, *args):
        first, last, *rest = _column_args(args)
        width = rest[0] if rest else None
        fmt = rest[1] if len(rest) > 1 else None
        options = rest[2] if len(rest) > 2 else None
        if fmt is not None:
            raise _Unsupported("column format")
        self.calls.append(("set_column", first, last, *rest))
        if width and (options or {}).get("hidden"):
            self.dim_cols += (first, last)
        return 0

    def write_comment(self, *args):
        row, col, text, *rest = _cell_args(args)
        if text.__class__ is not str or len(text) > 16_383 or not (0 <= row < _ROWS and 0 <= col < _COLS):
            raise _Unsupported("comment")
        self.comment_calls.append((row, col, text, rest[0] if rest else None))
        return 0

    def conditional_format(self, *args):
        self.cond_calls.append(_range_args(args))
        return 0

    def __getattr__(self, name: str):
        # Page set-up, protection, validations… are recorded; other writers are not modelled.
        if name.startswith(("_", "write", "insert", "add_", "autofit")):
            raise AttributeError(name)

        def record(*args, **kwargs):
            self.calls.append((name, args, tuple(sorted(kwargs.items()))))
            return 0

        return record


def _sheet_data(
    sheet: _Sheet,
    opening: Callable[[int, object], str],
    strings: _Strings,
    constant_xml: dict | None = None,
    rows_xml: dict | None = None,
    cache: dict | None = None,
):
    """The used range and the <sheetData> element, as xlsxwriter writes them (Worksheet._write_rows).

    `opening(key, format)` gives a cell's opening tag up to its type ('<c r="D9" s="12"'); `strings`
    numbers the shared strings; `constant_xml` ({key: (cell, xml)}) holds the XML of the cells that are
    the same in every return, `rows_xml` ({row: (string cells, cells, plan)}) their rows as runs of XML
    (str) and keys of the cells filled in for each return; `cache` keeps the XML of other cells that recur
    (those holding a constant string included: its number is the same in every return).
    """
    cells, heights = sheet.cells, sheet.heights
    constant_xml = constant_xml or {}
    rows_xml = rows_xml or {}
    cache = {} if cache is None else cache
    # The layout (rows, spans, used range) of a sheet whose cells, rows and comments sit where they sat
    # last time is the same: kept in `cache` by sheet name.
    where = tuple((row, col) for row, col, *_ in sheet.comment_calls)
    known = cache.get(sheet.name)
    if (
        known is not None
        and known[0] == where
        and known[1] == sheet.dim_cols
        and cells.keys() == known[2]
        and heights.keys() == known[3]
    ):
        by_row, rows, spans, dimension = known[4]
    else:
        by_row, rows, spans, dimension = _layout(sheet)
        if len(cache) < 50_000:
            cache[sheet.name] = (
                where,
                list(sheet.dim_cols),
                set(cells),
                set(heights),
                (by_row, rows, spans, dimension),
            )
    if not rows:
        return dimension, "<sheetData/>"
    heads: dict[tuple, str] = {}  # (first column, last column, height) → the row tag's attributes
    out = ["<sheetData>"]
    append = out.append
    for row in rows:
        span = spans.get(row >> 4)
        height = heights.get(row, _DEFAULT_ROW)
        head = heads.get((span and span[0], span and span[1], height))
        if head is None:
            head = (f' spans="{span[0] + 1}:{span[1] + 1}"' if span else "") + (
                f' ht="{height * 0.75:.16g}" customHeight="1"' if height != _DEFAULT_ROW else ""
            )
            heads[(span and span[0], span and span[1], height)] = head
        row_keys = by_row.get(row)
        if not row_keys:
            append(f'<row r="{row + 1}"{head}/>')
            continue
        append(f'<row r="{row + 1}"{head}>')
        plan = rows_xml.get(row)
        if plan is not None and plan[1] == len(row_keys):
            strings.count += plan[0]
            row_keys = plan[2]
        for key in row_keys:
            if key.__class__ is str:  # a run of constant cells
                append(key)
                continue
            cell = cells[key]
            kind = cell[0]
            ready = constant_xml.get(key)
            if ready is not None and ready[0] is cell:
                if kind == "s":
                    strings.count += 1
                append(ready[1])
                continue
            fmt = cell[2]
            if kind == "s":
                strings.count += 1
                index = strings.constant.get(cell[1])
                if index is None:  # the return's own string: its number depends on the return
                    append(f'{opening(key, fmt)} t="s"><v>{strings(cell[1])}</v></c>')
                    continue
            # Other cells do not depend on the string table: the XML of those that recur is kept (the key
            # tells 1 from 1.0 and True, which compare equal but are written differently).
            value = cell[3] if kind == "f" else cell[1]
            memo = (key, kind, cell[1], -1 if fmt is None else fmt.id, value, value.__class__)
            xml = cache.get(memo)
            if xml is None:
                attrs = opening(key, fmt)
                if kind == "s":  # one of the constant strings, whose number is the same in every return
                    xml = f'{attrs} t="s"><v>{index}</v></c>'
                elif kind == "b":
                    xml = attrs + "/>"
                elif kind == "n":
                    xml = f"{attrs}><v>{value:.16G}</v></c>"
                else:
                    if isinstance(value, bool):
                        attrs += ' t="b"'
                        value = int(value)
                    elif isinstance(value, str) and value:
                        attrs += ' t="e"' if value in _ERROR_CODES else ' t="str"'
                    xml = f"{attrs}><f>{_escape(cell[1])}</f><v>{_escape(value)}</v></c>"
                if len(cache) < 50_000 and (value.__class__ is not float or value != 0):  # not -0.0 for 0.0
                    cache[memo] = xml
            append(xml)
        append("</row>")
    append("</sheetData>")
    return dimension, "".join(out)


def _layout(sheet: _Sheet) -> tuple:
    """A sheet's cell keys by row, its rows, the spans of their blocks of 16 and the used range."""
    cells, heights = sheet.cells, sheet.heights
    by_row: dict[int, list[int]] = {}
    for key in sorted(cells):
        row = key >> 14
        if row in by_row:
            by_row[row].append(key)
        else:
            by_row[row] = [key]
    comment_cols: dict[int, list[int]] = {}
    for row, col, *_ in sheet.comment_calls:
        comment_cols.setdefault(row, []).append(col)
    rows = sorted(by_row.keys() | heights.keys() | comment_cols.keys())
    if not rows:
        cols = [key & _COL_MASK for key in cells] + sheet.dim_cols
        return by_row, rows, {}, "A1" if not cols else _range_ref(0, 0, min(cols), max(cols))
    spans: dict[int, list[int]] = {}
    cmin = cmax = None
    for row in rows:
        row_keys = by_row.get(row)
        used = [row_keys[0] & _COL_MASK, row_keys[-1] & _COL_MASK] if row_keys else []
        if row in comment_cols:
            used += comment_cols[row]
        if used:
            lo, hi = min(used), max(used)
            cmin = lo if cmin is None or lo < cmin else cmin
            cmax = hi if cmax is None or hi > cmax else cmax
            span = spans.get(row >> 4)
            if span is None:
                spans[row >> 4] = [lo, hi]
            else:
                if lo < span[0]:
                    span[0] = lo
                if hi > span[1]:
                    span[1] = hi
    if sheet.dim_cols:
        extra = [*sheet.dim_cols, *([] if cmin is None or cmax is None else (cmin, cmax))]
        cmin, cmax = min(extra), max(extra)
    if cmin is None or cmax is None:  # rows without any used column (xlsxwriter's set_row always counts one)
        raise _Unsupported("used range")
    dimension = _range_ref(rows[0], rows[-1], cmin, cmax)
    return by_row, rows, spans, dimension


def _range_ref(rmin: int, rmax: int, cmin: int, cmax: int) -> str:
    first, last = cell_name(rmin, cmin), cell_name(rmax, cmax)
    return first if first == last else f"{first}:{last}"


class _Strings:
    """A return's shared string table: the book's constant strings first (so that the cells and sheets
    that hold only those are the same XML in every return), then the return's own, in order of use."""

    def __init__(self, constant: dict[str, int]):
        self.constant = constant
        self.index = dict(constant)
        self.count = 0  # string cells

    def __call__(self, string: str) -> int:
        index = self.index.get(string)
        if index is None:
            index = self.index[string] = len(self.index)
        return index


class _SheetShape:
    """What a sheet of the learnt return looks like around its cells."""

    def __init__(self, sheet: _Sheet, xml: str):
        self.name = sheet.name
        self.calls = sheet.calls
        self.cond_calls = sheet.cond_calls
        self.cond_key = repr(sheet.cond_calls)
        start = xml.index('<dimension ref="') + len('<dimension ref="')
        end = xml.index('"', start)
        data = xml.index("<sheetData", end)
        self.head, self.middle = xml[:start], xml[end:data]
        if xml.startswith("<sheetData/>", data):
            after = data + len("<sheetData/>")
        else:
            after = xml.index("</sheetData>", data) + len("</sheetData>")
        tail = xml[after:]
        # The rules are written anew when a return's rules differ (marks on the score sheet).
        if sheet.cond_calls:
            a = tail.index("<conditionalFormatting")
            b = tail.rindex("</conditionalFormatting>") + len("</conditionalFormatting>")
            self.tail, self.rules, self.after_rules = tail[:a], tail[a:b], tail[b:]
        else:
            self.tail, self.rules, self.after_rules = tail, "", ""

    def xml(self, dimension: str, data: str, rules: str | None = None) -> bytes:
        rules = self.rules if rules is None else rules
        return "".join((self.head, dimension, self.middle, data, self.tail, rules, self.after_rules)).encode()

    def pieces(self, dimension: str, data: str, rules: str | None = None) -> list[_Piece]:
        if not hasattr(self, "frozen"):
            self.frozen = [_Frozen(x) for x in (self.head, self.tail, self.rules, self.after_rules)]
        head, tail, own_rules, after = self.frozen
        # The small constant bit between the range and the cells goes with them: one compression, not two.
        return [
            head,
            (dimension + self.middle + data).encode(),
            tail,
            own_rules if rules is None else rules.encode(),
            after,
        ]


class _Score:
    """The score sheet of a learnt return, split into what every return shares and what it fills in.

    `sheet(…)` is the Python twin of the values that template.write_score_sheet writes for a unit
    (what it typed, the cached check, group, sum and status results, the row heights, the marks);
    learning checks the twin against the real function's recording.
    """

    def __init__(self, book: Book, learnt: _Sheet, marks: list):
        cells = learnt.cells
        first = SCORE_HEADER_ROW + 1  # row of the first criterion
        row_of = {c.code: first + i for i, c in enumerate(book.criteria)}
        score, explain, check_col = COL_SCORE, COL_EXPLAIN, COL_CHECK
        self.leaves = []  # (criterion, row, score format, explanation format, check cell)
        for c in book.criteria:
            if not c.is_group:
                r = row_of[c.code]
                d, e, f = cells[r << 14 | score], cells[r << 14 | explain], cells[r << 14 | check_col]
                if f[0] != "f":
                    raise _Unsupported("check cell")
                self.leaves.append((c, r, d[2], e[2], f))
        self.groups = []  # (criterion, row, score cell, children codes), deepest first
        for c in sorted((c for c in book.criteria if c.is_group), key=lambda c: -c.depth):
            r = row_of[c.code]
            self.groups.append((c, r, cells[r << 14 | score], [k.code for k in book.children(c.code)]))
        last = first + len(book.criteria) - 1
        self.sum_rows = [(last + 2 + i, cells[(last + 2 + i) << 14 | score]) for i in range(4)]
        self.status = cells[5 << 14 | 1]  # B6
        self.name_key = 3 << 14 | 1  # B4
        self.name_fmt = cells[self.name_key][2]
        variable = {self.name_key, 5 << 14 | 1, *(r << 14 | score for r, _ in self.sum_rows)}
        variable |= {r << 14 | col for _, r, *_ in self.leaves for col in (score, explain, check_col)}
        variable |= {r << 14 | score for _, r, *_ in self.groups}
        if any(cell[0] != "f" for _, cell in self.sum_rows) or self.status[0] != "f" or not variable <= cells.keys():
            raise _Unsupported("score sheet")
        self.constant = {key: cell for key, cell in cells.items() if key not in variable}
        leaf_rows = {r for _, r, *_ in self.leaves}
        self.heights = {r: h for r, h in learnt.heights.items() if r not in leaf_rows}
        self.row_calls = [call for call in learnt.row_calls if call[0] not in leaf_rows]
        self.calls = learnt.calls
        self.dim_cols = learnt.dim_cols
        base = len(learnt.cond_calls) - len(marks)
        self.cond_calls = learnt.cond_calls[:base]
        self.comment_options = learnt.comment_calls[0][3] if marks else None
        self.mark_rules: dict[str, dict] = {}  # a mark's style → its highlight rule
        for mark, call in zip(marks, learnt.cond_calls[base:], strict=True):
            if self.mark_rules.setdefault(mark.style, call[4]) != call[4]:
                raise _Unsupported("mark rules")
        self.rows: dict[tuple, tuple] = {}  # (code, value, its type, explanation) → (row height, invalid)

    def sheet(self, book: Book, unit: Unit, entries: Mapping, marks: list) -> _Sheet:
        sheet = _Sheet(None, SCORE_SHEET)
        sheet.cells = cells = dict(self.constant)
        sheet.heights = dict(self.heights)
        sheet.row_calls = list(self.row_calls)
        sheet.calls = self.calls
        sheet.dim_cols = list(self.dim_cols)
        cells[self.name_key] = ("s", unit.name, self.name_fmt)
        step = book.step
        values: dict[str, object] = {}
        bad_rows = 0
        for c, r, d_fmt, e_fmt, check in self.leaves:
            value, expl = entries.get(c.code, (None, ""))
            value = cell_value(value)
            values[c.code] = value
            if value is None or value == "":
                cells[r << 14 | COL_SCORE] = ("b", None, d_fmt)
            elif is_number(value):
                sheet.write_number(r, COL_SCORE, value, d_fmt)
            else:
                sheet.write_string(r, COL_SCORE, str(value), d_fmt)
            if expl:
                sheet.write_string(r, COL_EXPLAIN, expl, e_fmt)
            else:
                cells[r << 14 | COL_EXPLAIN] = ("b", None, e_fmt)
            memo = (c.code, value, value.__class__, expl)
            known = self.rows.get(memo)
            if known is None:
                known = (leaf_row_height(c, expl or ""), int(row_invalid(c, value, expl or "", step)))
                if len(self.rows) < 100_000 and value == value:
                    self.rows[memo] = known
            sheet.set_row(r, known[0])
            invalid = known[1]
            bad_rows += invalid
            cells[r << 14 | COL_CHECK] = ("f", check[1], check[2], int(invalid))
        for c, r, cell, kids in self.groups:
            total = sum((Decimal(str(values[k])) for k in kids if is_number(values.get(k))), Decimal(0))
            values[c.code] = total
            cells[r << 14 | COL_SCORE] = ("f", cell[1], cell[2], float(total))
        sums = {}
        for (r, cell), kind in zip(self.sum_rows, (Kind.SCORED, Kind.BONUS, Kind.PENALTY), strict=False):
            leaves = [c for c in book.leaves if c.kind is kind]
            s = sum((Decimal(str(values[c.code])) for c in leaves if is_number(values[c.code])), Decimal(0))
            if kind is Kind.BONUS:
                s = min(s, book.bonus_cap)
            sums[kind] = s
            cells[r << 14 | COL_SCORE] = ("f", cell[1], cell[2], float(s))
        r, cell = self.sum_rows[3]
        total = sums[Kind.SCORED] + sums[Kind.BONUS] - sums[Kind.PENALTY]
        cells[r << 14 | COL_SCORE] = ("f", cell[1], cell[2], float(total))
        cached = "Đã điền đủ, hợp lệ" if bad_rows == 0 else f"Còn {bad_rows} ô chưa hợp lệ"
        cells[5 << 14 | 1] = ("f", self.status[1], self.status[2], cached)
        sheet.cond_calls = list(self.cond_calls)
        for mark in marks:
            rule = self.mark_rules.get(mark.style)
            if rule is None:  # a style the learnt return had no mark of
                raise _Unsupported("mark style")
            row, col = _rowcol(mark.cell)
            sheet.write_comment(row, col, mark.comment, self.comment_options)
            sheet.cond_calls.append((row, col, row, col, rule))
        return sheet


class _Kind:
    """A learnt kind of return (see ReturnStamper._learn)."""

    def __init__(self):
        self.names: list[str] = []  # parts, in xlsxwriter's order
        self.packed: dict[str, tuple[zipfile.ZipInfo, bytes]] = {}  # constant parts, compressed
        self.shapes: list[_SheetShape] = []
        self.roles: list[str] = []
        self.styles: dict[int, str] = {}  # format id → ' s="N"' ('' for the default style)
        self.openings: dict[tuple[int, int], str] = {}
        self.fmt: dict = {}
        self.formats: list[_Format] = []
        self.score: _Score | None = None
        self.meta: dict[int, tuple] = {}
        self.meta_keys: dict[str, int] = {}
        self.strings: dict[str, int] = {}
        self.ready: dict[str, dict[int, tuple]] = {}  # role → {key: (cell, xml)} of constant cells
        self.guide_strings = 0
        self.rows_xml: dict[str, dict[int, tuple]] = {}
        self.cells_xml: dict[tuple, str] = {}
        self.delegate_formats: list[_Format] = []
        self.delegate_sheets: dict[tuple, _Sheet] = {}
        self.constant_si: _Frozen | None = None

    def opening(self, key: int, fmt) -> str:
        fid = -1 if fmt is None else fmt.id
        tag = self.openings.get((key, fid))
        if tag is None:
            style = "" if fmt is None else self.styles[fid]  # KeyError: a format the learnt return never used
            tag = self.openings[(key, fid)] = f'<c r="{cell_name(key >> 14, key & _COL_MASK)}"{style}'
        return tag


def _pack(name: str, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
    """A zip entry as zipfile.writestr makes it for xlsxwriter (deflate, default level, 1980 timestamp)."""
    comp = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return _info(name, data, comp.compress(data) + comp.flush())


def _info(name: str, data: bytes, body: bytes) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name, _DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    info.file_size = len(data)
    info.CRC = zlib.crc32(data)
    info.compress_size = len(body)
    return info, body


class _Frozen:
    """A piece of a part that is the same in every return, deflated once.

    Deflate output that ends with a full flush is a run of complete blocks that refer to nothing before
    them, so such runs can be laid end to end with others (and closed with an empty final block): the
    parts of a return are deflated piece by piece, and only the pieces that change are compressed anew.
    """

    __slots__ = ("data", "deflated")

    def __init__(self, data: bytes | str):
        self.data = data.encode() if isinstance(data, str) else data
        comp = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        self.deflated = comp.compress(self.data) + comp.flush(zlib.Z_FULL_FLUSH)


_FINAL = b"\x03\x00"  # an empty final deflate block
_Piece = bytes | _Frozen  # a piece of a part: to deflate with the return's other pieces, or deflated once


_SI = re.compile(r"<si>.*?</si>", re.S)
_STRING_CELL = re.compile(r' t="s"><v>([0-9]+)</v>')


def same_workbook(a: Mapping[str, bytes], b: Mapping[str, bytes]) -> bool:
    """Two xlsx packages (part name → bytes) hold the same workbook: the same parts, byte for byte, except
    that the shared strings may be numbered differently (each sheet is compared with its strings in place)."""
    if list(a) != list(b):
        return False

    def strings(parts):
        return _SI.findall(parts.get("xl/sharedStrings.xml", b"").decode())

    try:
        sa, sb = strings(a), strings(b)
        if set(sa) != set(sb):
            return False
        for name in a:
            if name == "xl/sharedStrings.xml":
                continue
            if _SHEET_PART.match(name):
                xa = _STRING_CELL.sub(lambda m: f' t="s"><v>{sa[int(m.group(1))]}</v>', a[name].decode())
                xb = _STRING_CELL.sub(lambda m: f' t="s"><v>{sb[int(m.group(1))]}</v>', b[name].decode())
                if xa != xb:
                    return False
            elif a[name] != b[name]:
                return False
    except (IndexError, UnicodeDecodeError):  # a string number beyond the table, or not UTF-8
        return False
    return True


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


class ReturnStamper:
    """Writes the annotated returns of one book (see the module docstring); `write` takes the arguments
    of template.write_unit_workbook and writes the same workbook."""

    def __init__(self, book: Book):
        self.book = book
        self._kinds: dict[tuple, _Kind | None] = {}  # None: this kind is written directly
        self._si: dict[str, str] = {}
        self._formulas: dict[str, str] = {}
        self._formula_sheet: QuickFormulaSheet | None = None
        self._rules: dict[str, str] = {}
        self._scratch: Any = None  # an xlsxwriter Workbook (which has no types), made on first use
        self._dxf: dict[int, object] = {}
        self._before_delegates = 0
        # One compressor for every changing piece (a full flush after each makes them independent), fast
        # rather than small: the level-1 pieces make a return ~1 KB larger and take a third of the time.
        self._compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
        self.fast = 0  # files assembled, and files written by xlsxwriter (for tests and benchmarks)
        self.direct = 0

    # -- recording -------------------------------------------------------------------------------
    def _record(self, unit: Unit, issued_at, entries, marks, extra_sheet, delegates):
        """template.write_unit_workbook's sheets, written to the stand-ins: (workbook, formats, count)."""
        book = self.book
        wb = _Workbook()
        fmt = template.sheet_formats(wb)
        count = len(wb.formats)
        if extra_sheet:
            extra_sheet(wb, fmt)
        ws = wb.add_worksheet(SCORE_SHEET)
        template.write_score_sheet(wb, ws, fmt, book, unit, entries or {}, marks)
        self._before_delegates = len(wb.formats)
        write_delegate_sheet(wb, fmt, book, unit, list(delegates))
        template.write_guide_sheet(wb.add_worksheet(GUIDE_SHEET), fmt, book)
        template.write_meta_sheet(wb.add_worksheet(META_SHEET), book, unit, issued_at)
        if not extra_sheet:
            ws.activate()
        return wb, fmt, count

    def _properties(self, unit: Unit, issued_at: datetime) -> dict:
        # As template.write_unit_workbook sets them (learning checks that they still are).
        return {
            "title": f"Bảng tự chấm điểm thi đua năm {self.book.year} - {unit.name}",
            "author": "ttdk-xl",
            "company": self.book.cluster_name,
            "created": issued_at,
        }

    def _prepare(self, sheet: _Sheet) -> None:
        """Formulas as xlsxwriter stores them (its own preparation, cached: the same ones recur)."""
        cache = self._formulas
        cells = sheet.cells
        for key, cell in cells.items():
            if cell[0] == "f":
                prepared = cache.get(cell[1])
                if prepared is None:
                    prepared = cache[cell[1]] = self._prepare_formula(cell[1])
                cells[key] = ("f", prepared, cell[2], cell[3])

    def _prepare_formula(self, formula: str) -> str:
        from xlsxwriter.worksheet import re_dynamic_function

        from ttdk_xl.forms.xlsx_quick import QuickFormulaSheet  # lazy: it brings in xlsxwriter

        if re_dynamic_function.search(formula) or (formula.startswith("{") and formula.endswith("}")):
            raise _Unsupported("array formula")
        sheet = self._formula_sheet
        if sheet is None:
            sheet = self._formula_sheet = QuickFormulaSheet()
            sheet.use_future_functions = False  # as in the unit workbook (Workbook's default)
        return sheet._prepare_formula(formula)

    # -- xlsxwriter's own writers, for the few parts written rarely enough ------------------------
    def _si_xml(self, string: str) -> str:
        """A string's <si> element, written by xlsxwriter's own SharedStrings (once per string)."""
        si = self._si.get(string)
        if si is None:
            from xlsxwriter.sharedstrings import SharedStrings

            writer = SharedStrings()
            writer.fh = io.StringIO()
            writer._write_si(string)
            si = self._si[string] = writer.fh.getvalue()
        return si

    def _shared_strings(self, kind: _Kind, strings: _Strings) -> list[_Piece]:
        """sharedStrings.xml, as pieces: the header, the book's constant strings, the return's own."""
        if kind.constant_si is None:
            raise _Unsupported("shared strings not learnt")
        header = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{strings.count}" uniqueCount="{len(strings.index)}">'
        )
        own = list(strings.index)[len(kind.strings) :]
        return [header.encode(), kind.constant_si, "".join([*map(self._si_xml, own), "</sst>"]).encode()]

    def _scratch_sheet(self):
        """A fresh xlsxwriter worksheet (it keeps position caches) of a workbook kept for the purpose."""
        import xlsxwriter

        from ttdk_xl.forms.xlsx_quick import QuickFormulaSheet  # lazy: it brings in xlsxwriter

        if self._scratch is None:
            self._scratch = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
            self._scratch.worksheet_class = QuickFormulaSheet  # as the unit workbook
        self._scratch.worksheets_objs.clear()
        self._scratch.sheetnames.clear()
        return self._scratch.add_worksheet()

    def _dxf_format(self, fmt: _Format):
        """The xlsxwriter format of a highlight rule, numbered in the learnt return's order."""
        real = self._dxf.get(fmt.id)
        if real is None:
            if self._scratch is None:
                self._scratch_sheet()
            real = self._dxf[fmt.id] = self._scratch.add_format(fmt.props)
            real._get_dxf_index()
        return real

    def _extras(self, sheet: _Sheet) -> tuple[str, tuple[str, str] | None]:
        """The sheet's highlight rules, and its comments and their VML (None without comments), written by
        xlsxwriter on a scratch sheet."""
        from xlsxwriter.comments import Comments
        from xlsxwriter.vml import Vml

        key = repr(sheet.cond_calls)
        rules = self._rules.get(key)
        if rules is not None and not sheet.comment_calls:
            return rules, None
        ws = self._scratch_sheet()
        if rules is None:
            for *cells, options in sheet.cond_calls:
                options = dict(options)
                if isinstance(options.get("format"), _Format):
                    options["format"] = self._dxf_format(options["format"])
                ws.conditional_format(*cells, options)
            ws.fh = io.StringIO()
            ws._write_conditional_formats()
            rules = ws.fh.getvalue()
            if len(self._rules) < 10_000:
                self._rules[key] = rules
        if not sheet.comment_calls:
            return rules, None
        if len(sheet.comment_calls) >= 1024:
            raise _Unsupported("comments")
        for call in sheet.calls:
            if call[0] == "set_column":
                ws.set_column(*call[1:])
        # The row heights, for the comments' positions (what set_row would store, without the rest).
        ws.row_sizes = {row: [pixels, False] for row, pixels in sheet.heights.items()}
        for row, col, text, options in sheet.comment_calls:
            ws.write_comment(row, col, text, options)
        ws._prepare_vml_objects(1, 1024, 1, 1)  # the workbook's only sheet with comments: Workbook._prepare_vml
        comments, vml = Comments(), Vml()
        comments._set_xml_writer(io.StringIO())
        comments._assemble_xml_file(ws.comments_list)
        vml._set_xml_writer(io.StringIO())
        vml._assemble_xml_file(ws.vml_data_id, ws.vml_shape_id, ws.comments_list, ws.buttons_list)
        return rules, (comments.fh.getvalue(), vml.fh.getvalue())

    def _delegate_sheet(self, kind: _Kind, unit: Unit, delegates: list) -> _Sheet:
        """The sheet `Đăng ký đại biểu` of a return, as delegates.write_delegate_sheet writes it.

        It differs between units only in the unit's name and the delegates' fields, so it is recorded once
        per pattern (which fields are filled, how many delegates are named) with placeholder text, and
        the placeholders are replaced by the unit's text (the fields as the function writes them: NFC,
        trimmed)."""
        from dataclasses import replace

        fields = [tuple(nfc(v) for v in (tuple(d) + ("",) * 4)[:4]) for d in delegates]
        named = sum(1 for d in delegates if nfc(d[0]))
        pattern = (bool(unit.name), tuple(tuple(map(bool, f)) for f in fields), named)
        texts = {f"{_MARK}N{_MARK}": unit.name}
        texts.update({f"{_MARK}{i}x{j}{_MARK}": v for i, f in enumerate(fields) for j, v in enumerate(f) if v})
        sheet = kind.delegate_sheets.get(pattern)
        if sheet is None:
            wb = _Workbook(kind.delegate_formats)
            placeholder = [
                tuple(f"{_MARK}{i}x{j}{_MARK}" if v else "" for j, v in enumerate(f)) for i, f in enumerate(fields)
            ]
            name = f"{_MARK}N{_MARK}" if unit.name else ""
            write_delegate_sheet(wb, kind.fmt, self.book, replace(unit, name=name), placeholder)
            (sheet,) = wb.sheets
            self._prepare(sheet)
            if len(kind.delegate_sheets) < 1000:
                kind.delegate_sheets[pattern] = sheet
        filled = _Sheet(None, sheet.name)
        filled.__dict__.update({k: v for k, v in sheet.__dict__.items() if k != "cells"})
        filled.cells = cells = dict(sheet.cells)
        for key, cell in sheet.cells.items():
            if cell[0] == "s" and _MARK in cell[1]:
                text = texts.get(cell[1])
                if text is None:  # a placeholder inside other text: not handled
                    raise _Unsupported("delegate text")
                cells[key] = ("s", text, cell[2])
        return filled

    # -- assembling ------------------------------------------------------------------------------
    def _assemble(
        self, kind: _Kind, unit, issued_at, entries, marks, extra_sheet, delegates
    ) -> dict[str, list[_Piece]]:
        """The parts of one return that are not the same in every return of its kind."""
        from xlsxwriter.core import Core

        book = self.book
        wb = _Workbook(kind.formats)
        if extra_sheet:
            extra_sheet(wb, kind.fmt)
        wb.sheets.append(self._delegate_sheet(kind, unit, delegates))
        recorded = iter(wb.sheets)
        strings = _Strings(kind.strings)
        out: dict[str, list[_Piece]] = {}
        for i, (role, shape) in enumerate(zip(kind.roles, kind.shapes, strict=True)):
            name = f"xl/worksheets/sheet{i + 1}.xml"
            if role == "guide":
                strings.count += kind.guide_strings
                continue
            if role == "score":
                if kind.score is None:
                    raise _Unsupported("score sheet not learnt")
                sheet = kind.score.sheet(book, unit, entries or {}, marks)
            elif role == "meta":
                sheet = _Sheet(None, META_SHEET)
                sheet.cells = dict(kind.meta)
                values = (unit.code, unit.name, issued_at.isoformat(timespec="seconds"))
                for key, value in zip(kind.meta_keys.values(), values, strict=True):
                    sheet.cells[key] = ("s", value, None)
            else:
                sheet = next(recorded)
                if sheet.name != shape.name or sheet.calls != shape.calls:
                    raise _Unsupported(f"sheet {shape.name} set up differently")
                if role == "extra":  # (the others hold the learnt return's prepared formulas)
                    self._prepare(sheet)
            rules = None
            if sheet.comment_calls or repr(sheet.cond_calls) != shape.cond_key:
                if bool(sheet.cond_calls) != bool(shape.cond_calls):
                    raise _Unsupported(f"rules of sheet {shape.name}")
                rules, notes = self._extras(sheet)
                if notes is not None:
                    if role != "score":
                        raise _Unsupported("comments")
                    comments, vml = notes
                    out["xl/comments1.xml"] = [comments.encode()]
                    out["xl/drawings/vmlDrawing1.vml"] = [vml.encode()]
            try:
                dimension, data = _sheet_data(
                    sheet, kind.opening, strings, kind.ready.get(role), kind.rows_xml.get(role), kind.cells_xml
                )
            except KeyError as e:
                raise _Unsupported("format") from e
            out[name] = shape.pieces(dimension, data, rules)
        if next(recorded, None) is not None:
            raise _Unsupported("sheets")
        out["xl/sharedStrings.xml"] = self._shared_strings(kind, strings)
        core = Core()
        core._set_properties(self._properties(unit, issued_at))
        core._set_xml_writer(io.StringIO())
        core._assemble_xml_file()
        out["docProps/core.xml"] = [core.fh.getvalue().encode()]
        return out

    def _zip(self, kind: _Kind, parts: Mapping[str, list[_Piece]]) -> bytes:
        """The zip xlsxwriter makes (zipfile's own headers and directory), each part deflated as pieces:
        constant parts and pieces compressed once, the rest with one compressor flushed between pieces."""
        comp = self._compressor
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as zf:
            fp = zf.fp
            assert fp is not None  # (a zip open for writing)
            for name in kind.names:
                pieces = parts.get(name)
                if pieces is None:
                    info, body = kind.packed[name]
                else:
                    data: list[bytes] = []
                    deflated: list[bytes] = []
                    run: list[bytes] = []
                    for piece in pieces:
                        if isinstance(piece, _Frozen):
                            if run:
                                deflated += (comp.compress(b"".join(run)), comp.flush(zlib.Z_FULL_FLUSH))
                                run = []
                            data.append(piece.data)
                            deflated.append(piece.deflated)
                        elif piece:
                            data.append(piece)
                            run.append(piece)
                    if run:
                        deflated += (comp.compress(b"".join(run)), comp.flush(zlib.Z_FULL_FLUSH))
                    deflated.append(_FINAL)
                    info, body = _info(name, b"".join(data), b"".join(deflated))
                info.header_offset = fp.tell()
                fp.write(info.FileHeader(False))
                fp.write(body)
                zf.filelist.append(info)
                zf.NameToInfo[name] = info
            zf.start_dir = fp.tell()
            zf._didModify = True  # type: ignore[attr-defined]  # zipfile's own flag: write the directory on close
        return buf.getvalue()

    # -- learning --------------------------------------------------------------------------------
    def _learn(self, args: tuple, direct: Path, marks: list) -> _Kind | None:
        """Learn a kind of return from its first file, written directly by xlsxwriter (`direct`) and
        recorded from the same arguments; None when the file cannot be rebuilt the same from parts."""

        try:
            wb, fmt, count = self._record(*args)
            for sheet in wb.sheets:
                self._prepare(sheet)
        except Exception:  # then this kind is written directly
            log.warning("returns: recording a return failed; this kind is written directly", exc_info=True)
            return None
        parts = _unzip(direct.read_bytes())
        kind = _Kind()
        kind.names = list(parts)
        kind.fmt, kind.formats = fmt, wb.formats[:count]
        kind.delegate_formats = wb.formats[: self._before_delegates]
        names = [sheet.name for sheet in wb.sheets]
        tail = [SCORE_SHEET, DELEGATE_SHEET, GUIDE_SHEET, META_SHEET]
        if names[len(names) - 4 :] != tail or len(names) > 5:
            return None
        kind.roles = ["extra"] * (len(names) - 4) + ["score", "delegates", "guide", "meta"]
        try:
            for i, sheet in enumerate(wb.sheets):
                xml = parts[f"xl/worksheets/sheet{i + 1}.xml"].decode()
                kind.shapes.append(_SheetShape(sheet, xml))
                found = dict(_CELL_STYLE.findall(xml))
                for key, cell in sheet.cells.items():
                    if cell[2] is not None:
                        attr = f' s="{s}"' if (s := found[cell_name(key >> 14, key & _COL_MASK)]) else ""
                        if kind.styles.setdefault(cell[2].id, attr) != attr:
                            return None
                for *_, options in sheet.cond_calls:  # number the highlight formats as xlsxwriter did
                    if isinstance(options.get("format"), _Format):
                        self._dxf_format(options["format"])
            by_role = dict(zip(kind.roles, wb.sheets, strict=True))
            kind.score = _Score(self.book, by_role["score"], marks)
            meta = by_role["meta"].cells
            labels = {cell[1]: key for key, cell in meta.items() if key & _COL_MASK == 0 and cell[0] == "s"}
            kind.meta_keys = {name: labels[name] + 1 for name in ("unit_code", "unit_name", "issued_at")}
            if set(META_KEYS) != set(labels):
                return None
            kind.meta = {key: cell for key, cell in meta.items() if key not in kind.meta_keys.values()}
        except (_Unsupported, KeyError, IndexError, ValueError):
            return None
        # The strings every return shares come first; their cells, and the guide, are then fixed XML.
        constant = {"score": kind.score.constant, "guide": by_role["guide"].cells, "meta": kind.meta}
        for cells in constant.values():
            for key in sorted(cells):
                if cells[key][0] == "s":
                    kind.strings.setdefault(cells[key][1], len(kind.strings))
        try:  # and the delegate sheet's own labels (all but the placeholders of the unit's text)
            self._delegate_sheet(kind, args[0], args[5])
            (placeholders,) = kind.delegate_sheets.values()
        except Exception:  # then this kind is written directly
            log.warning("returns: learning the delegate sheet failed; this kind is written directly", exc_info=True)
            return None
        for _, cell in sorted(placeholders.cells.items()):
            if cell[0] == "s" and _MARK not in cell[1]:
                kind.strings.setdefault(cell[1], len(kind.strings))
        strings = _Strings(kind.strings)
        for role, cells in constant.items():
            kind.ready[role] = {}
            for key in sorted(cells):
                cell = cells[key]
                sheet = _Sheet(None, None)
                sheet.cells = {key: cell}
                xml = _sheet_data(sheet, kind.opening, strings)[1]
                kind.ready[role][key] = (cell, xml[xml.index("<c ") : xml.rindex("</row>")])
            # Each row as runs of those cells' XML and the keys of the cells filled in for each return.
            variable_keys = by_role[role].cells.keys() - cells.keys()
            rows: dict[int, list[int]] = {}
            for key in sorted(cells):
                rows.setdefault(key >> 14, []).append(key)
            for key in variable_keys:
                rows.setdefault(key >> 14, []).append(key)
            kind.rows_xml[role] = {}
            for row, keys in rows.items():
                keys.sort()
                plan: list = []
                for key in keys:
                    if key in cells and plan and plan[-1].__class__ is str:
                        plan[-1] += kind.ready[role][key][1]
                    else:
                        plan.append(kind.ready[role][key][1] if key in cells else key)
                kind.rows_xml[role][row] = (sum(k in cells and cells[k][0] == "s" for k in keys), len(keys), plan)
        if len(strings.index) != len(kind.strings):
            return None
        kind.constant_si = _Frozen("".join(map(self._si_xml, kind.strings)))
        guide_index = kind.roles.index("guide")
        guide = by_role["guide"]
        strings.count = 0
        dimension, data = _sheet_data(guide, kind.opening, strings, kind.ready["guide"])
        kind.guide_strings = strings.count
        guide_part = f"xl/worksheets/sheet{guide_index + 1}.xml"
        parts[guide_part] = kind.shapes[guide_index].xml(dimension, data)
        variable = {f"xl/worksheets/sheet{i + 1}.xml" for i, role in enumerate(kind.roles) if role != "guide"} | {
            "xl/sharedStrings.xml",
            "docProps/core.xml",
            "xl/comments1.xml",
            "xl/drawings/vmlDrawing1.vml",
        }
        kind.packed = {name: _pack(name, data) for name, data in parts.items() if name not in variable}
        try:
            rebuilt = self._zip(kind, self._assemble(kind, *args))
        except (_Unsupported, KeyError, ValueError):
            return None
        return kind if same_workbook(_unzip(rebuilt), _unzip(direct.read_bytes())) else None

    # -- the public entry point ------------------------------------------------------------------
    def write(
        self,
        book: Book,
        unit: Unit,
        path: Path,
        issued_at: datetime,
        entries: Mapping | None = None,
        marks: Iterable = (),
        extra_sheet: Callable | None = None,
        delegates: Iterable[tuple] = (),
    ) -> Path:
        """Write `unit`'s workbook to `path` (atomically): the workbook template.write_unit_workbook writes."""

        marks = list(marks)
        delegates = list(delegates)

        def direct() -> Path:
            self.direct += 1
            return write_unit_workbook(
                book, unit, path, issued_at, entries=entries, marks=marks, extra_sheet=extra_sheet, delegates=delegates
            )

        if book is not self.book:
            return direct()
        # Kinds by their highlight formats too: the workbook's styles hold those its rules use.
        key = (extra_sheet is not None, tuple(sorted({mark.style for mark in marks})))
        args = (unit, issued_at, entries, marks, extra_sheet, delegates)
        if key not in self._kinds:
            direct()
            try:
                self._kinds[key] = self._learn(args, path, marks)
            except Exception:  # whatever goes wrong in learning, the returns of this kind are written directly
                log.warning("returns: learning a return failed; this kind is written directly", exc_info=True)
                self._kinds[key] = None
            return path
        kind = self._kinds[key]
        if kind is None:
            return direct()
        try:
            data = self._zip(kind, self._assemble(kind, *args))
        except Exception:  # what the stand-ins cannot do, xlsxwriter does (or reports)
            log.warning("returns: %s assembled directly", path.name, exc_info=True)
            return direct()
        self.fast += 1
        return write_bytes(path, data)
