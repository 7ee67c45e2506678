"""How much the speed ratio depends on other work competing for memory.

Run from the repository root::

    python benchmarks/contention.py            # about 2 minutes on 2 cores

Times the engine's step loop and the whole-model idiomatic reference at 5,000
residents (as ``engine.py`` does, construction excluded), alternately alone and
while a second process on the other core streams large arrays through memory
(a stand-in for a busy neighbour on a shared machine). The reference keeps
thousands of Python objects whose attributes live all over the heap; the
engine keeps a few megabytes of contiguous arrays. If the first slows down
much more than the second under the same competition, the speed ratio
measured on a busy machine overstates the ratio on a quiet one, which is why
``engine.py`` checks the target on the fastest repeats as well as on medians.
Nothing is written; the script prints its measurements.
"""

# ruff: noqa: E402  -- thread limits must be set before numpy is imported
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import multiprocessing as mp
import statistics
import time

import numpy as np

import engine as bench

#: bytes streamed per copy by the competing process (well beyond any cache)
STREAM_BYTES = 64 * 2**20


def stream(stop: mp.Event) -> None:
    """Copy a large array back and forth until told to stop."""
    a = np.ones(STREAM_BYTES // 8)
    b = np.empty_like(a)
    while not stop.is_set():
        np.copyto(b, a)
        np.copyto(a, b)


def measure(engine_days: int, reference_days: int) -> tuple[float, float]:
    """(engine µs per step, reference ms per step) at 5,000 residents."""
    steps, wall, _ = bench.time_engine(5_000, engine_days)
    e = 1e6 * wall / steps
    steps, wall, _ = bench.time_idiomatic(5_000, reference_days, social=True, cell_space=False)
    return e, 1e3 * wall / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engine-days", type=int, default=365)
    parser.add_argument("--reference-days", type=int, default=20)
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, float]]] = {"alone": [], "with a competitor": []}
    for _ in range(args.repeats):
        rows["alone"].append(measure(args.engine_days, args.reference_days))
        stop = mp.Event()
        competitor = mp.Process(target=stream, args=(stop,), daemon=True)
        competitor.start()
        time.sleep(0.5)
        try:
            rows["with a competitor"].append(measure(args.engine_days, args.reference_days))
        finally:
            stop.set()
            competitor.join()
    print(f"5,000 residents, medians of {args.repeats} interleaved repeats")
    print(f"{'condition':<18} {'engine µs/step':>15} {'reference ms/step':>18} {'ratio':>7}")
    medians = {}
    for name, values in rows.items():
        e = statistics.median(v[0] for v in values)
        r = statistics.median(v[1] for v in values)
        medians[name] = (e, r)
        print(f"{name:<18} {e:>15.0f} {r:>18.2f} {1e3 * r / e:>6.1f}×")
    (e0, r0), (e1, r1) = medians["alone"], medians["with a competitor"]
    print(
        f"competition slows the engine by {100 * (e1 / e0 - 1):.0f} % "
        f"and the reference by {100 * (r1 / r0 - 1):.0f} %"
    )


if __name__ == "__main__":
    main()
