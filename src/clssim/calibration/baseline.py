"""Calibrating the baseline's free parameters against what is observed.

Three numbers of the default scenario have no source of their own; each sets
the level of one thing that is observed, so they are fitted, with the same
emulator and synthetic likelihood as the measures
(:mod:`clssim.calibration.emulator`), to:

========================  ==============================  =======================
parameter                 target                          source
========================  ==============================  =======================
``crime.motivation``      recorded offences per 1,000     RASI 2019 (Portugal's
                          residents per year: 20 ± 5      recorded crime, about 33
                                                          per 1,000 a year, of
                                                          which the four offence
                                                          groups make about 60 %)
reporting scale           share of offences reported:     ICVS (van Dijk, van
(× every type's           0.40 ± 0.05                     Kesteren & Smit 2007)
``report_probability``)
``insecurity.intercept``  share of residents afraid:      APAV/Intercampus
                          0.23 ± 0.05                     barometers (22 % in
                                                          2017, 24 % in 2023 fear
                                                          being assaulted)
========================  ==============================  =======================

The reporting scale multiplies the four types' ``report_probability``
together, so their order (burglary reported most, vandalism least) stays
as sourced (ODD §7.12). Each target's ``±`` is a standard error of the
target as a statement about the default neighbourhood, not the survey's
sampling error: a national figure stands for one vulnerable estate. Every
run is journaled, so a killed fit resumes (``--resume``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clssim.calibration.emulator import Target, design, fit_emulator, posterior
from clssim.scenario import Scenario, scenario_from_dict
from clssim.scenario.schema import OFFENCE_DEFAULTS
from clssim.version import __version__

#: the file a baseline calibration writes
BASELINE_FILE = "baseline-calibration.json"
#: the reporting scale's pseudo-path (it scales all four report probabilities)
REPORT_SCALE = "crime.report_scale"


@dataclass(frozen=True)
class BaselineParam:
    path: str  #: dotted scenario path, or :data:`REPORT_SCALE`
    low: float
    high: float
    doc: str


@dataclass(frozen=True)
class BaselineTarget:
    key: str  #: the summary key measured
    observed: float
    se: float
    source: str


PARAMS: tuple[BaselineParam, ...] = (
    BaselineParam("crime.motivation", 0.02, 0.07, "the scale of offending motivation"),
    BaselineParam(REPORT_SCALE, 0.6, 1.4, "× each offence type's report_probability"),
    BaselineParam("insecurity.intercept", -4.0, -1.5, "baseline of the fear target (logit)"),
)

TARGETS: tuple[BaselineTarget, ...] = (
    BaselineTarget(
        "recorded_per_1000_per_year",
        20.0,
        5.0,
        "RASI 2019: about 335,000 recorded offences in Portugal (33 per 1,000 a year), "
        "about 60 % of them in the model's four offence groups",
    ),
    BaselineTarget(
        "reporting_rate",
        0.40,
        0.05,
        "ICVS (van Dijk, van Kesteren & Smit 2007): about 40 % of crimes reported",
    ),
    BaselineTarget(
        "afraid_share",
        0.23,
        0.05,
        "APAV/Intercampus barometers: 22 % (2017) and 24 % (2023) fear being assaulted",
    ),
)


def overrides(theta: np.ndarray | list[float], scenario: Scenario) -> dict[str, float]:
    """Scenario overrides for one point ``theta`` of :data:`PARAMS`."""
    out: dict[str, float] = {}
    for par, value in zip(PARAMS, theta, strict=True):
        if par.path == REPORT_SCALE:
            for kind in OFFENCE_DEFAULTS:
                base = getattr(scenario.crime, kind).report_probability
                out[f"crime.{kind}.report_probability"] = min(1.0, base * float(value))
        else:
            out[par.path] = float(value)
    return out


def _defaults(scenario: Scenario) -> list[float]:
    """The scenario's own values of :data:`PARAMS` (the reporting scale is 1)."""
    out = []
    for p in PARAMS:
        if p.path == REPORT_SCALE:
            out.append(1.0)
        else:
            section, name = p.path.split(".")
            out.append(float(getattr(getattr(scenario, section), name)))
    return out


def measure(summary: dict[str, Any]) -> dict[str, float]:
    """The targets' values in one run's summary."""
    years = summary["years"]
    residents = summary["residents"]
    values = {
        "recorded_per_1000_per_year": 1000.0 * summary["offences_recorded"] / residents / years,
        "reporting_rate": summary["reporting_rate"],
        "afraid_share": summary["afraid_share"],
    }
    return {t.key: float(values[t.key]) for t in TARGETS}


def run_point(task: dict[str, Any]) -> dict[str, Any]:
    """One run of the scenario at one design point (a pure function of the task)."""
    from clssim.model import CLSModel

    base = scenario_from_dict(task["scenario"], source="<baseline>", base_dir=".")
    scen = base.with_overrides(overrides(task["theta"], base) | {"time.years": task["years"]})
    res = CLSModel(scen, seed=int(task["seed"])).run()
    return {"run_id": task["run_id"], "values": measure(res.summary)}


def calibrate_baseline(
    scenario: Scenario,
    out_dir: Path,
    *,
    points: int = 18,
    replicates: int = 2,
    years: float = 2.0,
    seed: int | None = None,
    executor: Any = None,
    resume: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Fit :data:`PARAMS` to :data:`TARGETS`; return the calibration document."""
    from clssim.calibration.fit import METHOD, run_journaled

    seed = scenario.seed if seed is None else seed
    bounds = [(p.low, p.high) for p in PARAMS]
    thetas = design(bounds, points, seed)
    data = scenario.model_dump(mode="json")
    tasks = [
        {
            "run_id": i * replicates + r,
            "theta": [float(v) for v in theta],
            "seed": seed + r,  # common seeds across points
            "years": years,
            "scenario": data,
        }
        for i, theta in enumerate(thetas)
        for r in range(replicates)
    ]

    def record(res: dict[str, Any]) -> dict[str, Any]:
        if "values" not in res:
            raise RuntimeError(f"baseline calibration: a run failed: {res.get('error')}")
        return {"run_id": res["run_id"], "theta": tasks[res["run_id"]]["theta"]} | res

    start = time.perf_counter()
    records = run_journaled(
        tasks,
        out_dir / "journal-baseline.jsonl",
        run_point,
        record,
        executor=executor,
        resume=resume,
        progress=None
        if progress is None
        else (lambda n, total: progress(f"baseline: {n}/{total} runs")),
    )
    X = np.array([r["theta"] for r in records], float)
    emulators, fit_info = [], []
    for t in TARGETS:
        y = np.array([r["values"][t.key] for r in records], float)
        em = fit_emulator(X, y, bounds)
        emulators.append(em)
        fit_info.append(
            {
                "key": t.key,
                "observed": t.observed,
                "se": t.se,
                "source": t.source,
                "emulator_r2": round(em.r2, 4),
                "replicate_sd": round(em.resid_sd, 4),
            }
        )
    targets = [Target(t.key, t.observed, t.se) for t in TARGETS]
    post = posterior(emulators, targets, bounds, seed=seed)
    params = {}
    defaults = _defaults(scenario)
    for j, p in enumerate(PARAMS):
        d = post.draws[:, j]
        params[p.path] = {
            "median": float(np.median(d)),
            "ci": [float(np.quantile(d, 0.025)), float(np.quantile(d, 0.975))],
            "low": p.low,
            "high": p.high,
            "doc": p.doc,
            "at_bound": post.at_bound[j],
            "scenario_value": defaults[j],
            #: where the scenario's own value falls in the posterior (0.5: at its median)
            "scenario_quantile": float(np.mean(d <= defaults[j])),
            "draws": [round(float(v), 6) for v in d],
        }
    fitted = [float(np.median(post.draws[:, j])) for j in range(len(PARAMS))]
    predicted = {
        t.key: float(em.predict(np.array([fitted]))[0][0])
        for t, em in zip(TARGETS, emulators, strict=True)
    }
    return {
        "version": 1,
        "clssim": __version__,
        "made": time.strftime("%Y-%m-%d"),
        "method": METHOD,
        "scenario": scenario.name,
        "seed": seed,
        "settings": {"points": points, "replicates": replicates, "years": years},
        "params": params,
        "targets": fit_info,
        "at_medians": predicted,
        "fit": {
            "runs": len(records),
            "ess": round(post.ess, 1),
            "seconds": round(time.perf_counter() - start, 1),
        },
    }
