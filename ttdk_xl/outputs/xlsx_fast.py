"""An xlsxwriter worksheet that writes big sheets several times faster, with the same bytes.

xlsxwriter spends most of the time of a big workbook (hundreds of thousands of cells) in its per-cell
machinery: a decorator that parses A1 references, bounds and dimension checks, one attribute list, two
regular-expression escapes and one file write per cell. `FastSheet` keeps xlsxwriter's data model (the
row table of `Number` / `String` / `Blank` cell tuples) and its output, and only shortens the common path:

- `write_string`, `write_number` and `write_blank` called with integer row and column and a plain value
  go straight to the row table (anything else goes through xlsxwriter's own method);
- each row's XML is built as one string: numbers, strings (inline in constant-memory mode, shared
  otherwise) and blanks by templates with xlsxwriter's exact escaping, every other cell type by
  xlsxwriter's own `_write_cell`.

Style indexes come from `Format._get_xf_index()` in the same order as xlsxwriter asks for them, so the
styles part is the same too. tests/test_xlsx_fast.py compares every part of the zip with plain xlsxwriter.
Use: `use_fast_sheets(workbook, units)` before adding sheets: fast for FAST_FROM units or more; a
cluster's workbooks are written by plain xlsxwriter.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import textwrap
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from io import StringIO
from itertools import accumulate
from math import copysign, inf
from types import MappingProxyType
from typing import Any

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, CellStringTuple, RowInfo, Worksheet
from xlsxwriter.xmlwriter import XMLwriter

# A string that none of xlsxwriter's string escapes would change: no control character, no `_xHHHH_`
# look-alike, no non-character, no XML special character.
_PLAIN = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CACHE_MAX_LEN = 300  # strings up to this length keep their XML (names, criteria, levels recur on every row)
_CACHE_MAX_SIZE = 200_000


_NOTHING_READY: Mapping[int, str] = MappingProxyType({})  # _fast_row: no cell of the row already as XML
_BASIC_TYPES = frozenset((str, int, float, type(None)))
_TAILS = {None: "/>", 0: "><v>0</v></c>"}  # put_rows: a blank; 0 and 0.0 (-0.0 is told apart by its sign)

# put_rows: a row template: (formats, XML of the row as a function of its number and its cells' tails, width)
_Template = tuple[Sequence[Any], Callable[[str, Sequence[str | None]], str], int]

ENABLED = True  # tests switch it off to compare with plain xlsxwriter
FAST_FROM = 300  # units: below this, a workbook takes well under a second with plain xlsxwriter


def wanted(units: int) -> bool:
    """Whether a workbook about `units` units is big enough for the fast sheets (and collector pauses)."""
    return ENABLED and units >= FAST_FROM


@lru_cache(maxsize=1)
def _cell_prefixes() -> dict[int, str]:
    """Column number → the start of its cells' XML, '<c r="A' (for all of Excel's 16,384 columns)."""
    return {col: f'<c r="{xl_col_to_name(col)}' for col in range(16_384)}


_ZIP_LOCK = threading.Lock()


def close_with_level(wb, level: int) -> None:
    """Close (write) the workbook with its parts deflated at zlib `level` rather than xlsxwriter's fixed
    default (6). A province's summary holds about 60 MB of XML: level 1 deflates it three times faster
    (about 0.6 s less at 10,000 units) for a file about a third bigger.

    xlsxwriter has no option for this: its module's ZipFile is swapped while this workbook closes (the
    parts it writes from its temporary files take the ZipFile's level; the same bytes go in)."""
    import functools
    import zipfile

    import xlsxwriter.workbook as module

    with _ZIP_LOCK:
        real = module.ZipFile
        module.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=level)
        try:
            wb.close()
        finally:
            module.ZipFile = real


def use_fast_sheets(wb, units: int) -> None:
    """Make `wb.add_worksheet()` return FastSheet worksheets for a workbook about `units` units when that
    is worth it (`wanted`), else RowSheet: plain xlsxwriter with the same row-writing methods."""
    wb.worksheet_class = FastSheet if wanted(units) else RowSheet


class RowSheet(Worksheet):
    """Plain xlsxwriter plus `put_row`, written with the ordinary per-cell methods."""

    def put_row(self, row: int, cells: Iterable[tuple[int, Any, Any]]) -> None:
        """Write the cells (column, value, format) of one row, in column order.

        A str value is written as a string, an int or float as a number, None as a blank (nothing
        without a format), exactly as write_string / write_number / write_blank would.
        """
        for col, value, fmt in cells:
            if value is None:
                self.write_blank(row, col, None, fmt)
            elif type(value) is str:
                self.write_string(row, col, value, fmt)
            else:
                self.write_number(row, col, value, fmt)

    def put_rows(self, first_row: int, rows: Iterable[tuple[float | None, Sequence[Any], Sequence[Any]]]) -> int:
        """Write consecutive rows from `first_row`; each item is (height, formats, values).

        Row r gets `set_row(r, height)` when height (points) is not None or 0, then the cells
        (c, values[c], formats[c]) for c = 0, 1, … through `put_row`. Returns the last row written
        (first_row - 1 for no rows).
        """
        r = first_row - 1
        for height, formats, values in rows:
            r += 1
            if height:
                self.set_row(r, height)
            self.put_row(r, zip(range(len(formats)), values, formats, strict=False))
        return r


class FastSheet(RowSheet):
    # xlsxwriter's own attributes that this class sets (declared for the type checker: xlsxwriter has no types)
    previous_row: int  # constant-memory mode: the row now open
    fh: Any  # the file the sheet's XML goes to (a StringIO while `_fast_row_tag` catches a row tag)
    dim_rowmin: int | None  # the used range; None while the sheet is empty
    dim_rowmax: int | None
    dim_colmin: int | None
    dim_colmax: int | None
    row_spans: dict[int, str]

    def __init__(self) -> None:
        super().__init__()
        self._fast_cols: list[str] = []
        self._fast_inline: dict[str, str] = {}
        self._fast_numbers: dict[float, str] = {}
        self._fast_row_tags: dict[tuple, str] = {}
        self._fast_row_infos: dict[tuple, RowInfo] = {}
        self._fast_ready: dict[int, str] = {}  # constant-memory mode: the current row's cells already as XML
        self._fast_tails: dict[Any, str] = dict(_TAILS)  # put_rows: value → its cell's XML after the style
        self._fast_templates: dict[tuple[int, int], _Template] = {}  # put_rows: (id(formats), pixels) → template
        self._fast_template_state: tuple = ()

    # ------------------------------------------------------------------ writing cells

    def write_string(self, row, col, string, cell_format=None):
        if type(row) is not int or type(col) is not int or type(string) is not str or len(string) > 16383:
            return super().write_string(row, col, string, cell_format)
        if not self._fast_cell(row, col):
            return -1
        if self.constant_memory:
            self.table[row][col] = CellStringTuple(string, cell_format)
        else:
            self.table[row][col] = CellStringTuple(self._fast_sst_index(string), cell_format)
        return 0

    def write_number(self, row, col, number, cell_format=None):
        kind = type(number)
        if type(row) is not int or type(col) is not int or not (kind is int or (kind is float and -inf < number < inf)):
            return super().write_number(row, col, number, cell_format)
        if not self._fast_cell(row, col):
            return -1
        self.table[row][col] = CellNumberTuple(number, cell_format)
        return 0

    def write_blank(self, row, col, blank, cell_format=None):
        if type(row) is not int or type(col) is not int:
            return super().write_blank(row, col, blank, cell_format)
        if cell_format is None:
            return 0
        if not self._fast_cell(row, col):
            return -1
        self.table[row][col] = CellBlankTuple(cell_format)
        return 0

    def _fast_cell(self, row: int, col: int) -> bool:
        """Dimensions checked and, in constant-memory mode, `row` made the current row (the previous one
        written out; a cell rewritten in it forgets its ready XML). False: xlsxwriter refuses the cell."""
        if self._fast_dimensions(row, col):
            return False
        if self.constant_memory:
            if row > self.previous_row:
                self._write_single_row(row)
            elif self._fast_ready:
                self._fast_ready.pop(col, None)
        return True

    def put_row(self, row: int, cells: Iterable[tuple[int, Any, Any]]) -> None:
        if not self.constant_memory or type(row) is not int or row < 0 or row >= self.xls_rowmax:
            return self._put_tuples(row, cells)
        if row < self.previous_row:
            return  # rows already written: xlsxwriter ignores the cells (and returns -1)
        # The cells go straight to XML when nothing about them can change before the row is written:
        # a format that already has its style index (xlsxwriter numbers formats in order of first use, when
        # it writes a row), a plain string, a finite number or a blank. Any other cell takes the table.
        prefixes, inline, numbers = _cell_prefixes(), self._fast_inline, self._fast_numbers
        ready = None
        table_row = None
        row_text = str(row + 1)
        tail: str | None
        for col, value, fmt in cells:
            prefix = prefixes.get(col) if type(col) is int else None  # None: not a column
            if fmt is None or prefix is None:
                self._put_tuples(row, ((col, value, fmt),))
                continue
            xf = fmt.xf_index
            kind = type(value)
            if xf is None:
                tail = ""
            elif kind is str:
                if len(value) > 16383:
                    tail = ""
                else:
                    tail = inline.get(value)
                    if tail is None:
                        tail = self._fast_inline_tail(value)
            elif kind is float or kind is int:
                tail = numbers.get(value)
                if tail is None:
                    if kind is float and not -inf < value < inf:
                        tail = ""
                    else:
                        tail = f"><v>{value:.16G}</v></c>"
                        if value and len(numbers) < _CACHE_MAX_SIZE:  # 0.0 and -0.0 are one key
                            numbers[value] = tail
            elif value is None:
                tail = "/>"
            else:
                tail = ""
            if not tail:
                self._put_tuples(row, ((col, value, fmt),))
                continue
            if ready is None:
                self._fast_dimensions(row, col)
                if row > self.previous_row:
                    self._write_single_row(row)
                ready = self._fast_ready
                table_row = self.table.get(row)
            ready[col] = f'{prefix}{row_text}" s="{xf}"{tail}'
            if table_row and col in table_row:
                del table_row[col]  # written again: the later value counts
        if ready:
            first, last = min(ready), max(ready)
            self._grow_cols(first, last)

    def put_rows(self, first_row: int, rows: Iterable[tuple[float | None, Sequence[Any], Sequence[Any]]]) -> int:
        # Constant-memory mode: each row's XML in one step, by a function per (formats, height) that holds
        # the row tag, column letters and style indexes, with the values' XML from a cache; written to the
        # file in blocks. A row goes through set_row + put_row instead when anything about it is unusual:
        # a value other than str, int, float or None (or not finite, or a rich-string look-alike, or too
        # long), a format that has no style index yet (xlsxwriter numbers formats when it writes the row of
        # their first use), a row that already holds cells or options. The last row always does, so that
        # it stays open to later writes as with put_row.
        if not self.constant_memory or type(first_row) is not int or first_row < 0:
            return super().put_rows(first_row, rows)
        state = (self.default_row_height, self.original_row_height, self.excel_version)
        if state != self._fast_template_state:
            self._fast_templates.clear()
            self._fast_template_state = state
        templates, get = self._fast_templates, self._fast_tails.get
        row_info, row_sizes, comments, table, ready = (
            self.row_info, self.row_sizes, self.comments, self.table, self._fast_ready
        )  # fmt: skip
        basic, rowmax = _BASIC_TYPES, self.xls_rowmax
        infos: dict[int, RowInfo] = {}
        pixels_of: dict[Any, int] = {None: 0}
        out: list[str] = []
        lo = hi = -1  # the rows written here
        width = 0
        row = first_row - 1
        rows = iter(rows)
        pending = next(rows, None)
        if pending is None:
            return row
        cells: list[str | None] | None
        for item in rows:  # each row but the last
            row += 1
            height, formats, values = pending
            pending = item
            pixels = pixels_of.get(height)
            if pixels is None:
                pixels = pixels_of[height] = self._fast_pixels(height)
            found = templates.get((id(formats), pixels))
            if (
                found is not None
                and found[0] is formats
                and row == self.previous_row
                and not table
                and not ready
                and row not in row_info
                and row not in comments
                and len(values) == found[2]
                and row < rowmax
                and basic.issuperset(map(type, values))
            ):
                cells = list(map(get, values))
                if None in cells or 0 in values:
                    cells = self._fast_cells(values, cells)
            else:
                cells = None
                found = self._fast_start_row(row, height, pixels, formats, values, out)
                if found is not None:
                    cells = self._fast_cells(values, list(map(get, values)))
            if cells is None or found is None:  # (a row with cells has its template)
                if out:
                    self.fh.write("".join(out))
                    out.clear()
                RowSheet.put_rows(self, row, ((height, formats, values),))
                continue
            out.append(found[1](str(row + 1), cells))
            self.previous_row = row + 1  # this row is written: the next one starts without a flush
            if pixels:
                info = infos.get(pixels)
                if info is None:
                    info = self._fast_row_infos.get((pixels, None))
                    if info is None:
                        info = self._fast_row_infos[(pixels, None)] = RowInfo(pixels, None, False, 0, False)
                    infos[pixels] = info
                row_info[row] = info
                row_sizes[row] = [pixels, False]
            if lo < 0:
                lo = row
            hi = row
            if found[2] > width:
                width = found[2]
            if len(out) >= 2048:
                self.fh.write("".join(out))
                out.clear()
        if out:
            self.fh.write("".join(out))
        if lo >= 0:
            self._grow_rows(lo, hi)
            self._grow_cols(0, width - 1)
        row += 1
        RowSheet.put_rows(self, row, (pending,))
        return row

    def _fast_start_row(self, row: int, height: Any, pixels: int, formats: Sequence[Any], values: Sequence[Any],
                        out: list[str]) -> _Template | None:  # fmt: skip
        """put_rows, for a row off its common path: whether it can be written as XML, and its template.

        Flushes the rows before it first (as put_row would), so that their formats have their style indexes.
        """
        if (
            pixels < 0
            or row >= self.xls_rowmax
            or len(values) != len(formats)
            or not _BASIC_TYPES.issuperset(map(type, values))
            or row < self.previous_row
            or row in self.row_info
            or row in self.comments
            or None in formats
            or len(formats) > self.xls_colmax
        ):
            return None
        if row == self.previous_row:
            if self.table.get(row) or self._fast_ready:
                return None
        else:
            if out:
                self.fh.write("".join(out))
                out.clear()
            self._write_single_row(row)
        key = (id(formats), pixels)
        found = self._fast_templates.get(key)
        if found is None or found[0] is not formats:
            template = self._fast_template(formats, pixels)
            if template is None:
                return None
            found = self._fast_templates[key] = (formats, template, len(formats))
        return found

    @staticmethod
    def _fast_pixels(height: Any) -> int:
        """A put_rows height → pixels as set_row stores them; 0 for none, -1 for one left to set_row."""
        if not height:
            return 0
        if (type(height) is int or type(height) is float) and height > 0:
            return int(height * 4.0 / 3.0 + 0.5) or -1
        return -1

    def _fast_cells(self, values: Sequence[Any], cells: list[str | None]) -> list[str | None] | None:
        """The cells' XML after their style attribute, filling in what the cache missed (`cells` itself, with no
        None left); None if a value is left to put_row."""
        i = -1
        while None in cells:  # (index: the scans in C, only the misses in Python)
            i = cells.index(None, i + 1)
            tail = cells[i] = self._fast_tail(values[i])
            if not tail:
                return None
        i = -1
        while 0 in values[i + 1 :]:  # 0 and 0.0 share the key of -0.0, which prints apart
            i = values.index(0, i + 1)
            v = values[i]
            if type(v) is float and copysign(1.0, v) < 0:
                cells[i] = "><v>-0</v></c>"
        return cells

    def _fast_template(self, formats: Sequence[Any], pixels: int) -> Callable[[str, Sequence[str | None]], str] | None:
        """The XML of a row of these formats and height, as a function of the row number (text) and the
        cells' XML after their style attribute; None while a format has no style index.

        The function is one f-string expression compiled for these columns and styles (str.format would
        parse its template on every row, four times slower). Its literal text is only column letters,
        style numbers and xlsxwriter's row tag, with any brace doubled.
        """
        holes = []
        for col, fmt in enumerate(formats):
            if fmt is None or col >= self.xls_colmax:
                return None
            xf = fmt.xf_index
            if xf is None:  # a format equal to one already numbered takes its index without keeping it
                xf = fmt.xf_format_indices.get(fmt._get_format_key())
                if xf is None:
                    return None
            holes.append((f'<c r="{xl_col_to_name(col)}', f'" s="{xf}"', col))
        info = RowInfo(pixels, None, False, 0, False) if pixels else None
        tag = self._fast_row_tag(None, info)
        if tag.count("\x00") != 1:
            return None

        def literal(text: str) -> str:
            return text.replace("{", "{{").replace("}", "}}")

        before, after = tag.split("\x00")
        source = [literal(before), "{r}", literal(after)]
        for head, style, col in holes:
            source += [literal(head), "{r}", literal(style), f"{{c[{col}]}}"]
        source.append("</row>")
        return eval("lambda r, c: f" + repr("".join(source)))  # our own literal text, see above

    def _fast_tail(self, value: Any) -> str:
        """What follows `<c r=".." s=".."` for a put_rows value; '' for one left to put_row."""
        kind = type(value)
        if kind is str:
            if len(value) > 16383:
                return ""
            tail = self._fast_inline_tail(value)
            if tail and len(value) <= _CACHE_MAX_LEN:
                self._fast_cache_tail(value, tail)
            return tail
        if kind is float or kind is int:
            if kind is float and not -inf < value < inf:
                return ""
            tail = f"><v>{value:.16G}</v></c>"
            if value:  # 0.0 and -0.0 are one key
                self._fast_cache_tail(value, tail)
            return tail
        return "/>" if value is None else ""

    def _fast_cache_tail(self, value: Any, tail: str) -> None:
        tails = self._fast_tails
        if len(tails) >= _CACHE_MAX_SIZE:
            tails.clear()
            tails.update(_TAILS)
        tails[value] = tail

    def _put_tuples(self, row: int, cells: Iterable[tuple[int, Any, Any]]) -> None:
        """put_row through the row table of cell tuples (normal mode, or any cell of an unusual kind)."""
        if type(row) is not int or row < 0 or row >= self.xls_rowmax:
            return super().put_row(row, cells)
        constant = self.constant_memory
        if constant and row < self.previous_row:
            return  # rows already written: xlsxwriter ignores the cells (and returns -1)
        colmax = self.xls_colmax
        make = tuple.__new__  # the cell namedtuples, without their Python-level __new__
        number_cls, string_cls, blank_cls = CellNumberTuple, CellStringTuple, CellBlankTuple
        sst = self.str_table
        indexes = sst.string_table
        target = None
        first = last = -1
        for col, value, fmt in cells:
            kind = type(value)
            if type(col) is not int or col < 0 or col >= colmax:
                cell = None
            elif kind is str:
                if len(value) > 16383:
                    cell = None
                elif constant:
                    cell = make(string_cls, (value, fmt))
                else:  # SharedStringTable._get_shared_string_index
                    index = indexes.get(value)
                    if index is None:
                        index = indexes[value] = sst.unique_count
                        sst.unique_count += 1
                    sst.count += 1
                    cell = make(string_cls, (index, fmt))
            elif kind is float:
                cell = make(number_cls, (value, fmt)) if -inf < value < inf else None
            elif kind is int:
                cell = make(number_cls, (value, fmt))
            elif value is None:
                if fmt is None:
                    continue
                cell = make(blank_cls, (fmt,))
            else:
                cell = None
            if cell is None:  # anything unusual: xlsxwriter's own way, one cell
                super().put_row(row, ((col, value, fmt),))
                target = None
                continue
            if target is None:
                self._fast_dimensions(row, col)
                if constant and row > self.previous_row:
                    self._write_single_row(row)
                target = self.table[row]
            target[col] = cell
            if constant and self._fast_ready:
                self._fast_ready.pop(col, None)
            if first < 0 or col < first:
                first = col
            if col > last:
                last = col
        if first >= 0:
            self._grow_cols(first, last)

    def set_row(self, row, height=None, cell_format=None, options=None):
        kind = type(height)
        if options is not None or type(row) is not int or not (kind is int or kind is float) or not height > 0:
            return super().set_row(row, height, cell_format, options)
        pixels = int(height * 4.0 / 3.0 + 0.5)  # as set_row → set_row_pixels, without options
        if not pixels:
            return super().set_row(row, height, cell_format, options)
        if self._fast_dimensions(row, 0 if self.dim_colmin is None else self.dim_colmin):
            return -1
        key = (pixels, cell_format)
        info = self._fast_row_infos.get(key)  # never changed once stored: rows of one height share it
        if info is None:
            info = self._fast_row_infos[key] = RowInfo(pixels, cell_format, False, 0, False)
        self.row_info[row] = info
        self.row_sizes[row] = [pixels, False]
        return 0

    def _fast_dimensions(self, row: int, col: int) -> int:
        """xlsxwriter's `_check_dimensions(row, col)`: bounds, and the used range grows to hold the cell."""
        if row < 0 or col < 0 or row >= self.xls_rowmax or col >= self.xls_colmax:
            return -1
        if self.constant_memory and row < self.previous_row:
            return -2
        d = self.dim_rowmin
        if d is None or row < d:
            self.dim_rowmin = row
        d = self.dim_rowmax
        if d is None or row > d:
            self.dim_rowmax = row
        d = self.dim_colmin
        if d is None or col < d:
            self.dim_colmin = col
        d = self.dim_colmax
        if d is None or col > d:
            self.dim_colmax = col
        return 0

    def _grow_rows(self, lo: int, hi: int) -> None:
        """The used range grows to hold rows lo..hi (as `_check_dimensions` does cell by cell)."""
        if self.dim_rowmin is None or lo < self.dim_rowmin:
            self.dim_rowmin = lo
        if self.dim_rowmax is None or hi > self.dim_rowmax:
            self.dim_rowmax = hi

    def _grow_cols(self, lo: int, hi: int) -> None:
        """The used range grows to hold columns lo..hi."""
        if self.dim_colmin is None or lo < self.dim_colmin:
            self.dim_colmin = lo
        if self.dim_colmax is None or hi > self.dim_colmax:
            self.dim_colmax = hi

    def _fast_sst_index(self, string: str) -> int:
        """SharedStringTable._get_shared_string_index, inlined."""
        st = self.str_table
        index = st.string_table.get(string)
        if index is None:
            index = st.string_table[string] = st.unique_count
            st.unique_count += 1
        st.count += 1
        return index

    # ------------------------------------------------------------------ writing rows

    def _write_single_row(self, current_row_num=0) -> None:
        # Constant-memory mode: write the previous row, then forget it (as xlsxwriter does).
        row_num = self.previous_row
        self.previous_row = current_row_num
        cells = self.table.get(row_num)
        ready = self._fast_ready
        if cells or ready:
            self._fast_row(row_num, None, cells or {}, ready)
            ready.clear()
        elif row_num in self.row_info or row_num in self.comments:
            self._write_empty_row(row_num, None, self.row_info[row_num])
        self.table.clear()

    def _write_rows(self) -> None:
        # Normal mode: every row at the end, with spans.
        self._calculate_spans()
        lo, hi = self.dim_rowmin, self.dim_rowmax
        table, row_info, comments, spans = self.table, self.row_info, self.comments, self.row_spans
        rows = {r for r, cells in table.items() if cells}
        rows.update(row_info, comments)
        for row_num in sorted(r for r in rows if lo <= r <= hi):
            span = spans.get(row_num // 16)
            cells = table.get(row_num)
            if cells:
                self._fast_row(row_num, span, cells)
            else:
                self._write_empty_row(row_num, span, row_info.get(row_num))

    def _calculate_spans(self) -> None:
        # Per block of 16 rows: the first and last used column (cells and comments), 1-based.
        lo, hi = self.dim_rowmin, self.dim_rowmax
        cmin, cmax = self.dim_colmin, self.dim_colmax
        blocks: dict[int, list[int]] = {}
        for source in (self.table, self.comments):
            for row_num, cols in source.items():
                if not cols or not lo <= row_num <= hi:
                    continue
                first, last = min(cols), max(cols)
                if first < cmin or last > cmax:
                    inside = [c for c in cols if cmin <= c <= cmax]
                    if not inside:
                        continue
                    first, last = min(inside), max(inside)
                block = blocks.get(row_num // 16)
                if block is None:
                    blocks[row_num // 16] = [first, last]
                else:
                    if first < block[0]:
                        block[0] = first
                    if last > block[1]:
                        block[1] = last
        self.row_spans = {i: f"{a + 1}:{b + 1}" for i, (a, b) in sorted(blocks.items())}

    def _fast_row(self, row_num: int, span: str | None, cells: dict, ready: Mapping[int, str] = _NOTHING_READY) -> None:
        info = self.row_info.get(row_num)
        key: tuple[Any, ...]
        if info is None:
            key = (span, self.default_row_height, self.original_row_height, self.excel_version)
        else:
            key = (span, self.default_row_height, self.original_row_height, self.excel_version, info.height,
                   info.row_format, info.hidden, info.level, info.collapsed)  # fmt: skip
        start = self._fast_row_tags.get(key)
        if start is None:
            start = self._fast_row_tags[key] = self._fast_row_tag(span, info)
        if ready and not cells:
            parts = [start.replace("\x00", str(row_num + 1), 1)]
            parts.extend(map(ready.__getitem__, sorted(ready)))
            parts.append("</row>")
            self.fh.write("".join(parts))
            return
        number_cls, string_cls, blank_cls = CellNumberTuple, CellStringTuple, CellBlankTuple
        names = self._fast_cols
        last = max(cells)
        if last >= len(names):
            names.extend(xl_col_to_name(c) for c in range(len(names), last + 1))
        inline, numbers = self._fast_inline, self._fast_numbers
        constant = self.constant_memory
        row_text = str(row_num + 1)
        parts = [start.replace("\x00", row_text, 1)]
        add = parts.append
        for col in sorted({**ready, **cells}) if ready else sorted(cells) if len(cells) > 1 else cells:
            cell = cells.get(col)
            if cell is None:
                add(ready[col])
                continue
            fmt = cell.format
            if fmt:
                xf = fmt.xf_index
                if xf is None:
                    xf = fmt._get_xf_index()
                head = f'<c r="{names[col]}{row_text}" s="{xf}"'
            else:
                xf = self._fast_default_xf(row_num, col)
                head = f'<c r="{names[col]}{row_text}"' if xf is None else f'<c r="{names[col]}{row_text}" s="{xf}"'
            cls = cell.__class__
            if cls is number_cls:
                number = cell.number
                kind = number.__class__
                if kind is float or kind is int:  # equal floats and ints print the same, except 0.0 and -0.0
                    text = numbers.get(number)
                    if text is None:
                        text = f"><v>{number:.16G}</v></c>"
                        if number and len(numbers) < _CACHE_MAX_SIZE:
                            numbers[number] = text
                else:
                    text = f"><v>{number:.16G}</v></c>"
                add(head + text)
            elif cls is string_cls:
                string = cell.string
                if not constant:
                    add(f'{head} t="s"><v>{string}</v></c>')
                    continue
                tail = inline.get(string)
                if tail is None:
                    tail = self._fast_inline_tail(string)
                if tail:
                    add(head + tail)
                else:  # a rich string: xlsxwriter's own code
                    self._fast_flush(parts)
                    self._write_cell(row_num, col, cell)
            elif cls is blank_cls:
                add(head + "/>")
            else:
                self._fast_flush(parts)
                self._write_cell(row_num, col, cell)
        add("</row>")
        self.fh.write("".join(parts))

    def _fast_flush(self, parts: list[str]) -> None:
        self.fh.write("".join(parts))
        parts.clear()

    def _fast_row_tag(self, span: str | None, info: Any) -> str:
        """The <row> start tag xlsxwriter writes for these row options, with \\0 for the row number."""
        saved = self.fh
        self.fh = StringIO()
        try:
            self._write_row(0, span, info)
            return self.fh.getvalue().replace('r="1"', 'r="\x00"', 1)
        finally:
            self.fh = saved

    def _fast_default_xf(self, row: int, col: int) -> int | None:
        """The style of a cell written without a format: the row's format, else the column's (as `_write_cell`)."""
        info = self.row_info.get(row)
        if info is not None and info.row_format:
            return info.row_format._get_xf_index()
        column = self.col_info.get(col)
        if column is not None and column.column_format is not None:
            return column.column_format._get_xf_index()
        return None

    def _write_optimized_sheet_data(self) -> None:
        # Constant-memory mode, at close: copy the rows from the temporary file into the sheet's XML.
        # xlsxwriter copies them as text (decoding and encoding again, and reading '\r' as a line end);
        # a file without any '\r' gives the same bytes when copied as bytes, on a system whose line end
        # is '\n'. Anything else goes through xlsxwriter's own copy.
        fh, rows = self.fh, self.row_data_fh
        if (
            self.dim_rowmin is None
            or os.linesep != "\n"
            or not isinstance(fh, io.TextIOWrapper)
            or not isinstance(rows, io.TextIOWrapper)
            or codecs.lookup(fh.encoding).name != "utf-8"
            or codecs.lookup(rows.encoding).name != "utf-8"
        ):
            return super()._write_optimized_sheet_data()
        rows.flush()
        raw = rows.buffer
        raw.seek(0)
        while chunk := raw.read(1 << 20):
            if b"\r" in chunk:
                return super()._write_optimized_sheet_data()
        self._xml_start_tag("sheetData")
        fh.flush()
        raw.seek(0)
        while chunk := raw.read(1 << 20):
            fh.buffer.write(chunk)
        rows.close()
        os.unlink(self.row_data_filename)
        self._xml_end_tag("sheetData")

    def _fast_inline_tail(self, string: str) -> str:
        """What follows `<c r=".." s=".."` for an inline string; '' for a rich string (left to xlsxwriter)."""
        if _PLAIN.search(string) is None:
            preserve = bool(string) and (string[0].isspace() or string[-1].isspace())
            text = string
        else:
            text = XMLwriter._escape_control_characters(string)
            if text.startswith("<r>") and text.endswith("</r>"):
                return ""
            preserve = bool(_preserve_whitespace(text))
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        space = ' xml:space="preserve"' if preserve else ""
        tail = f' t="inlineStr"><is><t{space}>{text}</t></is></c>'
        if len(string) <= _CACHE_MAX_LEN:
            if len(self._fast_inline) >= _CACHE_MAX_SIZE:
                self._fast_inline.clear()
            self._fast_inline[string] = tail
        return tail


# ---------------------------------------------------------------------------------------------- row heights


@lru_cache(maxsize=64)
def _wrapper(width: int) -> textwrap.TextWrapper:
    return textwrap.TextWrapper(width, break_long_words=True)


_SPACES = re.compile(r"( +)")


def wrapped_lines(text: str, width: int) -> int:
    """len(textwrap.wrap(text, width, break_long_words=True)), without building the lines (row heights).

    The same chunks (textwrap's own splitting; a plain split on spaces for text without hyphens, tabs or
    other whitespace, which gives the same chunks) and the same greedy filling as textwrap's _wrap_chunks.
    """
    if "-" in text or not text.isprintable():
        chunks = _wrapper(width)._split_chunks(text)
    else:
        words = text.split(" ")
        if "" not in words and max(map(len, words)) <= width:
            # Words and single spaces, no word longer than a line: each line takes the next words while
            # they fit, the space before a word that does not fit is dropped. Line ends by bisection on
            # the running length (each word counted with the space after it).
            ends = list(accumulate(len(w) + 1 for w in words))
            lines, start, n = 0, 0, len(ends)
            while start < n:
                start = bisect_right(ends, width + 1 + (ends[start - 1] if start else 0), start)
                lines += 1
            return lines
        chunks = [c for c in _SPACES.split(text) if c]
    chunks.reverse()
    lines = 0
    while chunks:
        cur_len = 0
        count = 0
        last = ""
        if lines and not chunks[-1].strip():
            del chunks[-1]
        while chunks:
            size = len(chunks[-1])
            if cur_len + size <= width:
                last = chunks.pop()
                cur_len += size
                count += 1
            else:
                break
        if chunks and len(chunks[-1]) > width:
            space_left = width - cur_len
            end = space_left
            chunk = chunks[-1]
            hyphen = chunk.rfind("-", 0, space_left)
            if hyphen > 0 and any(c != "-" for c in chunk[:hyphen]):
                end = hyphen + 1
            last = chunk[:end]
            count += 1
            chunks[-1] = chunk[end:]
        if count and not last.strip():
            count -= 1
        if count:
            lines += 1
    return lines
