"""Sheet names, header texts and positions of the workbooks the tool writes and reads back: one place.

- the unit's workbook (bảng tự chấm: forms.template writes it, inbox.read and rules read it back): its
  strings are a contract with the units' files, changing one breaks every workbook already sent;
- tong_hop.xlsx, the summary workbook (outputs.summary), with its agreed-score sheet `Thẩm định`
  (rules.assessed writes it and reads it back);
- phieu_kiem.xlsx, the counters' tally workbook (outputs.ballots writes it and reads it back).

Every row and column here is 0-based (Excel row = row + 1). Header texts of tables that are only written,
never read back, stay with their writer.
"""

from __future__ import annotations

from functools import lru_cache

# ---------------------------------------------------------------------------------------- the unit's workbook

FORMAT_VERSION = "2"  # 2: the column `Hướng dẫn chấm` (C) moved the score to E; "1" files hold it in D

SCORE_SHEET = "Tự chấm điểm"
GUIDE_SHEET = "Hướng dẫn"
META_SHEET = "_meta"

# Header texts of the score table (column order in the template: A..F, G is a hidden check column). A returned
# file is read by these texts, not by position: workbooks of format "1" have no `Hướng dẫn chấm` (the score in D).
H_CODE = "Mã"
H_TEXT = "Nội dung tiêu chí"
H_GUIDE = "Hướng dẫn chấm"  # the book's guidance for the criterion, shown to the unit (never read back)
H_MAX = "Điểm tối đa"
H_SCORE = "Điểm tự chấm"
H_EXPLAIN = "Giải trình, minh chứng"
HEADERS = (H_CODE, H_TEXT, H_GUIDE, H_MAX, H_SCORE, H_EXPLAIN)
# Their columns in the template (0-based), and the hidden check column after them.
COL_CODE, COL_TEXT, COL_GUIDE, COL_MAX, COL_SCORE, COL_EXPLAIN, COL_CHECK = range(7)

SCORE_HEADER_ROW = 7  # row of the score table's header in the template (Excel row 8; criteria follow)
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
DELEGATE_H_STT = "STT"
DELEGATE_H_NAME = "Họ và tên"
DELEGATE_H_TITLE = "Chức vụ"
DELEGATE_H_PHONE = "Số điện thoại"
DELEGATE_H_NOTE = "Ghi chú"
DELEGATE_HEADERS = (DELEGATE_H_STT, DELEGATE_H_NAME, DELEGATE_H_TITLE, DELEGATE_H_PHONE, DELEGATE_H_NOTE)
DELEGATE_HEADER_ROW = 7  # row of its table header (Excel row 8, as the score sheet's)
DELEGATE_EXTRA_ROWS = 3  # input rows beyond the seats allowed, so that a unit can show it needs more

# ---------------------------------------------------------------------------------------- tong_hop.xlsx

SUMMARY_SHEET = "Tổng hợp"  # totals, ranks, levels and awards of every unit
SUMMARY_CHECK_SHEET = "Kiểm tra"
SUMMARY_MATRIX_SHEET = "Chi tiết điểm"
SUMMARY_EXPLAIN_SHEET = "Giải trình"
SUMMARY_SOURCE_SHEET = "Nguồn"
SUMMARY_CHART_SHEET = "Biểu đồ"
ASSESSED_SHEET = "Thẩm định"  # editable agreed scores (rules.assessed)
ASSESSED_CHANGES_SHEET = "Điểm điều chỉnh"  # after `Thẩm định` when agreed scores were applied
SUMMARY_SHEETS = (
    SUMMARY_SHEET,
    SUMMARY_CHECK_SHEET,
    ASSESSED_SHEET,
    SUMMARY_MATRIX_SHEET,
    SUMMARY_EXPLAIN_SHEET,
    SUMMARY_SOURCE_SHEET,
    SUMMARY_CHART_SHEET,
)
SUMMARY_HEADER_ROW = 3  # row of the table header on every sheet but `Thẩm định` (rows 0–2: the title block)
SUMMARY_HISTORY_SHEET = "Qua các năm"  # last, only when the result has a history (outputs.history_sheet)

# ---------------------------------------------------------------------------------------- lich_su/lich_su.xlsx
# The earlier years typed by hand and the unit codes that changed (history.files; outputs.history_template).

HISTORY_YEARS_SHEET = "Kết quả các năm"
HISTORY_CODES_SHEET = "Đổi mã đơn vị"
HISTORY_YEAR_COLUMNS = (
    "Năm",
    "Mã đơn vị",
    "Tên đơn vị",
    "Tổng điểm",
    "Xếp hạng",
    "Xếp loại",
    "Khen thưởng",
    "Vai trò trong Cụm",
)
HISTORY_CODE_COLUMNS = ("Mã cũ", "Tên cũ", "Mã mới", "Năm đổi", "Ghi chú")

# `Thẩm định`: rows 0–2 the title block; one merged cell per unit over its three columns on ASSESSED_UNIT_ROW
# ("UBND huyện Triệu Sơn (TSN)"); the header row: H_CODE, H_TEXT, H_MAX (as the score sheet's), then per unit
# ASSESSED_H_SELF, ASSESSED_H_AGREED, ASSESSED_H_REASON; one row per criterion from ASSESSED_FIRST_ROW.
ASSESSED_H_SELF = "Tự chấm"
ASSESSED_H_AGREED = "Thẩm định"
ASSESSED_H_REASON = "Lý do điều chỉnh"
ASSESSED_UNIT_ROW = 3
ASSESSED_HEADER_ROW = 4
ASSESSED_FIRST_ROW = 5
ASSESSED_FIRST_UNIT_COL = 3

# ---------------------------------------------------------------------------------------- phieu_kiem.xlsx

TALLY_FORMAT = "ttdk-xl/phieu_kiem@1"  # in its hidden _meta sheet
TALLY_INFO_SHEET = "Thông tin"
TALLY_META_SHEET = "_meta"
TALLY_ACCLAIM_SHEET = "Suy tôn"  # one sheet per vote, one row per ballot
TALLY_HEAD_SHEET = "Cụm trưởng"
TALLY_DEPUTY_SHEET = "Cụm phó"
TALLY_HEADER_ROW = 3  # row of the column headers in each vote sheet
TALLY_H_BALLOT = "Phiếu số"
TALLY_H_INVALID = "Không hợp lệ"
TALLY_H_NOTE = "Ghi chú"
# Labels of `Thông tin` (column A; the value beside each in column B)
TALLY_K_CONVENED = "Số đại biểu được triệu tập"
TALLY_K_PRESENT = "Số đại biểu có mặt"
TALLY_K_QUORUM = "Tỷ lệ có mặt tối thiểu"  # also a key of the book's `Thông tin`
TALLY_K_DATE = "Ngày kiểm phiếu"
TALLY_K_PLACE = "Địa điểm"
TALLY_K_CHIEF = "Tổ trưởng tổ kiểm phiếu"
TALLY_K_MEMBERS = "Thành viên tổ kiểm phiếu"

# ---------------------------------------------------------------------------------------- cells


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
