"""The pages, over one year folder: a thin client of the library API, like the CLI (no scoring here).

Flask renders Jinja2 pages on the server; the little JavaScript there is (static/app.js) only shows
progress. Every request passes `guard` first (secret cookie, Host, CSRF). The paths a request can reach
are fixed names inside the year folder, or a file the inbox reader accepted under a name made here.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.layout import NO, YES
from ttdk_xl.core.models import Book, Criterion, Finding, Kind, Result, Severity, UnitResult
from ttdk_xl.core.text import vn_number
from ttdk_xl.core.year_folder import YearFolder
from ttdk_xl.inbox.read import DEFAULT_MAX_BYTES
from ttdk_xl.pipeline.agreed_edit import AgreedTable, agreed_table, save_agreed
from ttdk_xl.pipeline.cached import CachedReader
from ttdk_xl.pipeline.year_status import year_status
from ttdk_xl.web import guard
from ttdk_xl.web.jobs import Job, Jobs
from ttdk_xl.web.uploads import ALLOWED_EXTS, receive

PAGES = (  # (endpoint, title), in the order a year goes
    ("year", "Năm thi đua"),
    ("inbox", "Nhận bảng tự chấm"),
    ("results", "Kết quả"),
    ("agreed", "Thẩm định"),
    ("downloads", "Tải về"),
)
RESULT_FILES = ("tong_hop.xlsx", "bao_cao.docx", "bao_cao_du_thao.docx", "ket_qua.json", "dai_bieu.xlsx")
FOLDER_ZIPS = {  # a folder of the year as one zip (the folders of core.year_folder)
    "tra_lai.zip": ("ket_qua", "tra_lai"),
    "hoi_nghi.zip": ("hoi_nghi",),
    "bo_phieu.zip": ("bo_phieu",),
    "ho_so.zip": ("ho_so",),
}
MAX_REQUEST = 200 * 1024 * 1024  # several returned workbooks at once; each is limited on its own (uploads.py)


def create_app(root: Path, secret: str, port: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Flask:
    """The page's application for the year folder `root`, answering only the holder of `secret` on `port`."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST
    year = YearFolder(Path(root).resolve())
    reader = CachedReader(max_bytes)
    jobs = Jobs()
    token = guard.csrf_token(secret)
    hosts = guard.allowed_hosts(port)

    # ------------------------------------------------------------------------------------------- the guard
    @app.before_request
    def check_caller() -> ResponseReturnValue | None:
        if request.host not in hosts:
            return refuse("Địa chỉ trang không đúng. Mở trang bằng địa chỉ mà ttdk-xl in ra (http://127.0.0.1:…).")
        given = request.args.get(guard.SECRET_PARAM)
        if given is not None:
            if not guard.same(given, secret):
                return refuse("Mã phiên không đúng. Mở trang bằng địa chỉ mà ttdk-xl vừa in ra.")
            reply = redirect(url_for("year"))
            reply.set_cookie(guard.COOKIE, secret, httponly=True, samesite="Strict", path="/")
            return reply
        if not guard.same(request.cookies.get(guard.COOKIE), secret):
            return refuse(
                "Phiên làm việc không hợp lệ hoặc đã hết. Mở trang bằng địa chỉ mà lệnh ttdk-xl web in ra "
                "(mỗi lần chạy có một địa chỉ mới)."
            )
        if request.method not in ("GET", "HEAD"):
            sent = request.headers.get(guard.CSRF_HEADER) or request.form.get(guard.CSRF_FIELD)
            if not guard.same(sent, token):
                return refuse("Yêu cầu không hợp lệ (thiếu mã xác nhận). Tải lại trang rồi làm lại.")
        return None

    def refuse(message: str, status: int = 403) -> Response:
        page = render_template("refused.html", message=message, pages=(), csrf="")
        return Response(page, status=status, mimetype="text/html")

    @app.after_request
    def headers(reply: Response) -> Response:
        reply.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        reply.headers["X-Content-Type-Options"] = "nosniff"
        reply.headers["X-Frame-Options"] = "DENY"
        reply.headers["Referrer-Policy"] = "no-referrer"
        reply.headers["Cache-Control"] = "no-store"
        return reply

    @app.errorhandler(413)
    def too_large(_exc: Exception) -> Response:
        return refuse(f"Dung lượng gửi lên quá lớn (tối đa {MAX_REQUEST // 1024 // 1024} MB một lần).", 413)

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> Response:
        return refuse("Không có trang hoặc tệp này.", 404)

    # ------------------------------------------------------------------------------------------- helpers
    def the_book() -> Book:
        if "book" not in g:
            g.book = reader.book(year.book)
        return g.book

    def result() -> Result:
        if "result" not in g:
            g.result = reader.result(year.inbox, the_book(), year.agreed)  # as the commands in the year folder
        return g.result

    def page(template: str, **values: Any) -> str:
        b = the_book()
        running = jobs.running()
        return render_template(
            template,
            pages=PAGES,
            book=b,
            csrf=token,
            job_id=running[0] if running else "",
            vn=vn_number,
            root=str(year.root),
            **values,
        )

    @app.errorhandler(TtdkError)
    def library_error(exc: TtdkError) -> Response:
        return refuse(f"Lỗi: {exc}", 200)

    # ------------------------------------------------------------------------------------------- pages
    @app.get("/", endpoint="year")
    def year_page() -> str:
        status = year_status(year.root, result())  # the same as `ttdk-xl trang-thai`
        nxt = status.next_step
        return page(
            "year.html",
            status=status,
            units=status.units,
            counts=status.counts,
            next_step=nxt,
            next_page=_page_of(nxt.command if nxt else ""),
        )

    @app.get("/nhan", endpoint="inbox")
    def inbox_page() -> str:
        return page("inbox.html", uploads=[], accept=",".join(ALLOWED_EXTS), files=_inbox_files(year))

    @app.post("/nhan", endpoint="inbox_receive")
    def receive_files() -> str:
        b = the_book()
        uploads = []
        for f in request.files.getlist("tep"):
            if not f.filename and not f.content_length:
                continue
            data = f.stream.read(max_bytes * 3 + 1)  # beyond any limit: refused by receive, never kept
            uploads.append(receive(f.filename or "", data, year.inbox, b, max_bytes))
        return page("inbox.html", uploads=uploads, accept=",".join(ALLOWED_EXTS), files=_inbox_files(year))

    @app.get("/tra-lai/<code>")
    def unit_return(code: str) -> Response:
        b = the_book()
        if b.unit(code) is None:
            abort(404)
        name, data = reader.unit_return(year.inbox, b, code, year.agreed)
        if not data:
            return refuse("Đơn vị này không có lỗi hay cảnh báo nào nên không có phiếu trả lại.", 200)
        return send_file(io.BytesIO(data), as_attachment=True, download_name=name, mimetype=_XLSX)

    @app.get("/ket-qua", endpoint="results")
    def results_page() -> str:
        r = result()
        rows = [_ranking_row(u) for u in r.units]
        blocking = [f for f in r.findings if f.blocking]
        warnings = [f for f in r.findings if f.severity is Severity.WARNING]
        return page("results.html", rows=rows, chart=_chart(r), blocking=blocking, warnings=warnings, result=r)

    @app.get("/tham-dinh", endpoint="agreed")
    def agreed_page() -> str:
        table = agreed_table(year.root, result())
        return agreed_view(table, request.args.get("don-vi", ""), saved=request.args.get("da-luu") == "1")

    @app.post("/tham-dinh", endpoint="agreed_save")
    def agreed_save() -> ResponseReturnValue:
        table = agreed_table(year.root, result())
        code = request.form.get("don_vi", "")
        if code not in {c for c, _ in table.units}:
            abort(404)
        changes: dict[tuple[str, str], tuple[str, str]] = {}
        for c in the_book().leaves:
            cell = table.cells.get((code, c.code))
            typed = request.form.get(f"d-{c.code}")
            reason = (request.form.get(f"l-{c.code}") or "").strip()
            if cell is None or typed is None:
                continue
            if typed.strip() != _typed(c, cell.agreed_value) or reason != cell.reason:
                changes[(code, c.code)] = (typed.strip(), reason)
        if changes:
            findings = [f for f in save_agreed(year.root, changes) if f.blocking]
            if findings:
                typed_now = {leaf: text for (_, leaf), (text, _) in changes.items()}
                reasons_now = {leaf: why for (_, leaf), (_, why) in changes.items()}
                return agreed_view(table, code, findings=findings, typed=typed_now, reasons=reasons_now)
        return redirect(url_for("agreed") + "?" + urlencode({"don-vi": code, "da-luu": "1"}))

    def agreed_view(
        table: AgreedTable,
        code: str,
        saved: bool = False,
        findings: list[Finding] | None = None,
        typed: dict[str, str] | None = None,
        reasons: dict[str, str] | None = None,
    ) -> str:
        codes = [c for c, _ in table.units]
        code = code if code in codes else (codes[0] if codes else "")
        b = the_book()
        rows = []
        for c in table.criteria:
            cell = table.cells.get((code, c.code))
            self_text = _typed(c, cell.self_value) if cell else ""
            agreed_text = (typed or {}).get(c.code, _typed(c, cell.agreed_value) if cell else "")
            rows.append(
                {
                    "c": c,
                    "group": c.is_group,
                    "dq": c.kind is Kind.DISQUALIFIER,
                    "max": vn_number(c.max_points),
                    "self": self_text,
                    "agreed": agreed_text,
                    "reason": (reasons or {}).get(c.code, cell.reason if cell else ""),
                    "changed": bool(cell) and agreed_text != self_text,
                }
            )
        return page(
            "agreed.html",
            table=table,
            code=code,
            unit_name=dict(table.units).get(code, ""),
            rows=rows,
            saved=saved,
            findings=findings or [],
            step=vn_number(b.step),
            file_findings=[f for f in table.findings if f.severity is not Severity.INFO],
        )

    @app.get("/tai-ve", endpoint="downloads")
    def downloads_page() -> str:
        return page("downloads.html", files=_downloads(year), stale=_stale(year), last_job=jobs.last())

    @app.post("/tai-ve/tao", endpoint="downloads_make")
    def make_outputs() -> ResponseReturnValue:
        book_path, inbox_path, out, agreed_path = year.book, year.inbox, year.results, year.agreed
        total = sum(1 for p in inbox_path.rglob("*") if p.is_file()) if inbox_path.is_dir() else 0

        def work(job: Job) -> str:
            from ttdk_xl import consolidate
            from ttdk_xl.core.atomic import guarded_outputs

            inbox_path.mkdir(exist_ok=True)
            with guarded_outputs() as kept:  # as the commands: an output a person edited is backed up first
                r = consolidate(
                    inbox_path, book=book_path, out=out, agreed_input=agreed_path, progress=job.step, processes=False
                )
            job.done = job.total
            backups = "".join(
                f" Tệp {p.name} đã được sửa sau lần tạo trước: bản đó được lưu ở {c.parent.name}/{c.name}."
                for p, c in kept.backups
            )
            return f"Đã ghi kết quả của {len(r.units)} đơn vị vào thư mục ket_qua.{backups}"

        job_id = jobs.start("Đang tổng hợp và ghi kết quả", total, work)
        return redirect(url_for("downloads", viec=job_id))

    @app.get("/tien-do/<job_id>")
    def progress(job_id: str) -> Response:
        job = jobs.get(job_id)
        if job is None:
            abort(404)
        return Response(_json(job.as_dict()), mimetype="application/json")

    @app.get("/tai-ve/<name>", endpoint="downloads_file")
    def download(name: str) -> Response:
        if name in RESULT_FILES:
            path = year.results / name
            if not path.is_file() or not _inside(path, year.root):
                abort(404)
            return send_file(path, as_attachment=True, download_name=name)
        if name in FOLDER_ZIPS:
            folder = year.root.joinpath(*FOLDER_ZIPS[name])
            files = _folder_files(folder, year.root)
            if not files:
                abort(404)
            return send_file(io.BytesIO(_zip(files, folder)), as_attachment=True, download_name=name)
        abort(404)

    return app


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _inside(path: Path, root: Path) -> bool:
    """Whether `path` (links followed) is inside `root`: no request reads outside the year folder."""
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def _folder_files(folder: Path, root: Path) -> list[Path]:
    if not folder.is_dir() or not _inside(folder, root):
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and _inside(p, root))


def _zip(files: list[Path], base: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            zf.write(p, p.relative_to(base).as_posix())
    return buf.getvalue()


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%d/%m/%Y %H:%M")


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB".replace(",", ".") if n >= 1024 else f"{n} byte"


def _downloads(year: YearFolder) -> list[dict[str, str]]:
    labels = {
        "tong_hop.xlsx": "Bảng tổng hợp (xếp hạng, kiểm tra, biểu đồ)",
        "bao_cao.docx": "Dự thảo báo cáo tổng kết",
        "bao_cao_du_thao.docx": "Dự thảo báo cáo tổng kết",
        "ket_qua.json": "Kết quả cho phần mềm khác (JSON)",
        "dai_bieu.xlsx": "Danh sách đại biểu dự Hội nghị",
        "tra_lai.zip": "Các phiếu trả lại đơn vị (một tệp nén)",
        "hoi_nghi.zip": "Giấy tờ Hội nghị: kế hoạch, giấy mời, chương trình (một tệp nén)",
        "bo_phieu.zip": "Phiếu suy tôn, phiếu bầu, bảng kiểm phiếu (một tệp nén)",
        "ho_so.zip": "Hồ sơ đề nghị khen thưởng (một tệp nén)",
    }
    out = []
    for name in RESULT_FILES:
        p = year.results / name
        if p.is_file() and _inside(p, year.root):
            st = p.stat()
            out.append({"name": name, "label": labels[name], "when": _when(st.st_mtime), "size": _size(st.st_size)})
    for name, parts in FOLDER_ZIPS.items():
        files = _folder_files(year.root.joinpath(*parts), year.root)
        if files:
            newest = max(p.stat().st_mtime for p in files)
            out.append({"name": name, "label": labels[name], "when": _when(newest), "size": f"{len(files)} tệp"})
    return out


def _stale(year: YearFolder) -> bool:
    """Whether the written results are older than a file of the inbox, the book or the agreed scores."""
    from ttdk_xl.pipeline.cached import newest_change

    summary = year.results / "tong_hop.xlsx"
    if not summary.is_file():
        return True
    inputs = [newest_change(year.inbox)] + [p.stat().st_mtime for p in (year.book, year.agreed) if p.is_file()]
    return max(inputs) > summary.stat().st_mtime


def _inbox_files(year: YearFolder) -> list[dict[str, str]]:
    from ttdk_xl.inbox.files import list_inbox
    from ttdk_xl.inbox.read import relative_name

    if not year.inbox.is_dir():
        return []
    out = []
    for p in list_inbox(year.inbox):
        st = p.stat()
        out.append({"name": relative_name(p, year.inbox), "when": _when(st.st_mtime), "size": _size(st.st_size)})
    return sorted(out, key=lambda f: f["when"], reverse=True)


# ----------------------------------------------------------------------------------------------- rows


def _page_of(command: str) -> tuple[str, str] | None:
    """The page that does what a step's command does, when there is one: (endpoint, button text)."""
    if command.startswith("ttdk-xl consolidate"):
        return "downloads", "Tạo kết quả ở trang Tải về"
    if "hop_thu" in command:
        return "inbox", "Nhận bảng tự chấm"
    if "tham_dinh" in command:
        return "agreed", "Nhập điểm thẩm định"
    return None


def _typed(c: Criterion, value: Decimal | None) -> str:
    """A score as typed on the page: '8,5'; a disqualifier 'Có' or 'Không'."""
    if c.kind is Kind.DISQUALIFIER:
        return YES if value == 1 else NO
    return "" if value is None else vn_number(value)


def _ranking_row(u: UnitResult) -> dict[str, Any]:
    from ttdk_xl.outputs.summary import unit_note

    return {
        "rank": str(u.rank) if u.rank else "-",
        "code": u.unit.code,
        "name": u.unit.name,
        "scored": vn_number(u.scored) if u.scored is not None else "",
        "bonus": vn_number(u.bonus) if u.bonus is not None else "",
        "penalty": vn_number(u.penalty) if u.penalty is not None else "",
        "total": vn_number(u.total) if u.total is not None else "",
        "level": u.level,
        "acclaim": u.acclaim,
        "award": u.award,
        "status": u.status.value + (" (đồng hạng)" if u.tied else ""),
        "tied": u.tied,
        "state": u.status.name.lower(),
        "note": unit_note(u),
    }


def _chart(r: Result) -> list[dict[str, Any]]:
    """Bars of the ranked units' totals, as the summary workbook's chart (widths in % of the largest)."""
    ranked = [u for u in r.units if u.rank is not None and u.total is not None]
    top = max((float(u.total) for u in ranked if u.total is not None), default=0) or 1
    return [
        {
            "name": u.unit.name,
            "total": vn_number(u.total),
            "width": max(0.0, round(float(u.total or 0) / top * 100, 1)),
            "acclaim": u.acclaim,
        }
        for u in ranked
    ]
