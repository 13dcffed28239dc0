"""The public API (`import ttdk_xl`): real signatures, str paths accepted, pandas never loaded by a run."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap

import ttdk_xl
from tests.conftest import fill, full_entries
from tests.test_book import small_book, write_book
from ttdk_xl.core.models import Status
from ttdk_xl.pipeline import stages


def make_year(tmp_path):
    """A book file and an inbox: unit A full marks, unit B with a score above the max (I.2: 5 of 4)."""
    book_path = write_book(tmp_path / "bo_tieu_chi.xlsx", small_book())
    book = ttdk_xl.load_book(str(book_path))
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    good = fill(book, 0, inbox / "a.xlsx")
    bad = fill(book, 1, inbox / "b.xlsx", full_entries(book, I_2=(5, "")))
    return book_path, inbox, good, bad


def test_consolidate_has_the_signature_of_the_pipeline():
    public = inspect.signature(ttdk_xl.consolidate).parameters
    pipeline = inspect.signature(stages.consolidate).parameters
    assert [(p.name, p.kind, p.default, p.annotation) for p in public.values()] == [
        (p.name, p.kind, p.default, p.annotation) for p in pipeline.values()
    ]
    doc = ttdk_xl.consolidate.__doc__ or ""
    assert doc.isascii() and all(f"{name}:" in doc for name in public)  # every parameter described, in English


def test_str_paths_everywhere(tmp_path):
    book_path, inbox, good, bad = make_year(tmp_path)
    book = ttdk_xl.load_book(str(book_path))
    assert book.cluster_name == "Cụm thử" and [u.code for u in book.units] == ["A", "B"]

    result = ttdk_xl.consolidate(str(inbox), book=str(book_path), out=str(tmp_path / "ket_qua"))
    assert [(u.unit.code, u.status, u.rank) for u in result.units] == [
        ("A", Status.VALID, 1),
        ("B", Status.INVALID, None),
    ]
    assert (tmp_path / "ket_qua" / "tong_hop.xlsx").is_file()

    for against in (str(book_path), book, None):  # a path, a Book, or the rules the file was issued with
        findings = ttdk_xl.check([str(good), str(bad)], book=against)
        assert [(f.code, f.file) for f in findings if f.blocking] == [("score-above-max", bad.name)], against
    # one file alone, as a str, is one file (not its characters)
    assert [f.code for f in ttdk_xl.check(str(bad), book=book) if f.blocking] == ["score-above-max"]


def test_a_run_does_not_import_pandas(tmp_path):
    book_path, inbox, _, _ = make_year(tmp_path)
    code = textwrap.dedent(
        """
        import atexit, sys
        from ttdk_xl.cli.commands import main
        atexit.register(lambda: print("pandas loaded:", "pandas" in sys.modules, flush=True))  # main() ends at once
        main()
        """
    )
    args = ["consolidate", inbox, "--book", book_path, "-o", tmp_path / "ket_qua"]
    for argv in (["--help"], args):
        done = subprocess.run(
            [sys.executable, "-c", code, *map(str, argv)], capture_output=True, text=True, encoding="utf-8"
        )
        assert done.stdout.endswith("pandas loaded: False\n"), done.stdout + done.stderr
    assert (tmp_path / "ket_qua" / "tong_hop.xlsx").is_file()
