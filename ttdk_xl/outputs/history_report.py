"""The report's part on earlier years (only when the result has a history): changes from last year, why each
unit is or is not proposed, and the next head and deputy proposed from the history.

`history_context` adds keys to the report's context (a template may use them); `add_history_section` puts a
paragraph and a small table into the rendered report before `2. Đề nghị suy tôn, khen thưởng`, and the
eligibility sentences at the end of that heading's part, so the office's own template needs no new tags.
"""

from __future__ import annotations

import logging
from typing import Any

from ttdk_xl.core.models import Result
from ttdk_xl.core.text import header_key, vn_number
from ttdk_xl.history.rotation import RULE_LONGEST, propose_head_deputy, rule_of, waiting_note
from ttdk_xl.history.trend import trends

log = logging.getLogger(__name__)

TABLE_HEADS = ("STT", "Đơn vị", "Tổng điểm năm {prev}", "Tổng điểm năm {year}", "Tăng, giảm", "Hạng năm {prev}",
               "Hạng năm {year}", "Thay đổi hạng")  # fmt: skip
# headings the part goes before: the draft report's, then the final report's (after the vote)
ANCHOR_CHANGES = ("2. Đề nghị suy tôn, khen thưởng", "2. Kết quả suy tôn, đề nghị khen thưởng")
ROTATION_START = "Theo nguyên tắc luân phiên"  # the template's sentence before the proposed head and deputy
ROTATION_LONGEST = (
    "Theo nguyên tắc luân phiên (đơn vị lâu nhất chưa làm Cụm trưởng, theo kết quả các năm của Cụm, đảm nhận Cụm "
    "trưởng; đơn vị kế tiếp đảm nhận Cụm phó), đơn vị Cụm trưởng đề xuất để Hội nghị Cụm xem xét, bầu:"
)
ANCHOR_ELIGIBILITY = "3. Đánh giá chung"


def history_context(result: Result) -> dict[str, Any]:
    """Keys (only with a history): history_years ('2024–2025'), history_text (the paragraph), history_rows
    (list: stt, name, total_prev, total, change, rank_prev, rank, rank_change, note), eligibility (list:
    name, reason), and next_head, next_head_note, next_deputy, next_deputy_note from the history."""
    history = result.history
    if history is None:
        return {}
    book = result.book
    prev = book.year - 1
    ts = [t for t in trends(result) if t.unit.code in {u.unit.code for u in result.units if u.total is not None}]
    rows = []
    for i, t in enumerate(ts, 1):
        last = t.years.get(prev, ())
        now = t.years.get(book.year, ())
        one = last[0] if len(last) == 1 else None
        rows.append(
            {
                "stt": str(i),
                "name": t.unit.name,
                "total_prev": vn_number(one.total) if one else ("(hợp nhất)" if last else "—"),
                "total": vn_number(now[0].total) if now else "",
                "change": t.total_text(),
                "rank_prev": str(one.rank) if one and one.rank else "—",
                "rank": str(now[0].rank) if now and now[0].rank else "—",
                "rank_change": t.rank_text(),
                "note": t.note,
            }
        )
    up = [t for t in ts if (t.change_rank or 0) > 0]
    down = [t for t in ts if (t.change_rank or 0) < 0]
    same = [t for t in ts if t.change_rank == 0]
    compared = len(up) + len(down) + len(same)
    years = history.years
    parts = []
    if compared:
        counts = [(up, "tăng hạng"), (down, "giảm hạng"), (same, "giữ nguyên thứ hạng")]
        parts.append(f"So với năm {prev}, " + ", ".join(f"{len(ts_):02d} đơn vị {what}" for ts_, what in counts if ts_))
        best = max(up, key=lambda t: (t.change_rank or 0, t.change_total or 0), default=None)
        if best is not None:
            parts[-1] += f"; tăng nhiều nhất là {best.unit.name} ({best.rank_text()} bậc, {best.total_text()} điểm)"
        parts[-1] += "."
    else:
        parts.append(f"Chưa có kết quả năm {prev} để so sánh.")
    merged = [t for t in ts if len(t.years.get(prev, ())) > 1]
    if merged:
        parts.append(
            "Đơn vị hợp nhất không so sánh thứ hạng với năm trước: "
            + "; ".join(f"{t.unit.name} ({t.note.rstrip('.')})" for t in merged)
            + "."
        )
    if years:
        parts.append(
            f"Kết quả các năm {years[0]}–{book.year} của từng đơn vị: trang tính “Qua các năm” của tệp tong_hop.xlsx."
        )
    if not years:  # the book's screens without a lich_su/: nothing to compare
        parts, rows = [], []
    head, deputy, reason = propose_head_deputy(book, history)
    placeholder = "[đơn vị do Hội nghị Cụm bầu]"
    longest = rule_of(book, history) == RULE_LONGEST
    return {
        "history_years": f"{years[0]}–{book.year}" if years else str(book.year),
        "history_text": " ".join(parts),
        "history_rows": rows,
        "eligibility": [
            {"name": u.unit.name, "reason": history.eligibility[u.unit.code]}
            for u in result.units
            if u.unit.code in history.eligibility
        ],
        "next_head": head.name if head else placeholder,
        "next_head_note": f" ({waiting_note(book, history, head)})" if head and longest else "",
        "next_deputy": deputy.name if deputy else placeholder,
        "next_deputy_note": f" ({waiting_note(book, history, deputy)})" if deputy and longest else "",
        "rotation_text": ROTATION_LONGEST if longest else "",
        "rotation_reason": reason,
    }


def add_history_section(tpl: Any, context: dict[str, Any]) -> None:
    """Insert the changes (before `2. Đề nghị suy tôn…`) and the eligibility (before `3. Đánh giá chung`)."""
    if "history_rows" not in context:
        return
    from ttdk_xl.outputs.docx_style import CENTER, LEFT, add_runs, cant_split, cell_par, fmt, repeat_header, table_props

    doc = tpl.docx if hasattr(tpl, "docx") and tpl.docx is not None else tpl
    anchors = {header_key(p.text): p for p in doc.paragraphs}
    changes_at = next((anchors[k] for k in map(header_key, ANCHOR_CHANGES) if k in anchors), None)
    if changes_at is None:  # another document (Tờ trình, minutes) or an office template without the heading
        log.info("no heading %r in the document: the history part is not added", ANCHOR_CHANGES[0])
        return
    year = context["year"]
    prev = str(int(year) - 1)

    def para(parts, before, bold=False, italic=False, keep=False):
        p = doc.add_paragraph()
        fmt(p, before=0, after=6, indent=1.27, keep=keep)
        add_runs(p, parts, bold=bold, italic=italic)
        before.addprevious(p._p)
        return p

    anchor = changes_at._p
    rows = context["history_rows"]
    if context["history_text"]:  # earlier years known: the changes from last year
        para(f"Thay đổi so với năm {prev}", anchor, bold=True, italic=True, keep=True)
        para(context["history_text"], anchor, keep=bool(rows))
    if rows:
        widths = [1.0, 5.6, 1.75, 1.75, 1.6, 1.5, 1.5, 1.8]  # 16.5 cm: the width of the score table above
        t = doc.add_table(rows=1 + len(rows), cols=len(widths))
        t.style = doc.styles["Table Grid"]
        table_props(t, widths, borders=True, pad_cm=0.1)
        for cell, text in zip(t.rows[0].cells, TABLE_HEADS, strict=True):
            cell_par(cell, text.format(prev=prev, year=year), bold=True, size=11)
        repeat_header(t.rows[0])
        keys = ("stt", "name", "total_prev", "total", "change", "rank_prev", "rank", "rank_change")
        for r, row in zip(t.rows[1:], rows, strict=True):
            for c, key in enumerate(keys):
                cell_par(
                    r.cells[c], row[key], align=LEFT if key == "name" else CENTER, size=11, bold=key == "rank_change"
                )
            cant_split(r)
        anchor.addprevious(t._tbl)
        spacer = doc.add_paragraph()
        fmt(spacer, after=0, indent=0)
        anchor.addprevious(spacer._p)
    if context.get("rotation_text") and not context.get("final"):  # the draft words the book-order rule
        for p in doc.paragraphs:
            if p.text.startswith(ROTATION_START) and p.runs:
                p.runs[0].text = context["rotation_text"]
                for run in p.runs[1:]:
                    run.text = ""
                break
    eligibility = context["eligibility"]
    after = anchors.get(header_key(ANCHOR_ELIGIBILITY))
    if eligibility and after is not None and not context.get("final"):  # after the vote: each place says why
        para("Xét điều kiện đề nghị khen thưởng (theo bộ tiêu chí và lịch sử các năm):", after._p, keep=True)
        for i, e in enumerate(eligibility):
            end = "." if i == len(eligibility) - 1 else ";"
            para([(f"- {e['name']}: ", {"bold": True}), e["reason"].rstrip(".") + end], after._p)
