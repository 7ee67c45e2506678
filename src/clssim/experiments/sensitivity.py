"""Global sensitivity analysis (SALib), on the model or on any function.

Two methods:

Morris screening
    elementary effects along ``r`` one-at-a-time trajectories; per parameter
    μ* (mean absolute effect: importance), σ (spread: non-linearity and
    interactions) and μ (signed mean), with a bootstrap interval for μ*. The
    effects are computed in the unit cube, so μ* is the change of the output
    when a parameter moves across its whole range: comparable between
    parameters of different units.
Sobol' indices
    on Saltelli's design: first-order S1 (share of output variance due to the
    parameter alone), total ST (with all its interactions) and second-order
    S2, with bootstrap intervals.

Replicate noise is handled explicitly: each design point is run
``replicates`` times (common random numbers), the indices are computed on the
mean over replicates, and the noise is reported — ``noise_share_runs`` (the
share of the variance of single runs due to seeds: within-point variance over
total variance) and ``noise_share_means`` (the share of the variance of the
replicate means that is still seed noise, which inflates ST and deflates S1;
raise the replicates when it is not small).

The convergence check recomputes the indices on nested prefixes of the design
(Sobol: base samples N/8, N/4, N/2, N; Morris: r/4, r/2, r trajectories) and
reports the largest change between the last two sizes: below 0.05 (Sobol) or
10 % of the largest μ* (Morris) counts as converged.

Each method is a class in :mod:`clssim.experiments.methods` (its sampler,
its indices, its convergence rule, its table and plot); :func:`analyze` looks
it up by name and runs what every method shares: replicate noise, nested
prefixes, the convergence check.

The analysis is model-agnostic: :func:`morris` and :func:`sobol` take any
callable ``f(params) → {output: value}`` (or ``f(params, seed)`` for a noisy
one); :func:`analyze` takes a design and its outputs, however they were run
(``clssim sensitivity`` runs them through the sweep machinery).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clssim.experiments.compare import _records, _takes_seed, call
from clssim.experiments.design import from_unit
from clssim.experiments.methods import (
    METHODS,
    Morris,
    Sobol,
    analysis_names,
    morris_indices,
    one_of,
    sobol_indices,
)

__all__ = [
    "MORRIS_TOLERANCE",
    "SOBOL_TOLERANCE",
    "SensitivityResult",
    "analyze",
    "evaluate",
    "morris",
    "morris_indices",
    "noise_shares",
    "outputs_from_table",
    "sobol",
    "sobol_indices",
]

SOBOL_TOLERANCE = Sobol.tolerance
MORRIS_TOLERANCE = Morris.tolerance


@dataclass
class SensitivityResult:
    """Indices, convergence and noise of one analysis."""

    method: str
    parameters: list[str]
    outputs: list[str]
    indices: pd.DataFrame
    second_order: pd.DataFrame
    convergence: pd.DataFrame
    noise: pd.DataFrame
    checks: pd.DataFrame

    def write(self, out: str | Path) -> list[Path]:
        """CSV tables (and the plots) into ``out``."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        files = []
        m = self.method
        for name, frame in (
            (f"{m}_indices.csv", self.indices),
            (f"{m}_second_order.csv", self.second_order),
            (f"{m}_convergence.csv", self.convergence),
            (f"{m}_noise.csv", self.noise),
            (f"{m}_checks.csv", self.checks),
        ):
            if not frame.empty:
                frame.to_csv(out / name, index=False)
                files.append(out / name)
        payload = {
            "method": self.method,
            "parameters": self.parameters,
            "outputs": self.outputs,
            "indices": _records(self.indices),
            "second_order": _records(self.second_order),
            "convergence": _records(self.convergence),
            "noise": _records(self.noise),
            "checks": _records(self.checks),
        }
        path = out / "sensitivity.json"
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        files.append(path)
        from clssim.experiments import plots

        files += plots.sensitivity_plots(self, out)
        return files

    def text(self) -> str:
        """The indices, noise and convergence verdict as text."""
        method = METHODS[self.method]
        lines = []
        for output in self.outputs:
            lines.append(f"{output}:")
            ck = self.checks[self.checks["output"] == output]
            if not ck.empty and bool(ck["constant"].iloc[0]):
                value = ck["value"].iloc[0]
                lines.append(
                    "  no finite value: every run failed (see the status and error columns)"
                    if math.isnan(value)
                    else f"  does not vary: every run gives {value:g}, so it has no "
                    "indices; widen the parameter ranges, or run longer or larger"
                )
                continue
            rows = self.indices[self.indices["output"] == output]
            width = max(len(p) for p in self.parameters)
            lines.extend(method.table_lines(rows, width))
            nz = self.noise[self.noise["output"] == output]
            if not nz.empty and math.isfinite(nz["noise_share_means"].iloc[0]):
                share = nz["noise_share_means"].iloc[0]
                lines.append(
                    f"  seed noise: {nz['noise_share_runs'].iloc[0]:.1%} of single-run variance, "
                    f"{share:.1%} of the variance of replicate means"
                )
                if share >= 0.5:
                    lines.append(
                        "  warning: mostly seed noise; raise the replicates (or the run size) "
                        "before reading these indices"
                    )
            if not ck.empty:
                c = ck.iloc[0]
                verdict = "converged" if c["converged"] else "NOT converged: use more samples"
                lines.append(
                    f"  convergence: largest change {c['max_change']:.3g} from "
                    f"{c['previous']:g} to {c['final']:g} {c['unit']} ({verdict})"
                )
        return "\n".join(lines)


# ------------------------------------------------------------------ analysis


def _as_runs(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    return y[:, None] if y.ndim == 1 else y


def noise_shares(y: np.ndarray) -> dict[str, float]:
    """Seed-noise shares of outputs ``y`` (design points × replicates)."""
    y = _as_runs(y)
    n, r = y.shape
    out = {"replicates": r, "noise_share_runs": math.nan, "noise_share_means": math.nan}
    if r < 2:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        within = float(np.nanmean(np.nanvar(y, axis=1, ddof=1)))
        total = float(np.nanvar(y, ddof=1))
        means = np.nanmean(y, axis=1)
        var_means = float(np.nanvar(means, ddof=1))
        counts = np.sum(np.isfinite(y), axis=1)
        eff_r = float(np.mean(counts[counts > 0]))
    if total > 0:
        out["noise_share_runs"] = min(1.0, within / total)
    if var_means > 0:
        out["noise_share_means"] = min(1.0, within / eff_r / var_means)
    elif within == 0:
        out["noise_share_means"] = 0.0
    return out


def _means(y: np.ndarray, output: str) -> np.ndarray:
    y = _as_runs(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = np.nanmean(y, axis=1)
    bad = int(np.isnan(m).sum())
    if bad:
        raise ValueError(
            f"{output}: {bad} design point(s) have no successful run; "
            "the indices need every point (see the status and error columns)"
        )
    return m


def _sizes(full: int, smallest: int) -> list[int]:
    sizes = [full]
    while len(sizes) < 4 and sizes[-1] // 2 >= smallest:
        sizes.append(sizes[-1] // 2)
    return sorted(sizes)


def analyze(
    method: str,
    unit: np.ndarray,
    outputs: dict[str, np.ndarray],
    names: list[str],
    *,
    levels: int = 4,
    second_order: bool = True,
    conf_level: float = 0.95,
    seed: int = 1,
) -> SensitivityResult:
    """Indices, convergence and noise of a design (``unit``: points × parameters in
    the unit cube, in the sampler's order) and its outputs (name → points ×
    replicates, NaN for failed runs).

    Convergence: the indices are recomputed on nested prefixes of the design
    (up to four sizes, halving), and the largest change between the last two
    is checked against the method's tolerance.
    """
    m = METHODS.get(method)
    if m is None or not m.analyses:
        raise ValueError(f"unknown method {method!r}; use {one_of(analysis_names())}")
    which = m.convergence_indices
    per = m.block(len(names), second_order)
    idx_frames, s2_frames, conv_rows, noise_rows, check_rows = [], [], [], [], []
    for output, y_runs in outputs.items():
        y_runs = _as_runs(y_runs)
        noise_rows.append({"output": output, **noise_shares(y_runs)})
        y = _means(y_runs, output)
        sizes = _sizes(len(y) // per, m.smallest)
        for size in sizes:
            points = size * per
            idx, s2 = m.analyse(
                unit[:points],
                y[:points],
                names,
                levels=levels,
                second_order=second_order,
                conf_level=conf_level,
                seed=seed,
            )
            conv_rows.extend(
                {
                    "output": output,
                    "parameter": rec["parameter"],
                    "size": size,
                    "runs": size * per * y_runs.shape[1],
                    "index": index,
                    "value": rec[index],
                    "conf": rec[f"{index}_conf"],
                }
                for rec in idx.to_dict(orient="records")
                for index in which
            )
        scale = m.scale(idx)  # Sobol indices are shares; Morris's mu* has the output's units
        if not s2.empty:
            s2_frames.append(s2.assign(output=output))
        check = _check(output, conv_rows, sizes, which, scale, m.size_unit, m.tolerance)
        finite = y[np.isfinite(y)]
        # an output every run gives the same value has no variance to apportion
        check["constant"] = bool(finite.size == 0 or finite.min() == finite.max())
        check["value"] = float(finite[0]) if check["constant"] and finite.size else math.nan
        check_rows.append(check)
        idx_frames.append(idx.assign(output=output))
    indices = pd.concat(idx_frames, ignore_index=True)
    indices = indices[["output", *[c for c in indices.columns if c != "output"]]]
    second = pd.concat(s2_frames, ignore_index=True) if s2_frames else pd.DataFrame()
    if not second.empty:
        second = second[["output", *[c for c in second.columns if c != "output"]]]
    return SensitivityResult(
        method=method,
        parameters=list(names),
        outputs=list(outputs),
        indices=indices,
        second_order=second,
        convergence=pd.DataFrame(conv_rows),
        noise=pd.DataFrame(noise_rows),
        checks=pd.DataFrame(check_rows),
    )


def _check(
    output: str,
    rows: list[dict],
    sizes: list[int],
    which: tuple[str, ...],
    scale: float,
    unit: str,
    tol: float,
) -> dict[str, Any]:
    if len(sizes) < 2:
        return {
            "output": output,
            "previous": math.nan,
            "final": sizes[-1],
            "unit": unit,
            "max_change": math.nan,
            "tolerance": tol,
            "converged": False,
        }
    prev, last = sizes[-2], sizes[-1]
    value = {
        (r["parameter"], r["index"], r["size"]): r["value"] for r in rows if r["output"] == output
    }
    changes = [
        abs(value[(p, i, last)] - value[(p, i, prev)])
        for (p, i, s) in value
        if s == last and i in which
    ]
    changes = [c for c in changes if math.isfinite(c)]
    change = max(changes) / scale if changes and scale > 0 else (0.0 if changes else math.nan)
    return {
        "output": output,
        "previous": prev,
        "final": last,
        "unit": unit,
        "max_change": change,
        "tolerance": tol,
        "converged": bool(math.isfinite(change) and change <= tol),
    }


# ------------------------------------------------------------------ any callable


def _param_specs(parameters: dict[str, Any]) -> dict[str, Any]:
    from clssim.experiments.spec import ParameterSpec

    out = {}
    for name, spec in parameters.items():
        if isinstance(spec, ParameterSpec):
            out[name] = spec
        else:
            lo, hi = spec
            out[name] = ParameterSpec(range=[float(lo), float(hi)])
    return out


def evaluate(
    func: Callable,
    points: list[dict[str, Any]],
    *,
    replicates: int = 1,
    root_seed: int = 1,
) -> dict[str, np.ndarray]:
    """Run ``func`` at every point, ``replicates`` times (seed ``root + r``: common
    random numbers); returns output → array (points × replicates)."""
    takes_seed = _takes_seed(func)
    results: dict[str, np.ndarray] = {}
    for i, params in enumerate(points):
        for r in range(replicates):
            out = call(func, params, root_seed + r, takes_seed)
            for k, v in out.items():
                if k not in results:
                    results[k] = np.full((len(points), replicates), np.nan)
                results[k][i, r] = v
    return results


def _run_callable(
    method,
    func,
    parameters,
    samples,
    *,
    levels=4,
    second_order=True,
    replicates=1,
    seed=0,
    root_seed=1,
    outputs=None,
    conf_level=0.95,
):
    specs = _param_specs(parameters)
    names = list(specs)
    unit = METHODS[method].sample(
        len(names), samples, levels=levels, second_order=second_order, seed=seed
    )
    points = [
        {n: from_unit(specs[n], "float", float(u)) for n, u in zip(names, row, strict=True)}
        for row in unit
    ]
    ys = evaluate(func, points, replicates=replicates, root_seed=root_seed)
    if outputs is not None:
        ys = {k: ys[k] for k in outputs}
    return analyze(
        method,
        unit,
        ys,
        names,
        levels=levels,
        second_order=second_order,
        conf_level=conf_level,
        seed=seed + 1,
    )


def morris(
    func: Callable,
    parameters: dict[str, Any],
    *,
    trajectories: int,
    levels: int = 4,
    replicates: int = 1,
    seed: int = 0,
    root_seed: int = 1,
    outputs: list[str] | None = None,
    conf_level: float = 0.95,
) -> SensitivityResult:
    """Morris screening of ``func`` over ``parameters`` (name → (low, high) or a
    :class:`~clssim.experiments.spec.ParameterSpec`)."""
    return _run_callable(
        Morris.name,
        func,
        parameters,
        trajectories,
        levels=levels,
        replicates=replicates,
        seed=seed,
        root_seed=root_seed,
        outputs=outputs,
        conf_level=conf_level,
    )


def sobol(
    func: Callable,
    parameters: dict[str, Any],
    *,
    samples: int,
    second_order: bool = True,
    replicates: int = 1,
    seed: int = 0,
    root_seed: int = 1,
    outputs: list[str] | None = None,
    conf_level: float = 0.95,
) -> SensitivityResult:
    """Sobol' indices of ``func`` from a Saltelli design of base size ``samples``
    (a power of two)."""
    if METHODS[Sobol.name].check_samples(samples) is not None:
        raise ValueError(f"samples = {samples}: Sobol/Saltelli needs a power of two")
    return _run_callable(
        Sobol.name,
        func,
        parameters,
        samples,
        second_order=second_order,
        replicates=replicates,
        seed=seed,
        root_seed=root_seed,
        outputs=outputs,
        conf_level=conf_level,
    )


def outputs_from_table(
    table: pd.DataFrame, n_sets: int, replicates: int, outputs: list[str]
) -> dict[str, np.ndarray]:
    """Runs table (one row per run) → output → array (sets × replicates)."""
    out = {}
    ok = table["status"].to_numpy() == "ok"
    sets = table["set_index"].to_numpy()
    reps = table["replicate"].to_numpy()
    for o in outputs:
        y = np.full((n_sets, replicates), np.nan)
        vals = table[o].to_numpy(dtype=float)
        y[sets[ok], reps[ok]] = vals[ok]
        out[o] = y
    return out
