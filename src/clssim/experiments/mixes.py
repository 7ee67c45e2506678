"""Searching intervention mixes under a budget: the Pareto front.

A *mix* shares a budget across the four CLS axes and proximity policing.
Each share buys one representative measure of its line (``LINES``), whose
capacity is what the share pays for over the implementation stage, at
catalogue costs:

    capacity = (share × budget − fixed cost) / (one-off per unit + cost per unit per month × months)

capped at what the line's target can absorb (``target_sizes``: the at-risk
youths the diagnosis lists, the 60 hot spots, the isolated elderly, the
residents, the contract's proximity staff), so no mix pays for places nobody
fills; the money a line cannot use is not spent.

Every mix is an arm of a comparison with the baseline (no contract), run
with common random numbers; the arms are compared on true crime and mean
insecurity in the last year and on cost. A mix is *Pareto-efficient* when no
other mix is at least as good on all three and better on one **with their
95 % intervals apart** (:func:`pareto_mask`): with a handful of replicates the
intervals are wide, and dominance on point estimates would let noise decide
the front (``pareto_point`` keeps that front for comparison).

Mixes are the five single-line plans, the equal split, and ``n`` random
shares drawn from a flat Dirichlet with a fixed seed, so the search is
reproducible.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clssim.clock import SLOTS_PER_DAY
from clssim.experiments.compare import paired_difference
from clssim.experiments.outputs import parse_output
from clssim.experiments.plan import Base, Plan, RunSet
from clssim.experiments.search import SearchResult, nsga2
from clssim.measures import AXES, MEASURES
from clssim.scenario import Scenario, ScenarioError

#: The measure each line buys, and its target.
LINES = {
    "youth": ("youth_programme", "group:at_risk_youths"),
    "cpted": ("street_lighting", "hotspots:60"),
    "social": ("elderly_visits", "group:isolated_elderly"),
    "citizenship": ("community_meetings", "group:residents"),
    "policing": ("proximity_beat", "all"),
}
OBJECTIVES = ("offences_true_last_year", "mean_insecurity_last_year", "cost_eur")
IMPLEMENTATION_DAYS = 540


def mix_shares(n_random: int, seed: int = 1) -> list[np.ndarray]:
    """Single-line mixes, the equal split, then ``n_random`` Dirichlet(1) mixes."""
    k = len(AXES)
    mixes = [np.eye(k)[i] for i in range(k)] + [np.full(k, 1.0 / k)]
    rng = np.random.default_rng(seed)
    mixes += list(rng.dirichlet(np.ones(k), size=n_random).round(3))
    return mixes


def target_sizes(baseline: Scenario, staff: int) -> dict[str, int]:
    """How many units each line's target holds in the baseline's population (its
    seed; other seeds' populations differ by a few people)."""
    from clssim.contract.diagnosis import AT_RISK_DECILE
    from clssim.model import CLSModel

    pop = CLSModel(baseline).population
    return {
        "youth": max(1, int(round(AT_RISK_DECILE * int(pop.youth.sum())))),
        "cpted": int(LINES["cpted"][1].split(":")[1]),
        "social": int(pop.isolated_elderly.sum()),
        "citizenship": pop.n,
        "policing": staff,
    }


def measures_for(
    shares: np.ndarray, budget: float, staff: int, limits: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """The plan a mix buys. A line's capacity is capped by ``limits`` (units its
    target can absorb, per axis) and proximity officers by ``staff``; lines whose
    share cannot pay the fixed cost and one unit are dropped."""
    months = IMPLEMENTATION_DAYS / 30.0
    limits = limits or {}
    out = []
    for axis, share in zip(AXES, shares, strict=True):
        kind, target = LINES[axis]
        c = MEASURES[kind]
        money = share * budget - c.fixed_eur
        per_unit = c.unit_fixed_eur + c.unit_month_eur * months
        if share <= 0 or money < 0 or (money == 0 and per_unit > 0):
            continue
        # a line without cash cost per unit (officers moved, not hired) takes all it can
        capacity = math.floor(money / per_unit) if per_unit > 0 else 10**6
        if c.uses_officers:
            capacity = min(capacity, staff)
        capacity = min(capacity, limits.get(axis, capacity))
        if capacity < 1:
            continue
        measure = {"kind": kind, "capacity": float(capacity), "end_day": IMPLEMENTATION_DAYS}
        if target != "all":
            measure["target"] = target
        out.append(measure)
    return out


def mix_name(shares: np.ndarray) -> str:
    """A mix's arm name: its shares, in ``AXES`` order."""
    return "mix-" + "-".join(f"{s:.2f}" for s in shares)


def mixes_plan(
    baseline: Scenario,
    *,
    budget: float,
    n_random: int = 0,
    replicates: int,
    staff: int | None = None,
    root_seed: int | None = None,
    mix_seed: int = 1,
    fixed_effects: bool = False,
    shares: list[np.ndarray] | None = None,
    limits: dict[str, int] | None = None,
) -> Plan:
    """The comparison of the baseline with every affordable mix: ``shares`` when
    given (in order: a mix keeps its set index as more are appended), else the
    fixed mixes and ``n_random`` random ones. Each run draws the mixes' measure
    effects from their calibrated uncertainty (one draw per seed and kind,
    common to every mix of a replicate); ``fixed_effects`` runs them at the
    calibrated medians. ``limits`` are the lines' target sizes
    (:func:`target_sizes`, which builds the baseline's population), when known."""
    if baseline.contract is not None:
        raise ScenarioError(
            f"{baseline.name}: the baseline of a mix search must have no [contract]"
        )
    if not (math.isfinite(budget) and budget > 0):
        raise ScenarioError(f"option --budget = {budget:g}: must be a positive number of euros")
    if replicates < 2:
        raise ScenarioError(f"option --replicates = {replicates}: need at least 2")
    staff = min(4, baseline.police.officers) if staff is None else staff
    _check_horizon(baseline, staff, budget)
    limits = target_sizes(baseline, staff) if limits is None else limits
    sets = [RunSet(0, "baseline", {}, {"arm": "baseline", **dict.fromkeys(AXES, 0.0)})]
    for mix in mix_shares(n_random, mix_seed) if shares is None else shares:
        plan = measures_for(mix, budget, staff, limits)
        if not plan:
            continue
        contract = {"budget_eur": float(budget), "staff": staff, "measures": plan}
        contract["effects"] = "central" if fixed_effects else "evidence"
        baseline.with_overrides({"contract": contract})  # refuse a bad mix before any run
        labels = {"arm": mix_name(mix), **{a: float(x) for a, x in zip(AXES, mix, strict=True)}}
        sets.append(RunSet(len(sets), "baseline", {"contract": contract}, labels))
    if len(sets) == 1:
        months = IMPLEMENTATION_DAYS / 30.0
        cheapest = min(
            MEASURES[k].fixed_eur + MEASURES[k].unit_fixed_eur + MEASURES[k].unit_month_eur * months
            for k, _ in LINES.values()
        )
        raise ScenarioError(
            f"option --budget = {budget:g}: buys no measure; the cheapest line needs at least "
            f"€{math.ceil(cheapest):,} for one unit over {IMPLEMENTATION_DAYS} days"
        )
    outputs = [parse_output(o) for o in OBJECTIVES]
    return Plan(
        name="mixes",
        bases={"baseline": Base.of(baseline)},
        sets=sets,
        replicates=replicates,
        outputs=outputs,
        label_types={"arm": "str", **dict.fromkeys(AXES, "float")},
        seed_policy="common",
        root_seed=baseline.seed if root_seed is None else root_seed,
        meta={
            "kind": "mixes",
            "budget_eur": budget,
            "staff": staff,
            "effects": "central" if fixed_effects else "evidence",
        },
    )


def search_mixes(
    make_plan: Callable[[list[np.ndarray]], Plan],
    executor: Any,
    *,
    population: int,
    generations: int,
    seed: int = 1,
    journal: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Plan, dict[tuple[int, int], dict[str, Any]], SearchResult]:
    """Search the mixes with NSGA-II (:mod:`clssim.experiments.search`).

    A generation's new mixes are appended to the plan (``make_plan(shares)``)
    and only their runs are made (on ``executor``: the local pool or Dask);
    a mix's objectives are its paired changes of offences and insecurity in the
    last year against the baseline and its cost (a mix that buys nothing is
    the baseline: no change, no cost). The search starts from the five
    single-line mixes and the equal split. With ``journal``, every run is
    appended to it as it finishes, and runs found there are not made again, so
    a killed search resumes where it stopped. Returns the plan of every mix
    evaluated, its runs by (set, seed), and the search's record."""
    from clssim.experiments.precision import CachedExecutor, runs_frame

    cache = _journal_runs(journal)
    cached = CachedExecutor(executor, cache)
    evaluated: list[np.ndarray] = []
    generation = [0]

    def evaluate(batch: np.ndarray) -> np.ndarray:
        evaluated.extend(np.asarray(batch))
        plan = make_plan(evaluated)
        before = set(cache)
        fh = journal.open("a", encoding="utf-8") if journal is not None else None
        try:
            for res in cached.map_unordered(plan.tasks()):
                if res["status"] != "ok":
                    raise RuntimeError(f"a run failed: {res.get('error')}")
                key = plan.row_keys(res["run_id"])
                if fh is not None and (key["set_index"], key["seed"]) not in before:
                    rec = {"set_index": key["set_index"], "seed": key["seed"], "result": res}
                    fh.write(json.dumps(rec) + "\n")
                    fh.flush()
        finally:
            if fh is not None:
                fh.close()
        table = evaluate_mixes(runs_frame(plan, cache)).set_index("arm")
        out = []
        for x in batch:
            name = mix_name(x)
            if name in table.index:
                row = table.loc[name]
                out.append(
                    [row["offences_true_change"], row["mean_insecurity_change"], row["cost_eur"]]
                )
            else:  # buys nothing: the baseline
                out.append([0.0, 0.0, 0.0])
        if progress is not None:
            progress(f"generation {generation[0]}: {len(batch)} new mixes, {len(evaluated)} in all")
        generation[0] += 1
        return np.array(out, dtype=float)

    k = len(AXES)
    start = [np.eye(k)[i] for i in range(k)] + [np.full(k, 1.0 / k)]
    result = nsga2(
        evaluate, k, population=population, generations=generations, seed=seed, initial=start
    )
    return make_plan(evaluated), cache, result


def _journal_runs(journal: Path | None) -> dict[tuple[int, int], dict[str, Any]]:
    """The runs a search journal holds, by (set, seed) (a torn last line is ignored)."""
    from clssim.experiments.store import read_journal

    if journal is None:
        return {}
    return {(int(r["set_index"]), int(r["seed"])): r["result"] for r in read_journal(journal)}


def _check_horizon(baseline: Scenario, staff: int, budget: float) -> None:
    """The run must last until the end of implementation (the last-year window)."""
    from clssim.scenario.contract import ContractConfig

    cfg = ContractConfig(budget_eur=budget, staff=staff)
    end_day = cfg.schedule()["implementation"] + IMPLEMENTATION_DAYS
    days = baseline.steps // SLOTS_PER_DAY
    if days < end_day:
        raise ScenarioError(
            f"{baseline.name}: time.years = {baseline.time.years:g} ({days} days) ends before "
            f"the mixes' implementation does (day {end_day}); use a baseline of at least "
            f"{math.ceil(end_day / 365 * 100) / 100:g} years (e.g. --years)"
        )


def evaluate_mixes(runs: pd.DataFrame) -> pd.DataFrame:
    """Per mix: shares, paired changes against the baseline with 95% CIs, cost,
    and whether it is Pareto-efficient (fewer offences, less fear, lower cost)."""
    ok = runs[runs["status"] == "ok"]
    rows = []
    for arm, group in ok.groupby("arm", sort=False):
        if arm == "baseline":
            continue
        row: dict[str, Any] = {"arm": arm}
        row |= {a: float(group[a].iloc[0]) for a in AXES}
        for output in OBJECTIVES[:2]:
            p = ok.pivot_table(index="replicate", columns="arm", values=output, aggfunc="first")
            d = paired_difference(p["baseline"].to_numpy(), p[arm].to_numpy())
            short = output.removesuffix("_last_year")
            row[f"{short}_change"] = d["diff"]
            row[f"{short}_ci_low"] = d["ci_low"]
            row[f"{short}_ci_high"] = d["ci_high"]
        row["cost_eur"] = float(group["cost_eur"].mean())
        row["replicates"] = int(len(group))
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    cols = ["offences_true", "mean_insecurity"]
    point = table[[f"{c}_change" for c in cols] + ["cost_eur"]].to_numpy(float)
    low = table[[f"{c}_ci_low" for c in cols] + ["cost_eur"]].to_numpy(float)
    high = table[[f"{c}_ci_high" for c in cols] + ["cost_eur"]].to_numpy(float)
    # a mix is dominated only by one whose intervals lie apart from its own, better
    table["pareto"] = pareto_mask(point, low, high)
    table["pareto_point"] = pareto_mask(point)  # on point estimates alone (for comparison)
    return table


def pareto_mask(
    values: np.ndarray, low: np.ndarray | None = None, high: np.ndarray | None = None
) -> np.ndarray:
    """Rows not dominated by any other row (every column: lower is better).

    With ``low`` and ``high`` (each row's interval per column), row j dominates
    row i only where the intervals separate: j's upper bound is at or below
    i's lower bound in every column, and strictly below in one. Noise then
    never decides a dominance; mixes whose intervals overlap stay on the
    front together (NaN bounds dominate nothing)."""
    if low is None or high is None:
        low = high = values
    low, high = np.asarray(low, float), np.asarray(high, float)
    n = values.shape[0]
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        better_eq = (high <= low[i]).all(axis=1)
        strictly = (high < low[i]).any(axis=1)
        if (better_eq & strictly).any():
            keep[i] = False
    return keep


def pareto_plot(table: pd.DataFrame, path: Path) -> Path:
    """Offences prevented vs insecurity reduced; marker shade = cost; front ringed."""
    from clssim.style import export, figure

    fig, ax = figure(figsize=(6.6, 4.6))
    x = -table["offences_true_change"]
    y = -table["mean_insecurity_change"]
    ax.errorbar(  # every mix's paired 95 % intervals: the front is drawn with its noise
        x,
        y,
        xerr=[
            table["offences_true_ci_high"] - table["offences_true_change"],
            table["offences_true_change"] - table["offences_true_ci_low"],
        ],
        yerr=[
            table["mean_insecurity_ci_high"] - table["mean_insecurity_change"],
            table["mean_insecurity_change"] - table["mean_insecurity_ci_low"],
        ],
        fmt="none",
        ecolor="#999999",
        elinewidth=0.6,
        zorder=1,
    )
    sc = ax.scatter(
        x,
        y,
        c=table["cost_eur"] / 1000,
        cmap="cividis",
        s=36,
        edgecolors="black",
        linewidths=0.4,
        label="mix",
    )
    front = table[table["pareto"]]
    ax.scatter(
        -front["offences_true_change"],
        -front["mean_insecurity_change"],
        s=140,
        facecolors="none",
        edgecolors="#D55E00",
        linewidths=1.6,
        label="not dominated (intervals apart)",
    )
    for pos, r in zip(np.flatnonzero(table["pareto"].to_numpy()), front.itertuples(), strict=True):
        top = max(AXES, key=lambda a: getattr(r, a))
        label = top if getattr(r, top) >= 0.4 else "mixed"
        ax.annotate(
            f"#{pos + 1} {label}",  # the mix's number in mixes.csv and the console: unique
            (-r.offences_true_change, -r.mean_insecurity_change),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.axhline(0, color="black", lw=0.7)
    ax.axvline(0, color="black", lw=0.7)
    ax.set_xlabel("offences prevented in the last year (vs baseline)")
    ax.set_ylabel("reduction of mean insecurity (vs baseline)")
    ax.set_title("Intervention mixes under one budget")
    ax.legend(loc="best", fontsize=7)
    fig.colorbar(sc, ax=ax, label="cost (thousand €)")
    path.write_bytes(export(fig, path.stem, None))
    return path


def format_front(table: pd.DataFrame) -> str:
    """The Pareto-efficient mixes as a text table."""
    numbered = table.assign(number=np.arange(1, len(table) + 1))  # as on the chart
    front = numbered[numbered["pareto"]].sort_values("cost_eur")
    w = max(len(a) for a in AXES)
    head = "  ".join(f"{a:>{w}}" for a in AXES)
    lines = [
        f"{'#':>3}  {head}  {'Δ offences (95% CI)':>24}  {'Δ insecurity (95% CI)':>27}  "
        f"{'cost €':>9}"
    ]
    for r in front.itertuples():
        shares = f"{r.number:>3}  " + "  ".join(f"{getattr(r, a):>{w}.0%}" for a in AXES)
        off = (
            f"{r.offences_true_change:+.1f} [{r.offences_true_ci_low:+.1f}, "
            f"{r.offences_true_ci_high:+.1f}]"
        )
        fear = (
            f"{r.mean_insecurity_change:+.4f} [{r.mean_insecurity_ci_low:+.4f}, "
            f"{r.mean_insecurity_ci_high:+.4f}]"
        )
        lines.append(f"{shares}  {off:>24}  {fear:>27}  {r.cost_eur:9,.0f}")
    return "\n".join(lines)
