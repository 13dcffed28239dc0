"""The inbox: its files listed in a stable order, and each read — a workbook, or a saved email's
spreadsheet attachments — into read outcomes. Never raises for a file: whatever goes wrong becomes a
finding for it (ttdk_xl.core.failures)."""

from __future__ import annotations

import os
from pathlib import Path

from ttdk_xl.core.failures import must_propagate, read_failure
from ttdk_xl.core.text import nfc
from ttdk_xl.inbox.mail import is_email, read_email
from ttdk_xl.inbox.read import DEFAULT_MAX_BYTES, FileInfo, ReadOutcome, read_file, relative_name


def list_inbox(inbox: Path) -> list[Path]:
    """Every file under the inbox (also in its sub-folders), in a stable order (by relative path, NFC).

    os.scandir rather than Path.rglob: a province's 10,000 files are listed three times faster. Like
    rglob, links to folders are not followed and unreadable folders are passed over."""
    found: list[tuple[str, str]] = []
    folders = [(str(inbox), "")]
    while folders:
        folder, rel = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = f"{rel}/{entry.name}" if rel else entry.name
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((entry.path, name))
                    elif entry.is_file():
                        found.append((nfc(name), entry.path))
        except PermissionError:
            continue
    found.sort()
    return [Path(path) for _, path in found]


def read_path(path: Path, inbox: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> list[ReadOutcome]:
    """Read one file of the inbox: a workbook gives one outcome, a saved email (.eml, .msg) one per attachment.

    Never raises for a file: whatever goes wrong becomes a finding for it (ttdk_xl.core.failures)."""
    try:
        if is_email(path):
            return read_email(path, inbox, max_bytes)
        return [read_file(path, inbox, max_bytes)]
    except BaseException as exc:
        if must_propagate(exc):
            raise
        rel = relative_name(path, inbox)
        return [ReadOutcome(FileInfo(rel, "", 0, ""), None, (read_failure(rel, exc),))]
