"""A call in a child process: whatever ends the child (a Rust abort in a reader) ends only the child."""

from __future__ import annotations

import os
import time

import pytest

import ttdk_xl
from tests.conftest import fill
from ttdk_xl.core import isolated
from ttdk_xl.core.models import Status

PATHS = [isolated.call, isolated._spawned]  # forked where safe, and a fresh interpreter (as on Windows)


def _dies(code: int) -> None:
    os.write(2, b"memory allocation of 858377423600 bytes failed\n")
    os._exit(code)


def _sleeps(seconds: float) -> str:
    time.sleep(seconds)
    return "late"


def _raises() -> None:
    raise ValueError("negative seek value")


def _run(call, fn, *args, timeout=60):
    return call(fn, *args, timeout=timeout) if call is isolated.call else call(fn, args, timeout)


@pytest.mark.parametrize("call", PATHS)
def test_result_and_exception_cross(call):
    assert _run(call, divmod, 7, 2) == (3, 1)
    with pytest.raises(ValueError, match="negative seek"):
        _run(call, _raises)


@pytest.mark.parametrize("call", PATHS)
def test_a_child_that_dies_or_hangs_is_reported(call, capfd):
    with pytest.raises(isolated.ChildDied, match="memory allocation"):
        _run(call, _dies, 134)
    assert "memory allocation" not in capfd.readouterr().err  # never on the user's screen
    start = time.perf_counter()
    with pytest.raises(isolated.ChildDied, match="no answer"):
        _run(call, _sleeps, 30, timeout=1)
    assert time.perf_counter() - start < 10


def test_a_legacy_file_that_ends_its_reader_costs_only_that_file(tmp_path, book, monkeypatch):
    """A damaged .xls can make calamine abort the process: the other units are still consolidated."""
    import ttdk_xl.inbox.read as read

    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, unit in enumerate(book.units):
        fill(book, i, inbox / f"{unit.code}.xlsx")
    (inbox / "U1.xlsx").rename(inbox / "U1.xls")  # a legacy file: read in a child process
    real = read._read_workbook

    def aborting(data, info, *args):
        if info.file == "U1.xls":
            os._exit(134)
        return real(data, info, *args)

    monkeypatch.setattr(read, "_read_workbook", aborting)
    result = ttdk_xl.consolidate(inbox, book=book)
    assert [f.code for f in result.findings if f.file == "U1.xls"] == ["file-corrupt"]
    assert {u.unit.code for u in result.units if u.status is Status.VALID} == {"U2", "U3", "U4"}
