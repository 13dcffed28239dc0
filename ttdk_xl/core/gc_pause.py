"""Pausing Python's cyclic garbage collector through the big, cycle-free stages of a large run.

Speed machinery: only for a province-sized run (callers pass `active`), never for a cluster, which is
fast with the collector as Python sets it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(active: bool = True, keep: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything without cycles).

    `active`: False makes this do nothing (the plain path). `keep`: the stage's results stay for the rest
    of the run, so they are frozen when the collector resumes (below) until `release()`; without it
    nothing is frozen and the caller gets the collector back exactly as it was.

    Reading thousands of workbooks or writing a big one allocates millions of short-lived objects; every
    700 allocations start a collection pass, and once the results of thousands of files are held, each
    pass over the older generations walks all of them. Only for stages that build plain data (no object
    cycles worth collecting): reading, checking and scoring, writing a workbook.
    """
    global _frozen
    if not active:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What the stage made is kept (results), not garbage. Left in the youngest generation, the first
            # collections after re-enabling would walk all of it (a province's results: 0.3–0.5 s). Frozen,
            # the collector passes it by; reference counting still frees it. `release()` gives it back.
            # Not when the calling program froze objects itself: giving ours back would give back its own.
            if keep and (_frozen or not gc.get_freeze_count()):
                gc.freeze()
                _frozen = True
            gc.enable()


_frozen = False  # whether gc_paused froze objects that release() has not given back yet


def release() -> None:
    """Hand what `gc_paused` kept back to the collector (its oldest generation, rarely walked): at the end
    of a library call, so that a long-running program's own cycles, frozen with it, are collected again."""
    global _frozen
    if _frozen:
        gc.unfreeze()
        _frozen = False
