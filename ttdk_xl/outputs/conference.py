"""The conference's own papers, from the criteria book: the plan, the invitations, the programme and the banner.

Each is rendered from an editable docxtpl (Jinja) Word template in `input_templates/` (built by
scripts/make_conference_templates.py) in the Decree 30/2020 layout. `build_context` is pure: the book (and the
day of the run) → a dict of strings and lists, which is all a template can use. What the tool cannot know is a
highlighted placeholder (conference_render.placeholder).

The conference's details are keys of the book's `Thông tin` (CONFERENCE_INFO: key → default); `Ngày hội nghị`,
`Hạn nộp`, `Số đại biểu mỗi đơn vị` and `Địa danh` are the book's own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Any

from ttdk_xl.core.atomic import write_bytes
from ttdk_xl.core.models import Book, Unit
from ttdk_xl.core.text import day_text, day_words, email_addresses, nfc, safe_filename, strip_unit_prefixes
from ttdk_xl.core.units import find_unit
from ttdk_xl.forms.template import workbook_filename
from ttdk_xl.outputs.conference_render import paragraphs_of, placeholder, render_template, strip_marks
from ttdk_xl.outputs.report import body_name, signer_title
from ttdk_xl.rules.delegates import show_phone, vn_phone

PLAN_NAME = "ke_hoach_hoi_nghi.docx"
PROGRAMME_NAME = "chuong_trinh.docx"
BANNER_NAME = "maket.docx"
INVITATIONS_DIR = "giay_moi"
# What the step makes in the year folder's hoi_nghi/ (the year-status view lists them).
CONFERENCE_FILES = (PLAN_NAME, INVITATIONS_DIR, PROGRAMME_NAME, BANNER_NAME)

# Template of each document: file name in input_templates/ (or in the office's --mau folder), label in messages.
TEMPLATES = {
    PLAN_NAME: ("mau_ke_hoach_hoi_nghi.docx", "kế hoạch hội nghị"),
    "giay_moi": ("mau_giay_moi.docx", "giấy mời"),
    PROGRAMME_NAME: ("mau_chuong_trinh.docx", "chương trình hội nghị"),
    BANNER_NAME: ("mau_maket.docx", "maket hội nghị"),
}

# New keys of the book's `Thông tin` (optional): key → default. In a default, {head_body}, {head_place},
# {cluster_name} and {province_office} are filled in, and [text in brackets] is a highlighted placeholder.
# A list is separated by ';'. A blank default is explained where the key is read.
CONFERENCE_INFO: dict[str, str] = {
    "Giờ hội nghị": "08h00",
    "Địa điểm hội nghị": "[Hội trường, phòng họp], trụ sở {head_body}",
    "Kinh phí hội nghị": "Trích từ Quỹ Thi đua, khen thưởng của {head_body}",
    # blank: a placeholder for the author to write the legal bases
    "Căn cứ tổ chức hội nghị": "",
    "Cơ quan thi đua tỉnh": "Ban Thi đua - Khen thưởng tỉnh",
    "Đại biểu cấp tỉnh": (
        "Thành viên Hội đồng Thi đua - Khen thưởng tỉnh phụ trách {cluster_name}; "
        "Lãnh đạo và chuyên viên {province_office}"
    ),
    "Đại biểu mỗi đơn vị": "Chủ tịch; Trưởng phòng Nội vụ; chuyên viên phụ trách công tác thi đua, khen thưởng",
    "Đại biểu đơn vị Cụm phó": "Đại diện lãnh đạo cấp ủy, chính quyền",
    "Đại biểu đơn vị Cụm trưởng": (
        "Đại diện Thường trực cấp ủy, Thường trực HĐND, lãnh đạo UBND, lãnh đạo Ủy ban MTTQ Việt Nam; "
        "Trưởng phòng Nội vụ; cơ quan văn hóa, thông tin (đưa tin)"
    ),
    # blank: 05 days before `Ngày hội nghị` (REGISTER_DAYS), or "05 ngày trước ngày Hội nghị" without a date
    "Hạn đăng ký đại biểu": "",
    "Tham quan mô hình": "[tên mô hình, điển hình tiên tiến] tại {head_place}",
    # blank: a placeholder where the signer's name goes
    "Người ký văn bản hội nghị": "",
}
REGISTER_DAYS = 5

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_NO_DAY = "ngày … tháng … năm …"
_BRACKETS = re.compile(r"\[[^\]]*\]")
_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:h|giờ|g|:|\.)\s*(\d{1,2})?\s*(?:phút|p|')?\s*$", re.IGNORECASE)

# The programme, in the order of the plan: (minutes, item, who speaks). {…} are filled from the context.
PROGRAMME: tuple[tuple[int, str, str], ...] = (
    (30, "Đón tiếp đại biểu", "Ban Tổ chức"),
    (10, "Tuyên bố lý do, giới thiệu đại biểu", "Ban Tổ chức"),
    (10, "Phát biểu khai mạc Hội nghị", "Lãnh đạo {head_body} (Cụm trưởng)"),
    (
        20,
        "Báo cáo tổng kết công tác thi đua, khen thưởng năm {year}; phương hướng, nhiệm vụ năm {year_next} "
        "của {cluster_name}",
        "Lãnh đạo {head_body} (Cụm trưởng)",
    ),
    (
        15,
        "Thông qua dự thảo kết quả chấm điểm, xếp loại thi đua năm {year} của các đơn vị trong Cụm",
        "Đại diện {head_body} (Cụm trưởng)",
    ),
    (
        30,
        "Thảo luận, thống nhất kết quả chấm điểm, xếp loại thi đua năm {year}",
        "Đại biểu các đơn vị trong Cụm; Cụm trưởng điều hành",
    ),
    (
        20,
        "Bỏ phiếu suy tôn đơn vị dẫn đầu (Nhất), Nhì, Ba; công bố kết quả kiểm phiếu",
        "Tổ kiểm phiếu; đại biểu các đơn vị",
    ),
    (15, "Phát biểu chỉ đạo của lãnh đạo tỉnh", "Lãnh đạo {province_office}"),
    (
        15,
        "Giới thiệu, bầu Cụm trưởng, Cụm phó năm {year_next}",
        "Cụm trưởng điều hành; đại biểu các đơn vị bỏ phiếu",
    ),
    (
        20,
        "Cụm trưởng, Cụm phó năm {year_next} nhận nhiệm vụ; phát động phong trào thi đua năm {year_next}; "
        "ký kết giao ước thi đua năm {year_next}",
        "Lãnh đạo {next_head} (Cụm trưởng năm {year_next}, dự kiến); các đơn vị trong Cụm",
    ),
    (5, "Bế mạc Hội nghị", "Lãnh đạo {head_body} (Cụm trưởng)"),
    (60, "Tham quan, học tập mô hình, điển hình tiên tiến: {visit}", "{head_body}"),
    (0, "Giao lưu giữa các đơn vị trong Cụm", "Các đơn vị trong Cụm"),
)


def _format(text: str, fields: dict[str, str]) -> str:
    return text.format_map(fields)


def _info(book: Book, key: str, fields: dict[str, str]) -> str:
    """A `Thông tin` value; its default when the book has none (fields filled, [brackets] highlighted)."""
    typed = nfc(book.info(key, ""))
    if typed:
        return typed
    default = _format(CONFERENCE_INFO[key], fields)
    return _BRACKETS.sub(lambda m: placeholder(m.group(0)), default)


def _items(text: str) -> list[str]:
    """A list typed in one cell: parts separated by ';' or new lines, each without its trailing ';'/'.'."""
    return [p.strip().rstrip(";.").strip() for p in re.split(r"[;\n]", text) if p.strip().rstrip(";.").strip()]


def _join_and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def _lower_first(text: str) -> str:
    """'Đại diện lãnh đạo …' → 'đại diện lãnh đạo …' inside a sentence; a title ('Bí thư', 'Chủ tịch') stays."""
    return text[:1].lower() + text[1:] if text.startswith("Đại diện") else text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def start_time(text: str) -> int | None:
    """Minutes after midnight of '08h00', '8 giờ 30', '7:30', '14h'; None when it is not a time of day."""
    m = _TIME.match(strip_marks(text))
    if not m:
        return None
    hours, minutes = int(m.group(1)), int(m.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return hours * 60 + minutes


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}h{minutes % 60:02d}"


def _province(parent_body: str) -> str:
    """'UBND tỉnh Thanh Hóa' → 'tỉnh Thanh Hóa' (the banner's second line); other bodies as written."""
    text = nfc(parent_body)
    return re.sub(r"^(ubnd|ủy ban nhân dân|uỷ ban nhân dân)\s+", "", text, flags=re.IGNORECASE)


def _parse_given_day(text: str) -> date | None:
    from ttdk_xl.core.text import parse_day

    return parse_day(text)


# ---------------------------------------------------------------------------------------------- context


def build_context(book: Book, run_date: date | None = None) -> dict[str, Any]:
    """Everything the conference templates may use (strings, and lists of dicts of strings).

    Keys: cluster_name, cluster_name_upper, parent_body, parent_body_upper, province_upper (banner: "TỈNH
      THANH HÓA"), year, year_next, place, issue_date_line (the place and the month and year of the run, the
      day left for the signer: "Triệu Sơn, ngày      tháng 12 năm 2025"),
      conf_day_words ("ngày 18 tháng 12 năm 2025", or a placeholder), conf_weekday ("Thứ Năm" or ''),
      conf_time ("08h00"), conf_when ("08h00, Thứ Năm, ngày 18 tháng 12 năm 2025"), conf_when_plan (the
      same, or with "(lịch cụ thể sẽ thông báo sau)" while the date is not set), venue, budget,
      legal_bases (list of str; a placeholder when the book has none), province_office,
      province_attendees (list), member_roles (list), member_roles_text ("Chủ tịch, Trưởng phòng Nội vụ và
      chuyên viên …"), deputy_attendees, head_attendees (list), head_attendees_text (the same in a sentence),
      units (list: stt, name, body), unit_names, n_units ("06"), seats ("03"), deadline (Hạn nộp, or a
      placeholder), register_by, visit,
      head_unit_name, head_body, head_body_upper, head_signer_title, deputy_unit_name, deputy_body, next_head,
      signer, contact (who to call at the head unit: name, phone, email), programme (list: stt, time, item, who),
      banner_title_1, banner_title_2, banner_place_date.
    """
    run_date = run_date or date.today()
    head = find_unit(book, book.head_unit)
    deputy = find_unit(book, book.deputy_unit)
    head_body = body_name(head) if head else nfc(book.head_unit) or placeholder("[đơn vị Cụm trưởng]")
    deputy_body = body_name(deputy) if deputy else nfc(book.deputy_unit) or placeholder("[đơn vị Cụm phó]")
    cluster = nfc(book.cluster_name)
    place = nfc(book.place) or (strip_unit_prefixes(head.name) if head else "") or placeholder("[địa danh]")
    fields = {
        "head_body": strip_marks(head_body),
        "head_place": strip_marks(head_body).removeprefix("UBND ").strip(),  # 'huyện Triệu Sơn'
        "cluster_name": cluster,
        "province_office": "",
        "year": str(book.year),
        "year_next": str(book.year + 1),
    }
    province_office = _info(book, "Cơ quan thi đua tỉnh", fields)
    fields["province_office"] = strip_marks(province_office)

    day = book.conference_date
    conf_time = _info(book, "Giờ hội nghị", fields)
    start = start_time(conf_time)
    conf_time = _clock(start) if start is not None else conf_time  # '14 giờ' → '14h00', as in the programme
    if day is not None:
        conf_day_words = day_words(day)
        weekday = _WEEKDAYS[day.weekday()]
        conf_when = f"{conf_time}, {weekday}, {conf_day_words}"
    else:
        conf_day_words = placeholder(_NO_DAY)
        weekday = ""
        conf_when = f"{conf_time}, {conf_day_words}"

    register_typed = nfc(book.info("Hạn đăng ký đại biểu", ""))
    if register_typed:
        given = _parse_given_day(register_typed)
        register_by = f"trước ngày {day_text(given)}" if given else register_typed
    elif day is not None:
        register_by = f"trước ngày {day_text(day - timedelta(days=REGISTER_DAYS))}"
    else:
        register_by = f"chậm nhất {REGISTER_DAYS:02d} ngày trước ngày tổ chức Hội nghị"

    legal = _items(nfc(book.info("Căn cứ tổ chức hội nghị", "")))
    legal_bases = [b if b.casefold().startswith("căn cứ") else f"Căn cứ {b}" for b in legal] or [
        placeholder(
            "[Căn cứ … (ghi số, ngày, trích yếu: quyết định tổ chức các cụm, khối thi đua của tỉnh; hướng dẫn của "
            f"Ban Thi đua - Khen thưởng tỉnh; quy chế hoạt động của {cluster} năm {book.year}…)]"
        )
    ]
    member_roles = _items(_info(book, "Đại biểu mỗi đơn vị", fields))
    units = [{"stt": str(i), "name": u.name, "body": body_name(u)} for i, u in enumerate(book.units, 1)]
    signer = nfc(book.info("Người ký văn bản hội nghị", "")) or placeholder("[Họ và tên người ký]")
    next_head = deputy.name if deputy else placeholder("[đơn vị do Hội nghị bầu]")
    visit = _info(book, "Tham quan mô hình", fields)
    fields |= {"next_head": next_head, "visit": visit}

    head_attendees = _items(_info(book, "Đại biểu đơn vị Cụm trưởng", fields))
    place_date = f"{place}, {conf_day_words}" if day is not None else f"{place}, {placeholder(_NO_DAY)}"
    ctx: dict[str, Any] = {
        "cluster_name": cluster,
        "cluster_name_upper": cluster.upper(),
        "parent_body": nfc(book.parent_body),
        "parent_body_upper": nfc(book.parent_body).upper(),
        "province_upper": _province(book.parent_body).upper(),
        "year": str(book.year),
        "year_next": str(book.year + 1),
        "place": place,
        "issue_date_line": f"{place}, ngày      tháng {day_words(run_date).split(' tháng ', 1)[1]}",
        "conf_day_words": conf_day_words,
        "conf_weekday": weekday,
        "conf_time": conf_time,
        "conf_when": conf_when,
        "conf_when_plan": conf_when if day is not None else f"{conf_when} (lịch cụ thể sẽ thông báo sau)",
        "venue": _info(book, "Địa điểm hội nghị", fields),
        "budget": _info(book, "Kinh phí hội nghị", fields),
        "legal_bases": legal_bases,
        "province_office": province_office,
        "province_attendees": _items(_info(book, "Đại biểu cấp tỉnh", fields)),
        "member_roles": member_roles,
        "member_roles_text": _join_and(member_roles),
        "deputy_attendees": _lower_first(_info(book, "Đại biểu đơn vị Cụm phó", fields).rstrip(";. ")),
        "head_attendees": head_attendees,
        "head_attendees_text": "; ".join([_lower_first(a) for a in head_attendees[:1]] + head_attendees[1:]),
        "units": units,
        "unit_names": ", ".join(u.name for u in book.units),
        "n_units": f"{len(book.units):02d}",
        "seats": f"{book.seats_per_unit:02d}",
        "deadline": nfc(book.deadline) or placeholder("[ngày … tháng … năm …]"),
        "register_by": register_by,
        "visit": visit,
        "head_unit_name": head.name if head else nfc(book.head_unit),
        "head_body": head_body,
        "head_body_upper": head_body.upper(),
        "head_signer_title": (
            signer_title(strip_marks(head_body)) if head or book.head_unit else placeholder("[CHỨC VỤ NGƯỜI KÝ]")
        ),
        "deputy_unit_name": deputy.name if deputy else nfc(book.deputy_unit),
        "deputy_body": deputy_body,
        "next_head": next_head,
        "signer": signer,
        "contact": _contact(head),
        "programme": _programme(start, fields),
        "banner_title_1": "TỔNG KẾT CÔNG TÁC THI ĐUA VÀ KHEN THƯỞNG",
        "banner_title_2": f"NĂM {book.year}; PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {book.year + 1}",
        "banner_place_date": place_date,
    }
    return ctx


def _contact(head: Unit | None) -> str:
    """Who to call at the head unit, from its row of `Đơn vị`; a placeholder for what the book lacks."""
    if head is None:
        return placeholder("[họ tên, số điện thoại người liên hệ]")
    parts = [
        nfc(head.contact) or placeholder("[họ tên người liên hệ]"),
        f"điện thoại {_phone(head.phone)}" if nfc(head.phone) else placeholder("[số điện thoại]"),
    ]
    emails = email_addresses(head.email)
    if emails:
        parts.append(f"thư điện tử {emails[0]}")
    return ", ".join(parts)


def _phone(typed: str) -> str:
    """'0912345678' → '0912 345 678', as on the delegate list; a number that is not Vietnamese as typed."""
    digits, ok = vn_phone(typed)
    return show_phone(digits) if ok else nfc(typed)


def _programme(start: int | None, fields: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    at = start
    for i, (minutes, item, who) in enumerate(PROGRAMME, 1):
        if at is None:
            when = placeholder("…h… - …h…")
        elif minutes:
            when = f"{_clock(at)} - {_clock(at + minutes)}"
        else:
            when = f"Từ {_clock(at)}"
        rows.append({"stt": str(i), "time": when, "item": _format(item, fields), "who": _format(who, fields)})
        if at is not None:
            at += minutes
    return rows


def invitation_context(base: dict[str, Any], book: Book, unit: Unit | None) -> dict[str, Any]:
    """The invitation to one member unit (None: to the provincial office), on top of `build_context`.

    Adds: to (Kính gửi), invitees (list of lines after "trân trọng kính mời"), register (how and by when to
    register delegates), is_province ('' or 'x'), is_head ('' or 'x')."""
    ctx = dict(base)
    if unit is None:
        office = strip_marks(base["province_office"])
        ctx["to"] = base["province_office"]
        ctx["invitees"] = list(base["province_attendees"]) or [f"Lãnh đạo {base['province_office']}"]
        ctx["register"] = (
            f"Đề nghị {office} thông báo danh sách đại biểu dự Hội nghị về {strip_marks(base['head_body'])} "
            f"(đơn vị Cụm trưởng) {strip_marks(base['register_by'])} để phối hợp chuẩn bị."
        )
        ctx["is_province"], ctx["is_head"] = "x", ""
        return ctx
    body = body_name(unit)
    locality = body.removeprefix("UBND ").strip()  # 'huyện Nông Cống'
    head = find_unit(book, book.head_unit)
    is_head = head is not None and unit.code == head.code
    ctx["to"] = body
    if is_head:
        first, *rest = base["head_attendees"] or [f"Lãnh đạo {body}"]
        ctx["invitees"] = [f"{first} {locality}", *(_upper_first(a) for a in rest)]
        ctx["register"] = "Đề nghị các đồng chí bố trí thời gian dự Hội nghị (đơn vị chủ trì, không cần đăng ký)."
    else:
        roles = base["member_roles"]
        who = ("Các đồng chí " if len(roles) > 1 else "Đồng chí ") + _join_and(roles)
        ctx["invitees"] = [f"{who} của {body}"] if roles else [f"Lãnh đạo {body}"]
        if deputy_match(book, unit):
            ctx["invitees"].append(f"{_upper_first(base['deputy_attendees'])} {locality}")
        ctx["register"] = (
            f"Đề nghị {body} đăng ký tối đa {base['seats']} đại biểu (họ và tên, chức vụ, số điện thoại) tại trang "
            f"tính “Đăng ký đại biểu” trong bảng tự chấm điểm thi đua năm {book.year} của đơn vị (tệp "
            f"“{workbook_filename(book, unit)}”), gửi về "
            f"{strip_marks(base['head_body'])} (đơn vị Cụm trưởng) {strip_marks(base['register_by'])}."
        )
    ctx["is_province"], ctx["is_head"] = "", "x" if is_head else ""
    return ctx


def deputy_match(book: Book, unit: Unit) -> bool:
    deputy = find_unit(book, book.deputy_unit)
    return deputy is not None and deputy.code == unit.code


# ---------------------------------------------------------------------------------------------- writing


def default_templates_dir() -> Path:
    """input_templates/, from the installed package or the source tree."""
    try:
        from importlib.resources import files

        candidate = Path(str(files("ttdk_xl.input_templates").joinpath("mau_giay_moi.docx")))
        if candidate.is_file():
            return candidate.parent
    except (ModuleNotFoundError, TypeError, ValueError):
        pass
    return Path(__file__).resolve().parents[2] / "input_templates"


def template_for(document: str, custom: Path | None = None) -> Path:
    """The template of `document` (a key of TEMPLATES): `custom` when it is that file, or a folder holding a file of
    that name; else the default in input_templates/."""
    name = TEMPLATES[document][0]
    if custom is not None:
        custom = Path(custom)
        if custom.is_dir() and (custom / name).is_file():
            return custom / name
        if custom.is_file() and custom.name == name:
            return custom
    return default_templates_dir() / name


def invitation_filename(unit: Unit | None) -> str:
    if unit is None:
        return "giay_moi_00_tinh.docx"
    return f"giay_moi_{safe_filename(unit.code, 20)}_{safe_filename(unit.name, 80)}.docx"


def write_conference_papers(
    book: Book,
    out: Path,
    templates: Path | None = None,
    run_date: date | None = None,
    progress: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write the plan, the programme, the banner and giay_moi/ (an invitation per member unit, one for the
    provincial office, an .eml draft for each but the head unit's) into `out`; return the paths written.

    `templates`: a folder of the office's own templates (any of mau_ke_hoach_hoi_nghi.docx, mau_giay_moi.docx,
    mau_chuong_trinh.docx, mau_maket.docx; the others are the defaults), or one such file. A template that
    cannot be rendered raises ReportTemplateError before anything is written."""
    from ttdk_xl.outputs.docx_style import write_docx  # lazy: python-docx, for start-up

    out = Path(out)
    ctx = build_context(book, run_date)
    rendered: list[tuple[Path, Any, Unit | None]] = []
    for name in (PLAN_NAME, PROGRAMME_NAME, BANNER_NAME):
        label = TEMPLATES[name][1]
        rendered.append((out / name, render_template(template_for(name, templates), ctx, label), None))
    invitation_tpl = template_for("giay_moi", templates)
    folder = out / INVITATIONS_DIR
    recipients: list[Unit | None] = [None, *book.units]
    for unit in recipients:
        doc = render_template(invitation_tpl, invitation_context(ctx, book, unit), TEMPLATES["giay_moi"][1])
        rendered.append((folder / invitation_filename(unit), doc, unit))

    written = []
    head = find_unit(book, book.head_unit)
    for path, doc, unit in rendered:
        written.append(write_docx(doc, path))
        if progress:
            progress(path)
        is_invitation = path.parent == folder
        if is_invitation and (unit is None or head is None or unit.code != head.code):
            written.append(write_bytes(path.with_suffix(".eml"), _draft(book, ctx, unit, path)))
    return written


def _draft(book: Book, ctx: dict[str, Any], unit: Unit | None, attachment: Path) -> bytes:
    """A ready-to-send draft (X-Unsent: 1) with the invitation attached, to the unit's `Email` (none for the
    provincial office: type its address), from the head unit's."""
    from email import policy

    from ttdk_xl.forms.drafts import head_email

    msg = EmailMessage()
    sender = head_email(book)
    if sender:
        msg["From"] = formataddr((nfc(book.head_unit), sender)) if book.head_unit else sender
    to = email_addresses(unit.email) if unit else []
    if unit and to:
        msg["To"] = ", ".join(formataddr((unit.name, a)) for a in to)
    addressee = unit.name if unit else strip_marks(ctx["province_office"])
    msg["Subject"] = f"[{ctx['cluster_name']}] Giấy mời dự Hội nghị tổng kết công tác thi đua, khen thưởng năm " + (
        f"{book.year} - {addressee}"
    )
    msg["X-Unsent"] = "1"
    head_body = strip_marks(ctx["head_body"])
    text = (
        f"Kính gửi: {addressee}\n\n"
        f"{head_body} (đơn vị Cụm trưởng {ctx['cluster_name']}) trân trọng gửi Giấy mời dự Hội nghị tổng kết công "
        f"tác thi đua, khen thưởng năm {book.year}; phương hướng, nhiệm vụ năm {book.year + 1} "
        f"(tệp đính kèm “{attachment.name}”).\n\n"
        f"Thời gian: {strip_marks(ctx['conf_when'])}.\n"
        f"Địa điểm: {strip_marks(ctx['venue'])}.\n\n"
        f"{strip_marks(invitation_context(ctx, book, unit)['register'])}\n\n"
        f"Liên hệ: {strip_marks(ctx['contact'])}.\n\n"
        "Trân trọng.\n\n"
        f"{head_body}\n"
        f"Đơn vị Cụm trưởng {ctx['cluster_name']}\n"
    )
    msg.set_content(text)
    data = attachment.read_bytes()
    msg.add_attachment(
        data,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename=attachment.name,
    )
    msg.set_boundary("=_ttdk_" + hashlib.sha256(attachment.name.encode() + data).hexdigest()[:32])
    # Lines up to 998 characters are valid; Python 3.11 loses spaces when it folds long non-ASCII headers.
    return msg.as_bytes(policy=policy.default.clone(max_line_length=998))


def placeholders_left(paths: list[Path]) -> int:
    """How many highlighted runs the written documents hold (what the author still has to fill in)."""
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX

    n = 0
    for p in paths:
        if p.suffix != ".docx":
            continue
        doc = Document(str(p))
        for para in paragraphs_of(doc):
            n += sum(1 for r in para.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW)
    return n
