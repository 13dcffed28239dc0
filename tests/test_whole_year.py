"""A whole year in one folder, as an office plays it, and the commands in random orders: what a person typed
is never lost."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from tests.conftest import needs_soffice, resave_with_libreoffice
from tests.test_ballots import enter
from tests.test_year import make_year, send, sheet_rows, type_agreed
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.layout import ASSESSED_SHEET
from ttdk_xl.core.year_folder import YearFolder


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def totals(year: YearFolder) -> dict[str, str]:
    data = json.loads((year.results / "ket_qua.json").read_text(encoding="utf-8"))
    return {u["code"]: u["total"] for u in data["units"]}


def agreed_cell(path: Path, unit: str, code: str) -> tuple[object, object]:
    """(agreed value, reason) of a unit's criterion in `Thẩm định`."""
    rows = sheet_rows(path, ASSESSED_SHEET)
    col = next(i for i, v in enumerate(rows[3]) if isinstance(v, str) and v.endswith(f"({unit})")) + 1
    row = next(r for r in rows if r[0] == code)
    return row[col], row[col + 1]


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@needs_soffice
def test_a_whole_year_in_one_folder(tmp_path):
    root = tmp_path / "cum-2025"
    assert run("init", root).exit_code == 0
    year = make_year(tmp_path / "tmp-year")  # the test's small book, copied over init's sample one
    year.book.replace(root / "bo_tieu_chi.xlsx")
    year = YearFolder(root)
    assert run("template", year.book, "-o", year.forms).exit_code == 0
    send(year, "A", {})
    send(year, "B", {"I.1": 5})
    out = run("consolidate", root)
    assert out.exit_code == 1 and year.agreed.is_file(), out.output  # C is late

    # At the conference: agreed scores typed in Excel, the file then re-saved by LibreOffice.
    type_agreed(year.agreed, {("A", "I.1"): (3, "Thiếu minh chứng")})
    resaved = resave_with_libreoffice([year.agreed], tmp_path / "lo", tmp_path) / year.agreed.name
    resaved.replace(year.agreed)
    # A late file arrives; the office runs consolidate again, with no option.
    send(year, "C", {"I.1": 4})
    out = run("consolidate", root)
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0].startswith("Dùng điểm thẩm định từ tham_dinh.xlsx")
    assert totals(year) == {"A": "12", "B": "14", "C": "13"}
    assert agreed_cell(year.agreed, "A", "I.1") == (3.0, "Thiếu minh chứng")

    # Ballots without options: in the agreed order (B, C, A).
    out = run("ballots", root)
    assert out.exit_code == 0, out.output
    ballot = docx_text(year.ballots / "phieu_suy_ton.docx")
    assert ballot.index("UBND huyện B") < ballot.index("UBND huyện C") < ballot.index("UBND huyện A")

    # The counters fill the tally sheet; LibreOffice re-saves it; the count reads it.
    enter(year.tally, present=3, ballots={"suy_ton": ["B C", "B C", "B"], "cum_truong": ["C"] * 3,
                                         "cum_pho": ["A"] * 3})  # fmt: skip
    resaved = resave_with_libreoffice([year.tally], tmp_path / "lo2", tmp_path) / year.tally.name
    resaved.replace(year.tally)
    import os

    here = os.getcwd()
    os.chdir(root)
    try:
        out = run("tally")
    finally:
        os.chdir(here)
    assert out.exit_code == 0, out.output
    assert (year.ballots / "bien_ban_kiem_phieu.docx").is_file()

    # The dossier reads the count; next year starts from the election.
    out = run("ho-so", root)
    assert out.exit_code == 0, out.output
    to_trinh = docx_text(year.dossier / "to_trinh.docx")
    assert "UBND huyện B: đơn vị dẫn đầu (Nhất)" in to_trinh, out.output + to_trinh
    assert "UBND huyện C" in to_trinh and "Bằng khen của Chủ tịch UBND tỉnh" in to_trinh, to_trinh
    assert "bầu" in docx_text(year.dossier / "bao_cao.docx").lower()
    out = run("trang-thai", root)
    assert "[x] 8. Hồ sơ đề nghị khen thưởng" in out.output, out.output
    out = run("nam-moi", root)
    assert out.exit_code == 0, out.output
    nxt = load_book(tmp_path / "cum-2026" / "bo_tieu_chi.xlsx")
    assert (nxt.year, nxt.head_unit, nxt.deputy_unit) == (2026, "UBND huyện C", "UBND huyện A")
    archived = json.loads((tmp_path / "cum-2026" / "lich_su" / "2025" / "ket_qua.json").read_text(encoding="utf-8"))
    assert {u["code"]: u["total"] for u in archived["units"]} == {"A": "12", "B": "14", "C": "13"}


ACTIONS = ("consolidate", "consolidate-eml", "ballots", "tally", "ho-so", "trang-thai", "delegates", "late", "resend",
           "template", "consolidate-elsewhere")  # fmt: skip


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(ACTIONS), min_size=3, max_size=6))
def test_commands_in_any_order_never_lose_what_a_person_typed(tmp_path_factory, actions):
    tmp = tmp_path_factory.mktemp("year")
    year = make_year(tmp / "nam")
    send(year, "A", {})
    send(year, "B", {"I.1": 5})
    run("consolidate", year.root)
    type_agreed(year.agreed, {("A", "I.1"): (3, "Thiếu minh chứng"), ("B", "II.1"): (4.5, None)})
    assert run("ballots", year.root).exit_code == 0
    enter(year.tally, present=3, ballots={"suy_ton": ["B"] * 3, "cum_truong": ["B"] * 3, "cum_pho": ["A"] * 3})
    typed_tally = year.tally.read_bytes()
    book = year.book.read_bytes()
    for action in actions:
        if action == "late":
            send(year, "C", {"I.2": 3})
        elif action == "resend":
            send(year, "B", {"I.1": 4}, name="B_lan_2.xlsx")
        elif action == "consolidate-eml":
            run("consolidate", year.root, "--eml")
        elif action == "consolidate-elsewhere":
            run("consolidate", year.inbox, "-o", tmp / "khac")
        elif action == "template":
            run("template", year.book, "-o", year.forms)
        elif action == "tally":
            run("tally", year.tally)
        else:
            result = run(action, year.root)
            assert "Traceback" not in result.output, (action, result.output)
        # After every step: the typed agreed scores and reasons, the typed count and the book are intact.
        assert agreed_cell(year.agreed, "A", "I.1") == (3.0, "Thiếu minh chứng"), action
        assert agreed_cell(year.agreed, "B", "II.1")[0] == 4.5, action
        assert year.tally.read_bytes() == typed_tally, action
        assert year.book.read_bytes() == book, action
    out = run("consolidate", year.root)
    assert out.output.splitlines()[0].startswith("Dùng điểm thẩm định từ tham_dinh.xlsx"), out.output
    assert totals(year)["A"] == "12"
    assert CalamineWorkbook.from_path(str(year.agreed)).sheet_names[0] == ASSESSED_SHEET
