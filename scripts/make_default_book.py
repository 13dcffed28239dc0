"""Build the default criteria book `input_templates/bo_tieu_chi.xlsx` (deterministic bytes).

Usage: python scripts/make_default_book.py [OUT.xlsx]

The content is the proposal of research/domain.md ("Proposed defaults for the tool") for a fictional
year of Thanh Hóa's emulation cluster no. 2 (sample data: names, e-mails and phones are invented).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "input_templates" / "bo_tieu_chi.xlsx"
sys.path.insert(0, str(ROOT))

from ttdk_xl.core.rowfit import fit_height, text_lines  # noqa: E402
from ttdk_xl.forms.template import GUIDE_WIDTH  # noqa: E402  (the units' guide: the same page width)

KINDS = ["nhóm", "chấm điểm", "điểm thưởng", "điểm trừ", "điểm liệt"]
EXPLAIN = ["khi chưa đạt tối đa", "luôn luôn", "không"]
TIEBREAKS = ["Điểm trừ ít hơn", "Điểm thưởng nhiều hơn", "Nhiều tiêu chí đạt tối đa hơn"]

INFO = [
    ("Tên cụm", "Cụm thi đua số 2", "Ghi đúng như trong quyết định thành lập cụm."),
    ("Cơ quan cấp trên", "UBND tỉnh Thanh Hóa", "Cơ quan chủ quản, in ở góc trái đầu báo cáo."),
    ("Năm", 2025, "Năm thi đua (4 chữ số)."),
    ("Đơn vị trưởng cụm", "UBND huyện Triệu Sơn", "Đơn vị làm cụm trưởng năm nay."),
    ("Đơn vị phó cụm", "UBND huyện Nông Cống", "Đơn vị làm cụm phó năm nay."),
    ("Hạn nộp", "15/12/2025", "Hạn các đơn vị gửi bảng tự chấm điểm (ghi dạng ngày/tháng/năm)."),
    ("Bước điểm", 0.25, "Điểm chấm phải là bội số của bước này (ví dụ 0,25 → 7; 7,25; 7,5…)."),
    ("Điểm thưởng tối đa", 10, "Tổng điểm thưởng được cộng không vượt quá số này."),
    ("Địa danh", "Triệu Sơn", "Địa danh ghi ở dòng ngày tháng của báo cáo."),
    # Optional keys (blank: the default in the note). The conference (ttdk-xl hoi-nghi, ballots, tally):
    ("Ngày hội nghị", "", "Ngày Hội nghị tổng kết (ngày/tháng/năm): ngày ghi trên mọi văn bản của Hội nghị."),
    ("Giờ hội nghị", "", "Để trống: 08h00."),
    ("Địa điểm hội nghị", "", "Để trống: [hội trường], trụ sở đơn vị Cụm trưởng (tô vàng để điền)."),
    ("Kinh phí hội nghị", "", "Để trống: trích từ Quỹ Thi đua, khen thưởng của đơn vị Cụm trưởng."),
    ("Căn cứ tổ chức hội nghị", "", "Căn cứ của kế hoạch Hội nghị, mỗi căn cứ một dòng (Alt+Enter)."),
    ("Cơ quan thi đua tỉnh", "", "Để trống: Ban Thi đua - Khen thưởng tỉnh."),
    (
        "Đại biểu cấp tỉnh",
        "",
        "Để trống: thành viên Hội đồng Thi đua - Khen thưởng tỉnh phụ trách Cụm; lãnh đạo, "
        "chuyên viên cơ quan thi đua tỉnh.",
    ),
    ("Đại biểu mỗi đơn vị", "", "Để trống: Chủ tịch; Trưởng phòng Nội vụ; chuyên viên phụ trách thi đua, khen thưởng."),
    ("Đại biểu đơn vị Cụm phó", "", "Để trống: đại diện lãnh đạo cấp ủy, chính quyền."),
    ("Đại biểu đơn vị Cụm trưởng", "", "Để trống: Thường trực cấp ủy, HĐND, lãnh đạo UBND, MTTQ; Trưởng phòng Nội vụ."),
    ("Hạn đăng ký đại biểu", "", "Để trống: 05 ngày trước ngày Hội nghị."),
    ("Tham quan mô hình", "", "Mô hình, điển hình tiên tiến Hội nghị đến tham quan (để trống: tô vàng để điền)."),
    ("Người ký văn bản hội nghị", "", "Họ và tên người ký kế hoạch, giấy mời (để trống: tô vàng để điền)."),
    ("Tỷ lệ có mặt tối thiểu", "", "Để trống: 2/3 số đại biểu được triệu tập (bỏ phiếu hợp lệ)."),
    ("Số đơn vị suy tôn", "", "Để trống: bằng số hạng có trong trang 'Khen thưởng'."),
    # The award dossier after the vote (ttdk-xl ho-so):
    ("Số tờ trình", "", "Số, ký hiệu tờ trình, ví dụ 125/TTr-UBND (để trống: …/TTr-CTĐ tô vàng)."),
    ("Kính gửi", "", "Để trống: Chủ tịch Ủy ban nhân dân tỉnh."),
    ("Cơ quan tiếp nhận hồ sơ", "", "Để trống: Sở Nội vụ tỉnh."),
    (
        "Căn cứ pháp lý",
        "",
        "Căn cứ của tờ trình, mỗi căn cứ một dòng (để trống: Luật Thi đua, khen thưởng 2022, "
        "Nghị định 152/2025/NĐ-CP, văn bản của tỉnh, biên bản họp).",
    ),
    ("Nơi nhận tờ trình", "", "Mỗi nơi nhận một dòng (để trống: Như trên; Sở Nội vụ; các đơn vị trong Cụm; Lưu: VT)."),
    ("Thẩm quyền ký", "", "Để trống: CỤM TRƯỞNG."),
    ("Chức vụ người ký", "", "Để trống: Chủ tịch của đơn vị Cụm trưởng."),
    ("Người ký", "", "Họ và tên người ký tờ trình, báo cáo (để trống: tô vàng để điền)."),
    ("Thời gian họp", "", "Giờ họp bình xét ghi trong biên bản, ví dụ 08 giờ 00 phút."),
    ("Địa điểm họp", "", "Để trống: địa điểm trong bảng kiểm phiếu, hoặc Địa danh."),
    ("Chủ trì hội nghị", "", "Ví dụ: Ông Lê Văn A, Chủ tịch UBND huyện Triệu Sơn (để trống: tô vàng để điền)."),
    ("Thư ký hội nghị", "", "Họ tên, chức vụ thư ký Hội nghị (để trống: tô vàng để điền)."),
    ("Đại biểu vắng mặt", "", "Đại biểu, đơn vị vắng mặt ghi trong biên bản họp (để trống: tô vàng để điền)."),
]

SCORED = "chấm điểm"
BONUS = "điểm thưởng"
PENALTY = "điểm trừ"
DISQ = "điểm liệt"
GROUP = "nhóm"
BELOW = "khi chưa đạt tối đa"
ALWAYS = "luôn luôn"

# (code, text, max, kind, explain, guidance)
CRITERIA = [
    ("I", "Công tác chỉ đạo, tổ chức thi đua", 20, GROUP, "", ""),
    (
        "I.1",
        "Ban hành kế hoạch, phát động phong trào thi đua năm; đăng ký danh hiệu và ký giao ước thi đua đúng thời hạn",
        5,
        SCORED,
        BELOW,
        "Đủ kế hoạch, phát động, đăng ký và giao ước đúng hạn: 5 điểm; mỗi nội dung thiếu hoặc chậm trừ 1 điểm.",
    ),
    (
        "I.2",
        "Triển khai các phong trào thi đua do Trung ương, tỉnh phát động (xây dựng nông thôn mới, "
        '"Cả nước thi đua đổi mới sáng tạo và chuyển đổi số"…)',
        7,
        SCORED,
        BELOW,
        "Căn cứ kế hoạch, báo cáo sơ kết, tổng kết từng phong trào; phong trào nào chưa triển khai trừ 1 điểm.",
    ),
    (
        "I.3",
        "Phát hiện, bồi dưỡng, tổng kết và nhân rộng điển hình tiên tiến",
        4,
        SCORED,
        BELOW,
        "Có danh sách điển hình, tuyên truyền, nhân rộng trên phương tiện thông tin: 4 điểm; làm chưa đầy đủ 1–3 điểm.",
    ),
    (
        "I.4",
        "Tham gia đầy đủ hoạt động của Cụm; thực hiện chế độ thông tin, báo cáo đúng hạn",
        4,
        SCORED,
        BELOW,
        "Dự đủ các hội nghị, hoạt động của Cụm và gửi báo cáo đúng hạn: 4 điểm; mỗi lần vắng hoặc chậm trừ 1 điểm.",
    ),
    ("II", "Thực hiện nhiệm vụ phát triển kinh tế - xã hội", 45, GROUP, "", ""),
    (
        "II.1",
        "Tăng trưởng kinh tế / giá trị sản xuất đạt, vượt kế hoạch",
        10,
        SCORED,
        BELOW,
        "Đạt kế hoạch: 8 điểm; vượt kế hoạch: 10 điểm; không đạt: chấm theo tỷ lệ hoàn thành. Ghi số liệu cụ thể.",
    ),
    (
        "II.2",
        "Thu ngân sách nhà nước trên địa bàn đạt, vượt dự toán",
        8,
        SCORED,
        BELOW,
        "Đạt dự toán được giao: 6 điểm; vượt dự toán: 8 điểm; không đạt: chấm theo tỷ lệ. Ghi số thu và tỷ lệ.",
    ),
    (
        "II.3",
        "Xây dựng nông thôn mới, đô thị văn minh",
        7,
        SCORED,
        BELOW,
        "Hoàn thành chỉ tiêu nông thôn mới, đô thị văn minh năm được giao: 7 điểm; mỗi chỉ tiêu chưa đạt trừ 1 điểm.",
    ),
    (
        "II.4",
        "Giáo dục, y tế, văn hóa, giảm nghèo, bảo đảm an sinh xã hội",
        10,
        SCORED,
        BELOW,
        "Mỗi lĩnh vực đạt chỉ tiêu: 2 điểm (5 lĩnh vực). Ghi tỷ lệ hộ nghèo, trường chuẩn, bảo hiểm y tế…",
    ),
    (
        "II.5",
        "Cải cách hành chính, chuyển đổi số",
        5,
        SCORED,
        BELOW,
        "Căn cứ chỉ số cải cách hành chính và tỷ lệ hồ sơ trực tuyến do tỉnh công bố; ghi thứ hạng, tỷ lệ.",
    ),
    (
        "II.6",
        "Quản lý đất đai, tài nguyên, bảo vệ môi trường",
        5,
        SCORED,
        BELOW,
        "Không để xảy ra vi phạm lớn về đất đai, môi trường: 5 điểm; có vi phạm bị xử lý trừ 1–3 điểm.",
    ),
    ("III", "Quốc phòng, an ninh", 15, GROUP, "", ""),
    (
        "III.1",
        "Hoàn thành nhiệm vụ quân sự, quốc phòng địa phương, tuyển quân",
        7,
        SCORED,
        BELOW,
        "Giao quân đủ 100% chỉ tiêu, hoàn thành diễn tập, huấn luyện: 7 điểm; mỗi nhiệm vụ chưa đạt trừ 2 điểm.",
    ),
    (
        "III.2",
        "Giữ vững an ninh chính trị, trật tự an toàn xã hội; giải quyết khiếu nại, tố cáo",
        8,
        SCORED,
        BELOW,
        "Không có điểm nóng, giải quyết khiếu nại, tố cáo đạt tỷ lệ tỉnh giao: 8 điểm; chưa đạt chấm theo mức độ.",
    ),
    ("IV", "Xây dựng hệ thống chính trị, công tác khen thưởng", 20, GROUP, "", ""),
    (
        "IV.1",
        "Xây dựng Đảng, chính quyền, Mặt trận, đoàn thể; thực hành tiết kiệm, phòng chống tham nhũng, tiêu cực",
        8,
        SCORED,
        BELOW,
        "Tổ chức Đảng, chính quyền, đoàn thể được đánh giá hoàn thành tốt nhiệm vụ trở lên: 8 điểm.",
    ),
    (
        "IV.2",
        "Khen thưởng đúng quy định, kịp thời, chú trọng người trực tiếp lao động, sản xuất",
        7,
        SCORED,
        BELOW,
        "Khen thưởng đúng Luật Thi đua, khen thưởng 2022, có tỷ lệ khen người trực tiếp lao động: 7 điểm.",
    ),
    (
        "IV.3",
        "Chất lượng, thời hạn báo cáo và hồ sơ thi đua, khen thưởng",
        5,
        SCORED,
        BELOW,
        "Hồ sơ, báo cáo đủ, đúng mẫu, đúng hạn: 5 điểm; mỗi hồ sơ bị trả lại hoặc chậm trừ 1 điểm.",
    ),
    ("V", "Điểm thưởng", 12, GROUP, "", ""),
    (
        "V.1",
        "Được tặng Cờ thi đua của Chính phủ trong năm",
        5,
        BONUS,
        ALWAYS,
        "Cộng 5 điểm nếu có quyết định tặng Cờ trong năm; ghi số, ngày quyết định.",
    ),
    (
        "V.2",
        "Được tặng Cờ thi đua cấp tỉnh hoặc cấp bộ, ngành Trung ương",
        4,
        BONUS,
        ALWAYS,
        "Cộng 4 điểm nếu có quyết định tặng Cờ trong năm; ghi số, ngày quyết định.",
    ),
    (
        "V.3",
        "Có mô hình mới, cách làm hay được cấp tỉnh trở lên công nhận, nhân rộng",
        3,
        BONUS,
        ALWAYS,
        "Cộng 1,5 điểm mỗi mô hình được công nhận (tối đa 3 điểm); ghi tên mô hình và văn bản công nhận.",
    ),
    ("VI", "Điểm trừ", 10, GROUP, "", ""),
    (
        "VI.1",
        "Nộp báo cáo hoặc bảng tự chấm điểm chậm hạn (trừ 2 điểm mỗi lần)",
        4,
        PENALTY,
        ALWAYS,
        "Ghi số điểm bị trừ (2 điểm mỗi lần chậm, tối đa 4); không chậm lần nào ghi 0. Có trừ thì nêu rõ lần nào.",
    ),
    (
        "VI.2",
        "Không tham dự hội nghị, hoạt động của Cụm không có lý do (trừ 2 điểm mỗi lần)",
        4,
        PENALTY,
        ALWAYS,
        "Ghi số điểm bị trừ (2 điểm mỗi lần vắng, tối đa 4); không vắng ghi 0. Có trừ thì nêu rõ hoạt động nào.",
    ),
    (
        "VI.3",
        "Tự chấm chênh lệch quá 5 điểm so với kết quả thẩm định",
        2,
        PENALTY,
        ALWAYS,
        "Do Cụm ghi khi thẩm định; đơn vị tự chấm ghi 0.",
    ),
    (
        "VI.4",
        "Tập thể lãnh đạo bị kỷ luật; để xảy ra tham nhũng, vi phạm hoặc mất an ninh trật tự nghiêm trọng; "
        "gian dối trong kê khai thành tích",
        0,
        DISQ,
        ALWAYS,
        "Chọn 'Có' nếu xảy ra một trong các trường hợp trên: đơn vị vẫn được chấm điểm, xếp loại "
        "nhưng không được xét suy tôn, đề nghị khen thưởng.",
    ),
]

UNITS = [
    ("TSN", "UBND huyện Triệu Sơn", "huyện", "noivu.trieuson@example.gov.vn", "Lê Thị Hương", "0912345601"),
    ("NCG", "UBND huyện Nông Cống", "huyện", "noivu.nongcong@example.gov.vn", "Nguyễn Văn Thành", "0912345602"),
    ("TXN", "UBND huyện Thọ Xuân", "huyện", "noivu.thoxuan@example.gov.vn", "Trịnh Thị Mai", "0912345603"),
    ("THA", "UBND huyện Thiệu Hóa", "huyện", "noivu.thieuhoa@example.gov.vn", "Hoàng Văn Dũng", "0912345604"),
    ("YDH", "UBND huyện Yên Định", "huyện", "noivu.yendinh@example.gov.vn", "Phạm Thị Lan", "0912345605"),
    ("DSN", "UBND huyện Đông Sơn", "huyện", "noivu.dongson@example.gov.vn", "Lê Văn Hùng", "0912345606"),
    ("QXG", "UBND huyện Quảng Xương", "huyện", "noivu.quangxuong@example.gov.vn", "Đỗ Thị Hằng", "0912345607"),
    ("NTH", "UBND huyện Như Thanh", "huyện", "noivu.nhuthanh@example.gov.vn", "Bùi Văn Nam", "0912345608"),
]

LEVELS = [
    ("Xuất sắc", 90, "Tổng điểm từ 90 trở lên"),
    ("Tốt", 80, "Từ 80 đến dưới 90"),
    ("Khá", 65, "Từ 65 đến dưới 80"),
    ("Trung bình", 50, "Từ 50 đến dưới 65"),
    ("Yếu", 0, "Dưới 50"),
]

AWARDS = [
    (1, "Nhất", "Cờ thi đua của UBND tỉnh", "Xuất sắc"),
    (2, "Nhì", "Bằng khen của Chủ tịch UBND tỉnh", "Tốt"),
    (3, "Ba", "Bằng khen của Chủ tịch UBND tỉnh", "Tốt"),
]

TIEBREAK = [
    (1, "II", "Đơn vị có điểm nhóm II (phát triển kinh tế - xã hội) cao hơn xếp trên"),
    (2, "Điểm trừ ít hơn", "Đơn vị bị trừ ít điểm hơn xếp trên"),
    (3, "Điểm thưởng nhiều hơn", "Đơn vị có điểm thưởng (sau khi áp mức tối đa) cao hơn xếp trên"),
    (4, "Nhiều tiêu chí đạt tối đa hơn", "Đơn vị có nhiều tiêu chí chấm điểm đạt điểm tối đa hơn xếp trên"),
]

GUIDE = [
    ("BỘ TIÊU CHÍ THI ĐUA — HƯỚNG DẪN CHỈNH SỬA", "title"),
    (
        "Tệp này là bộ tiêu chí của Cụm. Công cụ ttdk-xl đọc tệp này để tạo bảng tự chấm điểm cho từng đơn vị "
        "và để tổng hợp, xếp hạng. Sửa trực tiếp trong Excel; giữ nguyên tên các trang tính và tên các cột.",
        "text",
    ),
    ("Trang 'Thông tin'", "head"),
    (
        "Cột A là tên mục (không sửa), cột B là giá trị. Bước điểm và Điểm thưởng tối đa ghi bằng số. "
        "Địa danh có thể để trống (khi đó lấy theo tên đơn vị trưởng cụm).",
        "text",
    ),
    ("Trang 'Tiêu chí'", "head"),
    (
        "Mỗi dòng một tiêu chí, theo đúng thứ tự sẽ in trong bảng tự chấm điểm. Mã theo cấp: I, I.1, I.1.a… "
        "(tiêu chí con nằm dưới nhóm cha). Điểm tối đa của nhóm phải bằng tổng điểm tối đa các tiêu chí con. "
        "Mọi điểm tối đa phải là bội số của Bước điểm.",
        "text",
    ),
    (
        "Cột 'Loại' chọn trong danh sách: nhóm; chấm điểm; điểm thưởng (cộng, tổng không quá Điểm thưởng tối đa); "
        "điểm trừ (ghi số dương, là số điểm bị trừ tối đa); điểm liệt (điểm tối đa 0 — đơn vị vi phạm không được "
        "xét suy tôn). Một nhóm chỉ chứa một loại: chấm điểm, hoặc điểm thưởng, hoặc điểm trừ/điểm liệt.",
        "text",
    ),
    (
        "Cột 'Bắt buộc giải trình': 'khi chưa đạt tối đa', 'luôn luôn' hoặc 'không' (để trống = không). "
        "Với điểm trừ, giải trình chỉ bắt buộc khi đơn vị có bị trừ điểm.",
        "text",
    ),
    ("Trang 'Đơn vị'", "head"),
    (
        "Mỗi dòng một đơn vị thành viên. Mã đơn vị ngắn, không dấu, không trùng (ví dụ TSN); tên đơn vị không trùng. "
        "Email, người liên hệ, điện thoại dùng để gửi và nhắc nộp bảng tự chấm điểm.",
        "text",
    ),
    ("Trang 'Xếp loại'", "head"),
    ("Mỗi mức một dòng: tên mức và số điểm tối thiểu (tính cả bằng). Các mức không được trùng ngưỡng.", "text"),
    ("Trang 'Khen thưởng'", "head"),
    (
        "Đơn vị được suy tôn ở hạng nào thì được đề nghị hình thức khen thưởng tương ứng, nếu đạt xếp loại tối thiểu "
        "(để trống nếu không đòi hỏi). Đây chỉ là đề xuất; Hội nghị Cụm bình xét, suy tôn.",
        "text",
    ),
    ("Trang 'Phân định hạng'", "head"),
    (
        "Khi hai đơn vị bằng tổng điểm, xét lần lượt từ trên xuống: mã một nhóm tiêu chí (nhóm đó điểm cao hơn thì "
        "xếp trên) hoặc một trong: 'Điểm trừ ít hơn', 'Điểm thưởng nhiều hơn', 'Nhiều tiêu chí đạt tối đa hơn'. "
        "Vẫn bằng nhau thì đồng hạng, Hội nghị bỏ phiếu.",
        "text",
    ),
    ("Lưu ý", "head"),
    (
        "Sau khi gửi bảng tự chấm điểm cho các đơn vị, không sửa mã, điểm tối đa hay loại của tiêu chí: "
        "bảng đã gửi sẽ không còn khớp với bộ tiêu chí. Dữ liệu đơn vị trong tệp mẫu này là dữ liệu minh họa.",
        "text",
    ),
]

CREATED = dt.datetime(2025, 1, 1, 8, 0, 0)


def build_default_book(path: str | Path = DEFAULT_OUT, units: list[tuple[str, ...]] | None = None) -> Path:
    """Write the default criteria book to `path` (same bytes on every run) and return the path.

    `units` (rows of code, name, level, email, contact, phone) replaces the sample units; the
    benchmarks use it to build a book of thousands of units.
    """
    path = Path(path)
    units = UNITS if units is None else units
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties(
        {
            "title": "Bộ tiêu chí thi đua",
            "subject": "Cụm thi đua số 2 - năm 2025",
            "author": "ttdk-xl",
            "comments": "Dữ liệu minh họa",
            "created": CREATED,
        }
    )
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}
    f_head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    f_text = wb.add_format({**base, "text_wrap": True, "border": 1})
    f_pts = wb.add_format({**base, "num_format": "0.00", "border": 1})
    f_int = wb.add_format({**base, "num_format": "0", "border": 1, "align": "left"})
    f_group = wb.add_format({**base, "bold": True, "text_wrap": True, "border": 1, "bg_color": "#F2F2F2"})
    f_group_pts = wb.add_format({**base, "bold": True, "num_format": "0.00", "border": 1, "bg_color": "#F2F2F2"})
    f_note = wb.add_format({**base, "italic": True, "font_color": "#595959", "text_wrap": True})
    f_title = wb.add_format({**base, "bold": True, "font_size": 14, "font_color": "#C00000", "text_wrap": True})
    f_guide_head = wb.add_format({**base, "bold": True, "font_color": "#1F4E78", "text_wrap": True})
    f_guide = wb.add_format({**base, "text_wrap": True})

    def header(ws, columns: list[tuple[str, float]]) -> None:
        for col, (name, width) in enumerate(columns):
            ws.write_string(0, col, name, f_head)
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)

    # Hướng dẫn
    ws = wb.add_worksheet("Hướng dẫn")
    ws.set_column(0, 0, GUIDE_WIDTH)  # one column within an A4 page, each text wrapped, each row as tall as it
    ws.set_tab_color("#C00000")
    for row, (text, style) in enumerate(GUIDE):
        fmt = {"title": f_title, "head": f_guide_head, "text": f_guide}[style]
        size = 14 if style == "title" else 12
        ws.set_row(row, fit_height(text_lines(text, GUIDE_WIDTH, size, style != "text"), size))
        ws.write_string(row, 0, text, fmt)
    ws.set_paper(9)
    ws.set_portrait()
    ws.set_margins(left=0.6, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)

    # Thông tin
    ws = wb.add_worksheet("Thông tin")
    header(ws, [("Mục", 24), ("Giá trị", 34), ("Ghi chú", 70)])
    for row, (name, value, note) in enumerate(INFO, start=1):
        ws.write_string(row, 0, name, f_group)
        if isinstance(value, str):
            ws.write_string(row, 1, value, f_text)
        elif name == "Năm":
            ws.write_number(row, 1, value, f_int)
        else:
            ws.write_number(row, 1, value, f_pts)
        ws.write_string(row, 2, note, f_note)

    # Tiêu chí
    ws = wb.add_worksheet("Tiêu chí")
    header(
        ws,
        [
            ("Mã", 8),
            ("Nội dung tiêu chí", 60),
            ("Điểm tối đa", 11),
            ("Loại", 14),
            ("Bắt buộc giải trình", 20),
            ("Hướng dẫn chấm", 60),
        ],
    )
    for row, (code, text, max_points, kind, explain, guidance) in enumerate(CRITERIA, start=1):
        is_group = kind == GROUP
        ft = f_group if is_group else f_text
        ws.write_string(row, 0, code, ft)
        ws.write_string(row, 1, text, ft)
        ws.write_number(row, 2, max_points, f_group_pts if is_group else f_pts)
        ws.write_string(row, 3, kind, ft)
        for col, value in ((4, explain), (5, guidance)):
            if value:
                ws.write_string(row, col, value, ft)
            else:
                ws.write_blank(row, col, None, ft)
    last = 300
    ws.data_validation(
        1,
        3,
        last,
        3,
        {
            "validate": "list",
            "source": KINDS,
            "input_title": "Loại tiêu chí",
            "input_message": "Chọn: nhóm, chấm điểm, điểm thưởng, điểm trừ hoặc điểm liệt.",
            "error_title": "Loại không hợp lệ",
            "error_message": "Chọn một giá trị trong danh sách.",
        },
    )
    ws.data_validation(
        1,
        4,
        last,
        4,
        {
            "validate": "list",
            "source": EXPLAIN,
            "ignore_blank": True,
            "input_title": "Bắt buộc giải trình",
            "input_message": "Để trống nghĩa là 'không'.",
            "error_title": "Giá trị không hợp lệ",
            "error_message": "Chọn một giá trị trong danh sách.",
        },
    )
    ws.data_validation(
        1,
        2,
        last,
        2,
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "input_title": "Điểm tối đa",
            "input_message": "Số không âm, là bội số của Bước điểm. Nhóm = tổng các tiêu chí con; điểm liệt = 0.",
            "error_title": "Điểm tối đa không hợp lệ",
            "error_message": "Ghi một số không âm.",
        },
    )

    # Đơn vị
    ws = wb.add_worksheet("Đơn vị")
    header(
        ws,
        [
            ("Mã đơn vị", 11),
            ("Tên đơn vị", 30),
            ("Cấp", 10),
            ("Email", 36),
            ("Người liên hệ", 22),
            ("Điện thoại", 14),
        ],
    )
    f_phone = wb.add_format({**base, "border": 1, "num_format": "@"})
    for row, unit in enumerate(units, start=1):
        for col, value in enumerate(unit):
            ws.write_string(row, col, value, f_phone if col == 5 else f_text)
    ws.set_column(5, 5, 14, f_phone)  # typed phones stay text, keeping the leading 0

    # Xếp loại
    ws = wb.add_worksheet("Xếp loại")
    header(ws, [("Mức", 16), ("Từ điểm", 10), ("Ghi chú", 30)])
    for row, (name, threshold, note) in enumerate(LEVELS, start=1):
        ws.write_string(row, 0, name, f_text)
        ws.write_number(row, 1, threshold, f_pts)
        ws.write_string(row, 2, note, f_note)

    # Khen thưởng
    ws = wb.add_worksheet("Khen thưởng")
    header(ws, [("Hạng", 7), ("Suy tôn", 9), ("Hình thức đề nghị", 38), ("Xếp loại tối thiểu", 18)])
    for row, (rank, acclaim, award, min_level) in enumerate(AWARDS, start=1):
        ws.write_number(row, 0, rank, f_int)
        ws.write_string(row, 1, acclaim, f_text)
        ws.write_string(row, 2, award, f_text)
        ws.write_string(row, 3, min_level, f_text)
    ws.data_validation(
        1,
        3,
        50,
        3,
        {
            "validate": "list",
            "source": "='Xếp loại'!$A$2:$A$50",
            "ignore_blank": True,
            "error_type": "warning",
            "error_message": "Chọn một mức có trong trang 'Xếp loại', hoặc để trống.",
        },
    )

    # Phân định hạng
    ws = wb.add_worksheet("Phân định hạng")
    header(ws, [("Thứ tự", 8), ("Tiêu chí phân định", 32), ("Giải thích", 70)])
    for row, (order, entry, note) in enumerate(TIEBREAK, start=1):
        ws.write_number(row, 0, order, f_int)
        ws.write_string(row, 1, entry, f_text)
        ws.write_string(row, 2, note, f_note)
    ws.data_validation(
        1,
        1,
        50,
        1,
        {
            "validate": "list",
            "source": [c[0] for c in CRITERIA if c[3] == GROUP] + TIEBREAKS,
            "ignore_blank": True,
            "error_type": "warning",
            "input_message": "Mã một nhóm tiêu chí, hoặc một cách phân định trong danh sách.",
            "error_message": "Ghi mã một nhóm có trong trang 'Tiêu chí' hoặc chọn trong danh sách.",
        },
    )

    wb.close()
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = build_default_book(args[0] if args else DEFAULT_OUT)
    print(f"Đã tạo {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
