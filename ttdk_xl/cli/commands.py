"""Click commands only: options → library call → short summary. Exit 0 ok, 1 blocking problems, 2 usage.

Each command imports the library inside its function: `ttdk-xl --help` then loads none of it (start-up
time is the only reason for these function-level imports)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ttdk_xl.cli import click_vi, console
from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.version import __version__

if TYPE_CHECKING:
    from ttdk_xl.core.models import DelegateList  # the library is imported where a command needs it
    from ttdk_xl.core.year_folder import YearFolder

click_vi.install()  # before the commands below are built: Click's own texts in Vietnamese

PATH_IN = click.Path(exists=True, path_type=Path)


def inbox_and_book(fn):
    """The INBOX argument (a year folder or an inbox; default: the current year folder) and --book, shared by
    the commands that read an inbox."""
    fn = click.option(
        "--book", type=PATH_IN, help="Bộ tiêu chí (mặc định: bo_tieu_chi.xlsx cạnh hộp thư, hoặc bộ mẫu)."
    )(fn)
    return click.argument(
        "inbox",
        required=False,
        metavar="[THƯ_MỤC_NĂM|HỘP_THƯ]",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
    )(fn)


def year_and_inbox(given: Path | None) -> tuple[YearFolder | None, Path]:
    """The year folder and the inbox a command works on: `given` is a year folder (holding bo_tieu_chi.xlsx and
    hop_thu/), the `hop_thu/` of one, or any other inbox (no year folder); None = the current folder's year."""
    from ttdk_xl.core.year_folder import INBOX_DIR, find_year

    if given is None:
        year = find_year(Path.cwd())
        if year is None or not year.inbox.is_dir() or not year.managed:
            click.echo(
                "Lỗi: thư mục hiện tại không phải thư mục năm (chưa có bo_tieu_chi.xlsx và hop_thu/). Cách sửa: "
                "chuyển vào thư mục năm (cd …), hoặc ghi đường dẫn thư mục năm hoặc hộp thư sau lệnh; tạo thư mục "
                "năm mới bằng: ttdk-xl init <tên thư mục>.",
                err=True,
            )
            sys.exit(2)
        year = type(year)(Path(".")) if year.root == Path.cwd() else year  # paths shown as the user sees them
        return year, year.inbox
    year = find_year(given)
    if year is not None and year.inbox.is_dir() and year.managed:
        if given.resolve() == year.root.resolve():
            return year, year.inbox
        if given.resolve() == year.inbox.resolve() or given.name == INBOX_DIR:
            return year, given
    return None, given


def year_folder_or_exit(folder: Path | None, managed: bool = False) -> YearFolder:
    """The year folder `folder` is (or is in; None = the current folder), or a message and exit 2.
    `managed`: only a folder made by `init`, for a command that writes into it on its own."""
    from ttdk_xl.core.year_folder import BOOK_NAME, find_year

    year = find_year(folder or Path.cwd())
    if year is None or (managed and not year.managed):
        made = " do ttdk-xl init tạo" if managed else ""
        click.echo(
            f"Lỗi: {folder or Path.cwd()} không phải thư mục năm{made} (không thấy {BOOK_NAME}). Cách sửa: chuyển vào "
            "thư mục năm, hoặc ghi đường dẫn của nó sau lệnh; tạo mới bằng: ttdk-xl init <tên thư mục>.",
            err=True,
        )
        sys.exit(2)
    return year


def output_option(default: str, help: str, in_year: bool = False):
    """-o/--output DIR with a default folder name (`in_year`: the folder of that name in the year folder,
    when the command works on one; the command resolves a None)."""
    if in_year:
        return click.option(
            "-o",
            "--output",
            "out",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help=f"{help}  [mặc định: {default}/ trong thư mục năm]",
        )
    return click.option(
        "-o",
        "--output",
        "out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=help,
    )


def _fail(exc: Exception) -> None:
    """Turn a TtdkError into one friendly message and exit code 1 (no traceback)."""
    click.echo(f"Lỗi: {exc}", err=True)
    sys.exit(1)


class _Command(click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[TÙY CHỌN]")
        super().__init__(*args, **kwargs)


class _Group(click.Group):
    command_class = _Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[TÙY CHỌN]")
        kwargs.setdefault("subcommand_metavar", "LỆNH [THAM SỐ]...")
        super().__init__(*args, **kwargs)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ttdk-xl", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", is_flag=True, help="Hiện chi tiết kỹ thuật (để gửi người phụ trách ttdk-xl).")
def cli(verbose: bool) -> None:
    """ttdk-xl — tổng hợp, kiểm tra, chấm điểm, xếp hạng thi đua của Cụm, Khối thi đua.

    \b
    Một năm thi đua, các lệnh chạy trong thư mục năm:
      1. ttdk-xl init cum2-2025        tạo thư mục năm (bộ tiêu chí, hộp thư)
      2. ttdk-xl template bo_tieu_chi.xlsx -o mau_gui_don_vi --eml
                                       bảng tự chấm (và thư nháp) cho từng đơn vị
      3. ttdk-xl check tep.xlsx         đơn vị tự kiểm tra bảng đã điền
      4. ttdk-xl consolidate            tổng hợp, xếp hạng, dự thảo báo cáo
      5. ttdk-xl hoi-nghi               kế hoạch, giấy mời, chương trình, maket Hội nghị
         ttdk-xl delegates              danh sách đại biểu dự Hội nghị
      6. Hội nghị: nhập điểm thẩm định vào tham_dinh.xlsx, lưu, chạy lại ttdk-xl consolidate
      7. ttdk-xl ballots                phiếu suy tôn, phiếu bầu, bảng kiểm phiếu phieu_kiem.xlsx
      8. ttdk-xl tally                  kiểm phiếu, biên bản kiểm phiếu
      9. ttdk-xl ho-so                  hồ sơ đề nghị khen thưởng: tờ trình, biên bản họp, báo cáo, danh sách
     10. ttdk-xl covenant bo_tieu_chi.xlsx   dự thảo giao ước thi đua năm sau
     11. ttdk-xl nam-moi                thư mục năm sau (Cụm trưởng, Cụm phó mới; lưu kết quả năm nay)
      ttdk-xl trang-thai                năm đang ở bước nào, việc cần làm tiếp
      ttdk-xl lich-su                   kết quả các năm trước, so với năm nay
      ttdk-xl web                       làm các việc trên trong trình duyệt (trang chạy trên máy này)
    """
    if verbose:
        _show_log()
    from ttdk_xl.core.atomic import guarded_outputs

    # Outputs a person edited since they were written are backed up before a command replaces them.
    ctx = click.get_current_context()
    guard = ctx.with_resource(guarded_outputs())
    ctx.call_on_close(lambda: _say_backups(guard.backups))


def _say_backups(backups) -> None:
    for path, copy in backups:
        click.echo(f"Tệp {path.name} đã được sửa sau lần tạo trước: bản đó được lưu ở {copy} trước khi tạo lại.")


def _show_log() -> None:
    """The `ttdk_xl` log (technical detail of damaged files and internal errors) on stderr."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[chi tiết] %(message)s"))
    logger = logging.getLogger("ttdk_xl")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Tạo thư mục làm việc cho một năm: bộ tiêu chí mẫu, thư mục hop_thu/ và hướng dẫn.

    \b
    Ví dụ:  ttdk-xl init cum2-2025
    """
    from ttdk_xl.core.year_folder import STATE_DIR
    from ttdk_xl.pipeline.stages import BOOK_NAME, default_book_path

    book = directory / BOOK_NAME
    if book.exists():
        click.echo(f"Lỗi: {book} đã có; không ghi đè. Chọn thư mục khác hoặc xóa tệp đó.", err=True)
        sys.exit(1)
    (directory / "hop_thu").mkdir(parents=True, exist_ok=True)
    (directory / STATE_DIR).mkdir(exist_ok=True)
    shutil.copyfile(default_book_path(), book)
    howto = _HOWTO.format(book=BOOK_NAME, folder=directory.resolve())
    (directory / "HUONG_DAN.txt").write_text(howto, encoding="utf-8-sig")  # BOM: old Notepad
    click.echo(f"Đã tạo {directory}/")
    click.echo(f"  {BOOK_NAME}   bộ tiêu chí: sửa tên cụm, năm, đơn vị, tiêu chí cho năm nay")
    click.echo("  hop_thu/          lưu các bảng tự chấm nhận về vào đây")
    click.echo("  HUONG_DAN.txt     các bước tiếp theo")


_HOWTO = """Thư mục năm thi đua: mọi lệnh chạy trong thư mục này. Mở cửa sổ lệnh (Command Prompt) rồi gõ:
       cd "{folder}"
Xem năm đang ở bước nào và việc cần làm tiếp:   ttdk-xl trang-thai
Làm việc trong trình duyệt thay cho cửa sổ lệnh:   ttdk-xl web

Các tệp ở ngoài cùng là của văn phòng (ttdk-xl chỉ tạo một lần, sau đó chỉ thêm, không bao giờ xóa điều đã nhập):
  {book}      bộ tiêu chí            tham_dinh.xlsx      điểm Hội nghị thẩm định
  phieu_kiem.xlsx       bảng kiểm phiếu        hop_thu/            các tệp đơn vị gửi về
Các thư mục khác do ttdk-xl tạo và có thể tạo lại; tệp nào đã bị sửa tay được lưu bản sao vào sao_luu/ trước.

Các bước:
1. Mở {book} bằng Excel, sửa trang 'Thông tin', 'Tiêu chí', 'Đơn vị' cho năm nay.
2. Tạo bảng tự chấm cho từng đơn vị (kèm thư nháp .eml):
       ttdk-xl template {book} -o mau_gui_don_vi --eml
3. Gửi mỗi đơn vị tệp của mình. Đơn vị tự kiểm tra trước khi gửi:  ttdk-xl check <tệp>
4. Lưu các tệp (hoặc cả thư .eml/.msg) nhận về vào thư mục hop_thu (đổi tên tệp cũng được).
5. Tổng hợp:   ttdk-xl consolidate
   Xem ket_qua/tong_hop.xlsx (trang 'Kiểm tra' liệt kê lỗi) và ket_qua/bao_cao.docx (dự thảo);
   gửi các tệp trong ket_qua/tra_lai cho đơn vị có lỗi để sửa. Tệp đến muộn: lưu vào hop_thu rồi chạy lại.
6. Kế hoạch, giấy mời (kèm thư nháp), chương trình, maket Hội nghị:   ttdk-xl hoi-nghi
   Đại biểu dự Hội nghị (trang 'Đăng ký đại biểu' của các tệp):   ttdk-xl delegates
7. Tại Hội nghị: nhập điểm thẩm định vào tham_dinh.xlsx (ô để nguyên = điểm tự chấm), lưu lại, rồi chạy
       ttdk-xl consolidate
8. Phiếu suy tôn, phiếu bầu Cụm trưởng/Cụm phó (theo thứ tự điểm thẩm định):   ttdk-xl ballots
   Nhập từng phiếu vào phieu_kiem.xlsx rồi kiểm phiếu:   ttdk-xl tally
9. Hồ sơ đề nghị khen thưởng (tờ trình, biên bản họp, báo cáo cuối cùng, danh sách đề nghị):   ttdk-xl ho-so
   Giao ước thi đua năm sau:   ttdk-xl covenant {book}
10. Thư mục năm sau (bộ tiêu chí năm sau, Cụm trưởng/Cụm phó mới, lưu kết quả năm nay):   ttdk-xl nam-moi
"""


@cli.command()
@click.argument("book", type=PATH_IN)
@output_option("mau", "Thư mục ghi các bảng tự chấm.")
@click.option(
    "--eml",
    "eml",
    is_flag=True,
    help="Kèm theo mỗi đơn vị một thư nháp (.eml) đã đính kèm bảng tự chấm, gửi đến địa chỉ ở cột 'Email'.",
)
@click.option(
    "--thay-the",
    "replace",
    is_flag=True,
    help="Phát hành lại: ghi đè các bảng đã có trong thư mục (in ra tên các tệp bị thay).",
)
def template(book: Path, out: Path, eml: bool, replace: bool) -> None:
    """Tạo bảng tự chấm điểm (đã khóa, có kiểm tra dữ liệu) cho từng đơn vị trong BOOK.

    Với --eml: mỗi đơn vị có thêm một thư nháp .eml (mở bằng Outlook/Thunderbird, bấm Gửi).

    \b
    Ví dụ:  ttdk-xl template bo_tieu_chi.xlsx -o mau_gui_don_vi --eml
    """
    from ttdk_xl.forms.template import workbook_filename, write_templates
    from ttdk_xl.pipeline.stages import load

    try:
        the_book = load(book)
    except TtdkError as exc:
        _fail(exc)
    issued = [p for p in (out / workbook_filename(the_book, u) for u in the_book.units) if p.exists()]
    try:
        with click.progressbar(
            length=len(the_book.units), label="Đang tạo", file=sys.stderr, hidden=len(the_book.units) < 30
        ) as bar:
            paths = write_templates(the_book, out, progress=lambda _u: bar.update(1), replace=replace)
    except TtdkError as exc:
        _fail(exc)
    if issued:
        click.echo(f"Đã thay {len(issued)} bảng phát hành trước (báo các đơn vị dùng bảng mới):")
        for p in issued[:10]:
            click.echo(f"  {p.name}")
        if len(issued) > 10:
            click.echo(f"  … và {len(issued) - 10} tệp khác")
    click.echo(f"Đã tạo {len(paths)} bảng tự chấm điểm trong {out}/ ({the_book.cluster_name}, năm {the_book.year}):")
    for p in paths[:10]:
        click.echo(f"  {p.name}")
    if len(paths) > 10:
        click.echo(f"  … và {len(paths) - 10} tệp khác")
    if eml:
        _write_drafts(the_book, paths, out)


def _write_drafts(the_book, paths: list[Path], out: Path) -> None:
    from ttdk_xl.core.units import find_unit
    from ttdk_xl.forms.drafts import head_email, write_drafts

    head = find_unit(the_book, the_book.head_unit)
    # The head unit fills its own form: a draft from itself to itself would only be noise.
    pairs = [(u, p) for u, p in zip(the_book.units, paths, strict=True) if head is None or u.code != head.code]
    drafts = write_drafts(the_book, pairs)
    click.echo(
        f"Đã tạo {len(drafts)} thư nháp (.eml) kèm bảng tự chấm trong {out}/: mở bằng Outlook/Thunderbird, bấm Gửi."
    )
    if head is not None:
        click.echo(f"(Không tạo thư cho {head.name}: đơn vị Cụm trưởng tự điền bảng của mình.)")
    no_address = [u.name for u in the_book.units if "@" not in u.email]
    if no_address:
        click.echo(
            f"Cảnh báo: {len(no_address)} đơn vị chưa có địa chỉ ở cột 'Email' (thư chưa có người nhận): "
            + ", ".join(no_address[:5])
            + (" …" if len(no_address) > 5 else "")
        )
    if not head_email(the_book):
        click.echo("Cảnh báo: đơn vị Cụm trưởng chưa có địa chỉ ở cột 'Email' nên thư chưa ghi người gửi.")


def _print_findings(findings, limit: int = 200) -> None:
    for f in findings[:limit]:
        where = f.file or f.unit_name
        if f.sheet or f.cell:
            where += f" › {f.sheet}" + (f"!{f.cell}" if f.cell else "")
        click.echo(f"[{f.severity.value}] {where}: {f.message}\n    → {f.fix}")
    if len(findings) > limit:
        click.echo(f"… và {len(findings) - limit} vấn đề khác (xem trang 'Kiểm tra' của tong_hop.xlsx).")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=PATH_IN)
@click.option(
    "--book", type=PATH_IN, help="Bộ tiêu chí (mặc định: bo_tieu_chi.xlsx cạnh tệp, nếu không có thì theo mẫu của tệp)."
)
def check(files: tuple[Path, ...], book: Path | None) -> None:
    """Kiểm tra một hoặc nhiều bảng tự chấm đã điền, không tổng hợp.

    Đơn vị chạy lệnh này trước khi gửi; văn phòng chạy khi nhận tệp.

    \b
    Ví dụ:  ttdk-xl check "2025_TSN_UBND huyện Triệu Sơn.xlsx"
    """
    from ttdk_xl.inbox.mail import EMAIL_EXTS
    from ttdk_xl.inbox.read import SPREADSHEET_EXTS
    from ttdk_xl.pipeline.stages import BOOK_NAME, check_files, load

    near = files[0].parent / BOOK_NAME if files[0].is_file() else files[0] / BOOK_NAME
    book = book or (near if near.is_file() else None)
    try:
        the_book = load(book) if book else None  # None: each file's own rules (from its _meta)
    except TtdkError as exc:
        _fail(exc)
    # A folder: the workbooks and emails in it; a file named on its own is always checked.
    kinds = SPREADSHEET_EXTS | EMAIL_EXTS
    paths = [p for f in files for p in (sorted(f.rglob("*")) if f.is_dir() else [f]) if p.is_file()]
    paths = [p for p in paths if p in files or p.suffix.lower() in kinds]
    findings = check_files(the_book, paths)
    _print_findings(findings)
    errors = sum(f.blocking for f in findings)
    warnings = sum(f.severity.value == "Cảnh báo" for f in findings)
    if errors:
        click.echo(f"Có {errors} lỗi cần sửa, {warnings} cảnh báo trong {len(paths)} tệp.")
        sys.exit(1)
    click.echo(f"Hợp lệ: {len(paths)} tệp, {warnings} cảnh báo.")


@cli.command()
@inbox_and_book
@output_option("ket_qua", "Thư mục ghi kết quả.", in_year=True)
@click.option(
    "--xep-hang-ca-don-vi-loi", "rank_invalid", is_flag=True, help="Xếp hạng cả đơn vị có lỗi (ghi rõ trong kết quả)."
)
@click.option("--report-template", type=PATH_IN, help="Mẫu báo cáo Word riêng của văn phòng (.docx).")
@click.option(
    "--max-mb",
    type=click.FloatRange(min=0.1),
    metavar="SỐ_MB",
    default=20,
    show_default=True,
    help="Dung lượng tối đa của một tệp nhận về (MB).",
)
@click.option(
    "--tham-dinh",
    "assessed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="tong_hop.xlsx đã nhập điểm thẩm định (trang 'Thẩm định'): tính kết quả theo điểm Hội nghị thống nhất.",
)
@click.option(
    "--eml",
    "eml",
    is_flag=True,
    help="Thư nháp (.eml): gửi phiếu trả lại cho đơn vị có lỗi (trong tra_lai/) và nhắc đơn vị chưa gửi "
    "(trong nhac_nop/, kèm lại bảng tự chấm đã phát nếu có).",
)
def consolidate(
    inbox: Path | None,
    book: Path | None,
    out: Path | None,
    rank_invalid: bool,
    report_template: Path | None,
    max_mb: float,
    assessed: Path | None,
    eml: bool,
) -> None:
    """Tổng hợp mọi bảng tự chấm trong INBOX: kiểm tra, chấm điểm, xếp hạng, xếp loại, đề nghị khen thưởng.

    Ghi tong_hop.xlsx, ket_qua.json, bao_cao.docx (dự thảo báo cáo) và dai_bieu.xlsx (đại biểu đăng ký dự
    Hội nghị) vào thư mục kết quả. Trong thư mục năm (do 'ttdk-xl init' tạo), lần đầu chạy tạo tham_dinh.xlsx:
    sau Hội nghị nhập điểm thẩm định vào đó, lưu lại rồi chạy lại lệnh này — điểm đã nhập được tính và không
    bao giờ bị ghi đè. Ngoài thư mục năm: nhập vào trang 'Thẩm định' của tong_hop.xlsx rồi chạy với --tham-dinh.

    \b
    Ví dụ:  ttdk-xl consolidate                (trong thư mục năm)
            ttdk-xl consolidate cum2-2025
            ttdk-xl consolidate hop_thu -o ket_qua --tham-dinh ket_qua/tong_hop.xlsx
    """
    from ttdk_xl.inbox.files import list_inbox
    from ttdk_xl.pipeline.stages import consolidate as run
    from ttdk_xl.pipeline.stages import find_book

    year, inbox = year_and_inbox(inbox)
    if out is None:
        out = year.results if year is not None else Path("ket_qua")
    agreed_input = year.agreed if year is not None and assessed is None else None
    book_path = book or find_book(inbox)
    paths = list_inbox(inbox)
    n = len(paths)
    try:
        with click.progressbar(length=n, label="Đang đọc", file=sys.stderr, hidden=n < 30) as bar:
            result = run(
                inbox,
                book=book_path,
                paths=paths,
                out=out,
                rank_invalid=rank_invalid,
                max_bytes=int(max_mb * 1024 * 1024),
                report_template=report_template,
                progress=bar.update,
                assessed=assessed,
                processes=None,  # worker processes for thousands of files (the entry points are guarded)
                agreed_input=agreed_input,
            )
    except TtdkError as exc:
        _fail(exc)
    _print_agreed_line(result)
    _print_summary(result, book_path, out)
    if eml:
        _write_follow_ups(result, out, year.forms if year is not None else None)
    sys.exit(0 if result.ok else 1)


def _write_follow_ups(result, out: Path, forms: Path | None) -> None:
    """Drafts that send each return back to its unit, and remind the units that sent nothing."""
    from ttdk_xl.core.models import Status
    from ttdk_xl.forms.drafts import write_reminders, write_return_drafts
    from ttdk_xl.forms.template import workbook_filename
    from ttdk_xl.outputs.returns import return_filename

    book = result.book
    returns = []
    for sub in result.submissions:
        unit = book.unit(sub.unit_code)
        path = out / "tra_lai" / return_filename(book, sub.unit_code, unit.name) if unit else None
        if unit is None or path is None or not path.is_file():
            continue
        problems = [
            f"{f.cell + ': ' if f.cell else ''}{f.message}" for f in sub.findings if f.severity.value != "Ghi chú"
        ]
        returns.append(
            (unit, path, problems[:15] + ([f"… và {len(problems) - 15} điểm khác"] if len(problems) > 15 else []))
        )
    missing = []
    for u in result.units:
        if u.status is Status.MISSING:
            form = forms / workbook_filename(book, u.unit) if forms is not None else None
            missing.append((u.unit, form if form is not None and form.is_file() else None))
    drafts = write_return_drafts(book, returns)
    for old in (out / "nhac_nop").glob("*.eml"):  # units that have sent since the last reminders
        old.unlink()
    reminders = write_reminders(book, missing, out / "nhac_nop") if missing else []
    if drafts:
        click.echo(f"Thư nháp gửi phiếu trả lại: {len(drafts)} trong {out}/tra_lai/ (mở bằng Outlook, bấm Gửi).")
    if reminders:
        click.echo(f"Thư nháp nhắc đơn vị chưa gửi: {len(reminders)} trong {out}/nhac_nop/.")


def _print_agreed_line(result) -> None:
    """The run's first line: which scores count (the agreed ones when a person typed any)."""
    if result.assessed_file:
        n = len(result.changes)
        click.echo(f"Dùng điểm thẩm định từ {result.assessed_file} ({n} điểm khác điểm tự chấm).")
    elif result.agreed_input:
        click.echo(f"Chưa có điểm thẩm định trong {result.agreed_input}: tính theo điểm tự chấm.")


def _print_summary(result, book_path: Path, out: Path) -> None:
    from ttdk_xl.core.text import vn_number

    b = result.book
    click.echo(f"{b.cluster_name} — năm {b.year} (bộ tiêu chí: {book_path})")
    click.echo(f"{'Hạng':>4}  {'Đơn vị':<32} {'Tổng':>7}  {'Xếp loại':<10} {'Suy tôn':<7} Tình trạng")
    for u in result.units[:UNITS_SHOWN]:
        rank = str(u.rank) if u.rank else "-"
        click.echo(
            f"{rank:>4}  {u.unit.name[:32]:<32} {vn_number(u.total):>7}  {u.level:<10} {u.acclaim:<7} "
            f"{u.status.value}{' (đồng hạng)' if u.tied else ''}"
        )
    if len(result.units) > UNITS_SHOWN:
        more = f"{len(result.units) - UNITS_SHOWN:,}".replace(",", ".")
        click.echo(f"   … và {more} đơn vị khác (xem trang 'Tổng hợp' của tong_hop.xlsx)")
    blocking = [f for f in result.findings if f.blocking]
    warnings = [f for f in result.findings if f.severity.value == "Cảnh báo"]
    if blocking:
        click.echo("")
        _print_findings(blocking, limit=30)
    click.echo("")
    click.echo(f"{len(blocking)} lỗi, {len(warnings)} cảnh báo — chi tiết ở trang 'Kiểm tra'.")
    if getattr(result, "assessed_file", ""):
        n = len(result.changes)
        click.echo(f"Theo điểm thẩm định ({result.assessed_file}): {n} điểm điều chỉnh — xem trang 'Điểm điều chỉnh'.")
    if result.delegates is not None:
        click.echo("Đại biểu: ", nl=False)
        _print_delegate_counts(result.delegates)
    unwritten = {f.file for f in result.findings if f.code == "output-not-written"}
    written = [n for n in ("tong_hop.xlsx", "bao_cao.docx", "ket_qua.json", "dai_bieu.xlsx") if n not in unwritten]
    click.echo("Kết quả: " + ", ".join(f"{out}/{n}" for n in written))
    returns = sorted((out / "tra_lai").glob("*.xlsx")) if (out / "tra_lai").is_dir() else []
    if returns:
        click.echo(f"Phiếu trả lại cho {len(returns)} đơn vị (gửi lại để đơn vị sửa): {out}/tra_lai/")
    for f in result.findings:
        if f.code.startswith("agreed-") and f.severity.value != "Lỗi":
            click.echo(f"{f.message}{' ' + f.fix if f.fix else ''}")


@cli.command()
@inbox_and_book
@output_option("bo_phieu", "Thư mục ghi phiếu và bảng kiểm phiếu.", in_year=True)
@click.option(
    "--tham-dinh",
    "assessed",
    type=PATH_IN,
    help="tong_hop.xlsx có trang 'Thẩm định' đã thống nhất: xếp thứ tự theo điểm thẩm định.",
)
def ballots(inbox: Path | None, book: Path | None, out: Path | None, assessed: Path | None) -> None:
    """Tạo phiếu suy tôn (Nhất, Nhì, Ba), phiếu bầu Cụm trưởng, Cụm phó và bảng kiểm phiếu phieu_kiem.xlsx.

    Tổng hợp lại INBOX (như lệnh consolidate, không ghi kết quả) để lấy danh sách đơn vị đủ điều kiện
    suy tôn theo thứ tự xếp hạng. In phiếu (.docx) cho đại biểu; tổ kiểm phiếu nhập phiếu vào
    phieu_kiem.xlsx rồi chạy 'ttdk-xl tally'.

    Trong thư mục năm: thứ tự theo điểm thẩm định đã nhập trong tham_dinh.xlsx (nếu có); bảng kiểm phiếu là
    phieu_kiem.xlsx ở thư mục năm, tạo một lần — khi đã có phiếu nhập vào thì không bao giờ bị ghi đè.

    \b
    Ví dụ:  ttdk-xl ballots                     (trong thư mục năm)
            ttdk-xl ballots hop_thu -o bo_phieu --tham-dinh ket_qua/tong_hop.xlsx
    """
    from ttdk_xl.outputs.ballots import convened_of, eligible, write_ballots
    from ttdk_xl.pipeline.stages import consolidate as run
    from ttdk_xl.pipeline.stages import find_book

    year, inbox = year_and_inbox(inbox)
    if out is None:
        out = year.ballots if year is not None else Path("bo_phieu")
    agreed_input = year.agreed if year is not None and assessed is None else None
    tally_path = year.tally if year is not None else out / "phieu_kiem.xlsx"
    try:
        result = run(inbox, book=book or find_book(inbox), assessed=assessed, with_delegates=True,
                     agreed_input=agreed_input)  # fmt: skip
        paths = write_ballots(result, out, tally_path)
    except TtdkError as exc:
        _fail(exc)
    kept = tally_path not in paths  # the counters typed into it: left as it is
    _print_agreed_line(result)
    units = eligible(result)
    click.echo(f"{result.book.cluster_name} — năm {result.book.year}: {len(units)} đơn vị đủ điều kiện suy tôn:")
    for i, u in enumerate(units, 1):
        click.echo(f"  {i:>2}. {u.name}")
    left_out = [u for u in result.units if u.rank is None or u.disqualified]
    if left_out:
        click.echo(
            f"Không có trong phiếu suy tôn ({len(left_out)}): "
            + "; ".join(f"{u.unit.name} ({u.note or u.status.value})" for u in left_out)
        )
    click.echo(f"Đã tạo trong {out}/:")
    for p in paths:
        if p != tally_path:
            click.echo(f"  {p.name}")
    if not kept:
        click.echo(f"Bảng kiểm phiếu: {tally_path}")
    if kept:
        click.echo(
            f"Giữ nguyên {tally_path} (đã có phiếu nhập vào; không ghi đè). Nếu danh sách đơn vị suy tôn đã đổi và "
            "cần bảng mới: đổi tên tệp đó rồi chạy lại lệnh."
        )
        return
    convened, _ = convened_of(result)
    registered = result.delegates is not None and bool(result.delegates.delegates)
    click.echo(
        f"Số đại biểu được triệu tập (điền sẵn trong {tally_path.name}, sửa nếu khác): {convened} — "
        + ("theo đăng ký đại biểu." if registered else "chưa có đăng ký đại biểu, tạm lấy số đơn vị.")
    )
    command = "ttdk-xl tally" if year is not None else f"ttdk-xl tally {tally_path}"
    click.echo(f"Sau khi bỏ phiếu: nhập từng phiếu vào {tally_path.name} rồi chạy  {command}")


@cli.command()
@click.argument("file", type=PATH_IN, required=False)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục ghi biên bản (mặc định: bo_phieu/ trong thư mục năm, hoặc thư mục của FILE).",
)
def tally(file: Path | None, out: Path | None) -> None:
    """Kiểm phiếu: đọc bảng kiểm phiếu FILE (mỗi phiếu một dòng) và lập biên bản kiểm phiếu (.docx).

    Kiểm tra số đại biểu có mặt (tỷ lệ tối thiểu theo bộ tiêu chí, mặc định 2/3), phiếu hợp lệ và
    không hợp lệ, số phiếu của từng đơn vị, đơn vị trúng cử và trường hợp bằng phiếu.

    \b
    Ví dụ:  ttdk-xl tally                  (trong thư mục năm: đọc phieu_kiem.xlsx)
            ttdk-xl tally bo_phieu/phieu_kiem.xlsx
    """
    from ttdk_xl.core.year_folder import find_year
    from ttdk_xl.outputs.ballots import MINUTES_NAME, write_minutes
    from ttdk_xl.outputs.ballots import tally as run

    year = find_year(file if file is not None else Path.cwd())
    year = year if year is not None and year.managed else None
    if file is None:
        candidates = [year.tally, year.ballots / year.tally.name] if year is not None else []
        file = next((p for p in candidates if p.is_file()), None)
        if file is None:
            click.echo(
                "Lỗi: chưa có bảng kiểm phiếu phieu_kiem.xlsx trong thư mục năm. Cách sửa: tạo phiếu và bảng kiểm "
                "phiếu bằng 'ttdk-xl ballots', hoặc ghi đường dẫn bảng kiểm phiếu sau lệnh.",
                err=True,
            )
            sys.exit(2)
    if out is None and year is not None and file.resolve() == year.tally.resolve():
        out = year.ballots

    try:
        result = run(file)
    except TtdkError as exc:
        _fail(exc)
    blocking = [f for f in result.findings if f.blocking]
    _print_findings(list(result.findings))
    if blocking:
        click.echo(f"Có {len(blocking)} lỗi trong bảng kiểm phiếu; chưa lập biên bản. Sửa rồi chạy lại.")
        sys.exit(1)
    t = result.tally
    click.echo(f"Đại biểu có mặt: {t.present}/{t.convened} (tối thiểu {_quorum(t.quorum)}).")
    for c in result.counts:
        click.echo(f"{c.vote.title}: {c.collected} phiếu, {c.valid} hợp lệ, {len(c.invalid)} không hợp lệ")
        for line in sorted(c.lines, key=lambda x: -x.votes):
            click.echo(f"  {line.votes:>3}  {line.unit.name:<32} {line.outcome}")
    path = write_minutes(result, (out or file.parent) / MINUTES_NAME)
    click.echo(f"Biên bản kiểm phiếu: {path}")


@cli.command()
@click.argument("book", type=PATH_IN)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục ghi giao ước (mặc định: thư mục của BOOK).",
)
@click.option(
    "--nam",
    "year",
    type=click.IntRange(2000, 2100),
    metavar="NĂM",
    help="Năm giao ước (mặc định: năm sau năm của BOOK).",
)
def covenant(book: Path, out: Path | None, year: int | None) -> None:
    """Tạo dự thảo giao ước thi đua năm sau (.docx) từ bộ tiêu chí BOOK.

    Gồm các phong trào, tiêu chí và điểm tối đa, cam kết của các đơn vị và bảng chữ ký của mọi đơn vị
    thành viên.

    \b
    Ví dụ:  ttdk-xl covenant bo_tieu_chi.xlsx
            ttdk-xl covenant bo_tieu_chi_2026.xlsx --nam 2026
    """
    from ttdk_xl.outputs.covenant import COVENANT_NAME, write_covenant
    from ttdk_xl.pipeline.stages import load

    try:
        the_book = load(book)
    except TtdkError as exc:
        _fail(exc)
    year = year or the_book.year + 1
    path = write_covenant(the_book, (out or book.parent) / COVENANT_NAME, year)
    click.echo(
        f"Đã tạo giao ước thi đua năm {year} của {the_book.cluster_name} ({len(the_book.units)} đơn vị ký): {path}"
    )
    if year == the_book.year + 1:
        click.echo(f"(Tiêu chí lấy từ bộ tiêu chí năm {the_book.year}; nếu đã có bộ tiêu chí năm {year}, dùng bộ đó.)")


def _quorum(q) -> str:
    from ttdk_xl.outputs.ballots import quorum_text

    return quorum_text(q)


@cli.command()
@inbox_and_book
@output_option("ket_qua", "Thư mục ghi dai_bieu.xlsx.", in_year=True)
def delegates(inbox: Path | None, book: Path | None, out: Path | None) -> None:
    """Lập danh sách đại biểu dự Hội nghị từ trang 'Đăng ký đại biểu' của các tệp trong INBOX.

    Dùng được trước hạn nộp điểm (các đơn vị chưa cần điền điểm). Ghi dai_bieu.xlsx: danh sách theo đơn vị,
    số lượng, đơn vị chưa đăng ký hoặc quá số lượng, danh sách xếp chỗ ngồi và bảng tên in sẵn.

    \b
    Ví dụ:  ttdk-xl delegates hop_thu -o ket_qua
    """
    from ttdk_xl.outputs.delegate_list import write_delegates
    from ttdk_xl.pipeline.stages import collect_from_inbox, find_book, load

    year, inbox = year_and_inbox(inbox)
    if out is None:
        out = year.results if year is not None else Path("ket_qua")

    try:
        the_book = load(book or find_book(inbox))
    except TtdkError as exc:
        _fail(exc)
    dl = collect_from_inbox(the_book, inbox)
    path = write_delegates(dl, out / "dai_bieu.xlsx")
    seats = the_book.seats_per_unit
    click.echo(f"{the_book.cluster_name} — đăng ký đại biểu Hội nghị năm {the_book.year} (tối đa {seats}/đơn vị)")
    for u in dl.units[:UNITS_SHOWN]:
        click.echo(f"  {u.unit.name[:34]:<34} {len(u.delegates):>2}  {u.status}")
    if len(dl.units) > UNITS_SHOWN:
        more = f"{len(dl.units) - UNITS_SHOWN:,}".replace(",", ".")
        click.echo(f"  … và {more} đơn vị khác (xem dai_bieu.xlsx)")
    shown = [f for f in dl.findings if f.severity.value != "Ghi chú"]
    if shown:
        click.echo("")
        _print_findings(shown, limit=30)
    click.echo("")
    _print_delegate_counts(dl)
    click.echo(f"Kết quả: {path}")
    sys.exit(0 if dl.ok else 1)


def _print_delegate_counts(dl: DelegateList) -> None:
    from ttdk_xl.rules.delegates import NO_FILE, NO_SHEET, NONE, TOO_MANY

    units = sum(1 for u in dl.units if u.delegates)
    click.echo(f"{len(dl.delegates)} đại biểu của {units}/{len(dl.units)} đơn vị.")
    for status, label in ((NONE, "chưa đăng ký"), (TOO_MANY, "quá số lượng"), (NO_FILE, "chưa nộp tệp")):
        names = [u.unit.name for u in dl.units if u.status == status or (status == NONE and u.status == NO_SHEET)]
        if names:
            click.echo(f"Đơn vị {label}: {_some_names(names)}.")


UNITS_SHOWN = 60  # lines of the per-unit listing on screen; a province's thousands are in the workbook
NAMES_SHOWN = 10  # unit names in one line of the delegate counts


def _some_names(names: list[str]) -> str:
    """A province's thousands of names would flood the screen: the first few, then how many more."""
    limit = NAMES_SHOWN
    if len(names) <= limit:
        return ", ".join(names)
    more = f"{len(names) - limit:,}".replace(",", ".")
    return f"{', '.join(names[:limit])} và {more} đơn vị khác (xem dai_bieu.xlsx)"


@cli.command("lich-su")
@click.argument("folder", required=False, type=click.Path(exists=True, path_type=Path), default=Path("."))
@click.option("--don-vi", "unit", metavar="MÃ", help="Chỉ một đơn vị (mã hiện nay, hoặc mã cũ).")
@click.option("--tao-mau", "make_template", is_flag=True, help="Tạo tệp lich_su/lich_su.xlsx trống để điền tay.")
@click.option(
    "--nhap",
    "import_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="TỆP",
    help="Nhập kết quả một năm trước (ket_qua.json hoặc tong_hop.xlsx do ttdk-xl tạo) vào lich_su/<năm>/.",
)
@click.option("--nam", "year_of", type=click.IntRange(1990, 2100), metavar="NĂM", help="Năm của TỆP (khi nhập).")
def history(folder: Path, unit: str | None, make_template: bool, import_file: Path | None, year_of: int | None) -> None:
    """Xem kết quả thi đua các năm của Cụm (hoặc của một đơn vị) trong thư mục năm FOLDER.

    Lịch sử gồm các năm đã lưu trong lich_su/<năm>/ (ket_qua.json hoặc tong_hop.xlsx), các năm điền tay
    trong lich_su/lich_su.xlsx (trang “Kết quả các năm”, “Đổi mã đơn vị”) và kết quả năm nay (ket_qua/).

    \b
    Ví dụ:  ttdk-xl lich-su                  (trong thư mục năm)
            ttdk-xl lich-su cum2-2026 --don-vi TS
            ttdk-xl lich-su --tao-mau        tạo tệp mẫu lich_su/lich_su.xlsx
            ttdk-xl lich-su --nhap cum2-2024/ket_qua/ket_qua.json
    """
    year = year_folder_or_exit(folder)
    if make_template:
        from ttdk_xl.history.files import HAND_NAME
        from ttdk_xl.outputs.history_template import write_history_template
        from ttdk_xl.pipeline.stages import load

        path = year.history / HAND_NAME
        if path.exists():
            click.echo(f"Đã có {path}: không ghi đè (các dòng đã điền được giữ nguyên).")
            return
        try:
            the_book = load(year.book)
        except TtdkError as exc:
            _fail(exc)
        click.echo(f"Đã tạo tệp lịch sử để điền tay: {write_history_template(the_book, path)}")
        return
    if import_file is not None:
        from ttdk_xl.history.files import import_result

        try:
            copied = import_result(year, import_file, year_of)
        except ValueError as exc:
            click.echo(f"Lỗi: {exc}", err=True)
            sys.exit(1)
        click.echo(f"Đã nhập kết quả năm {copied.parent.name}: {copied}")
    from ttdk_xl.history.frame import cluster_table, folder_frame

    try:
        frame, found, the_book = folder_frame(year.root, unit)
    except TtdkError as exc:
        _fail(exc)
    problems = found.findings if found else ()
    if found is None:
        click.echo("Chưa có lịch sử: thư mục lich_su/ chưa có (tạo tệp điền tay: ttdk-xl lich-su --tao-mau).")
    if frame.empty:
        click.echo(f"Không có kết quả nào{f' của đơn vị {unit}' if unit else ''}.")
    else:
        table = cluster_table(frame, the_book)
        click.echo(f"Kết quả thi đua qua các năm — {the_book.cluster_name} (tổng điểm, hạng trong ngoặc):")
        click.echo(table.to_string(index=False))
    if problems:
        click.echo(f"\n{len(problems)} dòng lịch sử không dùng được:")
        for f in problems:
            where = " › ".join(x for x in (f.file, f.sheet, f.cell) if x)
            click.echo(f"  [{f.severity.value}] {where}: {f.message} → {f.fix}")
    sys.exit(1 if any(f.blocking for f in problems) else 0)


@cli.command("nam-moi")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục năm sau (mặc định: cạnh thư mục năm nay, tên đổi năm, ví dụ cum2-2026).",
)
def next_year(folder: Path | None, out: Path | None) -> None:
    """Tạo thư mục năm sau từ thư mục năm nay.

    Bộ tiêu chí năm sau: năm, hạn nộp, ngày hội nghị lùi một năm; Cụm trưởng, Cụm phó theo kết quả bầu tại
    Hội nghị (phieu_kiem.xlsx), chưa bầu thì luân phiên (Cụm phó năm nay làm Cụm trưởng); giữ nguyên tiêu chí,
    đơn vị để văn phòng sửa. Kết quả năm nay (ket_qua.json, tong_hop.xlsx) được lưu vào lich_su/.

    \b
    Ví dụ:  ttdk-xl nam-moi                 (trong thư mục năm)
            ttdk-xl nam-moi cum2-2025 -o cum2-2026
    """
    from ttdk_xl.core.year_folder import BOOK_NAME
    from ttdk_xl.pipeline.next_year import make_next_year, next_year_name

    year = year_folder_or_exit(folder)
    try:
        from ttdk_xl.pipeline.stages import load

        this_year = load(year.book).year
        target = out or year.root.parent / next_year_name(year.root.name, this_year)
        made = make_next_year(year.root, target, howto=_HOWTO.format(book=BOOK_NAME, folder=Path(target).resolve()))
    except TtdkError as exc:
        _fail(exc)
    shown = Path(os.path.relpath(made.root))  # as the user would type it
    click.echo(f"Đã tạo thư mục năm {made.year}: {shown}")
    click.echo(f"  Cụm trưởng: {made.head}; Cụm phó: {made.deputy} ({made.how}).")
    for p in made.archived:
        click.echo(f"  Lưu vào lịch sử: {p.relative_to(made.root)}")
    for note in made.notes:
        click.echo(f"  {note}")
    click.echo(f"Việc tiếp theo: mở {shown / BOOK_NAME} bằng Excel, sửa tiêu chí, đơn vị cho năm {made.year}.")


@cli.command("trang-thai")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def status(folder: Path | None) -> None:
    """Năm thi đua đang ở bước nào: đơn vị đã gửi, có lỗi, chưa gửi; các bước đã làm; việc cần làm tiếp.

    \b
    Ví dụ:  ttdk-xl trang-thai              (trong thư mục năm)
            ttdk-xl trang-thai cum2-2025
    """
    from ttdk_xl.pipeline.year_status import NOT_SENT, VALID, WITH_ERRORS, year_status

    year = year_folder_or_exit(folder)
    st = year_status(year.root)
    if st.book_problem:
        click.echo(st.book_problem)
    else:
        n = st.counts
        click.echo(f"{st.cluster} — năm {st.year} ({year.root})")
        click.echo(
            f"Đơn vị: {n[VALID]} hợp lệ, {n[WITH_ERRORS]} có lỗi, {n[NOT_SENT]} chưa gửi (tổng {len(st.units)})."
        )
        for u in st.units[:UNITS_SHOWN]:
            more = f" — {u.findings} lỗi/cảnh báo" if u.findings else ""
            click.echo(f"  {u.state:<9} {u.name}{more}")
        if len(st.units) > UNITS_SHOWN:
            click.echo(f"  … và {len(st.units) - UNITS_SHOWN} đơn vị khác")
        click.echo("")
        for i, s in enumerate(st.steps, 1):
            click.echo(f"{'[x]' if s.done else '[ ]'} {i}. {s.title}: {s.detail}")
    nxt = st.next_step
    if nxt is not None:
        click.echo("")
        click.echo(f"Việc tiếp theo: {nxt.title}.")
        click.echo(f"  {nxt.command}")


def main() -> None:
    """The `ttdk-xl` command. Once it has finished, the process ends at once rather than freeing every
    object one by one: a province's results hold millions of them (about 0.15 s). Output is flushed
    and exit handlers run first, as on a normal exit."""
    console.make_safe()
    try:
        cli(prog_name="ttdk-xl")
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    except TtdkError as exc:  # a problem with a Vietnamese message (e.g. an output open in Excel)
        click.echo(f"Lỗi: {exc}", err=True)
        code = 1
    except Exception as exc:  # a bug of ours: a plain message, the traceback only in the log (-v)
        import logging

        logging.getLogger("ttdk_xl").error("lỗi nội bộ", exc_info=exc)
        click.echo(
            f"Lỗi: ttdk-xl gặp lỗi nội bộ ({type(exc).__name__}). Chạy lại lệnh với -v (ví dụ: ttdk-xl -v "
            "consolidate …) và gửi nội dung hiện ra cho người phụ trách ttdk-xl.",
            err=True,
        )
        code = 1
    _exit_now(code)


def _exit_now(code: object) -> None:
    import atexit

    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be shown
            pass
    os._exit(code)


# ---------------------------------------------------------------------------------------------- ho-so (the dossier)


@cli.command("ho-so")
@click.argument("root", metavar="[THƯ_MỤC_NĂM]", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--book", type=PATH_IN, help="Bộ tiêu chí (mặc định: bo_tieu_chi.xlsx của thư mục năm).")
@click.option(
    "--tham-dinh",
    "assessed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tệp điểm thẩm định (mặc định: tham_dinh.xlsx của thư mục năm, nếu có).",
)
@click.option(
    "--kiem-phieu",
    "tally_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Bảng kiểm phiếu đã nhập (mặc định: phieu_kiem.xlsx của thư mục năm, hoặc bo_phieu/phieu_kiem.xlsx).",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục ghi hồ sơ (mặc định: ho_so/ của thư mục năm).",
)
@click.option(
    "--mau",
    "template_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Thư mục chứa mẫu Word riêng của văn phòng (mau_bao_cao_ho_so.docx, mau_to_trinh.docx, "
    "mau_bien_ban_hop.docx); mẫu nào không có thì dùng mẫu mặc định.",
)
def ho_so(
    root: Path | None,
    book: Path | None,
    assessed: Path | None,
    tally_file: Path | None,
    out: Path | None,
    template_dir: Path | None,
) -> None:
    """Sau khi bỏ phiếu: lập hồ sơ đề nghị khen thưởng của Cụm trong thư mục năm (mặc định: thư mục hiện tại).

    Tổng hợp lại hộp thư hop_thu/ (theo điểm thẩm định tham_dinh.xlsx nếu có), đọc kết quả bỏ phiếu
    trong phieu_kiem.xlsx, rồi ghi vào ho_so/: bao_cao.docx (báo cáo tổng kết chính thức, có kết quả suy
    tôn, bầu Cụm trưởng, Cụm phó), to_trinh.docx (tờ trình đề nghị khen thưởng), bien_ban_hop.docx (biên
    bản họp bình xét thi đua) và danh_sach_de_nghi.xlsx (danh sách đề nghị khen thưởng). Căn cứ pháp lý,
    nơi nhận, người ký lấy từ trang 'Thông tin' của bộ tiêu chí.

    \b
    Ví dụ:  ttdk-xl ho-so
            ttdk-xl ho-so cum2-2025 --kiem-phieu cum2-2025/bo_phieu/phieu_kiem.xlsx
    """
    from ttdk_xl.pipeline.dossier import make_dossier

    root = root if root is not None else Path(".")
    if not root.is_dir():
        click.echo(f"Lỗi: không có thư mục năm {root}.", err=True)
        sys.exit(1)
    try:
        outcome = make_dossier(root, book=book, assessed=assessed, tally=tally_file, out=out, template_dir=template_dir)
    except TtdkError as exc:
        _fail(exc)
    _print_findings([f for f in outcome.findings if f.severity.value != "Ghi chú"])
    if not outcome.ok:
        click.echo("Chưa lập hồ sơ đề nghị khen thưởng.")
        sys.exit(1)
    result = outcome.result
    assert result is not None and outcome.count is not None
    from ttdk_xl.outputs.vote_results import proposals

    b = result.book
    click.echo(f"{b.cluster_name} — năm {b.year}: hồ sơ đề nghị khen thưởng theo {outcome.tally_file}")
    if outcome.assessed_file is not None:
        click.echo(f"(Theo điểm thẩm định: {outcome.assessed_file})")
    for p in proposals(result, outcome.count):
        award = f"đề nghị tặng {p.award}" if p.award else f"không đề nghị: {p.note}"
        click.echo(f"  {p.place:<4} {p.unit.unit.name:<32} {p.votes:>3}/{p.valid} phiếu  {award}")
    click.echo(f"Đã ghi trong {outcome.paths[0].parent}/:")
    for path in outcome.paths:
        click.echo(f"  {path.name}")
    click.echo("Ô tô vàng trong các văn bản là phần người soạn thảo cần điền (số văn bản, người ký…).")


# ---------------------------------------------------------------------------------------------- web (issue 18)


@cli.command()
@click.argument("folder", required=False, metavar="[THƯ_MỤC_NĂM]", type=click.Path(file_okay=False, path_type=Path))
@click.option("--khong-mo-trinh-duyet", "no_browser", is_flag=True, help="Không tự mở trình duyệt.")
def web(folder: Path | None, no_browser: bool) -> None:
    """Mở trang làm việc của năm thi đua trong trình duyệt, ngay trên máy này.

    Trang dùng chung thư mục năm với các lệnh (bộ tiêu chí, hop_thu, ket_qua, tham_dinh.xlsx): nhận bảng tự
    chấm, xem lỗi, xếp hạng, nhập điểm thẩm định, tải kết quả. Không cần Internet, không cần tài khoản; chỉ
    máy này mở được trang. Bấm Ctrl+C để dừng.

    \b
    Ví dụ:  ttdk-xl web cum2-2025
            ttdk-xl web            (thư mục năm là thư mục hiện tại)
    """
    year = year_folder_or_exit(folder, managed=True)  # as the commands: only a folder made by init is written into
    from ttdk_xl.web.server import serve

    def announce(address: str) -> None:
        click.echo(f"Trang làm việc của {year.root.resolve()}:")
        click.echo(f"  {address}")
        click.echo("Mở địa chỉ trên trong trình duyệt nếu trang chưa tự mở. Bấm Ctrl+C để dừng.")

    try:
        serve(year.root, open_browser=not no_browser, announce=announce)
    except KeyboardInterrupt:  # waitress usually ends its loop on Ctrl+C itself
        pass
    click.echo("Đã dừng trang làm việc.")


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------------------------------------- hoi-nghi (issue 19)


@cli.command("hoi-nghi")
@click.argument("year_dir", metavar="[THƯ_MỤC_NĂM]", required=False, type=PATH_IN)
@click.option("--book", type=PATH_IN, help="Bộ tiêu chí (mặc định: bo_tieu_chi.xlsx của thư mục năm).")
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục ghi các văn bản (mặc định: hoi_nghi/ cạnh bộ tiêu chí).",
)
@click.option(
    "--mau",
    "templates",
    type=PATH_IN,
    help="Thư mục mẫu Word riêng của văn phòng (mau_ke_hoach_hoi_nghi.docx, mau_giay_moi.docx, "
    "mau_chuong_trinh.docx, mau_maket.docx; thiếu tệp nào dùng mẫu mặc định), hoặc một tệp mẫu.",
)
def hoi_nghi(year_dir: Path | None, book: Path | None, out: Path | None, templates: Path | None) -> None:
    """Soạn các văn bản tổ chức Hội nghị tổng kết từ bộ tiêu chí: kế hoạch, giấy mời, chương trình, maket.

    Ghi vào hoi_nghi/ của thư mục năm: ke_hoach_hoi_nghi.docx, chuong_trinh.docx, maket.docx (khổ ngang) và
    giay_moi/ (giấy mời từng đơn vị trong Cụm và cơ quan thi đua tỉnh, kèm thư nháp .eml). Thời gian, địa điểm,
    kinh phí, thành phần lấy từ trang 'Thông tin' của bộ tiêu chí (Ngày hội nghị, Giờ hội nghị, Địa điểm hội
    nghị…); phần chưa có được tô vàng để người soạn điền.

    \b
    Ví dụ:  ttdk-xl hoi-nghi cum2-2025
            ttdk-xl hoi-nghi --book bo_tieu_chi.xlsx -o hoi_nghi --mau mau_rieng/
    """
    from ttdk_xl.outputs.conference import INVITATIONS_DIR, placeholders_left
    from ttdk_xl.pipeline.conference import locate, make_conference_papers
    from ttdk_xl.pipeline.stages import load

    try:
        place = locate(year_dir, book=book, out=out)
        the_book = load(place.book)
        n = len(the_book.units) + 4
        with click.progressbar(length=n, label="Đang soạn", file=sys.stderr, hidden=n < 30) as bar:
            paths = make_conference_papers(
                the_book,
                out=place.out,
                templates=templates,
                progress=lambda _p: bar.update(1),
            )
    except TtdkError as exc:
        _fail(exc)
    docs = [p for p in paths if p.suffix == ".docx"]
    invitations = [p for p in docs if p.parent.name == INVITATIONS_DIR]
    drafts = [p for p in paths if p.suffix == ".eml"]
    click.echo(f"{the_book.cluster_name} — văn bản Hội nghị tổng kết năm {the_book.year} (bộ tiêu chí: {place.book})")
    for p in docs:
        if p.parent.name != INVITATIONS_DIR:
            click.echo(f"  {p.name}")
    click.echo(
        f"  {INVITATIONS_DIR}/  {len(invitations)} giấy mời ({len(invitations) - 1} đơn vị trong Cụm và cơ quan "
        f"thi đua tỉnh), {len(drafts)} thư nháp .eml"
    )
    click.echo(f"Đã ghi vào {place.out}/")
    if the_book.conference_date is None:
        click.echo("Lưu ý: bộ tiêu chí chưa có 'Ngày hội nghị' (trang 'Thông tin'): ngày Hội nghị để trống, tô vàng.")
    no_address = [u.name for u in the_book.units if "@" not in u.email]
    if no_address:
        click.echo(
            f"Lưu ý: {len(no_address)} đơn vị chưa có 'Email' (thư nháp chưa có người nhận): " + _some_names(no_address)
        )
    papers, each = placeholders_left(docs[:3]), placeholders_left(invitations[-1:])
    if papers or each:
        click.echo(
            f"Chỗ tô vàng người soạn cần điền trước khi ký: {papers} trong kế hoạch, chương trình, maket; "
            f"{each} trong mỗi giấy mời."
        )
