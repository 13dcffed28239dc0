"""Frozen dataclasses passed between the stages (book → template / read → checks → score → write).

Every score is a Decimal from the moment it is read; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from ttdk_xl.core.text import header_key

if TYPE_CHECKING:  # pandas is imported only when a frame is asked for
    import pandas as pd

T = TypeVar("T")


def evolve(obj: T, **changes: Any) -> T:
    """`dataclasses.replace` for the frozen dataclasses of this package, at a fraction of its cost: the
    fields are copied as they are, without calling `__init__` again (none of them has a `__post_init__`
    or slots). Reading a province's files makes three such copies per file."""
    fields = obj.__dataclass_fields__  # type: ignore[attr-defined]
    if not changes.keys() <= fields.keys():
        raise TypeError(f"{type(obj).__name__} has no field {sorted(changes.keys() - fields.keys())}")
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


class Kind(StrEnum):
    """What a criterion row is (`Loại` column of the book)."""

    GROUP = "nhóm"
    SCORED = "chấm điểm"
    BONUS = "điểm thưởng"
    PENALTY = "điểm trừ"
    DISQUALIFIER = "điểm liệt"


class ExplainRule(StrEnum):
    """When a unit must write an explanation (`Bắt buộc giải trình`)."""

    BELOW_MAX = "khi chưa đạt tối đa"
    ALWAYS = "luôn luôn"
    NEVER = "không"


class Severity(StrEnum):
    """`Mức độ` of a finding: ERROR blocks the unit, WARNING does not, INFO is a note."""

    ERROR = "Lỗi"
    WARNING = "Cảnh báo"
    INFO = "Ghi chú"


class Status(StrEnum):
    """`Tình trạng` of a unit in the summary."""

    VALID = "Hợp lệ"
    INVALID = "Có lỗi"
    MISSING = "Chưa nộp"


class SourceState(StrEnum):
    """What the run did with one file of the inbox."""

    USED = "Đã dùng"
    SUPERSEDED = "Bị thay thế"
    REJECTED = "Bị loại"
    IGNORED = "Bỏ qua"


@dataclass(frozen=True)
class Criterion:
    code: str  # "I", "I.1", "I.1.a"
    text: str
    max_points: Decimal  # 0 for a disqualifier
    kind: Kind
    explain: ExplainRule = ExplainRule.NEVER
    guidance: str = ""
    parent: str | None = None  # code of the enclosing group, None at top level
    depth: int = 0  # 0 for top-level rows

    @property
    def is_group(self) -> bool:
        return self.kind is Kind.GROUP


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str = ""  # Cấp: tỉnh, huyện, xã, phường, sở…
    email: str = ""
    contact: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Level:
    """One classification level (`Xếp loại`): totals ≥ min_total get this name."""

    name: str
    min_total: Decimal


@dataclass(frozen=True)
class AwardRule:
    """One row of `Khen thưởng`: the unit acclaimed at `rank` may be proposed for `award`."""

    rank: int
    award: str
    min_level: str | None = None


class TieBreak(StrEnum):
    """Measures that decide equal totals, besides a group code (higher group score wins)."""

    LESS_PENALTY = "Điểm trừ ít hơn"
    MORE_BONUS = "Điểm thưởng nhiều hơn"
    MORE_FULL_MARKS = "Nhiều tiêu chí đạt tối đa hơn"


# The default tie-break order (book.load keeps the groups the book has, when it has no `Phân định hạng`).
DEFAULT_TIEBREAK: tuple[str, ...] = (
    "II",
    TieBreak.LESS_PENALTY.value,
    TieBreak.MORE_BONUS.value,
    TieBreak.MORE_FULL_MARKS.value,
)


@dataclass(frozen=True)
class AwardCondition:
    """A row of the book's optional sheet `Điều kiện khen thưởng`: a unit is proposed for `award` only when in
    each of the `years` years before this one it reached one of `accepted` (a classification such as `Xuất
    sắc`, or words of an award such as `Tập thể lao động xuất sắc`)."""

    award: str
    years: int
    accepted: tuple[str, ...]
    basis: str = ""  # the rule it comes from (e.g. "QĐ 86/2025/QĐ-UBND, Điều 3"), as typed


@dataclass(frozen=True)
class BlockedUnit:
    """A row of the optional sheet `Đơn vị không đề nghị`: no award is proposed for this unit this year
    (discipline, investigation, inspection, a pending complaint)."""

    unit_code: str
    reason: str
    basis: str = ""


@dataclass(frozen=True)
class AwardQuota:
    """A row of the optional sheet `Số lượng khen thưởng`: at most `count` units, or `share` (0–1) of the
    cluster's units rounded down, are proposed for `award`."""

    award: str
    count: int | None = None
    share: Decimal | None = None
    basis: str = ""

    def limit(self, units: int) -> int:
        limits = [self.count] if self.count is not None else []
        if self.share is not None:
            limits.append(int(self.share * units))
        return min(limits) if limits else units


@dataclass(frozen=True)
class Screens:
    """The award screens a book declares (all optional; nothing declared = no screen)."""

    conditions: tuple[AwardCondition, ...] = ()
    blocked: tuple[BlockedUnit, ...] = ()
    quotas: tuple[AwardQuota, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.conditions or self.blocked or self.quotas)


@dataclass(frozen=True)
class PastResult:
    """One unit's result in one earlier year (a row of the history, `history.files`), under that year's code."""

    year: int
    code: str  # the unit's code that year
    name: str
    unit_code: str  # today's code (through `Đổi mã đơn vị`)
    total: Decimal | None = None
    rank: int | None = None
    level: str = ""
    award: str = ""
    role: str = ""  # ROLE_HEAD, ROLE_DEPUTY or ""
    source: str = ""  # where it was read: "lich_su/2025/ket_qua.json", "lich_su.xlsx › Kết quả các năm › D7"
    groups: dict[str, Decimal] = field(default_factory=dict)  # group code → subtotal, when the year's file has them


ROLE_HEAD, ROLE_DEPUTY = "Trưởng cụm", "Phó cụm"


@dataclass(frozen=True)
class History:
    """The earlier years of a cluster (read by `history.files.load_history`), and what the screens decided."""

    rows: tuple[PastResult, ...]  # year, then today's unit in book order
    findings: tuple[Finding, ...] = ()
    folder: str = ""  # the lich_su/ folder it was read from
    # today's code → the codes it had (a renamed unit: one; a merged one: its parts), from `Đổi mã đơn vị`
    former: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # today's unit code → why it is or is not proposed for an award (history.eligibility), Vietnamese
    eligibility: dict[str, str] = field(default_factory=dict)
    # units on the book's `Đơn vị không đề nghị` list: neither proposed nor on the acclamation ballot
    blocked: frozenset[str] = frozenset()

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({r.year for r in self.rows}))

    def of(self, unit_code: str) -> tuple[PastResult, ...]:
        return tuple(r for r in self.rows if r.unit_code == unit_code)


@dataclass(frozen=True)
class Book:
    """The criteria book (bộ tiêu chí) of one cluster-year."""

    cluster_name: str
    parent_body: str
    year: int
    head_unit: str
    deputy_unit: str
    deadline: str
    step: Decimal
    bonus_cap: Decimal
    criteria: tuple[Criterion, ...]
    units: tuple[Unit, ...]
    levels: tuple[Level, ...]  # sorted by min_total, highest first
    awards: tuple[AwardRule, ...]
    # Each entry: a group code (e.g. "II") or a TieBreak value, in order.
    tiebreak: tuple[str, ...] = DEFAULT_TIEBREAK
    place: str = ""  # place name for the report's date line
    # Optional `Thông tin` values used only by some commands (e.g. 'Tỷ lệ có mặt tối thiểu'), as typed.
    extra_info: tuple[tuple[str, str], ...] = ()
    seats_per_unit: int = 3  # delegates each unit may register for the conference (Số đại biểu mỗi đơn vị)
    # A unit whose self-score total differs from its agreed (thẩm định) total by more than `deviation_margin`
    # loses `deviation_penalty` points (Chênh lệch tự chấm tối đa / Điểm trừ khi chênh lệch); None = no rule.
    deviation_margin: Decimal | None = None
    deviation_penalty: Decimal | None = None
    conference_date: date | None = None  # Ngày hội nghị (optional): the date of every document of the conference
    # Award screens from the optional sheets `Điều kiện khen thưởng`, `Đơn vị không đề nghị`, `Số lượng khen thưởng`
    screens: Screens = Screens()

    def info(self, key: str, default: str = "") -> str:
        """A `Thông tin` value by its key (spelling, case and spacing as `header_key` forgives), else `default`."""
        return self._info_by_key.get(header_key(key), default)

    @cached_property
    def _info_by_key(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.extra_info:
            out.setdefault(header_key(k), v)
        return out

    # Derived lookups are cached on the instance (functools.cached_property writes to __dict__, which a
    # frozen dataclass allows); they are not fields, so equality, hashing and replace() ignore them.
    # With thousands of units, linear scans per file would make a run quadratic.

    @cached_property
    def fingerprint(self) -> str:
        """Hash of ids, max points and kinds: what a unit must not change."""
        text = "\n".join(f"{c.code}|{c.max_points.normalize():f}|{c.kind.value}" for c in self.criteria)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    @cached_property
    def _criterion_by_code(self) -> dict[str, Criterion]:
        out: dict[str, Criterion] = {}
        for c in self.criteria:
            out.setdefault(c.code, c)
        return out

    @cached_property
    def _unit_by_code(self) -> dict[str, Unit]:
        out: dict[str, Unit] = {}
        for u in self.units:
            out.setdefault(u.code, u)
        return out

    @cached_property
    def _children_by_code(self) -> dict[str | None, tuple[Criterion, ...]]:
        out: dict[str | None, list[Criterion]] = {}
        for c in self.criteria:
            out.setdefault(c.parent, []).append(c)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def _leaf_codes(self) -> dict[str, tuple[str, ...]]:
        return {}

    @cached_property
    def _derived(self) -> dict[str, Any]:
        return {}

    def derived(self, key: str, make: Callable[[Book], T]) -> T:
        """A value computed from this book by `make`, once per book (e.g. an index for matching names)."""
        if key not in self._derived:
            self._derived[key] = make(self)
        return self._derived[key]

    def criterion(self, code: str) -> Criterion:
        try:
            return self._criterion_by_code[code]
        except KeyError:
            raise KeyError(code) from None

    def unit(self, code: str) -> Unit | None:
        return self._unit_by_code.get(code)

    @cached_property
    def leaves(self) -> tuple[Criterion, ...]:
        """The rows a unit fills in (every non-group criterion)."""
        return self.derived("leaves", lambda book: tuple(c for c in book.criteria if not c.is_group))

    def children(self, code: str) -> tuple[Criterion, ...]:
        return self._children_by_code.get(code, ())

    def leaf_codes_under(self, code: str) -> tuple[str, ...]:
        """Codes of the leaves below the group `code` (at any depth)."""
        found = self._leaf_codes.get(code)
        if found is None:
            out: list[str] = []
            for child in self.children(code):
                out.extend(self.leaf_codes_under(child.code) if child.is_group else (child.code,))
            found = self._leaf_codes[code] = tuple(out)
        return found


@dataclass(frozen=True)
class Finding:
    """One problem found in an input: data, never an exception."""

    code: str  # stable kebab-case id, e.g. "score-above-max"
    severity: Severity
    file: str  # file name as in the inbox (relative path)
    message: str  # Vietnamese: what is wrong
    fix: str  # Vietnamese: what to do
    sheet: str = ""
    cell: str = ""  # "D12"
    unit_code: str = ""
    unit_name: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True)
class Source:
    """One file of the inbox and what became of it."""

    file: str  # path relative to the inbox, '/'-separated
    sha256: str
    size: int
    modified: str  # ISO time the document was last saved (docProps), else the file-system time
    state: SourceState
    unit_code: str = ""
    template_version: str = ""
    issued_at: str = ""
    note: str = ""
    sender: str = ""  # for a file attached to a saved email: the sender's address
    sent_at: str = ""  # … and the email's date (ISO)


@dataclass(frozen=True)
class Totals:
    """One unit's totals (rules.score.compute_totals)."""

    scored: Decimal
    bonus: Decimal  # after the cap
    bonus_claimed: Decimal
    penalty: Decimal
    total: Decimal
    groups: dict[str, Decimal]
    full_marks: int
    disqualified: tuple[str, ...]  # codes of the disqualifiers that apply


@dataclass(frozen=True)
class Submission:
    """The checked content of one returned workbook."""

    file: str
    unit_code: str
    unit_name: str
    scores: dict[str, Decimal]  # leaf code → points (penalties positive); missing → absent
    disqualified: dict[str, bool]  # disqualifier code → Có
    explanations: dict[str, str]
    findings: tuple[Finding, ...] = ()
    issued_at: str = ""
    modified: str = ""
    # What the unit typed, by criterion code: (score cell value, explanation), and where each criterion's row
    # is; for the annotated return, so only where the file has errors or warnings (else empty).
    entries: dict[str, tuple[object, str]] = field(default_factory=dict)
    row_codes: dict[int, str] = field(default_factory=dict)  # 1-based row in the unit's sheet → criterion code
    # … and its columns: letter in the unit's sheet → header text (core.layout H_…; workbooks of an older
    # template have other letters than a return made now)
    column_headers: dict[str, str] = field(default_factory=dict)
    # (scores, disqualified, totals) when the reading worker already computed the totals; used only while
    # `scores` and `disqualified` are these very objects (a copy with other scores recomputes them).
    totals: tuple[dict[str, Decimal], dict[str, bool], Totals] | None = field(default=None, compare=False, repr=False)

    @property
    def blocking(self) -> bool:
        return any(f.blocking for f in self.findings)


@dataclass(frozen=True)
class UnitResult:
    """One row of `Tổng hợp`."""

    unit: Unit
    status: Status
    scored: Decimal | None = None  # Σ scored criteria
    bonus: Decimal | None = None  # bonus after the cap
    penalty: Decimal | None = None
    total: Decimal | None = None
    rank: int | None = None
    acclaim: str = ""  # "Nhất" / "Nhì" / "Ba"
    level: str = ""
    award: str = ""
    disqualified: bool = False
    tied: bool = False  # still equal after every tie-break: the conference votes
    note: str = ""
    file: str = ""
    scores: dict[str, Decimal] = field(default_factory=dict)  # leaf code → points
    group_scores: dict[str, Decimal] = field(default_factory=dict)  # group code → subtotal
    explanations: dict[str, str] = field(default_factory=dict)
    full_marks: int = 0  # number of scored criteria at max
    # Set when agreed scores (thẩm định) were applied: `scores` above are then the agreed ones.
    self_scores: dict[str, Decimal] = field(default_factory=dict)  # leaf code → self-score (same convention)
    self_total: Decimal | None = None  # total computed from the self-scores
    agreed_reasons: dict[str, str] = field(default_factory=dict)  # leaf code → reason typed in `Thẩm định`
    deviation_penalty: Decimal | None = None  # points deducted for a self-score total too far off (in `penalty`)


@dataclass(frozen=True)
class ScoreChange:
    """One score the conference agreed differently from the unit's self-score."""

    unit_code: str
    unit_name: str
    code: str  # criterion code
    self_score: Decimal | None  # None: no valid self-score, blank or refused (disqualifiers: 1 = Có, 0 = Không)
    agreed: Decimal
    reason: str = ""
    # What the unit typed in the cell when it was no valid score ('9' above a max of 8, 'tám'), as it reads; the
    # agreed score then settled the cell's error (rules.assessed). '' when the self-score was valid or blank.
    self_typed: str = ""

    @property
    def typed_number(self) -> Decimal | None:
        """The self-score as a number, also when it was refused ('9' above the max): None for text or blank."""
        if self.self_score is not None:
            return self.self_score
        try:
            number = Decimal(self.self_typed.replace(",", ".")) if self.self_typed else None
        except ArithmeticError:
            return None
        return number if number is not None and number.is_finite() else None


# UnitDelegates.status: where a unit's delegate registration stands (rules.delegates decides it).
REGISTERED, NONE, TOO_MANY, NO_FILE, NO_SHEET = (
    "Đã đăng ký",
    "Chưa đăng ký",
    "Quá số lượng",
    "Chưa nộp tệp",
    "Tệp không có trang đăng ký",
)


@dataclass(frozen=True)
class Delegate:
    """One person a unit registered for the conference (a row of its sheet `Đăng ký đại biểu`)."""

    unit_code: str
    unit_name: str
    name: str
    title: str
    phone: str  # '0912 000 101' when valid, else as typed
    note: str
    file: str
    row: int  # Excel row in the unit's sheet
    phone_ok: bool = True


@dataclass(frozen=True)
class UnitDelegates:
    unit: Unit
    status: str  # REGISTERED / NONE / TOO_MANY / NO_FILE / NO_SHEET
    delegates: tuple[Delegate, ...] = ()
    file: str = ""


@dataclass(frozen=True)
class DelegateList:
    """The cluster's delegate registration (rules.delegates.collect), written as dai_bieu.xlsx."""

    book: Book
    units: tuple[UnitDelegates, ...]  # book order
    findings: tuple[Finding, ...] = ()

    @property
    def delegates(self) -> list[Delegate]:
        return [d for u in self.units for d in u.delegates]

    @property
    def ok(self) -> bool:
        return all(u.status == REGISTERED for u in self.units)


@dataclass(frozen=True)
class Result:
    """Everything one consolidation produced; the CLI, the writers and the API read this."""

    book: Book
    units: tuple[UnitResult, ...]  # ranked units by rank, then unranked, then missing
    findings: tuple[Finding, ...]
    sources: tuple[Source, ...]
    rank_invalid: bool = False  # the office asked to rank units with blocking problems
    submissions: tuple[Submission, ...] = ()  # the submission used for each unit that sent one
    delegates: DelegateList | None = None  # when the outputs were written, or asked for (with_delegates)
    assessed_file: str = ""  # the workbook whose `Thẩm định` sheet gave the agreed scores ('' = self-scores)
    changes: tuple[ScoreChange, ...] = ()  # agreed scores that differ from self-scores, in unit then book order
    run_date: date | None = None  # the day of the run (decided once by the pipeline): see `conference_date`
    history: History | None = None  # the earlier years, when the year folder has `lich_su/` (history.files)
    # The year folder's agreed-scores file (tham_dinh.xlsx) where a person types them; then tong_hop.xlsx has no
    # input sheet of its own ('' = outside a year folder: agreed scores are typed into tong_hop.xlsx).
    agreed_input: str = ""

    @property
    def ok(self) -> bool:
        """True when every unit sent a usable workbook and every output was written (exit code 0)."""
        return all(u.status is Status.VALID for u in self.units) and not any(
            f.code == "output-not-written" for f in self.findings
        )

    def averages(self) -> dict[str, Decimal]:
        """Cluster average per criterion and group (code → average): see `cluster_averages`."""
        return dict(self._averages.values)

    def cluster_averages(self) -> ClusterAverages:
        """The cluster's averages and how many units each covers: the ranked units only (an unranked unit's
        total is provisional), and of those, for each row, only the units whose cells under it are all valid
        (a refused score is no 0)."""
        return self._averages

    def to_frame(self) -> pd.DataFrame:
        """The `Tổng hợp` sheet as a DataFrame: one row per unit, in the order of `units` (rank order).

        Columns: `code`, `name`, one subtotal per top-level criterion group named by its code (e.g. `I`,
        `II`), `bonus` (after the cap), `penalty`, `total`, `rank`, `acclaim`, `level` (the classification),
        `award`, `status` (the Vietnamese words of the sheet). Scores are float64, NaN where the unit has
        none; `rank` is Int64, <NA> for an unranked unit.

        Exactness: ttdk-xl adds the scores and ranks the units in Decimal; each final value here is then
        converted once to the nearest float64. Rank by the `rank` column: adding the float columns again
        can differ from the exact total in the last digit and break ties differently.
        """
        import pandas as pd

        units = self.units
        groups = [c.code for c in self.book.criteria if c.is_group and c.parent is None]

        def numbers(values: Iterable[Decimal | None]) -> pd.Series:
            return pd.Series([_float(v) for v in values], dtype="float64")

        columns: dict[str, Any] = {"code": [u.unit.code for u in units], "name": [u.unit.name for u in units]}
        for g in groups:
            columns[g] = numbers(u.group_scores.get(g) for u in units)
        columns |= {
            "bonus": numbers(u.bonus for u in units),
            "penalty": numbers(u.penalty for u in units),
            "total": numbers(u.total for u in units),
            "rank": pd.Series([u.rank for u in units], dtype="Int64"),
            "acclaim": [u.acclaim for u in units],
            "level": [u.level for u in units],
            "award": [u.award for u in units],
            "status": [u.status.value for u in units],
        }
        return pd.DataFrame(columns)

    def scores_frame(self) -> pd.DataFrame:
        """Every score in long format: one row per unit that has scores (rank order) and per criterion a unit
        fills in (book order), as in the `Chi tiết điểm` sheet.

        Columns: `unit_code`, `unit_name`, `criterion_code`, `self_score` (what the unit typed),
        `agreed_score` (typed at the conference in `Thẩm định`; NaN everywhere when no agreed scores were
        used), `used_score` (the one that counted), `valid` (the unit's workbook has no blocking problem).
        Scores are float64, NaN for a blank or refused score; penalties are positive; a disqualifier is 1 when
        violated, else 0. Each is the exact Decimal converted once to the nearest float64 (see `to_frame`).
        """
        import pandas as pd

        assessed = bool(self.assessed_file)
        leaves = [c.code for c in self.book.leaves]
        no = {c.code: Decimal(0) for c in self.book.leaves if c.kind is Kind.DISQUALIFIER}  # absent: not violated
        rows = []
        for u in self.units:
            if u.total is None:  # no usable workbook: no scores
                continue
            own = u.self_scores if assessed else u.scores  # with agreed scores, `scores` holds the agreed ones
            valid = u.status is Status.VALID
            for code in leaves:
                used = _float(u.scores.get(code, no.get(code)))
                agreed = used if assessed else _float(None)
                rows.append((u.unit.code, u.unit.name, code, _float(own.get(code, no.get(code))), agreed, used, valid))
        columns = ["unit_code", "unit_name", "criterion_code", "self_score", "agreed_score", "used_score", "valid"]
        # explicit dtypes: an empty frame would otherwise hold objects
        return pd.DataFrame(rows, columns=columns).astype(dict.fromkeys(columns[3:6], "float64") | {"valid": bool})

    @cached_property
    def _averages(self) -> ClusterAverages:  # computed once: the summary writer and the report both ask
        return _cluster_averages(self.book, [u for u in self.units if u.rank is not None and u.total is not None])


def conference_date(book: Book, run_date: date | None = None) -> date:
    """The one date of every document of a conference (the report, the ballots' tally sheet and so the count
    minutes, the covenant): the book's `Ngày hội nghị` when it has one, else the day of the run (`run_date`,
    which the caller decides once for all the documents of its run: Result.run_date; today when not given)."""
    return book.conference_date or run_date or date.today()


@dataclass(frozen=True)
class ClusterAverages:
    """Cluster averages (Result.cluster_averages), two decimals: over the ranked units, each row over those whose
    cells under it are all valid. A unit ranked with errors (--xep-hang-ca-don-vi-loi) counts for its valid cells."""

    values: dict[str, Decimal]  # criterion or group code → average (absent: no unit to average)
    counts: dict[str, int]  # criterion or group code → the units its average covers
    total: Decimal | None  # the average total, over the ranked units whose every cell is valid
    total_units: tuple[UnitResult, ...]  # those units (rank order)
    ranked: int  # the ranked units

    def basis(self, code: str | None = None) -> int:
        """How many units the average of `code` (None: the total) covers."""
        return len(self.total_units) if code is None else self.counts.get(code, 0)


def _cluster_averages(book: Book, ranked: list[UnitResult]) -> ClusterAverages:
    zero = Decimal(0)
    numeric = [c.code for c in book.leaves if c.kind is not Kind.DISQUALIFIER]  # a disqualifier has no average
    groups = [c.code for c in book.criteria if c.is_group]
    under = {g: frozenset(book.leaf_codes_under(g)) for g in groups}
    sums = dict.fromkeys(groups + numeric, zero)
    counts = dict.fromkeys(groups + numeric, 0)
    complete: list[UnitResult] = []
    for u in ranked:  # one pass over a province's thousands of units
        leaves, subtotals = u.scores, u.group_scores
        missing = [code for code in numeric if code not in leaves]  # refused or blank: not a valid score
        if not missing:  # the usual unit: every cell counts
            complete.append(u)
            for code in numeric:
                sums[code] += leaves[code]
                counts[code] += 1
            for code in groups:
                sums[code] += subtotals.get(code, zero)
                counts[code] += 1
            continue
        for code in numeric:
            if code in leaves:
                sums[code] += leaves[code]
                counts[code] += 1
        for code in groups:
            if under[code].isdisjoint(missing):
                sums[code] += subtotals.get(code, zero)
                counts[code] += 1
    values = {c.code: _mean(sums[c.code], counts[c.code]) for c in book.criteria if counts.get(c.code)}
    totals = [u.total for u in complete if u.total is not None]
    total = _mean(sum(totals, zero), len(totals)) if totals else None
    return ClusterAverages(values, counts, total, tuple(complete), len(ranked))


def _mean(total: Decimal, n: int) -> Decimal:
    """An average as people round it, to two decimals: 34,125 → 34,13."""
    return (total / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _float(value: Decimal | None) -> float:
    """The nearest float64 to an exact score (float() of a Decimal rounds correctly); NaN for none."""
    return float("nan") if value is None else float(value)
