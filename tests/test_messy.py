"""Messy and hostile inboxes (issue 5): each case gives its exact finding; nothing else is lost."""

from __future__ import annotations

import hashlib
import shutil
import unicodedata
import zipfile
from datetime import datetime

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import ttdk_xl
from tests.conftest import D, fill, full_entries, needs_soffice, resave_with_libreoffice
from ttdk_xl.core.layout import META_SHEET, SCORE_SHEET
from ttdk_xl.core.models import Severity, SourceState, Status
from ttdk_xl.inbox.read import read_file
from ttdk_xl.outputs.returns import RETURN_SHEET
from ttdk_xl.rules.checks import check_submission

E, W = Severity.ERROR, Severity.WARNING


def found(path, book, **kw):
    outcome = read_file(path, path.parent, **kw)
    out = list(outcome.findings)
    if outcome.raw is not None:
        out += check_submission(outcome.raw, book).findings
    return out


def edit(path, fn):
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def rezip(path, transform):
    """Rewrite a workbook's zip parts through transform(name, bytes) -> bytes."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, transform(item.filename, src.read(item.filename)))
    tmp.replace(path)
    return path


def test_renamed_word_file(tmp_path, book):
    path = tmp_path / "bao cao.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    [f] = found(path, book)
    assert f.code == "file-corrupt" and f.severity is E and "Word" in f.message


def test_xlsm_is_read_and_nothing_runs(tmp_path, book):
    path = fill(book, 0, tmp_path / "macro.xlsm")
    assert found(path, book) == []


def test_excel_error_value_names_the_cell(tmp_path, book):
    path = edit(fill(book, 0, tmp_path / "err.xlsx"), lambda wb: wb[SCORE_SHEET].__setitem__("E13", "#REF!"))
    assert ("excel-error", E, "E13") in {(f.code, f.severity, f.cell) for f in found(path, book)}


def test_deleted_row(tmp_path, book):
    path = edit(fill(book, 0, tmp_path / "del.xlsx"), lambda wb: wb[SCORE_SHEET].delete_rows(14))
    fs = found(path, book)
    assert [f.code for f in fs if f.severity is E] == ["row-removed"] and "II.2" in fs[0].message


def test_inserted_row(tmp_path, book):
    def insert(wb):
        ws = wb[SCORE_SHEET]
        ws.insert_rows(12)
        ws["A12"], ws["B12"], ws["D12"], ws["E12"] = "I.3", "Tiêu chí tự thêm", 5, 5

    fs = found(edit(fill(book, 0, tmp_path / "ins.xlsx"), insert), book)
    assert ("row-added", "A12") in {(f.code, f.cell) for f in fs}


def test_unit_total_overwritten(tmp_path, book):
    def overwrite(wb):
        ws = wb[SCORE_SHEET]
        row = next(c.row for c in ws["B"] if c.value == "TỔNG ĐIỂM")
        ws[f"E{row}"] = 120

    fs = found(edit(fill(book, 0, tmp_path / "tot.xlsx"), overwrite), book)
    [f] = [f for f in fs if f.code == "total-mismatch"]
    assert f.severity is W and "120" in f.message and "100" in f.message


def test_nfd_text_and_legacy_fonts(tmp_path, book):
    nfd = unicodedata.normalize("NFD", "Thiếu một kế hoạch")
    entries = full_entries(book, I_1=(D(18), nfd), I_2=(D(39), "Ch­a hoµn thµnh kÕ ho¹ch"))
    outcome = read_file(fill(book, 0, tmp_path / unicodedata.normalize("NFD", "Triệu Sơn.xlsx"), entries), tmp_path)
    sub = check_submission(outcome.raw, book)
    assert sub.explanations["I.1"] == "Thiếu một kế hoạch"
    assert outcome.info.file == "Triệu Sơn.xlsx"  # NFC, whatever the file system gave
    assert [(f.code, f.cell) for f in sub.findings] == [("legacy-encoding", "F11")]


def test_unit_name_typed_differently_without_meta(tmp_path, book):
    def mutate(wb):
        wb.remove(wb[META_SHEET])
        wb[SCORE_SHEET]["B4"] = unicodedata.normalize("NFD", "  huyện  NÔNG CỐNG ")

    outcome = read_file(edit(fill(book, 1, tmp_path / "nc.xlsx"), mutate), tmp_path)
    assert check_submission(outcome.raw, book).unit_code == "U2"


def test_entity_declarations_refused(tmp_path, book):
    def inject(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
        return data

    path = rezip(fill(book, 0, tmp_path / "ent.xlsx"), inject)
    assert [f.code for f in found(path, book)] == ["xml-entities"]

    def hide(name, data):  # the declaration behind a long comment, in a part other files share unchanged
        if name == "xl/styles.xml":
            return data.replace(b"?>", b"?><!--" + b" " * 5000 + b'--><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
        return data

    good = fill(book, 0, tmp_path / "ok.xlsx")
    assert "xml-entities" not in [f.code for f in found(good, book)]  # its parts are now known DTD-free
    hidden = tmp_path / "hidden.xlsx"
    hidden.write_bytes(good.read_bytes())
    assert [f.code for f in found(rezip(hidden, hide), book)] == ["xml-entities"]


def test_huge_sheet_refused_by_size_before_unpacking_and_limit_can_be_raised(tmp_path, book):
    path = tmp_path / "trieu dong.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            for r in range(1, 200_001):
                fh.write(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>'.encode())
    fs = found(path, book, max_bytes=1024 * 1024)
    assert [f.code for f in fs] == ["file-too-large"] and "--max-mb" in fs[0].fix
    assert "file-too-large" not in {f.code for f in found(path, book, max_bytes=200 * 1024 * 1024)}


HOSTILE = ['=HYPERLINK("http://x","bấm")', "+1+1", "-2+3", "@SUM(A1)"]


def test_hostile_text_stays_text_in_every_output(tmp_path, book):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, u in enumerate(book.units):
        entries = full_entries(book, I_1=(D(19), HOSTILE[i]))
        if i == 0:
            entries["I.2"] = ("=1+1", "")  # a formula-looking text score: an error, returned as text
        fill(book, i, inbox / f"{u.code}.xlsx", entries)
    out = tmp_path / "out"
    ttdk_xl.consolidate(inbox, book=book, out=out)
    for xlsx in [out / "tong_hop.xlsx", *sorted((out / "tra_lai").glob("*.xlsx"))]:
        with zipfile.ZipFile(xlsx) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    xml = zf.read(name).decode()
                    for text in HOSTILE[:3]:
                        assert f"<f>{text[1:]}" not in xml
    wb = CalamineWorkbook.from_path(str(out / "tong_hop.xlsx"))
    cells = {v for row in wb.get_sheet_by_name("Giải trình").to_python() for v in row}
    assert set(HOSTILE) <= cells


def test_mixed_inbox_every_good_unit_consolidated_inputs_unchanged_order_free(tmp_path, book):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    fill(book, 0, inbox / "tốt 1.xlsx")
    fill(book, 1, inbox / "tốt 2.xlsx", full_entries(book, I_1=(D(18), "thiếu")))
    fill(book, 2, inbox / "lỗi.xlsx", full_entries(book, I_1=(D(30), "")))
    (inbox / "hỏng.xlsx").write_bytes(b"PK\x03\x04\x00\x00")
    (inbox / "ảnh.jpg").write_bytes(b"\xff\xd8\xff")
    (inbox / "~$tốt 1.xlsx").write_bytes(b"x")
    (inbox / "rỗng.xls").write_bytes(b"")
    hashes = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}
    result = ttdk_xl.consolidate(inbox, book=book)
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()} == hashes
    status = {u.unit.code: u.status for u in result.units}
    assert status == {"U1": Status.VALID, "U2": Status.VALID, "U3": Status.INVALID, "U4": Status.MISSING}
    states = {s.file: s.state for s in result.sources}
    assert states["ảnh.jpg"] is SourceState.IGNORED and states["hỏng.xlsx"] is SourceState.REJECTED
    assert states["rỗng.xls"] is SourceState.REJECTED and states["~$tốt 1.xlsx"] is SourceState.IGNORED
    # Reversed copy order, other names: same result.
    other = tmp_path / "khac"
    other.mkdir()
    for i, p in enumerate(sorted(inbox.iterdir(), reverse=True)):
        shutil.copy2(p, other / (p.name if p.name.startswith("~$") else f"z{i}{p.suffix}"))
    again = ttdk_xl.consolidate(other, book=book)
    assert [(u.unit.code, u.status, u.rank, u.total) for u in again.units] == [
        (u.unit.code, u.status, u.rank, u.total) for u in result.units
    ]


def test_interrupted_write_leaves_previous_outputs(tmp_path, book, monkeypatch):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, u in enumerate(book.units):
        fill(book, i, inbox / f"{u.code}.xlsx")
    out = tmp_path / "out"
    ttdk_xl.consolidate(inbox, book=book, out=out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    fill(book, 0, inbox / "U1.xlsx", full_entries(book, I_1=(D(10), "giảm")))

    import xlsxwriter

    def crash(self):
        raise KeyboardInterrupt("killed mid-write")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", crash)
    with pytest.raises(KeyboardInterrupt):
        ttdk_xl.consolidate(inbox, book=book, out=out)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert after == before


def test_annotated_return_prefilled_marked_and_passes_when_fixed(tmp_path, book):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, u in enumerate(book.units):
        fill(book, i, inbox / f"{u.code}.xlsx")
    entries = full_entries(book, I_1=(D(25), "đủ"), II_1=(D(20), ""))
    entries["II.2"] = ("mười", "")
    fill(book, 1, inbox / "U2.xlsx", entries)
    out = tmp_path / "out"
    result = ttdk_xl.consolidate(inbox, book=book, out=out)
    assert next(u for u in result.units if u.unit.code == "U2").status is Status.INVALID
    [ret] = sorted((out / "tra_lai").glob("*.xlsx"))
    assert ret.name == "2025_U2_UBND huyện Nông Cống - trả lại.xlsx"
    wb = openpyxl.load_workbook(ret)
    assert wb.sheetnames[0] == RETURN_SHEET
    slip = [[c for c in row if c is not None] for row in wb[RETURN_SHEET].iter_rows(values_only=True)]
    assert any("E10" in row for row in slip) and any("F13" in row for row in slip)
    ws = wb[SCORE_SHEET]
    assert ws["E10"].value == 25 and ws["E14"].value == "mười"  # what the unit typed, kept
    assert ws["E10"].comment is not None and "vượt điểm tối đa" in ws["E10"].comment.text
    assert ws["F13"].comment is not None  # explanation missing for II.1 below max
    assert ws.protection.sheet
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows()}
    assert meta["fingerprint"] == book.fingerprint and meta["unit_code"] == "U2"

    # The unit fixes the cells in its office suite (simulated with openpyxl) and sends the file back.
    fixed = inbox / "U2 đã sửa.xlsx"
    shutil.copyfile(ret, fixed)

    def fix(wb):
        ws = wb[SCORE_SHEET]
        ws["E10"], ws["E14"], ws["F13"] = 20, 15, "Thu đạt 96% dự toán"

    edit(fixed, fix)
    (inbox / "U2.xlsx").unlink()
    again = ttdk_xl.consolidate(inbox, book=book, out=out)
    u2 = next(u for u in again.units if u.unit.code == "U2")
    assert u2.status is Status.VALID and u2.total == 95
    assert not list((out / "tra_lai").glob("*U2*"))  # the stale return is removed


@needs_soffice
def test_return_resaved_by_libreoffice_still_recognised(tmp_path, book):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    fill(book, 0, inbox / "U1.xlsx", full_entries(book, I_1=(D(25), "")))
    out = tmp_path / "out"
    ttdk_xl.consolidate(inbox, book=book, out=out)
    [ret] = sorted((out / "tra_lai").glob("*.xlsx"))
    lo = resave_with_libreoffice([ret], tmp_path / "lo", tmp_path)
    outcome = read_file(next(lo.iterdir()), lo)
    sub = check_submission(outcome.raw, book)
    assert sub.unit_code == "U1"
    assert [f.code for f in sub.findings] == ["score-above-max"]


def test_no_traceback_when_a_check_crashes(tmp_path, book, monkeypatch):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    fill(book, 0, inbox / "a.xlsx")
    fill(book, 1, inbox / "b.xlsx")
    import ttdk_xl.rules.checks as checks

    real = checks.check_submission

    def flaky(raw, b):
        if raw.info.file == "a.xlsx":
            raise ValueError("boom")
        return real(raw, b)

    monkeypatch.setattr(checks, "check_submission", flaky)
    result = ttdk_xl.consolidate(inbox, book=book)
    assert any(f.code == "internal-error" and f.file == "a.xlsx" for f in result.findings)
    assert next(u for u in result.units if u.unit.code == "U2").status is Status.VALID


def test_return_keeps_the_units_delegate_registration(tmp_path, book):
    from ttdk_xl.forms.template import write_unit_workbook

    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    people = [("Lê Văn An", "Chủ tịch UBND", "0912345678", ""), ("Trần Thị Bình", "Trưởng phòng Nội vụ", "", "")]
    write_unit_workbook(
        book, book.units[0], inbox / "U1.xlsx", datetime(2025, 11, 1),
        entries=full_entries(book, I_1=(D(25), "")), delegates=people,
    )  # fmt: skip
    out = tmp_path / "out"
    ttdk_xl.consolidate(inbox, book=book, out=out)
    [ret] = sorted((out / "tra_lai").glob("*.xlsx"))
    cells = {v for row in CalamineWorkbook.from_path(str(ret)).get_sheet_by_name("Đăng ký đại biểu").to_python()
             for v in row}  # fmt: skip
    assert {"Lê Văn An", "Trần Thị Bình", "Trưởng phòng Nội vụ"} <= cells


def test_inbox_is_listed_in_a_stable_order_with_its_sub_folders(tmp_path):
    """Files in sub-folders (one folder per email, per district) count; the order is by relative path
    in NFC whatever the file system gives; a link to a folder is not followed (no loops)."""
    import os

    from ttdk_xl.inbox.files import list_inbox

    inbox = tmp_path / "hop_thu"
    names = ["b.xlsx", unicodedata.normalize("NFD", "Đông Sơn/á.xlsx"), "a/z.xlsx", "a/b/c.xlsx", ".~lock.x#"]
    for name in names:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(b"x")
    os.symlink(inbox / "a", inbox / "vòng lặp", target_is_directory=True)
    listed = [p.relative_to(inbox).as_posix() for p in list_inbox(inbox)]
    expected = sorted(unicodedata.normalize("NFC", n) for n in names)
    assert [unicodedata.normalize("NFC", p) for p in listed] == expected
    assert all((inbox / p).is_file() for p in listed)
