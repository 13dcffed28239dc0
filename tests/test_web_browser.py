"""The local page end to end in a real browser: Debian's Chromium driven by Playwright (never its own browsers).

One flow, as a person goes through a year: open the address, upload three workbooks (one with an error),
see the finding, see the ranking, type an agreed score, write the outputs and download tong_hop.xlsx.
Screenshots of every page at 1366×768 go to $TTDK_WEB_SHOTS when set (to be looked at), else tmp_path.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium not installed (apt-get install chromium; .ci/run does)"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python not installed (the test extra)")

from tests.test_web import make_year  # noqa: E402

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture
def server(tmp_path):
    """The page of a fresh year folder, served by waitress on loopback as `ttdk-xl web` does."""
    from waitress import create_server

    from ttdk_xl.web import guard
    from ttdk_xl.web.app import create_app
    from ttdk_xl.web.server import first_address, listen

    root, src = make_year(tmp_path)
    sock = listen()
    port = sock.getsockname()[1]
    secret = guard.new_secret()
    srv = create_server(create_app(root, secret, port), sockets=[sock], threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield first_address(port, secret), root, src
    srv.close()
    thread.join(5)


def test_a_year_in_the_browser(server, tmp_path):
    import openpyxl

    address, root, src = server
    shots = Path(os.environ.get("TTDK_WEB_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="vi-VN")
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(address)
            assert page.url.endswith("/")  # the secret left the address for the cookie
            sync_api.expect(page.locator("h1")).to_contain_text("Năm thi đua")
            page.screenshot(path=shots / "1_nam_thi_dua_truoc.png", full_page=True)

            page.get_by_role("link", name="Nhận bảng tự chấm").click()
            page.locator("input[name=tep]").set_input_files([src / "a.xlsx", src / "b.xlsx", src / "c.xlsx"])
            page.get_by_role("button", name="Nhận và kiểm tra").click()
            sync_api.expect(page.locator(".upload-result")).to_have_count(3)
            bad = page.locator(".upload-result.bad")
            sync_api.expect(bad).to_contain_text("Có 1 lỗi")
            sync_api.expect(bad.locator("td.cell")).to_contain_text(["E10"])
            sync_api.expect(bad).to_contain_text("Sửa ô E10")
            page.screenshot(path=shots / "2_nhan_bang_tu_cham.png", full_page=True)

            page.get_by_role("link", name="Năm thi đua").click()
            sync_api.expect(page.locator(".state.s-invalid")).to_have_count(1)
            page.screenshot(path=shots / "1_nam_thi_dua.png", full_page=True)

            page.get_by_role("link", name="Kết quả").click()
            rows = page.locator("table.ranking tbody tr")
            sync_api.expect(rows.first.locator("td.rank")).to_have_text("1")
            sync_api.expect(page.locator(".bar-row")).to_have_count(2)
            page.screenshot(path=shots / "3_ket_qua.png", full_page=True)

            page.get_by_role("link", name="Thẩm định").click()
            agreed_score(page)
            page.screenshot(path=shots / "4_tham_dinh.png", full_page=True)

            page.get_by_role("link", name="Tải về").click()
            page.get_by_role("button", name="Tạo kết quả").click()
            link = page.get_by_role("link", name="tong_hop.xlsx")
            sync_api.expect(link).to_be_visible()
            page.screenshot(path=shots / "5_tai_ve.png", full_page=True)
            with page.expect_download() as info:
                link.click()
            data = Path(info.value.path()).read_bytes()
        finally:
            browser.close()
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows_of = {r[1]: r for r in wb["Tổng hợp"].iter_rows(values_only=True) if r and r[1]}
    book = __import__("ttdk_xl").load_book(root / "bo_tieu_chi.xlsx")
    a, b, c = (rows_of[u.code] for u in book.units[:3])
    assert "Hợp lệ" in a and "Hợp lệ" in b and "Có lỗi" in c
    rank, total = (rows_of["Mã đơn vị"].index(h) for h in ("Xếp hạng", "Tổng điểm"))
    # The agreed score typed on the page counts: 0,5 off the first unit's 100.
    assert (a[rank], a[total]) == (1, 99.5) and (b[rank], b[total]) == (2, 99)


def agreed_score(page) -> None:
    """Type an agreed score: refused off the step by the browser itself (as Excel would), then saved."""
    sync_api.expect(page.locator("h1")).to_contain_text("Thẩm định")
    score = page.get_by_label("Thẩm định I.1", exact=True)
    score.fill("4,3")  # off the step of 0,25
    assert not score.evaluate("e => e.checkValidity()")
    score.fill("4,5")
    assert score.evaluate("e => e.checkValidity()")
    page.get_by_label("Lý do I.1", exact=True).fill("Hội nghị thống nhất trừ 0,5 điểm")
    page.get_by_role("button", name="Lưu điểm thẩm định").click()
    sync_api.expect(page.locator(".ok")).to_contain_text("Đã lưu")
    sync_api.expect(page.get_by_label("Thẩm định I.1", exact=True)).to_have_value("4,5")
