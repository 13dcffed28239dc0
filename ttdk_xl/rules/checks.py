"""Pure checks: a raw submission + the Book → clean scores and findings (DESIGN §3.3).

Each finding has a stable code, a severity (Lỗi blocks the unit, Cảnh báo does not), the file, sheet
and cell, a Vietnamese message saying what is wrong and a fix saying what to do.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from enum import Enum
from typing import Final

from ttdk_xl.core.failures import internal_failure
from ttdk_xl.core.layout import (
    COL_MAX,
    COL_TEXT,
    H_CODE,
    H_EXPLAIN,
    H_MAX,
    H_SCORE,
    H_TEXT,
    NO,
    SCORE_SHEET,
    YES,
    cell_name,
    col_letter,
)
from ttdk_xl.core.models import Book, Criterion, ExplainRule, Finding, Kind, Severity, Submission, Unit
from ttdk_xl.core.text import nfc, text_key, vn_number
from ttdk_xl.core.units import match_unit, unit_key
from ttdk_xl.inbox.read import RawRow, RawSubmission
from ttdk_xl.rules.score import totals_plan
from ttdk_xl.rules.values import (
    ABOVE_MAX,
    MISSING,
    NEGATIVE,
    NOT_NUMBER,
    OFF_STEP,
    parse_score,
    round_to_step,
    validate_score,
    yes_no,
)

E, W = Severity.ERROR, Severity.WARNING

# Letters that TCVN3 / VNI legacy fonts put where Unicode Vietnamese letters should be.
# Only characters that never occur in Unicode Vietnamese text (TCVN3 also uses Ò, Õ, Ê… which do).
_TCVN3 = set("¸µ¶·¹¨¾»¼½Æ©ÇËÐÑª«×ØÜÞ®¬Ö")
# VNI stores tone marks as separate letters after the vowel ("aø" for "à"), and đ as "ñ".
_VNI = re.compile(r"[aeiouyAEIOUY][øùúûõïäåëö]|[ñÑ]")


_TCVN3_RE = re.compile("[" + re.escape("".join(sorted(_TCVN3))) + "]")
# Every letter either test counts, in one character class: most Unicode text has none (one fast scan).
_LEGACY_HINT = re.compile("[" + re.escape("".join(sorted(_TCVN3 | set("øùúûõïäåëöñÑ")))) + "]")


def legacy_encoding(text: str) -> str:
    """'TCVN3' or 'VNI' when text looks typed with a legacy Vietnamese font, else ''."""
    if not text or _LEGACY_HINT.search(text) is None:
        return ""
    if len(_TCVN3_RE.findall(text)) >= 2:  # two or more letters of _TCVN3
        return "TCVN3"
    if len(_VNI.findall(text)) >= 2:
        return "VNI"
    return ""


def _needs_explanation(c: Criterion, score: Decimal | None, disq: bool) -> bool:
    if c.explain is ExplainRule.NEVER:
        return False
    if c.kind is Kind.DISQUALIFIER:
        return disq
    if c.kind in (Kind.BONUS, Kind.PENALTY):
        return score is not None and score > 0
    if c.explain is ExplainRule.ALWAYS:
        return True
    return score is not None and score < c.max_points


def identify_unit(raw: RawSubmission, book: Book) -> tuple[Unit | None, list[Finding]]:
    """Which unit sent this file, and the file-level findings about the template it used."""
    f: list[Finding] = []
    file, sheet = raw.info.file, raw.sheet

    def add(code, sev, msg, fix, cell=""):
        f.append(Finding(code, sev, file, msg, fix, sheet if cell else "", cell))

    meta = raw.meta
    if not meta:
        add(
            "meta-missing",
            W,
            "Tệp không còn thông tin nhận dạng của mẫu (trang ẩn _meta) — có thể đơn vị đã chép dữ liệu sang tệp "
            "khác; tệp được nhận dạng theo bảng tự chấm và tên đơn vị.",
            "Lần sau đề nghị đơn vị điền trực tiếp vào mẫu đã gửi.",
        )
    else:
        if meta.get("cluster") and unit_key(meta["cluster"]) != unit_key(book.cluster_name):
            add(
                "wrong-cluster",
                E,
                f"Tệp là mẫu của '{meta['cluster']}', không phải của '{book.cluster_name}'.",
                "Đề nghị đơn vị dùng mẫu của Cụm mình, điền và gửi lại.",
            )
        if meta.get("year") and meta["year"] != str(book.year):
            add(
                "wrong-year",
                E,
                f"Tệp là mẫu của năm {meta['year']}, không phải năm {book.year}.",
                f"Đề nghị đơn vị dùng mẫu năm {book.year}, điền và gửi lại.",
            )
        elif meta.get("fingerprint") and meta["fingerprint"] != book.fingerprint:
            add(
                "wrong-fingerprint",
                E,
                "Tệp dùng bộ tiêu chí cũ hoặc khác với bộ tiêu chí hiện hành (mã, điểm tối đa hoặc loại tiêu chí "
                "không khớp).",
                "Gửi lại cho đơn vị mẫu mới (ttdk-xl template) để điền lại.",
            )

    unit = book.unit(meta.get("unit_code", "")) if meta else None
    title_unit = match_unit(book, raw.unit_name) if raw.unit_name else None
    if unit is None:
        unit = title_unit or match_unit(book, meta.get("unit_name", "")) if meta else title_unit
        if unit is None:
            who = raw.unit_name or meta.get("unit_name", "") or "(không ghi)"
            add(
                "unknown-unit",
                E,
                f"Không xác định được đơn vị gửi tệp: tên đơn vị '{who}' không có trong danh sách đơn vị của Cụm.",
                "Kiểm tra tên đơn vị ở ô B4 hoặc bổ sung đơn vị vào trang 'Đơn vị' của bộ tiêu chí.",
                "B4",
            )
    elif raw.unit_name and title_unit is not None and title_unit.code != unit.code:
        add(
            "unit-name-mismatch",
            W,
            f"Mẫu được phát cho '{unit.name}' nhưng ô tên đơn vị ghi '{raw.unit_name}'.",
            "Xác nhận với đơn vị tệp này là của đơn vị nào; tệp được tính cho đơn vị ghi trong mẫu.",
            "B4",
        )
    return unit, f


def check_submission(raw: RawSubmission, book: Book) -> Submission:
    """Check one raw submission against the book."""
    unit, findings = identify_unit(raw, book)
    file, sheet = raw.info.file, raw.sheet
    ucode, uname = (unit.code, unit.name) if unit else ("", raw.unit_name)
    findings = [replace(f, unit_code=ucode, unit_name=uname) for f in findings]

    def add(code, sev, msg, fix, cell=""):
        findings.append(Finding(code, sev, file, msg, fix, sheet, cell, ucode, uname))

    if sheet != SCORE_SHEET:
        add(
            "sheet-renamed",
            W,
            f"Trang tính '{SCORE_SHEET}' đã bị đổi tên thành '{sheet}'.",
            f"Lần sau giữ nguyên tên trang '{SCORE_SHEET}'.",
        )
    if raw.protected is False:
        add(
            "protection-removed",
            W,
            "Trang tự chấm điểm đã bị gỡ khóa bảo vệ; nội dung tiêu chí đã được kiểm tra lại từng dòng.",
            "Lần sau không gỡ khóa trang tính; chỉ điền vào các ô nền vàng.",
        )
    # Columns as the unit's sheet has them (found by header: a workbook of an older template has no
    # `Hướng dẫn chấm`); a missing explanation column is named where it belongs, after the score.
    score_col = raw.columns[H_SCORE]
    expl_col = raw.columns.get(H_EXPLAIN)
    expl_at = expl_col if expl_col is not None else score_col + 1
    text_col, max_col = raw.columns.get(H_TEXT, COL_TEXT), raw.columns.get(H_MAX, COL_MAX)
    if expl_col is None:
        add(
            "column-missing",
            E,
            f"Thiếu cột '{H_EXPLAIN}' trong bảng tự chấm điểm.",
            "Đề nghị đơn vị dùng đúng mẫu đã gửi, không xóa cột.",
            cell_name(raw.header_row, expl_at),
        )

    # Structure: the unit must not change the rules.
    book_codes, known = book.derived("criterion_codes", _criterion_codes)
    if [r.code for r in raw.rows] == book_codes:  # the usual file: every criterion once, in the book's order
        by_code = dict(zip(book_codes, raw.rows, strict=True))
    else:
        by_code = _check_structure(raw, book_codes, known, add)

    scores: dict[str, Decimal] = {}
    disq: dict[str, bool] = {}
    explanations: dict[str, str] = {}
    score_letter, flags = col_letter(score_col), raw.cell_flags
    max_float = book.derived("max_floats", _max_floats)  # an unchanged max, read as a float, needs no parsing
    memo = book.derived("score_verdicts", _new_memo)
    if len(memo) > 100_000:  # a bound, should values be wildly varied
        memo.clear()
    for c in book.criteria:
        r = by_code.get(c.code)
        if r is None:
            add(
                "row-removed",
                E,
                f"Thiếu dòng tiêu chí '{c.code}' ({c.text}).",
                "Đề nghị đơn vị dùng đúng mẫu đã gửi, không xóa dòng.",
            )
            continue
        if r.text and r.text != c.text and text_key(r.text) != text_key(c.text):  # r.text is NFC already (read.py)
            add(
                "row-reworded",
                W,
                f"Nội dung tiêu chí '{c.code}' đã bị sửa (\"{_short(r.text)}\").",
                "Nội dung tiêu chí theo bộ tiêu chí của Cụm; lần sau không sửa cột nội dung.",
                cell_name(r.row, text_col),
            )
        if c.kind is not Kind.DISQUALIFIER and not (type(r.max_value) is float and r.max_value == max_float[c.code]):
            given, _how = parse_score(r.max_value)
            if given is not None and given != c.max_points:
                add(
                    "max-changed",
                    E,
                    f"Điểm tối đa của tiêu chí '{c.code}' bị sửa thành {vn_number(given)} "
                    f"(đúng là {vn_number(c.max_points)}).",
                    "Trả lại điểm tối đa như mẫu; đơn vị không được sửa thang điểm.",
                    cell_name(r.row, max_col),
                )
        if c.is_group:
            continue
        cell = f"{score_letter}{r.row + 1}"
        expl = _explanation(r.explanation) if expl_col is not None else ""
        if expl:
            explanations[c.code] = expl
        legacy = legacy_encoding(expl)
        if legacy:
            add(
                "legacy-encoding",
                W,
                f"Giải trình của tiêu chí '{c.code}' có vẻ gõ bằng phông {legacy} cũ nên hiển thị sai dấu.",
                "Gõ lại bằng phông Unicode (Times New Roman) hoặc chuyển mã bằng Unikey.",
                cell_name(r.row, expl_at),
            )
        flag = flags.get(cell) if flags else None
        if flag == "formula-no-value":
            add(
                "formula-no-value",
                E,
                f"Ô điểm của tiêu chí '{c.code}' là công thức chưa có giá trị.",
                f"Nhập trực tiếp số điểm vào ô {cell} (không dùng công thức) rồi lưu bằng Excel.",
                cell,
            )
            continue
        if flag:
            add(
                "excel-error",
                E,
                f"Ô điểm của tiêu chí '{c.code}' có lỗi Excel {flag}.",
                f"Nhập lại số điểm vào ô {cell}.",
                cell,
            )
            continue
        if c.kind is Kind.DISQUALIFIER:
            yes = yes_no(r.score)
            if yes is not None:
                disq[c.code] = yes
            else:
                add(
                    "disqualifier-invalid",
                    E,
                    f"Dòng điểm liệt '{c.code}' ghi '{nfc(r.score)}', chỉ được chọn '{YES}' hoặc '{NO}'.",
                    f"Chọn '{YES}' hoặc '{NO}' ở ô {cell}.",
                    cell,
                )
                continue
            if _needs_explanation(c, None, disq[c.code]) and not expl:
                _missing_expl(add, c, r, expl_at)
            continue
        value = r.score
        # A typed number (not zero: -0.0 equals 0.0 as a key) or a blank: the same value was checked before?
        if (type(value) is float and value != 0) or value == "" or value is None:
            key = (c.code, value, bool(expl))
            verdict = memo.get(key)
            if verdict is None:
                verdict = memo[key] = _verdict(c, value, bool(expl), book)
            if verdict is not _SLOW:
                scores[c.code] = verdict
                continue
        score, how, problem = validate_score(c, value, book.step)
        if problem == MISSING:
            add(
                "score-missing",
                E,
                f"Chưa chấm điểm tiêu chí '{c.code}'.",
                f"Nhập điểm tự chấm vào ô {cell} (từ 0 đến {vn_number(c.max_points)}).",
                cell,
            )
            continue
        if problem == NOT_NUMBER:
            add(
                "score-not-number",
                E,
                f"Điểm tiêu chí '{c.code}' ghi '{_short(nfc(r.score))}', không phải là số.",
                f"Nhập số điểm vào ô {cell} (ví dụ 8,5), không kèm chữ.",
                cell,
            )
            continue
        if how:  # said even when the value is refused below: the unit sees how it was read
            words = {
                "comma": f"'{nfc(r.score)}' được đọc là {vn_number(score)}",
                "unit": f"'{nfc(r.score)}' có kèm chữ, được đọc là {vn_number(score)}",
                "text": f"'{nfc(r.score)}' được nhập dạng chữ, được đọc là {vn_number(score)}",
            }[how]
            add(
                f"score-as-text-{how}" if how != "text" else "score-as-text",
                W,
                f"Điểm tiêu chí '{c.code}': {words}.",
                f"Kiểm tra lại; lần sau nhập số vào ô {cell}.",
                cell,
            )
        assert score is not None
        if problem == NEGATIVE:
            add(
                "score-negative",
                E,
                f"Điểm tiêu chí '{c.code}' là số âm ({vn_number(score)}).",
                "Nhập số không âm"
                + ("; điểm trừ ghi số dương (ví dụ 2)." if c.kind is Kind.PENALTY else f" vào ô {cell}."),
                cell,
            )
            continue
        if problem == ABOVE_MAX:
            add(
                "score-above-max",
                E,
                f"Điểm tiêu chí '{c.code}' là {vn_number(score)}, vượt điểm tối đa {vn_number(c.max_points)}.",
                f"Sửa ô {cell} thành số từ 0 đến {vn_number(c.max_points)}.",
                cell,
            )
            continue
        if problem == OFF_STEP:
            near = round_to_step(score, book.step)
            add(
                "score-off-step",
                E,
                f"Điểm tiêu chí '{c.code}' là {vn_number(score)}, không đúng bước điểm {vn_number(book.step)}.",
                f"Làm tròn ô {cell} theo bước {vn_number(book.step)} (ví dụ {vn_number(near)}).",
                cell,
            )
            continue
        scores[c.code] = score
        if _needs_explanation(c, score, False) and not expl:
            _missing_expl(add, c, r, expl_at)

    # The unit's own total against ours (ours counts; a difference is only reported).
    blocking = any(f.blocking for f in findings)
    # A score typed as text is left out by Excel's SUM: the unit's total then differs for a known reason.
    typed_as_text = any(f.code.startswith("score-as-text") for f in findings)
    if not blocking and not typed_as_text and raw.stated_total not in (None, ""):
        stated, _how = parse_score(raw.stated_total)
        ours = total_of(book, scores)
        if stated is not None and stated != ours:
            add(
                "total-mismatch",
                W,
                f"Tổng điểm trong tệp là {vn_number(stated)}, tính lại từ các tiêu chí được {vn_number(ours)}.",
                "Tổng điểm được tính lại theo các tiêu chí; đề nghị đơn vị kiểm tra công thức dòng tổng.",
                raw.total_cell,
            )
    # What the unit typed, kept only where a return will be written (errors or warnings): for a province's
    # thousands of clean files it would be a third of what reading keeps and sends between processes.
    returned = any(f.severity is not Severity.INFO for f in findings)
    entries = {r.code: (r.score, _explanation(r.explanation)) for r in raw.rows if r.code in known} if returned else {}
    row_codes = {r.row + 1: r.code for r in raw.rows} if returned else {}
    column_headers = {col_letter(col): header for header, col in raw.columns.items()} if returned else {}
    return Submission(
        file=file,
        unit_code=ucode,
        unit_name=unit.name if unit else raw.unit_name,
        scores=scores,
        disqualified=disq,
        explanations=explanations,
        findings=tuple(findings),
        issued_at=raw.meta.get("issued_at", ""),
        modified=raw.info.edited_at or raw.info.modified,
        entries=entries,
        row_codes=row_codes,
        column_headers=column_headers,
    )


def _check_structure(raw: RawSubmission, book_codes: list[str], known: frozenset[str], add) -> dict[str, RawRow]:
    """Rows duplicated, added or reordered (findings through `add`); the rows by code, first one kept."""
    code_col = raw.columns[H_CODE]
    by_code: dict[str, RawRow] = {}
    for r in raw.rows:
        if r.code in by_code:
            add(
                "row-duplicated",
                E,
                f"Tiêu chí '{r.code}' xuất hiện hai lần (dòng {by_code[r.code].row + 1} và dòng {r.row + 1}).",
                "Xóa dòng thừa, giữ đúng các dòng của mẫu.",
                cell_name(r.row, code_col),
            )
            continue
        by_code[r.code] = r
    for r in raw.rows:
        if r.code not in known:
            add(
                "row-added",
                E,
                f"Dòng '{r.code}' không có trong bộ tiêu chí của Cụm (đơn vị thêm dòng hoặc sửa mã).",
                "Xóa dòng đã thêm hoặc trả lại mã tiêu chí như mẫu.",
                cell_name(r.row, code_col),
            )
    seen = [r.code for r in raw.rows if r.code in known]
    present = [c for c in book_codes if c in by_code]
    if seen and list(dict.fromkeys(seen)) != present:
        first = next(r for r, b in zip(list(dict.fromkeys(seen)), present, strict=False) if r != b)
        add(
            "row-reordered",
            W,
            f"Thứ tự các tiêu chí đã bị thay đổi (từ tiêu chí '{first}'); điểm vẫn được đọc theo mã tiêu chí.",
            "Lần sau giữ nguyên thứ tự dòng của mẫu.",
            cell_name(by_code[first].row, code_col),
        )
    return by_code


class _Verdict(Enum):
    """A memo entry's mark for a typed value that needs the full check. An enum member rather than a bare
    `object()`: it stays itself when a book with its memo is pickled (to a spawned worker process)."""

    SLOW = 1


_SLOW: Final = _Verdict.SLOW
_Memo = dict[tuple[str, object, bool], Decimal | _Verdict]  # (criterion code, typed value, has explanation)


def _new_memo(book: Book) -> _Memo:
    return {}


def _verdict(c: Criterion, value: object, has_expl: bool, book: Book) -> Decimal | _Verdict:
    """The clean score of a typed value that raises no finding (the loop below, in short), else _SLOW.

    Thousands of files type the same few values: checking each (criterion, value) once is enough."""
    score, how, problem = validate_score(c, value, book.step)
    if problem or how or score is None:  # (a score without a problem is never None)
        return _SLOW
    if _needs_explanation(c, score, False) and not has_expl:
        return _SLOW
    return score


def _max_floats(book: Book) -> dict[str, float]:
    return {c.code: float(c.max_points) for c in book.criteria}


def _criterion_codes(book: Book) -> tuple[list[str], frozenset[str]]:
    codes = [c.code for c in book.criteria]
    return codes, frozenset(codes)


def _explanation(value: object) -> str:
    return "" if value == "" or value is None else nfc(value)


def total_of(book: Book, scores: dict[str, Decimal]) -> Decimal:
    """Σ scored + min(Σ bonus, cap) − Σ penalties."""
    plan, get, zero = totals_plan(book), scores.get, Decimal(0)
    scored = sum([get(c, zero) for c in plan.scored], zero)
    bonus = sum([get(c, zero) for c in plan.bonus], zero)
    return scored + min(bonus, book.bonus_cap) - sum([get(c, zero) for c in plan.penalty], zero)


def _missing_expl(add, c: Criterion, r, expl_col: int) -> None:
    cell = cell_name(r.row, expl_col)
    why = {
        Kind.SCORED: "chưa đạt điểm tối đa" if c.explain is ExplainRule.BELOW_MAX else "tiêu chí bắt buộc giải trình",
        Kind.BONUS: "có đề nghị điểm thưởng",
        Kind.PENALTY: "có điểm trừ",
        Kind.DISQUALIFIER: "thuộc trường hợp điểm liệt",
    }[c.kind]
    add(
        "explanation-missing",
        E,
        f"Tiêu chí '{c.code}' {why} nhưng chưa có giải trình, minh chứng.",
        f"Ghi giải trình, minh chứng (số văn bản, số liệu) vào ô {cell}.",
        cell,
    )


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def check_safely(raw: RawSubmission, book: Book) -> Submission:
    """check_submission, with an unexpected failure (a bug of ours) turned into a finding for that file:
    it must not cost the other units their result."""
    try:
        return check_submission(raw, book)
    except Exception as exc:
        finding = internal_failure(raw.info.file, exc, "kiểm tra")
        return Submission(raw.info.file, "", "", {}, {}, {}, (finding,))
