"""The README's Python example ("Dùng từ Python") runs as a doctest on a copy of examples/."""

from __future__ import annotations

import doctest
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_example_runs(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path / "examples")  # the example writes ket_qua/ here, not into the repository
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    results = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=flags, encoding="utf-8")
    assert results.attempted > 0 and results.failed == 0, results
    assert (tmp_path / "examples" / "ket_qua" / "tong_hop.xlsx").is_file()
