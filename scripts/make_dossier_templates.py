"""Build the award dossier's editable Word templates into input_templates/:

    mau_bao_cao_ho_so.docx  the final report (the report template of make_report_template.py, final=True)
    mau_to_trinh.docx       Tờ trình đề nghị khen thưởng (Decree 152/2025/NĐ-CP, Mẫu số 01; Decree 30/2020 layout)
    mau_bien_ban_hop.docx   Biên bản họp bình xét thi đua

docxtpl (Jinja) documents; the data they get is listed in ttdk_xl.outputs.dossier.dossier_context. The same
script gives the same bytes (zip entries dated 1980-01-01).

Run from the repository root:  python scripts/make_dossier_templates.py [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make_report_template, beside this script

import make_report_template

from ttdk_xl.core.atomic import write_bytes
from ttdk_xl.core.zipparts import with_fixed_times
from ttdk_xl.outputs.docx_style import (
    CENTER,
    LEFT,
    Writer,
    add_runs,
    cant_split,
    cell_par,
    fmt,
    mark_size,
    national_header,
    new_document,
    repeat_header,
    save,
    table_props,
    title,
)

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "input_templates"
COMMENT = "Mẫu dùng thẻ docxtpl/Jinja; có thể sửa câu chữ, giữ nguyên các thẻ trong ngoặc nhọn."


def value_or_mark(var: str, placeholder: str, **opts) -> list:
    """Runs showing `var`, or the yellow `placeholder` when it is empty (what the tool cannot know)."""
    return [
        ("{% if " + var + " %}{{ " + var + " }}{% else %}", opts),
        (placeholder, {**opts, "mark": True}),
        ("{% endif %}", opts),
    ]


def line_runs(obj: str, prefix: str = "", suffix: str = "", **opts) -> list:
    """Runs of a {text, mark} line: highlighted when the author must complete it."""
    return [
        ("{% if " + obj + ".mark %}", opts),
        (prefix + "{{ " + obj + ".text }}" + suffix, {**opts, "mark": True}),
        ("{% else %}" + prefix + "{{ " + obj + ".text }}" + suffix + "{% endif %}", opts),
    ]


def header(doc, number: str) -> None:
    national_header(
        doc,
        "{{ parent_body_upper }}",
        "{{ cluster_name_upper }}",
        number,
        "{{ place }}, {{ date_words }}",
    )


def signature(doc) -> None:
    """Nơi nhận left, the signer right, in a borderless table."""
    t = doc.add_table(rows=1, cols=2)
    table_props(t, [6.9, 9.9], borders=False, indent_cm=-0.4)
    cant_split(t.rows[0])
    left, right = t.rows[0].cells
    p = left.paragraphs[0]
    fmt(p, align=LEFT, before=6, after=0, indent=0, line=None)
    add_runs(p, "Nơi nhận:", size=12, bold=True, italic=True)
    for text in ("{%p for r in recipients %}", line_runs("r", prefix="- "), "{%p endfor %}"):
        p = left.add_paragraph()
        fmt(p, align=LEFT, after=0, indent=0, line=None)
        add_runs(p, text, size=11)
    _signer(right, "{{ sign_authority }}", "{{ signer_title }}", "signer", "[Họ và tên người ký]")
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _signer(cell, first: str, second: str | None, var: str, placeholder: str) -> None:
    p = cell.paragraphs[0]
    fmt(p, align=CENTER, before=6, after=0, indent=0, line=None)
    add_runs(p, first, size=14, bold=True)
    if second:
        p = cell.add_paragraph()
        fmt(p, align=CENTER, after=0, indent=0, line=None)
        add_runs(p, second, size=14, bold=True)
    for _ in range(4):
        p = cell.add_paragraph()
        fmt(p, align=CENTER, after=0, indent=0, line=None)
        mark_size(p, 14)
    p = cell.add_paragraph()
    fmt(p, align=CENTER, before=12, after=0, indent=0, line=None)
    add_runs(p, value_or_mark(var, placeholder), size=14, bold=True)


def number_line(kind: str) -> list:
    return ["Số: ", *value_or_mark("ttr_number", f"…/{kind}-CTĐ", size=13)]


# ---------------------------------------------------------------------------------------------- Tờ trình


def build_to_trinh(out: Path) -> Path:
    doc = new_document("Tờ trình đề nghị khen thưởng của Cụm thi đua (mẫu)", comments=COMMENT)
    w = Writer(doc)
    header(doc, "SỐ_TỜ_TRÌNH")
    _replace_number(doc, "SỐ_TỜ_TRÌNH", number_line("TTr"))
    title(
        w,
        "TỜ TRÌNH",
        "Về việc đề nghị khen thưởng các đơn vị dẫn đầu phong trào thi đua năm {{ year }} của {{ cluster_name }}",
    )
    w.para(
        ["Kính gửi: ", *value_or_mark("ttr_to", "[Chủ tịch Ủy ban nhân dân tỉnh …]"),
         "{% if ttr_via %} (qua {{ ttr_via }}){% endif %}."],
        indent=0, align=CENTER, after=12,
    )  # fmt: skip
    w.tag("{%p for b in bases %}")
    w.para(line_runs("b", prefix="Căn cứ "))
    w.tag("{%p endfor %}")
    w.para(
        "{{ cluster_name }} đã tổ chức Hội nghị tổng kết công tác thi đua, khen thưởng năm {{ year }} "
        "{{ vote_date_words }}{% if vote_place %} tại {{ vote_place }}{% endif %}, với {{ present }}/{{ convened }} "
        "đại biểu được triệu tập có mặt (đạt {{ present_percent }}%). Trên cơ sở kết quả chấm điểm, xếp loại "
        "thi đua đã được Hội nghị thống nhất, Hội nghị đã bỏ phiếu kín suy tôn các đơn vị dẫn đầu phong trào thi "
        "đua năm {{ year }} của Cụm (số phiếu hợp lệ: {{ acclaim_valid }}), kết quả:"
    )
    w.tag("{%p for v in voted %}")
    w.bullet(
        "- {{ v.name }}: đơn vị {{ v.label }}, {{ v.votes }}/{{ v.valid }} phiếu hợp lệ ({{ v.percent }}%), tổng "
        'điểm {{ v.total }}, xếp loại {{ v.level }}{{ "." if loop.last else ";" }}'
    )
    w.tag("{%p endfor %}")
    w.tag("{%p if proposed %}")
    w.para(
        "{{ head_body }} - đơn vị Cụm trưởng {{ cluster_name }} năm {{ year }} kính đề nghị "
        "{% if ttr_to %}{{ ttr_to }}{% else %}Chủ tịch {{ parent_body }}{% endif %} xem xét, khen thưởng "
        "{{ n_proposed }} đơn vị đã có thành tích xuất sắc trong phong trào thi đua năm {{ year }}, cụ thể:",
        keep=True,
    )
    w.tag("{%p for v in proposed %}")
    w.bullet('- Tặng {{ v.award }} cho {{ v.name }} (suy tôn {{ v.place }}){{ "." if loop.last else ";" }}')
    w.tag("{%p endfor %}")
    w.para(
        [("(Có danh sách đề nghị khen thưởng, báo cáo tổng kết và biên bản họp bình xét thi đua của Cụm kèm theo).",
          {"italic": True})]
    )  # fmt: skip
    w.tag("{%p else %}")
    w.para([("[Không có đơn vị đủ điều kiện đề nghị khen thưởng: xem biên bản họp.]", {"mark": True})])
    w.tag("{%p endif %}")
    w.para(
        "Kính trình {% if ttr_to %}{{ ttr_to }}{% else %}Chủ tịch {{ parent_body }}{% endif %} xem xét, quyết định./.",
        keep=True,
    )
    signature(doc)
    return _save(doc, out)


def _replace_number(doc, marker: str, parts: list) -> None:
    """national_header writes the number line as plain text; make it runs with a placeholder."""
    for table in doc.tables:
        for cell in table.rows[0].cells:
            for p in cell.paragraphs:
                if p.text == marker:
                    for run in list(p.runs):
                        run._r.getparent().remove(run._r)
                    add_runs(p, parts, size=13)
                    return


# ---------------------------------------------------------------------------------------------- Biên bản họp


def build_minutes(out: Path) -> Path:
    doc = new_document("Biên bản họp bình xét thi đua của Cụm thi đua (mẫu)", comments=COMMENT)
    w = Writer(doc)
    header(doc, "")
    title(w, "BIÊN BẢN", "Họp bình xét thi đua năm {{ year }} của {{ cluster_name }}")

    w.heading("I. THỜI GIAN, ĐỊA ĐIỂM")
    w.para(["Thời gian: ", *value_or_mark("meeting_time", "… giờ … phút"), ", {{ vote_date_words }}."])
    w.para(["Địa điểm: ", *value_or_mark("meeting_place", "[địa điểm họp]"), "."])

    w.heading("II. THÀNH PHẦN")
    w.para(["Chủ trì: ", *value_or_mark("chair", "[họ tên, chức vụ người chủ trì]"), "."])
    w.para(["Thư ký: ", *value_or_mark("secretary", "[họ tên, chức vụ thư ký]"), "."])
    w.para(
        "Đại biểu được triệu tập: {{ convened }}; có mặt: {{ present }} (đạt {{ present_percent }}%, tỷ lệ tối "
        "thiểu theo quy định: {{ quorum }}), Hội nghị đủ điều kiện biểu quyết."
    )
    w.para(["Vắng mặt: ", *value_or_mark("absent", "[đơn vị, đại biểu vắng mặt và lý do; nếu không có, ghi: Không]"),
            "."])  # fmt: skip
    w.para("Các đơn vị thành viên của Cụm ({{ n_units }} đơn vị) và đại biểu đã đăng ký dự họp:", keep=True)
    members_table(doc)
    w.para("", indent=0, after=0)

    w.heading("III. NỘI DUNG")
    w.subheading("1. Thống nhất kết quả chấm điểm, xếp loại thi đua năm {{ year }}")
    w.para(
        "Hội nghị đã nghe đơn vị Cụm trưởng báo cáo tổng kết công tác thi đua, khen thưởng năm {{ year }} và kết "
        "quả chấm điểm theo Bộ tiêu chí thi đua của Cụm; thảo luận và thống nhất kết quả chấm điểm, xếp loại "
        "theo {{ score_basis }}{% if changes %} ({{ n_changes }} điểm được điều chỉnh so với điểm tự chấm, "
        "nêu tại báo cáo tổng kết){% endif %}. Tóm tắt kết quả:",
        keep=True,
    )
    ranking_table(doc)
    w.para("", indent=0, after=0)
    w.tag("{%p if level_summary %}")
    w.para("Kết quả xếp loại: {{ level_summary }}.")
    w.tag("{%p endif %}")

    w.subheading("2. Kết quả bỏ phiếu")
    w.para(
        "Hội nghị đã bầu Tổ kiểm phiếu{% if counting_chief %} do đồng chí {{ counting_chief }} làm Tổ trưởng"
        "{% endif %} và tiến hành bỏ phiếu kín. Kết quả kiểm phiếu (theo biên bản kiểm phiếu):"
    )
    w.tag("{%p for s in vote_sections %}")
    w.para(
        [("{{ s.title }}: ", {"bold": True}),
         "số phiếu phát ra {{ s.issued }}, thu vào {{ s.collected }}, hợp lệ {{ s.valid }}, không hợp lệ "
         "{{ s.invalid }}; số phiếu của từng đơn vị: "
         '{% for l in s.lines %}{{ l.name }} {{ l.votes }}{% if l.outcome %} ({{ l.outcome }}){% endif %}'
         '{{ "." if loop.last else "; " }}{% endfor %}']
    )  # fmt: skip
    w.tag("{%p endfor %}")

    w.subheading("3. Kết luận")
    w.para("Hội nghị thống nhất:", keep=True)
    w.tag("{%p if voted %}")
    w.bullet(
        "- Suy tôn các đơn vị dẫn đầu phong trào thi đua năm {{ year }} của Cụm: "
        '{% for v in voted %}{{ v.name }} ({{ v.place }}){{ "" if loop.last else ", " }}{% endfor %};'
    )
    w.tag("{%p endif %}")
    w.tag("{%p if proposed %}")
    w.bullet(
        "- Đề nghị Chủ tịch {{ parent_body }} khen thưởng: "
        '{% for v in proposed %}{{ v.award }} cho {{ v.name }}{{ "" if loop.last else "; " }}{% endfor %};'
    )
    w.tag("{%p endif %}")
    w.bullet(
        "- Đơn vị Cụm trưởng năm {{ year_next }}: {{ elected_head }}; đơn vị Cụm phó năm {{ year_next }}: "
        "{{ elected_deputy }};"
    )
    w.tag("{%p for n in vote_notes %}")
    w.bullet([("- {{ n }}", {"italic": True})])
    w.tag("{%p endfor %}")
    w.bullet(
        "- Giao {{ head_body }} - đơn vị Cụm trưởng năm {{ year }} hoàn thiện hồ sơ, trình cấp có thẩm quyền "
        "xem xét, khen thưởng theo quy định."
    )
    w.para(
        "Biên bản kết thúc vào hồi … giờ … phút cùng ngày, đã được đọc lại trước Hội nghị và được các đại biểu "
        "dự họp thống nhất thông qua./.",
        before=6,
        keep=True,
    )
    minutes_signature(doc)
    return _save(doc, out)


def members_table(doc) -> None:
    t = doc.add_table(rows=4, cols=3)
    t.style = doc.styles["Table Grid"]
    table_props(t, [1.2, 6.4, 9.1], borders=True, pad_cm=0.1)
    for cell, text in zip(t.rows[0].cells, ("STT", "Đơn vị", "Đại biểu dự họp (theo đăng ký)"), strict=True):
        cell_par(cell, text, bold=True)
    repeat_header(t.rows[0])
    cell_par(t.rows[1].cells[0], "{%tr for m in members %}", align=LEFT)
    cells = t.rows[2].cells
    cell_par(cells[0], "{{ m.stt }}")
    cell_par(cells[1], "{{ m.name }}", align=LEFT)
    cell_par(cells[2], "{{ m.delegates }}", align=LEFT, size=11)
    cant_split(t.rows[2])
    cell_par(t.rows[3].cells[0], "{%tr endfor %}", align=LEFT)


def ranking_table(doc) -> None:
    t = doc.add_table(rows=4, cols=5)
    t.style = doc.styles["Table Grid"]
    table_props(t, [1.2, 7.4, 2.6, 2.6, 3.0], borders=True, pad_cm=0.1)
    for cell, text in zip(t.rows[0].cells, ("STT", "Đơn vị", "Tổng điểm", "Xếp hạng", "Xếp loại"), strict=True):
        cell_par(cell, text, bold=True)
    repeat_header(t.rows[0])
    cell_par(t.rows[1].cells[0], "{%tr for u in ranked %}", align=LEFT)
    cells = t.rows[2].cells
    cell_par(cells[0], "{{ u.stt }}")
    cell_par(cells[1], "{{ u.name }}", align=LEFT)
    cell_par(cells[2], "{{ u.total }}", bold=True)
    cell_par(cells[3], "{{ u.rank }}")
    cell_par(cells[4], "{{ u.level }}")
    cant_split(t.rows[2])
    cell_par(t.rows[3].cells[0], "{%tr endfor %}", align=LEFT)


def minutes_signature(doc) -> None:
    t = doc.add_table(rows=1, cols=2)
    table_props(t, [8.2, 8.2], borders=False)
    cant_split(t.rows[0])
    left, right = t.rows[0].cells
    _signer(left, "THƯ KÝ", None, "secretary_name", "[Họ và tên thư ký]")
    _signer(right, "CHỦ TRÌ HỘI NGHỊ", None, "chair_name", "[Họ và tên người chủ trì]")
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


# ---------------------------------------------------------------------------------------------- saving


def _save(doc, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    return save(doc, out)


def build_report(out: Path) -> Path:
    """The final report: make_report_template's document with final=True, with fixed zip dates."""
    with tempfile.TemporaryDirectory() as tmp:
        made = make_report_template.build(Path(tmp) / "bao_cao.docx", final=True)
        return write_bytes(out, with_fixed_times(made.read_bytes()))


def build_all(out_dir: Path = DEFAULT_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        build_report(out_dir / "mau_bao_cao_ho_so.docx"),
        build_to_trinh(out_dir / "mau_to_trinh.docx"),
        build_minutes(out_dir / "mau_bien_ban_hop.docx"),
    ]


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    for path in build_all(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
