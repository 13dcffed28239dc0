"""Email in and out: drafts written by `template --eml`, saved emails (.eml, .msg) read from the inbox."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from tests.conftest import fill, full_entries, make_book
from ttdk_xl.book.load import load_book
from ttdk_xl.cli.commands import cli
from ttdk_xl.core.models import Severity, SourceState
from ttdk_xl.core.text import people_time
from ttdk_xl.forms.drafts import write_drafts
from ttdk_xl.pipeline.stages import consolidate, write_outputs

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def parse(path: Path):
    return BytesParser(policy=policy.default).parse(path.open("rb"))


def reply(sender: str, attachments: list[tuple[str, bytes]], date="Fri, 05 Dec 2025 09:30:00 +0700") -> bytes:
    """What a unit sends back: a short text and its files."""
    msg = EmailMessage()
    msg["From"] = f"Văn phòng <{sender}>"
    msg["To"] = "noivu@example.gov.vn"
    msg["Subject"] = "Re: Bảng tự chấm điểm thi đua năm 2025"
    msg["Date"] = date
    msg.set_content("Kính gửi, đơn vị gửi lại bảng tự chấm đã điền.")
    for name, data in attachments:
        maintype, subtype = ("image", "png") if name.endswith(".png") else ("application", "octet-stream")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def test_template_eml_writes_one_draft_per_unit(tmp_path):
    out = tmp_path / "mau"
    result = run("template", EXAMPLES / "bo_tieu_chi.xlsx", "-o", out, "--eml")
    assert result.exit_code == 0, result.output
    book = load_book(EXAMPLES / "bo_tieu_chi.xlsx")
    drafts = sorted(out.glob("*.eml"))
    head = book.units[0]  # the head unit fills its own form: no draft from itself to itself
    assert len(drafts) == len(book.units) - 1 and "thư nháp" in result.output
    assert not next(out.glob(f"*_{head.code}_*.xlsx")).with_suffix(".eml").exists()
    assert f"Không tạo thư cho {head.name}" in result.output
    for unit in book.units[1:]:
        workbook = next(out.glob(f"*_{unit.code}_*.xlsx"))
        msg = parse(workbook.with_suffix(".eml"))
        assert msg["To"].addresses[0].addr_spec == unit.email
        assert msg["To"].addresses[0].display_name == unit.name
        assert msg["Subject"] == f"[{book.cluster_name}] Bảng tự chấm điểm thi đua năm {book.year} - {unit.name}"
        assert msg["X-Unsent"] == "1"
        assert msg["From"].addresses[0].addr_spec == book.units[0].email  # the head unit
        body = msg.get_body(("plain",)).get_content()
        assert unit.name in body and book.deadline in body
        (att,) = list(msg.iter_attachments())
        assert att.get_filename() == workbook.name and att.get_content() == workbook.read_bytes()


def test_round_trip_draft_out_reply_in(tmp_path):
    book = make_book(units=3)
    sent = tmp_path / "gui"
    sent.mkdir()
    workbooks = [fill(book, i, sent / f"2025_{u.code}_{u.name}.xlsx") for i, u in enumerate(book.units)]
    drafts = write_drafts(book, list(zip(book.units, workbooks, strict=True)))
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    for i, (unit, draft) in enumerate(zip(book.units, drafts, strict=True)):
        msg = parse(draft)
        assert msg["To"].addresses[0].addr_spec == unit.email
        (att,) = list(msg.iter_attachments())
        files = [(att.get_filename(), att.get_content())]
        if i == 0:
            files += [("Công văn kèm theo.pdf", b"%PDF-1.4"), ("~$lock.xlsx", b"x")]
        sender = unit.email.upper() if i == 1 else unit.email  # case does not matter
        (inbox / f"thư {i}.eml").write_bytes(reply(sender, files))

    result = consolidate(inbox, book=book)
    assert result.ok, [f.message for f in result.findings if f.blocking]
    used = [s for s in result.sources if s.state is SourceState.USED]
    assert [s.file for s in used] == [f"thư {i}.eml › {w.name}" for i, w in enumerate(workbooks)]
    assert used[0].sender == book.units[0].email and used[0].sent_at == "2025-12-05T09:30:00+07:00"
    ignored = {s.file: s.state for s in result.sources if s.state is SourceState.IGNORED}
    assert set(ignored) == {"thư 0.eml › Công văn kèm theo.pdf", "thư 0.eml › ~$lock.xlsx"}
    notes = {f.file: f for f in result.findings if f.severity is Severity.INFO}
    assert notes["thư 0.eml › Công văn kèm theo.pdf"].code == "not-spreadsheet"
    assert not [f for f in result.findings if f.code == "sender-mismatch"]

    paths = write_outputs(result, tmp_path / "ket_qua")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["sources"][0]["sender"] == book.units[0].email
    ws = openpyxl.load_workbook(paths["summary"], read_only=True)["Nguồn"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == "Tệp")
    assert header[-2:] == ["Thư gửi từ", "Ngày gửi thư"]
    # shown as people read dates: dd/mm/yyyy HH:MM in this computer's time zone
    assert [book.units[0].email, people_time("2025-12-05T09:30:00+07:00")] in [r[-2:] for r in rows]


def test_sender_not_matching_the_unit_is_a_warning(tmp_path):
    book = make_book(units=2)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    wb = fill(book, 0, tmp_path / "a.xlsx")
    (inbox / "a.eml").write_bytes(reply("ai.do@gmail.com", [("a.xlsx", wb.read_bytes())]))
    fill(book, 1, inbox / "b.xlsx")
    result = consolidate(inbox, book=book)
    (warn,) = [f for f in result.findings if f.code == "sender-mismatch"]
    assert warn.severity is Severity.WARNING and warn.file == "a.eml › a.xlsx" and warn.unit_code == "U1"
    assert "ai.do@gmail.com" in warn.message and book.units[0].email in warn.message
    assert result.ok  # a warning does not block

    out = run("check", inbox / "a.eml", "--book", EXAMPLES / "bo_tieu_chi.xlsx")
    assert "a.eml › a.xlsx" in out.output  # `check` reads emails too


def test_forwarded_email_and_email_without_spreadsheet(tmp_path):
    book = make_book(units=1)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    inner = BytesParser(policy=policy.default).parsebytes(
        reply(book.units[0].email, [("bang.xlsx", fill(book, 0, tmp_path / "x.xlsx").read_bytes())])
    )
    outer = EmailMessage()
    outer["From"] = "chuyen.vien@example.gov.vn"
    outer["Subject"] = "Fwd: bảng tự chấm"
    outer.set_content("Chuyển tiếp.")
    outer.add_attachment(inner)  # message/rfc822
    (inbox / "chuyen_tiep.eml").write_bytes(bytes(outer))
    (inbox / "hoi.eml").write_bytes(reply("x@y.vn", [("anh.png", b"\x89PNG")]))

    result = consolidate(inbox, book=book)
    assert result.ok
    (used,) = [s for s in result.sources if s.state is SourceState.USED]
    assert used.file == "chuyen_tiep.eml › thư đính kèm 1 › bang.xlsx" and used.sender == book.units[0].email
    codes = {f.file: f.code for f in result.findings}
    assert codes["hoi.eml"] == "email-no-spreadsheet"


def _msg(path: Path, sender: str, sent: datetime, attachments: list[tuple[str, bytes]]) -> Path:
    """A minimal Outlook .msg (MS-OXMSG): message properties, and one storage per attachment."""
    from extract_msg.ole_writer import OleWriter

    def prop(tag: int, typ: int, value: bytes) -> bytes:
        return struct.pack("<HHI", typ, tag, 6) + value

    def text(tag: int, value: str) -> bytes:
        data = value.encode("utf-16-le")
        w.addEntry(f"{prefix}__substg1.0_{tag:04X}001F", data)
        return prop(tag, 0x001F, struct.pack("<II", len(data) + 2, 0))

    w = OleWriter()
    prefix = ""
    props = text(0x001A, "IPM.Note") + text(0x0037, "Bảng tự chấm") + text(0x0C1A, "Văn phòng")
    props += text(0x0C1F, sender)
    ticks = int((sent - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10**7)
    props += prop(0x0039, 0x0040, struct.pack("<Q", ticks))
    n = len(attachments)
    w.addEntry("__properties_version1.0", struct.pack("<8sIIII8s", b"\0" * 8, 0, n, 0, n, b"\0" * 8) + props)
    w.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        w.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for i, (name, data) in enumerate(attachments):
        prefix = f"__attach_version1.0_#{i:08X}/"
        w.addEntry(prefix.rstrip("/"), storage=True)
        aprops = prop(0x3705, 0x0003, struct.pack("<II", 1, 0)) + text(0x3707, name)
        w.addEntry(f"{prefix}__substg1.0_37010102", data)
        aprops += prop(0x3701, 0x0102, struct.pack("<II", len(data), 0))
        w.addEntry(f"{prefix}__properties_version1.0", b"\0" * 8 + aprops)
    w.write(str(path))
    return path


def test_outlook_msg_in_the_inbox(tmp_path):
    book = make_book(units=2)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    wb = fill(book, 0, tmp_path / "a.xlsx", full_entries(book))
    sent = datetime(2025, 12, 5, 2, 30, tzinfo=UTC)
    _msg(inbox / "thư Triệu Sơn.msg", book.units[0].email, sent, [("bảng tự chấm.xlsx", wb.read_bytes())])
    fill(book, 1, inbox / "b.xlsx")
    result = consolidate(inbox, book=book)
    assert result.ok, [f.message for f in result.findings]
    src = next(s for s in result.sources if s.file.startswith("thư Triệu Sơn.msg"))
    assert src.file == "thư Triệu Sơn.msg › bảng tự chấm.xlsx" and src.state is SourceState.USED
    assert src.sender == book.units[0].email and src.sent_at == "2025-12-05T02:30:00+00:00"


def test_damaged_msg_is_a_finding_not_a_crash(tmp_path):
    book = make_book(units=1)
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    (inbox / "hong.msg").write_bytes(b"not an outlook file")
    result = consolidate(inbox, book=book)
    (f,) = [f for f in result.findings if f.file == "hong.msg"]
    assert f.code == "email-unreadable" and f.blocking and "Outlook" in f.fix


def test_template_never_replaces_issued_forms_unless_told(tmp_path):
    out = tmp_path / "mau"
    assert run("template", EXAMPLES / "bo_tieu_chi.xlsx", "-o", out).exit_code == 0
    issued = {p.name: p.read_bytes() for p in out.glob("*.xlsx")}
    again = run("template", EXAMPLES / "bo_tieu_chi.xlsx", "-o", out)
    assert again.exit_code == 1 and "không ghi đè" in again.output and "--thay-the" in again.output
    assert {p.name: p.read_bytes() for p in out.glob("*.xlsx")} == issued  # nothing touched
    told = run("template", EXAMPLES / "bo_tieu_chi.xlsx", "-o", out, "--thay-the")
    assert told.exit_code == 0 and f"Đã thay {len(issued)} bảng phát hành trước" in told.output
    assert sorted(issued)[0] in told.output
