"""The emulation covenant (giao ước thi đua) the member units sign at the conference, from the criteria book.

Decree 30/2020 layout (ttdk_xl.outputs.docx_style): the movements (criteria groups) and criteria with their points
and how each is scored (the book's `Hướng dẫn chấm`), what each unit commits to, and a signature table with one
block per member unit (three to a row).
Parts only people can write (the legal grounds) are highlighted placeholders.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from ttdk_xl.core.models import Book, Kind, Unit, conference_date
from ttdk_xl.core.text import day_words, nfc, vn_number
from ttdk_xl.outputs.report import body_name, signer_title

COVENANT_NAME = "giao_uoc_thi_dua.docx"
SIGN_COLUMNS = 3

_KIND_NOTE = {
    Kind.BONUS: "điểm thưởng",
    Kind.PENALTY: "điểm trừ",
    Kind.DISQUALIFIER: "điểm liệt",
}


def write_covenant(book: Book, path: Path, year: int | None = None, run_date: date | None = None) -> Path:
    """Write the covenant for `year` (default: the year after the book's) to `path`, atomically.

    It is signed at the conference that closes the year before `year`, and dated like that conference's other
    documents (core.models.conference_date): the book's `Ngày hội nghị` when the book is of that year, else
    the day of the run (`run_date`, default today)."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.shared import Pt

    from ttdk_xl.outputs import docx_style as ds  # lazy: python-docx, for start-up

    year = year or book.year + 1
    signed = conference_date(book, run_date) if year == book.year + 1 else run_date or date.today()
    cluster = nfc(book.cluster_name)
    doc = ds.new_document(f"Giao ước thi đua năm {year} — {cluster}")
    w = ds.Writer(doc)
    ds.national_header(
        doc,
        nfc(book.parent_body).upper(),
        cluster.upper(),
        "",
        f"{nfc(book.place) or '[địa danh]'}, {day_words(signed)}",
    )
    ds.title(w, "GIAO ƯỚC THI ĐUA", f"Năm {year} của {cluster}", before=12)

    w.placeholder(
        "[Căn cứ … (người soạn thảo ghi số, ngày, trích yếu: Luật Thi đua, Khen thưởng; quyết định tổ chức các cụm, "
        f"khối thi đua; hướng dẫn của Ban Thi đua - Khen thưởng; quy chế hoạt động của Cụm năm {year}…)]"
    )
    names = ", ".join(u.name for u in book.units)
    w.para(
        f"Các đơn vị thành viên {cluster} gồm {len(book.units):02d} đơn vị: {names}, "
        f"thống nhất ký kết giao ước thi đua năm {year} với những nội dung sau:"
    )

    w.part("I. MỤC ĐÍCH, YÊU CẦU")
    w.para(
        "Đẩy mạnh các phong trào thi đua yêu nước, tạo khí thế thi đua sôi nổi, rộng khắp trong các đơn vị; "
        f"phấn đấu hoàn thành toàn diện các chỉ tiêu, nhiệm vụ phát triển kinh tế - xã hội năm {year}."
    )
    w.para(
        "Nội dung giao ước thi đua cụ thể, sát thực tế, là căn cứ để các đơn vị tự chấm điểm và Cụm bình xét, "
        f"suy tôn đơn vị dẫn đầu cuối năm {year}; việc đánh giá bảo đảm công khai, dân chủ, khách quan."
    )

    w.part("II. NỘI DUNG GIAO ƯỚC")
    scored = sum((c.max_points for c in book.leaves if c.kind is Kind.SCORED), Decimal(0))
    bonus = f"; điểm thưởng tối đa {vn_number(book.bonus_cap)} điểm" if book.bonus_cap else ""
    w.para(
        f"1. Các đơn vị thi đua thực hiện các phong trào, tiêu chí sau (thang điểm {vn_number(scored)} điểm{bonus}):",
        keep=True,
    )
    _criteria_table(ds, doc, book)

    w.para("2. Mỗi đơn vị thành viên cam kết:", before=6, keep=True)
    for line in _commitments(book, year):
        w.para(f"- {line}")

    w.part("III. TỔ CHỨC THỰC HIỆN")
    w.para(
        f"Đơn vị Cụm trưởng năm {year} chủ trì theo dõi, đôn đốc việc thực hiện giao ước; gửi bảng tự chấm điểm "
        "cho các đơn vị, tổng hợp kết quả, tổ chức hội nghị sơ kết, tổng kết và bình xét thi đua của Cụm."
    )
    w.para(
        "Các đơn vị thành viên tổ chức quán triệt, triển khai giao ước đến các cơ quan, đơn vị trực thuộc; "
        "định kỳ báo cáo kết quả thực hiện về đơn vị Cụm trưởng theo quy chế hoạt động của Cụm."
    )
    w.para(
        f"Giao ước thi đua này được các đơn vị thành viên {cluster} nhất trí ký kết, có hiệu lực từ ngày ký.",
        after=12,
    )

    # One block per unit, three to a row; a row never splits across pages. The titles get a size at which
    # the longest fits on one line (about 20 bold capitals per 5,5 cm at 11 pt), so that the names line up.
    units = list(book.units)
    rows = (len(units) + SIGN_COLUMNS - 1) // SIGN_COLUMNS
    table = doc.add_table(rows=rows, cols=SIGN_COLUMNS)
    width = ds.usable_width_cm(doc) / SIGN_COLUMNS
    ds.table_props(table, [width] * SIGN_COLUMNS, borders=False, pad_cm=0.1)
    fits = (width - 0.2) * 3.7  # capitals per line at 11 pt
    longest = max(len(_signer(u)[0]) for u in units)
    size = 11 if longest <= fits else max(8, int(2 * 11 * fits / longest) / 2)
    for r in range(rows):
        group = units[r * SIGN_COLUMNS : (r + 1) * SIGN_COLUMNS]
        for col, (body, role) in enumerate(_signer(u) for u in group):
            cell = table.rows[r].cells[col]
            p = ds.cell_par(cell, body.upper(), size=size, bold=True)
            p.paragraph_format.space_before = Pt(12)
            ds.cell_par(cell, role, size=12, bold=True, first=False)
            ds.cell_par(cell, "(Ký, ghi rõ họ tên, đóng dấu)", size=11, italic=True, first=False)
            for _ in range(4):
                ds.cell_par(cell, "", size=12, first=False)
            ds.cell_par(cell, [("[Họ và tên]", {"mark": True})], size=12, bold=True, first=False)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        ds.cant_split(table.rows[r])
    return ds.save(doc, path)


def _signer(unit: Unit) -> tuple[str, str]:
    """('UBND huyện Triệu Sơn', 'CHỦ TỊCH') — the body and the signer's title."""
    body = body_name(unit)
    title = signer_title(body)
    role = title[: -len(body)].strip() if title.upper().endswith(body.upper()) else title
    return body, role


def _commitments(book: Book, year: int) -> list[str]:
    out = []
    groups = [c for c in book.criteria if c.is_group and c.parent is None]
    for g in groups:
        kinds = {book.criterion(code).kind for code in book.leaf_codes_under(g.code)}
        if kinds == {Kind.SCORED}:
            out.append(
                f"Thực hiện tốt các tiêu chí nhóm {g.code} ({nfc(g.text)[:1].lower()}{nfc(g.text)[1:]}), "
                f"phấn đấu đạt tối đa {vn_number(g.max_points)} điểm."
            )
    disqualifiers = [c for c in book.leaves if c.kind is Kind.DISQUALIFIER]
    if disqualifiers:
        items = "; ".join(nfc(c.text).rstrip(".") for c in disqualifiers)
        out.append(f"Không để xảy ra vi phạm thuộc tiêu chí điểm liệt: {items}.")
    if any(c.kind is Kind.PENALTY for c in book.leaves):
        out.append("Hạn chế đến mức thấp nhất các trường hợp bị trừ điểm theo bộ tiêu chí.")
    out.append(
        f"Tự chấm điểm trung thực, có giải trình, minh chứng; gửi bảng tự chấm điểm năm {year} về đơn vị Cụm "
        "trưởng đúng thời hạn Cụm quy định."
    )
    out.append(
        "Tham gia đầy đủ các hoạt động của Cụm; chia sẻ kinh nghiệm, mô hình hay; phát hiện, bồi dưỡng, nhân rộng "
        "các điển hình tiên tiến."
    )
    return out


def _criteria_table(ds, doc, book: Book) -> None:
    """The criteria with their points and, when the book has any, how each is scored (`Hướng dẫn chấm`)."""
    rows = list(book.criteria)
    guided = any(c.guidance for c in rows)
    headers = ["Mã", "Phong trào, tiêu chí thi đua", "Điểm tối đa"]
    widths = [1.6, 12.3, 2.6]
    if guided:
        headers.insert(2, "Hướng dẫn chấm")
        widths = [1.4, 7.4, 5.7, 2.0]
    t = doc.add_table(rows=1 + len(rows), cols=len(headers))
    t.style = doc.styles["Table Grid"]
    ds.table_props(t, widths, borders=True, pad_cm=0.1)
    for cell, text in zip(t.rows[0].cells, headers, strict=True):
        ds.cell_par(cell, text, bold=True)
    ds.repeat_header(t.rows[0])
    for i, c in enumerate(rows, 1):
        cells = t.rows[i].cells
        bold = c.is_group
        note = _KIND_NOTE.get(c.kind)
        text = nfc(c.text) + (f" ({note})" if note and not c.is_group else "")
        ds.cell_par(cells[0], c.code, bold=bold)
        ds.cell_par(cells[1], text, align=ds.LEFT, bold=bold)
        if guided:
            ds.cell_par(cells[2], nfc(c.guidance), align=ds.LEFT, size=11, italic=True)
        if c.kind is Kind.DISQUALIFIER:
            points = "Điểm liệt"
        elif c.kind is Kind.PENALTY:
            points = f"trừ đến {vn_number(c.max_points)}"
        else:
            points = vn_number(c.max_points)
        ds.cell_par(cells[-1], points, bold=bold)
        ds.cant_split(t.rows[i])


def default_covenant_path(book_path: Path) -> Path:
    return Path(book_path).parent / COVENANT_NAME
