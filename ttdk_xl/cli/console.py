"""Vietnamese text on any console: never a UnicodeEncodeError.

A Windows console shows Unicode whatever its code page, but output redirected to a file or a pipe, or a
PYTHONIOENCODING set to a legacy code page (cp1258, the Vietnamese one, cp1252…), is encoded with that
code page. cp1258 writes Vietnamese as a base letter plus combining tone marks, so a letter it cannot
encode whole is written in that form ('ệ' → 'ê' + U+0323); anything still unencodable becomes '?'.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata
from itertools import permutations


def _handler(encoding: str):
    """An encoding error handler writing what `encoding` cannot encode in a form it can (the codec itself
    only says 'charmap', so the encoding is bound here)."""

    def handle(error: UnicodeError) -> tuple[str, int]:
        if not isinstance(error, UnicodeEncodeError):
            raise error
        text = error.object[error.start : error.end]
        return "".join(_encodable_form(ch, encoding) for ch in text), error.end

    return handle


def _encodable_form(ch: str, encoding: str) -> str:
    """`ch` as its base letter with some marks composed and the others combining, if `encoding` has it."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[:1], decomposed[1:]
    candidates = [decomposed]
    for order in permutations(marks):
        for k in range(len(order), 0, -1):
            composed = unicodedata.normalize("NFC", base + "".join(order[:k]))
            candidates.append(composed + "".join(order[k:]))
    for text in candidates:
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            continue
        return text
    return "?"


def make_safe() -> None:
    """Make stdout and stderr write Vietnamese in whatever encoding they have, never raising."""
    for stream in (sys.stdout, sys.stderr):
        encoding = codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name
        if encoding.startswith("utf") or not hasattr(stream, "reconfigure"):
            continue
        name = f"ttdk-vi-{encoding}"
        try:
            codecs.lookup_error(name)
        except LookupError:
            codecs.register_error(name, _handler(encoding))
        try:
            stream.reconfigure(errors=name)
        except (ValueError, OSError):  # a stream that cannot be reconfigured: left as it is
            pass
