"""Names and positions shared by the template writer and the reader of returned workbooks.

These strings are a contract with the units' files: changing one breaks every workbook already sent.
"""

from __future__ import annotations

from functools import lru_cache

FORMAT_VERSION = "1"

SCORE_SHEET = "Tự chấm điểm"
GUIDE_SHEET = "Hướng dẫn"
META_SHEET = "_meta"

# Header texts of the score table (column order in the template: A..E, F is a hidden check column).
H_CODE = "Mã"
H_TEXT = "Nội dung tiêu chí"
H_MAX = "Điểm tối đa"
H_SCORE = "Điểm tự chấm"
H_EXPLAIN = "Giải trình, minh chứng"
HEADERS = (H_CODE, H_TEXT, H_MAX, H_SCORE, H_EXPLAIN)

HEADER_ROW = 8  # 1-based row of the table header in the template
UNIT_LABEL = "Đơn vị:"

# Labels of the summary rows under the table (column B); the reader finds the total by its label.
SUM_SCORED = "Cộng điểm chấm"
SUM_BONUS = "Điểm thưởng được tính"
SUM_PENALTY = "Điểm trừ"
SUM_TOTAL = "TỔNG ĐIỂM"

YES = "Có"
NO = "Không"

# Keys of the hidden _meta sheet.
META_KEYS = (
    "format_version",
    "tool",
    "cluster",
    "year",
    "unit_code",
    "unit_name",
    "fingerprint",
    "issued_at",
    "sheet",
    "header_row",
    "step",
    "bonus_cap",
    "criteria",
)


# The sheet where a unit registers its conference delegates
DELEGATE_SHEET = "Đăng ký đại biểu"
DELEGATE_HEADERS = ("STT", "Họ và tên", "Chức vụ", "Số điện thoại", "Ghi chú")
DELEGATE_HEADER_ROW = 7  # 0-based row of its table header (Excel row 8, as the score sheet's)
DELEGATE_EXTRA_ROWS = 3  # input rows beyond the seats allowed, so that a unit can show it needs more


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=16384)  # the same cells are named for every file
def cell_name(row0: int, col0: int) -> str:
    """0-based (row, col) → 'D12'."""
    return f"{col_letter(col0)}{row0 + 1}"
