"""Book → one protected, validated, pre-filled self-scoring workbook per unit (xlsxwriter).

The sheet checks itself with formulas only (no macros), so a unit with plain Excel, LibreOffice or WPS
sees what is left to fix. Every formula is written with its cached value, so readers that do not
recalculate (calamine, previewers, mail clients) see the same numbers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from ttdk_xl.core.atomic import atomic_path
from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.layout import (
    COL_CHECK,
    COL_CODE,
    COL_EXPLAIN,
    COL_GUIDE,
    COL_MAX,
    COL_SCORE,
    COL_TEXT,
    FORMAT_VERSION,
    GUIDE_SHEET,
    H_EXPLAIN,
    H_GUIDE,
    H_SCORE,
    HEADERS,
    META_SHEET,
    NO,
    SCORE_HEADER_ROW,
    SCORE_SHEET,
    SUM_BONUS,
    SUM_PENALTY,
    SUM_SCORED,
    SUM_TOTAL,
    UNIT_LABEL,
    YES,
    cell_name,
    col_letter,
)
from ttdk_xl.core.models import Book, Criterion, ExplainRule, Kind, Unit
from ttdk_xl.core.rowfit import fit_height, text_lines
from ttdk_xl.core.text import plain, safe_filename
from ttdk_xl.core.version import __version__
from ttdk_xl.forms import stamp
from ttdk_xl.forms.delegate_sheet import write_delegate_sheet
from ttdk_xl.forms.stamp import Stamper

# What a unit typed in one row: the score cell's value (number, text, or None) and the explanation.
Entry = tuple[object, str]

GUIDE_WIDTH = 72  # characters: the `Hướng dẫn` sheet's one column, within an A4 page at 100 % (also where Calibri,
# the unit of column widths, is missing and a wider font measures them: LibreOffice clips a column wider than
# the page instead of scaling it)


# Letters of the score table's columns the formulas refer to.
_SCORE, _EXPLAIN, _CHECK = col_letter(COL_SCORE), col_letter(COL_EXPLAIN), col_letter(COL_CHECK)


@dataclass(frozen=True)
class Mark:
    """A cell to highlight with a comment (used for annotated returns): in red ("bad", something to fix) or
    in orange ("review", something to look at again)."""

    cell: str
    comment: str
    style: str = "bad"


def workbook_filename(book: Book, unit: Unit) -> str:
    """'2025_TSN_UBND huyện Triệu Sơn.xlsx': sorted by code, readable, Windows-safe."""
    return safe_filename(f"{book.year}_{unit.code}_{unit.name}") + ".xlsx"


class FormsAlreadyIssued(TtdkError):
    """`template` would replace workbooks already issued to units."""

    def __init__(self, paths: list[Path]):
        self.paths = paths
        names = ", ".join(p.name for p in paths[:5]) + (f" và {len(paths) - 5} tệp khác" if len(paths) > 5 else "")
        super().__init__(
            f"Thư mục {paths[0].parent} đã có {len(paths)} bảng tự chấm đã phát hành ({names}); không ghi đè. "
            "Cách sửa: chọn thư mục khác bằng -o, hoặc chạy lại với --thay-the nếu đúng là muốn phát hành lại "
            "(các đơn vị đã nhận bảng cũ cần được báo)."
        )


def write_templates(
    book: Book,
    out_dir: Path,
    issued_at: datetime | None = None,
    units: Iterable[Unit] | None = None,
    progress: Callable[[Unit], None] | None = None,
    replace: bool = False,
) -> list[Path]:
    """Write one blank self-scoring workbook per unit of the book into out_dir.

    Workbooks already there were issued to the units: they are replaced only with `replace` (the
    caller says which); otherwise FormsAlreadyIssued lists them and nothing is written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    issued_at = issued_at or datetime.now().replace(microsecond=0)
    units = list(units if units is not None else book.units)
    existing = [out_dir / workbook_filename(book, u) for u in units if (out_dir / workbook_filename(book, u)).exists()]
    if existing and not replace:
        raise FormsAlreadyIssued(existing)
    # one xlsxwriter run, then stamped copies
    stamper = Stamper(book, issued_at, write_unit_workbook) if len(units) >= stamp.FAST_FROM else None
    paths = []
    for unit in units:
        path = out_dir / workbook_filename(book, unit)
        if stamper is not None:
            stamper.write(unit, path)
        else:
            write_unit_workbook(book, unit, path, issued_at=issued_at)
        paths.append(path)
        if progress:
            progress(unit)
    return paths


def is_number(value: object) -> bool:
    """A value written as a number (NaN and infinity, read from a damaged file, are written as text)."""
    if isinstance(value, float):
        return value - value == 0
    return isinstance(value, int | Decimal) and not isinstance(value, bool) and value - value == 0


def _explanation_needed(c: Criterion, value: object) -> bool:
    if c.explain is ExplainRule.NEVER:
        return False
    if c.kind is Kind.DISQUALIFIER:
        return value == YES
    if c.kind in (Kind.BONUS, Kind.PENALTY):
        return is_number(value) and Decimal(str(value)) > 0
    if c.explain is ExplainRule.ALWAYS:
        return True
    return is_number(value) and Decimal(str(value)) < c.max_points


def row_invalid(c: Criterion, value: object, explanation: str, step: Decimal) -> bool:
    """Python twin of the sheet's check formula (for the cached value): True when the row needs fixing."""
    blank = value is None or value == ""
    if c.kind is Kind.DISQUALIFIER:
        if not blank and value not in (YES, NO):
            return True
    elif blank:
        if c.kind is Kind.SCORED:
            return True
    elif not is_number(value):
        return True
    else:
        d = Decimal(str(value))
        if d < 0 or d > c.max_points or d % step != 0:
            return True
    return _explanation_needed(c, value) and not explanation.strip()


def _check_formula(c: Criterion, r: str, step: Decimal) -> str:
    """Sheet formula for one row's hidden check cell: 1 when the row needs fixing, else 0."""
    d, e, m, s = f"{_SCORE}{r}", f"{_EXPLAIN}{r}", plain(c.max_points), plain(step)
    no_expl = f"LEN(TRIM({e}))=0"
    if c.kind is Kind.DISQUALIFIER:
        if c.explain is ExplainRule.NEVER:
            return f'=IF(OR({d}="",{d}="{YES}",{d}="{NO}"),0,1)'
        return f'=IF(OR({d}="",{d}="{YES}",{d}="{NO}"),IF(AND({d}="{YES}",{no_expl}),1,0),1)'
    bad_value = f"OR({d}<0,{d}>{m},ABS({d}/{s}-ROUND({d}/{s},0))>0.000001)"
    if c.explain is ExplainRule.NEVER:
        need = "FALSE"
    elif c.kind in (Kind.BONUS, Kind.PENALTY):
        need = f"{d}>0"
    elif c.explain is ExplainRule.ALWAYS:
        need = "TRUE"
    else:
        need = f"{d}<{m}"
    blank = "1" if c.kind is Kind.SCORED else "0"
    return f'=IF({d}="",{blank},IF(NOT(ISNUMBER({d})),1,IF({bad_value},1,IF(AND({need},{no_expl}),1,0))))'


def score_example(max_points: Decimal, step: Decimal) -> Decimal:
    """A score to show as an example: within 0…max and on the step, with a decimal part when the step has one
    (max 5, step 0,25 → 4,75; max 10, step 1 → 9)."""
    return max_points - step if max_points >= step else max_points


def _input_message(c: Criterion, step: Decimal) -> tuple[str, str]:
    m, s = plain(c.max_points).replace(".", ","), plain(step).replace(".", ",")
    if c.kind is Kind.DISQUALIFIER:
        return "Điểm liệt", "Chọn Có nếu đơn vị thuộc trường hợp này, để trống hoặc Không nếu không."
    if c.kind is Kind.BONUS:
        return "Điểm thưởng", f"Nhập số điểm thưởng đề nghị, từ 0 đến {m}, bước {s}. Để trống nếu không có."
    if c.kind is Kind.PENALTY:
        return "Điểm trừ", f"Nhập số điểm bị trừ (số dương), từ 0 đến {m}, bước {s}. Để trống nếu không bị trừ."
    example = plain(score_example(c.max_points, step)).replace(".", ",")
    return "Điểm tự chấm", f"Nhập điểm từ 0 đến {m}, bước {s} (ví dụ {example})."


def write_unit_workbook(
    book: Book,
    unit: Unit,
    path: Path,
    issued_at: datetime,
    entries: Mapping[str, Entry] | None = None,
    marks: Iterable[Mark] = (),
    extra_sheet: Callable[[object, dict[str, object]], None] | None = None,
    delegates: Iterable[tuple] = (),
) -> Path:
    """Write one unit's self-scoring workbook, optionally pre-filled with `entries` (code → value, text).

    `delegates` pre-fills the sheet `Đăng ký đại biểu` with (name, title, phone, note) tuples.

    `marks` highlight cells with a comment; `extra_sheet(workbook, formats)` may add a first sheet
    (annotated returns add `Phiếu trả lại`). The file is written to a temp name and renamed.
    """
    import xlsxwriter

    entries = entries or {}
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "in_memory": True},
        )
        from ttdk_xl.forms.xlsx_quick import QuickFormulaSheet  # lazy: it brings in xlsxwriter

        wb.worksheet_class = QuickFormulaSheet  # same file, without re-parsing every formula
        wb.set_properties(
            {
                "title": f"Bảng tự chấm điểm thi đua năm {book.year} - {unit.name}",
                "author": "ttdk-xl",
                "company": book.cluster_name,
                "created": issued_at,
            }
        )
        fmt = sheet_formats(wb)
        if extra_sheet:
            extra_sheet(wb, fmt)
        ws = wb.add_worksheet(SCORE_SHEET)
        write_score_sheet(wb, ws, fmt, book, unit, entries, marks)

        write_delegate_sheet(wb, fmt, book, unit, list(delegates))
        write_guide_sheet(wb.add_worksheet(GUIDE_SHEET), fmt, book)
        write_meta_sheet(wb.add_worksheet(META_SHEET), book, unit, issued_at)
        if not extra_sheet:
            ws.activate()
        wb.close()
    return path


def sheet_formats(wb) -> dict[str, object]:
    """The cell formats of a unit workbook by role ('header', 'input', 'total_num'…), added to `wb`; the
    delegate sheet and outputs.return_stamp's recording use the same ones."""
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}

    def f(**kw):
        return wb.add_format({**base, **kw})

    border = {"border": 1}
    return {
        "title": f(bold=True, font_size=14, align="center"),
        "subtitle": f(italic=True, align="center"),
        "label": f(bold=True),
        "text": f(),
        "status": f(bold=True, font_color="#9C0006"),
        "header": f(bold=True, align="center", text_wrap=True, bg_color="#D9E1F2", **border),
        "group_code": f(bold=True, bg_color="#F2F2F2", **border),
        "group_text": f(bold=True, text_wrap=True, bg_color="#F2F2F2", **border),
        "group_num": f(bold=True, bg_color="#F2F2F2", align="center", num_format="General", **border),
        "code": f(align="center", **border),
        "wrap": f(text_wrap=True, **border),
        "num": f(align="center", num_format="General", **border),
        "input": f(align="center", num_format="General", locked=False, bg_color="#FFFFF0", **border),
        "input_text": f(text_wrap=True, locked=False, bg_color="#FFFFF0", **border),
        "sum_label": f(bold=True, **border),
        "sum_num": f(bold=True, align="center", num_format="General", **border),
        "total_label": f(bold=True, font_size=13, bg_color="#D9E1F2", **border),
        "total_num": f(bold=True, font_size=13, align="center", bg_color="#D9E1F2", num_format="General", **border),
        "bad": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "guide_title": f(bold=True, font_size=14, text_wrap=True),
        "guide": f(text_wrap=True, valign="top"),
        "sign": f(bold=True, align="center"),
        "sign_note": f(italic=True, align="center"),
        "guidance": f(italic=True, font_size=11, text_wrap=True, **border),
        "review": wb.add_format({"bg_color": "#FCD5B4", "font_color": "#833C0B"}),
    }


# Widths of the score table's columns A…F; characters per line of wrapped text in B (bold and regular Times
# New Roman 12), C (italic 11) and F.
_WIDTHS = {COL_CODE: 8, COL_TEXT: 44, COL_GUIDE: 40, COL_MAX: 9, COL_SCORE: 10, COL_EXPLAIN: 36}
_PER_LINE_TEXT_BOLD, _PER_LINE_TEXT, _PER_LINE_GUIDE, _PER_LINE_EXPLAIN = 45, 50, 52, 40


def row_height(text: str, explanation: str, bold: bool = False, guidance: str = "") -> float:
    """Row height for wrapped text: Excel and LibreOffice do not grow rows of generated files on open."""
    lines = max(
        1,
        -(-len(text) // (_PER_LINE_TEXT_BOLD if bold else _PER_LINE_TEXT)),
        -(-len(guidance) // _PER_LINE_GUIDE),
        -(-len(explanation) // _PER_LINE_EXPLAIN),
    )
    return 16.5 * lines


def leaf_row_height(c: Criterion, explanation: str) -> float:
    """Height of a criterion's row that holds `explanation` (outputs.return_stamp computes it the same way)."""
    return row_height(c.text, explanation, guidance=c.guidance)


def cell_value(value: object) -> object:
    """Cell value for xlsxwriter: Decimals as floats (on the step, so exact), text as text."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_score_sheet(wb, ws, fmt, book: Book, unit: Unit, entries: Mapping[str, Entry], marks) -> None:
    """Write the score sheet `Tự chấm điểm` of `unit` into `ws`: the criteria, the cells the unit fills in
    (pre-filled with `entries`), the check formulas with their cached values, the totals, and a comment on
    each of `marks` (a return's findings)."""
    step = book.step
    for col, width in _WIDTHS.items():
        ws.set_column(col, col, width)
    ws.set_column(COL_CHECK, COL_CHECK, None, None, {"hidden": True})
    right = col_letter(COL_EXPLAIN)

    ws.merge_range(f"A1:{right}1", f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {book.year}", fmt["title"])
    ws.merge_range(f"A2:{right}2", f"{book.cluster_name} - {book.parent_body}", fmt["subtitle"])
    ws.write_string("A4", UNIT_LABEL, fmt["label"])
    ws.write_string("B4", unit.name, fmt["label"])
    ws.write_string("A5", "Hạn nộp:", fmt["label"])
    ws.write_string("B5", f"{book.deadline} (gửi về {book.head_unit})", fmt["text"])
    ws.write_string("A6", "Kiểm tra:", fmt["label"])

    first = SCORE_HEADER_ROW + 1  # row of the first criterion
    ws.set_row(SCORE_HEADER_ROW, 32)
    for col, name in enumerate(HEADERS):
        ws.write_string(SCORE_HEADER_ROW, col, name, fmt["header"])
    ws.write_string(SCORE_HEADER_ROW, COL_CHECK, "Kiểm tra", fmt["header"])

    row_of = {c.code: first + i for i, c in enumerate(book.criteria)}
    values: dict[str, object] = {}  # cached value of every score cell (numbers only count in sums)
    bad_rows = 0
    # Leaves first, so groups can cache the sums of their children.
    for c in book.criteria:
        if c.is_group:
            continue
        r = row_of[c.code]
        value, expl = entries.get(c.code, (None, ""))
        value = cell_value(value)
        values[c.code] = value
        ws.write_string(r, COL_CODE, c.code, fmt["code"])
        ws.write_string(r, COL_TEXT, c.text, fmt["wrap"])
        if c.guidance:
            ws.write_string(r, COL_GUIDE, c.guidance, fmt["guidance"])
        else:
            ws.write_blank(r, COL_GUIDE, None, fmt["guidance"])
        ws.set_row(r, leaf_row_height(c, expl or ""))
        if c.kind is Kind.DISQUALIFIER:
            ws.write_string(r, COL_MAX, "Điểm liệt", fmt["num"])
        else:
            ws.write_number(r, COL_MAX, float(c.max_points), fmt["num"])
        if value is None or value == "":
            ws.write_blank(r, COL_SCORE, None, fmt["input"])
        elif is_number(value):
            ws.write_number(r, COL_SCORE, value, fmt["input"])
        else:
            ws.write_string(r, COL_SCORE, str(value), fmt["input"])
        if expl:
            ws.write_string(r, COL_EXPLAIN, expl, fmt["input_text"])
        else:
            ws.write_blank(r, COL_EXPLAIN, None, fmt["input_text"])
        invalid = row_invalid(c, value, expl or "", step)
        bad_rows += invalid
        ws.write_formula(r, COL_CHECK, _check_formula(c, str(r + 1), step), fmt["num"], int(invalid))
        title, message = _input_message(c, step)
        if c.kind is Kind.DISQUALIFIER:
            ws.data_validation(
                r,
                COL_SCORE,
                r,
                COL_SCORE,
                {"validate": "list", "source": [YES, NO], "input_title": title, "input_message": message},
            )
        else:
            m, s = plain(c.max_points), plain(step)
            d = f"{_SCORE}{r + 1}"
            ws.data_validation(
                r,
                COL_SCORE,
                r,
                COL_SCORE,
                {
                    "validate": "custom",
                    "value": f"=AND(ISNUMBER({d}),{d}>=0,{d}<={m},ABS({d}/{s}-ROUND({d}/{s},0))<0.000001)",
                    "ignore_blank": True,
                    "input_title": title,
                    "input_message": message,
                    "error_title": "Điểm không hợp lệ",
                    "error_message": f"Điểm phải là số từ 0 đến {m.replace('.', ',')}, bước {s.replace('.', ',')}.",
                },
            )

    # Groups, deepest first so that a parent's cached sum sees its child groups' sums.
    for c in sorted((c for c in book.criteria if c.is_group), key=lambda c: -c.depth):
        r = row_of[c.code]
        kids = book.children(c.code)
        total = sum((Decimal(str(values[k.code])) for k in kids if is_number(values.get(k.code))), Decimal(0))
        values[c.code] = total
        refs = ",".join(f"{_SCORE}{row_of[k.code] + 1}" for k in kids)
        ws.write_string(r, COL_CODE, c.code, fmt["group_code"])
        ws.write_string(r, COL_TEXT, c.text, fmt["group_text"])
        if c.guidance:
            ws.write_string(r, COL_GUIDE, c.guidance, fmt["group_text"])
        else:
            ws.write_blank(r, COL_GUIDE, None, fmt["group_text"])
        ws.set_row(r, row_height(c.text, "", bold=True, guidance=c.guidance))
        ws.write_number(r, COL_MAX, float(c.max_points), fmt["group_num"])
        ws.write_formula(r, COL_SCORE, f"=SUM({refs})", fmt["group_num"], float(total))
        ws.write_blank(r, COL_EXPLAIN, None, fmt["group_text"])
        ws.write_number(r, COL_CHECK, 0, fmt["num"])

    last = first + len(book.criteria) - 1
    # Summary rows: sums by kind over the leaves, bonus capped, then the total.
    r = last + 2
    sums: dict[Kind, Decimal] = {}
    for label, kind in ((SUM_SCORED, Kind.SCORED), (SUM_BONUS, Kind.BONUS), (SUM_PENALTY, Kind.PENALTY)):
        leaves = [c for c in book.leaves if c.kind is kind]
        subtotal = sum((Decimal(str(values[c.code])) for c in leaves if is_number(values[c.code])), Decimal(0))
        refs = ",".join(f"{_SCORE}{row_of[c.code] + 1}" for c in leaves) or "0"
        formula = f"=SUM({refs})"
        if kind is Kind.BONUS:
            subtotal = min(subtotal, book.bonus_cap)
            formula = f"=MIN(SUM({refs}),{plain(book.bonus_cap)})"
            label = f"{label} (tối đa {plain(book.bonus_cap).replace('.', ',')})"
        sums[kind] = subtotal
        ws.write_string(r, COL_TEXT, label, fmt["sum_label"])
        ws.write_formula(r, COL_SCORE, formula, fmt["sum_num"], float(subtotal))
        r += 1
    total = sums[Kind.SCORED] + sums[Kind.BONUS] - sums[Kind.PENALTY]
    ws.write_string(r, COL_TEXT, SUM_TOTAL, fmt["total_label"])
    ws.write_formula(r, COL_SCORE, f"={_SCORE}{r - 2}+{_SCORE}{r - 1}-{_SCORE}{r}", fmt["total_num"], float(total))
    total_row = r

    # Status line counts the rows still to fix.
    bad = f"SUM({_CHECK}{first + 1}:{_CHECK}{last + 1})"
    status = f'=IF({bad}=0,"Đã điền đủ, hợp lệ","Còn "&{bad}&" ô chưa hợp lệ")'
    cached = "Đã điền đủ, hợp lệ" if bad_rows == 0 else f"Còn {bad_rows} ô chưa hợp lệ"
    ws.write_formula("B6", status, fmt["status"], cached)
    ws.conditional_format(
        f"{_SCORE}{first + 1}:{_EXPLAIN}{last + 1}",
        {"type": "formula", "criteria": f"=${_CHECK}{first + 1}=1", "format": fmt["bad"]},
    )

    # Signature block.
    sign = total_row + 3
    ws.write_string(sign, COL_TEXT, "NGƯỜI LẬP BIỂU", fmt["sign"])
    ws.merge_range(sign, COL_SCORE, sign, COL_EXPLAIN, "THỦ TRƯỞNG ĐƠN VỊ", fmt["sign"])
    ws.write_string(sign + 1, COL_TEXT, "(Ký, ghi rõ họ tên)", fmt["sign_note"])
    ws.merge_range(sign + 1, COL_SCORE, sign + 1, COL_EXPLAIN, "(Ký tên, đóng dấu)", fmt["sign_note"])

    for mark in marks:
        ws.write_comment(mark.cell, mark.comment, {"x_scale": 2, "y_scale": 2, "author": "ttdk-xl"})
        ws.conditional_format(mark.cell, {"type": "no_errors", "format": fmt[mark.style]})

    ws.freeze_panes(SCORE_HEADER_ROW + 1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})
    ws.set_paper(9)  # A4
    ws.set_landscape()  # the six columns at a readable size
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(SCORE_HEADER_ROW)
    ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    ws.print_area(0, 0, sign + 1, COL_EXPLAIN)
    ws.set_footer("&CTrang &P/&N")


def _guide_example(step: Decimal) -> str:
    """'7 hoặc 7,5' for a step of 0,25 or 0,5; '7' for 1; '6' for 2: scores on the step."""
    whole = (Decimal(7) / step).to_integral_value() * step
    if step >= 1:
        return plain(whole).replace(".", ",")
    half = Decimal("0.5")
    other = whole + (half if half % step == 0 else step)
    return f"{plain(whole)} hoặc {plain(other)}".replace(".", ",")


def write_guide_sheet(ws, fmt, book: Book) -> None:
    """Write the `Hướng dẫn` sheet (how to fill in the workbook) into `ws`: one column as wide as an A4 page,
    each text wrapped in it, each row as tall as its lines (no program grows them on opening)."""
    ws.set_column("A:A", GUIDE_WIDTH)
    cap = plain(book.bonus_cap).replace(".", ",")
    step = plain(book.step).replace(".", ",")
    example = _guide_example(book.step)
    lines = [
        ("guide_title", f"HƯỚNG DẪN ĐIỀN BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {book.year}"),
        ("guide", f"{book.cluster_name} - {book.parent_body}. Hạn nộp: {book.deadline}, gửi về {book.head_unit}."),
        ("guide", ""),
        ("label", "1. Điền điểm"),
        ("guide", f'- Chỉ điền vào các ô nền vàng nhạt ở cột "{H_SCORE}" và cột "{H_EXPLAIN}".'),
        ("guide", f'- Cột "{H_GUIDE}" ghi cách chấm điểm từng tiêu chí theo bộ tiêu chí của Cụm; đọc trước khi chấm.'),
        ("guide", f"- Điểm là số, từ 0 đến điểm tối đa của tiêu chí, theo bước {step} (ví dụ {example})."),
        (
            "guide",
            "- Dòng điểm thưởng: ghi số điểm đề nghị thưởng, để trống nếu không có. "
            f"Tổng điểm thưởng được tính tối đa {cap} điểm.",
        ),
        ("guide", "- Dòng điểm trừ: ghi số điểm bị trừ bằng số dương (ví dụ 2), để trống nếu không bị trừ."),
        ("guide", "- Dòng điểm liệt: chọn Có nếu đơn vị thuộc trường hợp đó; để trống hoặc chọn Không nếu không."),
        (
            "guide",
            "- Tiêu chí chưa đạt điểm tối đa, điểm thưởng, điểm trừ và điểm liệt phải ghi rõ giải trình, "
            "minh chứng (số văn bản, số liệu).",
        ),
        ("guide", "- Các dòng nhóm và dòng tổng tự cộng, không cần nhập."),
        ("guide", ""),
        ("label", "2. Tự kiểm tra"),
        ("guide", '- Dòng "Kiểm tra" ở đầu bảng cho biết còn bao nhiêu ô chưa hợp lệ; ô chưa hợp lệ có nền đỏ.'),
        ("guide", '- Gửi bảng khi dòng kiểm tra báo "Đã điền đủ, hợp lệ".'),
        ("guide", ""),
        ("label", "3. Gửi lại"),
        (
            "guide",
            "- Lưu tệp dạng Excel (.xlsx). Có thể đổi tên tệp, nhưng không thêm, xóa, sửa nội dung hay "
            "điểm tối đa của các tiêu chí, không xóa hoặc đổi tên các trang tính.",
        ),
        ("guide", f"- Gửi tệp qua thư điện tử về {book.head_unit} trước ngày {book.deadline}."),
        ("guide", "- Nếu tệp bị trả lại, sửa theo phiếu trả lại rồi gửi lại tệp đã sửa."),
        ("guide", ""),
        ("label", "4. Đăng ký đại biểu dự Hội nghị"),
        (
            "guide",
            f"- Ở trang 'Đăng ký đại biểu', ghi họ và tên, chức vụ, số điện thoại của tối đa {book.seats_per_unit} "
            "đại biểu, mỗi người một dòng; gửi cùng tệp này (có thể gửi trước khi điền xong điểm).",
        ),
    ]
    for i, (style, text) in enumerate(lines):
        size, bold = (14, True) if style == "guide_title" else (12, style == "label")
        lines_of = text_lines(text, GUIDE_WIDTH, size, bold)
        if lines_of > 1 or style == "guide_title":
            ws.set_row(i, fit_height(lines_of, size))
        ws.write_string(i, 0, text, fmt[style])
    ws.protect("")
    ws.set_paper(9)
    ws.set_portrait()
    ws.set_margins(left=0.6, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)


def write_meta_sheet(ws, book: Book, unit: Unit, issued_at: datetime) -> None:
    """Write the hidden `_meta` sheet into `ws`: which book, unit and template made the file (META_KEYS)."""
    values = {
        "format_version": FORMAT_VERSION,
        "tool": f"ttdk-xl {__version__}",
        "cluster": book.cluster_name,
        "year": str(book.year),
        "unit_code": unit.code,
        "unit_name": unit.name,
        "fingerprint": book.fingerprint,
        "issued_at": issued_at.isoformat(timespec="seconds"),
        "sheet": SCORE_SHEET,
        "header_row": str(SCORE_HEADER_ROW + 1),  # the Excel row (1-based): a contract with files already sent
        # The rules the unit's own `ttdk-xl check` needs when it does not have the criteria book.
        "step": plain(book.step),
        "bonus_cap": plain(book.bonus_cap),
        "criteria": json.dumps(
            [[c.code, plain(c.max_points), c.kind.value, c.explain.value] for c in book.criteria],
            ensure_ascii=False,
            separators=(",", ":"),
        ),
    }
    for i, (key, value) in enumerate(values.items()):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    ws.hide()
    ws.protect("")


def cell_of(book: Book, code: str, column: int = COL_SCORE) -> str:
    """Template cell of a criterion's column (COL_SCORE, COL_EXPLAIN… of core.layout)."""
    index = [c.code for c in book.criteria].index(code)
    return cell_name(SCORE_HEADER_ROW + 1 + index, column)
