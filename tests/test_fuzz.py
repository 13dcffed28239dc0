"""The reader against thousands of damaged workbooks: findings or a clean read, never a traceback, a hang
or a change of the input file. A fixed seed here (a few hundred cases in CI); benchmarks/fuzz.py runs
longer and its figures are in the README."""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import fill, full_entries, make_book, resave_with_libreoffice
from tests.mutants import OPERATORS, mutate, run_case

BOOK = make_book(units=3)
PER_FILE_SECONDS = 10  # a damaged file must not hang the run: a good one takes ~20 ms


@cache
def sources() -> dict[str, bytes]:
    """A filled workbook as ttdk-xl issues it and, where LibreOffice is installed, as LibreOffice re-saves it."""
    folder = Path(tempfile.mkdtemp(prefix="ttdk-fuzz-"))
    entries = full_entries(BOOK, I_2=("35,5", "thiếu một mô hình"), III_1=(5, "Cờ thi đua năm trước"))
    made = fill(BOOK, 0, folder / "made.xlsx", entries)
    found = {"xlsxwriter": made.read_bytes(), "good": fill(BOOK, 1, folder / "good.xlsx").read_bytes()}
    if shutil.which("soffice"):
        (folder / "lo").mkdir()
        resave_with_libreoffice([made], folder / "lo", folder)
        found["libreoffice"] = (folder / "lo" / "made.xlsx").read_bytes()
        for ext in ("ods", "xls"):  # the legacy and OpenDocument readers too
            resave_with_libreoffice([made], folder / "lo", folder, ext)
            found[ext] = (folder / "lo" / f"made.{ext}").read_bytes()
    return found


def kinds() -> list[str]:
    return [k for k in sources() if k != "good"]


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(operator=st.sampled_from(sorted(OPERATORS)), seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(kinds()))
def test_mutants_give_findings_never_a_traceback(tmp_path_factory, operator, seed, kind):
    folder = tmp_path_factory.mktemp("case")
    mutant = mutate(operator, seed, sources()[kind])
    outcome = run_case(mutant, sources()["good"], BOOK, folder)
    assert not outcome["error"], f"{operator} seed={seed} on {kind}:\n{outcome['error']}"
    assert not outcome["internal"], f"{operator} seed={seed} on {kind}: {outcome['internal']}"
    assert not outcome["changed"]
    assert outcome["seconds"] < PER_FILE_SECONDS


@pytest.mark.parametrize("operator", ["odd_unicode", "odd_numbers"])
@pytest.mark.parametrize("seed", range(6))
def test_readable_mutants_still_give_every_output(tmp_path, operator, seed):
    """Odd text and numbers that still read: every output (workbook, JSON, report, returns) is written."""
    for kind in kinds():
        folder = tmp_path / kind
        outcome = run_case(mutate(operator, seed, sources()[kind]), sources()["good"], BOOK, folder, True)
        assert not outcome["error"], outcome["error"]
        assert not outcome["internal"], outcome["internal"]
        for name in ("tong_hop.xlsx", "ket_qua.json", "bao_cao.docx"):
            assert (folder / "ket_qua" / name).stat().st_size > 0
