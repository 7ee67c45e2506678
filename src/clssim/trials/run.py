"""Running virtual trials: one replicate, many replicates, and the comparison
with the evidence card.

:func:`run_replicate` is a pure function of its task (kind, seed, settings,
effect parameters), so replicates give the same numbers on any executor and
in any order. :func:`run_trial` runs ``replicates`` of them and summarises
each outcome of the measure's evidence card (its evaluated outcomes and its
priors): the mean simulated effect with its 95 % CI across replicates,
computed on the metric's natural scale (:mod:`clssim.evidence.metrics`),
beside the evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from clssim.clock import SLOTS_PER_DAY
from clssim.evidence import Card, load_cards
from clssim.evidence.metrics import from_scale, to_scale
from clssim.model import CLSModel
from clssim.population import R_EMPLOYED, R_STUDENT
from clssim.scenario import Scenario, scenario_from_dict
from clssim.trials.design import (
    TrialSettings,
    Unallocatable,
    allocate_people,
    allocate_places,
    measure_class,
    trial_scenario,
    units_for,
)
from clssim.trials.outcomes import (
    OFFENCE_TYPES,
    STATE,
    better_up,
    compare_groups,
    did_counts,
    state_change,
)

#: officers a force trial of a measure that uses officers moves (a contract's default staff)
PROXIMITY_OFFICERS = 4
#: salt of the allocation stream (independent of every model stream)
ALLOCATION_SALT = 0x7A11


@dataclass(frozen=True)
class Row:
    """One outcome of a trial: what the model gives and what was found."""

    outcome: str
    metric: str
    area: str = "treated"  #: "treated", or "ring" for displacement/diffusion
    ages: tuple[int, int] | None = None
    primary: bool = False
    evidence: dict[str, Any] | None = None  #: mean, ci, derived, source, strength
    prior: dict[str, Any] | None = None  #: mean, ci, rationale (no evaluation)

    @property
    def key(self) -> str:
        ages = f"{self.ages[0]}-{self.ages[1]}" if self.ages else "all"
        return f"{self.outcome}|{self.metric}|{self.area}|{ages}"


def rows_of(c: Card, design: str) -> list[Row]:
    """The rows a trial reports: each evaluated outcome and each prior of the card,
    primary first, and for place trials the crime in the ring around treated cells."""
    rows: list[Row] = []
    for e in sorted(c.outcomes, key=lambda e: not e.primary):
        evidence = {
            "mean": e.mean,
            "ci": list(e.interval) if e.interval else None,
            "ci_derived": e.derived,
            "p": e.p,
            "source": c.cite(e.source),
            "design": e.design,
            "strength": c.strength,
        }
        rows.append(Row(e.outcome, e.metric, ages=e.ages, primary=e.primary, evidence=evidence))
    for p in c.priors:
        prior = {"mean": p.mean, "ci": list(p.ci), "rationale": p.rationale}
        rows.append(Row(p.outcome, p.metric, ages=p.ages, prior=prior))
    if design == "place":
        rows.append(Row("crime", "relative_change", area="ring"))
    unique: dict[str, Row] = {}
    for r in rows:  # one simulated estimate per key; keep every evidence row
        unique.setdefault(r.key + repr(r.evidence) + repr(r.prior), r)
    return list(unique.values())


# ------------------------------------------------------------------ one replicate
def _step_to(model: CLSModel, step: int) -> None:
    while model.steps < step:
        model.step()


def _cell_counts(model: CLSModel, expected: bool) -> np.ndarray:
    """Offences so far per cell and type: expected (the trial's estimate) or counted."""
    return model.expected.cell if expected else model.recorder.cell_true


def _counts(counts: np.ndarray, cells: np.ndarray, types: tuple[int, ...]) -> float:
    return float(counts[np.ix_(cells, types)].sum())


def _state(model: CLSModel, outcome: str) -> np.ndarray:
    if outcome == "employment":
        return (model.population.role == R_EMPLOYED).astype(float)
    return getattr(model.social, STATE[outcome]).copy()


def _ages_mask(model: CLSModel, ids: np.ndarray, ages: tuple[int, int] | None) -> np.ndarray:
    if ages is None:
        return ids
    age = model.population.age[ids]
    return ids[(age >= ages[0]) & (age <= ages[1])]


def _offences_by(model: CLSModel, ids: np.ndarray, from_step: int) -> np.ndarray:
    """Offences counted as committed by each of ``ids`` from ``from_step`` on."""
    rec = model.recorder
    people = rec.event_column("offender")
    keep = rec.event_column("step") >= from_step
    counts = np.bincount(people[keep & (people >= 0)], minlength=model.population.n)
    return counts[ids].astype(float)


def _reported_share(model: CLSModel, ids: np.ndarray, from_step: int) -> float:
    rec = model.recorder
    victim, reported = rec.event_column("victim"), rec.event_column("reported")
    keep = (rec.event_column("step") >= from_step) & np.isin(victim, ids)
    return float(reported[keep].mean()) if keep.any() else math.nan


def run_replicate(task: dict[str, Any]) -> dict[str, Any]:
    """One replicate of a trial: ``task`` has ``kind``, ``seed``, ``settings``
    (a :class:`TrialSettings` dict), ``scenario`` (a scenario dict), optional
    ``effects`` (effect parameters) and ``units``.

    Returns ``estimates`` by row key, offences taken as the model's expected
    offences (:class:`~clssim.crime.ExpectedOffences`: the trial's estimate),
    and ``counted``, the same contrasts of the offences counted, for the
    rows about offences (what an evaluation of this size would have seen).
    """
    kind = task["kind"]
    settings = TrialSettings(**task["settings"])
    base = scenario_from_dict(
        task["scenario"], source="<trial>", base_dir=task.get("base_dir", ".")
    )
    cls = measure_class(kind)
    rows = rows_of(load_cards()[kind], cls.trial) if kind in load_cards() else []
    effects = task.get("effects")
    seed = int(task["seed"])
    before = settings.before_days * SLOTS_PER_DAY
    units = int(task.get("units") or units_for(kind))
    done = {"run_id": task.get("run_id", 0), "seed": seed}
    if cls.trial == "force":
        return done | _force(base, kind, settings, seed, effects, rows, before)
    # a measure that uses officers (beats on hot spots) gets a contract's default staff
    capacity = PROXIMITY_OFFICERS if cls.uses_officers else max(units, 1)
    scen = trial_scenario(base, kind, settings, capacity=capacity, effects=effects)
    model = CLSModel(scen, seed=seed, expected_offences=True)
    _step_to(model, before)
    rng = np.random.default_rng([seed, ALLOCATION_SALT])
    measure = model.contract.measures[0]
    try:
        if cls.trial == "place":
            arms = allocate_places(model, kind, units, rng)
            measure.assign(cells=arms.treated)
        else:
            arms = allocate_people(model, kind, units, rng)
            measure.assign(people=arms.treated)
    except Unallocatable as exc:  # this replicate's map has no room for a trial
        nan = dict.fromkeys((r.key for r in rows), math.nan)
        return done | {"estimates": nan, "counted": {}, "skipped": str(exc)}
    snap = _snapshot(model, rows)
    _step_to(model, model.n_steps)
    estimates, counted = {}, {}
    for r in rows:
        estimates[r.key] = _estimate(model, r, cls.trial, arms, snap, before, expected=True)
        if _about_offences(r, cls.trial):
            counted[r.key] = _estimate(model, r, cls.trial, arms, snap, before, expected=False)
    return done | {"estimates": estimates, "counted": counted}


def _about_offences(row: Row, design: str) -> bool:
    """Does the row contrast offences (expected vs counted differ)?"""
    if design == "people":
        return row.outcome in ("delinquency", "reoffending")
    return row.outcome in OFFENCE_TYPES


def _snapshot(model: CLSModel, rows: list[Row]) -> dict[str, Any]:
    snap: dict[str, Any] = {
        "cell_true": model.recorder.cell_true.copy(),
        "cell_expected": model.expected.cell.copy(),
        "person_expected": model.expected.person.copy(),
        "offences": model.crime_state.offences.copy(),
        "exclusions": model.social.exclusions.copy(),
    }
    for r in rows:
        if r.outcome in STATE or r.outcome == "employment":
            snap[r.outcome] = _state(model, r.outcome)
    return snap


def _estimate(model, row: Row, design: str, arms, snap, before: int, *, expected: bool) -> float:
    o, metric, up = row.outcome, row.metric, better_up(row.outcome)
    if design == "place":
        if o in OFFENCE_TYPES:
            types = OFFENCE_TYPES[o]
            t_cells, c_cells = (
                (arms.ring, arms.control_ring) if row.area == "ring" else (arms.area_t, arms.area_c)
            )
            if t_cells.size == 0 or c_cells.size == 0:
                return math.nan
            old = snap["cell_expected" if expected else "cell_true"]
            now = _cell_counts(model, expected)
            tb, cb = _counts(old, t_cells, types), _counts(old, c_cells, types)
            ta = _counts(now, t_cells, types) - tb
            ca = _counts(now, c_cells, types) - cb
            return did_counts(metric, tb, ta, cb, ca)
        if o == "exclusion":  # pupils of the treated vs control schools, after
            pupil = model.population.role == R_STUDENT
            work = model.population.work
            t = np.flatnonzero(pupil & np.isin(work, arms.treated))
            c = np.flatnonzero(pupil & np.isin(work, arms.control))
            if t.size < 2 or c.size < 2:
                return math.nan
            after = model.social.exclusions - snap["exclusions"]
            return compare_groups(metric, after[t], after[c], up)
        if o in STATE:
            t = _ages_mask(model, arms.near_treated, row.ages)
            c = _ages_mask(model, arms.near_control, row.ages)
            if o == "school_engagement":  # pupils of the treated vs control schools
                work = model.population.work
                t = np.flatnonzero(np.isin(work, arms.treated))
                c = np.flatnonzero(np.isin(work, arms.control))
            if t.size < 2 or c.size < 2:
                return math.nan
            now, old = _state(model, o), snap[o]
            return state_change(metric, old[t], now[t], old[c], now[c], up)
        return math.nan
    t = _ages_mask(model, arms.treated, row.ages)
    c = _ages_mask(model, arms.control, row.ages)
    if o == "reoffending":  # among those who had offended before allocation
        t, c = t[snap["offences"][t] > 0], c[snap["offences"][c] > 0]
    if o in ("delinquency", "reoffending"):
        if expected:
            after = model.expected.person - snap["person_expected"]
            return compare_groups(metric, after[t], after[c], up)
        return compare_groups(
            metric, _offences_by(model, t, before), _offences_by(model, c, before), up
        )
    if o == "reporting":
        rt, rc = _reported_share(model, t, before), _reported_share(model, c, before)
        if math.isnan(rt) or math.isnan(rc) or rc == 0:
            return math.nan
        return rt / rc - 1.0 if metric == "relative_change" else rt / rc
    if o in STATE or o == "employment":
        now = _state(model, o)
        return compare_groups(metric, now[t], now[c], up)
    return math.nan  # offences at the participants' homes: not a people outcome


def _force(base, kind, settings, seed, effects, rows, before) -> dict[str, dict[str, float]]:
    """Paired runs, the same seed with and without the measure."""
    # proximity beats: a contract's default staff of proximity officers; training: the force
    officers = base.police.officers
    if measure_class(kind).uses_officers:
        officers = min(officers, PROXIMITY_OFFICERS)
    arms = []
    for with_measure in (False, True):
        scen = trial_scenario(
            base, kind, settings, with_measure=with_measure, capacity=officers, effects=effects
        )
        model = CLSModel(scen, seed=seed, expected_offences=True)
        _step_to(model, before)
        snap = _snapshot(model, rows)
        _step_to(model, model.n_steps)
        arms.append((model, snap))
    (m0, s0), (m1, s1) = arms
    everyone = np.arange(m0.population.n)
    cells = np.arange(m0.world.ncells)
    estimates: dict[str, float] = {}
    counted: dict[str, float] = {}
    for r in rows:
        o, up = r.outcome, better_up(r.outcome)
        if o in OFFENCE_TYPES:
            types = OFFENCE_TYPES[o]
            for expected, out in ((True, estimates), (False, counted)):
                key = "cell_expected" if expected else "cell_true"
                b0, b1 = _counts(s0[key], cells, types), _counts(s1[key], cells, types)
                a0 = _counts(_cell_counts(m0, expected), cells, types) - b0
                a1 = _counts(_cell_counts(m1, expected), cells, types) - b1
                out[r.key] = did_counts(r.metric, b1, a1, b0, a0)
        elif o in STATE:
            ids = _ages_mask(m0, everyone, r.ages)
            estimates[r.key] = state_change(
                r.metric, s1[o][ids], _state(m1, o)[ids], s0[o][ids], _state(m0, o)[ids], up
            )
        else:
            estimates[r.key] = math.nan
    return {"estimates": estimates, "counted": counted}


# ------------------------------------------------------------------ many replicates
@dataclass
class TrialResult:
    kind: str
    design: str
    replicates: int
    settings: TrialSettings
    rows: list[Row]
    estimates: dict[str, list[float]] = field(default_factory=dict)
    #: the same contrasts of the offences counted (rows about offences only)
    counted: dict[str, list[float]] = field(default_factory=dict)

    def summary(self) -> list[dict[str, Any]]:
        """One object per row: kind, outcome, metric, simulated {mean, ci, n}
        (and, for offences, ``counted``: the contrast of the offences counted),
        evidence {mean, ci, source} or None, prior, agree."""
        out = []
        for r in self.rows:
            sim = summarise(r.metric, self.estimates.get(r.key, []))
            if r.key in self.counted:  # what an evaluation of this size would count
                sim["counted"] = summarise(r.metric, self.counted[r.key])
            ev = r.evidence
            agree = None
            if ev is not None and ev["ci"] is not None and sim["mean"] is not None:
                agree = bool(ev["ci"][0] <= sim["mean"] <= ev["ci"][1])
            within_prior = None
            if r.prior is not None and sim["mean"] is not None:
                within_prior = bool(r.prior["ci"][0] <= sim["mean"] <= r.prior["ci"][1])
            out.append(
                {
                    "kind": self.kind,
                    "design": self.design,
                    "outcome": r.outcome,
                    "metric": r.metric,
                    "area": r.area,
                    "ages": list(r.ages) if r.ages else None,
                    "primary": r.primary,
                    "simulated": sim,
                    "evidence": ev,
                    "prior": r.prior,
                    "agree": agree,
                    "within_prior": within_prior,
                }
            )
        return out


def summarise(metric: str, values: list[float]) -> dict[str, Any]:
    """Mean and 95 % CI (Student t across replicates) on the metric's natural scale."""
    z = []
    for v in values:
        if v is None or not math.isfinite(v):
            continue
        try:
            z.append(to_scale(metric, v))
        except ValueError:  # log of a non-positive ratio
            continue
    n = len(z)
    if n == 0:
        return {"mean": None, "ci": None, "n": 0}
    m = float(np.mean(z))
    if n == 1:
        return {"mean": from_scale(metric, m), "ci": None, "n": 1}
    half = float(stats.t.ppf(0.975, n - 1) * np.std(z, ddof=1) / math.sqrt(n))
    return {
        "mean": from_scale(metric, m),
        "ci": [from_scale(metric, m - half), from_scale(metric, m + half)],
        "n": n,
    }


def trial_tasks(
    kind: str,
    scenario: Scenario,
    settings: TrialSettings,
    replicates: int,
    seed: int,
    effects: dict[str, float] | None = None,
    units: int | None = None,
) -> list[dict[str, Any]]:
    """The replicate tasks of a trial: replicate ``r`` runs with seed ``seed + r``."""
    measure_class(kind)
    base = scenario.to_dict()
    return [
        {
            "run_id": r,
            "kind": kind,
            "seed": seed + r,
            "settings": settings.to_dict(),
            "scenario": base,
            "base_dir": scenario.base_dir,
            "effects": effects,
            "units": units,
        }
        for r in range(replicates)
    ]


def run_trial(
    kind: str,
    scenario: Scenario,
    settings: TrialSettings | None = None,
    replicates: int = 20,
    seed: int | None = None,
    effects: dict[str, float] | None = None,
    executor: Any = None,
    units: int | None = None,
) -> TrialResult:
    """Run a trial of ``kind``: ``replicates`` replicates on ``executor`` (serial by default)."""
    from clssim.experiments.executors import SerialExecutor

    settings = settings or TrialSettings()
    seed = scenario.seed if seed is None else seed
    cls = measure_class(kind)
    cards = load_cards()
    rows = rows_of(cards[kind], cls.trial) if kind in cards else []
    tasks = trial_tasks(kind, scenario, settings, replicates, seed, effects, units)
    executor = executor or SerialExecutor()
    results = sorted(executor.map_unordered(tasks, run_replicate), key=lambda r: r["run_id"])
    failed = [r for r in results if "estimates" not in r]
    if failed:
        raise RuntimeError(f"trial {kind}: replicate failed: {failed[0].get('error')}")
    result = TrialResult(kind, cls.trial, replicates, settings, rows)
    for r in rows:
        result.estimates[r.key] = [res["estimates"][r.key] for res in results]
        if any(r.key in res.get("counted", {}) for res in results):
            result.counted[r.key] = [res["counted"].get(r.key, math.nan) for res in results]
    return result
