"""Saved emails (.eml, Outlook .msg) in the inbox, read as the spreadsheets they carry.

Reading .eml uses `email.parser.BytesParser` with the default
policy; reading .msg uses `extract-msg` (imported only when a .msg is met). Each spreadsheet attachment is
read by `read.read_file` like a file of the inbox; its name becomes `thư.eml › tệp.xlsx` and the sender
and date of the email are recorded (FileInfo.sender / sent_at → Source, `Nguồn`, ket_qua.json).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from ttdk_xl.core.failures import must_propagate
from ttdk_xl.core.models import Finding, Severity, Unit
from ttdk_xl.core.text import email_addresses, nfc, safe_filename
from ttdk_xl.inbox.read import DEFAULT_MAX_BYTES, FileInfo, ReadOutcome, file_info, read_file

EMAIL_EXTS = {".eml", ".msg"}
EMAIL_SIZE_FACTOR = 3  # an email may be bigger than one attachment: base64, photos, other files
MAX_NESTED = 3  # emails forwarded as attachments, at most this deep
SEP = " › "  # between the email's name and the attachment's in Source.file


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    inline_image: bool = False  # pictures in the body (signatures, logos): skipped without a note


@dataclass(frozen=True)
class Letter:
    """What ttdk-xl needs from one email."""

    sender: str
    sent_at: str  # ISO time, '' when the email has no usable date
    attachments: tuple[Attachment, ...]
    nested: tuple[Letter, ...] = ()  # emails forwarded as attachments


def parse_eml(data: bytes, depth: int = 0) -> Letter:
    from email import policy
    from email.parser import BytesParser

    msg = BytesParser(policy=policy.default).parsebytes(data)
    return _letter(msg, depth)


def _letter(msg, depth: int) -> Letter:
    sender = sent_at = ""
    try:
        addresses = msg["From"].addresses if msg["From"] is not None else ()
        sender = addresses[0].addr_spec if addresses else ""
    except (AttributeError, IndexError, TypeError, ValueError):
        found = email_addresses(str(msg.get("From", "")))
        sender = found[0] if found else ""
    try:
        when = msg["Date"].datetime if msg["Date"] is not None else None
        sent_at = when.isoformat(timespec="seconds") if when else ""
    except (AttributeError, TypeError, ValueError):
        sent_at = ""
    attachments: list[Attachment] = []
    nested: list[Letter] = []
    for part in _parts(msg):
        if part.get_content_type() == "message/rfc822":
            if depth < MAX_NESTED:
                inner = part.get_payload()
                nested.extend(_letter(m, depth + 1) for m in (inner if isinstance(inner, list) else []))
            continue
        name = part.get_filename()
        if not name:
            continue
        if name.lower().endswith(".eml"):
            if depth < MAX_NESTED:
                nested.append(parse_eml(part.get_payload(decode=True) or b"", depth + 1))
            continue
        inline = part.get_content_disposition() == "inline" and part.get_content_maintype() == "image"
        attachments.append(Attachment(nfc(name), part.get_payload(decode=True) or b"", inline))
    return Letter(sender.lower(), sent_at, tuple(attachments), tuple(nested))


def _parts(msg):
    """Leaf parts and attached emails of a message, without descending into the attached emails."""
    if msg.get_content_type() == "message/rfc822" or not msg.is_multipart():
        yield msg
        return
    for part in msg.get_payload():
        yield from _parts(part)


def parse_msg(path: Path) -> Letter:
    """An Outlook .msg, via extract-msg."""
    import extract_msg

    msg = extract_msg.openMsg(str(path))
    try:
        return _msg_letter(msg, 0)
    finally:
        msg.close()


def _msg_letter(msg, depth: int) -> Letter:
    sender = ""
    for candidate in (getattr(msg, "sender", None), msg.getStringStream("__substg1.0_0C1F")):
        found = email_addresses(candidate or "")
        if found:
            sender = found[0]
            break
    when = getattr(msg, "date", None)
    sent_at = when.isoformat(timespec="seconds") if isinstance(when, datetime) else ""
    attachments: list[Attachment] = []
    nested: list[Letter] = []
    for att in msg.attachments:
        data = getattr(att, "data", None)
        if data is not None and not isinstance(data, bytes | bytearray):  # an embedded email
            if depth < MAX_NESTED:
                nested.append(_msg_letter(data, depth + 1))
            continue
        name = nfc(att.longFilename or att.shortFilename or getattr(att, "displayName", "") or "")
        if not name:
            continue
        inline = bool(getattr(att, "hidden", False)) and PurePosixPath(name).suffix.lower() in _IMAGE_EXTS
        attachments.append(Attachment(name, bytes(data or b""), inline))
    return Letter(sender.lower(), sent_at, tuple(attachments), tuple(nested))


_IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emz", ".wmz"}


def read_email(path: Path, inbox: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> list[ReadOutcome]:
    """Every spreadsheet attached to a saved email, read like a file of the inbox. Never raises."""
    info = file_info(path, inbox)
    limit = max_bytes * EMAIL_SIZE_FACTOR

    def only(code: str, message: str, fix: str, severity: Severity = Severity.ERROR, ignored: bool = False):
        return [ReadOutcome(info, None, (Finding(code, severity, info.file, message, fix),), ignored)]

    if info.size > limit:
        return only(
            "file-too-large",
            f"Thư quá lớn ({info.size:,} byte, giới hạn {limit:,} byte), không đọc để tránh treo máy.",
            "Lưu riêng tệp bảng tự chấm đính kèm vào hộp thư; hoặc chạy lại với --max-mb lớn hơn.",
        )
    try:
        letter = parse_msg(path) if path.suffix.lower() == ".msg" else parse_eml(path.read_bytes())
    except ImportError:
        return only(
            "msg-unsupported",
            "Thư Outlook (.msg) cần gói extract-msg để đọc, nhưng gói này chưa được cài.",
            "Cài lại ttdk-xl (pip install ttdk-xl), hoặc mở thư trong Outlook, lưu tệp đính kèm vào hộp thư "
            "(hay chuyển tiếp thư rồi lưu dạng .eml).",
        )
    except BaseException as exc:  # a damaged email must not stop the run
        if must_propagate(exc):
            raise
        return only(
            "email-unreadable",
            f"Không đọc được thư (tệp hỏng hoặc không đúng định dạng): {type(exc).__name__}.",
            "Mở thư bằng Outlook/Thunderbird, lưu tệp bảng tự chấm đính kèm vào hộp thư rồi chạy lại.",
        )

    outcomes: list[ReadOutcome] = []
    for prefix, mail in _flatten(letter, info.file):
        seen: dict[str, int] = {}
        for att in mail.attachments:
            if att.inline_image:
                continue
            outcomes.append(_read_attachment(att, prefix, mail, info, max_bytes, seen))
    if all(o.ignored for o in outcomes):  # nothing that could be a submission
        note = Finding(
            "email-no-spreadsheet",
            Severity.INFO,
            info.file,
            "Thư không có tệp bảng tính đính kèm nên được bỏ qua.",
            "Nếu đây là thư gửi bảng tự chấm, đề nghị đơn vị gửi lại kèm tệp Excel (.xlsx).",
        )
        outcomes.insert(0, ReadOutcome(_with_mail(info, info.file, letter), None, (note,), ignored=True))
    return outcomes


def _flatten(letter: Letter, prefix: str) -> Iterator[tuple[str, Letter]]:
    yield prefix, letter
    for i, inner in enumerate(letter.nested, 1):
        yield from _flatten(inner, f"{prefix}{SEP}thư đính kèm {i}")


def _with_mail(info: FileInfo, name: str, mail: Letter, modified: str = "") -> FileInfo:
    return replace(info, file=name, modified=modified or info.modified, sender=mail.sender, sent_at=mail.sent_at)


def _read_attachment(
    att: Attachment, prefix: str, mail: Letter, email_info: FileInfo, max_bytes: int, seen: dict[str, int]
) -> ReadOutcome:
    name = safe_filename(PurePosixPath(att.name.replace("\\", "/")).name) or "tep_dinh_kem"
    seen[name] = seen.get(name, 0) + 1
    display = f"{prefix}{SEP}{name}" + (f" ({seen[name]})" if seen[name] > 1 else "")
    with tempfile.TemporaryDirectory(prefix="ttdk-mail-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(att.data)
        outcome = read_file(path, None, max_bytes)
    inner = outcome.info.file
    # The attachment's time is the email's date (a temporary file's time would change every run).
    info = _with_mail(outcome.info, display, mail, mail.sent_at or email_info.modified)
    findings = tuple(replace(f, file=display) if f.file == inner else f for f in outcome.findings)
    findings = tuple(_reword(f) for f in findings)
    raw = replace(outcome.raw, info=info) if outcome.raw is not None else None
    return ReadOutcome(info, raw, findings, outcome.ignored)


def _reword(f: Finding) -> Finding:
    """Notes about files are about attachments here."""
    if f.code == "not-spreadsheet":
        return replace(f, message="Tệp đính kèm không phải bảng tính Excel nên được bỏ qua.")
    if f.code == "lock-file":
        return replace(f, message="Tệp khóa tạm của Excel/LibreOffice bị đính kèm nhầm, không phải bài nộp.")
    return f


# ---------------------------------------------------------------------------------------------- checks


def sender_finding(info: FileInfo, unit: Unit | None) -> Finding | None:
    """A warning when the email came from an address other than the unit's Email in the book."""
    if not info.sender or unit is None:
        return None
    known = [a.lower() for a in email_addresses(unit.email)]
    if not known or info.sender.lower() in known:
        return None
    return Finding(
        "sender-mismatch",
        Severity.WARNING,
        info.file,
        f"Thư gửi từ địa chỉ {info.sender}, khác địa chỉ của {unit.name} trong bộ tiêu chí ({', '.join(known)}).",
        "Xác nhận với đơn vị rằng tệp do đơn vị gửi; nếu đơn vị đổi địa chỉ, sửa cột 'Email' trong trang 'Đơn vị'.",
        unit_code=unit.code,
        unit_name=unit.name,
    )


def is_email(path: Path) -> bool:
    name = path.name
    return path.suffix.lower() in EMAIL_EXTS and not name.startswith(("~$", ".~lock"))
