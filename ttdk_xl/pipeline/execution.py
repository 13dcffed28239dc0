"""Read and check many returned workbooks at once: a province's or a ministry's thousands of files.

Reading a workbook is about half python-calamine (which releases the GIL) and half Python (finding the
table, checking every row), so from a few hundred files the work is shared between this process and a
worker process per other core (the CLI); threads help little and are only what the library API uses by
default (worker processes need a guarded `__main__`); for a cluster, none (starting a worker would cost
more than it saves). Every mode gives the same outcomes in the same order (by path), so the results do
not depend on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ttdk_xl.core.failures import log, read_failure
from ttdk_xl.core.gc_pause import gc_paused
from ttdk_xl.core.layout import DELEGATE_SHEET
from ttdk_xl.core.models import Book, Delegate, Finding, Submission, evolve
from ttdk_xl.inbox.files import read_path
from ttdk_xl.inbox.read import DEFAULT_MAX_BYTES, FileInfo, RawSubmission, ReadOutcome, relative_name
from ttdk_xl.rules.checks import check_safely
from ttdk_xl.rules.delegates import parse_delegates
from ttdk_xl.rules.score import compute_totals

LARGE_FROM = 300  # files or units: from here on the speed machinery below is on; a cluster never gets near
THREADS_FROM = 200  # below this, one thread (research/perf.md: a cluster reads in ~40 ms)
PROCESSES_FROM = 300  # from this many files, a worker process pays for its start-up (measured at 200–1,000)
CHUNK = 48  # files per task sent to a worker process

Checked = list[tuple[ReadOutcome, Submission | None]]  # one file: a workbook, or an email's attachments


def read_and_check(
    paths: list[Path],
    inbox: Path | None,
    book: Book,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    processes: bool | None = None,
) -> tuple[list[ReadOutcome], list[Submission | None]]:
    """Read every file and check each usable one against the book, in path order (a saved email gives
    one outcome per attachment).

    `workers`: 1 reads serially; None chooses by the number of files. `processes`: True or False forces
    worker processes or threads when reading in parallel; None uses processes from PROCESSES_FROM files.
    Worker processes may re-import the caller's main module (Python's "spawn", as on Windows), so a script
    that asks for them must guard its top level with `if __name__ == "__main__":`; the CLI does. The
    outcomes keep everything but the raw rows (the checked Submission holds what came from them), so
    thousands of files stay small.
    """
    # thousands of results held: collection passes would walk them again and again
    with gc_paused(is_large(len(paths)), keep=True):
        return _read_and_check(paths, inbox, book, max_bytes, progress, workers, processes)


def is_large(size: int) -> bool:
    """Whether a run of `size` files or units is a province's, for which the speed machinery (worker
    processes, the forked writer, collector pauses, fast sheets) is worth its complexity."""
    return size >= LARGE_FROM


def _read_and_check(
    paths: list[Path],
    inbox: Path | None,
    book: Book,
    max_bytes: int,
    progress: Callable[[int], None] | None,
    workers: int | None,
    processes: bool | None,
) -> tuple[list[ReadOutcome], list[Submission | None]]:
    n = len(paths)
    if workers is None:
        workers = 1 if n < THREADS_FROM else max(2, min(os.cpu_count() or 2, 4))
    if processes is None:
        processes = n >= PROCESSES_FROM
    method = _start_method() if processes else None
    workers = min(workers, max(n, 1))
    if workers <= 1:
        results = (_one(p, inbox, book, max_bytes) for p in paths)
        return _collect(results, progress)
    if method is not None:
        try:
            return _with_processes(paths, inbox, book, max_bytes, progress, workers, method)
        except (OSError, ImportError, RuntimeError):  # no process support here (sandbox, frozen app): threads
            pass
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        return _collect(pool.map(lambda p: _one(p, inbox, book, max_bytes), paths), progress)


def _one(path: Path, inbox: Path | None, book: Book, max_bytes: int) -> Checked:
    out: Checked = []
    for outcome in read_path(path, inbox, max_bytes):
        if outcome.raw is None:
            out.append((outcome, None))
        else:
            sub = check_safely(outcome.raw, book)
            sub = _with_totals(sub, book)
            parsed = _delegates(outcome.raw, sub, book)
            rows = outcome.raw.delegate_rows if parsed is None else []  # parsed: the rows are not needed
            # The rules the file was issued with (`criteria` in _meta) are only for checking it alone.
            meta = {k: v for k, v in outcome.raw.meta.items() if k != "criteria"}
            raw = evolve(outcome.raw, meta=meta, rows=(), delegate_rows=rows, delegates_parsed=parsed)
            out.append((evolve(outcome, raw=raw), sub))
    return out


def _with_totals(sub: Submission, book: Book) -> Submission:
    """The unit's totals, computed here in parallel rather than one by one when ranking (score.rank_units)."""
    if not sub.unit_code:
        return sub
    try:
        totals = compute_totals(book, sub.scores, sub.disqualified)
    except Exception:  # leave it to rank_units, which reports the problem in its own way
        log.warning("%s: totals left to the ranking", sub.file, exc_info=True)
        return sub
    return evolve(sub, totals=(sub.scores, sub.disqualified, totals))


def _delegates(
    raw: RawSubmission, sub: Submission, book: Book
) -> tuple[str, tuple[Delegate, ...], tuple[Finding, ...]] | None:
    """The unit's delegate sheet, parsed here rather than one by one after reading (delegates.collect)."""
    unit = book.unit(sub.unit_code)
    if unit is None or raw.delegate_rows is None:
        return None
    try:
        found = parse_delegates(raw.delegate_rows, unit, raw.info.file, raw.delegate_sheet or DELEGATE_SHEET)
    except Exception:  # leave it to delegates.collect, which reports the problem in its own way
        log.warning("%s: delegate sheet left to delegates.collect", raw.info.file, exc_info=True)
        return None
    return unit.code, tuple(found[0]), tuple(found[1])


def _collect(
    results: Iterable[Checked], progress: Callable[[int], None] | None
) -> tuple[list[ReadOutcome], list[Submission | None]]:
    outcomes: list[ReadOutcome] = []
    subs: list[Submission | None] = []
    for checked in results:
        for outcome, sub in checked:
            outcomes.append(outcome)
            subs.append(sub)
        if progress:
            progress(1)
    return outcomes, subs


def read_all(
    paths: list[Path],
    inbox: Path | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> list[ReadOutcome]:
    """Read files in order; with many files, two threads (calamine releases the GIL while parsing).

    A saved email (.eml, .msg) gives one outcome per attachment."""
    workers = workers if workers is not None else (2 if len(paths) >= THREADS_FROM else 1)

    def one(p: Path) -> list[ReadOutcome]:
        return read_path(p, inbox, max_bytes)

    out: list[ReadOutcome] = []
    if workers <= 1:
        for p in paths:
            out.extend(one(p))
            if progress:
                progress(1)
        return out
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        for outcomes in pool.map(one, paths):
            out.extend(outcomes)
            if progress:
                progress(1)
    return out


# --------------------------------------------------------------------------------------------- processes


def can_fork() -> bool:
    """Whether worker processes may be forked: on Linux only (macOS offers fork, but its system libraries
    are not safe in a forked child; Windows has none)."""
    import multiprocessing
    import sys

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _start_method() -> str | None:
    """How to start worker processes here, or None when they cannot be used.

    "fork" where it is safe and this process runs no other thread: the worker starts at once, with
    the modules and the book already loaded (a spawned worker re-imports them: about 0.4 s of the second
    core). Else "spawn" (what Windows does anyway; safe whatever threads the caller runs), which needs the
    main module to be importable again (not a script read from stdin). Never from a worker process."""
    import multiprocessing
    import sys
    import threading

    if multiprocessing.parent_process() is not None:
        return None
    if can_fork() and threading.active_count() == 1:
        return "fork"
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return "spawn" if main_file is None or os.path.exists(main_file) else None


_STATE: dict[str, object] = {}


def _init(book: Book, inbox: Path | None, max_bytes: int) -> None:
    _STATE.update(book=book, inbox=inbox, max_bytes=max_bytes)


def _chunk(paths: list[Path]) -> list[Checked]:
    book, inbox, max_bytes = _STATE["book"], _STATE["inbox"], _STATE["max_bytes"]
    with gc_paused():
        return [_one(p, inbox, book, max_bytes) for p in paths]  # type: ignore[arg-type]


def _chunks(paths: list[Path], size: int) -> list[list[Path]]:
    """`paths` in chunks of `size`, the last 4 × `size` in chunks a sixth as big, so that the readers end
    together: otherwise one may wait for the other's last whole chunk (about 0.1 s)."""
    head = max(0, len(paths) - 4 * size)
    small = max(1, size // 6)
    return [paths[i : min(i + size, head)] for i in range(0, head, size)] + [
        paths[i : i + small] for i in range(head, len(paths), small)
    ]


def _with_processes(
    paths: list[Path],
    inbox: Path | None,
    book: Book,
    max_bytes: int,
    progress: Callable[[int], None] | None,
    workers: int,
    method: str = "spawn",
) -> tuple[list[ReadOutcome], list[Submission | None]]:
    """`workers` readers: this process and workers − 1 worker processes, taking chunks as they finish.

    This process reads too (rather than only waiting): it saves a worker's start-up and the copying
    of its results, and starts reading while the workers are still starting."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context(method)
    chunks = _chunks(paths, CHUNK)
    done: list[list[Checked] | None] = [None] * len(chunks)
    helpers = max(1, workers - 1)

    def finished(part: list[Checked]) -> None:
        if progress:
            progress(len(part))

    prefetch = _start_prefetch(context, paths) if method == "fork" else None
    try:
        with ProcessPoolExecutor(
            helpers, mp_context=context, initializer=_init, initargs=(book, inbox, max_bytes)
        ) as pool:
            pending: dict = {}
            nxt = 0
            broken = False
            while nxt < len(chunks) or pending:
                while not broken and len(pending) < 2 * helpers and nxt < len(chunks):  # keep every worker busy
                    try:
                        pending[pool.submit(_chunk, chunks[nxt])] = nxt
                    except BrokenProcessPool:  # a worker died: this process reads the rest itself
                        broken = True
                        break
                    nxt += 1
                if nxt < len(chunks):  # a chunk for this process
                    mine = done[nxt] = [_one(p, inbox, book, max_bytes) for p in chunks[nxt]]
                    finished(mine)
                    nxt += 1
                    ready = [f for f in pending if f.done()]
                else:
                    ready = list(wait(pending, return_when=FIRST_COMPLETED).done)
                for future in ready:
                    index = pending.pop(future)
                    try:
                        part = done[index] = future.result()
                    except Exception as exc:  # the worker died (or failed): its files are read again, alone
                        log.warning("worker process failed (%s); reading its files again one by one", exc)
                        part = done[index] = _alone(chunks[index], inbox, book, max_bytes, context)
                    finished(part)
    finally:
        if prefetch is not None:
            prefetch.kill()
            prefetch.join()
    return _collect((checked for part in done for checked in part or ()), None)


def _alone(paths: list[Path], inbox: Path | None, book: Book, max_bytes: int, context) -> list[Checked]:
    """Each file in a worker process of its own, after a worker died: a file that kills its process
    again becomes a finding for that file, and the others are read as usual."""
    from concurrent.futures import ProcessPoolExecutor

    out: list[Checked] = []
    for path in paths:
        try:
            with ProcessPoolExecutor(
                1, mp_context=context, initializer=_init, initargs=(book, inbox, max_bytes)
            ) as pool:
                out.extend(pool.submit(_chunk, [path]).result())
        except Exception as exc:
            rel = relative_name(path, inbox)
            out.append([(ReadOutcome(FileInfo(rel, "", 0, ""), None, (read_failure(rel, exc),)), None)])
    return out


# ----------------------------------------------------------------------------------------------- prefetch


def _start_prefetch(context, paths: list[Path]):
    """A small forked process that asks the system to load the files into memory ahead of the readers.

    Files that are not in the page cache (a copied inbox, or one not read for a few minutes: this VM's
    host takes the cache back within a minute) cost a disk wait each; read one after another, 10,000
    such waits added 2–4 s to a consolidation. Asked ahead, they are loaded while the readers work.
    A separate process, because a thread would wait for the readers' GIL between every two calls."""
    try:
        process = context.Process(target=_prefetch, args=([str(p) for p in paths],), daemon=True)
        process.start()
    except (OSError, RuntimeError):  # no process support here: read without help
        return None
    return process


def _prefetch(paths: list[str]) -> None:
    advise = getattr(os, "posix_fadvise", None)
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            if advise is not None:
                advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)  # starts the reading and returns at once
            else:
                os.read(fd, 1 << 24)
        except OSError:
            pass
        finally:
            os.close(fd)


# ------------------------------------------------------------------------------------------------ writing


def share_jobs(first: Callable[[], object], rest: list[Callable[[], object]]) -> None:
    """`first` in a forked child, `rest` here; the child then takes from `rest` what is not yet taken.

    Without a safe fork (not Linux, or other threads running here), everything runs here in turn; should
    the child fail, whatever it did not finish is run here."""
    import multiprocessing
    import threading

    if not can_fork() or threading.active_count() > 1:
        for job in (first, *rest):
            job()
        return
    context = multiprocessing.get_context("fork")
    taken = context.Value("i", 0)  # index of the next job of `rest` to take
    done = context.Array("b", len(rest) + 1)  # done[0]: first; done[i + 1]: rest[i]

    def take_and_run() -> None:
        while True:
            with taken.get_lock():
                i = taken.value
                taken.value += 1
            if i >= len(rest):
                return
            rest[i]()
            done[i + 1] = 1

    def child_work() -> None:
        try:
            first()
            done[0] = 1
            take_and_run()
        except BaseException:
            os._exit(1)  # quietly: this process writes what is missing again and reports the error

    child = context.Process(target=child_work, daemon=True)
    child.start()
    try:
        take_and_run()
    finally:
        child.join()
    for i, job in enumerate((first, *rest)):
        if not done[i]:
            job()  # the child failed before finishing it
