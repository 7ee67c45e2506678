"""Enough replicates: run a comparison in batches until its answer is precise.

``clssim compare … --precision 5%`` asks for the 95 % CI of the *primary*
output's relative change (default: true offences in the last year, else
the first compared output) to be at most ±5 percentage points, for every
variant. Replicates are added in batches (``--replicates`` at a time) until
the target is met or ``--max-replicates`` is reached, and the command says
which. The seeds of a comparison of N replicates are ``root … root + N − 1``
whatever the batches, and a run depends only on its scenario and seed, so
the result is bit-identical to asking for N replicates at once; the runs of
earlier batches are reused, never run again (:class:`CachedExecutor`).

:func:`replicates_needed` is the planning formula the report uses when an
interval spans zero: the number of replicates whose paired t interval would
exclude 0 for a difference of the size seen, if it is real.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from scipy import stats

from clssim.experiments.compare import compare_table, evidence_and_fixed
from clssim.experiments.plan import Plan

#: the primary output when none is named and the runs are longer than a year
PRIMARY = "offences_true_last_year"


def replicates_needed(diff: float, sd: float, level: float = 0.95, cap: int = 100_000) -> int:
    """Smallest n ≥ 2 whose paired t interval ``diff ± t(n−1)·sd/√n`` excludes 0
    (NaN-safe: 0 when the difference is 0 or undefined, 2 when there is no spread)."""
    if not (math.isfinite(diff) and math.isfinite(sd)) or diff == 0:
        return 0
    if sd == 0:
        return 2
    q = 0.5 + level / 2
    n = max(2, math.ceil((stats.norm.ppf(q) * sd / abs(diff)) ** 2))
    while n < cap and stats.t.ppf(q, n - 1) * sd / math.sqrt(n) >= abs(diff):
        n += 1
    return n


def primary_output(outputs: list[str]) -> str:
    """The output a precision target applies to by default."""
    return PRIMARY if PRIMARY in outputs else outputs[0]


def rel_halfwidth(table: pd.DataFrame, output: str) -> float:
    """The widest half-width, over the variants, of ``output``'s relative change."""
    rows = table[(table["output"] == output) & ~table["baseline"]]
    if rows.empty:
        return math.nan
    half = (rows["rel_ci_high"] - rows["rel_ci_low"]) / 2
    return float(half.max()) if half.notna().all() else math.nan


class CachedExecutor:
    """Serves runs already made (by set and seed) and runs the others on ``inner``."""

    def __init__(self, inner: Any, cache: dict[tuple[int, int], dict[str, Any]]) -> None:
        self.inner = inner
        self.cache = cache
        self.description = inner.description
        self.workers = getattr(inner, "workers", 1)

    def map_unordered(
        self, tasks: Iterable[dict[str, Any]], fn: Callable | None = None
    ) -> Iterator[dict[str, Any]]:
        todo = []
        for t in tasks:
            hit = self.cache.get((t["set_index"], t["seed"]))
            if hit is None:
                todo.append(t)
            else:
                yield {**hit, "run_id": t["run_id"]}
        if todo:
            index = {t["run_id"]: t for t in todo}
            run = (
                self.inner.map_unordered(todo) if fn is None else self.inner.map_unordered(todo, fn)
            )
            for res in run:
                t = index[res["run_id"]]
                self.cache[(t["set_index"], t["seed"])] = res
                yield res

    def close(self) -> None:
        self.inner.close()


@dataclass
class PrecisionResult:
    replicates: int
    halfwidth: float  #: the widest half-width of the primary relative change, at the end
    met: bool
    output: str
    target: float
    history: list[tuple[int, float]]  #: (replicates, half-width) after each batch

    def line(self) -> str:
        pts = f"±{100 * self.halfwidth:.1f} points" if math.isfinite(self.halfwidth) else "n/a"
        if self.met:
            return (
                f"precision target met: {self.output}'s relative change is known to {pts} "
                f"(target ±{100 * self.target:.1f}) with {self.replicates} replicates"
            )
        return (
            f"precision target NOT met: {self.output}'s relative change is known to {pts} "
            f"(target ±{100 * self.target:.1f}) after {self.replicates} replicates, the cap; "
            "raise --max-replicates or accept the wider interval"
        )


def runs_frame(plan: Plan, cache: dict[tuple[int, int], dict[str, Any]]) -> pd.DataFrame:
    """The runs of ``plan`` found in ``cache``, as the store would hold them."""
    rows = []
    for t in plan.tasks():
        res = cache.get((t["set_index"], t["seed"]))
        if res is None:
            continue
        rows.append({**plan.row_keys(t["run_id"]), **res["outputs"], "status": res["status"]})
    return pd.DataFrame(rows)


def reach_precision(
    make_plan: Callable[[int], Plan],
    executor: Any,
    *,
    batch: int,
    target: float,
    cap: int,
    output: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[PrecisionResult, dict[tuple[int, int], dict[str, Any]]]:
    """Add ``batch`` replicates at a time until the primary output's relative change
    is known to ±``target`` (or ``cap`` replicates); returns the result and the runs."""
    cache: dict[tuple[int, int], dict[str, Any]] = {}
    cached = CachedExecutor(executor, cache)
    n, history = min(batch, cap), []
    while True:
        plan = make_plan(n)
        for res in cached.map_unordered(plan.tasks()):
            if res["status"] != "ok":
                raise RuntimeError(f"a run failed: {res.get('error')}")
        runs, _ = evidence_and_fixed(runs_frame(plan, cache))
        arms = plan.meta["arms"]
        primary = output or primary_output(plan.meta["compared"])
        table = compare_table(runs, arms, [primary])
        half = rel_halfwidth(table, primary)
        history.append((n, half))
        if progress is not None:
            progress(f"{n} replicates: {primary} known to ±{100 * half:.1f} points")
        met = math.isfinite(half) and half <= target
        if met or n >= cap:
            return PrecisionResult(n, half, met, primary, target, history), cache
        n = min(cap, n + batch)
