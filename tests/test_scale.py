"""What makes thousands of units fast must not change a single result: parallel reading, stamped templates,
the quick look at sheet XML, short notes and report lists for many units. (Speed itself: benchmarks/.)"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime

import pytest
from click.testing import CliRunner

import ttdk_xl
from tests.conftest import ISSUED, D, fill, full_entries, make_book
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.models import Status, Unit
from ttdk_xl.forms import stamp
from ttdk_xl.forms.template import workbook_filename, write_templates, write_unit_workbook
from ttdk_xl.inbox.read import _cell_flags, _flags_of
from ttdk_xl.outputs import report
from ttdk_xl.pipeline import execution as parallel
from ttdk_xl.pipeline.stages import default_book_path
from ttdk_xl.rules.score import NOTE_MAX_PEERS


def messy_inbox(book, root):
    """Every unit's workbook plus the usual mess: a duplicate, a text score, a blank score, a broken file."""
    inbox = root / "hop_thu"
    inbox.mkdir(parents=True)
    for i, u in enumerate(book.units):
        entries = full_entries(book, I_2=(D(40 - i % 5), "thiếu một nội dung"))
        if i == 2:
            entries["II.1"] = ("24,5", "gõ dấu phẩy")
        if i == 3:
            entries["I.1"] = (None, "")
        fill(book, i, inbox / f"{u.code}.xlsx", entries)
    shutil.copyfile(inbox / "U1.xlsx", inbox / "U1 gửi lại.xlsx")
    (inbox / "hỏng.xlsx").write_bytes(b"PK\x03\x04broken")
    return inbox


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_serial_threads_and_processes_write_identical_outputs(tmp_path, monkeypatch, start):
    import multiprocessing

    if start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} here")
    monkeypatch.setattr(parallel, "_start_method", lambda: start)
    book = make_book(units=9)
    inbox = messy_inbox(book, tmp_path)
    serial = ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "serial", workers=1)
    monkeypatch.setattr(parallel, "PROCESSES_FROM", 10**9)
    threads = ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "threads", workers=2, processes=None)
    monkeypatch.setattr(parallel, "PROCESSES_FROM", 1)
    monkeypatch.setattr(parallel, "CHUNK", 2)  # several chunks: the worker process and this one both read
    used = []
    real = parallel._with_processes
    monkeypatch.setattr(parallel, "_with_processes", lambda *a: used.append(real(*a)) or used[-1])
    processes = ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "processes", workers=2, processes=None)
    assert len(used) == 1  # worker processes did the reading (no silent fallback to threads)
    assert serial == threads == processes
    assert {u.status for u in serial.units} == {Status.VALID, Status.INVALID}  # the inbox really is messy
    for name in ("ket_qua.json", "tong_hop.xlsx"):
        first = (tmp_path / "serial" / name).read_bytes()
        assert (tmp_path / "threads" / name).read_bytes() == first, name
        assert (tmp_path / "processes" / name).read_bytes() == first, name


def test_cli_parallel_run_gives_the_same_ket_qua_json(tmp_path, monkeypatch):
    book_path = default_book_path()
    book = load_book(book_path)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    scored = [c for c in book.leaves if c.kind.value == "chấm điểm"]
    for i, u in enumerate(book.units):
        entries = {c.code: (c.max_points, "") for c in scored}
        entries[scored[i % len(scored)].code] = (scored[i % len(scored)].max_points - D("0.5"), "chưa đạt")
        if i == 1:
            entries[scored[0].code] = (None, "")
        write_unit_workbook(book, u, inbox / f"{i}.xlsx", ISSUED, entries=entries)
    ttdk_xl.consolidate(inbox, book=book_path, out=tmp_path / "serial", workers=1)
    monkeypatch.setattr(parallel, "THREADS_FROM", 1)
    monkeypatch.setattr(parallel, "PROCESSES_FROM", 1)
    args = ["consolidate", str(inbox), "--book", str(book_path), "-o", str(tmp_path / "cli")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output  # one unit left a score blank
    assert (tmp_path / "cli" / "ket_qua.json").read_bytes() == (tmp_path / "serial" / "ket_qua.json").read_bytes()


def test_stamped_templates_are_the_bytes_of_direct_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(stamp, "FAST_FROM", 1)  # stamped, as for a province
    names = ["UBND xã Thọ Bình", "UBND phường Đông Sơn", "Sở Tài chính", "UBND xã A & B", "UBND xã Tân Ninh"]
    units = tuple(Unit(f"X{i}", name, "xã", f"x{i}@example.gov.vn") for i, name in enumerate(names))
    book = make_book(units=1)
    book = replace(book, units=units, head_unit=names[0], deputy_unit=names[1])
    issued = datetime(2025, 11, 20, 8, 0, 0)
    paths = write_templates(book, tmp_path / "mau", issued_at=issued)
    assert [p.name for p in paths] == [workbook_filename(book, u) for u in units]
    for unit, path in zip(units, paths, strict=True):
        direct = write_unit_workbook(book, unit, tmp_path / "direct.xlsx", issued)
        assert path.read_bytes() == direct.read_bytes(), unit.name


def test_stamped_templates_read_back_as_their_units(tmp_path, monkeypatch):
    monkeypatch.setattr(stamp, "FAST_FROM", 1)  # stamped, as for a province
    book = make_book(units=5)
    paths = write_templates(book, tmp_path / "mau", issued_at=ISSUED)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for p in paths:
        shutil.copyfile(p, inbox / p.name)
    result = ttdk_xl.consolidate(inbox, book=book)
    assert {f.unit_code for f in result.findings if f.code == "score-missing"} == {u.code for u in book.units}
    assert not any(f.code in ("unknown-unit", "unit-missing", "not-ttdk-workbook") for f in result.findings)


def test_quick_look_at_sheet_xml_finds_what_the_full_scan_finds():
    ok = b'<sheetData><row r="1"><c r="A1" s="1"><f>SUM(B1:B2)</f><v>3</v></c><c r="B1"><v>1</v></c></row>'
    shared = b'<row r="2"><c r="C2"><f t="shared" ref="C2:C3" si="0">A1</f><v>3</v></c><c r="C3"><f t="shared" si="0"/><v>3</v></c></row>'  # noqa: E501
    assert _cell_flags(ok + shared + b"</sheetData>") == {}
    no_value = b'<row r="3"><c r="D3"><f>SUM(A1)</f></c><c r="D4"><f>A1</f><v></v></c></row>'
    assert _cell_flags(ok + no_value + b"</sheetData>") == {"D3": "formula-no-value", "D4": "formula-no-value"}
    shared_no_value = b'<row r="5"><c r="E5"><f t="shared" si="1"/></c></row>'
    assert _cell_flags(ok + shared_no_value + b"</sheetData>") == {"E5": "formula-no-value"}
    error = b'<row r="6"><c r="F6" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F7" t="e"><v>#REF!</v></c></row>'
    assert _cell_flags(ok + error + b"</sheetData>") == {"F6": "#DIV/0!", "F7": "#REF!"}
    whole = ok + no_value + shared_no_value + error + b'<row r="8"><c r="G8" s="2"/></row></sheetData>'
    # The look at a few cells finds what the full scan finds for them, also when one is written
    # another way (`s` before `r`: the full scan decides).
    cells = ["A1", "D3", "D4", "E5", "F6", "G8"]
    assert _flags_of(whole, cells) == {k: v for k, v in _cell_flags(whole).items() if k in cells}
    assert _flags_of(whole.replace(b'<c r="F6" t="e">', b'<c t="e" r="F6">'), cells) == _flags_of(whole, cells)
    assert _flags_of(whole, ["G8"]) == {}


def test_many_equal_totals_get_one_short_note_each(tmp_path):
    book = make_book(units=NOTE_MAX_PEERS + 4)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, u in enumerate(book.units):
        # Same total (95) for all; group II decides between some of them.
        shift = D(i % 3)
        fill(book, i, inbox / f"{u.code}.xlsx", full_entries(book, I_2=(D(35) + shift, "x"), II_1=(D(25) - shift, "y")))
    result = ttdk_xl.consolidate(inbox, book=book)
    assert {u.total for u in result.units} == {D(95)}
    for u in result.units:
        assert "đơn vị khác" in u.note and len(u.note) < 400, u.note
        assert "Bằng tổng điểm với UBND" not in u.note  # no pair-by-pair sentences
    top = [u for u in result.units if u.rank == 1]
    assert all("xếp dưới 0 đơn vị" in u.note for u in top)


def test_report_lists_are_capped_with_a_pointer_to_the_summary(tmp_path, monkeypatch):
    book = make_book(units=6)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, u in enumerate(book.units):
        fill(book, i, inbox / f"{u.code}.xlsx", full_entries(book, I_2=(D(40 - i), "thiếu")))
    result = ttdk_xl.consolidate(inbox, book=book)
    monkeypatch.setattr(report, "REPORT_MAX_ROWS", 4)
    ctx = report.build_context(result)
    assert [r["stt"] for r in ctx["ranked"]] == ["1", "2", "3", "4", ""]
    assert "02 đơn vị khác" in ctx["ranked"][-1]["name"] and "tong_hop.xlsx" in ctx["ranked"][-1]["name"]
    assert ctx["valid_names"].count(",") == 3 and "02 đơn vị khác" in ctx["valid_names"]
    report.write_report(result, tmp_path / "bao_cao.docx")  # the capped lists render


def test_quick_formula_sheet_writes_the_same_bytes_as_xlsxwriter(tmp_path, monkeypatch):
    import xlsxwriter.worksheet

    from ttdk_xl.forms import xlsx_quick
    from ttdk_xl.forms.template import Mark

    book = make_book(units=2)
    entries = full_entries(book, I_2=(D("37.5"), "thiếu"), III_1=(D(5), "Cờ thi đua"), II_1=("24,5", "gõ chữ"))
    marks = [Mark("D10", "Điểm gõ dạng chữ")]

    def write(name):
        return write_unit_workbook(book, book.units[1], tmp_path / name, ISSUED, entries=entries, marks=marks)

    quick = write("quick.xlsx").read_bytes()
    monkeypatch.setattr(xlsx_quick, "QuickFormulaSheet", xlsxwriter.worksheet.Worksheet)
    assert write("plain.xlsx").read_bytes() == quick


def test_zip_parts_read_what_zipfile_reads(tmp_path):
    import zipfile

    from ttdk_xl.core.zipparts import ZipParts

    path = fill(make_book(units=1), 0, tmp_path / "a.xlsx")
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    for archive in (path, stored):
        parts = ZipParts(archive.read_bytes())
        with zipfile.ZipFile(archive) as zf:
            assert parts.names() == zf.namelist()
            assert parts.unpacked_size() == sum(i.file_size for i in zf.infolist())
            for info in zf.infolist():
                assert parts.read(info.filename) == zf.read(info)
                assert parts.crc(info.filename) == (info.CRC, info.file_size)
                for size in (10, 4096, 10**6):
                    with zf.open(info) as fh:
                        assert parts.head(info.filename, size) == fh.read(size), (archive.name, info.filename, size)


def test_zip_parts_leave_unusual_zips_to_zipfile(tmp_path):
    import zipfile

    from ttdk_xl.core.zipparts import Unusual, ZipfileParts, ZipParts, open_parts

    twice = tmp_path / "twice.zip"
    with zipfile.ZipFile(twice, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("a.xml", "<a/>")
        zf.writestr("a.xml", "<b/>")
    with pytest.raises(Unusual):
        ZipParts(twice.read_bytes())
    assert isinstance(open_parts(twice.read_bytes()), ZipfileParts)
    good = fill(make_book(units=1), 0, tmp_path / "a.xlsx").read_bytes()
    broken = bytearray(good)
    broken[-22:-18] = b"XXXX"  # no end-of-directory record: not a zip at all
    with pytest.raises(zipfile.BadZipFile):
        open_parts(bytes(broken))


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_plain_and_the_fast_path_give_the_same_files(tmp_path, monkeypatch):
    """A cluster runs the plain path (plain xlsxwriter, no collector pauses, no fork); a province the fast
    one (fast sheets, collector pauses, outputs shared between a forked child and this process). Both give
    the same bytes, also when the child fails (this process then writes what is
    missing)."""
    import os

    from ttdk_xl.outputs import summary as write_xlsx
    from ttdk_xl.outputs import xlsx_fast
    from ttdk_xl.pipeline import execution

    book = make_book(units=9)
    inbox = messy_inbox(book, tmp_path)
    ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "one", workers=1)
    # Everything a province gets, for these 9 units, but the learnt returns: they hold the same workbooks,
    # not the same bytes (tests/test_return_stamp.py compares them cell by cell).
    for module, name in ((execution, "LARGE_FROM"), (xlsx_fast, "FAST_FROM")):
        monkeypatch.setattr(module, name, 1)
    ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "two", workers=1)
    one = _files(tmp_path / "one")
    assert {"tong_hop.xlsx", "ket_qua.json", "bao_cao.docx", "dai_bieu.xlsx"} <= set(one)
    assert any(name.startswith("tra_lai/") for name in one)
    assert _files(tmp_path / "two") == one

    parent, real = os.getpid(), write_xlsx.write_summary

    def fails_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("child failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(write_xlsx, "write_summary", fails_in_the_child)
    ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "rescued", workers=1)
    assert _files(tmp_path / "rescued") == one


def test_prefetch_passes_over_files_it_cannot_open(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"PK" * 100)
    (tmp_path / "folder").mkdir()
    paths = [str(tmp_path / "a.xlsx"), str(tmp_path / "gone.xlsx"), str(tmp_path / "folder")]
    parallel._prefetch(paths)  # nothing to assert but that it returns: it only warms the page cache


def test_forked_readers_start_a_prefetcher_and_stop_it(tmp_path, monkeypatch):
    import multiprocessing

    if not parallel.can_fork():
        pytest.skip("no fork here")
    book = make_book(units=4)
    inbox = messy_inbox(book, tmp_path)
    started = []
    real = parallel._start_prefetch

    def spy(context, paths):
        started.append((real(context, paths), list(paths)))
        return started[-1][0]

    monkeypatch.setattr(parallel, "_start_prefetch", spy)
    monkeypatch.setattr(parallel, "_start_method", lambda: "fork")
    monkeypatch.setattr(parallel, "PROCESSES_FROM", 1)
    monkeypatch.setattr(parallel, "CHUNK", 2)
    ttdk_xl.consolidate(inbox, book=book, workers=2, processes=None)
    [(process, paths)] = started
    assert sorted(p.name for p in paths) == sorted(p.name for p in inbox.iterdir())
    assert process is not None and not process.is_alive()  # killed or finished, never left behind
    assert multiprocessing.active_children() == []


def test_evolve_copies_like_dataclasses_replace():
    import pickle
    from dataclasses import replace

    from ttdk_xl.core.models import Submission, evolve

    sub = Submission("a.xlsx", "U1", "Đơn vị 1", {"I.1": D(5)}, {}, {"I.1": "giải trình"})
    changed = evolve(sub, unit_name="Đơn vị khác", totals=(1, 2, 3))
    assert changed == replace(sub, unit_name="Đơn vị khác", totals=(1, 2, 3))
    assert changed.totals == (1, 2, 3) and sub.totals is None and sub.unit_name == "Đơn vị 1"
    assert pickle.loads(pickle.dumps(changed)) == changed  # what worker processes send back
    with pytest.raises(TypeError):
        evolve(sub, unit="U1")  # a misspelt field is an error, as with replace


def test_kept_results_are_frozen_for_the_collector_and_released_after_a_run(tmp_path):
    import gc

    from ttdk_xl.core.gc_pause import gc_paused, release

    assert gc.isenabled()
    try:
        with gc_paused(keep=True):
            assert not gc.isenabled()
            kept = [{"row": i} for i in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= len(kept)  # not walked by the next collections
    finally:
        release()
    assert gc.get_freeze_count() == 0
    with gc_paused():  # a writer's pause: nothing kept, the collector given back as it was
        assert not gc.isenabled()
        more = [{"row": i} for i in range(1000)]
    assert gc.isenabled() and gc.get_freeze_count() == 0 and more
    with gc_paused(active=False):  # the plain path of a cluster: no pause at all
        assert gc.isenabled()
    book = make_book(units=3)
    ttdk_xl.consolidate(messy_inbox(book, tmp_path), book=book, out=tmp_path / "out")
    assert gc.get_freeze_count() == 0 and gc.isenabled()  # a library call leaves the collector as it was


def test_a_programs_own_frozen_objects_stay_frozen(tmp_path):
    import gc

    from ttdk_xl.core.gc_pause import gc_paused, release

    gc.freeze()  # as a server does before forking its workers
    try:
        mine = gc.get_freeze_count()
        with gc_paused(keep=True):
            pass
        release()
        assert gc.get_freeze_count() >= mine  # not given back to the collector by ttdk-xl
        book = make_book(units=2)
        ttdk_xl.consolidate(messy_inbox(book, tmp_path), book=book)
        assert gc.get_freeze_count() >= mine
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("n", [0, 1, 7, 191, 192, 193, 1000])
def test_chunks_keep_every_file_once_in_order_with_a_finer_tail(n):
    paths = list(range(n))
    chunks = parallel._chunks(paths, 48)
    assert [p for chunk in chunks for p in chunk] == paths
    assert all(chunks) and all(len(c) <= 48 for c in chunks)
    if n > 4 * 48:
        assert len(chunks[0]) == min(48, n - 4 * 48) and all(len(c) <= 8 for c in chunks[-24:])


def test_windows_exe_launcher_reads_in_threads(tmp_path, monkeypatch):
    """pip's ttdk-xl.exe on Windows runs a `__main__` whose file does not exist on disk: worker processes
    started by "spawn" could not import it, so the files are read in threads, with the same results."""
    import sys

    book = make_book(units=6)
    inbox = messy_inbox(book, tmp_path)
    expected = ttdk_xl.consolidate(inbox, book=book, workers=1)
    monkeypatch.setattr(parallel, "can_fork", lambda: False)  # as on Windows
    monkeypatch.setattr(
        sys.modules["__main__"], "__file__", str(tmp_path / "ttdk-xl.exe" / "__main__.py"), raising=False
    )
    assert parallel._start_method() is None
    monkeypatch.setattr(parallel, "PROCESSES_FROM", 1)
    monkeypatch.setattr(parallel, "THREADS_FROM", 1)
    result = ttdk_xl.consolidate(inbox, book=book, processes=None)
    assert [(u.unit.code, u.rank, u.total) for u in result.units] == [
        (u.unit.code, u.rank, u.total) for u in expected.units
    ]
