"""Benchmark: the output writers alone, on the result of consolidating N units (CPU time, in-process).

    python benchmarks/bench_writers.py                  # N = 10000, 5 runs
    python benchmarks/bench_writers.py --sizes 3000,10000 --runs 3
    python benchmarks/bench_writers.py --data /work/main/benchmarks/.data    # reuse generated inboxes

The inbox of N filled workbooks comes from benchmarks/bench.py (generated once). It is consolidated once
and the (Result, DelegateList) pair is kept in benchmarks/.data/nN/writers.pkl (delete it, or pass --fresh,
after changing the models). Then each writer runs --runs times and the minimum and median CPU time
(time.process_time) are reported, next to a fixed pure-Python loop ('calibration') that shows how busy the
machine was.
Targets at N = 10000 on the 2-core reference machine: tong_hop.xlsx ≤ 4 s, dai_bieu.xlsx ≤ 0.8 s.
Not a test: nothing here runs in the test suite or CI.
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


def calibration() -> float:
    t = time.process_time()
    d = {}
    for i in range(1_500_000):
        d[i & 1023] = f"{i:.16G}x"
    return time.process_time() - t


def load(n: int, data: Path | None, fresh: bool):
    import bench

    folder = data / f"n{n}" if data else bench.generate(n)
    cache = bench.DATA / f"n{n}" / "writers.pkl"  # ours, also when the inbox is elsewhere
    cache.parent.mkdir(parents=True, exist_ok=True)
    if cache.exists() and not fresh:
        return pickle.loads(cache.read_bytes())
    import ttdk_xl
    from ttdk_xl.book.load import load_book

    book = load_book(folder / "bo_tieu_chi.xlsx")
    with tempfile.TemporaryDirectory() as out:
        result = ttdk_xl.consolidate(folder / "hop_thu", book=book, out=Path(out))
    pair = (result, result.delegates)
    cache.write_bytes(pickle.dumps(pair))
    return pair


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000", help="comma-separated N (default 10000)")
    ap.add_argument("--runs", type=int, default=5, help="runs per writer (default 5)")
    ap.add_argument("--data", type=Path, help="folder holding nN/ inboxes (default benchmarks/.data)")
    ap.add_argument("--fresh", action="store_true", help="consolidate again instead of using nN/writers.pkl")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from ttdk_xl.outputs.delegate_list import write_delegates
    from ttdk_xl.outputs.summary import write_summary

    for n in (int(x) for x in args.sizes.split(",")):
        result, delegates = load(n, args.data, args.fresh)
        with tempfile.TemporaryDirectory() as out:
            jobs = {
                "tong_hop.xlsx": lambda r=result, o=Path(out): write_summary(r, o / "tong_hop.xlsx"),
                "dai_bieu.xlsx": lambda d=delegates, o=Path(out): write_delegates(d, o / "dai_bieu.xlsx"),
            }
            times: dict[str, list[float]] = {name: [] for name in ("calibration", *jobs)}
            for _ in range(args.runs):
                times["calibration"].append(calibration())
                for name, job in jobs.items():
                    t = time.process_time()
                    job()
                    times[name].append(time.process_time() - t)
        for name, values in times.items():
            print(f"N={n:<6} {name:<14} min {min(values):6.2f} s   median {statistics.median(values):6.2f} s (CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
