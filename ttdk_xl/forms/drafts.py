"""Draft emails (.eml) that send each unit its workbook: open one in Outlook or Thunderbird and press Send.

Written with the standard `email` package; the same workbook gives the same email (no random boundary).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from ttdk_xl.core.atomic import write_bytes
from ttdk_xl.core.models import Book, Unit
from ttdk_xl.core.text import email_addresses, nfc, safe_filename
from ttdk_xl.core.units import find_unit

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def cover_text(book: Book, unit: Unit, attachment: str) -> str:
    """The short Vietnamese cover text of the email that sends a unit its workbook."""
    deadline = f" trước ngày {book.deadline}" if book.deadline else ""
    head = nfc(book.head_unit) or f"Đơn vị Cụm trưởng {book.cluster_name}"
    return (
        f"Kính gửi: {unit.name}\n\n"
        f"Thực hiện công tác thi đua, khen thưởng năm {book.year} của {book.cluster_name}, "
        f"{head} (đơn vị Cụm trưởng) gửi Quý đơn vị bảng tự chấm điểm thi đua năm {book.year} "
        f"(tệp đính kèm “{attachment}”).\n\n"
        "Đề nghị Quý đơn vị:\n"
        "  1. Mở tệp bằng Excel (hoặc LibreOffice, WPS), nhập điểm tự chấm và giải trình, minh chứng vào các ô "
        "để trống; dòng trạng thái ở đầu bảng cho biết còn ô nào chưa hợp lệ.\n"
        "  2. Không thêm, xóa, sửa các dòng tiêu chí và điểm tối đa.\n"
        f"  3. Gửi lại tệp đã điền (giữ định dạng .xlsx) bằng cách trả lời thư này{deadline}.\n\n"
        "Trân trọng cảm ơn sự phối hợp của Quý đơn vị.\n\n"
        f"{head}\n"
        f"Đơn vị Cụm trưởng {book.cluster_name}\n"
    )


def subject_line(book: Book, unit: Unit) -> str:
    return f"[{book.cluster_name}] Bảng tự chấm điểm thi đua năm {book.year} - {unit.name}"


def head_email(book: Book) -> str:
    """The head unit's address (its Email in the book), used as the sender of the drafts."""
    head = find_unit(book, book.head_unit)
    found = email_addresses(head.email) if head else []
    return found[0] if found else ""


def return_text(book: Book, unit: Unit, attachment: str, problems: Iterable[str]) -> str:
    """The cover text of the email that returns a unit its workbook with the problems marked."""
    head = nfc(book.head_unit) or f"Đơn vị Cụm trưởng {book.cluster_name}"
    listed = "\n".join(f"  - {p}" for p in problems)
    deadline = f" trước ngày {book.deadline}" if book.deadline else " sớm"
    return (
        f"Kính gửi: {unit.name}\n\n"
        f"{head} (đơn vị Cụm trưởng {book.cluster_name}) đã nhận bảng tự chấm điểm thi đua năm {book.year} của "
        f"Quý đơn vị. Khi kiểm tra, bảng còn các điểm cần sửa hoặc xem lại:\n{listed}\n\n"
        f"Tệp đính kèm “{attachment}” là bảng của Quý đơn vị, các ô cần sửa được tô màu và ghi chú; trang "
        f"'Phiếu trả lại' liệt kê từng điểm. Đề nghị Quý đơn vị sửa trên chính tệp này và gửi lại{deadline} "
        "bằng cách trả lời thư này.\n\n"
        f"Trân trọng cảm ơn.\n\n{head}\nĐơn vị Cụm trưởng {book.cluster_name}\n"
    )


def reminder_text(book: Book, unit: Unit, attachment: str) -> str:
    """The cover text of a reminder to a unit that has sent nothing."""
    head = nfc(book.head_unit) or f"Đơn vị Cụm trưởng {book.cluster_name}"
    deadline = f" (hạn nộp: {book.deadline})" if book.deadline else ""
    again = f" Bảng tự chấm được gửi kèm lại (tệp “{attachment}”)." if attachment else ""
    return (
        f"Kính gửi: {unit.name}\n\n"
        f"Đến nay {head} (đơn vị Cụm trưởng {book.cluster_name}) chưa nhận được bảng tự chấm điểm thi đua năm "
        f"{book.year} của Quý đơn vị{deadline}.{again}\n\n"
        "Đề nghị Quý đơn vị hoàn thành và gửi lại sớm bằng cách trả lời thư này, để Cụm kịp tổng hợp trước "
        "Hội nghị tổng kết.\n\n"
        f"Trân trọng cảm ơn.\n\n{head}\nĐơn vị Cụm trưởng {book.cluster_name}\n"
    )


def draft_email(
    book: Book,
    unit: Unit,
    workbook: Path | None,
    sender: str = "",
    subject: str = "",
    body: str = "",
) -> EmailMessage:
    """A ready-to-send draft (X-Unsent: 1 opens it as a new message in Outlook) with the workbook attached
    (`subject` and `body` default to those that send a unit its blank workbook)."""
    msg = EmailMessage()
    sender = sender or head_email(book)
    if sender:
        msg["From"] = formataddr((nfc(book.head_unit), sender)) if book.head_unit else sender
    to = email_addresses(unit.email)
    if to:
        msg["To"] = ", ".join(formataddr((unit.name, a)) for a in to)
    msg["Subject"] = subject or subject_line(book, unit)
    msg["X-Unsent"] = "1"
    msg.set_content(body or cover_text(book, unit, workbook.name if workbook else ""))
    data = workbook.read_bytes() if workbook is not None else b""
    if workbook is not None:
        msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=workbook.name)
    # A boundary from the content, not random: the same workbook gives the same email.
    if workbook is not None:
        msg.set_boundary("=_ttdk_" + hashlib.sha256(unit.code.encode() + data).hexdigest()[:32])
    return msg


def _unfolded():
    from email import policy

    # Python 3.11 loses spaces when it folds long non-ASCII headers; lines up to 998 characters are valid.
    return policy.default.clone(max_line_length=998)


_UNFOLDED = _unfolded()


def write_drafts(book: Book, workbooks: Iterable[tuple[Unit, Path]], sender: str = "") -> list[Path]:
    """One draft email per (unit, workbook), saved beside the workbook with the same name and .eml."""
    out = []
    for unit, workbook in workbooks:
        path = workbook.with_suffix(".eml")
        data = draft_email(book, unit, workbook, sender).as_bytes(policy=_UNFOLDED)
        out.append(write_bytes(path, data))
    return out


def write_return_drafts(book: Book, returns: Iterable[tuple[Unit, Path, list[str]]], sender: str = "") -> list[Path]:
    """A draft beside each returned workbook (same name, .eml) that sends it back with its problems listed."""
    out = []
    for unit, workbook, problems in returns:
        body = return_text(book, unit, workbook.name, problems)
        subject = f"[{book.cluster_name}] Đề nghị sửa bảng tự chấm điểm thi đua năm {book.year} - {unit.name}"
        data = draft_email(book, unit, workbook, sender, subject, body).as_bytes(policy=_UNFOLDED)
        out.append(write_bytes(workbook.with_suffix(".eml"), data))
    return out


def write_reminders(
    book: Book, units: Iterable[tuple[Unit, Path | None]], out_dir: Path, sender: str = ""
) -> list[Path]:
    """A reminder draft in `out_dir` to each unit that sent nothing, with its issued workbook when there is one."""
    out = []
    for unit, workbook in units:
        body = reminder_text(book, unit, workbook.name if workbook else "")
        subject = f"[{book.cluster_name}] Nhắc gửi bảng tự chấm điểm thi đua năm {book.year} - {unit.name}"
        data = draft_email(book, unit, workbook, sender, subject, body).as_bytes(policy=_UNFOLDED)
        name = safe_filename(f"{book.year}_{unit.code}_{unit.name} - nhắc gửi") + ".eml"
        out.append(write_bytes(out_dir / name, data))
    return out
