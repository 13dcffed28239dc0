"""Delegate registration (đăng ký thành phần đại biểu) for the cluster's conference: the rules.

Each self-scoring workbook carries a sheet `Đăng ký đại biểu` (forms.delegate_sheet writes it); the
reader keeps its rows; this module checks them (names, phone numbers, seats) and collects the cluster's
delegate list, which outputs.delegate_list writes as `dai_bieu.xlsx`. The data classes (Delegate,
UnitDelegates, DelegateList) and the registration statuses are defined in core.models, so that a Result
can hold the list, and imported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ttdk_xl.core.layout import (
    DELEGATE_H_NAME,
    DELEGATE_H_NOTE,
    DELEGATE_H_PHONE,
    DELEGATE_H_TITLE,
    DELEGATE_HEADER_ROW,
    DELEGATE_SHEET,
    cell_name,
)
from ttdk_xl.core.models import (
    NO_FILE,
    NO_SHEET,
    NONE,
    REGISTERED,
    TOO_MANY,
    Book,
    Delegate,
    DelegateList,
    Finding,
    Result,
    Severity,
    SourceState,
    Unit,
    UnitDelegates,
)
from ttdk_xl.core.text import header_key, nfc, text_key
from ttdk_xl.inbox.read import RawSubmission, ReadOutcome

W, INFO = Severity.WARNING, Severity.INFO

_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")


def vn_phone(value: object) -> tuple[str, bool]:
    """A phone number as typed → (digits as '0912345678', True when it is a Vietnamese phone number).

    Mobiles: 10 digits starting 03, 05, 07, 08, 09; landlines: 11 digits starting 02. Spaces, dots,
    dashes, brackets and a +84 / 84 prefix are accepted; a number cell that lost its leading 0 is repaired.
    """
    if isinstance(value, bool) or value is None:
        return "", False
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return nfc(value), False
        text = str(int(value))
        if len(text) in (9, 10) and not text.startswith("0"):
            text = "0" + text
    else:
        text = nfc(value)
    digits = re.sub(r"[\s.\-()/\u00a0]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not digits.isdigit():
        return nfc(text), False
    return digits, bool(_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits))


def show_phone(digits: str) -> str:
    """'0912000101' → '0912 000 101'; '02373000203' → '0237 3000 203'; anything else unchanged."""
    if _MOBILE.fullmatch(digits):
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if _LANDLINE.fullmatch(digits):
        return f"{digits[:4]} {digits[4:8]} {digits[8:]}"
    return digits


# ---------------------------------------------------------------------------------------------- reading


def parse_delegates(
    rows: list[list[Any]], unit: Unit, file: str, sheet: str = DELEGATE_SHEET
) -> tuple[list[Delegate], list[Finding]]:
    """Pure: the sheet's rows (row i = Excel row i+1, from A1) → delegates and findings."""
    findings: list[Finding] = []

    def add(code, sev, msg, fix, cell=""):
        findings.append(Finding(code, sev, file, msg, fix, sheet, cell, unit.code, unit.name))

    header, cols = None, {}
    for i, row in enumerate(rows[:40]):
        keys = {header_key(v): j for j, v in enumerate(row)}
        if header_key(DELEGATE_H_NAME) in keys and header_key(DELEGATE_H_PHONE) in keys:
            header = i
            wanted = (DELEGATE_H_NAME, DELEGATE_H_TITLE, DELEGATE_H_PHONE, DELEGATE_H_NOTE)
            cols = {h: keys[header_key(h)] for h in wanted if header_key(h) in keys}
            break
    if header is None:
        add(
            "delegate-header-missing",
            W,
            f"Trang '{sheet}' không còn dòng tiêu đề ('{DELEGATE_H_NAME}', '{DELEGATE_H_PHONE}'); "
            "không đọc được danh sách đại biểu.",
            "Đề nghị đơn vị điền lại vào trang đăng ký đại biểu của mẫu đã gửi.",
        )
        return [], findings

    def get(row, h):
        j = cols.get(h)
        return row[j] if j is not None and j < len(row) else None

    out: list[Delegate] = []
    seen: dict[str, int] = {}
    fields = [j for j in cols.values()]
    for i in range(header + 1, len(rows)):
        row = rows[i]
        if all(j >= len(row) or row[j] == "" or row[j] is None for j in fields):  # most rows are left empty
            continue
        name = " ".join(nfc(get(row, DELEGATE_H_NAME)).split())
        title = nfc(get(row, DELEGATE_H_TITLE))
        raw_phone = get(row, DELEGATE_H_PHONE)
        note = nfc(get(row, DELEGATE_H_NOTE))
        has_phone = raw_phone not in (None, "") and nfc(raw_phone) != ""
        if not (name or title or has_phone or note):
            continue
        if not name:
            add(
                "delegate-name-missing",
                W,
                f"Dòng {i + 1} có thông tin đại biểu ({', '.join(x for x in (title, nfc(raw_phone), note) if x)}) "
                "nhưng chưa có họ và tên.",
                "Bổ sung họ và tên đại biểu, hoặc xóa dòng nếu không cử người.",
                cell_name(i, cols[DELEGATE_H_NAME]),
            )
            continue
        phone, ok = vn_phone(raw_phone) if has_phone else ("", True)
        phone = show_phone(phone) if ok else nfc(raw_phone)
        if has_phone and not ok:
            add(
                "delegate-phone-invalid",
                W,
                f"Số điện thoại của {name} '{nfc(raw_phone)}' không phải số điện thoại Việt Nam "
                "(di động 10 số bắt đầu 03, 05, 07, 08, 09; cố định 11 số bắt đầu 02).",
                "Liên hệ đơn vị để lấy lại số điện thoại đúng.",
                cell_name(i, cols[DELEGATE_H_PHONE]),
            )
        elif not has_phone:
            add(
                "delegate-phone-missing",
                INFO,
                f"Đại biểu {name} chưa có số điện thoại.",
                "Bổ sung số điện thoại để tiện liên hệ khi tổ chức Hội nghị.",
                cell_name(i, cols[DELEGATE_H_PHONE]) if DELEGATE_H_PHONE in cols else "",
            )
        k = text_key(name)
        if k in seen:
            add(
                "delegate-duplicate",
                W,
                f"{name} được đăng ký hai lần (dòng {seen[k]} và dòng {i + 1}).",
                "Xóa dòng trùng.",
                cell_name(i, cols[DELEGATE_H_NAME]),
            )
            continue
        seen[k] = i + 1
        out.append(Delegate(unit.code, unit.name, name, title, phone, note, file, i + 1, ok))
    return out, findings


def _unit_entry(book: Book, unit: Unit, raw: RawSubmission | None, findings: list[Finding]) -> UnitDelegates:
    seats = book.seats_per_unit
    if raw is None:
        findings.append(
            Finding(
                "delegates-no-file",
                W,
                "",
                f"{unit.name} chưa gửi tệp (bảng tự chấm kèm đăng ký đại biểu).",
                "Liên hệ đơn vị để nhận đăng ký đại biểu"
                + (f" ({unit.contact}, {unit.phone})" if unit.phone else "")
                + ".",
                unit_code=unit.code,
                unit_name=unit.name,
            )
        )
        return UnitDelegates(unit, NO_FILE)
    file = raw.info.file
    if raw.delegate_rows is None:
        findings.append(
            Finding(
                "delegate-sheet-missing",
                W,
                file,
                f"Tệp không có trang '{DELEGATE_SHEET}' (mẫu cũ hoặc trang bị xóa).",
                "Gửi đơn vị mẫu mới (ttdk-xl template) để đăng ký đại biểu, hoặc ghi nhận đăng ký qua điện thoại.",
                unit_code=unit.code,
                unit_name=unit.name,
            )
        )
        return UnitDelegates(unit, NO_SHEET, file=file)
    sheet = raw.delegate_sheet or DELEGATE_SHEET
    parsed = raw.delegates_parsed
    if parsed is not None and parsed[0] == unit.code:
        delegates, found = list(parsed[1]), list(parsed[2])
    else:
        delegates, found = parse_delegates(raw.delegate_rows, unit, file, sheet)
    findings.extend(found)
    status = REGISTERED
    if not delegates:
        status = NONE
        findings.append(
            Finding(
                "delegates-none",
                W,
                file,
                "Đơn vị chưa đăng ký đại biểu nào.",
                "Nhắc đơn vị điền trang đăng ký đại biểu và gửi lại.",
                sheet,
                unit_code=unit.code,
                unit_name=unit.name,
            )
        )
    elif len(delegates) > seats:
        status = TOO_MANY
        findings.append(
            Finding(
                "delegates-too-many",
                W,
                file,
                f"Đơn vị đăng ký {len(delegates)} đại biểu, quá số được mời ({seats} đại biểu mỗi đơn vị).",
                f"Đề nghị đơn vị giảm còn {seats} đại biểu, hoặc Cụm trưởng đồng ý bổ sung chỗ ngồi.",
                sheet,
                cell_name(DELEGATE_HEADER_ROW + seats + 1, 1),
                unit.code,
                unit.name,
            )
        )
    return UnitDelegates(unit, status, tuple(delegates), file)


def collect(book: Book, raws: Mapping[str, RawSubmission]) -> DelegateList:
    """Pure: one raw submission per unit code (or none) → the delegate list of the cluster."""
    findings: list[Finding] = []
    units = tuple(_unit_entry(book, u, raws.get(u.code), findings) for u in book.units)
    return DelegateList(book, units, tuple(findings))


def collect_from_result(book: Book, outcomes: Iterable[ReadOutcome], result: Result) -> DelegateList:
    """Delegates from the files a consolidation used (one per unit)."""
    used = {s.file: s.unit_code for s in result.sources if s.state is SourceState.USED and s.unit_code}
    raws = {used[o.info.file]: o.raw for o in outcomes if o.raw is not None and o.info.file in used}
    return collect(book, raws)
