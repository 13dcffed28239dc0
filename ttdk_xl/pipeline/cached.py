"""Consolidation without outputs, for a client that asks again and again (the local page, `ttdk_xl.web`).

Each file's read-and-check outcome is kept by its name, SHA-256 and modification time, and the book's
fingerprint: after one file arrives, only that file is read again, then the stages choose and rank as
`stages.consolidate` does without `out`. The same stages, so the page and the commands always agree.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from ttdk_xl.core.models import Book, Result, Submission
from ttdk_xl.inbox.files import list_inbox
from ttdk_xl.inbox.mail import SEP
from ttdk_xl.inbox.read import DEFAULT_MAX_BYTES, ReadOutcome, relative_name
from ttdk_xl.pipeline.agreed_file import read_agreed_input
from ttdk_xl.pipeline.execution import read_and_check
from ttdk_xl.pipeline.stages import Chosen, choose, load, rank_chosen
from ttdk_xl.rules.delegates import collect_from_result

Entry = tuple[tuple[ReadOutcome, ...], tuple[Submission | None, ...]]


@dataclass(frozen=True)
class _Key:
    name: str  # relative to the inbox: the outcome carries it
    sha256: str
    mtime_ns: int  # the file-system time is part of the outcome too
    book: str  # the book's fingerprint


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class CachedReader:
    """Outcomes of read-and-check kept per file; thread-safe (one run at a time)."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._files: dict[_Key, Entry] = {}
        self._books: dict[tuple[str, int, int], Book] = {}
        self._lock = threading.Lock()

    def book(self, path: Path) -> Book:
        """The book at `path`, read again only when the file changed (BookError when it is bad)."""
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
        if key not in self._books:
            self._books = {key: load(path)}
        return self._books[key]

    def read(
        self, inbox: Path, book: Book, progress: Callable[[int], None] | None = None
    ) -> tuple[list[ReadOutcome], list[Submission | None]]:
        """`execution.read_and_check` of every file of the inbox, reading only new or changed files."""
        with self._lock:
            paths = list_inbox(inbox) if inbox.is_dir() else []
            keys: list[_Key] = []
            for p in paths:
                try:
                    st = p.stat()
                    keys.append(_Key(relative_name(p, inbox), file_sha256(p), st.st_mtime_ns, book.fingerprint))
                except OSError:  # gone or unreadable: read again, the reader reports it
                    keys.append(_Key(relative_name(p, inbox), "", 0, book.fingerprint))
            todo = [(p, k) for p, k in zip(paths, keys, strict=True) if k not in self._files or not k.sha256]
            if todo:
                outcomes, checked = read_and_check(
                    [p for p, _ in todo], inbox, book, self.max_bytes, progress, processes=False
                )
                grouped = _by_file([k.name for _, k in todo], outcomes, checked)
                for _, k in todo:
                    self._files[k] = grouped.get(k.name, ((), ()))
            if progress is not None and len(todo) < len(paths):
                progress(len(paths) - len(todo))
            wanted = set(keys)
            self._files = {k: v for k, v in self._files.items() if k in wanted}  # forget removed files
            all_outcomes: list[ReadOutcome] = []
            all_checked: list[Submission | None] = []
            for k in keys:
                outs, subs = self._files[k]
                all_outcomes.extend(outs)
                all_checked.extend(subs)
            return all_outcomes, all_checked

    def result(
        self,
        inbox: Path,
        book: Book,
        agreed_input: Path | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Result:
        """`stages.consolidate(inbox, book, agreed_input=…)` without outputs, reading only new or changed files."""
        outcomes, checked = self.read(inbox, book, progress)
        return self._ranked(choose(book, outcomes, checked), book, agreed_input)

    def _ranked(self, chosen: Chosen, book: Book, agreed_input: Path | None) -> Result:
        """As `stages._consolidate` ranks: what a person typed in the agreed-scores file counts, its findings
        are the run's."""
        prior = read_agreed_input(agreed_input, book) if agreed_input is not None else None
        assessment = prior.assessment if prior is not None else None
        result = rank_chosen(chosen, False, assessment, date.today())
        if agreed_input is None:
            return result
        shown = set(assessment.findings) if assessment is not None else set()
        more = tuple(f for f in (prior.findings if prior else ()) if f not in shown)
        return replace(result, agreed_input=agreed_input.name, findings=result.findings + more)

    def unit_return(
        self, inbox: Path, book: Book, unit_code: str, agreed_input: Path | None = None
    ) -> tuple[str, bytes]:
        """The annotated return of one unit (file name, bytes) as `consolidate` writes it under tra_lai/;
        ("", b"") when the unit has nothing to fix."""
        from ttdk_xl.outputs.returns import write_returns

        outcomes, checked = self.read(inbox, book)
        chosen = choose(book, outcomes, checked)
        # The returns need the settled errors only when agreed scores apply (as in stages._consolidate).
        ranked = self._ranked(chosen, book, agreed_input)
        unranked = ranked if ranked.assessed_file else chosen.unranked()
        subs = tuple(s for s in unranked.submissions if s.unit_code == unit_code)
        if not subs:
            return "", b""
        one = replace(unranked, submissions=subs)
        delegates = collect_from_result(book, outcomes, one)
        rows = {u.unit.code: [(d.name, d.title, d.phone, d.note) for d in u.delegates] for u in delegates.units}
        found: dict[str, list] = {}
        for f in delegates.findings:
            found.setdefault(f.unit_code, []).append(f)
        with tempfile.TemporaryDirectory(prefix="ttdk-tra-lai-") as tmp:
            written = write_returns(one, Path(tmp), rows, fast=False, delegate_findings=found)
            return (written[0].name, written[0].read_bytes()) if written else ("", b"")


def _by_file(names: list[str], outcomes: list[ReadOutcome], checked: list[Submission | None]) -> dict[str, Entry]:
    """Outcomes (in path order, an email giving one per attachment) grouped by the file they came from."""
    out: dict[str, tuple[list[ReadOutcome], list[Submission | None]]] = {n: ([], []) for n in names}
    for o, sub in zip(outcomes, checked, strict=True):
        name = o.info.file
        if name not in out:
            name = name.split(SEP, 1)[0]
        if name in out:
            out[name][0].append(o)
            out[name][1].append(sub)
    return {n: (tuple(os_), tuple(ss)) for n, (os_, ss) in out.items()}


def newest_change(folder: Path) -> float:
    """The newest modification time of the files under `folder` (0 when there are none)."""
    newest = 0.0
    for dirpath, _dirs, files in os.walk(folder):
        for f in files:
            try:
                newest = max(newest, os.stat(os.path.join(dirpath, f)).st_mtime)
            except OSError:
                continue
    return newest
