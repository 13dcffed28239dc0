"""Results → bao_cao.docx, the draft year-end report, from an editable docxtpl (Jinja) Word template.

`build_context` is pure: it turns a Result into a plain dict of strings and lists (every number already
formatted the Vietnamese way, `87,5`), which is all a template can use. `write_report` renders a template
with it and writes the .docx atomically.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ttdk_xl.core.errors import ReportTemplateError
from ttdk_xl.core.failures import log
from ttdk_xl.core.models import (
    Book,
    Criterion,
    Kind,
    Result,
    Status,
    TieBreak,
    Unit,
    UnitResult,
    conference_date,
)
from ttdk_xl.core.text import day_text, day_words, nfc, strip_unit_prefixes, vn_number
from ttdk_xl.core.units import find_unit
from ttdk_xl.outputs.history_report import add_history_section, history_context

if TYPE_CHECKING:
    from ttdk_xl.outputs.ballots import CountResult

TEMPLATE_NAME = "mau_bao_cao.docx"

_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)

# Administrative prefixes, longest first, stripped to get a place name or to match unit names.
_LEVEL_WORDS = ("huyện", "quận", "thị xã", "thành phố", "thị trấn", "xã", "phường", "tỉnh")
_ACCLAIM_LABEL = {"Nhất": "dẫn đầu (Nhất)", "Nhì": "xếp thứ Nhì", "Ba": "xếp thứ Ba"}
_TIEBREAK_TEXT = {
    TieBreak.LESS_PENALTY.value: "điểm trừ ít hơn",
    TieBreak.MORE_BONUS.value: "điểm thưởng nhiều hơn",
    TieBreak.MORE_FULL_MARKS.value: "nhiều tiêu chí đạt điểm tối đa hơn",
}


# ---------------------------------------------------------------------------------------------- context


def build_context(result: Result, count: CountResult | None = None) -> dict[str, Any]:
    """Everything the report template may use, as strings and lists of dicts of strings.

    With the conference's `count` (the final report of the dossier), the vote's keys too
    (outputs.vote_results.vote_context: `final`, `voted`, `elected_head`…); without it, `final` is ''.

    Keys (all values are str unless noted):
      cluster_name, cluster_name_upper, parent_body, parent_body_upper, year, year_next, place,
      date ("18/12/2026") and date_words ("ngày 18 tháng 12 năm 2026"): the conference's date (core.models.
      conference_date: the book's `Ngày hội nghị`, else the day of the run), as on the ballots and the minutes,
      head_unit_name, deputy_unit_name, head_body (e.g. "UBND huyện Triệu Sơn"), head_body_upper,
      head_signer_title (e.g. "CHỦ TỊCH UBND HUYỆN TRIỆU SƠN"),
      n_units, n_submitted, n_valid, n_invalid, n_missing (two-digit counts, "05"),
      unit_names, valid_names, invalid_names, missing_names (comma-joined names, '' when none),
      units (list: stt, name, status), scored_max, bonus_cap, tiebreak_text,
      ranked (list: stt, code, name, scored, bonus, penalty, total, rank, level, status, acclaim, award, note),
      unranked (list: same keys, plus reason), level_summary, avg_total, avg_total_basis (e.g. "tính trên 05 đơn
      vị được xếp hạng"), max_total, min_total, avg_bonus, avg_penalty (averages and extremes over the ranked
      units: an unranked unit's total is provisional), acclaims (list: acclaim, label, name, total, level),
      awards (list: name, acclaim, award), ties (list: rank, names, total),
      disqualified (list: name, reason), rank_invalid_note,
      avg_units (ranked units, "05"), avg_basis (what the averages cover),
      group_averages (list: code, text, max, average, percent, units, basis_note — '' or " (04 đơn vị có điểm
      hợp lệ)" when a refused score leaves a row fewer units), avg_scored, avg_scored_percent,
      weakest (list of up to 3: same keys as group_averages),
      next_head, next_head_note, next_deputy, next_deputy_note,
      assessed ('' or the file whose `Thẩm định` scores counted), score_basis (what the scores are),
      changes (list: stt, unit, code, text, self, agreed, reason — agreed scores that differ),
      deviations (list: name, self_total, agreed_total, diff, penalty — self-score total too far off).
    """
    book = result.book
    units = list(result.units)
    ranked = sorted((u for u in units if u.rank is not None), key=lambda u: u.rank or 0)
    unranked = [u for u in units if u.rank is None]

    head = find_unit(book, book.head_unit)
    deputy = find_unit(book, book.deputy_unit)
    head_name = head.name if head else nfc(book.head_unit)
    deputy_name = deputy.name if deputy else nfc(book.deputy_unit)
    head_body = body_name(head) if head else nfc(book.head_unit)

    valid = [u for u in units if u.status is Status.VALID]
    invalid = [u for u in units if u.status is Status.INVALID]
    missing = [u for u in units if u.status is Status.MISSING]

    rows = _head(ranked, _row)
    errors = Counter(f.unit_code for f in result.findings if f.blocking)

    def unranked_row(i: int, u: UnitResult) -> dict[str, str]:
        row = _row(i, u)
        row["rank"] = "-"
        row["reason"] = _unranked_reason(result, u, errors)
        return row

    rest = _head(unranked, unranked_row, start=len(ranked) + 1)

    day = conference_date(book, result.run_date)  # the date of every document of this conference
    averages = result.cluster_averages()  # the ranked units only: an unranked unit's total is provisional
    averaged = averages.total_units
    totals = [u.total for u in averaged if u.total is not None]
    ctx: dict[str, Any] = {
        "cluster_name": nfc(book.cluster_name),
        "cluster_name_upper": nfc(book.cluster_name).upper(),
        "parent_body": nfc(book.parent_body),
        "parent_body_upper": nfc(book.parent_body).upper(),
        "year": str(book.year),
        "year_next": str(book.year + 1),
        "place": nfc(book.place) or _place(book, head),
        "date": day_text(day),
        "date_words": day_words(day),
        "head_unit_name": head_name,
        "deputy_unit_name": deputy_name,
        "head_body": head_body,
        "head_body_upper": head_body.upper(),
        "head_signer_title": signer_title(head_body),
        "n_units": _count(len(units)),
        "n_submitted": _count(len(valid) + len(invalid)),
        "n_valid": _count(len(valid)),
        "n_invalid": _count(len(invalid)),
        "n_missing": _count(len(missing)),
        "unit_names": _join_capped([u.unit.name for u in units]),
        "valid_names": _join_capped([u.unit.name for u in valid]),
        "invalid_names": _join_capped([u.unit.name for u in invalid]),
        "missing_names": _join_capped([u.unit.name for u in missing]),
        "units": _head(units, lambda i, u: {"stt": str(i), "name": u.unit.name, "status": u.status.value}),
        "scored_max": vn_number(sum((c.max_points for c in book.leaves if c.kind is Kind.SCORED), Decimal(0))),
        "bonus_cap": vn_number(book.bonus_cap),
        "tiebreak_text": _tiebreak_text(book),
        "ranked": rows,
        "unranked": rest,
        "level_summary": _level_summary(book, ranked),
        "avg_total": vn_number(averages.total),
        "avg_total_basis": _basis(len(averaged), averages.ranked, "ở mọi tiêu chí"),
        "max_total": vn_number(max(totals)) if totals else "",
        "min_total": vn_number(min(totals)) if totals else "",
        "avg_bonus": vn_number(_mean([u.bonus for u in averaged if u.bonus is not None])),
        "avg_penalty": vn_number(_mean([u.penalty for u in averaged if u.penalty is not None])),
        "acclaims": [
            {
                "acclaim": u.acclaim,
                "label": _ACCLAIM_LABEL.get(u.acclaim, f"xếp thứ {u.acclaim}") + (", đồng hạng" if u.tied else ""),
                "name": u.unit.name,
                "total": vn_number(u.total),
                "level": u.level,
            }
            for u in ranked
            if u.acclaim and not u.disqualified
        ],
        "awards": [
            {
                "name": u.unit.name,
                "acclaim": (u.acclaim or f"hạng {u.rank}") + (", đồng hạng" if u.tied else ""),
                "award": _award_text(u.award),
            }
            for u in ranked
            if u.award and not u.disqualified
        ],
        "ties": _ties(ranked),
        "disqualified": [
            {"name": u.unit.name, "reason": _disqualified_reason(book, u)} for u in units if u.disqualified
        ],
        "rank_invalid_note": (
            "theo yêu cầu của đơn vị Cụm trưởng, các đơn vị có bảng tự chấm điểm còn lỗi vẫn được tạm xếp hạng; "
            "kết quả của các đơn vị này cần được kiểm tra lại trước Hội nghị."
            if result.rank_invalid and any(u.status is Status.INVALID and u.rank is not None for u in units)
            else ""
        ),
    }
    ctx.update(_averages(result))
    ctx.update(_rotation(book, head, deputy))
    ctx.update(_assessed(result))
    ctx.update(history_context(result))  # the changes from last year, next head/deputy from history (if any)
    if count is not None:  # after the history: the vote's election, when counted, is what the report says
        from ttdk_xl.outputs.vote_results import vote_context

        ctx.update(vote_context(result, count))
    else:
        ctx["final"] = ""
    return _cap_lists(ctx)


REPORT_MAX_ROWS = 300  # a cluster never comes near; a province's report lists this many, then points to tong_hop
_MORE = "… và {n} đơn vị khác (xem trang tính “Tổng hợp” của tệp tổng hợp tong_hop.xlsx)"


class _Head(list):
    """The first rows of a long table (no more than the report shows), and how many there are in all."""

    full_length: int


def _head(items: list, make: Callable[[int, Any], dict[str, str]], start: int = 1) -> _Head:
    """Rows made only for the items the report can show: a province's 10,000 rows would be made for nothing."""
    rows = _Head(make(i, u) for i, u in enumerate(items[: REPORT_MAX_ROWS + 1], start))
    rows.full_length = len(items)
    return rows


def _cap_lists(ctx: dict[str, Any]) -> dict[str, Any]:
    """Keep the report readable (and quick to make) for thousands of units: long tables end with one row
    saying how many more there are and where to find them; long lists of names likewise."""
    cap = REPORT_MAX_ROWS
    for key in ("units", "ranked", "unranked", "disqualified", "ties"):
        rows = ctx[key]
        n = getattr(rows, "full_length", len(rows))
        if n > cap:
            more = dict.fromkeys(rows[0], "")
            more["name" if "name" in more else "names"] = _MORE.format(n=_many(n - cap))
            ctx[key] = [*rows[:cap], more]
        else:
            ctx[key] = list(rows)
    for tie in ctx["ties"]:
        if len(tie["names"]) > 40 * cap:
            tie["names"] = tie["names"][: 40 * cap].rsplit(", ", 1)[0] + " …"
    return ctx


def _assessed(result: Result) -> dict[str, Any]:
    """Agreed scores (thẩm định): what changed and who lost points for a self-score total too far off."""
    book = result.book
    changes = []
    for i, ch in enumerate(result.changes, start=1):
        c = book.criterion(ch.code)
        if c.kind is Kind.DISQUALIFIER:
            before = ch.self_typed or ("Có" if ch.self_score else "Không")
            after = "Có" if ch.agreed else "Không"
        else:
            typed = ch.self_typed or "-"  # a refused self-score as the unit typed it ('9' over a max of 8)
            before, after = (vn_number(ch.self_score) if ch.self_score is not None else typed), vn_number(ch.agreed)
        changes.append(
            {
                "stt": str(i),
                "unit": ch.unit_name,
                "code": ch.code,
                "text": nfc(c.text),
                "self": before,
                "agreed": after,
                "reason": ch.reason or "[chưa ghi lý do]",
            }
        )
    deviations = []
    for u in result.units:
        if u.deviation_penalty and u.self_total is not None and u.total is not None:
            agreed = u.total + u.deviation_penalty
            deviations.append(
                {
                    "name": u.unit.name,
                    "self_total": vn_number(u.self_total),
                    "agreed_total": vn_number(agreed),
                    "diff": vn_number(abs(agreed - u.self_total)),
                    "penalty": vn_number(u.deviation_penalty),
                }
            )
    return {
        "assessed": result.assessed_file,
        "score_basis": (
            "kết quả thẩm định đã được Hội nghị Cụm thảo luận, thống nhất"
            if result.assessed_file
            else "kết quả tự chấm điểm của các đơn vị"
        ),
        "changes": changes,
        "deviations": deviations,
    }


def _row(stt: int, u: UnitResult) -> dict[str, str]:
    rank = "" if u.rank is None else str(u.rank)
    if u.tied and rank:
        rank += " (đồng hạng)"
    return {
        "stt": str(stt),
        "code": u.unit.code,
        "name": u.unit.name,
        "scored": vn_number(u.scored),
        "bonus": vn_number(u.bonus),
        "penalty": vn_number(u.penalty),
        "total": vn_number(u.total),
        "rank": rank,
        "level": u.level,
        "status": u.status.value,
        "acclaim": u.acclaim,
        "award": u.award,
        "note": u.note,
    }


def _unranked_reason(result: Result, u: UnitResult, blocking: Counter | None = None) -> str:
    if u.status is Status.MISSING:
        return "chưa gửi bảng tự chấm điểm"
    if u.status is Status.INVALID:
        if blocking is not None:
            errors = blocking[u.unit.code]
        else:
            errors = sum(1 for f in result.findings if f.blocking and f.unit_code == u.unit.code)
        detail = f" ({errors} lỗi, chi tiết tại trang tính “Kiểm tra” của tệp tổng hợp)" if errors else ""
        return f"bảng tự chấm điểm còn lỗi, chưa được khắc phục{detail}"
    return u.note or "chưa đủ điều kiện xếp hạng"


def _disqualified_reason(book: Book, u: UnitResult) -> str:
    hits = [
        c
        for c in book.leaves
        if c.kind is Kind.DISQUALIFIER and u.scores.get(c.code) is not None and u.scores[c.code] > 0
    ]
    if hits:
        return "; ".join(f"vi phạm tiêu chí điểm liệt {c.code} ({nfc(c.text)})" for c in hits)
    return u.note or "vi phạm tiêu chí điểm liệt"


def _ties(ranked: list[UnitResult]) -> list[dict[str, str]]:
    groups: dict[int, list[UnitResult]] = {}
    for u in ranked:
        if u.tied and u.rank is not None:
            groups.setdefault(u.rank, []).append(u)
    return [
        {"rank": str(rank), "names": _join_and(u.unit.name for u in members), "total": vn_number(members[0].total)}
        for rank, members in sorted(groups.items())
        if len(members) > 1
    ]


def _level_summary(book: Book, units: list[UnitResult]) -> str:
    counts = Counter(u.level for u in units if u.level and u.total is not None)
    order = [lv.name for lv in book.levels] + sorted(set(counts) - {lv.name for lv in book.levels})
    return ", ".join(f"{_count(counts[name])} đơn vị xếp loại {name}" for name in order if counts.get(name))


def _averages(result: Result) -> dict[str, Any]:
    """Cluster averages by group and the weakest criteria: over the ranked units, each row over those whose
    cells under it are valid (Result.cluster_averages); a row that covers fewer units says how many."""
    book = result.book
    averages = result.cluster_averages()
    avg, ranked = averages.values, averages.ranked

    def share(c: Criterion) -> dict[str, str]:
        n = averages.basis(c.code)
        note = f" ({_count(n)} đơn vị có điểm hợp lệ)" if n < ranked else ""
        return _share(c.code, c.text, c.max_points, avg[c.code]) | {"units": _count(n), "basis_note": note}

    groups = []
    scored_max = Decimal(0)
    scored_sum = Decimal(0)
    for g in book.criteria:
        if not (g.is_group and g.parent is None):
            continue
        leaves = [book.criterion(code) for code in book.leaf_codes_under(g.code)]
        if not any(c.kind is Kind.SCORED for c in leaves) or g.code not in avg:
            continue
        groups.append(share(g))
        scored_max += g.max_points
        scored_sum += avg[g.code]
    weakest = sorted(
        (
            (avg[c.code] / c.max_points, i, c)
            for i, c in enumerate(book.leaves)
            if c.kind is Kind.SCORED and c.max_points > 0 and c.code in avg
        ),
        key=lambda t: (t[0], t[1]),
    )[:3]
    fewer = any(averages.basis(c.code) < ranked for c in book.criteria if c.code in avg)
    return {
        "avg_units": _count(ranked),
        "avg_basis": (
            f"tính trên {_count(ranked)} đơn vị được xếp hạng"
            + ("; tiêu chí có ô điểm chưa hợp lệ chỉ tính các đơn vị có điểm hợp lệ" if fewer else "")
            if ranked
            else "chưa có đơn vị nào được xếp hạng"
        ),
        "group_averages": groups,
        "avg_scored": vn_number(scored_sum) if groups else "",
        "avg_scored_percent": _percent(scored_sum, scored_max) if groups else "",
        "weakest": [share(c) for _, _, c in weakest],
    }


def _basis(n: int, ranked: int, where: str) -> str:
    """'tính trên 05 đơn vị được xếp hạng', or how many of them an average covers when it covers fewer."""
    if not ranked:
        return ""
    if n == ranked:
        return f"tính trên {_count(n)} đơn vị được xếp hạng"
    return f"tính trên {_count(n)}/{_count(ranked)} đơn vị được xếp hạng có điểm hợp lệ {where}"


def _share(code: str, text: str, max_points: Decimal, average: Decimal) -> dict[str, str]:
    return {
        "code": code,
        "text": nfc(text),
        "max": vn_number(max_points),
        "average": vn_number(average),
        "percent": _percent(average, max_points),
    }


def _percent(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return ""
    return vn_number((part * _HUNDRED / whole).quantize(_TENTH))


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(_CENT)


def _rotation(book: Book, head: Unit | None, deputy: Unit | None) -> dict[str, str]:
    """Proposal only: this year's deputy becomes head; the next unit in book order after it becomes deputy."""
    placeholder = "[đơn vị do Hội nghị Cụm bầu]"
    if deputy is None:
        return {"next_head": placeholder, "next_head_note": "", "next_deputy": placeholder, "next_deputy_note": ""}
    units = list(book.units)
    i = units.index(deputy)
    after = units[i + 1 :] + units[:i]
    candidates = [u for u in after if u != head] or after
    return {
        "next_head": deputy.name,
        "next_head_note": f" (đơn vị Cụm phó năm {book.year})",
        "next_deputy": candidates[0].name if candidates else placeholder,
        "next_deputy_note": " (đơn vị kế tiếp theo thứ tự danh sách các đơn vị trong Cụm)" if candidates else "",
    }


def _tiebreak_text(book: Book) -> str:
    parts = []
    for key in book.tiebreak:
        if key in _TIEBREAK_TEXT:
            parts.append(_TIEBREAK_TEXT[key])
            continue
        try:
            group = book.criterion(key)
        except KeyError:
            parts.append(nfc(key))
            continue
        parts.append(f"điểm nhóm tiêu chí {group.code} ({nfc(group.text)}) cao hơn")
    return "; ".join(parts)


def _award_text(award: str) -> str:
    """'Đề nghị tặng Cờ thi đua…' or 'Cờ thi đua…' → 'Cờ thi đua…' (the template words the proposal)."""
    text = re.sub(r"^\s*(đề\s+nghị\s+)?(tặng\s+)?", "", nfc(award), flags=re.IGNORECASE)
    return text.rstrip(" .;")


def _count(n: int) -> str:
    """Counts the way Vietnamese administrative documents write them: 05, 12."""
    return f"{n:02d}"


def _join(names) -> str:
    return ", ".join(n for n in names if n)


def _many(n: int) -> str:
    """A count in the report's style: 05, 12, and 9.700 (Vietnamese thousands separator)."""
    return _count(n) if n < 1000 else f"{n:,}".replace(",", ".")


def _join_capped(names: list[str]) -> str:
    names = [n for n in names if n]
    if len(names) <= REPORT_MAX_ROWS:
        return ", ".join(names)
    return ", ".join(names[:REPORT_MAX_ROWS]) + " " + _MORE.format(n=_many(len(names) - REPORT_MAX_ROWS))


def _join_and(names) -> str:
    items = [n for n in names if n]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def body_name(unit: Unit) -> str:
    """The issuing body of a unit: 'UBND huyện Triệu Sơn' for a district, 'Sở Tài chính' as is."""
    name = nfc(unit.name)
    low = name.casefold()
    if low.startswith(("ubnd", "ủy ban", "uỷ ban", "sở ", "ban ", "bộ ", "cục ", "văn phòng")):
        return name
    for word in _LEVEL_WORDS:
        if low.startswith(word + " "):
            return "UBND " + word + name[len(word) :]
    level = nfc(unit.level).casefold()
    if level in _LEVEL_WORDS:
        return f"UBND {level} {name}"
    return f"UBND {name}"


def signer_title(body: str) -> str:
    """Who signs for a body, in capitals: 'CHỦ TỊCH UBND HUYỆN …', 'GIÁM ĐỐC SỞ …', else 'THỦ TRƯỞNG …'."""
    low = body.casefold()
    if low.startswith(("ubnd", "ủy ban", "uỷ ban")):
        return f"CHỦ TỊCH {body.upper()}"
    if low.startswith("sở "):
        return f"GIÁM ĐỐC {body.upper()}"
    return f"THỦ TRƯỞNG {body.upper()}"


def _place(book: Book, head: Unit | None) -> str:
    """Place for the date line when the book gives none: the head unit's locality, else the province."""
    if head is not None and not nfc(head.name).casefold().startswith(("sở ", "ban ", "bộ ", "cục ", "văn phòng")):
        return strip_unit_prefixes(head.name)
    return strip_unit_prefixes(book.parent_body) or "[địa danh]"


# ---------------------------------------------------------------------------------------------- rendering


def default_template() -> Path:
    """input_templates/mau_bao_cao.docx, from the installed package or the source tree."""
    try:
        from importlib.resources import files

        candidate = Path(str(files("ttdk_xl.input_templates").joinpath(TEMPLATE_NAME)))
        if candidate.is_file():
            return candidate
    except (ModuleNotFoundError, TypeError, ValueError):
        pass
    return Path(__file__).resolve().parents[2] / "input_templates" / TEMPLATE_NAME


def write_report(result: Result, path: Path, template: Path | None = None) -> None:
    """Render the report template with `build_context(result)` and write it to `path` atomically.

    Raises ReportTemplateError (Vietnamese message naming the template and the faulty tag) when the
    template cannot be read or rendered.
    """
    template = Path(template) if template is not None else default_template()
    render_docx(template, build_context(result), path)


def render_docx(template: Path, context: dict[str, Any], path: Path, what: str = "báo cáo") -> None:
    """Render a docxtpl `template` with `context` and write it to `path` atomically; `what` names the document
    in the messages ("báo cáo", "tờ trình"…).

    Raises ReportTemplateError (Vietnamese message naming the template and the faulty tag) when the
    template cannot be read or rendered.
    """
    from ttdk_xl.core.atomic import write_bytes

    write_bytes(path, render_bytes(template, context, what))


def render_bytes(template: Path, context: dict[str, Any], what: str = "báo cáo") -> bytes:
    """render_docx, giving the document's bytes (zip entries dated 1980-01-01) rather than writing them."""
    tpl = render_template_doc(template, context, what)
    add_history_section(tpl, context)  # `Thay đổi so với năm trước`, only when the result has a history
    from ttdk_xl.outputs.docx_style import docx_bytes  # lazy: python-docx, for start-up

    return docx_bytes(tpl)


def render_template_doc(template: Path, context: dict[str, Any], what: str = "báo cáo") -> Any:
    """Load a docxtpl `template` and render it with `context`; return the rendered document. Every document
    of the tool renders here, so a broken template always gets the same Vietnamese message, naming the
    template, the faulty tag and where it is (ReportTemplateError); `what` names the document in it."""
    import jinja2
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    template = Path(template)
    try:
        tpl = DocxTemplate(str(template))
        tpl.init_docx()
    except (OSError, zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ReportTemplateError(
            f"Không đọc được mẫu {what} “{template}”: tệp không tồn tại hoặc không phải tệp Word (.docx) hợp lệ "
            f"({type(exc).__name__}: {exc}). Hãy chỉ đến đúng tệp .docx, hoặc bỏ tùy chọn mẫu để dùng mẫu mặc định."
        ) from exc

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        tpl.render(context, jinja_env=env)
    except jinja2.TemplateError as exc:
        raise ReportTemplateError(_template_error_message(template, exc, env, what)) from exc
    except Exception as exc:  # docxtpl/lxml failures on a damaged template
        raise ReportTemplateError(
            f"Không dựng được {what} từ mẫu “{template.name}” ({type(exc).__name__}: {exc}). "
            "Hãy kiểm tra các thẻ {%p …%}, {%tr …%} trong tệp mẫu, hoặc dùng lại mẫu mặc định."
        ) from exc
    return tpl


# Tags as they appear in the text of one paragraph: {{ … }}, {% … %}, or an opening without its end.
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{.*|\{%.*")


def _template_error_message(template: Path, exc: Exception, env, what: str = "báo cáo") -> str:
    """A Vietnamese message naming the template, the faulty tag and where it is."""
    import jinja2

    found = _locate_bad_tag(template, exc, env)
    detail = _explain(exc)
    if found:
        where, tag, reason = found
        return (
            f"Mẫu {what} “{template.name}” có thẻ không hợp lệ {tag} ({where}): {reason or detail}. "
            "Hãy sửa thẻ trong tệp mẫu (thẻ phải có dạng {{ tên_biến }} hoặc {%p if … %} … {%p endif %})."
        )
    line = getattr(exc, "lineno", None)
    context = getattr(exc, "docx_context", None)
    snippet = ""
    if context is not None and line:
        lines = [re.sub(r"\s+", " ", x).strip() for x in context]
        pos = (line - 1) - max(line - 4, 0)
        if 0 <= pos < len(lines) and lines[pos]:
            snippet = f", đoạn văn: “{lines[pos][:200]}”"
    kind = "cú pháp" if isinstance(exc, jinja2.TemplateSyntaxError) else "dữ liệu"
    return (
        f"Mẫu {what} “{template.name}” có lỗi {kind} ở dòng {line or '?'}{snippet}: {detail}. "
        "Hãy sửa thẻ trong tệp mẫu (kiểm tra các cặp {%p if %}/{%p endif %}, {%p for %}/{%p endfor %})."
    )


def _explain(exc: Exception) -> str:
    msg = str(getattr(exc, "message", None) or exc)
    m = re.search(r"No filter named '([^']+)'", msg)
    if m:
        return f"bộ lọc “{m.group(1)}” không tồn tại"
    m = re.search(r"'([^']+)' is undefined", msg)
    if m:
        return f"biến “{m.group(1)}” không có trong dữ liệu của văn bản"
    m = re.search(r"has no attribute '([^']+)'", msg)
    if m:
        return f"dữ liệu của văn bản không có mục “{m.group(1)}”"
    m = re.search(r"Encountered unknown tag '([^']+)'", msg)
    if m:
        return f"lệnh “{m.group(1)}” không tồn tại hoặc đặt sai chỗ"
    if "unexpected end of template" in msg.lower():
        return "có khối lệnh mở (if/for) mà không có lệnh đóng (endif/endfor) tương ứng"
    return f"lỗi Jinja: {msg}"


def _paragraph_texts(template: Path):
    """(where, text) for every paragraph of the template: body, tables, headers and footers."""
    from docx import Document

    doc = Document(str(template))

    def walk(container, where: str):
        n = 0
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for r, row in enumerate(block.rows, 1):
                    for c, cell in enumerate(row.cells, 1):
                        yield from walk(cell, f"{where}, bảng, hàng {r}, cột {c}")
            else:
                n += 1
                yield f"{where}, đoạn {n}", block.text

    yield from walk(doc, "thân văn bản")
    for i, section in enumerate(doc.sections, 1):
        for label, part in (
            ("đầu trang", section.header),
            ("đầu trang trang đầu", section.first_page_header),
            ("chân trang", section.footer),
            ("chân trang trang đầu", section.first_page_footer),
        ):
            if part.is_linked_to_previous and i > 1:
                continue
            yield from walk(part, f"{label} (phần {i})")


def _locate_bad_tag(template: Path, exc: Exception, env) -> tuple[str, str, str] | None:
    """Find the tag that breaks the template, checking each paragraph's tags on their own."""
    import jinja2

    undefined = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(exc))
    name = next((g for g in undefined.groups() if g), None) if undefined else None
    try:
        paragraphs = list(_paragraph_texts(template))
    except Exception:  # the template's error is still reported, without the tag's place
        log.warning("report: could not look for the bad tag in %s", template.name, exc_info=True)
        return None
    for where, text in paragraphs:
        for m in _TAG.finditer(text):
            tag = m.group(0)
            if tag.startswith("{{") and not tag.endswith("}}"):
                return where, f"“{tag[:60]}”", "thẻ mở bằng “{{” nhưng không có “}}” để đóng"
            if tag.startswith("{%") and not tag.endswith("%}"):
                return where, f"“{tag[:60]}”", "thẻ mở bằng “{%” nhưng không có “%}” để đóng"
            if name and re.search(rf"\b{re.escape(name)}\b", tag):
                return where, f"“{tag}”", ""
            if tag.startswith("{{"):
                try:
                    env.from_string(re.sub(r"^\{\{[pr]\s", "{{ ", tag))
                except jinja2.TemplateSyntaxError as err:
                    return where, f"“{tag}”", _explain(err)
            else:
                body = re.sub(r"^\{%-?\s*(p|tr|tc|r)?\s+", "", tag).split()
                keyword = body[0] if body else ""
                if keyword and keyword not in _JINJA_KEYWORDS:
                    return where, f"“{tag}”", f"lệnh “{keyword}” không tồn tại"
    return None


_JINJA_KEYWORDS = {
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "set",
    "endset",
    "with",
    "endwith",
    "macro",
    "endmacro",
    "call",
    "endcall",
    "filter",
    "endfilter",
    "block",
    "endblock",
    "raw",
    "endraw",
    "include",
    "import",
    "from",
    "break",
    "continue",
    "autoescape",
    "endautoescape",
    "cellbg",
    "colspan",
    "vm",
    "hm",
}
