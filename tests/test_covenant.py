"""The emulation covenant written from the criteria book."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from docx import Document

from tests.conftest import make_book
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.outputs.covenant import COVENANT_NAME, write_covenant

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def text_of(path: Path) -> tuple[str, list[list[str]]]:
    doc = Document(str(path))
    tables = [[c.text for row in t.rows for c in row.cells] for t in doc.tables]
    return "\n".join(p.text for p in doc.paragraphs), tables


def test_covenant_lists_criteria_points_and_a_signature_per_unit(tmp_path):
    book = make_book(units=5)
    path = write_covenant(book, tmp_path / COVENANT_NAME)
    body, tables = text_of(path)
    assert "GIAO ƯỚC THI ĐUA" in body and "Năm 2026 của Cụm thi đua số 9" in body
    _header, criteria, signatures = tables
    for c in book.criteria:
        assert c.code in criteria
    assert "Điểm liệt" in criteria and "trừ đến 4" in criteria  # penalty and disqualifier worded, not "0"
    i = criteria.index("I.2")
    assert criteria[i + 2] == "40"
    assert "Không để xảy ra vi phạm thuộc tiêu chí điểm liệt: Vi phạm nghiêm trọng." in body
    assert "thang điểm 100 điểm; điểm thưởng tối đa 5 điểm" in body
    cells = [c for c in signatures if "CHỦ TỊCH" in c]
    assert len(cells) == len(book.units)  # one signature block per member unit
    assert sum("[Họ và tên]" in c for c in signatures) == len(book.units)
    for unit, cell in zip(book.units, cells, strict=True):
        assert unit.name.upper() in cell and "CHỦ TỊCH" in cell


def test_covenant_cli_on_the_sample(tmp_path):
    result = CliRunner().invoke(cli, ["covenant", str(EXAMPLES / "bo_tieu_chi.xlsx"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    book = load_book(EXAMPLES / "bo_tieu_chi.xlsx")
    assert "năm 2026" in result.output and f"{len(book.units)} đơn vị" in result.output
    assert (tmp_path / COVENANT_NAME).exists()
    result = CliRunner().invoke(
        cli, ["covenant", str(EXAMPLES / "bo_tieu_chi.xlsx"), "-o", str(tmp_path), "--nam", "2025"]
    )
    assert result.exit_code == 0 and "năm 2025" in result.output
    assert "Năm 2025 của" in text_of(tmp_path / COVENANT_NAME)[0]


def test_covenant_carries_how_each_criterion_is_scored(tmp_path):
    """Issue 17, item 7: the book's `Hướng dẫn chấm` is in the covenant's criteria table, beside each criterion."""
    book = load_book(EXAMPLES / "bo_tieu_chi.xlsx")
    _body, tables = text_of(write_covenant(book, tmp_path / COVENANT_NAME))
    criteria = tables[1]
    assert criteria[:4] == ["Mã", "Phong trào, tiêu chí thi đua", "Hướng dẫn chấm", "Điểm tối đa"]
    for c in book.leaves:
        i = criteria.index(c.code)
        assert criteria[i + 2] == c.guidance and c.guidance
