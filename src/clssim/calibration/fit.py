"""Calibrating measure kinds: their free parameters against their evidence cards.

For each kind, the parameters whose :class:`~clssim.measures.Param` names an
outcome to ``fit`` are calibrated together (:mod:`clssim.calibration.emulator`)
against, for each such outcome, the card's evidence on it (the primary
outcome first; else the first with an interval), or its prior where no
evaluation measured it. A target whose source gives neither a CI nor a P
value gets an *assumed* interval of the estimate's own size either side
(``se = |effect|`` on the natural scale), recorded as such.

Every trial replicate is journaled (one JSON line) as it finishes, so a
killed calibration resumes where it stopped (``--resume``); the runs are pure
functions of their tasks, so any executor gives the same calibration.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clssim.calibration.emulator import Target, design, fit_emulator, posterior
from clssim.evidence import load_cards
from clssim.evidence.metrics import from_scale, standard_error, to_scale
from clssim.measures import MEASURES
from clssim.scenario import Scenario
from clssim.trials.design import TrialSettings
from clssim.trials.run import Row, rows_of, run_replicate, trial_tasks
from clssim.version import __version__

FORMAT_VERSION = 1


class UncalibratedError(RuntimeError):
    """A kind's trials give too few finite estimates of a target to fit."""


@dataclass(frozen=True)
class FitTarget:
    row: Row
    target: Target
    basis: str  #: "published", "from P", "assumed" or "prior"
    source: str


def fitted_params(kind: str) -> list[str]:
    """The parameters of ``kind`` that calibration fits."""
    return [n for n, p in MEASURES[kind].params.items() if p.fit is not None]


def targets_for(kind: str) -> list[FitTarget]:
    """One target per outcome the kind's fitted parameters name (see the module text)."""
    cls = MEASURES[kind]
    rows = rows_of(load_cards()[kind], cls.trial)
    out = []
    for outcome in dict.fromkeys(cls.params[n].fit for n in fitted_params(kind)):
        evidence = [r for r in rows if r.outcome == outcome and r.evidence and r.area == "treated"]
        evidence.sort(key=lambda r: (not r.primary, r.evidence["ci"] is None))
        priors = [r for r in rows if r.outcome == outcome and r.prior and r.ages is None]
        priors += [r for r in rows if r.outcome == outcome and r.prior and r.ages is not None]
        if evidence:
            row, ev = evidence[0], evidence[0].evidence
            z = to_scale(row.metric, ev["mean"])
            if ev["ci"] is not None:
                se, basis = (
                    standard_error(row.metric, tuple(ev["ci"])),
                    ("from P" if ev["ci_derived"] else "published"),
                )
            else:
                se, basis = max(abs(z), 0.02), "assumed"
            source = ev["source"]
        elif priors:
            row = priors[0]
            z = to_scale(row.metric, row.prior["mean"])
            se, basis, source = standard_error(row.metric, tuple(row.prior["ci"])), "prior", ""
        else:
            raise ValueError(f"{kind}: no evidence or prior on {outcome!r} to fit")
        out.append(FitTarget(row, Target(row.key, z, se), basis, source))
    return out


#: how every calibration file of this version was made
METHOD = (
    "emulator (quadratic) + synthetic likelihood, uniform prior on each "
    "parameter's range, importance resampling (clssim.calibration.emulator)"
)


def run_journaled(
    tasks: list[dict[str, Any]],
    journal: Path,
    fn: Callable[[dict[str, Any]], dict[str, Any]],
    record: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    executor: Any = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the ``tasks`` (each with ``run_id`` = its index and ``theta``) by ``fn``
    and journal each result as ``record(result)`` (a JSON line, flushed at once),
    so a killed fit resumes where it stopped: with ``resume``, the journaled
    runs whose ``theta`` still matches are kept and not run again. Returns the
    records in run-id order."""
    from clssim.experiments.executors import SerialExecutor

    done = _journal_read(journal) if resume else {}
    if not resume and journal.exists():
        journal.unlink()
    done = {k: v for k, v in done.items() if k < len(tasks) and v["theta"] == tasks[k]["theta"]}
    todo = [t for t in tasks if t["run_id"] not in done]
    executor = executor or SerialExecutor()
    journal.parent.mkdir(parents=True, exist_ok=True)
    with journal.open("a", encoding="utf-8") as fh:
        for res in executor.map_unordered(todo, fn):
            rec = record(res)
            fh.write(json.dumps(rec, allow_nan=False) + "\n")
            fh.flush()
            done[res["run_id"]] = rec
            if progress is not None:
                progress(len(done), len(tasks))
    return [done[i] for i in sorted(done)]


def _journal_read(path: Path) -> dict[int, dict[str, Any]]:
    from clssim.experiments.store import read_journal

    return {int(rec["run_id"]): rec for rec in read_journal(path)}


def calibrate_kind(
    kind: str,
    scenario: Scenario,
    out_dir: Path,
    *,
    settings: TrialSettings | None = None,
    points: int | None = None,
    replicates: int = 4,
    seed: int | None = None,
    executor: Any = None,
    resume: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Calibrate one kind; return its entry of the calibration file."""
    settings = settings or TrialSettings()
    seed = scenario.seed if seed is None else seed
    names = fitted_params(kind)
    if not names:
        return {}
    params = MEASURES[kind].params
    bounds = [(params[n].low, params[n].high) for n in names]
    points = points or 6 + 4 * len(names)
    thetas = design(bounds, points, seed)
    targets = targets_for(kind)
    tasks = []
    for i, theta in enumerate(thetas):
        effects = {n: float(v) for n, v in zip(names, theta, strict=True)}
        for t in trial_tasks(kind, scenario, settings, replicates, seed, effects):
            t["run_id"] = i * replicates + t["run_id"]
            t["theta"] = [float(v) for v in theta]
            tasks.append(t)

    def record(res: dict[str, Any]) -> dict[str, Any]:
        if "estimates" not in res:
            raise RuntimeError(f"calibration of {kind}: a trial failed: {res.get('error')}")
        return {
            "run_id": res["run_id"],
            "theta": tasks[res["run_id"]]["theta"],
            "estimates": {t.row.key: _nan(res["estimates"].get(t.row.key)) for t in targets},
        }

    start = time.perf_counter()
    records = run_journaled(
        tasks,
        out_dir / f"journal-{kind}.jsonl",
        run_replicate,
        record,
        executor=executor,
        resume=resume,
        progress=None
        if progress is None
        else (lambda n, total: progress(f"{kind}: {n}/{total} trial runs")),
    )
    X = np.array([r["theta"] for r in records], float)
    emulators, fit_info = [], []
    for t in targets:
        y = np.array([_z(t.row.metric, r["estimates"].get(t.row.key)) for r in records])
        if np.isfinite(y).sum() < len(names) + 2:
            raise UncalibratedError(
                f"{np.isfinite(y).sum()} of {len(y)} trial runs measured {t.row.outcome}"
            )
        em = fit_emulator(X, y, bounds)
        emulators.append(em)
        fit_info.append(
            {
                "outcome": t.row.outcome,
                "metric": t.row.metric,
                "ages": list(t.row.ages) if t.row.ages else None,
                "observed": from_scale(t.row.metric, t.target.observed),
                "se_natural_scale": t.target.se,
                "basis": t.basis,
                "source": t.source,
                "emulator_r2": round(em.r2, 4),
                "replicate_sd": round(em.resid_sd, 4),
                "finite_runs": int(np.isfinite(y).sum()),
            }
        )
    post = posterior(emulators, [t.target for t in targets], bounds, seed=seed)
    entry_params = {}
    for j, n in enumerate(names):
        d = post.draws[:, j]
        entry_params[n] = {
            "median": float(np.median(d)),
            "ci": [float(np.quantile(d, 0.025)), float(np.quantile(d, 0.975))],
            "low": params[n].low,
            "high": params[n].high,
            "default": params[n].default,
            "at_bound": post.at_bound[j],
            "draws": [round(float(v), 6) for v in d],
        }
    return {
        "params": entry_params,
        "targets": fit_info,
        "fit": {
            "design_points": points,
            "replicates": replicates,
            "runs": len(records),
            "ess": round(post.ess, 1),
            "reachable": not any(post.at_bound),
            "seconds": round(time.perf_counter() - start, 1),
        },
    }


def _nan(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _z(metric: str, value: float | None) -> float:
    if value is None or not math.isfinite(value):
        return math.nan
    try:
        return to_scale(metric, value)
    except ValueError:
        return math.nan


def calibration_file(
    entries: dict[str, dict[str, Any]], settings: TrialSettings, scenario: Scenario, seed: int
) -> dict[str, Any]:
    """The versioned calibration document."""
    return {
        "version": FORMAT_VERSION,
        "clssim": __version__,
        "made": time.strftime("%Y-%m-%d"),
        "method": METHOD,
        "scenario": scenario.name,
        "seed": seed,
        "settings": settings.to_dict(),
        "kinds": {k: v for k, v in entries.items() if v},
    }
