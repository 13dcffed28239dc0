"""The report draft: context values, Decree 30/2020 layout, tags all rendered, template errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm

from ttdk_xl.core.errors import ReportTemplateError
from ttdk_xl.core.models import (
    AwardRule,
    Book,
    Criterion,
    ExplainRule,
    Finding,
    Kind,
    Level,
    Result,
    Severity,
    Status,
    Unit,
    UnitResult,
)
from ttdk_xl.outputs.report import build_context, default_template, write_report

D = Decimal
# The report template of this source tree (an installed package may carry another one)
TEMPLATE = Path(__file__).resolve().parents[1] / "input_templates" / "mau_bao_cao.docx"


def report_book() -> Book:
    c = [
        Criterion("I", "Công tác chỉ đạo, tổ chức thi đua", D(30), Kind.GROUP),
        Criterion("I.1", "Ban hành kế hoạch, phát động thi đua", D(10), Kind.SCORED, parent="I", depth=1),
        Criterion("I.2", "Phát hiện, nhân rộng điển hình tiên tiến", D(20), Kind.SCORED, parent="I", depth=1),
        Criterion("II", "Thực hiện nhiệm vụ phát triển kinh tế - xã hội", D(50), Kind.GROUP),
        Criterion("II.1", "Thu ngân sách nhà nước đạt, vượt dự toán", D(30), Kind.SCORED, parent="II", depth=1),
        Criterion("II.2", "Cải cách hành chính, chuyển đổi số", D(20), Kind.SCORED, parent="II", depth=1),
        Criterion("III", "Quốc phòng, an ninh", D(20), Kind.GROUP),
        Criterion("III.1", "Giữ vững an ninh chính trị, trật tự an toàn xã hội", D(20), Kind.SCORED, parent="III"),
        Criterion("B", "Điểm thưởng", D(5), Kind.GROUP),
        Criterion("B.1", "Có mô hình mới được cấp tỉnh công nhận", D(5), Kind.BONUS, ExplainRule.ALWAYS, parent="B"),
        Criterion("P", "Điểm trừ", D(2), Kind.GROUP),
        Criterion("P.1", "Nộp báo cáo chậm hạn", D(2), Kind.PENALTY, ExplainRule.ALWAYS, parent="P"),
        Criterion("P.2", "Tập thể lãnh đạo bị kỷ luật", D(0), Kind.DISQUALIFIER, ExplainRule.ALWAYS, parent="P"),
    ]
    names = ["Triệu Sơn", "Nông Cống", "Thọ Xuân", "Yên Định", "Đông Sơn", "Như Thanh", "Quảng Xương"]
    units = tuple(Unit(f"U{i}", f"Huyện {n}", "huyện") for i, n in enumerate(names, 1))
    return Book(
        cluster_name="Cụm thi đua số 2",
        parent_body="UBND tỉnh Thanh Hóa",
        year=2021,
        head_unit="Huyện Triệu Sơn",
        deputy_unit="U2",
        deadline="15/12/2021",
        step=D("0.25"),
        bonus_cap=D(5),
        criteria=tuple(c),
        units=units,
        levels=(Level("Xuất sắc", D(90)), Level("Tốt", D(80)), Level("Khá", D(65)), Level("Yếu", D(0))),
        awards=(
            AwardRule(1, "Cờ thi đua của UBND tỉnh", "Xuất sắc"),
            AwardRule(2, "Bằng khen của Chủ tịch UBND tỉnh", "Tốt"),
        ),
        place="",
    )


def unit_result(book: Book, i: int, scores: dict[str, str], **kw) -> UnitResult:
    pts = {k: D(v) for k, v in scores.items()}
    groups = {
        g.code: sum((pts.get(c, D(0)) for c in book.leaf_codes_under(g.code)), D(0))
        for g in book.criteria
        if g.is_group
    }
    scored = groups["I"] + groups["II"] + groups["III"]
    bonus, penalty = groups["B"], pts.get("P.1", D(0))
    return UnitResult(
        unit=book.units[i],
        status=kw.pop("status", Status.VALID),
        scored=scored,
        bonus=bonus,
        penalty=penalty,
        total=scored + bonus - penalty,
        scores=pts,
        group_scores=groups,
        **kw,
    )


def sample_result() -> Result:
    book = report_book()

    def s(i1, i2, ii1, ii2, iii1, b1="0", p1="0", p2="0"):
        return {"I.1": i1, "I.2": i2, "II.1": ii1, "II.2": ii2, "III.1": iii1, "B.1": b1, "P.1": p1, "P.2": p2}

    units = (
        # 10 + 19 + 30 + 19.5 + 20 + 3 = 101.5
        unit_result(
            book,
            0,
            s("10", "19", "30", "19.5", "20", "3"),
            rank=1,
            acclaim="Nhất",
            level="Xuất sắc",
            award="Đề nghị tặng Cờ thi đua của UBND tỉnh",
        ),
        # 9 + 18 + 28 + 18 + 19 + 2 - 0 = 94
        unit_result(
            book,
            1,
            s("9", "18", "28", "18", "19", "2"),
            rank=2,
            acclaim="Nhì",
            level="Xuất sắc",
            award="Bằng khen của Chủ tịch UBND tỉnh",
        ),
        # 87.5 each, still tied after every tie-break
        unit_result(book, 2, s("8", "17", "27", "16.5", "19"), rank=3, level="Tốt", tied=True),
        unit_result(book, 3, s("8", "17", "27", "16.5", "19"), rank=3, level="Tốt", tied=True),
        # disqualified: keeps total and level, no acclaim, no award
        unit_result(book, 4, s("7", "15", "25", "15", "18", "0", "2", "1"), rank=5, level="Khá", disqualified=True),
        unit_result(book, 5, s("6", "14", "20", "12", "15", "0", "0.25"), status=Status.INVALID, level="Yếu"),
        UnitResult(unit=book.units[6], status=Status.MISSING, note="Chưa nộp"),
    )
    findings = (
        Finding(
            "score-above-max",
            Severity.ERROR,
            "nhu_thanh.xlsx",
            "Điểm vượt tối đa",
            "Sửa điểm",
            sheet="Tự chấm điểm",
            cell="D12",
            unit_code="U6",
            unit_name="Huyện Như Thanh",
        ),
    )
    return Result(book=book, units=units, findings=findings, sources=(), run_date=date(2021, 12, 20))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "bao_cao.docx"
    write_report(sample_result(), out, TEMPLATE)
    return out


def all_paragraphs(doc):
    """Every paragraph: body, nested table cells, headers and footers of every section."""

    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        yield from walk(cell)
            else:
                yield block

    yield from walk(doc)
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            yield from walk(part)


def full_text(doc) -> str:
    return "\n".join(p.text for p in all_paragraphs(doc))


# ------------------------------------------------------------------------------------------ context


def test_context_numbers_are_vietnamese_strings():
    ctx = build_context(sample_result())
    assert ctx["year"] == "2021" and ctx["year_next"] == "2022"
    assert ctx["parent_body_upper"] == "UBND TỈNH THANH HÓA"
    assert ctx["cluster_name_upper"] == "CỤM THI ĐUA SỐ 2"
    assert ctx["place"] == "Triệu Sơn"
    assert ctx["head_signer_title"] == "CHỦ TỊCH UBND HUYỆN TRIỆU SƠN"
    assert [r["name"] for r in ctx["ranked"]] == [
        "Huyện Triệu Sơn",
        "Huyện Nông Cống",
        "Huyện Thọ Xuân",
        "Huyện Yên Định",
        "Huyện Đông Sơn",
    ]
    assert ctx["ranked"][0]["total"] == "101,5"
    assert ctx["ranked"][2]["rank"] == "3 (đồng hạng)"
    assert ctx["n_units"] == "07" and ctx["n_submitted"] == "06" and ctx["missing_names"] == "Huyện Quảng Xương"
    assert [r["name"] for r in ctx["unranked"]] == ["Huyện Như Thanh", "Huyện Quảng Xương"]
    assert "1 lỗi" in ctx["unranked"][0]["reason"]
    assert ctx["ties"] == [{"rank": "3", "names": "Huyện Thọ Xuân và Huyện Yên Định", "total": "87,5"}]
    assert ctx["awards"][0] == {"name": "Huyện Triệu Sơn", "acclaim": "Nhất", "award": "Cờ thi đua của UBND tỉnh"}
    assert ctx["disqualified"][0]["name"] == "Huyện Đông Sơn"
    assert "P.2" in ctx["disqualified"][0]["reason"]
    assert ctx["next_head"] == "Huyện Nông Cống" and ctx["next_deputy"] == "Huyện Thọ Xuân"
    assert [g["code"] for g in ctx["group_averages"]] == ["I", "II", "III"]
    assert len(ctx["weakest"]) == 3
    assert all("." not in v for v in (ctx["avg_total"], ctx["avg_scored"]))

    def strings_only(value):
        if isinstance(value, dict):
            return all(strings_only(v) for v in value.values())
        if isinstance(value, list):
            return all(strings_only(v) for v in value)
        return isinstance(value, str)

    assert strings_only(ctx)


def test_tied_acclaim_is_marked_and_level_summary_counts_ranked_units():
    result = sample_result()
    units = list(result.units)
    units[2] = replace(units[2], acclaim="Ba", award="Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh")
    units[3] = replace(units[3], acclaim="Ba", award="Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh")
    ctx = build_context(replace(result, units=tuple(units)))
    assert [a["label"] for a in ctx["acclaims"]][2:] == ["xếp thứ Ba, đồng hạng", "xếp thứ Ba, đồng hạng"]
    assert ctx["awards"][2]["acclaim"] == "Ba, đồng hạng"
    assert ctx["level_summary"] == "02 đơn vị xếp loại Xuất sắc, 02 đơn vị xếp loại Tốt, 01 đơn vị xếp loại Khá"


def test_rotation_skips_the_current_head_when_wrapping():
    book = report_book()
    last = replace(book, deputy_unit="Huyện Quảng Xương")
    ctx = build_context(Result(book=last, units=(), findings=(), sources=()))
    assert ctx["next_head"] == "Huyện Quảng Xương"
    assert ctx["next_deputy"] == "Huyện Nông Cống"


# ------------------------------------------------------------------------------------------ layout


def test_page_setup_is_decree_30(report):
    doc = Document(str(report))
    sec = doc.sections[0]
    tol = Mm(0.5)
    assert abs(sec.page_width - Mm(210)) < tol and abs(sec.page_height - Mm(297)) < tol
    assert abs(sec.top_margin - Mm(20)) < tol and abs(sec.bottom_margin - Mm(20)) < tol
    assert abs(sec.left_margin - Mm(30)) < tol and abs(sec.right_margin - Mm(15)) < tol
    assert sec.different_first_page_header_footer
    assert "PAGE" in sec.header._element.xml


def test_every_run_is_times_new_roman(report):
    doc = Document(str(report))
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == 14
    runs = [r for p in all_paragraphs(doc) for r in p.runs if r.text.strip()]
    assert runs
    for run in runs:
        assert (run.font.name or normal.name) == "Times New Roman", run.text
        rfonts = run._element.rPr.rFonts if run._element.rPr is not None else None
        if rfonts is not None:
            assert rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") in (
                None,
                "Times New Roman",
            )


def _run_with(doc, text):
    for p in all_paragraphs(doc):
        for r in p.runs:
            if r.text.strip() == text:
                return r
    raise AssertionError(f"no run {text!r}")


def test_header_elements(report):
    doc = Document(str(report))
    quoc_hieu = _run_with(doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert quoc_hieu.font.size.pt == 13 and quoc_hieu.font.bold
    tieu_ngu = _run_with(doc, "Độc lập - Tự do - Hạnh phúc")
    assert tieu_ngu.font.size.pt == 14 and tieu_ngu.font.bold
    body = _run_with(doc, "CỤM THI ĐUA SỐ 2")
    assert body.font.bold and body.font.size.pt == 13
    parent = _run_with(doc, "UBND TỈNH THANH HÓA")
    assert parent.font.size.pt == 13 and not parent.font.bold
    date = _run_with(doc, "Triệu Sơn, ngày 20 tháng 12 năm 2021")  # the conference's date: here the run's
    assert date.font.italic
    bao_cao = _run_with(doc, "BÁO CÁO")
    assert bao_cao.font.bold and bao_cao.font.size.pt == 14
    text = full_text(doc)
    assert "Số:" in text and "/BC-CTĐ" in text
    assert (
        "Tổng kết công tác thi đua, khen thưởng năm 2021; phương hướng, nhiệm vụ năm 2022 của Cụm thi đua số 2" in text
    )
    assert "Nơi nhận:" in text and "- Lưu: VT, NV." in text
    assert "CHỦ TỊCH UBND HUYỆN TRIỆU SƠN" in text


def test_no_tags_left(report):
    doc = Document(str(report))
    text = full_text(doc)
    assert "{{" not in text and "{%" not in text and "}}" not in text and "%}" not in text


def _score_table(doc):
    for t in doc.tables:
        if t.rows[0].cells[0].text == "STT" and "Tổng điểm" in [c.text for c in t.rows[0].cells]:
            return t
    raise AssertionError("no score table")


def test_score_table_rows_in_rank_order(report):
    doc = Document(str(report))
    t = _score_table(doc)
    rows = [[c.text for c in r.cells] for r in t.rows]
    assert rows[0] == ["STT", "Đơn vị", "Điểm chấm", "Điểm thưởng", "Điểm trừ", "Tổng điểm", "Xếp hạng", "Xếp loại"]
    assert rows[1] == ["1", "Huyện Triệu Sơn", "98,5", "3", "0", "101,5", "1", "Xuất sắc"]
    assert rows[2] == ["2", "Huyện Nông Cống", "92", "2", "0", "94", "2", "Xuất sắc"]
    assert rows[3][1:] == ["Huyện Thọ Xuân", "87,5", "0", "0", "87,5", "3 (đồng hạng)", "Tốt"]
    assert rows[4][1] == "Huyện Yên Định" and rows[4][6] == "3 (đồng hạng)"
    assert rows[5][1:6] == ["Huyện Đông Sơn", "80", "0", "2", "78"]
    # not ranked: listed after, with their status
    assert rows[6][1] == "Huyện Như Thanh" and rows[6][6] == "-" and rows[6][7] == "Có lỗi"
    assert rows[7][1] == "Huyện Quảng Xương" and rows[7][7] == "Chưa nộp"
    assert len(rows) == 8


def test_proposals_ties_and_disqualified(report):
    text = full_text(Document(str(report)))
    assert "đề nghị Hội nghị Cụm xem xét, suy tôn" in text
    assert "Huyện Triệu Sơn (Nhất): đề nghị tặng Cờ thi đua của UBND tỉnh" in text
    assert "Huyện Thọ Xuân và Huyện Yên Định: cùng đạt 87,5 điểm" in text
    assert "đồng hạng — cần Hội nghị bỏ phiếu" in text
    assert "Huyện Đông Sơn: vi phạm tiêu chí điểm liệt P.2" in text
    assert "Cụm trưởng năm 2022: Huyện Nông Cống" in text
    assert "Cụm phó năm 2022: Huyện Thọ Xuân" in text
    assert "Đơn vị chưa gửi bảng tự chấm điểm (01): Huyện Quảng Xương" in text
    assert "[Phần này do người soạn thảo viết" in text


def test_default_template_is_shipped():
    assert default_template().name == "mau_bao_cao.docx"
    assert default_template().is_file()


# ------------------------------------------------------------------------------------------ templates


def _tiny_template(path: Path, *lines: str) -> Path:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(path))
    return path


def test_custom_template_is_used(tmp_path):
    tpl = _tiny_template(tmp_path / "mau.docx", "Báo cáo của {{ cluster_name }} năm {{ year }}")
    out = tmp_path / "out" / "bao_cao.docx"
    write_report(sample_result(), out, template=tpl)
    doc = Document(str(out))
    assert [p.text for p in doc.paragraphs] == ["Báo cáo của Cụm thi đua số 2 năm 2021"]
    assert [p.name for p in out.parent.iterdir()] == ["bao_cao.docx"]  # no temp file left


@pytest.mark.parametrize(
    "tag",
    ["{{ unclosed", "{{ cluster_name|khong_co_bo_loc }}", "{{ cluster_nam }}", "{% fro u in ranked %}"],
)
def test_broken_template_names_the_tag(tmp_path, tag):
    tpl = _tiny_template(tmp_path / "hong.docx", "Mở đầu {{ year }}", f"Câu có lỗi {tag} ở đây", "{{ place }}")
    out = tmp_path / "bao_cao.docx"
    with pytest.raises(ReportTemplateError) as err:
        write_report(sample_result(), out, template=tpl)
    msg = str(err.value)
    assert "hong.docx" in msg
    assert tag.split("|")[0].rstrip(" }") in msg
    assert not out.exists()


def test_unreadable_template(tmp_path):
    bad = tmp_path / "khong_phai_word.docx"
    bad.write_bytes(b"day khong phai tep docx")
    with pytest.raises(ReportTemplateError, match=r"khong_phai_word\.docx"):
        write_report(sample_result(), tmp_path / "x.docx", template=bad)
    with pytest.raises(ReportTemplateError, match=r"khong_co\.docx"):
        write_report(sample_result(), tmp_path / "x.docx", template=tmp_path / "khong_co.docx")


def test_failed_render_keeps_previous_output(tmp_path):
    out = tmp_path / "bao_cao.docx"
    out.write_bytes(b"previous")
    tpl = _tiny_template(tmp_path / "hong.docx", "{{ unclosed")
    with pytest.raises(ReportTemplateError):
        write_report(sample_result(), out, template=tpl)
    assert out.read_bytes() == b"previous"


def test_the_same_result_gives_the_same_bytes_at_any_time(tmp_path, monkeypatch):
    """python-docx stamps the clock into each zip entry; the report carries fixed dates instead."""
    import time
    import zipfile

    write_report(sample_result(), tmp_path / "a.docx")
    later = time.time() + 3 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    write_report(sample_result(), tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    with zipfile.ZipFile(tmp_path / "b.docx") as z:
        assert z.testzip() is None
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert Document(str(tmp_path / "b.docx")).paragraphs  # still a Word document
