"""Comparisons with common random numbers: arms run with the same seeds.

``clssim compare BASELINE.toml VARIANT.toml [...] --replicates N`` runs every
arm (a scenario file) with the seeds ``root, root + 1, …, root + N − 1``:
replicate ``r`` of every arm sees the same random draws wherever the arms'
rules agree (same population, routines, first offenders …), so the paired
difference ``variant_r − baseline_r`` is free of most of the run-to-run noise
and a small effect shows with few replicates.

For every output the table gives each arm's mean and, against the baseline
(the first arm), the mean paired difference with a t-based confidence
interval (Student t, n − 1 degrees of freedom, over the replicates both arms
completed), its p-value, and the relative change (difference / baseline
mean; its interval is the difference's interval over the baseline mean,
ignoring the baseline mean's own uncertainty).

**Multiplicity.** A comparison tests every output of every arm against the
baseline; at 5 % each, one of twenty true nulls would be starred. The table
therefore adds ``p_adjusted``, corrected across the family of the
comparison's tests (every (output, arm) pair except costs, which are
accounting, not estimates): Holm's step-down method by default (it controls
the chance of any false claim), or Benjamini–Hochberg (the expected share
of false claims among those made) with ``multiplicity="bh"``. The star of
the printed table marks ``p_adjusted < 1 − level``; the intervals are not
adjusted (they are each output's own 95 % interval).

When the runs have a cost (``cost_eur``), cost-effectiveness is reported:
offences prevented and insecurity reduced per €10,000 of extra cost, each
with a paired bias-corrected and accelerated (BCa) bootstrap interval over
replicates (a ratio of means is skewed; the percentile interval covers it
less often than it claims, Efron 1987).

The core — :func:`paired_difference`, :func:`compare_table`,
:func:`cost_effectiveness` — works on any runs table with an arm column and a
replicate column, so a later search over budget mixes can evaluate candidate
mixes as arms and reuse it unchanged; :func:`compare_callable` runs the same
comparison on any Python function (the tests use a synthetic one with a known
effect).
"""

from __future__ import annotations

import inspect
import json
import math
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from clssim.experiments.outputs import COST_KEY, parse_output
from clssim.experiments.plan import Base, Plan, RunSet
from clssim.scenario import Scenario, ScenarioError, load_scenario

#: Outputs compared when none are asked for (those the model produces).
DEFAULT_OUTPUTS = (
    "offences_true",
    "offences_recorded",
    "recording_rate",
    "arrests",
    "victims",
    "mean_trust",
    "mean_insecurity",
    "afraid_share",
    "repeat_offenders",
    "offences_true_last_year",
    "mean_trust_last_year",
    "mean_insecurity_last_year",
)
COST = "cost_eur"
#: multiplicity corrections :func:`adjust_p` knows
MULTIPLICITY = ("holm", "bh", "none")
#: Cost-effectiveness: output → (what a fall of it is called, sign of "good").
EFFECTS = {
    "offences_true": "offences prevented",
    "mean_insecurity": "insecurity reduced",
    "offences_true_last_year": "offences prevented in the last year",
    "mean_insecurity_last_year": "insecurity reduced in the last year",
}
PER_EUR = 10_000


def paired_difference(
    baseline: np.ndarray, variant: np.ndarray, level: float = 0.95
) -> dict[str, float]:
    """Mean of ``variant − baseline`` over pairs where both are finite, with a
    t-based confidence interval at ``level``, p-value, and relative change."""
    baseline = np.asarray(baseline, dtype=float)
    variant = np.asarray(variant, dtype=float)
    ok = np.isfinite(baseline) & np.isfinite(variant)
    b, v = baseline[ok], variant[ok]
    n = int(ok.sum())
    out = {
        "n": n,
        "baseline_mean": float(b.mean()) if n else math.nan,
        "mean": float(v.mean()) if n else math.nan,
        "diff": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "p_value": math.nan,
        "rel_change": math.nan,
        "rel_ci_low": math.nan,
        "rel_ci_high": math.nan,
    }
    if n == 0:
        return out
    d = v - b
    out["diff"] = float(d.mean())
    if n >= 2:
        sd = float(d.std(ddof=1))
        half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
        out["ci_low"], out["ci_high"] = out["diff"] - half, out["diff"] + half
        if sd > 0:
            t = out["diff"] / (sd / math.sqrt(n))
            out["p_value"] = float(2 * stats.t.sf(abs(t), n - 1))
        else:
            out["p_value"] = 1.0 if out["diff"] == 0 else 0.0
    base = out["baseline_mean"]
    if base != 0:
        scale = abs(base)
        out["rel_change"] = out["diff"] / scale
        out["rel_ci_low"] = out["ci_low"] / scale
        out["rel_ci_high"] = out["ci_high"] / scale
    return out


def adjust_p(p: np.ndarray, method: str = "holm") -> np.ndarray:
    """P-values adjusted for multiplicity across the finite entries of ``p``:
    Holm's step-down (family-wise error), Benjamini–Hochberg (false discovery
    rate) or ``none``; NaN stays NaN."""
    if method not in MULTIPLICITY:
        raise ValueError(f"multiplicity {method!r}; allowed: {', '.join(MULTIPLICITY)}")
    p = np.asarray(p, dtype=float)
    out = p.copy()
    ok = np.isfinite(p)
    m = int(ok.sum())
    if method == "none" or m == 0:
        return out
    q = p[ok]
    if method == "bh":
        out[ok] = stats.false_discovery_control(q, method="bh")
        return out
    order = np.argsort(q, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * q[order])
    holm = np.empty(m)
    holm[order] = np.minimum(stepped, 1.0)
    out[ok] = holm
    return out


def _pivot(runs: pd.DataFrame, arm_col: str, output: str) -> pd.DataFrame:
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    return ok.pivot_table(index="replicate", columns=arm_col, values=output, aggfunc="first")


def compare_table(
    runs: pd.DataFrame,
    arms: list[str],
    outputs: list[str],
    *,
    arm_col: str = "arm",
    level: float = 0.95,
    multiplicity: str = "holm",
) -> pd.DataFrame:
    """One row per (output, arm): the arm's mean and, for every arm but the first
    (the baseline), the paired difference against the baseline, with its p-value
    adjusted across the comparison's tests (``p_adjusted``, see the module text)."""
    rows = []
    for output in outputs:
        wide = _pivot(runs, arm_col, output).reindex(columns=arms)
        base = wide[arms[0]].to_numpy(dtype=float)
        for i, arm in enumerate(arms):
            values = wide[arm].to_numpy(dtype=float)
            finite = values[np.isfinite(values)]
            row = {
                "output": output,
                "arm": arm,
                "baseline": i == 0,
                "runs": int(finite.size),
                "arm_mean": float(finite.mean()) if finite.size else math.nan,
                "arm_sd": float(finite.std(ddof=1)) if finite.size > 1 else math.nan,
            }
            if i:
                pd_ = paired_difference(base, values, level)
                row |= {
                    "pairs": pd_["n"],
                    "diff": pd_["diff"],
                    "ci_low": pd_["ci_low"],
                    "ci_high": pd_["ci_high"],
                    "p_value": pd_["p_value"],
                    "rel_change": pd_["rel_change"],
                    "rel_ci_low": pd_["rel_ci_low"],
                    "rel_ci_high": pd_["rel_ci_high"],
                }
            rows.append(row)
    table = pd.DataFrame(rows)
    for col in ("pairs", "diff", "ci_low", "ci_high", "p_value", "rel_change"):
        if col not in table:
            table[col] = math.nan
    # costs are accounting, not estimates: outside the family (the harm averted is in it)
    family = (~table["baseline"]) & ~table["output"].map(lambda o: bool(COST_KEY.match(o)))
    table["p_adjusted"] = math.nan
    table.loc[family, "p_adjusted"] = adjust_p(
        table.loc[family, "p_value"].to_numpy(dtype=float), multiplicity
    )
    table.attrs["multiplicity"] = multiplicity
    table.attrs["tests"] = int(np.isfinite(table.loc[family, "p_value"]).sum())
    return table


def cost_effectiveness(
    runs: pd.DataFrame,
    arms: list[str],
    *,
    arm_col: str = "arm",
    cost: str = COST,
    effects: dict[str, str] | None = None,
    per: float = PER_EUR,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per arm (against the baseline): extra cost and, for every effect output,
    the reduction per ``per`` euros of extra cost, with a paired bootstrap CI.

    Empty when the runs have no ``cost`` column.
    """
    effects = EFFECTS if effects is None else effects
    if cost not in runs:
        return pd.DataFrame()
    rng = np.random.default_rng(seed)
    costs = _pivot(runs, arm_col, cost).reindex(columns=arms)
    rows = []
    for arm in arms[1:]:
        dc_all = (costs[arm] - costs[arms[0]]).to_numpy(dtype=float)
        for output, label in effects.items():
            if output not in runs:
                continue
            vals = _pivot(runs, arm_col, output).reindex(columns=arms, index=costs.index)
            de_all = (vals[arms[0]] - vals[arm]).to_numpy(dtype=float)  # reduction
            ok = np.isfinite(dc_all) & np.isfinite(de_all)
            dc, de = dc_all[ok], de_all[ok]
            n = int(ok.sum())
            extra = float(dc.mean()) if n else math.nan
            ratio, lo, hi = ratio_ci(de, dc, per, level, n_boot, rng)
            rows.append(
                {
                    "arm": arm,
                    "pairs": n,
                    "extra_cost_eur": extra,
                    "effect": label,
                    "output": output,
                    "reduction": float(de.mean()) if n else math.nan,
                    f"per_{int(per)}_eur": ratio,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return pd.DataFrame(rows)


def ratio_ci(
    effect: np.ndarray,
    cost: np.ndarray,
    per: float,
    level: float,
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[float, float, float]:
    """``mean(effect) / mean(cost) × per`` over paired replicates, with a paired
    BCa bootstrap interval (Efron 1987; ``scipy.stats.bootstrap``), or the
    percentile interval where BCa is undefined (every resample alike); NaN
    without a positive extra cost."""
    n = effect.size
    extra = float(cost.mean()) if n else math.nan
    if not n or not extra > 0:
        return math.nan, math.nan, math.nan
    ratio = float(effect.mean() / extra * per)
    lo = hi = math.nan
    if n < 2:
        return ratio, lo, hi

    def statistic(e: np.ndarray, c: np.ndarray, axis: int = -1) -> np.ndarray:
        mc = c.mean(axis=axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(mc > 0, e.mean(axis=axis) / mc * per, np.nan)

    if np.ptp(effect) == 0 and np.ptp(cost) == 0:  # no spread: the ratio is exact
        return ratio, ratio, ratio
    seed = int(rng.integers(2**32))
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degenerate BCa: fall back below
            res = stats.bootstrap(
                (effect, cost),
                statistic,
                paired=True,
                vectorized=True,
                n_resamples=n_boot,
                confidence_level=level,
                method=method,
                rng=np.random.default_rng(seed),
            )
        lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
        if math.isfinite(lo) and math.isfinite(hi):
            break
    return ratio, lo, hi


#: the social cost of true crime over the run (central, low and high unit costs)
HARM, HARM_LOW, HARM_HIGH = "harm_eur", "harm_eur_low", "harm_eur_high"


def benefit_cost(
    runs: pd.DataFrame,
    arms: list[str],
    *,
    arm_col: str = "arm",
    cost: str = COST,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per arm against the baseline: the extra cash cost, the social cost of crime
    averted (``harm_eur``: true offences × the cost of one offence of each type,
    ``clssim.evidence.harms``) with a paired t interval, and the benefit–cost
    ratio (harm averted per euro spent) with a paired bootstrap interval; the
    ratio also at the low and high unit costs of crime. Empty without costs."""
    if cost not in runs or HARM not in runs:
        return pd.DataFrame()
    rng = np.random.default_rng(seed)
    costs = _pivot(runs, arm_col, cost).reindex(columns=arms)
    harm = {
        k: _pivot(runs, arm_col, k).reindex(columns=arms, index=costs.index)
        for k in (HARM, HARM_LOW, HARM_HIGH)
        if k in runs
    }
    rows = []
    for arm in arms[1:]:
        dc_all = (costs[arm] - costs[arms[0]]).to_numpy(dtype=float)
        averted = {k: (h[arms[0]] - h[arm]).to_numpy(dtype=float) for k, h in harm.items()}
        ok = np.isfinite(dc_all) & np.isfinite(averted[HARM])
        dc, da = dc_all[ok], averted[HARM][ok]
        d = paired_difference(np.zeros(ok.sum()), da, level) if ok.any() else {}
        ratio, lo, hi = ratio_ci(da, dc, 1.0, level, n_boot, rng)
        row = {
            "arm": arm,
            "pairs": int(ok.sum()),
            "extra_cost_eur": float(dc.mean()) if ok.any() else math.nan,
            "harm_averted_eur": d.get("diff", math.nan),
            "harm_ci_low": d.get("ci_low", math.nan),
            "harm_ci_high": d.get("ci_high", math.nan),
            "benefit_cost_ratio": ratio,
            "bcr_ci_low": lo,
            "bcr_ci_high": hi,
        }
        for k, name in ((HARM_LOW, "bcr_at_low_unit_costs"), (HARM_HIGH, "bcr_at_high_unit_costs")):
            if k in averted:
                extra = row["extra_cost_eur"]
                mean = float(averted[k][ok].mean()) if ok.any() else math.nan
                row[name] = mean / extra if extra > 0 else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _takes_seed(func: Callable) -> bool:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return True
    params = list(sig.parameters.values())
    if any(p.kind == p.VAR_POSITIONAL for p in params) or "seed" in sig.parameters:
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2


def call(func: Callable, params: dict[str, Any], seed: int, takes_seed: bool) -> dict[str, float]:
    """``func(params, seed)`` (or ``func(params)``) as a dict of floats."""
    out = func(params, seed) if takes_seed else func(params)
    if isinstance(out, dict):
        return {k: float(v) for k, v in out.items()}
    return {"y": float(out)}


def compare_callable(
    func: Callable,
    arms: dict[str, dict[str, Any]],
    *,
    replicates: int,
    root_seed: int = 1,
    level: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare arms (name → parameters) of any function ``func(params, seed) →
    {output: value}`` with common random numbers. Returns (runs, table)."""
    takes_seed = _takes_seed(func)
    rows = []
    for arm, params in arms.items():
        for r in range(replicates):
            rows.append(
                {
                    "arm": arm,
                    "replicate": r,
                    "seed": root_seed + r,
                    "status": "ok",
                    **call(func, params, root_seed + r, takes_seed),
                }
            )
    runs = pd.DataFrame(rows)
    outputs = [c for c in runs.columns if c not in ("arm", "replicate", "seed", "status")]
    return runs, compare_table(runs, list(arms), outputs, level=level)


# ------------------------------------------------------------------ scenarios


def arm_names(names: list[str], stems: list[str]) -> list[str]:
    """Unique arm names, safe as directory names: the scenarios' names, else file
    names, else numbered."""
    names = [re.sub(r"[^\w.-]+", "_", n).strip("._") or "arm" for n in names]
    stems = [re.sub(r"[^\w.-]+", "_", n).strip("._") or "arm" for n in stems]
    if len(set(names)) == len(names):
        return names
    if len(set(stems)) == len(stems):
        return stems
    return [f"{s}-{i + 1}" for i, s in enumerate(stems)]


def fixed(scenario: Scenario) -> Scenario:
    """``scenario`` with its measures' effects at their calibrated medians."""
    if scenario.contract is None:
        return scenario
    return scenario.with_overrides({"contract.effects": "central"})


#: suffix of the base of an arm's fixed-effect runs (``runs/ARM.fixed/``)
FIXED_SUFFIX = ".fixed"


def evidence_varies(scenario: Scenario) -> bool:
    """Do the runs of ``scenario`` draw some measure's effects from the shipped
    calibration (so that they differ from its fixed-effect runs)?"""
    from clssim.evidence.calibration import load_calibration

    c = scenario.contract
    if c is None or c.effects != "evidence":
        return False
    kinds = load_calibration().get("kinds", {})
    for m in c.measures:
        params = kinds.get(m.kind, {}).get("params", {})
        if set(params) - set(m.effects):  # a calibrated parameter not set by hand
            return True
    return False


def compare_plan(
    paths: list[str | Path],
    *,
    replicates: int,
    outputs: list[str] | None = None,
    root_seed: int | None = None,
    run_files: str | Path | None = None,
    fixed_effects: bool = False,
) -> Plan:
    """The plan of a comparison: one parameter set per arm, common seeds.

    Each run draws its measures' effects from their calibrated uncertainty
    (``contract.effects = "evidence"``, one draw per seed and kind, so the arms
    of a replicate share their draws); ``fixed_effects`` runs every arm with the
    calibrated medians instead, leaving only the simulation's own noise.
    With evidence draws, every arm whose effects vary also runs with the same
    seeds at fixed effects (label ``effects = "fixed"``, base ``ARM.fixed``),
    so that :func:`uncertainty_table` can split each interval into the
    evidence's share and the simulation's.

    ``outputs`` are compared (default: :data:`DEFAULT_OUTPUTS` the arms produce,
    and their costs); every numeric summary key the arms share is collected as
    well, so ``runs.parquet`` holds each run's whole summary. With ``run_files``
    every run also writes its files to ``run_files/runs/<arm>/seed-<seed>/``.
    """
    from clssim.experiments.spec import check_outputs, probe_outputs

    if len(paths) < 2:
        raise ScenarioError("compare needs a baseline and at least one variant scenario")
    if replicates < 2:
        raise ScenarioError(
            f"option --replicates = {replicates}: need at least 2 for a confidence interval"
        )
    scenarios = [fixed(load_scenario(p)) if fixed_effects else load_scenario(p) for p in paths]
    names = arm_names([s.name for s in scenarios], [Path(p).stem for p in paths])
    probes = [set(probe_outputs(s)[0]) for s in scenarios]
    common = set.intersection(*probes)
    # cost keys of any arm: an arm without a contract costs 0
    costs = frozenset(k for p in probes for k in p if COST_KEY.match(k))
    if outputs is None:
        available = set(common)
        if max(s.time.years for s in scenarios) <= 1:  # the last year is the whole run
            available = {o for o in available if not o.endswith("_last_year")}
        outputs = [o for o in DEFAULT_OUTPUTS if o in available]
        outputs += sorted(k for k in costs if k == COST or k.startswith("spend_"))
    parsed = []
    for name in outputs:
        try:
            parsed.append(parse_output(name))
        except ValueError as exc:
            raise ScenarioError(f"option --outputs: {exc}") from None
    if len(set(outputs)) != len(outputs):
        raise ScenarioError("option --outputs: an output is listed twice")
    for path, scenario in zip(paths, scenarios, strict=True):
        check_outputs(parsed, scenario, f"option --outputs ({path})", also=costs)
    need = max((o.needs_days() for o in parsed), default=0)
    for path, scenario in zip(paths, scenarios, strict=True):
        days = math.ceil(scenario.steps / 4)
        if days < need:
            name = next(o.name for o in parsed if o.needs_days() == need)
            raise ScenarioError(
                f"option --outputs: {name!r} needs {need} days but {path} runs {days}"
            )
    collected = parsed + [parse_output(k) for k in sorted((common | costs) - set(outputs))]
    root = scenarios[0].seed if root_seed is None else root_seed
    bases = {n: Base.of(s) for n, s in zip(names, scenarios, strict=True)}
    mode = "fixed" if fixed_effects else "evidence"
    sets = [
        RunSet(index=i, base=n, overrides={}, labels={"arm": n, "effects": mode})
        for i, n in enumerate(names)
    ]
    split = [n for n, s in zip(names, scenarios, strict=True) if evidence_varies(s)]
    for n, s in zip(names, scenarios, strict=True):
        if n in split:
            bases[n + FIXED_SUFFIX] = Base.of(fixed(s))
            sets.append(RunSet(len(sets), n + FIXED_SUFFIX, {}, {"arm": n, "effects": "fixed"}))
    return Plan(
        name="compare",
        bases=bases,
        sets=sets,
        replicates=replicates,
        outputs=collected,
        label_types={"arm": "str", "effects": "str"},
        seed_policy="common",
        root_seed=root,
        meta={
            "kind": "compare",
            "arms": names,
            "effects": "central" if fixed_effects else "evidence",
            "split": split,  #: arms also run at fixed effects
            "compared": list(outputs),
            "files": [str(Path(p).resolve()) for p in paths],
        },
        run_files=None if run_files is None else str(Path(run_files).resolve()),
    )


def write_comparison(
    out: Path,
    plan: Plan,
    runs: pd.DataFrame,
    scenarios: dict[str, Any],
    level: float = 0.95,
    multiplicity: str = "holm",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write comparison.csv/json, cost_effectiveness.csv and arms/*.toml into ``out``."""
    from clssim.results import scenario_toml

    arms = plan.meta["arms"]
    runs, fixed_runs = evidence_and_fixed(runs)
    table = compare_table(runs, arms, plan.meta["compared"], level=level, multiplicity=multiplicity)
    ce = cost_effectiveness(runs, arms, level=level)
    bc = benefit_cost(runs, arms, level=level)
    table.to_csv(out / "comparison.csv", index=False)
    if not ce.empty:
        ce.to_csv(out / "cost_effectiveness.csv", index=False)
    if not bc.empty:
        bc.to_csv(out / "benefit_cost.csv", index=False)
    split = pd.DataFrame()
    if fixed_runs is not None:
        split = uncertainty_table(runs, fixed_runs, arms, plan.meta["compared"], level=level)
        split.to_csv(out / "uncertainty.csv", index=False)
    payload = {
        "baseline": arms[0],
        "arms": arms,
        "replicates": plan.replicates,
        "seeds": [plan.seed(0, r) for r in range(plan.replicates)],
        "outputs": plan.meta["compared"],
        "run_files": plan.run_files is not None,
        "confidence_level": level,
        "multiplicity": {"method": multiplicity, "tests": table.attrs.get("tests", 0)},
        "comparison": _records(table),
        "cost_effectiveness": _records(ce),
        "benefit_cost": _records(bc),
        "effects": plan.meta.get("effects", "evidence"),
        "uncertainty": _records(split),
    }
    (out / "comparison.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    (out / "arms").mkdir(exist_ok=True)
    for name, scenario in scenarios.items():
        (out / "arms" / f"{name}.toml").write_text(scenario_toml(scenario), encoding="utf-8")
    return table, ce


def evidence_and_fixed(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The comparison's runs (evidence draws, or fixed effects under
    ``--fixed-effects``) and, when the plan split the uncertainty, every arm's
    runs at fixed effects (an arm whose effects do not vary is its own)."""
    if "effects" not in runs or not (runs["effects"] == "evidence").any():
        return runs, None  # fixed effects only (--fixed-effects)
    main = runs[runs["effects"] == "evidence"]
    if len(main) == len(runs):
        return main, None
    split = set(runs.loc[runs["effects"] == "fixed", "arm"])
    fixed_runs = pd.concat(
        [runs[runs["effects"] == "fixed"], main[~main["arm"].isin(split)]], ignore_index=True
    )
    return main, fixed_runs


def uncertainty_table(
    runs: pd.DataFrame,
    fixed_runs: pd.DataFrame,
    arms: list[str],
    outputs: list[str],
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """Per (output, variant arm): the CI half-width of the paired difference
    with the evidence's uncertainty (``total``) and with fixed effects
    (``simulation``), and the evidence's share of the difference's variance,
    ``1 − var_fixed / var_total`` (0 when the fixed runs vary more, by chance).

    The same seeds run both ways, so the two variances differ by what the
    effect draws add: a share near 1 says more replicates will not narrow the
    interval much — better evidence would."""
    rows = []
    for output in outputs:
        total = _pivot(runs, "arm", output).reindex(columns=arms)
        sim = _pivot(fixed_runs, "arm", output).reindex(columns=arms)
        for arm in arms[1:]:
            a = paired_difference(total[arms[0]].to_numpy(float), total[arm].to_numpy(float), level)
            b = paired_difference(sim[arms[0]].to_numpy(float), sim[arm].to_numpy(float), level)
            half_t = (a["ci_high"] - a["ci_low"]) / 2
            half_s = (b["ci_high"] - b["ci_low"]) / 2
            var_t = (total[arm] - total[arms[0]]).var(ddof=1)
            var_s = (sim[arm] - sim[arms[0]]).var(ddof=1)
            share = max(0.0, 1.0 - var_s / var_t) if var_t > 0 else math.nan
            rows.append(
                {
                    "output": output,
                    "arm": arm,
                    "diff": a["diff"],
                    "diff_fixed": b["diff"],
                    "half_width_total": half_t,
                    "half_width_simulation": half_s,
                    "evidence_share": share,
                }
            )
    return pd.DataFrame(rows)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append(
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else _plain(v))
                for k, v in rec.items()
            }
        )
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    return None if isinstance(v, float) and not math.isfinite(v) else v


def format_table(table: pd.DataFrame, level: float = 0.95) -> str:
    """The comparison as text (one block per output)."""
    pct = f"{level:.0%}"
    width_o = max(6, *(len(o) for o in table["output"]))
    width_a = max(3, *(len(a) for a in table["arm"]))
    head = (
        f"{'output':<{width_o}}  {'arm':<{width_a}}  {'mean':>10}  "
        f"{'difference [' + pct + ' CI]':<34}  change"
    )
    lines = [head]
    last = None
    for rec in table.to_dict(orient="records"):
        out = rec["output"] if rec["output"] != last else ""
        last = rec["output"]
        eur = rec["output"].endswith("_eur")  # money: whole euros, not 3.439e+05
        mean = _num(rec["arm_mean"], eur=eur)
        line = f"{out:<{width_o}}  {rec['arm']:<{width_a}}  {mean:>10}"
        if not rec["baseline"]:
            diff = _ci(rec["diff"], rec["ci_low"], rec["ci_high"], eur=eur)
            p_adj = rec.get("p_adjusted", math.nan)
            sig = " *" if math.isfinite(p_adj) and p_adj < 1 - level else ""
            rel = rec["rel_change"]
            rel_s = f"{rel:+.1%}" if math.isfinite(rel) else "n/a"
            line += f"  {diff:<34}  {rel_s}{sig}"
        lines.append(line)
    method = table.attrs.get("multiplicity", "holm")
    tests = table.attrs.get("tests", 0)
    name = {"holm": "Holm", "bh": "Benjamini–Hochberg"}.get(method)
    if name:
        lines.append(
            f"(* {name}-adjusted p < {1 - level:.2g} across the comparison's {tests} tests, "
            f"costs excluded; intervals are each output's own {pct} interval)"
        )
    else:
        lines.append(f"(* unadjusted p < {1 - level:.2g}: {tests} tests, no correction)")
    return "\n".join(lines)


def format_ce(ce: pd.DataFrame) -> str:
    col = next(c for c in ce.columns if c.startswith("per_"))
    lines = [f"cost-effectiveness (per €{PER_EUR:,} of extra cost, 95% BCa bootstrap CI):"]
    for rec in ce.to_dict(orient="records"):
        lines.append(
            f"  {rec['arm']}: +€{rec['extra_cost_eur']:,.0f}; {rec['effect']}: "
            f"{_num(rec[col])} [{_num(rec['ci_low'])}, {_num(rec['ci_high'])}]"
        )
    return "\n".join(lines)


def format_bc(bc: pd.DataFrame) -> str:
    """The benefit–cost lines of the console output."""
    lines = [
        "benefit–cost (social cost of crime averted per € of extra cost; harm: true "
        "offences × the cost of one offence, Portugal 2024 €):"
    ]
    for r in bc.to_dict(orient="records"):
        harm = _ci(r["harm_averted_eur"], r["harm_ci_low"], r["harm_ci_high"], eur=True)
        lo, hi = r.get("bcr_at_low_unit_costs"), r.get("bcr_at_high_unit_costs")
        lines.append(
            f"  {r['arm']}: harm averted €{harm}; ratio {_num(r['benefit_cost_ratio'])} "
            f"[{_num(r['bcr_ci_low'])}, {_num(r['bcr_ci_high'])}] "
            f"(at low–high unit costs of crime: {_num(lo)}–{_num(hi)})"
        )
    return "\n".join(lines)


def _ci(diff: float, lo: float, hi: float, eur: bool = False) -> str:
    """``diff [lo, hi]`` rounded to two significant digits of the half-width
    (whole euros with thousands separators for money)."""
    if not all(math.isfinite(v) for v in (diff, lo, hi)):
        return f"{_num(diff, sign=True, eur=eur)} [n/a]"
    if eur:
        return f"{diff:+,.0f} [{lo:+,.0f}, {hi:+,.0f}]"
    half = (hi - lo) / 2
    if half <= 0:  # no spread: the arms differ by a constant
        return f"{diff:+.6g} [{lo:+.6g}, {hi:+.6g}]"
    dec = min(max(0, 1 - math.floor(math.log10(half))), 8)
    return f"{diff:+.{dec}f} [{lo:+.{dec}f}, {hi:+.{dec}f}]"


def _num(x: float, sign: bool = False, eur: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    if eur:
        return f"{x:+,.0f}" if sign else f"{x:,.0f}"
    return f"{x:+.4g}" if sign else f"{x:.4g}"
