"""Where a year stands: each unit's state and each step of the year, done or not, and the next thing to do.

Read-only: it consolidates the inbox without writing anything, and looks at which files the steps made.
The command `ttdk-xl trang-thai` and the page's first screen show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ttdk_xl.core.errors import TtdkError
from ttdk_xl.core.models import Result, Severity, Status
from ttdk_xl.core.year_folder import YearFolder
from ttdk_xl.outputs.conference import CONFERENCE_FILES
from ttdk_xl.outputs.dossier import DOSSIER_FILES
from ttdk_xl.pipeline.agreed_file import find_agreed, read_agreed_input
from ttdk_xl.pipeline.next_year import next_year_name
from ttdk_xl.pipeline.stages import consolidate

NOT_SENT, WITH_ERRORS, VALID = "chưa gửi", "có lỗi", "hợp lệ"
_STATE = {Status.MISSING: NOT_SENT, Status.INVALID: WITH_ERRORS, Status.VALID: VALID}


@dataclass(frozen=True)
class UnitState:
    code: str
    name: str
    state: str  # NOT_SENT, WITH_ERRORS or VALID
    findings: int  # errors and warnings of the file that counts
    file: str  # that file, '' when none


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    detail: str
    command: str  # what to type (or do) for it, in the year folder


@dataclass(frozen=True)
class YearStatus:
    root: Path
    cluster: str
    year: int | None
    units: tuple[UnitState, ...]
    steps: tuple[Step, ...]
    book_problem: str = ""  # the book cannot be read: nothing else can be said

    @property
    def next_step(self) -> Step | None:
        """The first step not done after the last one done (a cluster may prepare the conference while a late
        unit is still awaited)."""
        done = [i for i, s in enumerate(self.steps) if s.done]
        start = done[-1] + 1 if done else 0
        return next((s for s in self.steps[start:] if not s.done), None)

    @property
    def counts(self) -> dict[str, int]:
        out = {NOT_SENT: 0, WITH_ERRORS: 0, VALID: 0}
        for u in self.units:
            out[u.state] += 1
        return out


def year_status(root: str | Path, result: Result | None = None) -> YearStatus:
    """The state of the year folder `root` (`result`: a consolidation of it already made, e.g. by the page)."""
    year = YearFolder(Path(root))
    if not year.book.is_file():
        step = Step("Tạo thư mục năm", False, "Chưa có bo_tieu_chi.xlsx.", f'ttdk-xl init "{year.root}"')
        return YearStatus(year.root, "", None, (), (step,), "Chưa có bộ tiêu chí bo_tieu_chi.xlsx.")
    try:
        if result is None:
            result = consolidate(year.inbox, year.book, agreed_input=year.agreed) if year.inbox.is_dir() else None
    except TtdkError as exc:  # a book with problems: say them, and that fixing it is the next step
        step = Step("Sửa bộ tiêu chí", False, str(exc), "Mở bo_tieu_chi.xlsx bằng Excel, sửa theo thông báo.")
        return YearStatus(year.root, "", None, (), (step,), str(exc))
    if result is None:
        step = Step("Tạo hộp thư", False, "Chưa có thư mục hop_thu/.", f'ttdk-xl init "{year.root}"')
        return YearStatus(year.root, "", None, (), (step,), "")
    units = tuple(_unit_state(u, result) for u in result.units)
    units = tuple(sorted(units, key=lambda s: [u.code for u in result.book.units].index(s.code)))
    return YearStatus(year.root, result.book.cluster_name, result.book.year, units, _steps(year, result, units))


def _unit_state(u, result: Result) -> UnitState:
    findings = [f for f in result.findings if f.unit_code == u.unit.code and f.severity is not Severity.INFO]
    return UnitState(u.unit.code, u.unit.name, _STATE[u.status], len(findings), u.file)


def _newest(folder: Path) -> float:
    times = [p.stat().st_mtime for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return max(times, default=0.0)


def _steps(year: YearFolder, result: Result, units: tuple[UnitState, ...]) -> tuple[Step, ...]:
    sent = sum(1 for u in units if u.state != NOT_SENT)
    errors = sum(1 for u in units if u.state == WITH_ERRORS)
    missing = [u.name for u in units if u.state == NOT_SENT]
    forms = sorted(year.forms.glob("*.xlsx")) if year.forms.is_dir() else []
    summary = year.results / "tong_hop.xlsx"
    fresh = summary.is_file() and summary.stat().st_mtime >= max(_newest(year.inbox), year.book.stat().st_mtime)
    agreed = find_agreed(year.agreed)
    prior = read_agreed_input(agreed, result.book) if agreed is not None else None
    typed = prior.typed if prior is not None else 0
    conference = all((year.conference / name).exists() for name in CONFERENCE_FILES)
    ballots = (year.ballots / "phieu_suy_ton.docx").is_file()
    counted = (year.ballots / "bien_ban_kiem_phieu.docx").is_file()
    dossier = all((year.dossier / name).is_file() for name in DOSSIER_FILES)
    next_year = year.root.parent / next_year_name(year.root.name, result.book.year)
    received = f"{sent}/{len(units)} đơn vị đã gửi, {errors} có lỗi" + (
        f"; chưa gửi: {', '.join(missing[:8])}{' …' if len(missing) > 8 else ''}" if missing else ""
    )
    return (
        Step(
            "Gửi bảng tự chấm cho đơn vị",
            bool(forms),
            f"Đã tạo {len(forms)} bảng trong {year.forms.name}/." if forms else "Chưa tạo bảng tự chấm.",
            f"ttdk-xl template bo_tieu_chi.xlsx -o {year.forms.name} --eml",
        ),
        Step(
            "Nhận bảng tự chấm",
            sent == len(units) and errors == 0,
            received,
            f"Lưu tệp nhận về vào {year.inbox.name}/; gửi phiếu trong {year.results.name}/tra_lai/ cho đơn vị có lỗi.",
        ),
        Step(
            "Tổng hợp, dự thảo báo cáo",
            fresh,
            "Đã tổng hợp với các tệp mới nhất."
            if fresh
            else "Có tệp mới từ sau lần tổng hợp trước."
            if summary.is_file()
            else "Chưa tổng hợp.",
            "ttdk-xl consolidate",
        ),
        Step(
            "Kế hoạch, giấy mời, chương trình Hội nghị",
            conference,
            f"Đã có trong {year.conference.name}/." if conference else "Chưa lập.",
            "ttdk-xl hoi-nghi",
        ),
        Step(
            "Thẩm định điểm tại Hội nghị",
            typed > 0,
            f"{typed} ô điểm thẩm định đã nhập trong {year.agreed.name}."
            if typed
            else f"Chưa nhập điểm thẩm định ({year.agreed.name}).",
            f"Mở {year.agreed.name}, nhập điểm Hội nghị thống nhất, lưu lại rồi chạy: ttdk-xl consolidate",
        ),
        Step(
            "Phiếu suy tôn, phiếu bầu",
            ballots,
            f"Đã tạo trong {year.ballots.name}/." if ballots else "Chưa tạo phiếu.",
            "ttdk-xl ballots",
        ),
        Step(
            "Kiểm phiếu",
            counted,
            "Đã lập biên bản kiểm phiếu." if counted else f"Nhập phiếu vào {year.tally.name} rồi kiểm phiếu.",
            "ttdk-xl tally",
        ),
        Step(
            "Hồ sơ đề nghị khen thưởng",
            dossier,
            f"Đã lập trong {year.dossier.name}/." if dossier else "Chưa lập.",
            "ttdk-xl ho-so",
        ),
        Step(
            "Chuẩn bị năm sau",
            next_year.is_dir(),
            f"Đã có {next_year.name}/." if next_year.is_dir() else "Chưa tạo thư mục năm sau.",
            "ttdk-xl nam-moi",
        ),
    )
