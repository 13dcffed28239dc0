"""Screenshots of the local page over the sample year (examples/), at 1366×768, with Debian's Chromium.

    python scripts/web_screenshots.py OUT_DIR            # every page, full length, into OUT_DIR
    python scripts/web_screenshots.py OUT_DIR --readme   # also docs/web.png (the results page, one screen)

Needs Playwright for Python and /usr/bin/chromium (the test extra; `apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--readme", action="store_true")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright
    from waitress import create_server

    from ttdk_xl.web import guard
    from ttdk_xl.web.app import create_app
    from ttdk_xl.web.server import first_address, listen

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        from click.testing import CliRunner

        from ttdk_xl.cli.commands import cli

        root = Path(tmp) / "cum2-2025"
        CliRunner().invoke(cli, ["init", str(root)])  # a year folder, then the sample's book and inbox in it
        shutil.copy(ROOT / "examples" / "bo_tieu_chi.xlsx", root / "bo_tieu_chi.xlsx")
        shutil.copytree(ROOT / "examples" / "hop_thu", root / "hop_thu", dirs_exist_ok=True)
        sock = listen()
        port = sock.getsockname()[1]
        secret = guard.new_secret()
        srv = create_server(create_app(root, secret, port), sockets=[sock], threads=4)
        threading.Thread(target=srv.run, daemon=True).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
                page.goto(first_address(port, secret))
                for i, (path, name) in enumerate(
                    [("/", "nam_thi_dua"), ("/nhan", "nhan"), ("/ket-qua", "ket_qua"), ("/tham-dinh", "tham_dinh"),
                     ("/tai-ve", "tai_ve")], 1,
                ):  # fmt: skip
                    page.goto(f"http://127.0.0.1:{port}{path}")
                    page.screenshot(path=args.out / f"{i}_{name}.png", full_page=True)
                    if args.readme and path == "/ket-qua":
                        page.screenshot(path=ROOT / "docs" / "web.png")
                browser.close()
        finally:
            srv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
