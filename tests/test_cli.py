"""The CLI as a user runs it: exit codes, Vietnamese messages, outputs, no tracebacks."""

from __future__ import annotations

from click.testing import CliRunner

from tests.conftest import ISSUED, D, fill, full_entries
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.pipeline.stages import default_book_path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_help_is_vietnamese_and_lists_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("init", "template", "check", "consolidate", "ballots", "tally", "covenant"):
        assert command in result.output
    assert "tổng hợp" in result.output


def test_init_then_template_then_consolidate(tmp_path):
    work = tmp_path / "cum2"
    result = run("init", work)
    assert result.exit_code == 0, result.output
    assert (work / "bo_tieu_chi.xlsx").exists() and (work / "hop_thu").is_dir()
    assert run("init", work).exit_code == 1  # never overwrites

    result = run("template", work / "bo_tieu_chi.xlsx", "-o", work / "mau")
    assert result.exit_code == 0, result.output
    book = load_book(work / "bo_tieu_chi.xlsx")
    made = sorted(p.name for p in (work / "mau").iterdir())
    assert len(made) == len(book.units) and "Đã tạo" in result.output

    # Every unit but the last returns a filled workbook.
    for i, _unit in enumerate(book.units[:-1]):
        fill(book, i, work / "hop_thu" / f"tep {i}.xlsx", full_entries(book))
    out = work / "ket_qua"
    result = run("consolidate", work / "hop_thu", "-o", out)
    assert result.exit_code == 1, result.output  # one unit missing
    assert "Chưa nộp" in result.output and book.units[-1].name in result.output
    for name in ("tong_hop.xlsx", "ket_qua.json", "bao_cao.docx"):
        assert (out / name).exists()


def test_consolidate_exit_0_and_stable_json(book, tmp_path):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, u in enumerate(book.units):
        fill(book, i, inbox / f"{u.code}.xlsx", full_entries(book, I_2=(D(40 - i), "thiếu")))
    from ttdk_xl.pipeline.stages import consolidate

    r1 = consolidate(inbox, book=book, out=tmp_path / "o1")
    r2 = consolidate(inbox, book=book, out=tmp_path / "o2")
    assert r1.ok and r2.ok
    assert (tmp_path / "o1" / "ket_qua.json").read_bytes() == (tmp_path / "o2" / "ket_qua.json").read_bytes()


def test_check_names_file_sheet_cell_and_fix(tmp_path):
    default = load_book(default_book_path())
    good = fill(default, 0, tmp_path / "good.xlsx", full_entries(default))
    bad = fill(default, 1, tmp_path / "bad.xlsx", full_entries(default, I_1=(D(25), "")))
    ok = run("check", good, "--book", default_book_path())
    assert ok.exit_code == 0 and "Hợp lệ" in ok.output
    result = run("check", bad, "--book", default_book_path())
    assert result.exit_code == 1
    assert "bad.xlsx › Tự chấm điểm!E10" in result.output
    assert "vượt điểm tối đa" in result.output and "→" in result.output


def test_usage_errors_exit_2():
    assert run("consolidate", "/no/such/folder").exit_code == 2
    assert run("template").exit_code == 2
    assert run("nonsense").exit_code == 2


def test_bad_book_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "bo.xlsx"
    bad.write_bytes(b"not a workbook")
    result = run("template", bad, "-o", tmp_path / "o")
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi:") or "Lỗi:" in result.output
    assert "Traceback" not in result.output


def test_unit_checks_its_own_file_without_the_book(book, tmp_path):
    """A unit has only its workbook: the rules come from the workbook's hidden _meta sheet."""
    good = fill(book, 0, tmp_path / "tot.xlsx")
    bad = fill(book, 1, tmp_path / "sai.xlsx", full_entries(book, I_1=(D(25), ""), III_1=(D(2), "")))
    assert run("check", good).exit_code == 0
    result = run("check", bad)
    assert result.exit_code == 1
    assert "sai.xlsx › Tự chấm điểm!E10" in result.output  # above max (20)
    assert "Tự chấm điểm!F16" in result.output  # bonus without explanation


def test_check_without_book_or_meta_asks_for_the_book(book, tmp_path):
    import openpyxl

    path = fill(book, 0, tmp_path / "copy.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.remove(wb["_meta"])
    wb.save(path)
    result = run("check", path)
    assert result.exit_code == 1 and "--book" in result.output


def test_usage_errors_and_help_are_vietnamese(tmp_path):
    result = run("consolidate", tmp_path / "khong_co")
    assert result.exit_code == 2
    assert "Lỗi: Giá trị không hợp lệ cho '[THƯ_MỤC_NĂM|HỘP_THƯ]': Không tìm thấy" in result.output
    assert "Cách dùng: " in result.output and "consolidate [TÙY CHỌN] [THƯ_MỤC_NĂM|HỘP_THƯ]" in result.output
    assert "Không có lệnh 'nonsense'" in run("nonsense").output
    help_text = run("--help").output
    assert "Tùy chọn:" in help_text and "Lệnh:" in help_text and "Hiện hướng dẫn này rồi thoát." in help_text
    assert "Show this message" not in help_text and "Usage:" not in help_text


def test_consolidate_summary_mentions_delegates(tmp_path):
    from ttdk_xl.forms.template import write_unit_workbook

    default = load_book(default_book_path())
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, u in enumerate(default.units):
        people = [("Lê Văn An", "Chủ tịch", "0912345678", "")] if i else []
        entries = full_entries(default)
        write_unit_workbook(default, u, inbox / f"{u.code}.xlsx", ISSUED, entries=entries, delegates=people)
    result = run("consolidate", inbox, "--book", default_book_path(), "-o", tmp_path / "kq")
    assert result.exit_code == 0, result.output
    n = len(default.units)
    assert f"Đại biểu: {n - 1} đại biểu của {n - 1}/{n} đơn vị." in result.output
    assert f"Đơn vị chưa đăng ký: {default.units[0].name}." in result.output


def test_a_province_does_not_flood_the_screen(tmp_path, monkeypatch):
    """Thousands of units: the screen lists the first few and says where the rest are."""
    import ttdk_xl.cli.commands as cli_module

    monkeypatch.setattr(cli_module, "UNITS_SHOWN", 2)
    monkeypatch.setattr(cli_module, "NAMES_SHOWN", 1)
    default = load_book(default_book_path())
    inbox = tmp_path / "hop_thu"
    for i in range(3):
        fill(default, i, inbox / f"{i}.xlsx", full_entries(default))
    result = run("consolidate", inbox, "--book", default_book_path(), "-o", tmp_path / "o")
    assert result.exit_code == 1, result.output  # most units have not sent a file
    lines = result.output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Hạng"))
    more = len(default.units) - 2
    assert lines[header + 3] == f"   … và {more} đơn vị khác (xem trang 'Tổng hợp' của tong_hop.xlsx)"
    # 3 files without delegates, 5 units without a file: one name of each, then how many more
    assert f"Đơn vị chưa đăng ký: {default.units[0].name} và 2 đơn vị khác (xem dai_bieu.xlsx)." in result.output
    assert f"Đơn vị chưa nộp tệp: {default.units[3].name} và {len(default.units) - 4} đơn vị khác" in result.output
    assert "Traceback" not in result.output


def test_the_installed_command_ends_with_its_exit_code_and_all_its_output(tmp_path):
    """`main` ends the process without tearing down every object: nothing printed may be lost and the
    exit code must be the command's own."""
    import subprocess
    import sys

    def command(*args):
        code = "from ttdk_xl.cli.commands import main; main()"
        return subprocess.run(
            [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, encoding="utf-8"
        )

    work = tmp_path / "cum"
    assert command("init", work).returncode == 0
    book = load_book(work / "bo_tieu_chi.xlsx")
    fill(book, 0, work / "hop_thu" / "a.xlsx", full_entries(book))
    done = command("consolidate", work / "hop_thu", "-o", tmp_path / "out")
    assert done.returncode == 1, done.stderr  # the other units have not sent their workbooks
    assert book.units[0].name in done.stdout and done.stdout.endswith("\n")
    assert (tmp_path / "out" / "ket_qua.json").exists()
    assert command("--help").returncode == 0
    wrong = command("khong-co-lenh")
    assert wrong.returncode == 2 and "khong-co-lenh" in wrong.stderr


def test_vietnamese_output_on_a_legacy_code_page(tmp_path):
    """Output redirected under a Windows code page (here cp1258, Vietnamese, and cp1252) is never a
    UnicodeEncodeError: cp1258 gets Vietnamese as base letters with combining marks, others '?'."""
    import os
    import shutil
    import subprocess
    import sys
    import unicodedata
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples"
    shutil.copytree(examples, tmp_path / "ex")
    env = {**os.environ, "PYTHONIOENCODING": "cp1258"}
    command = [sys.executable, "-m", "ttdk_xl", "consolidate", "hop_thu", "-o", "ket_qua"]
    run = subprocess.run(command, cwd=tmp_path / "ex", env=env, capture_output=True, timeout=300)
    out = unicodedata.normalize("NFC", run.stdout.decode("cp1258"))
    err = run.stderr.decode("cp1258", "replace")
    assert run.returncode == 0, err
    assert "Hạng  Đơn vị" in out and "UBND huyện Triệu Sơn" in out and "UnicodeEncodeError" not in out + err
    env["PYTHONIOENCODING"] = "cp1252"
    run = subprocess.run([sys.executable, "-m", "ttdk_xl", "--help"], env=env, capture_output=True, timeout=60)
    assert run.returncode == 0 and b"consolidate" in run.stdout and b"UnicodeEncodeError" not in run.stderr


def test_check_of_a_file_that_is_no_workbook_is_never_valid(book, tmp_path):
    """`ttdk-xl check ket_qua/bao_cao.docx` answered "Hợp lệ"; an empty delegate sheet went unmentioned."""
    (tmp_path / "bao_cao.docx").write_bytes(b"PK\x03\x04 not a workbook")
    result = run("check", tmp_path / "bao_cao.docx")
    assert result.exit_code == 1 and "Hợp lệ" not in result.output
    assert "không phải bảng tự chấm" in result.output
    path = fill(book, 0, tmp_path / "u1.xlsx", full_entries(book))  # no delegate registered
    result = run("check", path)
    assert result.exit_code == 0 and "chưa đăng ký đại biểu nào" in result.output
    assert "[Cảnh báo] u1.xlsx › Đăng ký đại biểu" in result.output


def test_the_guide_of_a_new_year_folder_says_where_to_run_its_commands(tmp_path):
    assert run("init", tmp_path / "cum2").exit_code == 0
    guide = (tmp_path / "cum2" / "HUONG_DAN.txt").read_text(encoding="utf-8-sig")
    assert f'cd "{(tmp_path / "cum2").resolve()}"' in guide and "ttdk-xl template bo_tieu_chi.xlsx" in guide


def test_no_english_type_names_in_any_help():
    for command in ("init", "template", "check", "consolidate", "ballots", "tally", "covenant", "delegates"):
        text = run(command, "--help").output
        for english in ("FLOAT", "INTEGER", "RANGE", "TEXT", "BOOLEAN"):
            assert english not in text, (command, english)
