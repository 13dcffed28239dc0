"""An output that cannot be written (on Windows: open in Excel, which refuses the rename) is a message
naming the file and what to do; the other outputs are still written and the old file is kept."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

import ttdk_xl
from tests.conftest import fill, full_entries
from ttdk_xl.cli.commands import cli
from ttdk_xl.core import atomic
from ttdk_xl.pipeline import execution


def _inbox(tmp_path, book):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, unit in enumerate(book.units):
        fill(book, i, inbox / f"{unit.code}.xlsx", full_entries(book))
    return inbox


@pytest.fixture
def excel_holds_tong_hop(monkeypatch):
    """os.replace refuses to replace tong_hop.xlsx, as Windows does while Excel has it open."""
    real = os.replace

    def refuse(src, dst, *args, **kwargs):
        if os.path.basename(dst) == "tong_hop.xlsx":
            raise PermissionError(13, "The process cannot access the file because it is being used")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "replace", refuse)
    monkeypatch.setattr(atomic, "RENAME_WAIT", 0)


@pytest.mark.parametrize("province", [False, True])  # one process, and the forked writer of a province
def test_api_keeps_the_old_file_and_writes_the_others(tmp_path, book, monkeypatch, excel_holds_tong_hop, province):
    if province:
        monkeypatch.setattr(execution, "LARGE_FROM", 1)
    inbox = _inbox(tmp_path, book)
    out = tmp_path / "ket_qua"
    out.mkdir()
    (out / "tong_hop.xlsx").write_bytes(b"the office's file, open in Excel")
    result = ttdk_xl.consolidate(inbox, book=book, out=out, workers=1)
    [finding] = [f for f in result.findings if f.code == "output-not-written"]
    assert finding.file == "tong_hop.xlsx" and "đang được mở" in finding.message and "Đóng tệp" in finding.fix
    assert not result.ok
    assert (out / "tong_hop.xlsx").read_bytes() == b"the office's file, open in Excel"
    for name in ("ket_qua.json", "bao_cao.docx", "dai_bieu.xlsx"):
        assert (out / name).stat().st_size > 0
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_cli_says_which_file_and_what_to_do(tmp_path, book, excel_holds_tong_hop):
    from ttdk_xl.pipeline.stages import default_book_path

    year = tmp_path / "cum"
    year.mkdir()
    (year / "bo_tieu_chi.xlsx").write_bytes(default_book_path().read_bytes())
    real_book = ttdk_xl.load_book(year / "bo_tieu_chi.xlsx")
    inbox = _inbox(year, real_book)
    result = CliRunner().invoke(cli, ["consolidate", str(inbox), "-o", str(year / "ket_qua")])
    assert result.exit_code == 1, result.output
    assert "Không ghi được tệp 'tong_hop.xlsx'" in result.output and "Đóng tệp tong_hop.xlsx" in result.output
    assert "Traceback" not in result.output
    results_line = next(line for line in result.output.splitlines() if line.startswith("Kết quả:"))
    assert "tong_hop.xlsx" not in results_line and "ket_qua.json" in results_line


def test_every_atomic_write_says_it(tmp_path, monkeypatch):
    """Every other command writes through core.atomic: the same message (a TtdkError the CLI prints)."""

    def refuse(src, dst, *args, **kwargs):
        raise PermissionError(13, "denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    monkeypatch.setattr(atomic, "RENAME_WAIT", 0)
    with pytest.raises(atomic.OutputError) as caught:
        atomic.write_bytes(tmp_path / "x.xlsx", b"data")
    assert "Không ghi được tệp 'x.xlsx'" in str(caught.value) and "Đóng tệp x.xlsx" in str(caught.value)
    assert not list(tmp_path.iterdir())  # the temporary file is removed
