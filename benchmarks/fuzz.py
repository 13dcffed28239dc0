"""The reader's long fuzz run: many more damaged workbooks than the test suite's fixed-seed few hundred.

    python benchmarks/fuzz.py                    # 5,000 cases, random seeds
    python benchmarks/fuzz.py --cases 20000 --seed 7 --outputs-every 20

Each case damages a filled workbook (as ttdk-xl issues it, and as LibreOffice re-saves it) with one of
the operators of tests/mutants.py, then checks it (against the book and alone) and consolidates it beside
a good workbook, as tests/test_fuzz.py does; every `--outputs-every`-th case also writes every output.
Counts what escaped (tracebacks), internal-error findings, changed inputs and the slowest case; prints a
table for the README and the first few failures in full. Not a test: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mutants import OPERATORS, mutate, run_case  # noqa: E402
from tests.test_fuzz import BOOK, sources  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=None, help="seed of the case list (default: random)")
    parser.add_argument("--outputs-every", type=int, default=25, help="write every output for 1 case in N")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    kinds = [k for k in sources() if k != "good"]
    tried: Counter[str] = Counter()
    readable: Counter[str] = Counter()
    escaped: list[str] = []
    internal: list[str] = []
    changed: list[str] = []
    slowest = (0.0, "")
    start = time.perf_counter()
    cases = []
    for i in range(args.cases):
        operator, case_seed, kind = rng.choice(sorted(OPERATORS)), rng.randrange(2**32), rng.choice(kinds)
        cases.append((i, operator, case_seed, kind, args.outputs_every > 0 and i % args.outputs_every == 0))
    died: list[str] = []
    done = 0
    with tempfile.TemporaryDirectory(prefix="ttdk-fuzz-") as tmp:
        for chunk in (cases[i : i + CHUNK] for i in range(0, len(cases), CHUNK)):
            for case, outcome in _run_chunk(chunk, tmp, died):
                _i, operator, case_seed, kind, _outputs = case
                label = f"{operator} seed={case_seed} on {kind}"
                tried[operator] += 1
                readable[operator] += outcome["readable"]
                if outcome["error"]:
                    escaped.append(f"{label}\n{outcome['error']}")
                if outcome["internal"]:
                    internal.append(f"{label}: {outcome['internal'][0]}")
                if outcome["changed"]:
                    changed.append(label)
                if outcome["seconds"] > slowest[0]:
                    slowest = (outcome["seconds"], label)
            done += len(chunk)
            if done % 1000 < CHUNK:
                print(f"  {done:,} cases, {len(escaped)} tracebacks, {len(died)} processes ended", file=sys.stderr)
    elapsed = time.perf_counter() - start

    print(f"seed {seed}; {args.cases:,} cases in {elapsed:.0f} s; sources: {', '.join(kinds)}")
    print("| operator | cases | still readable |")
    print("|---|---:|---:|")
    for operator in sorted(tried):
        print(f"| {operator} | {tried[operator]:,} | {readable[operator]:,} |")
    print(f"| **all** | {sum(tried.values()):,} | {sum(readable.values()):,} |")
    print(f"tracebacks: {len(escaped)} · internal errors: {len(internal)} · processes ended: {len(died)} · "
          f"inputs changed: {len(changed)} · slowest case: {slowest[0]:.2f} s ({slowest[1]})")  # fmt: skip
    for text in (died + escaped + internal + changed)[:5]:
        print("\n" + text)
    return 1 if escaped or internal or changed or died else 0


CHUNK = 50  # cases per worker process; a chunk whose process ends is run again one case at a time


def _run_chunk(chunk: list[tuple], tmp: str, died: list[str]) -> list[tuple[tuple, dict]]:
    """The chunk's cases in a worker process, so that a case that ends its process (an abort in a native
    library) is counted and named, and the run goes on."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(1) as pool:
            return pool.submit(_cases, chunk, tmp).result()
    except BrokenProcessPool:
        if len(chunk) == 1:
            _i, operator, case_seed, kind, _outputs = chunk[0]
            died.append(f"{operator} seed={case_seed} on {kind}: the process ended")
            return []
        return [pair for case in chunk for pair in _run_chunk([case], tmp, died)]


def _cases(chunk: list[tuple], tmp: str) -> list[tuple[tuple, dict]]:
    logging.getLogger("ttdk_xl").setLevel(logging.CRITICAL)  # internal errors are counted, not printed
    out = []
    for case in chunk:
        i, operator, case_seed, kind, outputs = case
        mutant = mutate(operator, case_seed, sources()[kind])
        out.append((case, run_case(mutant, sources()["good"], BOOK, Path(tmp) / str(i), outputs)))
    return out


if __name__ == "__main__":
    sys.exit(main())
