"""Where the engine's step time goes: a cProfile of :class:`clssim.CLSModel`.

Run from the repository root::

    python benchmarks/profile_engine.py                 # default neighbourhood
    python benchmarks/profile_engine.py --residents 50000 --side 130 --years 0.25

First times the step loop without the profiler (µs per step, resident-steps
per second), then profiles the same run and lists the functions of
``clssim`` (and Mesa's step wrapper) by cumulative time per step. Profiling
adds overhead to every Python call, so the profiled per-step times are
larger than the plain ones; read them as shares.
"""

# ruff: noqa: E402  -- thread limits must be set before numpy is imported
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import cProfile
import pstats
import time

from clssim import CLSModel, load_scenario


def build(residents: int, side: int, years: float) -> CLSModel:
    scenario = load_scenario().with_overrides(
        {
            "population.residents": residents,
            "world.width": side,
            "world.height": side,
            "time.years": years,
        }
    )
    return CLSModel(scenario, seed=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--side", type=int, default=40, help="grid width = height")
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--top", type=int, default=30, help="rows to list")
    args = parser.parse_args()

    model = build(args.residents, args.side, args.years)
    steps = model.n_steps
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    wall = time.perf_counter() - t0
    print(
        f"{args.residents:,} residents, {args.side}x{args.side}, {steps:,} steps: "
        f"{wall:.2f} s, {1e6 * wall / steps:.0f} µs/step, "
        f"{args.residents * steps / wall:,.0f} resident-steps/s (no profiler)\n"
    )

    model = build(args.residents, args.side, args.years)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(steps):
        model.step()
    profile.disable()

    st = pstats.Stats(profile)
    total = st.total_tt
    rows = []
    for (path, line, name), (_, ncalls, tottime, cumtime, _) in st.stats.items():
        mesa_step = path.endswith("mesa/model.py") and name == "_do_step"
        if "clssim" not in path and not mesa_step:
            continue
        where = f"{path.split('/')[-1]}:{line}({name})"
        rows.append((cumtime, tottime, ncalls, where))
    rows.sort(reverse=True)
    print(f"profiled: {total:.2f} s, {1e6 * total / steps:.0f} µs/step\n")
    print(f"{'cum µs/step':>12} {'self µs/step':>13} {'% total':>8} {'calls':>8}  function")
    for cumtime, tottime, ncalls, where in rows[: args.top]:
        print(
            f"{1e6 * cumtime / steps:12.1f} {1e6 * tottime / steps:13.1f} "
            f"{100 * cumtime / total:7.1f}% {ncalls:8d}  {where}"
        )


if __name__ == "__main__":
    main()
