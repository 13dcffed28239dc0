"""Fixtures built in code: a small criteria book and helpers to fill workbooks like a unit would."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ttdk_xl.core.models import AwardRule, Book, Criterion, ExplainRule, Kind, Level, Unit
from ttdk_xl.forms.template import write_unit_workbook

D = Decimal
ISSUED = datetime(2025, 11, 1, 8, 0, 0)


def make_book(units: int = 4, **overrides) -> Book:
    """A small book: two scored groups (60 + 40), bonuses capped at 5, a penalty, a disqualifier."""
    c = [
        Criterion("I", "Công tác chỉ đạo, tổ chức thi đua", D(60), Kind.GROUP),
        Criterion("I.1", "Ban hành kế hoạch thi đua", D(20), Kind.SCORED, ExplainRule.BELOW_MAX, parent="I", depth=1),
        Criterion(
            "I.2", "Triển khai phong trào thi đua", D(40), Kind.SCORED, ExplainRule.BELOW_MAX, parent="I", depth=1
        ),
        Criterion("II", "Phát triển kinh tế - xã hội", D(40), Kind.GROUP),
        Criterion("II.1", "Thu ngân sách", D(25), Kind.SCORED, ExplainRule.BELOW_MAX, parent="II", depth=1),
        Criterion("II.2", "Chuyển đổi số", D(15), Kind.SCORED, ExplainRule.NEVER, parent="II", depth=1),
        Criterion("III", "Điểm thưởng", D(8), Kind.GROUP),
        Criterion("III.1", "Cờ thi đua", D(5), Kind.BONUS, ExplainRule.ALWAYS, parent="III", depth=1),
        Criterion("III.2", "Mô hình mới", D(3), Kind.BONUS, ExplainRule.ALWAYS, parent="III", depth=1),
        Criterion("IV", "Điểm trừ", D(4), Kind.GROUP),
        Criterion("IV.1", "Nộp báo cáo chậm", D(4), Kind.PENALTY, ExplainRule.ALWAYS, parent="IV", depth=1),
        Criterion("IV.2", "Vi phạm nghiêm trọng", D(0), Kind.DISQUALIFIER, ExplainRule.ALWAYS, parent="IV", depth=1),
    ]
    names = [
        "UBND huyện Triệu Sơn",
        "UBND huyện Nông Cống",
        "UBND huyện Thọ Xuân",
        "UBND huyện Yên Định",
        "UBND huyện Đông Sơn",
        "UBND huyện Như Thanh",
    ]
    unit_list = tuple(
        Unit(
            f"U{i + 1}",
            names[i % len(names)] + ("" if i < len(names) else f" {i}"),
            "huyện",
            f"u{i + 1}@example.gov.vn",
        )
        for i in range(units)
    )
    fields = dict(
        cluster_name="Cụm thi đua số 9",
        parent_body="UBND tỉnh Thanh Hóa",
        year=2025,
        head_unit=unit_list[0].name,
        deputy_unit=unit_list[1].name if len(unit_list) > 1 else unit_list[0].name,
        deadline="15/12/2025",
        step=D("0.25"),
        bonus_cap=D(5),
        criteria=tuple(c),
        units=unit_list,
        levels=(
            Level("Xuất sắc", D(90)),
            Level("Tốt", D(80)),
            Level("Khá", D(65)),
            Level("Trung bình", D(50)),
            Level("Yếu", D(0)),
        ),
        awards=(
            AwardRule(1, "Cờ thi đua của UBND tỉnh", "Xuất sắc"),
            AwardRule(2, "Bằng khen của Chủ tịch UBND tỉnh", "Tốt"),
            AwardRule(3, "Bằng khen của Chủ tịch UBND tỉnh", "Tốt"),
        ),
        place="Triệu Sơn",
    )
    fields.update(overrides)
    return Book(**fields)


def full_entries(book: Book, **scores) -> dict:
    """Entries giving every scored criterion its max, with overrides by code (use '_' for '.')."""
    out = {}
    for c in book.leaves:
        if c.kind is Kind.SCORED:
            out[c.code] = (c.max_points, "")
    for key, value in scores.items():
        code = key.replace("_", ".")
        out[code] = value if isinstance(value, tuple) else (value, "Giải trình kèm minh chứng")
    return out


def fill(book: Book, unit_index: int, path: Path, entries: dict | None = None, issued=ISSUED) -> Path:
    """Write a filled workbook for book.units[unit_index], as a unit would return it."""
    return write_unit_workbook(book, book.units[unit_index], path, issued, entries=entries or full_entries(book))


def assert_prints_on_a4(ws, width_at_most: float = 75) -> None:
    """A one-column sheet of text (a `Hướng dẫn` sheet) prints within an A4 page: the column fits the page even
    where its width is measured in a font wider than Calibri (LibreOffice clips a column wider than the page,
    it does not scale it), every text longer than a line wraps in it, and every row is tall enough for its
    lines (no program grows the rows of a generated file on opening: the lines would cover the next rows)."""
    width = ws.column_dimensions["A"].width
    assert 60 <= width <= width_at_most
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    texts = [c for (c,) in ws.iter_rows(min_col=1, max_col=1) if isinstance(c.value, str) and c.value]
    assert texts
    for c in texts:
        size = c.font.sz or 11
        lines = len(textwrap.wrap(c.value, int(width * 1.2 * 12 / size)))  # more characters than fit: fewer lines
        height = ws.row_dimensions[c.row].height or 15
        assert lines == 1 or c.alignment.wrap_text, (c.coordinate, c.value)
        assert height >= lines * size * 1.15, (c.coordinate, c.value, height)


needs_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")


def resave_with_libreoffice(paths: list[Path], outdir: Path, scratch: Path, ext: str = "xlsx") -> Path:
    """Re-save workbooks as a real office suite writes them (`soffice --convert-to xlsx`, or `ext`) into
    `outdir`, with a LibreOffice profile of its own under `scratch`; returns `outdir`."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(scratch / 'lo_profile').as_uri()}", "--headless", "--convert-to",
         ext, "--outdir", str(outdir), *map(str, paths)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return outdir


@pytest.fixture
def book() -> Book:
    return make_book()
