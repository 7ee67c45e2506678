"""How much common random numbers help: variance of paired against unpaired differences.

Issue 15 asks for common random numbers per resident and decision, and for
this benchmark before and after: for four standard comparisons, the
variance of the difference of two independent runs (``var(a) + var(b)``)
over the variance of the paired difference (same seed, ``var(b − a)``). A
ratio of 430 says an unpaired comparison needs 430 times the runs for the
same precision.

    python benchmarks/crn.py [--replicates 10] [--workers 2] [--out FILE]

It prints the table (and writes it to ``--out`` when given);
``crn_results.md`` keeps the before and after tables of issue 15.

Comparisons (default scenario unless said; seeds 1 … N for both arms):

- more officers: 8 → 16 officers, one year;
- hot-spot patrol: random → hot-spot strategy, one year;
- youth programme: no contract → a contract with one youth programme, one
  and a half years;
- the Lisbon preset: ``lisbon_baseline`` → ``lisbon_neighbourhood`` (3.2
  years).
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

OUTPUTS = ("offences_true", "mean_insecurity", "mean_trust")

YOUTH = {
    "budget_eur": 200_000,
    "start_day": 0,
    "stages": {"diagnosis_days": 90, "plan_days": 30, "implementation_days": 400},
    "measures": [{"kind": "youth_programme", "capacity": 80, "end_day": 400}],
}


def _arms(name: str):
    from clssim.scenario import default_scenario_path, load_scenario

    here = default_scenario_path().parent
    if name == "lisbon":
        return load_scenario(here / "lisbon_baseline.toml"), load_scenario(
            here / "lisbon_neighbourhood.toml"
        )
    base = load_scenario(None).with_overrides({"time.years": 1.5 if name == "youth" else 1.0})
    if name == "officers":
        return base, base.with_overrides({"police.officers": 16})
    if name == "hotspot":
        return base, base.with_overrides({"police.strategy": "hotspot"})
    if name == "youth":
        return base, base.with_overrides({"contract": YOUTH})
    raise ValueError(name)


def _run(task: tuple[str, int, int]) -> tuple[str, int, int, dict[str, float]]:
    from clssim.model import CLSModel

    name, arm, seed = task
    summary = CLSModel(_arms(name)[arm], seed=seed).run().summary
    return name, arm, seed, {k: float(summary[k]) for k in OUTPUTS}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", default=None, help="also write the table here")
    args = p.parse_args(argv)
    names = ("officers", "hotspot", "youth", "lisbon")
    tasks = [(n, a, s) for n in names for a in (0, 1) for s in range(1, args.replicates + 1)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(_run, tasks))
    values = {(n, a, s): v for n, a, s, v in results}
    lines = [
        f"Variance reduction by pairing: (var(a) + var(b)) / var(b − a), {args.replicates} "
        f"seeds per arm; {len(tasks)} runs in {time.perf_counter() - t0:.0f} s.",
        "",
        "| comparison | " + " | ".join(OUTPUTS) + " |",
        "|---|" + "---:|" * len(OUTPUTS),
    ]
    for n in names:
        cells = []
        for o in OUTPUTS:
            a = np.array([values[(n, 0, s)][o] for s in range(1, args.replicates + 1)])
            b = np.array([values[(n, 1, s)][o] for s in range(1, args.replicates + 1)])
            paired = np.var(b - a, ddof=1)
            unpaired = np.var(a, ddof=1) + np.var(b, ddof=1)
            cells.append(f"{unpaired / paired:.1f}×" if paired > 0 else "∞")
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
