"""Annotated returns for many units, fast: xlsxwriter once per kind of return, then each file assembled.

A return (see returns.py) is a whole unit workbook, and building one with xlsxwriter takes ~20 ms, most
of it spent serialising what is the same in every return of a book: styles, theme, validations, the
guide, page setup… Only the cells (what the unit typed, cached formula results, the slip's lines), the
shared strings, the comments, the highlight rules and the document title change from unit to unit.

So the workbook code of template.py / returns.py / delegates.py runs unchanged, but against light
stand-ins for xlsxwriter's Workbook and Worksheet that only record what is written (`_Workbook`,
`_Sheet`). The first return of each kind (with or without comments) is written directly with
xlsxwriter; its parts give everything that does not depend on the unit, and the recorded cells are
serialised the way xlsxwriter serialises them and compared with it: only when the whole file comes out
byte for byte the same is the kind trusted, and every later return of that kind is assembled from the
recording (cells, shared strings, the sheet's rules and comments through xlsxwriter's own classes) and
the learnt parts, zipped with the unchanged parts compressed once. Anything the stand-ins do not know
(another method, a truncated string, a sheet whose set-up differs from the learnt one) is written
directly, so the fast path can only be slower, never different.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

from .atomic import write_bytes
from .layout import GUIDE_SHEET, META_SHEET, SCORE_SHEET, cell_name
from .models import Book, Unit

_ROWS, _COLS = 1_048_576, 16_384
_DEFAULT_ROW = 20  # xlsxwriter's default row height, in pixels
_INF = float("inf")
_COL_MASK = (1 << 14) - 1
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
                self.props = {**self.props, name: args}

            return setter
        raise AttributeError(name)


class _Workbook:
    """Stand-in for xlsxwriter's Workbook: sheets, formats and the shared string table, in call order."""

    def __init__(self):
        self.sheets: list[_Sheet] = []
        self.formats: list[_Format] = []
        self.strings: dict[str, int] = {}
        self.string_count = 0

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

    def __init__(self, wb: _Workbook, name: str | None):
        self.wb = wb
        self.name = name
        self.cells: dict[int, tuple] = {}
        self.heights: dict[int, int] = {}  # row → pixels
        self.row_calls: list[tuple] = []
        self.comment_calls: list[tuple] = []
        self.cond_calls: list[tuple] = []
        self.calls: list[tuple] = []
        self.dim_rows: list[int] = []  # rows and columns that count in the used range besides the cells'
        self.dim_cols: list[int] = []

    def write_string(self, row, col, string=None, fmt=None):
        if row.__class__ is str:
            (row, col), string, fmt = _rowcol(row), col, string
        if string.__class__ is not str or len(string) > 16_383:  # xlsxwriter would check or truncate
            raise _Unsupported("long or odd string")
        if not (0 <= row < _ROWS and 0 <= col < _COLS):
            raise _Unsupported("cell outside the sheet")
        wb = self.wb
        index = wb.strings.get(string)
        if index is None:
            index = wb.strings[string] = len(wb.strings)
        wb.string_count += 1
        self.cells[row << 14 | col] = ("s", index, fmt)
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
        self.dim_rows.append(row)
        if not self.cells and not self.dim_cols:
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
        self.dim_rows.append(row)
        self.dim_cols.append(col)
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


def _sheet_data(sheet: _Sheet, opening: Callable[[int, object], str]) -> tuple[str, str]:
    """The used range and the <sheetData> element, as xlsxwriter writes them (Worksheet._write_rows).

    `opening(key, format)` gives a cell's opening tag up to its type: '<c r="D9" s="12"'.
    """
    cells, heights = sheet.cells, sheet.heights
    keys = sorted(cells)
    by_row: dict[int, list[int]] = {}
    for key in keys:
        row = key >> 14
        if row in by_row:
            by_row[row].append(key)
        else:
            by_row[row] = [key]
    comment_cols: dict[int, list[int]] = {}
    for row, col, *_ in sheet.comment_calls:
        comment_cols.setdefault(row, []).append(col)
    rows = sorted(by_row.keys() | heights.keys() | comment_cols.keys())
    cols = [*(key & _COL_MASK for key in keys), *sheet.dim_cols]
    if not rows:
        return ("A1" if not cols else _range_ref(0, 0, min(cols), max(cols))), "<sheetData/>"
    dimension = _range_ref(rows[0], rows[-1], min(cols), max(cols))
    spans: dict[int, list[int]] = {}
    for row in rows:
        row_keys = by_row.get(row)
        used = [row_keys[0] & _COL_MASK, row_keys[-1] & _COL_MASK] if row_keys else []
        used += comment_cols.get(row, ())
        if used:
            lo, hi = min(used), max(used)
            span = spans.get(row >> 4)
            if span is None:
                spans[row >> 4] = [lo, hi]
            else:
                span[0], span[1] = min(span[0], lo), max(span[1], hi)
    out = ["<sheetData>"]
    append = out.append
    for row in rows:
        span = spans.get(row >> 4)
        head = f'<row r="{row + 1}"' + (f' spans="{span[0] + 1}:{span[1] + 1}"' if span else "")
        height = heights.get(row, _DEFAULT_ROW)
        if height != _DEFAULT_ROW:
            head += f' ht="{height * 0.75:.16g}" customHeight="1"'
        row_keys = by_row.get(row)
        if not row_keys:
            append(head + "/>")
            continue
        append(head + ">")
        for key in row_keys:
            cell = cells[key]
            kind = cell[0]
            attrs = opening(key, cell[2])
            if kind == "s":
                append(f'{attrs} t="s"><v>{cell[1]}</v></c>')
            elif kind == "b":
                append(attrs + "/>")
            elif kind == "n":
                append(f"{attrs}><v>{cell[1]:.16G}</v></c>")
            else:
                value = cell[3]
                if isinstance(value, bool):
                    attrs += ' t="b"'
                    value = int(value)
                elif isinstance(value, str) and value:
                    attrs += ' t="e"' if value in _ERROR_CODES else ' t="str"'
                append(f"{attrs}><f>{_escape(cell[1])}</f><v>{_escape(value)}</v></c>")
        append("</row>")
    append("</sheetData>")
    return dimension, "".join(out)


def _range_ref(rmin: int, rmax: int, cmin: int, cmax: int) -> str:
    first, last = cell_name(rmin, cmin), cell_name(rmax, cmax)
    return first if first == last else f"{first}:{last}"


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


class _Kind:
    """A learnt kind of return: its constant parts (compressed once), sheet shapes and cell styles."""

    def __init__(self, names: list[str], parts: dict[str, bytes], shapes: list[_SheetShape], styles: dict[int, str]):
        self.names = names
        self.parts = parts
        self.shapes = shapes
        self.styles = styles  # format id → ' s="N"' (or '' for the default style)
        self.packed: dict[str, tuple[zipfile.ZipInfo, bytes]] = {}
        self.openings: dict[tuple[int, int], str] = {}

    def opening(self, key: int, fmt) -> str:
        fid = -1 if fmt is None else fmt.id
        tag = self.openings.get((key, fid))
        if tag is None:
            style = "" if fmt is None else self.styles[fid]  # KeyError: a format the learnt return never used
            tag = self.openings[(key, fid)] = f'<c r="{cell_name(key >> 14, key & _COL_MASK)}"{style}'
        return tag


def _pack(name: str, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
    """A zip entry as zipfile.writestr makes it for xlsxwriter (deflate, default level, 1980 timestamp)."""
    info = zipfile.ZipInfo(name, _DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    info.file_size = len(data)
    info.CRC = zlib.crc32(data)
    comp = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    body = comp.compress(data) + comp.flush()
    info.compress_size = len(body)
    return info, body


class ReturnStamper:
    """Writes the annotated returns of one book (see the module docstring); `write` takes the arguments
    of template.write_unit_workbook and writes the same file."""

    def __init__(self, book: Book):
        self.book = book
        self._kinds: dict[tuple, _Kind | None] = {}  # None: this kind is written directly
        self._si: dict[str, str] = {}
        self._formulas: dict[str, str] = {}
        self._formula_sheet = None
        self._rules: dict[str, str] = {}
        self._scratch = None
        self._dxf: dict[int, object] = {}
        self.fast = 0  # files assembled, and files written by xlsxwriter (for tests and benchmarks)
        self.direct = 0

    # -- recording -------------------------------------------------------------------------------
    def _record(self, unit: Unit, issued_at, entries, marks, extra_sheet, delegates) -> _Workbook:
        """template.write_unit_workbook's sheets, written to the stand-ins."""
        from . import template
        from .delegates import write_delegate_sheet

        book = self.book
        wb = _Workbook()
        fmt = template._formats(wb)
        if extra_sheet:
            extra_sheet(wb, fmt)
        ws = wb.add_worksheet(SCORE_SHEET)
        template._write_score_sheet(wb, ws, fmt, book, unit, entries or {}, marks)
        write_delegate_sheet(wb, fmt, book, unit, list(delegates))
        template._write_guide(wb.add_worksheet(GUIDE_SHEET), fmt, book)
        template._write_meta(wb.add_worksheet(META_SHEET), book, unit, issued_at)
        if not extra_sheet:
            ws.activate()
        return wb

    def _properties(self, unit: Unit, issued_at: datetime) -> dict:
        # As template.write_unit_workbook sets them (the learnt return checks that they still are).
        return {
            "title": f"Bảng tự chấm điểm thi đua năm {self.book.year} - {unit.name}",
            "author": "ttdk-xl",
            "company": self.book.cluster_name,
            "created": issued_at,
        }

    # -- assembling ------------------------------------------------------------------------------
    def _prepare(self, wb: _Workbook) -> None:
        """Formulas as xlsxwriter stores them (its own preparation, cached: the same ones recur)."""
        cache = self._formulas
        for sheet in wb.sheets:
            cells = sheet.cells
            for key, cell in cells.items():
                if cell[0] == "f":
                    prepared = cache.get(cell[1])
                    if prepared is None:
                        prepared = cache[cell[1]] = self._prepare_formula(cell[1])
                    cells[key] = ("f", prepared, cell[2], cell[3])

    def _prepare_formula(self, formula: str) -> str:
        from xlsxwriter.worksheet import re_dynamic_function

        from .xlsx_quick import QuickFormulaSheet

        if re_dynamic_function.search(formula) or (formula.startswith("{") and formula.endswith("}")):
            raise _Unsupported("array formula")
        if self._formula_sheet is None:
            self._formula_sheet = QuickFormulaSheet()
            self._formula_sheet.use_future_functions = False  # as in the unit workbook (Workbook's default)
        return self._formula_sheet._prepare_formula(formula)

    def _shared_strings(self, wb: _Workbook) -> str:
        """sharedStrings.xml; each string's <si> written once by xlsxwriter's own SharedStrings."""
        from xlsxwriter.sharedstrings import SharedStrings

        cache = self._si
        out = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{wb.string_count}" uniqueCount="{len(wb.strings)}">'
        ]
        writer = None
        for string in wb.strings:
            si = cache.get(string)
            if si is None:
                if writer is None:
                    writer = SharedStrings()
                writer.fh = io.StringIO()
                writer._write_si(string)
                si = cache[string] = writer.fh.getvalue()
            out.append(si)
        out.append("</sst>")
        return "".join(out)

    def _scratch_sheet(self):
        """A fresh xlsxwriter worksheet (it keeps position caches) of a workbook kept for the purpose."""
        import xlsxwriter

        from .xlsx_quick import QuickFormulaSheet

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

    def _extras(self, sheet: _Sheet) -> tuple[str, str | None, str | None]:
        """The sheet's highlight rules, comments and their VML, written by xlsxwriter on a scratch sheet."""
        from xlsxwriter.comments import Comments
        from xlsxwriter.vml import Vml

        key = repr(sheet.cond_calls)
        rules = self._rules.get(key)
        if rules is not None and not sheet.comment_calls:
            return rules, None, None
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
            return rules, None, None
        for call in sheet.calls:
            if call[0] == "set_column":
                ws.set_column(*call[1:])
        for row, height in sheet.row_calls:
            ws.set_row(row, height)
        for row, col, text, options in sheet.comment_calls:
            ws.write_comment(row, col, text, options)
        if len(sheet.comment_calls) >= 1024:
            raise _Unsupported("comments")
        ws._prepare_vml_objects(1, 1024, 1, 1)  # the workbook's only sheet with comments: Workbook._prepare_vml
        comments, vml = Comments(), Vml()
        comments._set_xml_writer(io.StringIO())
        comments._assemble_xml_file(ws.comments_list)
        vml._set_xml_writer(io.StringIO())
        vml._assemble_xml_file(ws.vml_data_id, ws.vml_shape_id, ws.comments_list, ws.buttons_list)
        return rules, comments.fh.getvalue(), vml.fh.getvalue()

    def _parts(self, kind: _Kind, wb: _Workbook, properties: dict) -> dict[str, bytes]:
        """The parts that change from return to return."""
        from xlsxwriter.core import Core

        if len(wb.sheets) != len(kind.shapes):
            raise _Unsupported("sheets")
        out: dict[str, bytes] = {}
        commented = 0
        for i, (sheet, shape) in enumerate(zip(wb.sheets, kind.shapes, strict=True)):
            if sheet.name != shape.name or sheet.calls != shape.calls:
                raise _Unsupported(f"sheet {shape.name} set up differently")
            if bool(sheet.cond_calls) != bool(shape.cond_calls):
                raise _Unsupported(f"rules of sheet {shape.name}")
            rules = shape.rules
            if sheet.comment_calls or repr(sheet.cond_calls) != shape.cond_key:
                rules, comments, vml = self._extras(sheet)
                if comments is not None:
                    commented += 1
                    if commented > 1:
                        raise _Unsupported("comments on two sheets")
                    out["xl/comments1.xml"] = comments.encode()
                    out["xl/drawings/vmlDrawing1.vml"] = vml.encode()
            try:
                dimension, data = _sheet_data(sheet, kind.opening)
            except KeyError as e:
                raise _Unsupported("format") from e
            xml = "".join((shape.head, dimension, shape.middle, data, shape.tail, rules, shape.after_rules))
            out[f"xl/worksheets/sheet{i + 1}.xml"] = xml.encode()
        out["xl/sharedStrings.xml"] = self._shared_strings(wb).encode()
        core = Core()
        core._set_properties(properties)
        core._set_xml_writer(io.StringIO())
        core._assemble_xml_file()
        out["docProps/core.xml"] = core.fh.getvalue().encode()
        return out

    @staticmethod
    def _zip(kind: _Kind, parts: Mapping[str, bytes]) -> bytes:
        """The zip xlsxwriter makes (zipfile's own headers and directory); constant parts compressed once."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as zf:
            fp = zf.fp
            for name in kind.names:
                data = parts.get(name)
                if data is None:
                    info, body = kind.packed[name]
                else:
                    info, body = _pack(name, data)
                info.header_offset = fp.tell()
                fp.write(info.FileHeader(False))
                fp.write(body)
                zf.filelist.append(info)
                zf.NameToInfo[name] = info
            zf.start_dir = fp.tell()
            zf._didModify = True
        return buf.getvalue()

    # -- learning --------------------------------------------------------------------------------
    def _learn(self, wb: _Workbook, direct: Path, properties: dict) -> _Kind | None:
        """Learn a kind of return from its first file, written directly; None if it cannot be rebuilt."""
        raw = direct.read_bytes()
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            names = zf.namelist()
            parts = {name: zf.read(name) for name in names}
        shapes: list[_SheetShape] = []
        styles: dict[int, str] = {}
        for i, sheet in enumerate(wb.sheets):
            xml = parts.get(f"xl/worksheets/sheet{i + 1}.xml")
            if xml is None:
                return None
            xml = xml.decode()
            shapes.append(_SheetShape(sheet, xml))
            found = dict(_CELL_STYLE.findall(xml))
            for key, cell in sheet.cells.items():
                fmt = cell[2]
                if fmt is None:
                    continue
                s = found.get(cell_name(key >> 14, key & _COL_MASK))
                if s is None:
                    return None
                attr = f' s="{s}"' if s else ""
                if styles.setdefault(fmt.id, attr) != attr:
                    return None
            for *_, options in sheet.cond_calls:  # number the highlight formats as xlsxwriter did
                if isinstance(options.get("format"), _Format):
                    self._dxf_format(options["format"])
        constant = {name: data for name, data in parts.items() if not self._variable(name)}
        kind = _Kind(names, constant, shapes, styles)
        kind.packed = {name: _pack(name, data) for name, data in constant.items()}
        try:
            rebuilt = self._zip(kind, self._parts(kind, wb, properties))
        except (_Unsupported, KeyError, ValueError):
            return None
        return kind if rebuilt == raw else None

    @staticmethod
    def _variable(name: str) -> bool:
        return bool(_SHEET_PART.match(name)) or name in (
            "xl/sharedStrings.xml",
            "docProps/core.xml",
            "xl/comments1.xml",
            "xl/drawings/vmlDrawing1.vml",
        )

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
        """Write `unit`'s workbook to `path` (atomically): the file template.write_unit_workbook writes."""
        from .template import write_unit_workbook

        marks = list(marks)
        delegates = list(delegates)

        def direct() -> Path:
            self.direct += 1
            return write_unit_workbook(
                book, unit, path, issued_at, entries=entries, marks=marks, extra_sheet=extra_sheet, delegates=delegates
            )

        if book is not self.book:
            return direct()
        try:
            wb = self._record(unit, issued_at, entries, marks, extra_sheet, delegates)
            self._prepare(wb)
        except Exception:  # noqa: BLE001 - what the stand-ins cannot do, xlsxwriter does (or reports)
            return direct()
        key = (extra_sheet is not None, tuple(bool(sheet.comment_calls) for sheet in wb.sheets))
        properties = self._properties(unit, issued_at)
        if key not in self._kinds:
            direct()
            self._kinds[key] = self._learn(wb, path, properties)
            return path
        kind = self._kinds[key]
        if kind is None:
            return direct()
        try:
            data = self._zip(kind, self._parts(kind, wb, properties))
        except _Unsupported:
            return direct()
        self.fast += 1
        return write_bytes(path, data)
