"""Build the sample cluster year in examples/ (fictional data, marked as such).

    python scripts/make_examples.py            # writes examples/bo_tieu_chi.xlsx and examples/hop_thu/

The inbox holds one filled self-scoring workbook per unit of the default book, with the usual
small mess: renamed files, a score typed as '8,5', a file
re-saved by LibreOffice (when soffice is installed), and two units with equal totals that the
tie-break separates. Most units also registered their conference delegates (sheet `Đăng ký đại biểu`):
one registered too many, one none, and a few typed a phone number badly or forgot a name.
Deterministic: the same run gives the same scores.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ttdk_xl.book.load import load_book  # noqa: E402
from ttdk_xl.core.models import Book, Kind  # noqa: E402
from ttdk_xl.forms.template import write_unit_workbook  # noqa: E402

ISSUED = datetime(2025, 11, 20, 8, 0, 0)
NOTE = "DỮ LIỆU MẪU (hư cấu) — "
REASONS = [
    "Một số chỉ tiêu chưa đạt kế hoạch năm (Báo cáo số 215/BC-UBND ngày 05/12/2025).",
    "Chưa hoàn thành 1/5 nội dung đăng ký; có văn bản giải trình kèm theo.",
    "Tỷ lệ hồ sơ trực tuyến đạt 86%, thấp hơn chỉ tiêu 90%.",
    "Thu ngân sách đạt 97% dự toán do ảnh hưởng thiên tai.",
]


def scores_for(book: Book, rng: random.Random, strength: float) -> dict[str, tuple[object, str]]:
    """Plausible self-scores: most criteria near the max, a few below with reasons."""
    entries: dict[str, tuple[object, str]] = {}
    for c in book.leaves:
        if c.kind is Kind.SCORED:
            lost = Decimal(0)
            if rng.random() > strength:
                lost = book.step * rng.randint(1, int(c.max_points / book.step * Decimal("0.6")) or 1)
            score = c.max_points - lost
            entries[c.code] = (score, NOTE + rng.choice(REASONS) if score < c.max_points else "")
    return entries


# Delegates per unit index (fictional names; phone numbers in the unused 0912 000 xxx range).
DELEGATES: dict[int, list[tuple[str, str, str, str]]] = {
    0: [
        ("Lê Văn Hùng", "Phó Chủ tịch UBND huyện", "0912 000 101", "Trưởng đoàn"),
        ("Nguyễn Thị Lan", "Trưởng phòng Nội vụ", "0912.000.102", ""),
        ("Trịnh Văn Minh", "Chuyên viên phòng Nội vụ", "0912000103", ""),
    ],
    1: [
        ("Hoàng Văn Tuấn", "Phó Chủ tịch UBND huyện", "+84 912 000 201", "Trưởng đoàn"),
        ("Phạm Thị Hoa", "Phó Trưởng phòng Nội vụ", "0912 000 202", ""),
        ("Đỗ Minh Đức", "Chuyên viên phòng Nội vụ", "0237 3000 203", "Số cơ quan"),
    ],
    2: [
        ("Vũ Văn Thắng", "Chủ tịch UBND huyện", "0912 000 301", "Trưởng đoàn"),
        ("Lê Thị Mai", "Trưởng phòng Nội vụ", "0912 000 302", ""),
    ],
    3: [
        ("Nguyễn Văn Bình", "Phó Chủ tịch UBND huyện", "0912 000 401", "Trưởng đoàn"),
        ("Trần Thị Thu", "Trưởng phòng Nội vụ", "0912 000 402", ""),
        ("Lê Văn Nam", "Phó Trưởng phòng Nội vụ", "0912 000 403", ""),
        ("Mai Thị Hương", "Chuyên viên phòng Nội vụ", "0912 000 404", "Xin thêm 1 chỗ"),
    ],
    4: [
        ("Trịnh Đình Long", "Phó Chủ tịch UBND huyện", "0912 000 501", "Trưởng đoàn"),
        ("Lê Thị Hằng", "Trưởng phòng Nội vụ", "0912 000 502", ""),
        ("Nguyễn Đức Anh", "Chuyên viên phòng Nội vụ", "091 200 05", "Gõ thiếu số"),
    ],
    5: [
        ("Đào Văn Sơn", "Phó Chủ tịch UBND huyện", "0912 000 601", "Trưởng đoàn"),
        ("Lường Thị Nga", "Trưởng phòng Nội vụ", "0912 000 602", ""),
    ],
    # 6 (Quảng Xương): registered nobody yet.
    7: [
        ("Hà Văn Quang", "Phó Chủ tịch UBND huyện", "0912 000 801", "Trưởng đoàn"),
        ("", "Chuyên viên phòng Nội vụ", "0912 000 802", "Chưa ghi tên"),
        ("Lò Thị Xuân", "Trưởng phòng Nội vụ", "", ""),
    ],
}


def build(out: Path) -> None:
    book_path = ROOT / "input_templates" / "bo_tieu_chi.xlsx"
    book = load_book(book_path)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(book_path, out / "bo_tieu_chi.xlsx")
    inbox = out / "hop_thu"
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir()
    rng = random.Random(2025)
    strengths = [0.85, 0.75, 0.7, 0.6, 0.55, 0.5, 0.35, 0.45]
    bonus_codes = [c.code for c in book.leaves if c.kind is Kind.BONUS]
    penalty_codes = [c.code for c in book.leaves if c.kind is Kind.PENALTY]
    names = {}
    entries_by_unit = {}
    for i, unit in enumerate(book.units):
        entries = scores_for(book, rng, strengths[i])
        if i == 0:
            entries[bonus_codes[0]] = (Decimal(5), NOTE + "Quyết định số 123/QĐ-TTg tặng Cờ thi đua của Chính phủ.")
            entries[bonus_codes[1]] = (Decimal(4), NOTE + "Cờ thi đua của UBND tỉnh năm 2025.")
            entries[bonus_codes[2]] = (Decimal(3), NOTE + "Mô hình 'Dân vận khéo' được tỉnh nhân rộng.")
        if i == 1:
            entries[bonus_codes[2]] = (Decimal(2), NOTE + "Mô hình chuyển đổi số cấp xã được tỉnh công nhận.")
        if i == 4:
            entries[penalty_codes[0]] = (Decimal(2), NOTE + "Nộp báo cáo 6 tháng chậm 1 lần.")
        entries_by_unit[unit.code] = entries
        names[unit.code] = f"2025_{unit.code}_{unit.name}.xlsx"

    # Two units with the same total: copy unit 2's scores to unit 3 but move 0.5 point from group II
    # to group I, so the tie-break (group II first) decides.
    a, b = book.units[2].code, book.units[3].code
    tie = dict(entries_by_unit[a])
    ii = next(c for c in book.leaves if c.parent == "II" and tie[c.code][0] == c.max_points)
    i1 = next(c for c in book.leaves if c.parent == "I")
    if tie[i1.code][0] == i1.max_points:  # make room in unit a so that b can score 0.5 more there
        entries_by_unit[a][i1.code] = (i1.max_points - Decimal("0.5"), NOTE + REASONS[1])
        tie[i1.code] = entries_by_unit[a][i1.code]
    tie[ii.code] = (ii.max_points - Decimal("0.5"), NOTE + "Một chỉ tiêu chưa đạt kế hoạch.")
    tie[i1.code] = (tie[i1.code][0] + Decimal("0.5"), tie[i1.code][1])
    entries_by_unit[b] = tie

    # Small mess, as real inboxes have: a score typed as text with a comma, renamed files.
    c0 = next(c for c in book.leaves if c.kind is Kind.SCORED and c.max_points >= 8)
    entries_by_unit[book.units[5].code][c0.code] = (
        f"{(c0.max_points - Decimal('1.5')).normalize():f}".replace(".", ","),
        NOTE + REASONS[3],
    )
    names[book.units[1].code] = "Bang tu cham NONG CONG (gui lan 2).xlsx"
    names[book.units[6].code] = "tự chấm thi đua 2025 - Quảng Xương.xlsx"

    for i, unit in enumerate(book.units):
        write_unit_workbook(
            book,
            unit,
            inbox / names[unit.code],
            ISSUED,
            entries=entries_by_unit[unit.code],
            delegates=DELEGATES.get(i, []),
        )

    # One unit saved its file with LibreOffice, as many do.
    soffice = shutil.which("soffice")
    if soffice:
        target = inbox / names[book.units[4].code]
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{tmp}/p",
                    "--headless",
                    "--convert-to",
                    "xlsx",
                    "--outdir",
                    tmp,
                    str(target),
                ],
                check=True,
                capture_output=True,
            )
            shutil.copyfile(Path(tmp) / target.name, target)
    (out / "DU_LIEU_MAU.txt").write_text(
        "Đây là DỮ LIỆU MẪU hư cấu của một năm thi đua của Cụm thi đua số 2 (các huyện tỉnh Thanh Hóa), "
        "chỉ dùng để thử ttdk-xl. Các điểm số, giải trình, thư điện tử đều không có thật.\n"
        "Hai huyện bằng tổng điểm để thấy cách phân định hạng; một huyện gõ điểm dạng chữ '8,5'.\n"
        "Trang 'Đăng ký đại biểu': một huyện đăng ký quá số lượng, một huyện chưa đăng ký, vài số điện thoại "
        "gõ sai hoặc thiếu tên (họ tên, số điện thoại đều hư cấu).\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples")
