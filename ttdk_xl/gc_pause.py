"""Pausing Python's cyclic garbage collector through the big, cycle-free stages of a large run."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything without cycles).

    Reading thousands of workbooks or writing a big one allocates millions of short-lived objects; every
    700 allocations start a collection pass, and once the results of thousands of files are held, each
    pass over the older generations walks all of them. Only for stages that build plain data (no object
    cycles worth collecting): reading, checking and scoring, writing a workbook.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
