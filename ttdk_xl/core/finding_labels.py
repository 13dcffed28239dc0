"""A short Vietnamese label for each finding code.

The codes (`score-above-max`, `superseded`, …) are stable, for machines (ket_qua.json, scripts); people
read the label first (sheet `Kiểm tra` of tong_hop.xlsx, dai_bieu.xlsx). A code without a label is shown
as it is.
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    # the file
    "file-empty": "Tệp rỗng",
    "file-corrupt": "Tệp hỏng",
    "file-password": "Tệp có mật khẩu",
    "file-unreadable": "Không đọc được tệp",
    "file-too-large": "Tệp quá lớn",
    "sheet-too-large": "Dữ liệu ngoài bảng",
    "xml-entities": "Tệp có nội dung nguy hiểm",
    "internal-error": "Lỗi của ttdk-xl",
    "not-ttdk-workbook": "Không phải bảng tự chấm",
    "not-spreadsheet": "Không phải bảng tính",
    "lock-file": "Tệp khóa tạm",
    "duplicate-file": "Tệp gửi trùng",
    "superseded": "Đã có tệp mới hơn",
    "book-needed": "Cần bộ tiêu chí",
    "email-unreadable": "Không đọc được thư",
    "email-no-spreadsheet": "Thư không kèm bảng tính",
    "msg-unsupported": "Không đọc được thư Outlook",
    "sender-mismatch": "Người gửi khác địa chỉ đơn vị",
    "output-not-written": "Không ghi được tệp kết quả",
    # the template
    "wrong-cluster": "Sai cụm thi đua",
    "wrong-year": "Sai năm",
    "wrong-fingerprint": "Mẫu cũ (tiêu chí đã đổi)",
    "unknown-unit": "Không rõ đơn vị",
    "unit-name-mismatch": "Tên đơn vị không khớp",
    "meta-missing": "Mất thông tin mẫu",
    "sheet-renamed": "Trang bị đổi tên",
    "protection-removed": "Đã bỏ khóa bảng",
    "column-missing": "Thiếu cột",
    # the rows
    "row-added": "Thêm dòng tiêu chí",
    "row-removed": "Mất dòng tiêu chí",
    "row-duplicated": "Trùng dòng tiêu chí",
    "row-reordered": "Đảo thứ tự tiêu chí",
    "row-reworded": "Sửa nội dung tiêu chí",
    "max-changed": "Sửa điểm tối đa",
    # the cells
    "score-missing": "Chưa chấm điểm",
    "score-not-number": "Điểm không phải số",
    "score-as-text": "Điểm gõ dạng chữ",
    "score-as-text-comma": "Điểm gõ dấu phẩy",
    "score-as-text-unit": "Điểm gõ kèm chữ",
    "score-negative": "Điểm âm",
    "score-above-max": "Điểm vượt tối đa",
    "score-off-step": "Điểm lệch bước điểm",
    "formula-no-value": "Công thức chưa có giá trị",
    "excel-error": "Ô báo lỗi Excel",
    "disqualifier-invalid": "Điểm liệt không hợp lệ",
    "explanation-missing": "Thiếu giải trình",
    "legacy-encoding": "Chữ gõ bảng mã cũ",
    "total-mismatch": "Tổng điểm tự tính khác",
    # the inbox
    "unit-missing": "Chưa nộp",
    # delegates
    "delegate-header-missing": "Mất tiêu đề bảng đại biểu",
    "delegate-name-missing": "Thiếu họ tên đại biểu",
    "delegate-phone-invalid": "Số điện thoại sai",
    "delegate-phone-missing": "Thiếu số điện thoại",
    "delegate-duplicate": "Đại biểu trùng",
    "delegate-sheet-missing": "Không có trang đăng ký",
    "delegates-no-file": "Chưa gửi tệp",
    "delegates-none": "Chưa đăng ký đại biểu",
    "delegates-too-many": "Quá số đại biểu",
    # agreed scores
    "assessed-missing": "Thiếu điểm thẩm định",
    "assessed-not-number": "Điểm thẩm định không phải số",
    "assessed-text-number": "Điểm thẩm định dạng chữ",
    "assessed-negative": "Điểm thẩm định âm",
    "assessed-above-max": "Điểm thẩm định vượt tối đa",
    "assessed-off-step": "Điểm thẩm định lệch bước",
    "assessed-not-yes-no": "Điểm liệt ghi sai",
    "assessed-no-reason": "Thiếu lý do điều chỉnh",
    "assessed-column-missing": "Thiếu cột thẩm định",
    "assessed-row-missing": "Thiếu dòng thẩm định",
    "assessed-unit-missing": "Thiếu đơn vị thẩm định",
    "assessed-unit-unknown": "Không rõ đơn vị thẩm định",
    "assessed-unit-duplicate": "Trùng đơn vị thẩm định",
    # the count
    "tally-bad-mark": "Đánh dấu phiếu sai",
    "tally-columns": "Sai cột bảng kiểm phiếu",
    "tally-delegates": "Sai số đại biểu",
    "tally-duplicate-ballot": "Trùng số phiếu",
    "tally-no-number": "Thiếu số phiếu",
    "tally-no-info": "Thiếu trang thông tin kiểm phiếu",
    "tally-no-sheet": "Thiếu trang phiếu",
    "tally-no-quorum": "Không đủ đại biểu có mặt",
    "tally-present-above-convened": "Có mặt nhiều hơn triệu tập",
    "tally-too-many": "Phiếu chọn quá số",
    "tally-too-many-ballots": "Nhiều phiếu hơn đại biểu",
    "tally-unknown-column": "Cột không rõ",
    # history (lich_su/)
    "history-folder-not-year": "Thư mục lịch sử không phải năm",
    "history-year-empty": "Thư mục năm không có kết quả",
    "history-file-unreadable": "Không đọc được tệp lịch sử",
    "history-year-mismatch": "Tệp lưu trữ khác năm",
    "history-book-unreadable": "Không đọc được bộ tiêu chí lưu trữ",
    "history-no-header": "Thiếu tiêu đề bảng lịch sử",
    "history-code-map-incomplete": "Dòng đổi mã thiếu mã",
    "history-code-split": "Mã cũ đổi sang hai mã",
    "history-code-map-unknown": "Mã mới không có trong bộ tiêu chí",
    "history-bad-year": "Năm không hợp lệ",
    "history-no-unit": "Thiếu mã đơn vị",
    "history-not-a-number": "Điểm, hạng không phải số",
    "history-bad-role": "Vai trò không rõ",
    "history-future-year": "Năm chưa qua",
    "history-unknown-unit": "Đơn vị không có trong bộ tiêu chí",
    "history-duplicate": "Trùng đơn vị trong năm",
}


def label(code: str) -> str:
    """The Vietnamese label of a finding code (the code itself when it has none)."""
    return LABELS.get(code, code)
