"""Design matrices: which parameter sets an experiment runs.

The methods themselves (``factorial``, ``lhs``, ``morris``, ``sobol``) are
classes in :mod:`clssim.experiments.methods`; this module holds what they
share: mapping unit-cube coordinates and factorial levels to parameter
values (:func:`~clssim.experiments.methods.design_points` looks a method up
by name and draws its design):

``factorial``
    every combination of every parameter's values (a range gives ``levels``
    evenly spaced points, or geometrically spaced with ``scale = "log"``);
``lhs``
    a Latin hypercube of ``samples`` points (:class:`scipy.stats.qmc.LatinHypercube`);
``morris``
    ``samples`` Morris trajectories on a ``levels``-level grid
    (:func:`SALib.sample.morris.sample`), ``samples × (D + 1)`` sets;
``sobol``
    Saltelli's extension of a scrambled Sobol' sequence of base size
    ``samples`` (:func:`SALib.sample.sobol.sample`), ``samples × (2D + 2)``
    sets (``samples × (D + 2)`` without second-order indices).

The sampled designs draw points in the unit cube ``[0, 1]^D`` and map each
coordinate to its parameter: linearly (or log-linearly) onto a range, rounded
for integer fields; onto a list of ``values`` by equal-width bins (``u`` in
``[k/n, (k+1)/n)`` picks value ``k``), so categorical parameters such as
``police.strategy`` can enter any design. The unit coordinates are kept
(columns ``u:<path>`` of ``design.parquet``): sensitivity indices are computed
on them, which makes Morris elementary effects comparable across parameters
(an effect is the change in output per full range of the parameter).

Every design is a pure function of the experiment file (the samplers are
seeded with ``design.seed``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _clean(x: float) -> float:
    """12 significant digits: ``0.020000000000000004`` → ``0.02``."""
    return float(f"{x:.12g}")


def range_levels(spec: Any, ftype: str) -> list[Any]:
    """The factorial levels of a range parameter."""
    lo, hi = spec.range
    n = spec.levels
    pts = np.geomspace(lo, hi, n) if spec.scale == "log" else np.linspace(lo, hi, n)
    if ftype == "int":
        return [round(float(p)) for p in pts]
    return [_clean(float(p)) for p in pts]


def factor_values(spec: Any, ftype: str) -> list[Any]:
    """The values a parameter takes in a factorial design."""
    if spec.values is not None:
        return [float(v) if ftype == "float" and type(v) is int else v for v in spec.values]
    return range_levels(spec, ftype)


def from_unit(spec: Any, ftype: str, u: float) -> Any:
    """Map a unit-cube coordinate ``u`` to a value of the parameter."""
    if spec.values is not None:
        n = len(spec.values)
        v = spec.values[min(int(u * n), n - 1)]
        return float(v) if ftype == "float" and type(v) is int else v
    lo, hi = spec.range
    u = min(max(u, 0.0), 1.0)
    if spec.scale == "log":
        x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    else:
        x = lo + u * (hi - lo)
    x = min(max(x, lo), hi)
    return round(x) if ftype == "int" else float(x)


def unit_problem(d: int, names: list[str] | None = None) -> dict[str, Any]:
    """A SALib problem on the unit cube."""
    names = names or [f"x{i}" for i in range(d)]
    return {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
