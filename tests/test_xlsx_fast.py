"""The fast worksheet (ttdk_xl.outputs.xlsx_fast) must write the very bytes plain xlsxwriter writes: every part of
the zip, in constant-memory mode (big runs) and in normal mode, for the summary and the delegate workbooks,
with text that needs escaping. (Its speed: benchmarks/.)"""

from __future__ import annotations

import random
import textwrap
import zipfile
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest
import xlsxwriter

import ttdk_xl
from tests.conftest import D, fill, full_entries, make_book
from ttdk_xl.core.models import Finding, Severity
from ttdk_xl.outputs import summary as write_xlsx
from ttdk_xl.outputs import xlsx_fast
from ttdk_xl.outputs.delegate_list import write_delegates
from ttdk_xl.outputs.xlsx_fast import wrapped_lines
from ttdk_xl.rules.delegates import NONE, REGISTERED, TOO_MANY, Delegate, DelegateList, UnitDelegates

# Text units type: spaces around, XML specials, control characters, Excel's own escape look-alikes,
# non-characters, line breaks, tabs, a string that looks like xlsxwriter's rich-string markup, Vietnamese.
TRICKY = (
    "  khoảng trắng đầu và cuối  ",
    'A & B <b>đậm</b> "trích" > 5',
    "Tiền & hàng",
    "điểm > 5",
    "ký tự điều khiển \x01\x07\x1f giữa câu",
    "_x0041_ và _x005F_ đã giống mã thoát",
    "không phải ký tự \ufffe \uffff",
    "dòng một\ndòng hai\r\nba\tcột",
    "<r>trông như chuỗi định dạng</r>",
    "Giải trình: hoàn thành 100% chỉ tiêu; tổ chức 12 hội nghị chuyên đề, phát động phong trào thi đua "
    "“Dân vận khéo”, khen thưởng kịp thời 35 tập thể và 120 cá nhân có thành tích xuất sắc - đột xuất",
    "",
    " ",
    "\x0b",
)


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def assert_same_parts(fast, plain, skip=()) -> None:
    a, b = parts(fast), parts(plain)
    assert list(a) == list(b)
    for name in a:
        if name not in skip:
            assert a[name] == b[name], name


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """A consolidated result, widened to 40 units whose texts and numbers need care."""
    tmp = tmp_path_factory.mktemp("fast")
    book = make_book(units=3)
    inbox = tmp / "hop_thu"
    inbox.mkdir()
    for i in range(3):
        entries = full_entries(book, I_2=(D("37.5"), "thiếu một nội dung"), II_1=(D(20), "Tổ chức 12 hội nghị"))
        fill(book, i, inbox / f"U{i}.xlsx", entries)
    base = ttdk_xl.consolidate(inbox, book=book, out=tmp / "out", workers=1)
    totals = (D("87.5"), D(0), D("-3.25"), None, D("100"), D("0.1"))
    units = []
    for i in range(40):
        u = base.units[i % len(base.units)]
        text = TRICKY[i % len(TRICKY)]
        units.append(
            replace(
                u,
                unit=replace(u.unit, code=f"{u.unit.code}.{i}", name=f"{u.unit.name} {text}"),
                note=text,
                total=totals[i % len(totals)],
                rank=None if i % 7 == 3 else i + 1,
                tied=i % 5 == 1,
                acclaim=("Nhất", "Nhì", "Ba", "")[i % 4],
                explanations={code: f"{text} {code}" for code in u.scores},
            )
        )
    findings = tuple(
        Finding("score-above-max", Severity.ERROR, f"tệp {t}.xlsx", t, f"Sửa: {t}", "Tự chấm điểm", "D12", "U1", t)
        for t in TRICKY
    )
    sources = tuple(replace(s, note=TRICKY[i % len(TRICKY)]) for i, s in enumerate(base.sources))
    return replace(base, units=tuple(units), findings=base.findings + findings, sources=sources)


@pytest.mark.parametrize("constant_memory", [True, False])
@pytest.mark.parametrize("by_unit", [True, False])
def test_summary_workbook_is_the_bytes_of_plain_xlsxwriter(result, tmp_path, monkeypatch, constant_memory, by_unit):
    monkeypatch.setattr(write_xlsx, "CONSTANT_MEMORY_UNITS", 0 if constant_memory else 10**9)
    monkeypatch.setattr(write_xlsx, "MATRIX_MAX_UNITS", 5 if by_unit else 10**9)
    monkeypatch.setattr(write_xlsx, "CHART_MAX_UNITS", 12)
    monkeypatch.setattr(xlsx_fast, "FAST_FROM", 1)  # the fast sheets, as for a province
    write_xlsx.write_summary(result, tmp_path / "fast.xlsx")
    monkeypatch.setattr(xlsx_fast, "ENABLED", False)
    write_xlsx.write_summary(result, tmp_path / "plain.xlsx")
    assert_same_parts(tmp_path / "fast.xlsx", tmp_path / "plain.xlsx")
    with zipfile.ZipFile(tmp_path / "fast.xlsx") as z:  # the texts really went through the escapes
        sheets = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/"))
    assert b"_x0001_" in sheets and b"_x005F_x0041_" in sheets and b"&amp; B &lt;b&gt;" in sheets
    assert "Tiền &amp; hàng".encode() in sheets
    assert b'xml:space="preserve"' in sheets


def test_delegate_workbook_is_the_bytes_of_plain_xlsxwriter(tmp_path, monkeypatch):
    book = make_book(units=4)
    units = []
    for i, unit in enumerate(book.units):
        people = tuple(
            Delegate(unit.code, unit.name, f"Người {k} {TRICKY[(i + k) % len(TRICKY)]}", TRICKY[k % len(TRICKY)],
                     "0912 000 101" if k % 2 else "091 200", TRICKY[(i * k) % len(TRICKY)], f"U{i}.xlsx", 9 + k,
                     phone_ok=bool(k % 2))
            for k in range(i * 2)
        )  # fmt: skip
        status = (NONE, REGISTERED, REGISTERED, TOO_MANY)[i]
        units.append(UnitDelegates(unit, status, people, f"U{i}.xlsx" if people else ""))
    findings = tuple(Finding("delegates-none", Severity.WARNING, f"{t}.xlsx", t, t, "Đăng ký", "B9") for t in TRICKY)
    dl = DelegateList(book, tuple(units), findings)
    monkeypatch.setattr(xlsx_fast, "FAST_FROM", 1)  # the fast sheets, as for a province
    write_delegates(dl, tmp_path / "fast.xlsx")
    monkeypatch.setattr(xlsx_fast, "ENABLED", False)
    write_delegates(dl, tmp_path / "plain.xlsx")
    # docProps/core.xml holds the time of writing (dai_bieu.xlsx does not set a fixed one).
    assert_same_parts(tmp_path / "fast.xlsx", tmp_path / "plain.xlsx", skip={"docProps/core.xml"})


@pytest.mark.parametrize("constant_memory", [True, False])
def test_every_kind_of_cell_and_write_order(tmp_path, constant_memory):
    """Cells through put_row and the write_* methods, mixed, overwritten, out of order, with row and column
    formats, formulas, merged ranges, skipped and rejected rows: FastSheet against xlsxwriter's Worksheet."""

    def write(name, sheet_class):
        path = tmp_path / name
        options = {"constant_memory": constant_memory, "strings_to_formulas": False, "nan_inf_to_errors": True}
        wb = xlsxwriter.Workbook(str(path), options)
        wb.set_properties({"created": datetime(2025, 12, 31)})
        ws = wb.add_worksheet("Thử", worksheet_class=sheet_class)
        fmts = [wb.add_format({"bold": i % 2 == 0, "font_size": 9 + i, "num_format": "0.00" if i % 3 else ""})
                for i in range(6)]  # fmt: skip
        ws.set_column(3, 3, 12, fmts[5])
        numbers = (
            87.5,
            0.0,
            -0.0,
            -3,
            7,
            1e20,
            2**53 + 1,
            0.1 + 0.2,
            1 / 3,
            float("inf"),
            float("nan"),
            True,
            D("2.5"),
        )
        rng = random.Random(7)
        for r in range(0, 90):
            if r % 11 == 10:
                continue  # a skipped row
            if r % 6 == 0:
                ws.set_row(r, 15 + r % 4 * 7.5, fmts[r % 6] if r % 12 == 0 else None)
            cells = []
            for c in rng.sample(range(8), 6):
                kind = rng.randrange(4)
                value = (TRICKY[rng.randrange(len(TRICKY))], numbers[rng.randrange(len(numbers))], None, "ô")[kind]
                cells.append((c, value, fmts[rng.randrange(6)] if rng.random() < 0.85 else None))
            if r % 9 == 4:
                ws.write_string(r, 7, "trước", fmts[1])  # then overwritten by put_row or not
            ws.put_row(r, cells)
            if r % 8 == 5:
                ws.write_number(r, cells[0][0], 42.25, fmts[2])  # overwrites a put_row cell
                ws.write_blank(r, 9, None, fmts[3])
                ws.write_formula(r, 10, "=SUM(A1:B2)", fmts[4], 3)
            if r % 13 == 7:
                ws.merge_range(r, 11, r, 13, "Gộp ô & <b>", fmts[0])
            if r % 10 == 3:
                ws.put_row(r - 2, [(0, "quá muộn", fmts[0])])  # an already written row: ignored
        ws.write_string(95, 0, "x" * 20_000, fmts[0])  # truncated by xlsxwriter
        ws.put_row(96, [(0, "y" * 17_000, fmts[1]), (1, -float("inf"), fmts[1])])
        wb.close()
        return path

    fast = write("fast.xlsx", xlsx_fast.FastSheet)
    plain = write("plain.xlsx", xlsx_fast.RowSheet)
    assert_same_parts(fast, plain)


def test_row_heights_count_the_lines_textwrap_makes():
    rng = random.Random(3)
    pieces = ["a", "ă", "Đông", " ", "  ", "-", "--", "\t", "\xa0", "xxxxxxx", ".", "!", "1", "—", "_", "Sơn-Hà"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(40)))
        width = rng.randrange(1, 14)
        assert wrapped_lines(text, width) == len(textwrap.wrap(text, width, break_long_words=True)), (text, width)
    for _ in range(20_000):  # words and single spaces: the bisection path
        text = " ".join("".join(rng.choice("aăbĐơ") for _ in range(rng.randrange(1, 9))) for _ in range(12))
        width = rng.randrange(1, 16)
        assert wrapped_lines(text, width) == len(textwrap.wrap(text, width, break_long_words=True)), (text, width)


def test_decimal_totals_are_not_mistaken_for_equal_floats(tmp_path):
    """A number cache keyed by value must not print Decimal('2.50') like 2.5, nor -0.0 like 0.0."""
    path = tmp_path / "n.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    xlsx_fast.use_fast_sheets(wb, xlsx_fast.FAST_FROM)
    ws = wb.add_worksheet()
    fmt = wb.add_format({"bold": True})
    ws.put_row(0, [(0, 2.5, fmt), (1, 0.0, fmt)])
    ws.write_number(1, 0, Decimal("2.50"), fmt)
    ws.put_row(1, [(1, -0.0, fmt)])
    wb.close()
    sheet = parts(path)["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="A1" s="1"><v>2.5</v></c>' in sheet and '<c r="A2" s="1"><v>2.50</v></c>' in sheet
    assert '<c r="B2" s="1"><v>-0</v></c>' in sheet and '<c r="B1" s="1"><v>0</v></c>' in sheet


@pytest.mark.parametrize("constant_memory", [True, False])
def test_put_rows_is_set_row_and_put_row(tmp_path, constant_memory):
    """put_rows (rows as XML templates) against set_row + put_row per row on xlsxwriter's own worksheet: heights,
    formats shared, new, unnumbered yet or None, every kind of value, rows already holding cells or options,
    writes after a batch (the last row stays open) and between batches."""

    def write(name, sheet_class):
        path = tmp_path / name
        options = {"constant_memory": constant_memory, "strings_to_formulas": False, "nan_inf_to_errors": True}
        wb = xlsxwriter.Workbook(str(path), options)
        wb.set_properties({"created": datetime(2025, 12, 31)})
        ws = wb.add_worksheet("Thử", worksheet_class=sheet_class)
        fmts = [wb.add_format({"bold": i % 2 == 0, "font_size": 9 + i, "num_format": "0.00" if i % 3 else ""})
                for i in range(8)]  # fmt: skip
        twin = wb.add_format({"bold": True, "font_size": 9, "num_format": ""})  # fmts[0]'s key: numbered by it
        shapes = [tuple(fmts[j % 3] for j in range(5)), (fmts[3], fmts[4], twin), (fmts[5], None, fmts[6])]
        values = (*TRICKY, "x" * 17_000, 87.5, 0.0, -0.0, 0, -3, 2**53 + 1, 1 / 3, 1e20, None, None, "", "Có")
        odd = (float("inf"), float("nan"), True, D("2.50"), D("-0"))
        rng = random.Random(11)

        def rows(n, seed):
            rng.seed(seed)
            for i in range(n):
                formats = shapes[rng.randrange(3)] if i % 17 else tuple(fmts[7] for _ in range(4))  # fmts[7]: new
                cells = [values[rng.randrange(len(values))] for _ in formats]
                if i % 23 == 5:
                    cells[0] = odd[i % len(odd)]
                if i % 29 == 7:
                    cells.append("thừa")  # more values than formats: zip drops it
                height = (None, 0, 20, 30.5, 409, 0.1, 15)[rng.randrange(7)]
                yield height, formats, tuple(cells)

        ws.write_string(0, 0, "đầu", fmts[0])
        ws.set_row(3, 40)  # a row with options, then cells from put_rows
        assert ws.put_rows(0, rows(60, 1)) == 59  # the first row already holds a cell
        ws.write_string(59, 6, "sau", fmts[1])  # the last row of a batch stays open
        ws.write_string(40, 6, "muộn", fmts[1])  # ignored in constant-memory mode
        ws.set_row(70, 25)
        ws.write_number(65, 2, 7, fmts[2])
        assert ws.put_rows(65, rows(80, 2)) == 144
        assert ws.put_rows(145, iter(())) == 144
        assert ws.put_rows(200, [(None, (fmts[0],), ("một",))]) == 200
        ws.put_rows(300, rows(30, 3))
        wb.close()
        return path

    fast = write("fast.xlsx", xlsx_fast.FastSheet)
    plain = write("plain.xlsx", xlsx_fast.RowSheet)
    assert_same_parts(fast, plain)
    sheet = parts(fast)["xl/worksheets/sheet1.xml"].decode()
    assert 'ht="30.75" customHeight="1"' in sheet and "<v>-0</v>" in sheet
    if constant_memory:  # inline strings
        assert "_x005F_x0041_" in sheet and "Có" in sheet
