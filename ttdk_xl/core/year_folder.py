"""The year folder: one cluster-year's files, where each step finds the last one's work.

Files at the top are a person's (the book and the human inputs: created once by the tool, afterwards only
updated without losing a typed value); `hop_thu/` holds what units sent; the other folders are generated
and may be replaced by a re-run (an edited one is backed up to `sao_luu/` first).

    bo_tieu_chi.xlsx      the criteria book (the office edits it)
    tham_dinh.xlsx        agreed scores typed at the conference (human input)
    phieu_kiem.xlsx       the vote count, one ballot per row (human input)
    hop_thu/              returned workbooks and emails (human input)
    mau_gui_don_vi/       the forms issued to units (never replaced unless told)
    ket_qua/              tong_hop.xlsx, ket_qua.json, bao_cao.docx (the draft report), dai_bieu.xlsx, tra_lai/
    bo_phieu/             ballots to print
    hoi_nghi/             the conference's papers (plan, invitations, programme, banner)
    ho_so/                after the vote: bao_cao.docx, to_trinh.docx, bien_ban_hop.docx, danh_sach_de_nghi.xlsx
    lich_su/              earlier years (archived by the next-year step, or filled by hand)
    sao_luu/              dated backups of files replaced after a person edited them
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BOOK_NAME = "bo_tieu_chi.xlsx"
AGREED_NAME = "tham_dinh.xlsx"
TALLY_NAME = "phieu_kiem.xlsx"
INBOX_DIR = "hop_thu"
FORMS_DIR = "mau_gui_don_vi"
RESULTS_DIR = "ket_qua"
BALLOTS_DIR = "bo_phieu"
CONFERENCE_DIR = "hoi_nghi"
DOSSIER_DIR = "ho_so"
HISTORY_DIR = "lich_su"
BACKUP_DIR = "sao_luu"
RESULT_JSON = "ket_qua.json"
STATE_DIR = ".ttdk_xl"  # made by `init` and `nam-moi`: marks a year folder whose human inputs the tool keeps
HOWTO_NAME = "HUONG_DAN.txt"  # what `init` wrote before STATE_DIR existed: marks a year folder too


@dataclass(frozen=True)
class YearFolder:
    """Paths of one year folder (nothing is read or created here)."""

    root: Path

    @property
    def book(self) -> Path:
        return self.root / BOOK_NAME

    @property
    def agreed(self) -> Path:
        return self.root / AGREED_NAME

    @property
    def tally(self) -> Path:
        return self.root / TALLY_NAME

    @property
    def inbox(self) -> Path:
        return self.root / INBOX_DIR

    @property
    def forms(self) -> Path:
        return self.root / FORMS_DIR

    @property
    def results(self) -> Path:
        return self.root / RESULTS_DIR

    @property
    def result_json(self) -> Path:
        return self.results / RESULT_JSON

    @property
    def ballots(self) -> Path:
        return self.root / BALLOTS_DIR

    @property
    def conference(self) -> Path:
        return self.root / CONFERENCE_DIR

    @property
    def dossier(self) -> Path:
        return self.root / DOSSIER_DIR

    @property
    def history(self) -> Path:
        return self.root / HISTORY_DIR

    @property
    def backups(self) -> Path:
        return self.root / BACKUP_DIR

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def managed(self) -> bool:
        """Made by `init` (or `nam-moi`): commands keep its human inputs (tham_dinh.xlsx, phieu_kiem.xlsx) and
        write to its folders by default. A folder that only holds a book and an inbox (the sample in examples/)
        is read, never written into."""
        return self.state.is_dir() or (self.root / HOWTO_NAME).is_file()


def find_year(path: str | Path | None = None) -> YearFolder | None:
    """The year folder that `path` is, or is directly inside (e.g. its `hop_thu/`); None when there is none.

    A year folder is a folder holding `bo_tieu_chi.xlsx`. `path` defaults to the current folder.
    """
    p = Path(path) if path is not None else Path.cwd()
    if p.is_file():
        p = p.parent
    for candidate in (p, p.parent):
        if (candidate / BOOK_NAME).is_file():
            return YearFolder(candidate)
    return None


def enclosing_year(path: str | Path, managed: bool = True) -> YearFolder | None:
    """The year folder that holds `path`, at any depth (`managed`: only one made by `init`); None when none."""
    p = Path(path).resolve()
    for candidate in (p, *p.parents):
        year = YearFolder(candidate)
        if year.book.is_file() and (year.managed or not managed):
            return year
    return None
