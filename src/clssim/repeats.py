"""Repeat and near-repeat victimisation, measured on a run's offences.

Two of the most robust facts of place-based crime (ODD §8), measured as the
literature measures them:

* **Repeat victimisation** (Farrell & Pease 1993; Pease 1998): in a year, the
  share of victimisations suffered by people victimised at least twice,
  against the share a Poisson spread of the same number of victimisations
  over the same residents would give (``1 − exp(−λ)`` for a mean of λ
  victimisations per resident: the other victimisations of a random
  victimisation's victim are Poisson(λ)). :func:`repeat_victimisation`.
* **Near repeats** (Townsley, Homel & Chaseling 2003; Johnson et al. 2007):
  the Knox test of the Near Repeat Calculator (Ratcliffe 2009). Pairs of
  burglaries close in space (within ``distance`` cells, Chebyshev) and in
  time (within ``days``) are counted, and compared with the same count after
  the days are shuffled among the burglaries many times (a permutation null
  that keeps where burglaries happen and how many happen when).
  :func:`knox`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Knox", "knox", "knox_pooled", "repeat_victimisation"]


@dataclass(frozen=True)
class Knox:
    """A Knox test: close pairs observed, their mean under the null, and the
    permutation p-value (one-sided: more close pairs than chance)."""

    observed: int
    expected: float
    p_value: float

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected > 0 else float("nan")


def _near_pairs(x: np.ndarray, y: np.ndarray, distance: int) -> tuple[np.ndarray, np.ndarray]:
    i, j = np.triu_indices(x.size, 1)
    near = np.maximum(np.abs(x[i] - x[j]), np.abs(y[i] - y[j])) <= distance
    return i[near], j[near]


def _null_counts(t, i, j, days, permutations, rng) -> np.ndarray:
    return np.array(
        [
            int((np.abs((p := rng.permutation(t))[i] - p[j]) <= days).sum())
            for _ in range(permutations)
        ]
    )


def knox(
    events: pd.DataFrame,
    kind: str | None = "burglary",
    distance: int = 4,
    days: int = 14,
    permutations: int = 199,
    seed: int = 0,
) -> Knox:
    """Knox test of one run's offences of type ``kind`` (see the module docstring)."""
    return knox_pooled([events], kind, distance, days, permutations, seed)


def knox_pooled(
    runs: list[pd.DataFrame],
    kind: str | None = "burglary",
    distance: int = 4,
    days: int = 14,
    permutations: int = 199,
    seed: int = 0,
) -> Knox:
    """Knox test pooled over several runs: pairs within each run, the runs'
    counts summed, each run's days shuffled within the run (the same
    permutation index across runs, so the null of the sum is exact)."""
    rng = np.random.default_rng(seed)
    observed, null = 0, np.zeros(permutations)
    for events in runs:
        b = events if kind is None else events[events["type"] == kind]
        if len(b) < 2:
            continue
        x, y = b["x"].to_numpy(np.int64), b["y"].to_numpy(np.int64)
        t = b["day"].to_numpy(np.int64)
        i, j = _near_pairs(x, y, distance)
        observed += int((np.abs(t[i] - t[j]) <= days).sum())
        null += _null_counts(t, i, j, days, permutations, rng)
    p = (1 + int((null >= observed).sum())) / (permutations + 1)
    return Knox(observed, float(null.mean()), p)


def repeat_victimisation(events: pd.DataFrame, residents: int, year_days: int = 365) -> dict:
    """Per full year (or the whole run, if shorter): the share of residents'
    victimisations suffered by people victimised at least twice that year,
    the share a Poisson spread would give, and their ratio (pooled over
    years: victimisations summed)."""
    v = events[events["victim_id"] >= 0]
    if v.empty or residents <= 0:
        return {"observed": float("nan"), "poisson": float("nan"), "ratio": float("nan")}
    last = int(events["day"].max()) + 1 if len(events) else 0
    years = max(1, last // year_days)
    repeat, total, expected = 0, 0, 0.0
    for year in range(years):
        sel = v if years == 1 else v[(v["day"] // year_days) == year]
        counts = np.bincount(sel["victim_id"].to_numpy(np.int64))
        counts = counts[counts > 0]
        n = int(counts.sum())
        repeat += int(counts[counts >= 2].sum())
        total += n
        expected += n * (1.0 - np.exp(-n / residents))
    observed = repeat / total if total else float("nan")
    poisson = expected / total if total else float("nan")
    return {"observed": observed, "poisson": poisson, "ratio": observed / poisson}
