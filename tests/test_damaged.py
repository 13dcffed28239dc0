"""A damaged returned file is a finding for that file; the other units are still consolidated."""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from email.message import EmailMessage

import pytest
from click.testing import CliRunner

import ttdk_xl
from tests.conftest import fill, full_entries
from tests.damage import DAMAGES
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.models import Status
from ttdk_xl.pipeline import execution as parallel
from ttdk_xl.pipeline.stages import BOOK_NAME, default_book_path

RAISES = {"flag_bit_5": NotImplementedError, "directory_offset": ValueError, "bad_deflate": zlib.error}
DAMAGED = "hỏng.xlsx"


def _inbox(tmp_path, book, damage: str | None = None):
    """Every unit returns a good workbook; the first unit's is damaged by `damage`."""
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, unit in enumerate(book.units):
        fill(book, i, inbox / f"{unit.code}.xlsx", full_entries(book))
    if damage:
        good = inbox / f"{book.units[0].code}.xlsx"
        (inbox / DAMAGED).write_bytes(DAMAGES[damage](good.read_bytes()))
        good.unlink()
    return inbox


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_the_damage_is_real(book, tmp_path, damage):
    """Python's zipfile itself fails on each damaged file, with the exception the issue names."""
    data = DAMAGES[damage](fill(book, 0, tmp_path / "a.xlsx").read_bytes())
    with pytest.raises(RAISES[damage]):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                zf.read(name)


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_api_consolidates_the_others(book, tmp_path, damage):
    inbox = _inbox(tmp_path, book, damage)
    before = (inbox / DAMAGED).read_bytes()
    out = tmp_path / "ket_qua"
    result = ttdk_xl.consolidate(inbox, book=book, out=out)

    bad = [f for f in result.findings if f.file == DAMAGED]
    assert [f.code for f in bad] == ["file-corrupt"]
    assert bad[0].message.startswith("Tệp bị hỏng, không đọc được") and "gửi lại tệp" in bad[0].fix
    by_code = {u.unit.code: u for u in result.units}
    assert by_code["U1"].status is Status.MISSING
    assert [by_code[c].status for c in ("U2", "U3", "U4")] == [Status.VALID] * 3
    assert sorted(by_code[c].rank for c in ("U2", "U3", "U4")) == [1, 1, 1]  # equal full scores
    assert not result.ok
    for name in ("tong_hop.xlsx", "ket_qua.json", "bao_cao.docx", "dai_bieu.xlsx"):
        assert (out / name).stat().st_size > 0
    saved = json.loads((out / "ket_qua.json").read_text(encoding="utf-8"))
    assert DAMAGED in json.dumps(saved, ensure_ascii=False)
    assert (inbox / DAMAGED).read_bytes() == before  # the input is never touched

    findings = ttdk_xl.check([str(inbox / DAMAGED)], book)  # str paths are accepted too
    assert [f.code for f in findings] == ["file-corrupt"]


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_cli_consolidate_and_check(tmp_path, damage):
    year = tmp_path / "cum"
    year.mkdir()
    (year / BOOK_NAME).write_bytes(default_book_path().read_bytes())
    book = load_book(year / BOOK_NAME)
    inbox = _inbox(year, book, damage)
    out = year / "ket_qua"
    result = CliRunner().invoke(cli, ["consolidate", str(inbox), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"{DAMAGED}: Tệp bị hỏng, không đọc được" in result.output
    assert all((out / name).exists() for name in ("tong_hop.xlsx", "ket_qua.json", "bao_cao.docx"))
    ranked = [u for u in json.loads((out / "ket_qua.json").read_text(encoding="utf-8"))["units"] if u.get("rank")]
    assert len(ranked) == len(book.units) - 1

    result = CliRunner().invoke(cli, ["check", str(inbox / DAMAGED)])
    assert result.exit_code == 1 and "Tệp bị hỏng, không đọc được" in result.output
    assert "đề nghị đơn vị gửi lại tệp" in result.output.lower()
    assert "Traceback" not in result.output


def test_detail_only_with_verbose(tmp_path, book):
    inbox = _inbox(tmp_path, book, "flag_bit_5")
    quiet = CliRunner().invoke(cli, ["check", str(inbox / DAMAGED)])
    loud = CliRunner().invoke(cli, ["-v", "check", str(inbox / DAMAGED)])
    assert "flag bit 5" not in quiet.output
    assert "flag bit 5" in loud.output and "Traceback" in loud.output


def test_an_entry_flagged_encrypted_is_a_damaged_file(book, tmp_path):
    from tests.damage import encrypted_flag

    path = tmp_path / "khoa.xlsx"
    path.write_bytes(encrypted_flag(fill(book, 0, tmp_path / "a.xlsx").read_bytes()))
    with pytest.raises(RuntimeError, match="encrypted"):
        with zipfile.ZipFile(path) as zf:
            zf.read("docProps/core.xml")
    assert [f.code for f in ttdk_xl.check([path], book)] == ["file-corrupt"]


def test_a_bug_while_reading_is_an_internal_error_naming_the_file(tmp_path, book, monkeypatch):
    inbox = _inbox(tmp_path, book)
    import ttdk_xl.inbox.read as read

    real = read._read_workbook

    def buggy(data, info, *args):
        if info.file == "U2.xlsx":
            raise AttributeError("'NoneType' object has no attribute 'group'")
        return real(data, info, *args)

    monkeypatch.setattr(read, "_read_workbook", buggy)
    result = ttdk_xl.consolidate(inbox, book=book)
    bad = [f for f in result.findings if f.file == "U2.xlsx"]
    assert [f.code for f in bad] == ["internal-error"] and "lỗi nội bộ" in bad[0].message
    assert {u.unit.code for u in result.units if u.status is Status.VALID} == {"U1", "U3", "U4"}


def test_a_damaged_attachment_in_an_email(tmp_path, book):
    inbox = _inbox(tmp_path, book)
    good = inbox / "U1.xlsx"
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "u1@example.gov.vn", "cum@example.gov.vn", "Bảng tự chấm"
    msg.set_content("Gửi bảng tự chấm.")
    msg.add_attachment(DAMAGES["bad_deflate"](good.read_bytes()), maintype="application", subtype="octet-stream",
                       filename="bang.xlsx")  # fmt: skip
    good.unlink()
    (inbox / "thu.eml").write_bytes(bytes(msg))
    result = ttdk_xl.consolidate(inbox, book=book)
    assert any(f.code == "file-corrupt" and f.file.startswith("thu.eml") for f in result.findings)
    assert sum(u.status is Status.VALID for u in result.units) == 3


@pytest.mark.skipif(not parallel.can_fork(), reason="forked worker processes: Linux only")
def test_a_worker_process_that_dies_costs_only_its_file(tmp_path, book, monkeypatch):
    """A file that kills the worker process reading it (a crash in a native library) is a finding for
    that file; every other file, including those the dead worker held, is read."""
    import multiprocessing

    inbox = _inbox(tmp_path, book)
    real = parallel.read_path

    def crashing(path, *args):
        if path.name == "U3.xlsx" and multiprocessing.parent_process() is not None:
            os._exit(3)  # as a segfault would: no exception, the process is gone
        return real(path, *args)

    monkeypatch.setattr(parallel, "read_path", crashing)
    result = ttdk_xl.consolidate(inbox, book=book, workers=2, processes=True)
    bad = [f for f in result.findings if f.file == "U3.xlsx"]
    assert [f.code for f in bad] == ["internal-error"]
    assert {u.unit.code for u in result.units if u.status is Status.VALID} == {"U1", "U2", "U4"}


def test_a_value_typed_in_the_last_cell_does_not_end_the_process(tmp_path, book):
    """python-calamine aborts the process (no exception) on a sheet whose table would not fit in memory:
    one value in XFD1048576 is enough. Such a file is refused before calamine opens it."""
    import subprocess
    import sys

    import openpyxl

    inbox = _inbox(tmp_path, book)
    path = inbox / "U2.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["Tự chấm điểm"]["XFD1048576"] = "ghi chú lạc chỗ"
    wb.save(path)
    run = subprocess.run([sys.executable, "-m", "ttdk_xl", "check", str(path)], capture_output=True, text=True,
                         encoding="utf-8", timeout=120)  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "ô quá xa bảng (đến cột XFD, hàng 1.048.576)" in run.stdout and "Ctrl+End" in run.stdout
    result = ttdk_xl.consolidate(inbox, book=book)
    assert [f.code for f in result.findings if f.file == "U2.xlsx"] == ["sheet-too-large"]
    assert {u.unit.code for u in result.units if u.status is Status.VALID} == {"U1", "U3", "U4"}


def test_a_relationship_without_target_is_no_internal_error():
    """Found by the long fuzz run: a sheet's relationship that lost its Target attribute."""
    from ttdk_xl.inbox.read import _sheet_target

    wb = '<workbook><sheets><sheet name="Tự chấm điểm" r:id="rId1"/></sheets></workbook>'.encode()
    rels = b'<Relationships><Relationship Id="rId1" Type="x" Tarxet="worksheets/sheet1.xml"/></Relationships>'
    assert _sheet_target(wb, rels, "Tự chấm điểm") is None
    assert _sheet_target(wb, rels.replace(b"Tarxet", b"Target"), "Tự chấm điểm") == "xl/worksheets/sheet1.xml"
