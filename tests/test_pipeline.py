"""The library API end to end on inboxes the tests build: choice of files, missing units, file order."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import datetime
from decimal import Decimal

import pytest

import ttdk_xl
from tests.conftest import D, fill, full_entries
from ttdk_xl.core.models import SourceState, Status
from ttdk_xl.pipeline.execution import read_all
from ttdk_xl.pipeline.stages import build_result


def make_inbox(book, root, n=None):
    inbox = root / "hop_thu"
    inbox.mkdir(parents=True)
    units = book.units if n is None else book.units[:n]
    for i, u in enumerate(units):
        fill(book, i, inbox / f"{u.code}.xlsx", full_entries(book, I_2=(D(40 - 2 * i), "thiếu")))
    return inbox


def summary(result):
    return [(u.unit.code, u.status, u.rank, u.total, u.acclaim, u.note) for u in result.units]


def test_consolidate_ranks_and_lists_missing_units(book, tmp_path):
    inbox = make_inbox(book, tmp_path, n=3)
    result = ttdk_xl.consolidate(inbox, book=book)
    assert [u.unit.code for u in result.units] == ["U1", "U2", "U3", "U4"]
    assert [u.rank for u in result.units] == [1, 2, 3, None]
    assert result.units[3].status is Status.MISSING
    assert not result.ok
    missing = [f for f in result.findings if f.code == "unit-missing"]
    assert len(missing) == 1 and missing[0].unit_code == "U4"


def test_renaming_and_shuffling_files_changes_nothing(book, tmp_path):
    inbox = make_inbox(book, tmp_path / "a")
    first = ttdk_xl.consolidate(inbox, book=book)
    other = tmp_path / "b" / "hop_thu"
    other.mkdir(parents=True)
    for i, p in enumerate(sorted(inbox.iterdir(), reverse=True)):
        shutil.copy2(p, other / f"{i:02d} tệp gửi lại {p.stem[::-1]}.xlsx")
    second = ttdk_xl.consolidate(other, book=book)
    assert summary(first) == summary(second)


def test_newest_file_of_a_unit_wins_and_the_other_is_superseded(book, tmp_path):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    fill(book, 0, inbox / "old.xlsx", full_entries(book, I_2=(D(30), "cũ")), issued=datetime(2025, 11, 1))
    fill(book, 0, inbox / "new.xlsx", full_entries(book, I_2=(D(35), "mới")), issued=datetime(2025, 11, 5))
    result = ttdk_xl.consolidate(inbox, book=book)
    u1 = next(u for u in result.units if u.unit.code == "U1")
    assert u1.total == 95 and u1.file == "new.xlsx"
    states = {s.file: s.state for s in result.sources}
    assert states == {"new.xlsx": SourceState.USED, "old.xlsx": SourceState.SUPERSEDED}
    assert any(f.code == "superseded" and f.file == "old.xlsx" for f in result.findings)


def test_same_file_twice_counts_once(book, tmp_path):
    inbox = make_inbox(book, tmp_path, n=1)
    shutil.copyfile(inbox / "U1.xlsx", inbox / "U1 (1).xlsx")
    result = ttdk_xl.consolidate(inbox, book=book)
    assert [f.code for f in result.findings if f.code == "duplicate-file"] == ["duplicate-file"]
    assert result.units[0].rank == 1


def test_bad_file_does_not_stop_the_others_and_inputs_are_unchanged(book, tmp_path):
    inbox = make_inbox(book, tmp_path)
    (inbox / "hỏng.xlsx").write_bytes(b"PK\x03\x04broken")
    (inbox / "~$U1.xlsx").write_bytes(b"lock")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}
    result = ttdk_xl.consolidate(inbox, book=book)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}
    assert before == after
    assert all(u.status is Status.VALID for u in result.units)
    states = {s.file: s.state for s in result.sources}
    assert states["hỏng.xlsx"] is SourceState.REJECTED and states["~$U1.xlsx"] is SourceState.IGNORED


def test_blocking_unit_listed_not_ranked(book, tmp_path):
    inbox = make_inbox(book, tmp_path)
    fill(book, 1, inbox / "U2.xlsx", full_entries(book, I_1=(D(25), "")))
    result = ttdk_xl.consolidate(inbox, book=book)
    u2 = next(u for u in result.units if u.unit.code == "U2")
    assert u2.status is Status.INVALID and u2.rank is None
    assert [u.rank for u in result.units if u.rank] == [1, 2, 3]


def test_parallel_and_serial_reading_give_identical_results(book, tmp_path):
    inbox = make_inbox(book, tmp_path)
    paths = sorted(inbox.iterdir())
    serial = build_result(book, read_all(paths, inbox, workers=1))
    parallel = build_result(book, read_all(paths, inbox, workers=2))
    assert serial == parallel


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_files_resaved_by_libreoffice_read_like_the_originals(book, tmp_path, fmt):
    inbox = make_inbox(book, tmp_path)
    original = ttdk_xl.consolidate(inbox, book=book)
    converted = tmp_path / "lo" / "hop_thu"
    converted.mkdir(parents=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", fmt,
         "--outdir", str(converted), *map(str, sorted(inbox.iterdir()))],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    again = ttdk_xl.consolidate(converted, book=book)
    assert [(u.unit.code, u.rank, u.total) for u in again.units] == [
        (u.unit.code, u.rank, u.total) for u in original.units
    ]
    assert all(u.status is Status.VALID for u in again.units)
    assert Decimal(str(again.units[0].total)) == original.units[0].total


def test_outputs_get_ordinary_file_permissions(book, tmp_path):
    """Atomic writes must not leave outputs readable only by their owner (as mkstemp files are)."""
    import os
    import stat

    inbox = make_inbox(book, tmp_path, n=2)
    out = tmp_path / "out"
    ttdk_xl.consolidate(inbox, book=book, out=out)
    umask = os.umask(0o022)
    os.umask(umask)
    for p in [*out.glob("*.*"), *(out / "tra_lai").glob("*")]:
        assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~umask, p.name
    assert not [p for p in out.rglob(".*.tmp*")]


def test_a_copy_of_the_inbox_gives_the_same_json(book, tmp_path):
    """File-system times differ between copies; the outputs must not."""
    import os

    inbox = make_inbox(book, tmp_path / "a")
    copy = tmp_path / "b" / "hop_thu"
    shutil.copytree(inbox, copy)
    for p in copy.iterdir():
        os.utime(p, (1_700_000_000, 1_700_000_000))
    ttdk_xl.consolidate(inbox, book=book, out=tmp_path / "o1")
    ttdk_xl.consolidate(copy, book=book, out=tmp_path / "o2")
    for name in ("ket_qua.json", "tong_hop.xlsx"):
        assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes(), name
