"""Build input_templates/mau_bao_cao.docx, the editable Word template of the year-end report.

The template is a docxtpl (Jinja) document in the Decree 30/2020/NĐ-CP layout. The office may open it in
Word or LibreOffice, reword anything and keep the tags; `ttdk_xl.outputs.report.build_context` lists the data it gets.

Run from the repository root:  python scripts/make_report_template.py [OUTPUT.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.shared import Pt

from ttdk_xl.outputs.docx_style import (
    CENTER,
    LEFT,
    RIGHT,
    Writer,
    add_runs,
    cant_split,
    cell_par,
    fmt,
    mark_size,
    national_header,
    new_document,
    repeat_header,
    table_props,
    title,
)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "input_templates" / "mau_bao_cao.docx"


# ---------------------------------------------------------------------------------------------- document parts


def setup_document(final: bool = False):
    return new_document(
        "Báo cáo tổng kết công tác thi đua, khen thưởng của Cụm thi đua (mẫu)",
        stamp="" if final else "DỰ THẢO",
        # docxtpl renders the core properties too: no Jinja braces here
        comments="Mẫu báo cáo dùng thẻ docxtpl/Jinja; có thể sửa câu chữ, giữ nguyên các thẻ trong ngoặc nhọn.",
    )


def header_block(doc) -> None:
    """The two-column heading: bodies and number left, national title and date right."""
    national_header(
        doc,
        "{{ parent_body_upper }}",
        "{{ cluster_name_upper }}",
        "Số:      /BC-CTĐ",
        "{{ place }}, {{ date_words }}",
    )


def title_block(w: Writer) -> None:
    title(
        w,
        "BÁO CÁO",
        "Tổng kết công tác thi đua, khen thưởng năm {{ year }}; phương hướng, nhiệm vụ năm {{ year_next }} "
        "của {{ cluster_name }}",
    )


def score_table(doc) -> None:
    """Phần II table: ranked units via a docxtpl row loop, then the units not ranked."""
    widths = [1.0, 5.2, 1.65, 1.75, 1.5, 1.7, 1.6, 2.1]
    heads = ["STT", "Đơn vị", "Điểm chấm", "Điểm thưởng", "Điểm trừ", "Tổng điểm", "Xếp hạng", "Xếp loại"]
    t = doc.add_table(rows=7, cols=8)
    t.style = doc.styles["Table Grid"]
    table_props(t, widths, borders=True, pad_cm=0.1)
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        cell_par(cell, text, bold=True)
    repeat_header(t.rows[0])

    def row_fields(row, obj: str, last: str, italic_last: bool = False):
        cells = row.cells
        cell_par(cells[0], f"{{{{ {obj}.stt }}}}")
        cell_par(cells[1], f"{{{{ {obj}.name }}}}", align=LEFT)
        for i, key in enumerate(("scored", "bonus", "penalty"), start=2):
            cell_par(cells[i], f"{{{{ {obj}.{key} }}}}")
        cell_par(cells[5], f"{{{{ {obj}.total }}}}", bold=True)
        cell_par(cells[6], f"{{{{ {obj}.rank }}}}")
        cell_par(cells[7], f"{{{{ {obj}.{last} }}}}", italic=italic_last)
        cant_split(row)

    cell_par(t.rows[1].cells[0], "{%tr for u in ranked %}", align=LEFT)
    row_fields(t.rows[2], "u", "level")
    cell_par(t.rows[3].cells[0], "{%tr endfor %}", align=LEFT)
    cell_par(t.rows[4].cells[0], "{%tr for u in unranked %}", align=LEFT)
    row_fields(t.rows[5], "u", "status", italic_last=True)
    cell_par(t.rows[6].cells[0], "{%tr endfor %}", align=LEFT)


def changes_table(doc) -> None:
    """Phần II: the scores agreed differently from the self-scores (only when there are any)."""
    widths = [1.0, 3.6, 4.6, 1.5, 1.7, 4.4]
    heads = ["STT", "Đơn vị", "Tiêu chí", "Tự chấm", "Thẩm định", "Lý do điều chỉnh"]
    t = doc.add_table(rows=4, cols=6)
    t.style = doc.styles["Table Grid"]
    table_props(t, widths, borders=True, pad_cm=0.1)
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        cell_par(cell, text, bold=True)
    repeat_header(t.rows[0])
    cell_par(t.rows[1].cells[0], "{%tr for c in changes %}", align=LEFT)
    cells = t.rows[2].cells
    cell_par(cells[0], "{{ c.stt }}")
    cell_par(cells[1], "{{ c.unit }}", align=LEFT)
    cell_par(cells[2], "{{ c.code }}. {{ c.text }}", align=LEFT, size=11)
    cell_par(cells[3], "{{ c.self }}")
    cell_par(cells[4], "{{ c.agreed }}", bold=True)
    cell_par(cells[5], "{{ c.reason }}", align=LEFT, size=11)
    cant_split(t.rows[2])
    cell_par(t.rows[3].cells[0], "{%tr endfor %}", align=LEFT)


def group_table(doc) -> None:
    """Cluster average per criteria group, then the scored total."""
    widths = [1.4, 7.9, 2.2, 2.5, 2.5]
    heads = ["Mã", "Nhóm tiêu chí", "Điểm tối đa", "Điểm bình quân của Cụm", "Tỷ lệ đạt (%)"]
    t = doc.add_table(rows=5, cols=5)
    t.style = doc.styles["Table Grid"]
    table_props(t, widths, borders=True, pad_cm=0.1)
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        cell_par(cell, text, bold=True)
    repeat_header(t.rows[0])
    cell_par(t.rows[1].cells[0], "{%tr for g in group_averages %}", align=LEFT)
    cells = t.rows[2].cells
    cell_par(cells[0], "{{ g.code }}")
    cell_par(cells[1], "{{ g.text }}", align=LEFT)
    cell_par(cells[2], "{{ g.max }}")
    cell_par(cells[3], "{{ g.average }}{{ g.basis_note }}")
    cell_par(cells[4], "{{ g.percent }}")
    cant_split(t.rows[2])
    cell_par(t.rows[3].cells[0], "{%tr endfor %}", align=LEFT)
    cells = t.rows[4].cells
    merged = cells[0].merge(cells[1])
    cell_par(merged, "Cộng điểm chấm", bold=True)
    cell_par(cells[2], "{{ scored_max }}", bold=True)
    cell_par(cells[3], "{{ avg_scored }}", bold=True)
    cell_par(cells[4], "{{ avg_scored_percent }}", bold=True)


def unit_caption(w: Writer) -> None:
    p = w.para("Đơn vị tính: điểm", indent=0, align=RIGHT, italic=True, after=3, keep=True)
    for run in p.runs:
        run.font.size = Pt(12)


def closing_block(doc, final: bool = False) -> None:
    """Nơi nhận (left) and signature (right), in a borderless table."""
    t = doc.add_table(rows=1, cols=2)
    table_props(t, [6.9, 9.9], borders=False, indent_cm=-0.4)
    cant_split(t.rows[0])
    left, right = t.rows[0].cells
    p = left.paragraphs[0]
    fmt(p, align=LEFT, before=6, after=0, indent=0, line=None)
    add_runs(p, "Nơi nhận:", size=12, bold=True, italic=True)
    for line in (
        "- Ban Thi đua - Khen thưởng tỉnh (b/c);",
        "- UBND các đơn vị trong Cụm;",
        "- Lưu: VT, NV.",
    ):
        p = left.add_paragraph()
        fmt(p, align=LEFT, after=0, indent=0, line=None)
        add_runs(p, line, size=11)

    p = right.paragraphs[0]
    fmt(p, align=CENTER, before=6, after=0, indent=0, line=None)
    add_runs(p, "{{ sign_authority }}" if final else "CỤM TRƯỞNG", size=14, bold=True)
    p = right.add_paragraph()
    fmt(p, align=CENTER, after=0, indent=0, line=None)
    add_runs(p, "{{ signer_title }}" if final else "{{ head_signer_title }}", size=14, bold=True)
    for _ in range(4):
        p = right.add_paragraph()
        fmt(p, align=CENTER, after=0, indent=0, line=None)
        mark_size(p, 14)
    p = right.add_paragraph()
    fmt(p, align=CENTER, before=12, after=0, indent=0, line=None)
    name = [("[Họ và tên người ký]", {"mark": True})]
    if final:  # the book's `Người ký` (outputs.dossier), else the placeholder
        name = [("{% if signer %}{{ signer }}{% else %}", {}), *name, ("{% endif %}", {})]
    add_runs(p, name, size=14, bold=True)
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def proposals_block(w: Writer) -> None:
    """Phần II.2 of the draft: the acclaims and awards proposed to the conference."""
    w.heading("2. Đề nghị suy tôn, khen thưởng")
    w.tag("{%p if acclaims %}")
    w.para("Căn cứ kết quả chấm điểm, xếp loại nêu trên, đơn vị Cụm trưởng đề nghị Hội nghị Cụm xem xét, suy tôn:")
    w.tag("{%p for a in acclaims %}")
    w.bullet(
        "- {{ a.name }}: đơn vị {{ a.label }} (tổng điểm {{ a.total }}, xếp loại {{ a.level }})"
        '{{ "." if loop.last else ";" }}'
    )
    w.tag("{%p endfor %}")
    w.tag("{%p else %}")
    w.para("Chưa có đơn vị đủ điều kiện để đề nghị Hội nghị Cụm suy tôn Nhất, Nhì, Ba.")
    w.tag("{%p endif %}")
    w.tag("{%p if awards %}")
    w.para("Trên cơ sở kết quả suy tôn, đề nghị Hội nghị Cụm thống nhất đề nghị cấp có thẩm quyền khen thưởng:")
    w.tag("{%p for a in awards %}")
    w.bullet('- {{ a.name }} ({{ a.acclaim }}): đề nghị tặng {{ a.award }}{{ "." if loop.last else ";" }}')
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.tag("{%p if ties %}")
    w.para("Các đơn vị có tổng điểm bằng nhau, sau khi đã xét lần lượt các tiêu chí phân định hạng vẫn bằng nhau:")
    w.tag("{%p for t in ties %}")
    w.bullet(
        "- {{ t.names }}: cùng đạt {{ t.total }} điểm, xếp thứ {{ t.rank }}, đồng hạng — cần Hội nghị bỏ phiếu"
        '{{ "." if loop.last else ";" }}'
    )
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.tag("{%p if disqualified %}")
    w.para(
        "Các đơn vị vi phạm tiêu chí điểm liệt, vẫn giữ tổng điểm và xếp loại nhưng không đủ điều kiện xét suy tôn, "
        "đề nghị khen thưởng:"
    )
    w.tag("{%p for d in disqualified %}")
    w.bullet('- {{ d.name }}: {{ d.reason }}{{ "." if loop.last else ";" }}')
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.tag("{%p if assessed %}")
    w.para(
        [
            (
                "Kết quả trên được tính theo điểm thẩm định đã được Hội nghị Cụm thống nhất; các đơn vị được suy tôn "
                "do Hội nghị Cụm bỏ phiếu quyết định.",
                {"italic": True},
            )
        ]
    )
    w.tag("{%p else %}")
    w.para(
        [
            (
                "Kết quả trên là dự thảo do đơn vị Cụm trưởng tổng hợp từ bảng tự chấm điểm của các đơn vị; điểm "
                "thẩm định, thứ hạng và các đơn vị được suy tôn do Hội nghị Cụm thảo luận, thống nhất và bỏ phiếu "
                "quyết định.",
                {"italic": True},
            )
        ]
    )
    w.tag("{%p endif %}")


def rotation_block(w: Writer) -> None:
    """Phần III.2 of the draft: next year's head and deputy proposed by rotation."""
    w.heading("2. Đề xuất Cụm trưởng, Cụm phó năm {{ year_next }}")
    w.para(
        "Theo nguyên tắc luân phiên (đơn vị Cụm phó năm trước đảm nhận Cụm trưởng năm sau), đơn vị Cụm trưởng "
        "đề xuất để Hội nghị Cụm xem xét, bầu:"
    )
    w.bullet("- Cụm trưởng năm {{ year_next }}: {{ next_head }}{{ next_head_note }};")
    w.bullet("- Cụm phó năm {{ year_next }}: {{ next_deputy }}{{ next_deputy_note }}.")
    w.para(
        "Đơn vị Cụm trưởng, Cụm phó năm {{ year_next }} nhận nhiệm vụ tại Hội nghị, phát động phong trào thi đua "
        "và tổ chức ký kết giao ước thi đua năm {{ year_next }} giữa các đơn vị trong Cụm."
    )


def vote_block(w: Writer) -> None:
    """Phần II.2 of the final report: the conference's vote (outputs.vote_results.vote_context)."""
    w.heading("2. Kết quả suy tôn, đề nghị khen thưởng")
    w.para(
        "Hội nghị {{ cluster_name }} {{ vote_date_words }}{% if vote_place %} tại {{ vote_place }}{% endif %} có "
        "{{ present }}/{{ convened }} đại biểu được triệu tập có mặt (đạt {{ present_percent }}%, tỷ lệ tối thiểu "
        "{{ quorum }}), đủ điều kiện biểu quyết. Hội nghị đã thảo luận, thống nhất kết quả chấm điểm, xếp loại "
        "và bỏ phiếu kín suy tôn đơn vị dẫn đầu phong trào thi đua năm {{ year }} (số phiếu thu vào "
        "{{ acclaim_collected }}, hợp lệ {{ acclaim_valid }}, không hợp lệ {{ acclaim_invalid }}).",
    )
    w.tag("{%p if voted %}")
    w.para("Kết quả suy tôn:", keep=True)
    w.tag("{%p for v in voted %}")
    w.bullet(
        "- {{ v.name }}: đơn vị {{ v.label }}, {{ v.votes }}/{{ v.valid }} phiếu hợp lệ ({{ v.percent }}%); "
        'tổng điểm {{ v.total }}, xếp loại {{ v.level }}{{ "." if loop.last else ";" }}'
    )
    w.tag("{%p endfor %}")
    w.tag("{%p else %}")
    w.para("Không có đơn vị nào đạt quá nửa số phiếu hợp lệ để được suy tôn.")
    w.tag("{%p endif %}")
    w.tag("{%p if proposed %}")
    w.para("Trên cơ sở kết quả suy tôn, Hội nghị thống nhất đề nghị Chủ tịch {{ parent_body }} khen thưởng:", keep=True)
    w.tag("{%p for v in proposed %}")
    w.bullet('- {{ v.name }} (suy tôn {{ v.place }}): đề nghị tặng {{ v.award }}{{ "." if loop.last else ";" }}')
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.tag("{%p for v in not_proposed %}")
    w.bullet("- {{ v.name }} (suy tôn {{ v.place }}): {{ v.award_note }}.")
    w.tag("{%p endfor %}")
    w.tag("{%p for n in vote_notes %}")
    w.para([("{{ n }}", {"italic": True})])
    w.tag("{%p endfor %}")
    w.tag("{%p if disqualified %}")
    w.para(
        "Các đơn vị vi phạm tiêu chí điểm liệt, vẫn giữ tổng điểm và xếp loại nhưng không đủ điều kiện xét suy tôn, "
        "đề nghị khen thưởng:"
    )
    w.tag("{%p for d in disqualified %}")
    w.bullet('- {{ d.name }}: {{ d.reason }}{{ "." if loop.last else ";" }}')
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.para(
        [
            (
                "Kết quả bỏ phiếu theo biên bản kiểm phiếu của Hội nghị; hồ sơ đề nghị khen thưởng gồm tờ trình, "
                "báo cáo này, biên bản họp bình xét thi đua và danh sách đề nghị khen thưởng.",
                {"italic": True},
            )
        ]
    )


def election_block(w: Writer) -> None:
    """Phần III.2 of the final report: next year's head and deputy as elected."""
    w.heading("2. Cụm trưởng, Cụm phó năm {{ year_next }}")
    w.para("Hội nghị đã bỏ phiếu kín bầu đơn vị Cụm trưởng, Cụm phó năm {{ year_next }}, kết quả:", keep=True)
    w.bullet(
        "- Cụm trưởng năm {{ year_next }}: {{ elected_head }}{% if elected_head_votes %} "
        "({{ elected_head_votes }}/{{ vote_valid_head }} phiếu hợp lệ, đạt {{ elected_head_percent }}%){% endif %};"
    )
    w.bullet(
        "- Cụm phó năm {{ year_next }}: {{ elected_deputy }}{% if elected_deputy_votes %} "
        "({{ elected_deputy_votes }}/{{ vote_valid_deputy }} phiếu hợp lệ, đạt {{ elected_deputy_percent }}%)"
        "{% endif %}."
    )
    w.para(
        "Đơn vị Cụm trưởng, Cụm phó năm {{ year_next }} nhận nhiệm vụ tại Hội nghị, phát động phong trào thi đua "
        "và tổ chức ký kết giao ước thi đua năm {{ year_next }} giữa các đơn vị trong Cụm."
    )


# ---------------------------------------------------------------------------------------------- the report


def build(out: Path = DEFAULT_OUT, final: bool = False) -> Path:
    """The report template; `final`: the report of the award dossier, after the vote (scripts/
    make_dossier_templates.py), which tells the vote's result instead of proposing it."""
    doc = setup_document(final)
    w = Writer(doc)
    header_block(doc)
    title_block(w)

    w.placeholder(
        "[Căn cứ … (người soạn thảo ghi số, ngày, trích yếu các văn bản: quyết định tổ chức các cụm, khối thi đua; "
        "hướng dẫn của Ban Thi đua - Khen thưởng tỉnh; quy chế hoạt động của Cụm năm {{ year }}…)]"
    )
    if final:
        w.para(
            "Trên cơ sở kết quả tự chấm điểm của các đơn vị, kết quả thẩm định và kết quả bỏ phiếu tại Hội nghị "
            "{{ cluster_name }} {{ vote_date_words }}, {{ head_body }} - đơn vị Cụm trưởng {{ cluster_name }} năm "
            "{{ year }} báo cáo tổng kết công tác thi đua, khen thưởng năm {{ year }}; phương hướng, nhiệm vụ năm "
            "{{ year_next }} của Cụm như sau:"
        )
    else:
        w.para(
            "Trên cơ sở kết quả tự chấm điểm thi đua của các đơn vị trong Cụm, {{ head_body }} - đơn vị Cụm trưởng "
            "{{ cluster_name }} năm {{ year }} báo cáo tổng kết công tác thi đua, khen thưởng năm {{ year }}; "
            "phương hướng, nhiệm vụ năm {{ year_next }} của Cụm như sau:"
        )

    # --- Đặc điểm tình hình
    w.part("ĐẶC ĐIỂM TÌNH HÌNH")
    w.para(
        "{{ cluster_name }} năm {{ year }} gồm {{ n_units }} đơn vị: {{ unit_names }}. {{ head_unit_name }} là "
        "đơn vị Cụm trưởng, {{ deputy_unit_name }} là đơn vị Cụm phó."
    )
    w.placeholder(
        "[Phần này do người soạn thảo viết: đặc điểm chung của các đơn vị trong Cụm; thuận lợi, khó khăn trong năm "
        "{{ year }} ảnh hưởng đến việc thực hiện nhiệm vụ chính trị và phong trào thi đua.]"
    )

    # --- Phần I
    w.part(["Phần I", "\nKẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA VÀ CÔNG TÁC KHEN THƯỞNG NĂM {{ year }}"])
    w.heading("1. Công tác chỉ đạo, tổ chức phát động phong trào thi đua")
    w.placeholder(
        "[Phần này do người soạn thảo viết: việc ban hành kế hoạch, phát động các phong trào thi đua, đăng ký "
        "danh hiệu và ký kết giao ước thi đua; công tác tuyên truyền, phát hiện, nhân rộng điển hình tiên tiến "
        "của các đơn vị trong Cụm.]"
    )
    w.heading("2. Kết quả thực hiện nhiệm vụ chính trị, các chỉ tiêu phát triển kinh tế - xã hội")
    w.placeholder(
        "[Phần này do người soạn thảo viết: kết quả nổi bật của từng đơn vị trong Cụm về phát triển kinh tế - "
        "xã hội, quốc phòng, an ninh, xây dựng hệ thống chính trị (số liệu do các đơn vị cung cấp).]"
    )
    w.heading("3. Hoạt động của Cụm thi đua")
    w.para(
        "Thực hiện Quy chế hoạt động của Cụm, đơn vị Cụm trưởng đã gửi bảng tự chấm điểm thi đua năm {{ year }} "
        "đến các đơn vị trong Cụm. Đến thời điểm tổng hợp, {{ n_submitted }}/{{ n_units }} đơn vị đã gửi bảng "
        "tự chấm điểm về đơn vị Cụm trưởng, cụ thể:"
    )
    w.tag("{%p if valid_names %}")
    w.bullet("- Đơn vị gửi bảng tự chấm điểm hợp lệ ({{ n_valid }}): {{ valid_names }};")
    w.tag("{%p endif %}")
    w.tag("{%p if invalid_names %}")
    w.bullet(
        "- Đơn vị đã gửi nhưng bảng tự chấm điểm còn lỗi, cần kiểm tra, hoàn thiện ({{ n_invalid }}): "
        "{{ invalid_names }};"
    )
    w.tag("{%p endif %}")
    w.tag("{%p if missing_names %}")
    w.bullet("- Đơn vị chưa gửi bảng tự chấm điểm ({{ n_missing }}): {{ missing_names }}.")
    w.tag("{%p endif %}")
    w.placeholder(
        "[Phần này do người soạn thảo viết: các hoạt động chung của Cụm trong năm (hội nghị, giao lưu, học tập "
        "kinh nghiệm, tham quan mô hình…).]"
    )
    w.heading("4. Công tác khen thưởng")
    w.placeholder(
        "[Phần này do người soạn thảo viết: kết quả khen thưởng của các đơn vị trong năm {{ year }}; việc thực hiện "
        "khen thưởng kịp thời, đúng quy định, chú trọng người trực tiếp lao động, sản xuất.]"
    )

    # --- Phần II
    w.part(
        [
            "Phần II",
            "\nKẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI, SUY TÔN" if final else "\nKẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI VÀ ĐỀ NGHỊ SUY TÔN",
        ]
    )
    w.heading("1. Kết quả chấm điểm, xếp loại")
    w.para(
        "Căn cứ Bộ tiêu chí thi đua năm {{ year }} của Cụm (điểm chấm tối đa {{ scored_max }} điểm; điểm thưởng "
        "tối đa {{ bonus_cap }} điểm) và {{ score_basis }}, đơn vị Cụm trưởng tổng hợp "
        + ("" if final else '{{ "" if assessed else "dự thảo " }}')
        + "kết quả chấm điểm, xếp loại như sau "
        "(đơn vị có tổng điểm bằng nhau được phân định hạng lần lượt theo: "
        "{{ tiebreak_text }}):",
        keep=True,
    )
    unit_caption(w)
    score_table(doc)
    w.para("", indent=0, after=0)
    w.tag("{%p if level_summary %}")
    w.para(
        "Kết quả xếp loại: {{ level_summary }}.{% if avg_total %} Tổng điểm bình quân của Cụm "
        "({{ avg_total_basis }}) đạt {{ avg_total }} điểm (cao nhất {{ max_total }} điểm, thấp nhất "
        "{{ min_total }} điểm).{% endif %}"
    )
    w.tag("{%p endif %}")
    w.tag("{%p if unranked %}")
    w.para("Các đơn vị chưa được xếp hạng:")
    w.tag("{%p for u in unranked %}")
    w.bullet('- {{ u.name }}: {{ u.reason }}{{ "." if loop.last else ";" }}')
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.tag("{%p if rank_invalid_note %}")
    w.para([("Lưu ý: ", {"bold": True}), "{{ rank_invalid_note }}"])
    w.tag("{%p endif %}")
    w.tag("{%p if changes %}")
    w.para("Các điểm Hội nghị Cụm thống nhất điều chỉnh so với điểm tự chấm của đơn vị:", keep=True)
    unit_caption(w)
    changes_table(doc)
    w.para("", indent=0, after=0)
    w.tag("{%p endif %}")
    w.tag("{%p if deviations %}")
    w.para("Các đơn vị tự chấm điểm chênh lệch so với kết quả thẩm định vượt mức cho phép, bị trừ điểm:")
    w.tag("{%p for d in deviations %}")
    w.bullet(
        "- {{ d.name }}: tự chấm {{ d.self_total }} điểm, thẩm định {{ d.agreed_total }} điểm (chênh lệch "
        '{{ d.diff }} điểm), trừ {{ d.penalty }} điểm{{ "." if loop.last else ";" }}'
    )
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")

    if final:
        vote_block(w)
    else:
        proposals_block(w)

    w.heading("3. Đánh giá chung")
    w.subheading("a) Kết quả theo nhóm tiêu chí")
    w.para("Điểm bình quân của các đơn vị trong Cụm theo từng nhóm tiêu chí ({{ avg_basis }}):", keep=True)
    unit_caption(w)
    group_table(doc)
    w.para("", indent=0, after=0)
    w.tag("{%p if weakest %}")
    w.para("Các tiêu chí Cụm đạt tỷ lệ điểm thấp nhất so với điểm tối đa (cần lưu ý khi đánh giá hạn chế):", keep=True)
    w.tag("{%p for c in weakest %}")
    w.bullet(
        "- {{ c.code }}. {{ c.text }}: bình quân {{ c.average }}/{{ c.max }} điểm ({{ c.percent }}%)"
        "{{ c.basis_note }}"
        '{{ "." if loop.last else ";" }}'
    )
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")
    w.subheading("b) Ưu điểm")
    w.placeholder(
        "[Phần này do người soạn thảo viết: những kết quả nổi bật, ưu điểm của phong trào thi đua trong Cụm.]"
    )
    w.subheading("c) Hạn chế, nguyên nhân")
    w.placeholder(
        "[Phần này do người soạn thảo viết: hạn chế, tồn tại (tham khảo các tiêu chí đạt tỷ lệ thấp nêu trên) và "
        "nguyên nhân khách quan, chủ quan.]"
    )
    w.subheading("d) Bài học kinh nghiệm")
    w.placeholder("[Phần này do người soạn thảo viết, nếu có.]")

    # --- Phần III
    w.part(["Phần III", "\nPHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {{ year_next }}"])
    w.heading("1. Phương hướng, nhiệm vụ trọng tâm")
    w.placeholder(
        "[Phần này do người soạn thảo viết: các phong trào thi đua trọng tâm, chỉ tiêu, giải pháp của Cụm năm "
        "{{ year_next }}; nội dung giao ước thi đua.]"
    )
    if final:
        election_block(w)
    else:
        rotation_block(w)

    # --- Kiến nghị
    w.part("KIẾN NGHỊ, ĐỀ XUẤT")
    w.placeholder(
        "[Phần này do người soạn thảo viết: kiến nghị, đề xuất với Hội đồng Thi đua - Khen thưởng tỉnh, "
        "Ban Thi đua - Khen thưởng tỉnh, nếu có.]"
    )
    w.para(
        "Trên đây là Báo cáo tổng kết công tác thi đua, khen thưởng năm {{ year }}; phương hướng, nhiệm vụ năm "
        "{{ year_next }} của {{ cluster_name }}./.",
        keep=True,
    )
    closing_block(doc, final)

    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    print(build(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
