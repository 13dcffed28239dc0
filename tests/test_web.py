"""The local page (`ttdk-xl web`) through Flask's test client: pages, uploads, downloads and every guard."""

from __future__ import annotations

import io
import shutil
import time
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest

pytest.importorskip("flask")

import ttdk_xl
from tests.conftest import fill, full_entries
from ttdk_xl.core.text import vn_number as vn
from ttdk_xl.web import guard
from ttdk_xl.web.app import create_app
from ttdk_xl.web.uploads import clean_name, receive

SECRET = "bi-mat-cua-lan-chay-nay"
PORT = 5555
HOST = {"Host": f"127.0.0.1:{PORT}"}
TOKEN = guard.csrf_token(SECRET)
# The default book of this checkout (an editable install may package another checkout's).
BOOK = Path(__file__).resolve().parents[1] / "input_templates" / "bo_tieu_chi.xlsx"


def make_year(tmp_path: Path) -> tuple[Path, Path]:
    """A year folder with the packaged book and an empty inbox; three filled forms beside it (one with an error)."""
    from click.testing import CliRunner

    from ttdk_xl.cli.commands import cli

    root = tmp_path / "nam"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0  # hop_thu/, the year's marks
    shutil.copy(BOOK, root / "bo_tieu_chi.xlsx")
    book = ttdk_xl.load_book(root / "bo_tieu_chi.xlsx")
    src = tmp_path / "gui_ve"
    src.mkdir()
    fill(book, 0, src / "a.xlsx")
    fill(book, 1, src / "b.xlsx", full_entries(book, II_1=(book.leaves[4].max_points - 1, "Chưa đạt chỉ tiêu thu")))
    first = book.leaves[0]
    fill(book, 2, src / "c.xlsx", full_entries(book, I_1=(first.max_points + 5, "")))
    return root, src


@pytest.fixture
def year(tmp_path):
    return make_year(tmp_path)


def client_of(root: Path, max_bytes: int = 20 * 1024 * 1024, logged_in: bool = True):
    app = create_app(root, SECRET, PORT, max_bytes=max_bytes)
    c = app.test_client()
    if logged_in:
        r = c.get(f"/?khoa={SECRET}", headers=HOST)
        assert r.status_code == 302
        cookie = r.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return c


def upload(c, *files: tuple[str, bytes], token: str | None = TOKEN, headers=HOST):
    data: dict = {"tep": [(io.BytesIO(b), name) for name, b in files]}
    if token is not None:
        data["csrf"] = token
    return c.post("/nhan", headers=headers, data=data, content_type="multipart/form-data")


def everything_under(path: Path) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob("*")}


# ----------------------------------------------------------------------------------------------- pages


def test_every_page_is_in_vietnamese(year):
    root, _ = year
    c = client_of(root)
    for url, title in [
        ("/", "Năm thi đua"),
        ("/nhan", "Nhận bảng tự chấm"),
        ("/ket-qua", "Kết quả"),
        ("/tham-dinh", "Thẩm định"),
        ("/tai-ve", "Tải về"),
    ]:
        r = c.get(url, headers=HOST)
        assert r.status_code == 200, url
        text = r.get_data(as_text=True)
        assert f"<title>{title}" in text and "Cụm thi đua" in text
        assert "http://" not in text.replace("http://127.0.0.1", "")  # nothing fetched from elsewhere
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_upload_checks_at_once_and_ranks(year):
    root, src = year
    c = client_of(root)
    r = upload(c, *[(n, (src / n).read_bytes()) for n in ("a.xlsx", "b.xlsx", "c.xlsx")])
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    assert text.count("Đã nhận:") == 3
    assert "Có 1 lỗi cần đơn vị sửa." in text
    assert "Tự chấm điểm" in text and ">E10<" in text and "Sửa ô E10" in text  # sheet, cell and fix
    assert sorted(p.name for p in (root / "hop_thu").iterdir()) == ["a.xlsx", "b.xlsx", "c.xlsx"]

    year_page = c.get("/", headers=HOST).get_data(as_text=True)
    assert "hợp lệ" in year_page and "có lỗi" in year_page and "chưa gửi" in year_page

    ranking = c.get("/ket-qua", headers=HOST).get_data(as_text=True)
    result = ttdk_xl.consolidate(root / "hop_thu")
    for u in result.units:
        assert u.unit.name in ranking
    first = next(u for u in result.units if u.rank == 1)
    assert first.unit.name in ranking.split("<svg")[0]  # in the table and the chart
    assert ranking.count('class="bar-row"') == sum(u.rank is not None for u in result.units)

    # The annotated return of the unit with the error, as consolidate writes it under tra_lai/
    book = result.book
    r = c.get(f"/tra-lai/{book.units[2].code}", headers=HOST)
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert "tr%E1%BA%A3%20l%E1%BA%A1i.xlsx" in r.headers["Content-Disposition"]


def test_same_name_is_kept_beside_never_over(year):
    root, src = year
    c = client_of(root)
    upload(c, ("a.xlsx", (src / "a.xlsx").read_bytes()))
    first = (root / "hop_thu" / "a.xlsx").read_bytes()
    r = upload(c, ("a.xlsx", (src / "b.xlsx").read_bytes()))
    assert "Đã nhận: a (2).xlsx" in r.get_data(as_text=True)
    assert (root / "hop_thu" / "a.xlsx").read_bytes() == first
    assert (root / "hop_thu" / "a (2).xlsx").read_bytes() == (src / "b.xlsx").read_bytes()


def make_outputs(c) -> str:
    """Start writing the outputs, follow the job's progress as app.js does; the downloads page after it."""
    r = c.post("/tai-ve/tao", headers=HOST, data={"csrf": TOKEN})
    assert r.status_code == 302
    page = c.get("/tai-ve", headers=HOST).get_data(as_text=True)
    job = page.split('data-job="')[1].split('"')[0] if 'data-job="' in page else ""
    for _ in range(300):
        if not job:
            break
        state = c.get(f"/tien-do/{job}", headers=HOST).get_json()
        if state["finished"]:
            assert not state["error"]
            break
        time.sleep(0.1)
    return c.get("/tai-ve", headers=HOST).get_data(as_text=True)


def test_an_edited_output_is_backed_up_before_it_is_made_again(year):
    root, src = year
    c = client_of(root)
    upload(c, ("a.xlsx", (src / "a.xlsx").read_bytes()))
    assert "Đã ghi kết quả" in make_outputs(c)
    summary = root / "ket_qua" / "tong_hop.xlsx"
    summary.write_bytes(summary.read_bytes() + b"\0")  # a person saved it again
    page = make_outputs(c)
    assert "Tệp tong_hop.xlsx đã được sửa sau lần tạo trước" in page
    assert [p.name.startswith("tong_hop_") for p in (root / "sao_luu").iterdir()] == [True]  # the year's


def test_outputs_are_made_in_the_background_and_downloaded(year):
    import openpyxl

    root, src = year
    c = client_of(root)
    upload(c, *[(n, (src / n).read_bytes()) for n in ("a.xlsx", "b.xlsx", "c.xlsx")])
    page = make_outputs(c)
    for name in ("tong_hop.xlsx", "bao_cao.docx", "ket_qua.json", "tra_lai.zip"):
        assert f"/tai-ve/{name}" in page, name
    r = c.get("/tai-ve/tong_hop.xlsx", headers=HOST)
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.data), read_only=True)
    rows = {row[1]: row for row in wb["Tổng hợp"].iter_rows(values_only=True) if row and row[1]}
    expected = ttdk_xl.consolidate(root / "hop_thu")
    for u in expected.units:
        row = rows[u.unit.code]
        assert u.unit.name in row and u.status.value in row
        if u.rank is not None:
            assert u.rank in row and float(u.total) in row
    with zipfile.ZipFile(io.BytesIO(c.get("/tai-ve/tra_lai.zip", headers=HOST).data)) as zf:
        assert len(zf.namelist()) >= 1 and all(n.endswith(".xlsx") for n in zf.namelist())
    # the dossier, once the commands made it: one zip of ho_so/ (a link elsewhere is never followed)
    (root / "ho_so").mkdir()
    (root / "ho_so" / "to_trinh.docx").write_bytes(b"PK-to-trinh")
    (root / "ho_so" / "ngoai.txt").symlink_to(root.parent / "gui_ve" / "a.xlsx")
    assert "/tai-ve/ho_so.zip" in c.get("/tai-ve", headers=HOST).get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(c.get("/tai-ve/ho_so.zip", headers=HOST).data)) as zf:
        assert zf.namelist() == ["to_trinh.docx"] and zf.read("to_trinh.docx") == b"PK-to-trinh"


# ----------------------------------------------------------------------------------------------- the guard


def test_without_the_secret_nothing_is_shown_or_written(year):
    root, src = year
    before = everything_under(root)
    c = client_of(root, logged_in=False)
    for url in ("/", "/ket-qua", "/tai-ve/tong_hop.xlsx", "/static/style.css"):
        assert c.get(url, headers=HOST).status_code == 403, url
    assert c.get("/?khoa=sai", headers=HOST).status_code == 403
    assert "Set-Cookie" not in c.get("/?khoa=sai", headers=HOST).headers
    c.set_cookie(guard.COOKIE, "sai", domain="127.0.0.1")
    assert c.get("/", headers=HOST).status_code == 403
    assert upload(c, ("a.xlsx", (src / "a.xlsx").read_bytes())).status_code == 403
    assert everything_under(root) == before


@pytest.mark.parametrize("host", ["evil.example:5555", "127.0.0.1:5556", "127.0.0.1", "localhost.evil:5555", ""])
def test_a_foreign_host_is_refused(year, host):
    root, src = year
    c = client_of(root)
    assert c.get("/", headers={"Host": host}).status_code == 403
    assert upload(c, ("a.xlsx", (src / "a.xlsx").read_bytes()), headers={"Host": host}).status_code == 403
    assert c.get(f"/?khoa={SECRET}", headers={"Host": host}).status_code == 403
    assert not any((root / "hop_thu").iterdir())
    assert c.get(f"/?khoa={SECRET}", headers={"Host": f"localhost:{PORT}"}).status_code == 302  # our own name


@pytest.mark.parametrize("token", [None, "", "0" * 64, TOKEN[:-1]])
def test_a_post_without_the_csrf_token_is_refused(year, token):
    root, src = year
    c = client_of(root)
    r = upload(c, ("a.xlsx", (src / "a.xlsx").read_bytes()), token=token)
    assert r.status_code == 403 and "mã xác nhận" in r.get_data(as_text=True)
    assert c.post("/tai-ve/tao", headers=HOST, data={"csrf": token or ""}).status_code == 403
    assert not any((root / "hop_thu").iterdir()) and not (root / "ket_qua").exists()
    # the token in a header (what app.js would send) is accepted
    r = c.post("/nhan", headers={**HOST, guard.CSRF_HEADER: TOKEN}, data={}, content_type="multipart/form-data")
    assert r.status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "../a.xlsx",
        "../../nam/bo_tieu_chi.xlsx",
        "..\\..\\a.xlsx",
        "/etc/a.xlsx",
        "C:\\Windows\\a.xlsx",
        "hop_thu/../../a.xlsx",
        "a.xlsx\x00.png",
        "a\x00.xlsx",
        "..",
        ".xlsx",
        "a.xlsx.exe",
        "a.pdf",
    ],
)
def test_traversal_and_bad_names_are_refused(year, name):
    root, src = year
    before = everything_under(root.parent)
    c = client_of(root)
    r = upload(c, (name, (src / "a.xlsx").read_bytes()))
    assert r.status_code == 200
    assert "Không nhận:" in r.get_data(as_text=True)
    assert everything_under(root.parent) == before


@pytest.mark.parametrize("name", ["CON.xlsx", "nul.xlsx", "com1.xls", "LPT9.ods", "aux.eml"])
def test_windows_device_names_get_a_safe_name(name):
    safe = clean_name(name)
    assert safe.startswith("_") and safe[1:].lower() == name.lower()


def test_names_are_made_safe_and_kept_vietnamese():
    assert clean_name("Bảng tự chấm: huyện Triệu Sơn?.XLSX") == "Bảng tự chấm_ huyện Triệu Sơn_.xlsx"
    assert clean_name("Tho Xua\u0302n.xlsx") == "Tho Xuân.xlsx"  # NFC


@pytest.mark.parametrize(
    "url",
    [
        "/tai-ve/..%2Fbo_tieu_chi.xlsx",
        "/tai-ve/..%2F..%2Fetc%2Fpasswd",
        "/tai-ve/%2Fetc%2Fpasswd",
        "/tai-ve/bo_tieu_chi.xlsx",
        "/tai-ve/tong_hop.xlsx%00.json",
        "/tai-ve/C:%5CWindows%5Cwin.ini",
        "/static/..%2F..%2Fcli%2Fcommands.py",
        "/static/../app.py",
        "/tra-lai/..%2F..%2Fbo_tieu_chi.xlsx",
        "/tra-lai/NUL",
        "/tien-do/..%2F..",
    ],
)
def test_no_request_reads_outside_the_results(year, url):
    root, _ = year
    c = client_of(root)
    (root / "ket_qua").mkdir()
    r = c.get(url, headers=HOST)
    assert r.status_code in (404, 400), url
    assert b"PK" not in r.data[:2] and b"root:" not in r.data


def test_oversize_uploads_are_refused(year):
    root, src = year
    c = client_of(root, max_bytes=10_000)
    data = (src / "a.xlsx").read_bytes()
    assert len(data) > 10_000
    r = upload(c, ("a.xlsx", data))
    assert "Không nhận: a.xlsx" in r.get_data(as_text=True) and "quá lớn" in r.get_data(as_text=True)
    assert not any((root / "hop_thu").iterdir())
    # beyond the request's own limit: refused before it is read
    c.application.config["MAX_CONTENT_LENGTH"] = 5_000
    r = upload(c, ("a.xlsx", data))
    assert r.status_code == 413 and "quá lớn" in r.get_data(as_text=True)
    assert not any((root / "hop_thu").iterdir())


def _zip_bytes(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _with_part(xlsx: bytes, name: str, data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    parts = {n: src.read(n) for n in src.namelist()}
    parts[name] = data
    return _zip_bytes(parts)


def test_unsafe_files_are_refused_before_they_are_kept(year):
    root, src = year
    c = client_of(root)
    good = (src / "a.xlsx").read_bytes()
    cases = {
        "bom.xlsx": _with_part(good, "xl/media/zeros.bin", b"\0" * (60 * 1024 * 1024)),  # a zip bomb
        "mat_khau.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096,  # encrypted (an OLE box)
        "macro.xlsx": _with_part(good, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"x" * 100),
        "van_ban.xlsx": _zip_bytes({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}),
        "anh.xlsx": b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
        "rong.xlsx": b"",
        "entity.xlsx": _with_part(good, "xl/workbook.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'),
        "thu.eml": b"From: a@b.vn\r\nSubject: x\r\n\r\nkhong co tep dinh kem\r\n",
    }
    codes = {
        "bom.xlsx": "file-too-large",
        "mat_khau.xlsx": "file-password",
        "macro.xlsx": "file-macro",
        "van_ban.xlsx": "file-corrupt",
        "anh.xlsx": "file-corrupt",
        "rong.xlsx": "file-empty",
        "entity.xlsx": "xml-entities",
        "thu.eml": "email-no-spreadsheet",
    }
    book = ttdk_xl.load_book(root / "bo_tieu_chi.xlsx")
    for name, data in cases.items():
        r = upload(c, (name, data))
        text = r.get_data(as_text=True)
        assert f"Không nhận: {name}" in text, name
        assert [f.code for f in receive(name, data, root / "hop_thu", book).findings] == [codes[name]]
    assert not any((root / "hop_thu").iterdir())


def test_text_from_units_is_escaped(year, tmp_path):
    root, _ = year
    c = client_of(root)
    book = ttdk_xl.load_book(root / "bo_tieu_chi.xlsx")
    evil = "<script>alert(1)</script>"
    path = fill(book, 3, tmp_path / "d.xlsx", full_entries(book, I_1=(evil, evil)))
    text = upload(c, ("d.xlsx", path.read_bytes()), (f"{evil}.pdf", b"x")).get_data(as_text=True)
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    for url in ("/", "/ket-qua"):
        assert "<script>alert" not in c.get(url, headers=HOST).get_data(as_text=True)


# ----------------------------------------------------------------------------------------------- the cache


def test_the_cache_reads_only_new_files_and_agrees_with_consolidate(year, monkeypatch):
    from ttdk_xl.pipeline import cached

    root, src = year
    for n in ("a.xlsx", "b.xlsx", "c.xlsx"):
        shutil.copy(src / n, root / "hop_thu" / n)
    reader = cached.CachedReader()
    book = reader.book(root / "bo_tieu_chi.xlsx")
    read: list[int] = []
    real = cached.read_and_check
    monkeypatch.setattr(
        cached, "read_and_check", lambda paths, *a, **k: (read.append(len(paths)), real(paths, *a, **k))[1]
    )
    first = reader.result(root / "hop_thu", book)
    again = reader.result(root / "hop_thu", book)
    assert read == [3]
    expected = ttdk_xl.consolidate(root / "hop_thu", book=book)
    for r in (first, again):
        assert [(u.unit.code, u.rank, u.total, u.status) for u in r.units] == [
            (u.unit.code, u.rank, u.total, u.status) for u in expected.units
        ]
        assert r.findings == expected.findings
    (root / "hop_thu" / "c.xlsx").unlink()
    third = reader.result(root / "hop_thu", book)
    assert read == [3] and sum(u.status.value == "Chưa nộp" for u in third.units) == len(book.units) - 2


# ----------------------------------------------------------------------------------------------- the command


def test_the_command_has_vietnamese_help_and_needs_a_year_folder(tmp_path):
    from click.testing import CliRunner

    from ttdk_xl.cli.commands import cli

    r = CliRunner().invoke(cli, ["web", "--help"])
    assert r.exit_code == 0 and "trình duyệt" in r.output and "THƯ_MỤC_NĂM" in r.output
    r = CliRunner().invoke(cli, ["web", str(tmp_path)])
    assert r.exit_code == 2 and "không phải thư mục năm" in r.output
    shutil.copy(BOOK, tmp_path / "bo_tieu_chi.xlsx")  # a book alone (like examples/): not a year
    r = CliRunner().invoke(cli, ["web", str(tmp_path)])
    assert r.exit_code == 2 and "ttdk-xl init" in r.output


def test_the_server_listens_on_loopback_only():
    from ttdk_xl.web.server import first_address, listen

    sock = listen()
    try:
        host, port = sock.getsockname()
        assert host == "127.0.0.1" and port > 0
        assert first_address(port, "x") == f"http://127.0.0.1:{port}/?khoa=x"
    finally:
        sock.close()


# ----------------------------------------------------------------------------------------------- agreed scores


def test_agreed_scores_are_checked_saved_and_counted_by_the_commands(year):
    root, src = year
    c = client_of(root)
    upload(c, *[(n, (src / n).read_bytes()) for n in ("a.xlsx", "b.xlsx", "c.xlsx")])
    book = ttdk_xl.load_book(root / "bo_tieu_chi.xlsx")
    unit, leaf = book.units[0].code, book.leaves[0]
    page = c.get(f"/tham-dinh?don-vi={unit}", headers=HOST).get_data(as_text=True)
    assert f'name="d-{leaf.code}"' in page and f'data-max="{leaf.max_points}"' in page

    for bad in ("99", "-1", "4,3", "abc"):  # above the max, negative, off the step, not a number
        r = c.post("/tham-dinh", headers=HOST, data={"csrf": TOKEN, "don_vi": unit, f"d-{leaf.code}": bad})
        text = r.get_data(as_text=True)
        assert r.status_code == 200 and "Chưa lưu" in text and text.count('class="sev-error"') == 1, bad
        assert not (root / "tham_dinh.xlsx").exists()

    reason = "Hội nghị thống nhất <trừ> 0,5 điểm"
    r = c.post(
        "/tham-dinh",
        headers=HOST,
        data={"csrf": TOKEN, "don_vi": unit, f"d-{leaf.code}": "4,5", f"l-{leaf.code}": reason},
    )
    assert r.status_code == 302
    page = c.get(r.headers["Location"], headers=HOST).get_data(as_text=True)
    assert "Đã lưu" in page and 'value="4,5"' in page and "&lt;trừ&gt;" in page

    # The commands read the same file: `consolidate --tham-dinh tham_dinh.xlsx` agrees with the page.
    result = ttdk_xl.consolidate(root / "hop_thu", agreed_input=root / "tham_dinh.xlsx")
    assert [(ch.unit_code, ch.code, ch.agreed, ch.reason) for ch in result.changes] == [
        (unit, leaf.code, leaf.max_points - D("0.5"), reason)
    ]
    ranking = c.get("/ket-qua", headers=HOST).get_data(as_text=True)
    assert "theo điểm thẩm định" in ranking and vn(result.units[0].total) in ranking

    # A second unit's save keeps the first one's.
    other = book.units[1].code
    r = c.post("/tham-dinh", headers=HOST, data={"csrf": TOKEN, "don_vi": other, f"d-{leaf.code}": "3"})
    assert r.status_code == 302
    result = ttdk_xl.consolidate(root / "hop_thu", agreed_input=root / "tham_dinh.xlsx")
    assert {(ch.unit_code, ch.agreed) for ch in result.changes} == {(unit, D("4.5")), (other, D("3"))}


def test_agreed_scores_of_an_unknown_unit_are_refused(year):
    root, _ = year
    c = client_of(root)
    r = c.post("/tham-dinh", headers=HOST, data={"csrf": TOKEN, "don_vi": "../x", "d-I.1": "1"})
    assert r.status_code == 404 and not (root / "tham_dinh.xlsx").exists()


def test_the_command_serves_until_ctrl_c(year):
    import signal
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    if sys.platform == "win32":
        pytest.skip("Ctrl+C is sent differently on Windows")
    root, _ = year
    proc = subprocess.Popen(
        [sys.executable, "-m", "ttdk_xl", "web", str(root), "--khong-mo-trinh-duyet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        address = proc.stdout.readline().strip()
        assert address.startswith("http://127.0.0.1:") and "/?khoa=" in address
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with browser.open(address, timeout=10) as reply:  # the cookie set on the redirect is sent back
            assert reply.status == 200 and "Năm thi đua" in reply.read().decode()
        port = address.split(":")[2].split("/")[0]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ket-qua", timeout=10)
        assert refused.value.code == 403
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Đã dừng trang làm việc." in out


def test_help_does_not_load_the_page():
    import subprocess
    import sys

    code = "import sys, ttdk_xl.cli.commands; print(sorted(m for m in ('flask', 'waitress') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_link_out_of_the_year_folder_is_never_followed(year, tmp_path):
    root, _ = year
    secret = tmp_path / "ngoai_thu_muc_nam.json"
    secret.write_text('{"bi_mat": 1}', encoding="utf-8")
    (root / "ket_qua").mkdir()
    (root / "ket_qua" / "ket_qua.json").symlink_to(secret)
    c = client_of(root)
    assert c.get("/tai-ve/ket_qua.json", headers=HOST).status_code == 404
    assert "ket_qua.json" not in c.get("/tai-ve", headers=HOST).get_data(as_text=True).split("<main>")[1]


def test_a_saved_email_is_kept_and_its_attachment_checked(year):
    from email.message import EmailMessage

    root, src = year
    c = client_of(root)
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "u3@example.gov.vn", "cum@example.gov.vn", "Bảng tự chấm"
    mail.set_content("Kính gửi Cụm.")
    xlsx = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    mail.add_attachment((src / "c.xlsx").read_bytes(), *xlsx, filename="Bảng tự chấm.xlsx")
    text = upload(c, ("thư Thọ Xuân.eml", mail.as_bytes())).get_data(as_text=True)
    assert "Đã nhận: thư Thọ Xuân.eml — UBND huyện Thọ Xuân" in text and ">E10<" in text
    assert [p.name for p in (root / "hop_thu").iterdir()] == ["thư Thọ Xuân.eml"]
