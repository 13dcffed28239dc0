"""Delegate registration (đăng ký thành phần đại biểu) for the cluster's conference: the rules.

Each self-scoring workbook carries a sheet `Đăng ký đại biểu` (forms.delegate_sheet writes it); the
reader keeps its rows; this module checks them (names, phone numbers, seats) and collects the cluster's
delegate list, which outputs.delegate_list writes as `dai_bieu.xlsx`. The data classes (Delegate,
UnitDelegates, DelegateList) and the registration statuses are defined in core.models, so that a Result
can hold the list, and imported here.
"""

from __future__ import annotations

import re
import unicodedata
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
from ttdk_xl.core.units import find_unit
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


# ---------------------------------------------------------------------------------------------- seating


# Seating by protocol: offices by rank, highest first, each a pattern for the start of one office named in
# `Chức vụ` (lower case, without diacritics: typed either way, it matches). A title naming several offices
# ('Phó Bí thư Huyện ủy, Chủ tịch UBND huyện') takes the highest. The Bí thư of the youth union (Huyện
# đoàn, Chi đoàn) heads an office.
_NOT_YOUTH = r"(?! \w* ?doan\b)"
OFFICE_RANKS: tuple[tuple[str, str], ...] = (
    ("Bí thư", rf"bi thu{_NOT_YOUTH}"),
    ("Chủ tịch", r"chu tich"),
    ("Phó Bí thư", rf"pho bi thu{_NOT_YOUTH}"),
    ("Phó Chủ tịch", r"pho chu tich"),
    (
        "Trưởng phòng, Trưởng ban, Giám đốc, Chánh Văn phòng",
        r"truong|giam doc|chanh|thu truong|hieu truong|chi huy truong|tong bien tap|bi thu \w* ?doan",
    ),
    ("các chức danh Phó khác (Phó Trưởng phòng, Phó Giám đốc…)", r"pho"),
    ("chức vụ khác", r""),  # any other office
    ("chuyên viên, cán bộ, nhân viên", r"chuyen vien|can bo|cong chuc|vien chuc|nhan vien|thu ky|van thu"),
    ("không ghi chức vụ", r""),
)
_OTHER, _STAFF, _NONE = 6, 7, 8
_OFFICE_SPLIT = re.compile(r"[,;/()+&\n]| - | kiem | va ")
_OFFICE_PATTERNS = tuple(re.compile(rf"(?:{p})\b") for _, p in OFFICE_RANKS[:_OTHER])
_STAFF_PATTERN = re.compile(rf"(?:{OFFICE_RANKS[_STAFF][1]})\b")

SEATING_RULE = (
    "Ghế số 1: lãnh đạo đơn vị Cụm trưởng (người có chức vụ cao nhất của đơn vị). Các ghế tiếp theo xếp theo "
    "chức vụ: " + "; ".join(name for name, _ in OFFICE_RANKS) + ". Cùng chức vụ: đơn vị Cụm trưởng, đơn vị "
    "Cụm phó, rồi các đơn vị theo thứ tự danh sách của Cụm; trong một đơn vị, theo thứ tự đăng ký."
)


def _plain_lower(text: str) -> str:
    """'Phó Chủ tịch UBND' → 'pho chu tich ubnd' (for matching titles however they were typed)."""
    text = unicodedata.normalize("NFD", text_key(text).replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def office_rank(title: str) -> int:
    """Pure: the protocol rank of `Chức vụ` (0 = Bí thư, 1 = Chủ tịch, 2 = Phó Bí thư, 3 = Phó Chủ tịch,
    4 = head of an office, 5 = another deputy, 6 = an office not recognised, 7 = staff, 8 = none given), the
    index of its office in OFFICE_RANKS."""
    parts = [p.strip() for p in _OFFICE_SPLIT.split(f" {_plain_lower(title)} ")]
    parts = [p for p in parts if p]
    if not parts:
        return _NONE
    best = _OTHER
    for part in parts:
        for rank, pattern in enumerate(_OFFICE_PATTERNS):
            if rank < best and pattern.match(part):
                best = rank
                break
    if best == _OTHER and any(_STAFF_PATTERN.match(p) for p in parts):
        return _STAFF
    return best


def seating(dl: DelegateList) -> list[Delegate]:
    """Pure: the delegates in seat order (SEATING_RULE): the head unit's leader first, then by office rank;
    equal ranks: the head unit, the deputy unit, then book order, and each unit's own order."""
    book = dl.book
    head, deputy = find_unit(book, book.head_unit), find_unit(book, book.deputy_unit)
    tier = {u.code: i for i, u in enumerate((head, deputy)) if u is not None}
    book_order = {u.unit.code: i for i, u in enumerate(dl.units)}
    people = sorted(
        enumerate(dl.delegates),
        key=lambda p: (office_rank(p[1].title), tier.get(p[1].unit_code, 2), book_order[p[1].unit_code], p[0]),
    )
    order = [d for _, d in people]
    leader = next((d for d in order if head is not None and d.unit_code == head.code), None)
    if leader is not None:
        order.remove(leader)
        order.insert(0, leader)
    return order
