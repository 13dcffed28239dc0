"""The award dossier (hồ sơ đề nghị khen thưởng, Law 06/2022/QH15 Art. 84(1)), written after the vote into `ho_so/`:

    bao_cao.docx            the final report: the draft's content and the vote's result
    to_trinh.docx           Tờ trình đề nghị khen thưởng (Decree 152/2025/NĐ-CP, Mẫu số 01)
    bien_ban_hop.docx       Biên bản họp bình xét thi đua
    danh_sach_de_nghi.xlsx  the list annex (outputs.proposal_list)

The three documents are docxtpl templates in `input_templates/` (built by scripts/make_dossier_templates.py),
rendered with `dossier_context`: the report's context with the vote (outputs.report.build_context(result,
count)) and the values of the book's `Thông tin` below (INFO_DEFAULTS), so that legal bases, addressees and
signers change without code. In those values `{Tên cụm}`, `{Cơ quan cấp trên}`, `{Địa phương}`, `{Năm}` and
`{Ngày họp}` are replaced; a line in square brackets or holding "…" is for the author to complete and is
highlighted in yellow.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ttdk_xl.core.models import Book, Result
from ttdk_xl.core.text import nfc
from ttdk_xl.outputs.ballots import CountResult
from ttdk_xl.outputs.report import build_context, render_bytes

REPORT_NAME = "bao_cao.docx"
TO_TRINH_NAME = "to_trinh.docx"
MINUTES_NAME = "bien_ban_hop.docx"
LIST_NAME = "danh_sach_de_nghi.xlsx"
DOSSIER_FILES = (REPORT_NAME, TO_TRINH_NAME, MINUTES_NAME, LIST_NAME)

# Templates (input_templates/, or a folder of the office's own with the same names).
TEMPLATES = {
    REPORT_NAME: "mau_bao_cao_ho_so.docx",
    TO_TRINH_NAME: "mau_to_trinh.docx",
    MINUTES_NAME: "mau_bien_ban_hop.docx",
}
_WHAT = {REPORT_NAME: "báo cáo", TO_TRINH_NAME: "tờ trình", MINUTES_NAME: "biên bản họp"}

# Keys of the book's `Thông tin` the dossier reads, each with its default ('' = a highlighted placeholder).
K_TTR_NUMBER = "Số tờ trình"
K_TTR_TO = "Kính gửi"
K_TTR_VIA = "Cơ quan tiếp nhận hồ sơ"
K_BASES = "Căn cứ pháp lý"
K_TTR_RECIPIENTS = "Nơi nhận tờ trình"
K_SIGN_AUTHORITY = "Thẩm quyền ký"
K_SIGNER_TITLE = "Chức vụ người ký"
K_SIGNER = "Người ký"
K_MEETING_TIME = "Thời gian họp"
K_MEETING_PLACE = "Địa điểm họp"
K_CHAIR = "Chủ trì hội nghị"
K_SECRETARY = "Thư ký hội nghị"
K_ABSENT = "Đại biểu vắng mặt"

INFO_DEFAULTS: dict[str, str] = {
    K_TTR_NUMBER: "",  # "…/TTr-CTĐ" until the office numbers it, e.g. "125/TTr-UBND"
    K_TTR_TO: "Chủ tịch Ủy ban nhân dân {Địa phương}",
    K_TTR_VIA: "Sở Nội vụ {Địa phương}",
    K_BASES: "\n".join(
        (
            "Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022;",
            "Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định chi tiết thi hành một số "
            "điều của Luật Thi đua, khen thưởng;",
            "[Quyết định, hướng dẫn của {Cơ quan cấp trên} về công tác thi đua, khen thưởng và hoạt động của các "
            "cụm, khối thi đua: số, ngày, trích yếu …];",
            "Biên bản họp bình xét thi đua của {Tên cụm} {Ngày họp}.",
        )
    ),
    K_TTR_RECIPIENTS: "\n".join(
        ("Như trên;", "Sở Nội vụ {Địa phương} (Phòng Thi đua, khen thưởng);", "Các đơn vị trong Cụm;", "Lưu: VT.")
    ),
    K_SIGN_AUTHORITY: "CỤM TRƯỞNG",
    K_SIGNER_TITLE: "",  # the head unit's chief: "CHỦ TỊCH UBND HUYỆN TRIỆU SƠN"
    K_SIGNER: "",
    K_MEETING_TIME: "",  # "08 giờ 00 phút"
    K_MEETING_PLACE: "",  # the tally's `Địa điểm`, else the book's `Địa danh`
    K_CHAIR: "",  # "Ông Lê Văn A, Chủ tịch UBND huyện Triệu Sơn"
    K_SECRETARY: "",
    K_ABSENT: "",
}

_FIELD = re.compile(r"\{([^{}]+)\}")


def info_value(book: Book, key: str, fields: dict[str, str]) -> str:
    """A `Thông tin` value (INFO_DEFAULTS when the book has none), its {fields} replaced, NFC."""
    text = nfc(book.info(key, INFO_DEFAULTS[key]))
    return _FIELD.sub(lambda m: fields.get(nfc(m.group(1)).strip(), m.group(0)), text)


def is_placeholder(text: str) -> bool:
    """A value the author must still complete: empty, in square brackets, or holding '…'."""
    return not text.strip() or text.lstrip().startswith("[") or "…" in text


def _lines(text: str, lead: str = "") -> list[dict[str, str]]:
    """One basis or recipient per line: {text, mark ('1' to highlight)}; a leading `lead` ('Căn cứ', '-', which
    the template writes itself) is dropped."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if lead and line.casefold().startswith(lead.casefold()):
            line = line[len(lead) :].strip()
        if line:
            rows.append({"text": line, "mark": "1" if is_placeholder(line) else ""})
    return rows


def _locality(parent_body: str) -> str:
    """'UBND tỉnh Thanh Hóa' → 'tỉnh Thanh Hóa' (the place the province's bodies are named after)."""
    text = nfc(parent_body)
    for prefix in ("Ủy ban nhân dân ", "Uỷ ban nhân dân ", "UBND "):
        if text.casefold().startswith(prefix.casefold()):
            return text[len(prefix) :]
    return text


_TITLES = ("đồng chí ", "đ/c ", "ông ", "bà ")


def person_name(text: str) -> str:
    """The name under a signature: 'Ông Lê Văn An, Chủ tịch UBND huyện …' → 'Lê Văn An'."""
    name = text.split(",", 1)[0].strip()
    for title in _TITLES:
        if name.casefold().startswith(title):
            return name[len(title) :].strip()
    return name


def dossier_context(result: Result, count: CountResult) -> dict[str, Any]:
    """The report's context with the vote (outputs.vote_results), plus:

    ttr_number (the book's 'Số tờ trình', '' → placeholder), ttr_to, ttr_via, bases and recipients (lists of
    {text, mark}), sign_authority, signer_title, signer ('' → placeholder), meeting_time, meeting_place,
    chair, secretary, absent ('' → placeholder), chair_name and secretary_name (the names alone, to sign),
    members (list: stt, name, delegates — the names the units registered, '' when none), n_changes,
    n_proposed (two digits).
    """
    book = result.book
    ctx = build_context(result, count)
    fields = {
        "Tên cụm": ctx["cluster_name"],
        "Cơ quan cấp trên": ctx["parent_body"],
        "Địa phương": _locality(book.parent_body),
        "Năm": ctx["year"],
        "Ngày họp": ctx["vote_date_words"],
    }

    def value(key: str) -> str:
        text = info_value(book, key, fields)
        return "" if is_placeholder(text) else text

    delegates = {}
    if result.delegates is not None:
        for ud in result.delegates.units:
            delegates[ud.unit.code] = "; ".join(
                d.name + (f", {d.title}" if d.title else "") for d in ud.delegates if d.name
            )
    ctx.update(
        {
            "ttr_number": value(K_TTR_NUMBER),
            "ttr_to": value(K_TTR_TO),
            "ttr_via": value(K_TTR_VIA),
            "bases": _lines(info_value(book, K_BASES, fields), "Căn cứ"),
            "recipients": _lines(info_value(book, K_TTR_RECIPIENTS, fields), "-"),
            "sign_authority": value(K_SIGN_AUTHORITY),
            "signer_title": value(K_SIGNER_TITLE) or ctx["head_signer_title"],
            "signer": value(K_SIGNER),
            "meeting_time": value(K_MEETING_TIME),
            "meeting_place": value(K_MEETING_PLACE) or ctx["vote_place"] or ctx["place"],
            "chair": value(K_CHAIR),
            "chair_name": person_name(value(K_CHAIR)),
            "secretary": value(K_SECRETARY),
            "secretary_name": person_name(value(K_SECRETARY)),
            "absent": value(K_ABSENT),
            "members": [
                {"stt": str(i), "name": u.name, "delegates": delegates.get(u.code, "")}
                for i, u in enumerate(book.units, 1)
            ],
            "n_changes": f"{len(result.changes):02d}",
            "n_proposed": f"{len(ctx['proposed']):02d}",
        }
    )
    return ctx


def default_template(name: str) -> Path:
    """input_templates/<name>, from the installed package or the source tree."""
    try:
        from importlib.resources import files

        candidate = Path(str(files("ttdk_xl.input_templates").joinpath(name)))
        if candidate.is_file():
            return candidate
    except (ModuleNotFoundError, TypeError, ValueError):
        pass
    return Path(__file__).resolve().parents[2] / "input_templates" / name


def template_for(document: str, template_dir: Path | None = None) -> Path:
    """The template of a dossier document: the office's own in `template_dir` when it has one, else the default."""
    name = TEMPLATES[document]
    if template_dir is not None and (Path(template_dir) / name).is_file():
        return Path(template_dir) / name
    return default_template(name)


def write_dossier(result: Result, count: CountResult, out: Path, template_dir: Path | None = None) -> list[Path]:
    """Write the four documents into `out` (each atomically); returns their paths in DOSSIER_FILES order.

    Raises ReportTemplateError (a Vietnamese message naming the template and the tag) for a broken template;
    every template is rendered before anything is written, so a broken one leaves the folder as it was."""
    from ttdk_xl.core.atomic import write_bytes
    from ttdk_xl.outputs.proposal_list import write_proposal_list

    out = Path(out)
    ctx = dossier_context(result, count)
    rendered: dict[str, bytes] = {}
    for document in (REPORT_NAME, TO_TRINH_NAME, MINUTES_NAME):
        rendered[document] = render_bytes(template_for(document, template_dir), ctx, _WHAT[document])
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_bytes(out / name, data) for name, data in rendered.items()]
    paths.append(write_proposal_list(result, ctx, out / LIST_NAME))
    return paths
