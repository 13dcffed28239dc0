"""After the vote: the award dossier of a year folder (`ttdk-xl ho-so`).

`make_dossier(root)` consolidates the year's inbox in memory (as `ttdk-xl ballots` does: nothing else is
written), with the agreed scores of `tham_dinh.xlsx` when the folder has them, counts the vote of
`phieu_kiem.xlsx` (or `bo_phieu/phieu_kiem.xlsx`), and writes `ho_so/` (outputs.dossier). The dossier needs
the vote: without a usable count nothing is written and the findings say which file to fill or fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ttdk_xl.core.models import Book, Finding, Result, Severity
from ttdk_xl.core.year_folder import BALLOTS_DIR, YearFolder
from ttdk_xl.outputs.ballots import TALLY_NAME, CountResult
from ttdk_xl.outputs.ballots import tally as count_tally
from ttdk_xl.outputs.dossier import write_dossier
from ttdk_xl.outputs.vote_results import proposals
from ttdk_xl.pipeline.stages import consolidate, find_book


@dataclass(frozen=True)
class DossierOutcome:
    """What `make_dossier` wrote (nothing when a finding is blocking), and why."""

    paths: tuple[Path, ...]
    findings: tuple[Finding, ...]
    result: Result | None = None
    count: CountResult | None = None
    tally_file: Path | None = None
    assessed_file: Path | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return bool(self.paths) and not any(f.blocking for f in self.findings)


def find_tally(root: Path) -> Path | None:
    """The year folder's vote count: `phieu_kiem.xlsx` at its top, else `bo_phieu/phieu_kiem.xlsx`."""
    for candidate in (YearFolder(root).tally, root / BALLOTS_DIR / TALLY_NAME):
        if candidate.is_file():
            return candidate
    return None


def make_dossier(
    root: str | Path,
    *,
    book: Book | str | Path | None = None,
    assessed: str | Path | None = None,
    tally: str | Path | None = None,
    out: str | Path | None = None,
    template_dir: str | Path | None = None,
) -> DossierOutcome:
    """Write the award dossier of the year folder `root` into `out` (default: `root/ho_so`).

    `assessed` defaults to the folder's `tham_dinh.xlsx` when it exists; `tally` to find_tally(root).
    Raises TtdkError for a book or a template that cannot be used (a Vietnamese message); a missing or
    unusable count is a blocking finding, and then nothing is written."""
    root = Path(root)
    folder = YearFolder(root)
    inbox = folder.inbox if folder.inbox.is_dir() else root
    tally_path = Path(tally) if tally is not None else find_tally(root)
    if tally_path is None or not tally_path.is_file():
        where = (
            str(tally_path) if tally_path is not None else f"{folder.tally} (hoặc {root / BALLOTS_DIR / TALLY_NAME})"
        )
        return DossierOutcome(
            (),
            (
                Finding(
                    "dossier-no-tally",
                    Severity.ERROR,
                    TALLY_NAME,
                    f"Chưa có kết quả bỏ phiếu: không thấy tệp kiểm phiếu {where}. Hồ sơ đề nghị khen thưởng cần "
                    "kết quả suy tôn và bầu Cụm trưởng, Cụm phó của Hội nghị.",
                    "Tạo phiếu và bảng kiểm phiếu bằng 'ttdk-xl ballots', nhập từng phiếu vào phieu_kiem.xlsx, "
                    "kiểm tra bằng 'ttdk-xl tally', rồi chạy lại 'ttdk-xl ho-so' (hoặc chỉ tệp bằng --kiem-phieu).",
                ),
            ),
        )
    if assessed is None and folder.agreed.is_file():
        assessed = folder.agreed
    counted = count_tally(tally_path)
    blocking = [f for f in counted.findings if f.blocking]
    if blocking:
        return DossierOutcome(
            (),
            (
                *counted.findings,
                Finding(
                    "dossier-tally-errors",
                    Severity.ERROR,
                    tally_path.name,
                    f"Bảng kiểm phiếu {tally_path} còn {len(blocking)} lỗi (liệt kê ở trên): chưa lập hồ sơ.",
                    "Sửa các ô đã nêu trong phieu_kiem.xlsx, kiểm tra lại bằng 'ttdk-xl tally', rồi chạy lại "
                    "'ttdk-xl ho-so'.",
                ),
            ),
            count=counted,
            tally_file=tally_path,
        )
    result = consolidate(inbox, book=book if book is not None else find_book(inbox), assessed=assessed,
                         with_delegates=True)  # fmt: skip
    findings = list(counted.findings) + _mismatch(result, counted, tally_path)
    if any(f.blocking for f in findings):
        return DossierOutcome((), tuple(findings), result, counted, tally_path, _path(assessed))
    paths = write_dossier(result, counted, Path(out) if out is not None else folder.dossier,
                          Path(template_dir) if template_dir is not None else None)  # fmt: skip
    return DossierOutcome(tuple(paths), tuple(findings), result, counted, tally_path, _path(assessed))


def _path(p: str | Path | None) -> Path | None:
    return Path(p) if p is not None else None


def _mismatch(result: Result, counted: CountResult, tally_path: Path) -> list[Finding]:
    """The count must be this cluster's and year's; what the vote decided that the scores cannot support."""
    book, t = result.book, counted.tally
    out: list[Finding] = []
    if t.year != book.year or (t.cluster and t.cluster.casefold() != book.cluster_name.casefold()):
        out.append(
            Finding(
                "dossier-tally-other-year",
                Severity.ERROR,
                tally_path.name,
                f"Bảng kiểm phiếu là của {t.cluster} năm {t.year}, không phải {book.cluster_name} năm {book.year}.",
                "Dùng bảng kiểm phiếu do 'ttdk-xl ballots' tạo cho năm này (--kiem-phieu TỆP).",
            )
        )
        return out
    for p in proposals(result, counted):
        if not p.award:
            out.append(
                Finding(
                    "dossier-no-award",
                    Severity.WARNING,
                    tally_path.name,
                    f"{p.unit.unit.name} được suy tôn {p.place} nhưng không được đề nghị khen thưởng: {p.note}.",
                    "Kiểm tra bảng 'Khen thưởng' của bộ tiêu chí hoặc kết quả chấm điểm; hồ sơ ghi rõ lý do.",
                    unit_code=p.unit.unit.code,
                    unit_name=p.unit.unit.name,
                )
            )
    for c in counted.counts:
        if c.tied or (c.vote.places and len(c.chosen) < c.vote.seats) or (not c.vote.places and not c.chosen):
            out.append(
                Finding(
                    "dossier-vote-open",
                    Severity.WARNING,
                    tally_path.name,
                    f"{c.vote.title}: chưa đủ đơn vị đạt quá nửa số phiếu hợp lệ"
                    + (" (có đơn vị bằng phiếu)" if c.tied else "")
                    + "; hồ sơ ghi các vị trí còn trống để Hội nghị bầu lại.",
                    "Nếu Hội nghị đã bỏ phiếu lại, nhập kết quả vào bảng kiểm phiếu rồi chạy lại 'ttdk-xl ho-so'.",
                    c.vote.sheet,
                )
            )
    return out
