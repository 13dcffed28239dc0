"""Benchmark: writing the annotated returns (out/tra_lai/) fast (return_stamp) and directly (xlsxwriter).

    python benchmarks/bench_returns.py                     # N = 10000 units (~450 returns), 3 runs each
    python benchmarks/bench_returns.py --n 1000 --runs 5
    python benchmarks/bench_returns.py --result res.pkl    # a pickled Result, or (Result, DelegateList)

The data is bench.py's (benchmarks/.data/nN, generated on first use); the consolidated Result is pickled
beside it once. Each run writes every return into a temporary folder; the runs of the two ways are
interleaved and timed in CPU seconds (time.process_time: the machine is shared, and CPU time is what
the other outputs, written at the same time, compete for). Not a test: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_result(n: int, result: str | None):
    if result:
        data = pickle.loads(Path(result).read_bytes())
    else:
        import bench

        import ttdk_xl

        folder = bench.generate(n)
        cached = folder / "result.pkl"
        if not cached.exists():
            print(f"Consolidating {n} workbooks once …", file=sys.stderr, flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                res = ttdk_xl.consolidate(folder / "hop_thu", book=folder / "bo_tieu_chi.xlsx", out=tmp, processes=None)
            cached.write_bytes(pickle.dumps(res))
        data = pickle.loads(cached.read_bytes())
    res = data[0] if isinstance(data, tuple) else data
    dl = data[1] if isinstance(data, tuple) else res.delegates
    delegates = {u.unit.code: [(d.name, d.title, d.phone, d.note) for d in u.delegates] for u in dl.units} if dl else {}
    return res, delegates


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--result", help="a pickled Result or (Result, DelegateList) instead of generated data")
    args = ap.parse_args(argv)
    from ttdk_xl.outputs.returns import write_returns

    res, delegates = load_result(args.n, args.result)
    times: dict[str, list[float]] = {"fast": [], "direct": []}
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for way in times:
                t = time.process_time()
                count = len(write_returns(res, Path(tmp) / way, delegates, fast=way == "fast"))
                times[way].append(time.process_time() - t)
    print(f"{len(res.units)} units, {count} returns, {args.runs} runs each (CPU seconds):")
    for way, ts in times.items():
        print(f"  {way:7s} median {statistics.median(ts):6.2f}  min {min(ts):6.2f}  ({count / min(ts):.0f} returns/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
