"""The library API: read → check → choose → score → write. The only module that sequences the stages."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TypeVar

from ttdk_xl.book.load import load_book
from ttdk_xl.core.atomic import OutputError, OutputsNotWritten
from ttdk_xl.core.failures import internal_failure
from ttdk_xl.core.gc_pause import gc_paused
from ttdk_xl.core.gc_pause import release as gc_release
from ttdk_xl.core.models import (
    Book,
    Criterion,
    ExplainRule,
    Finding,
    Kind,
    Result,
    Severity,
    Source,
    SourceState,
    Status,
    Submission,
    Unit,
)
from ttdk_xl.core.year_folder import BOOK_NAME
from ttdk_xl.inbox.files import list_inbox, read_path
from ttdk_xl.inbox.mail import sender_finding
from ttdk_xl.inbox.read import DEFAULT_MAX_BYTES, RawSubmission, ReadOutcome
from ttdk_xl.pipeline.agreed_file import keep_agreed_input, read_agreed_input
from ttdk_xl.pipeline.execution import is_large, read_all, read_and_check, share_jobs
from ttdk_xl.rules.assessed import Assessment, apply_assessment, decorate, read_assessed
from ttdk_xl.rules.checks import check_safely, identify_unit
from ttdk_xl.rules.delegates import DelegateList, collect, collect_from_result
from ttdk_xl.rules.score import rank_units

OUTPUT_NOT_WRITTEN = "output-not-written"  # the finding of an output that could not be written
RETURNS_DIR = "tra_lai"


def default_book_path() -> Path:
    """The packaged default criteria book (input_templates/bo_tieu_chi.xlsx)."""
    try:
        from importlib.resources import files

        path = Path(str(files("ttdk_xl.input_templates").joinpath(BOOK_NAME)))
        if path.exists():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "input_templates" / BOOK_NAME


def find_book(inbox: Path) -> Path:
    """The book beside the inbox (the `ttdk-xl init` layout), else the packaged default."""
    for candidate in (inbox / BOOK_NAME, inbox.parent / BOOK_NAME):
        if candidate.is_file():
            return candidate
    return default_book_path()


def load(book: Book | str | Path) -> Book:
    if isinstance(book, Book):
        return book

    return load_book(Path(book))


def check_files(book: Book | None, paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES) -> list[Finding]:
    """`ttdk-xl check`: the findings of single workbooks, without consolidating.

    Without a book (a unit checking its own file), each workbook is checked against the rules
    recorded in its own `_meta` sheet when it was issued.
    """
    findings: list[Finding] = []
    for p in paths:
        for outcome in read_path(Path(p), None, max_bytes):
            # Asked to check a file that is no workbook at all (a .docx, an email without one): never valid.
            findings.extend(_not_a_workbook(f) if outcome.ignored else f for f in outcome.findings)
            if outcome.raw is not None:
                try:
                    findings.extend(_check_alone(outcome, book))
                except Exception as exc:  # a bug must not hide the other files' findings
                    findings.append(internal_failure(outcome.info.file, exc, "kiểm tra"))
    return findings


def _not_a_workbook(finding: Finding) -> Finding:
    if finding.severity is not Severity.INFO:
        return finding
    return replace(
        finding,
        code="not-ttdk-workbook",
        severity=Severity.ERROR,
        message=finding.message.replace("nên được bỏ qua", "nên không kiểm tra được")
        + " Đây không phải bảng tự chấm điểm.",
        fix="Kiểm tra đúng tệp bảng tự chấm điểm (.xlsx) mà Cụm đã gửi, đã điền.",
    )


def _check_alone(outcome: ReadOutcome, book: Book | None) -> list[Finding]:
    """The findings of one read workbook, against `book` or the rules it was issued with."""
    assert outcome.raw is not None
    the_book = book or book_from_meta(outcome.raw)
    if the_book is None:
        return [
            Finding(
                "book-needed",
                Severity.ERROR,
                outcome.info.file,
                "Tệp không còn thông tin bộ tiêu chí (trang ẩn _meta) nên không tự kiểm tra được.",
                "Chạy lại với --book bo_tieu_chi.xlsx, hoặc dùng mẫu gốc do Cụm gửi.",
            )
        ]
    sub = check_safely(outcome.raw, the_book)
    findings = list(sub.findings)
    unit = the_book.unit(sub.unit_code)
    if unit is not None:  # the delegate sheet too (an empty one is a warning)
        delegates = collect(the_book, {unit.code: outcome.raw})
        findings.extend(f for f in delegates.findings if f.unit_code == unit.code)
    if outcome.info.sender:
        mismatch = sender_finding(outcome.info, the_book.unit(sub.unit_code))
        findings.extend([mismatch] if mismatch else [])
    return findings


def book_from_meta(raw) -> Book | None:
    """The rules a workbook was issued with, rebuilt from its `_meta` sheet (None if absent)."""
    import json
    from decimal import Decimal

    meta = raw.meta
    try:
        rows = json.loads(meta["criteria"])
        texts = {r.code: r.text for r in raw.rows}
        criteria = tuple(
            Criterion(
                code,
                texts.get(code, ""),
                Decimal(mx),
                Kind(kind),
                ExplainRule(explain),
                parent=code.rsplit(".", 1)[0] if "." in code else None,
                depth=code.count("."),
            )
            for code, mx, kind, explain in rows
        )
        unit = Unit(meta["unit_code"], meta.get("unit_name", ""))
        return Book(
            cluster_name=meta.get("cluster", ""),
            parent_body="",
            year=int(meta["year"]),
            head_unit="",
            deputy_unit="",
            deadline="",
            step=Decimal(meta["step"]),
            bonus_cap=Decimal(meta["bonus_cap"]),
            criteria=criteria,
            units=(unit,),
            levels=(),
            awards=(),
        )
    except (KeyError, ValueError, TypeError, ArithmeticError):  # _meta damaged or edited by hand
        return None


def consolidate(
    inbox: str | Path,
    book: Book | str | Path | None = None,
    out: str | Path | None = None,
    rank_invalid: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    report_template: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    assessed: str | Path | Assessment | None = None,
    processes: bool | None = False,
    paths: list[Path] | None = None,
    with_delegates: bool = False,
    agreed_input: str | Path | None = None,
) -> Result:
    """Consolidate every workbook under `inbox` against the book; write outputs to `out` when given.

    `agreed_input`: the year folder's agreed-scores file (tham_dinh.xlsx, pipeline.agreed_file): what a person
    typed there counts (unless `assessed` is given); with `out`, the file is created, or updated when units or
    criteria changed, keeping every typed value.

    `paths`: the files of the inbox when the caller has already listed them (list_inbox), e.g. to show
    progress; by default the inbox is listed here.

    `workers`/`processes`: how files are read (parallel.read_and_check). The API reads in threads unless
    `processes` is None (worker processes for thousands of files, as the CLI does) or True; a script doing
    so needs the `if __name__ == "__main__":` guard.

    `assessed`: a tong_hop.xlsx whose `Thẩm định` sheet holds the scores agreed at the conference; they
    count instead of the self-scores (ttdk_xl.rules.assessed). Returns the Result (units in rank order,
    findings, sources). Bad files never raise.

    `with_delegates`: the Result also holds the delegate list when nothing is written (`ttdk-xl ballots`
    pre-fills the delegates convened from it); with `out`, it always does.
    """
    try:
        return _consolidate(inbox, book, out, rank_invalid, max_bytes, report_template, progress, workers, assessed,
                            processes, paths, with_delegates, agreed_input)  # fmt: skip
    finally:
        gc_release()


def _consolidate(
    inbox: str | Path,
    book: Book | str | Path | None,
    out: str | Path | None,
    rank_invalid: bool,
    max_bytes: int,
    report_template: str | Path | None,
    progress: Callable[[int], None] | None,
    workers: int | None,
    assessed: str | Path | Assessment | None,
    processes: bool | None,
    paths: list[Path] | None,
    with_delegates: bool = False,
    agreed_input: str | Path | None = None,
) -> Result:
    inbox = Path(inbox)
    run_date = date.today()  # once: every document of this run carries the same date (core.models.conference_date)
    the_book = load(book if book is not None else find_book(inbox))
    assessment = None
    prior = None
    if isinstance(assessed, Assessment):
        assessment = assessed
    elif assessed is not None:
        assessment = read_assessed(assessed, the_book)
    if agreed_input is not None:
        prior = read_agreed_input(agreed_input, the_book)
        if assessed is None and prior is not None:
            assessment = prior.assessment
    paths = list_inbox(inbox) if paths is None else paths
    outcomes, checked = read_and_check(paths, inbox, the_book, max_bytes, progress, workers, processes)
    big = is_large(max(len(paths), len(the_book.units)))  # a province's run: the speed machinery is on
    with gc_paused(big, keep=True):
        chosen = choose(the_book, outcomes, checked)
    ranked = _once(lambda: _with_agreed_input(rank_chosen(chosen, rank_invalid, assessment, run_date)), big)
    ranked = _with_history(ranked, inbox, the_book, big)  # HISTORY HOOK (issue 16): lich_su/ and award screens

    def _with_agreed_input(result: Result) -> Result:
        if agreed_input is None:
            return result
        shown = set(assessment.findings) if assessment is not None else set()
        more = tuple(f for f in (prior.findings if prior else ()) if f not in shown)
        return replace(result, agreed_input=Path(agreed_input).name, findings=result.findings + more)

    if out is None:
        if with_delegates:
            return replace(ranked(), delegates=collect_from_result(the_book, outcomes, chosen.unranked()))
        return ranked()
    from ttdk_xl.outputs.delegate_list import write_delegates  # lazy: the writers load only when outputs are written

    # The returns and the delegate list need no scores; with agreed scores, the returns need the settled errors.
    unranked = chosen.unranked() if assessment is None else ranked()
    # The delegate list is needed by dai_bieu.xlsx and the returns only: made when the first of them is
    # written (beside the summary's writer, for a province).
    delegates = _once(lambda: collect_from_result(the_book, outcomes, unranked), big)
    unwritten: tuple[Finding, ...] = ()
    try:
        _write_outputs(
            ranked,
            unranked,
            Path(out),
            report_template,
            extra=lambda: write_delegates(delegates(), Path(out) / "dai_bieu.xlsx"),
            fork=processes is not False,
            delegates=lambda: {
                u.unit.code: [(d.name, d.title, d.phone, d.note) for d in u.delegates] for u in delegates().units
            },
            delegate_findings=lambda: _by_unit(delegates().findings),
        )
    except OutputsNotWritten as exc:  # the other outputs are written; these are findings of the run
        unwritten = tuple(
            Finding(OUTPUT_NOT_WRITTEN, Severity.ERROR, e.path.name, e.message, e.fix) for e in exc.errors
        )
    result = ranked()
    if agreed_input is not None:  # after the outputs: a file open in Excel must not cost them
        unwritten += tuple(keep_agreed_input(agreed_input, result, prior))
    return replace(result, delegates=delegates(), findings=result.findings + unwritten)


T = TypeVar("T")


def _with_history(ranked: Callable[[], Result], inbox: Path, book: Book, big: bool) -> Callable[[], Result]:
    """HISTORY HOOK (issue 16): when the year folder has `lich_su/` or the book declares award screens, the
    result carries the earlier years and the screens decide the proposals (ttdk_xl.history); else unchanged."""
    from ttdk_xl.history.files import history_folder

    if history_folder(inbox) is None and not book.screens:
        return ranked
    from ttdk_xl.history.eligibility import with_history

    return _once(lambda: with_history(ranked(), inbox), big)


def _by_unit(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        if f.unit_code:
            out.setdefault(f.unit_code, []).append(f)
    return out


def _once(make: Callable[[], T], big: bool = False) -> Callable[[], T]:
    """`make()`, computed on first use and then kept (in each process: a forked writer computes its own)."""
    kept: list[T] = []

    def get() -> T:
        if not kept:
            with gc_paused(big, keep=True):
                kept.append(make())
        return kept[0]

    return get


def build_result(
    book: Book,
    outcomes: list[ReadOutcome],
    rank_invalid: bool = False,
    assessment=None,
    checked: list[Submission | None] | None = None,
    run_date: date | None = None,
) -> Result:
    """Pure: read outcomes → checked, de-duplicated, scored Result (agreed scores applied when given).

    `checked`, when given, holds each outcome's checked Submission (parallel.read_and_check computes them
    while reading), in the same order; otherwise the outcomes are checked here.
    """
    return rank_chosen(choose(book, outcomes, checked), rank_invalid, assessment, run_date)


@dataclass(frozen=True)
class Chosen:
    """What reading gave, before any scoring: the findings, every file's fate, the file that counts for
    each unit and each unit's status."""

    book: Book
    findings: tuple[Finding, ...]
    sources: tuple[Source, ...]
    chosen: dict[str, Submission]
    statuses: dict[str, Status]

    def unranked(self) -> Result:
        """A Result without units: enough for the returns and the delegate list, which need no ranks."""
        subs = tuple(self.chosen[u.code] for u in self.book.units if u.code in self.chosen)
        return Result(self.book, (), self.findings, self.sources, False, subs)


def choose(book: Book, outcomes: list[ReadOutcome], checked: list[Submission | None] | None = None) -> Chosen:
    """Pure: read outcomes → every file's findings and fate, and the newest usable file of each unit."""
    findings: list[Finding] = []
    sources: dict[str, Source] = {}
    candidates: dict[str, list[Submission]] = {}
    first_of_hash: dict[str, str] = {}
    per_file: dict[str, list[Finding]] = {}

    for i, o in enumerate(outcomes):
        info = o.info
        file_findings = list(o.findings)
        state = SourceState.IGNORED if o.ignored else SourceState.REJECTED
        unit_code = version = issued = ""
        if o.raw is not None:
            version = o.raw.meta.get("format_version", "")
            issued = o.raw.meta.get("issued_at", "")
            if info.sha256 in first_of_hash:
                file_findings.append(
                    Finding(
                        "duplicate-file",
                        Severity.INFO,
                        info.file,
                        f"Tệp giống hệt tệp '{first_of_hash[info.sha256]}' (gửi hai lần), chỉ tính một lần.",
                        "Không cần làm gì.",
                    )
                )
                state = SourceState.IGNORED
            else:
                first_of_hash[info.sha256] = info.file
                sub = checked[i] if checked is not None else None
                if sub is None:
                    sub = check_safely(o.raw, book)
                file_findings.extend(sub.findings)
                unit_code = sub.unit_code
                if unit_code and not any(f.code in _FILE_FATAL for f in sub.findings):
                    candidates.setdefault(unit_code, []).append(sub)
                    state = SourceState.USED
                if unit_code and info.sender:
                    mismatch = sender_finding(info, book.unit(unit_code))
                    file_findings.extend([mismatch] if mismatch else [])
        per_file[info.file] = file_findings
        sources[info.file] = Source(
            # The document's own last-saved time when it has one: unlike the file-system time it
            # travels with the file, so a copy of the same inbox gives the same outputs.
            info.file, info.sha256, info.size, info.edited_at or info.modified, state, unit_code, version, issued,
            sender=info.sender, sent_at=info.sent_at,
        )  # fmt: skip

    # Two files for one unit: the newest (issue time, then edit time) counts.
    chosen: dict[str, Submission] = {}
    for code, subs in candidates.items():
        subs = sorted(subs, key=lambda s: (s.issued_at, s.modified, s.file))
        chosen[code] = subs[-1]
        for old in subs[:-1]:
            sources[old.file] = replace(
                sources[old.file], state=SourceState.SUPERSEDED, note=f"Thay bằng tệp mới hơn: {subs[-1].file}"
            )
            per_file[old.file] = [
                Finding(
                    "superseded",
                    Severity.INFO,
                    old.file,
                    f"Đơn vị đã gửi tệp mới hơn ('{subs[-1].file}'); tệp này không được tính.",
                    "Không cần làm gì; nếu tệp này mới đúng, xóa tệp kia khỏi thư mục rồi chạy lại.",
                    unit_code=code,
                    unit_name=old.unit_name,
                )
            ]
    for o in outcomes:
        findings.extend(per_file[o.info.file])

    statuses: dict[str, Status] = {}
    for u in book.units:
        sub = chosen.get(u.code)
        if sub is None:
            statuses[u.code] = Status.MISSING
            findings.append(
                Finding(
                    "unit-missing",
                    Severity.ERROR,
                    "",
                    f"{u.name} chưa nộp bảng tự chấm điểm (hoặc tệp gửi không dùng được).",
                    "Liên hệ đơn vị để nhận bảng tự chấm điểm"
                    + (f" ({u.contact}, {u.phone})" if u.contact or u.phone else "")
                    + ", rồi chạy lại.",
                    unit_code=u.code,
                    unit_name=u.name,
                )
            )
        else:
            statuses[u.code] = Status.INVALID if sub.blocking else Status.VALID
    return Chosen(book, tuple(findings), tuple(sources.values()), chosen, statuses)


def rank_chosen(
    chosen_files: Chosen, rank_invalid: bool = False, assessment=None, run_date: date | None = None
) -> Result:
    """Pure: score and rank the chosen files (agreed scores applied when given) → the Result (dated `run_date`)."""
    book, chosen = chosen_files.book, chosen_files.chosen
    findings, statuses = list(chosen_files.findings), dict(chosen_files.statuses)
    chosen_subs = tuple(chosen[u.code] for u in book.units if u.code in chosen)
    sources = chosen_files.sources
    if assessment is None:
        units = rank_units(book, chosen, statuses, rank_invalid=rank_invalid)
        return Result(book, units, tuple(findings), sources, rank_invalid, chosen_subs, run_date=run_date)

    applied = apply_assessment(book, chosen, assessment)
    if applied.settled:  # an agreed score settles the error of the cell it was typed over
        findings = [applied.settled.get(f, f) for f in findings]
        for code, sub in applied.chosen.items():
            if statuses.get(code) is Status.INVALID and not sub.blocking:
                statuses[code] = Status.VALID
    findings.extend(applied.findings)
    for code in applied.blocked:
        statuses[code] = Status.INVALID
    units = rank_units(book, applied.chosen, statuses, applied.notes, rank_invalid, applied.extra_penalty)
    units = decorate(units, applied, assessment)
    # The returns: what each unit typed, with the errors the conference settled no longer to fix.
    chosen_subs = tuple(replace(sub, findings=applied.chosen[sub.unit_code].findings) for sub in chosen_subs)
    return Result(
        book,
        units,
        tuple(findings),
        sources,
        rank_invalid,
        chosen_subs,
        assessed_file=assessment.file,
        changes=tuple(applied.changes),
        run_date=run_date,
    )


# Findings after which a file cannot count for any unit.
_FILE_FATAL = {"wrong-cluster", "wrong-year"}


def write_outputs(
    result: Result,
    out: Path,
    report_template: str | Path | None = None,
    extra: Callable[[], object] | None = None,
    fork: bool = False,
    delegates: dict[str, list[tuple]] | None = None,
) -> dict[str, Path]:
    """Write tong_hop.xlsx, ket_qua.json, bao_cao.docx, tra_lai/ (and `extra`) into `out`.

    `fork`: for a province-sized result, share the writing between this process and a forked child
    (below)."""
    return _write_outputs(lambda: result, result, out, report_template, extra, fork, lambda: delegates)


def _write_outputs(
    ranked: Callable[[], Result],
    unranked: Result,
    out: Path,
    report_template: str | Path | None = None,
    extra: Callable[[], object] | None = None,
    fork: bool = False,
    delegates: Callable[[], dict[str, list[tuple]] | None] = lambda: None,
    delegate_findings: Callable[[], dict[str, list[Finding]] | None] = lambda: None,
) -> dict[str, Path]:
    """write_outputs, for a result that may still have to be scored: `ranked()` gives it (computed once
    per process), `unranked` has what the returns need (the book and the submissions that count), and
    `delegates()` each unit's delegate rows for its return (made when first asked).

    For a province-sized result (and `fork` allowed, on systems that have it), a forked child scores and
    writes the summary workbook (about half of the writing at 10,000 units) while this process writes
    the returns and `extra` (which need no scores), then the rest; whichever process is free takes the
    next output. xlsxwriter is pure Python, so this is the only way to use the second core. Anything the
    child did not finish is written here again, so that any error surfaces normally.
    """
    from ttdk_xl.outputs.report import write_report  # lazy: `check` never writes
    from ttdk_xl.outputs.returns import write_returns
    from ttdk_xl.outputs.summary import write_json, write_summary

    out.mkdir(parents=True, exist_ok=True)
    paths = {"summary": out / "tong_hop.xlsx", "json": out / "ket_qua.json", "report": out / "bao_cao.docx"}

    def returns() -> None:
        if unranked.submissions or (out / RETURNS_DIR).exists():
            write_returns(unranked, out / RETURNS_DIR, delegates(), delegate_findings=delegate_findings())

    jobs: list[Callable[[], object]] = [
        lambda: write_summary(ranked(), paths["summary"]),
        lambda: write_json(ranked(), paths["json"]),
        lambda: write_report(ranked(), paths["report"], Path(report_template) if report_template else None),
        returns,
    ] + ([extra] if extra is not None else [])
    # An output that cannot be written (open in Excel) must not cost the others: each is tried, then the
    # failures are reported together. A forked writer lets its failure through: this process redoes the job.
    failed: list[OutputError] = []
    here = os.getpid()

    def tried(job: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            try:
                return job()
            except OutputError as exc:
                if os.getpid() != here:
                    raise
                failed.append(exc)
                return None

        return run

    jobs = [tried(job) for job in jobs]
    big = is_large(len(unranked.book.units))
    with gc_paused(big):  # thousands of results are held: collection passes would walk them again and again
        if fork and big:
            share_jobs(jobs[0], [jobs[3], *jobs[4:], jobs[2], jobs[1]])  # what needs no scores first
        else:
            for job in jobs:
                job()
    if failed:
        raise OutputsNotWritten(failed)
    return paths


def collect_from_inbox(book: Book, inbox: Path, max_bytes: int | None = None) -> DelegateList:
    """`ttdk-xl delegates`: read the inbox (scores may still be empty), newest file per unit."""
    outcomes = read_all(list_inbox(inbox), inbox, max_bytes or DEFAULT_MAX_BYTES)
    best: dict[str, tuple[tuple, RawSubmission]] = {}
    findings: list[Finding] = []
    for o in outcomes:
        findings.extend(f for f in o.findings if f.severity is not Severity.INFO)
        if o.raw is None:
            continue
        unit, found = identify_unit(o.raw, book)
        if unit is None or any(f.code in ("wrong-cluster", "wrong-year") for f in found):
            findings.extend(f for f in found if f.blocking)
            continue
        order = (o.raw.meta.get("issued_at", ""), o.info.edited_at or o.info.modified, o.info.file)
        if unit.code not in best or order > best[unit.code][0]:
            best[unit.code] = (order, o.raw)
    result = collect(book, {code: raw for code, (_, raw) in best.items()})
    return DelegateList(book, result.units, tuple(findings) + result.findings)
