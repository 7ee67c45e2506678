"""Robust plans: each plan judged across many futures, not one imagined neighbourhood.

A planner does not know her neighbourhood's true offending level, fear,
trust or poverty. ``clssim robust PLAN.toml … --scenarios N`` separates
*levers* (the plans: scenario files, the first the reference, usually no
contract) from *uncertainties* (ranges of neighbourhood and behaviour
parameters; :data:`DEFAULT_UNCERTAINTIES` or a TOML file's
``[uncertainties]``), as the EMA Workbench does (Kwakkel 2017):

1. **Futures.** N points of a Latin hypercube over the uncertainties
   (``scipy.stats.qmc``, seeded), each a set of scenario overrides.
2. **Common random numbers.** Every plan runs in every future with the same
   seed (``root + future``): plans differ in the same world.
3. **Robustness** of each plan, on one outcome (``--goal-output``, lower is
   better; default true offences in the last year): the distribution of the
   outcome over futures; its **regret** in each future (its outcome minus the
   best plan's there; Savage 1951), mean and maximum; and its **satisficing
   share**, the share of futures in which it meets the goal — a relative
   change of at most ``--goal-change`` against the reference plan in the same
   future (default −5 %).
4. **Scenario discovery.** Where a plan fails its goal, a PRIM box (Friedman
   & Fisher 1999, peeling α = 0.1) describes the futures of failure: the
   parameter ranges in which failures concentrate, with the box's
   *density* (share of its futures that fail) and *coverage* (share of all
   failures inside it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from clssim.experiments.compare import arm_names
from clssim.experiments.outputs import parse_output
from clssim.experiments.plan import Base, Plan, RunSet
from clssim.scenario import Scenario, ScenarioError, load_scenario

#: what a planner does not know about her neighbourhood (path → [low, high])
DEFAULT_UNCERTAINTIES: dict[str, tuple[float, float]] = {
    # the baseline calibration's 95 % posterior intervals (ODD §8.1 item 7)
    "crime.motivation": (0.0227, 0.0588),
    "insecurity.intercept": (-3.04, -2.43),
    # trust in police: ESS 2018 Portugal about 6/10, ± a point between estates
    "trust.baseline": (0.5, 0.7),
    # how often offenders go back to a past success (near-repeat; an assumption ± half)
    "crime.return_probability": (0.25, 0.75),
    # poverty: an estate's share of poor households (census ranges for Lisbon's estates)
    "population.share_poor": (0.10, 0.35),
}
GOAL_OUTPUT = "offences_true_last_year"
GOAL_CHANGE = -0.05


def futures(uncertainties: Mapping[str, tuple[float, float]], n: int, seed: int) -> pd.DataFrame:
    """``n`` futures: a Latin hypercube over the uncertainties' ranges."""
    names = list(uncertainties)
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(n)
    lo = np.array([uncertainties[k][0] for k in names], float)
    hi = np.array([uncertainties[k][1] for k in names], float)
    return pd.DataFrame(lo + unit * (hi - lo), columns=names)


def check_uncertainties(uncertainties: Mapping[str, Any], base: Scenario) -> dict[str, tuple]:
    """Each uncertainty as (low, high), refused in one line if its path or range is bad."""
    out = {}
    for path, rng in uncertainties.items():
        if not (isinstance(rng, list | tuple) and len(rng) == 2):
            raise ScenarioError(f"uncertainties.{path}: give [low, high], not {rng!r}")
        lo, hi = (float(v) for v in rng)
        if not lo < hi:
            raise ScenarioError(f"uncertainties.{path} = [{lo:g}, {hi:g}]: low must be < high")
        for v in (lo, hi):
            try:
                base.with_overrides({path: v})
            except ScenarioError as exc:
                raise ScenarioError(f"uncertainties.{path}: {exc}") from None
        out[path] = (lo, hi)
    return out


def robust_plan(
    paths: list[str | Path],
    table: pd.DataFrame,
    *,
    outputs: list[str],
    root_seed: int | None = None,
) -> Plan:
    """Every plan in every future: set = (future, plan), seed ``root + future``."""
    if len(paths) < 2:
        raise ScenarioError("robust needs a reference plan and at least one other plan")
    scenarios = [load_scenario(p) for p in paths]
    names = arm_names([s.name for s in scenarios], [Path(p).stem for p in paths])
    bases = {n: Base.of(s) for n, s in zip(names, scenarios, strict=True)}
    sets = []
    for f, row in enumerate(table.to_dict(orient="records")):
        over = {k: float(v) for k, v in row.items()}
        for n in names:
            labels = {"plan": n, "future": f}
            sets.append(RunSet(len(sets), n, over, labels, seed_offset=f))
    root = scenarios[0].seed if root_seed is None else root_seed
    return Plan(
        name="robust",
        bases=bases,
        sets=sets,
        replicates=1,
        outputs=[parse_output(o) for o in outputs],
        label_types={"plan": "str", "future": "int"},
        seed_policy="common",
        root_seed=root,
        meta={"kind": "robust", "plans": names, "futures": len(table)},
    )


def robustness(
    runs: pd.DataFrame, plans: list[str], output: str, goal_change: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per plan: outcome distribution, regret, satisficing share; per plan and
    future: outcome, regret, change against the reference, met)."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    wide = ok.pivot_table(index="future", columns="plan", values=output, aggfunc="first")
    wide = wide.reindex(columns=plans).dropna()
    best = wide.min(axis=1)
    ref = wide[plans[0]]
    long = []
    for p in plans:
        change = (wide[p] - ref) / ref.where(ref != 0)
        met = change <= goal_change if p != plans[0] else pd.Series(False, index=wide.index)
        long.append(
            pd.DataFrame(
                {
                    "plan": p,
                    "future": wide.index,
                    "outcome": wide[p].to_numpy(),
                    "regret": (wide[p] - best).to_numpy(),
                    "change": change.to_numpy(),
                    "met": met.to_numpy(),
                }
            )
        )
    per_future = pd.concat(long, ignore_index=True)
    rows = []
    for p in plans:
        sub = per_future[per_future["plan"] == p]
        q = np.quantile(sub["outcome"], [0.1, 0.5, 0.9])
        rows.append(
            {
                "plan": p,
                "futures": len(sub),
                "outcome_mean": float(sub["outcome"].mean()),
                "outcome_p10": float(q[0]),
                "outcome_p50": float(q[1]),
                "outcome_p90": float(q[2]),
                "regret_mean": float(sub["regret"].mean()),
                "regret_max": float(sub["regret"].max()),
                "best_in_share": float((sub["regret"] == 0).mean()),
                "satisficing_share": math.nan if p == plans[0] else float(sub["met"].mean()),
                "change_median": math.nan if p == plans[0] else float(sub["change"].median()),
            }
        )
    return pd.DataFrame(rows), per_future


def prim_box(
    X: pd.DataFrame,
    fail: np.ndarray,
    *,
    alpha: float = 0.1,
    min_support: float = 0.1,
    min_coverage: float = 0.5,
) -> dict[str, Any] | None:
    """Peel the box of ``X`` where ``fail`` concentrates (Friedman & Fisher 1999):
    at each step remove the ``alpha`` share of points at one side of one parameter
    that most raises the density of failures inside, until the box holds fewer
    than ``min_support`` of the points. Of the boxes on that trajectory, returns
    the densest that still holds ``min_coverage`` of the failures, with the
    parameters it restricts, its density and coverage (None: no failure)."""
    fail = np.asarray(fail, bool)
    if not fail.any():
        return None
    values = X.to_numpy(float)
    cols = list(X.columns)
    full = {c: [float(X[c].min()), float(X[c].max())] for c in cols}
    bounds = {c: list(v) for c, v in full.items()}
    inside = np.ones(len(X), bool)
    trajectory = [({c: list(v) for c, v in bounds.items()}, inside.copy())]
    while inside.mean() > min_support:
        choice = None
        for j, c in enumerate(cols):
            v = values[inside, j]
            for side, cut in (("low", np.quantile(v, alpha)), ("high", np.quantile(v, 1 - alpha))):
                keep = inside & ((values[:, j] >= cut) if side == "low" else (values[:, j] <= cut))
                if keep.sum() in (0, inside.sum()):
                    continue
                density = fail[keep].mean()
                if choice is None or density > choice[0]:
                    choice = (density, keep, c, side, float(cut))
        if choice is None:
            break
        _, inside, c, side, cut = choice
        bounds[c][0 if side == "low" else 1] = cut
        trajectory.append(({k: list(v) for k, v in bounds.items()}, inside.copy()))
    total = fail.sum()
    best = None
    for box, members in trajectory:
        coverage = fail[members].sum() / total
        density = fail[members].mean()
        if coverage >= min_coverage and (best is None or density > best[0]):
            best = (density, coverage, box, members)
    density, coverage, box, members = best
    return {
        "restricts": {c: box[c] for c in cols if box[c] != full[c]},
        "density": float(density),
        "coverage": float(coverage),
        "futures": int(members.sum()),
    }


def format_robust(summary: pd.DataFrame, output: str, goal_change: float, boxes: dict) -> str:
    """The robustness table and the futures of failure, as text."""
    lines = [
        f"{'plan':<24} {'mean':>9} {'p10':>9} {'p90':>9} {'regret':>9} {'max regret':>11} "
        f"{'best in':>8} {'meets goal':>11}",
    ]
    for r in summary.to_dict(orient="records"):
        goal = (
            "reference" if math.isnan(r["satisficing_share"]) else f"{r['satisficing_share']:.0%}"
        )
        lines.append(
            f"{r['plan']:<24} {r['outcome_mean']:>9.1f} {r['outcome_p10']:>9.1f} "
            f"{r['outcome_p90']:>9.1f} {r['regret_mean']:>9.1f} {r['regret_max']:>11.1f} "
            f"{r['best_in_share']:>8.0%} {goal:>11}"
        )
    lines.append(
        f"({output}, lower is better, over {int(summary['futures'].iloc[0])} futures; regret = "
        "the plan's outcome minus the best plan's in the same future; the goal: a change of "
        f"{goal_change:+.0%} or better against {summary['plan'].iloc[0]} in the same future)"
    )
    for plan, box in boxes.items():
        if box is None:
            lines.append(f"{plan}: meets the goal in every future")
            continue
        ranges = "; ".join(f"{k} in [{v[0]:.4g}, {v[1]:.4g}]" for k, v in box["restricts"].items())
        lines.append(
            f"{plan} fails most where {ranges or 'anywhere (no box concentrates failures)'}: "
            f"{box['density']:.0%} of those {box['futures']} futures fail, "
            f"holding {box['coverage']:.0%} of its failures"
        )
    return "\n".join(lines)
