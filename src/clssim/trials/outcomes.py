"""What a virtual trial measures, in the metric each evaluation used.

Every estimator returns the effect of one replicate in one metric of
:data:`clssim.evidence.METRICS`, with the sign conventions of the cards:
``relative_change`` −0.2 is 20 % less of the outcome in the treated arm
relative to control; ``odds_ratio_wf`` > 1 favours treatment; ``smd`` > 0
favours treatment (fewer offences, less fear, more trust); odds, risk and
hazard ratios compare the amount of the outcome, treated over control.

The model's constructs behind the outcomes: ``crime`` and its types count
*every* offence at the cells, recorded or not (the evaluations counted
recorded crime as a proxy of it; at the size of a neighbourhood, recorded
counts per street segment are too few to estimate an effect);
``trust``, ``legitimacy`` and ``satisfaction`` are the residents' trust in
the police (one construct in the model); ``insecurity`` and
``perceived_crime`` their perceived insecurity; ``participation``,
``school_engagement`` and ``employment`` the model's own variables.
"""

from __future__ import annotations

import math

import numpy as np

from clssim.crime import BURGLARY, THEFT, VANDALISM, VIOLENCE
from clssim.evidence import OUTCOMES
from clssim.evidence.metrics import smd_to_odds_ratio

#: offence types counted by each place outcome
OFFENCE_TYPES: dict[str, tuple[int, ...]] = {
    "crime": (BURGLARY, THEFT, VIOLENCE, VANDALISM),
    "violence": (VIOLENCE,),
    "gun_violence": (VIOLENCE,),
    "property_crime": (BURGLARY, THEFT),
    "disorder": (VANDALISM,),
}

#: the model's per-resident state behind each survey outcome
STATE: dict[str, str] = {
    "trust": "trust",
    "legitimacy": "trust",
    "satisfaction": "trust",
    "insecurity": "insecurity",
    "perceived_crime": "insecurity",
    "participation": "participation",
    "school_engagement": "engagement",
}


def better_up(outcome: str) -> bool:
    """Is more of the outcome better?"""
    return OUTCOMES[outcome][1]


def did_counts(metric: str, tb: float, ta: float, cb: float, ca: float) -> float:
    """A before–after, treated–control contrast of counts (or means).

    ``relative_change`` is ``(ta/tb)/(ca/cb) − 1``; ``odds_ratio_wf`` the
    Welsh–Farrington ``(tb·ca)/(ta·cb)``. With a zero count, 0.5 is added to
    each (Haldane's correction); NaN if the metric does not apply.
    """
    if min(tb, ta, cb, ca) <= 0:
        tb, ta, cb, ca = tb + 0.5, ta + 0.5, cb + 0.5, ca + 0.5
    if metric == "relative_change":
        return (ta / tb) / (ca / cb) - 1.0
    if metric == "odds_ratio_wf":
        return (tb * ca) / (ta * cb)
    if metric in ("risk_ratio", "hazard_ratio", "odds_ratio"):
        return (ta / tb) / (ca / cb)
    return math.nan


def pooled_sd(a: np.ndarray, b: np.ndarray) -> float:
    """The pooled standard deviation of two samples (each of at least 2)."""
    na, nb = a.size, b.size
    return math.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2))


def smd(treated: np.ndarray, control: np.ndarray, up: bool) -> float:
    """Cohen's d with the pooled SD, positive when it favours treatment."""
    t, c = np.asarray(treated, float), np.asarray(control, float)
    if t.size < 2 or c.size < 2:
        return math.nan
    pooled = pooled_sd(t, c)
    if pooled == 0:
        return 0.0 if t.mean() == c.mean() else math.nan
    d = (t.mean() - c.mean()) / pooled
    return d if up else -d


def compare_groups(metric: str, treated: np.ndarray, control: np.ndarray, up: bool) -> float:
    """A treated–control comparison of individual outcomes after treatment.

    ``smd``: Cohen's d. ``relative_change``: ratio of means − 1. ``risk_ratio``:
    ratio of the shares with any of the outcome (counts) or of the means
    (shares). ``odds_ratio``: from 2 × 2 counts of any outcome when the outcome
    is a count or a flag, else from d (Chinn 2000). ``hazard_ratio``: the ratio
    of rates (offences per person over the same time).
    """
    t, c = np.asarray(treated, float), np.asarray(control, float)
    if t.size == 0 or c.size == 0:
        return math.nan
    if metric == "smd":
        return smd(t, c, up)
    if metric in ("relative_change", "hazard_ratio"):
        if c.mean() == 0:
            return math.nan
        ratio = t.mean() / c.mean()
        return ratio - 1.0 if metric == "relative_change" else ratio
    counts = np.array_equal(t, np.round(t)) and np.array_equal(c, np.round(c))
    if metric == "risk_ratio":
        rt, rc = ((t > 0).mean(), (c > 0).mean()) if counts else (t.mean(), c.mean())
        return rt / rc if rc > 0 else math.nan
    if metric == "odds_ratio":
        if counts:
            a, b = (t > 0).sum() + 0.5, (t == 0).sum() + 0.5
            cc, d = (c > 0).sum() + 0.5, (c == 0).sum() + 0.5
            return (a / b) / (cc / d)
        d_up = smd(t, c, True)  # more of the outcome in treated → OR > 1
        return smd_to_odds_ratio(d_up) if not math.isnan(d_up) else math.nan
    if metric == "odds_ratio_wf":
        return c.mean() / t.mean() if t.mean() > 0 else math.nan
    return math.nan


def state_change(
    metric: str,
    before_t: np.ndarray,
    after_t: np.ndarray,
    before_c: np.ndarray,
    after_c: np.ndarray,
    up: bool,
) -> float:
    """A survey outcome of two samples before and after: ``relative_change``
    compares the change of means (difference in differences, as a ratio);
    ``smd`` the difference of mean changes over the pooled SD before (Morris
    2008's d for pretest–posttest–control designs)."""
    if metric == "relative_change":
        return did_counts(metric, before_t.mean(), after_t.mean(), before_c.mean(), after_c.mean())
    if metric == "smd":
        if before_t.size < 2 or before_c.size < 2:
            return math.nan
        sd = pooled_sd(before_t, before_c)
        if sd == 0:
            return math.nan
        d = ((after_t - before_t).mean() - (after_c - before_c).mean()) / sd
        return d if up else -d
    return compare_groups(metric, after_t, after_c, up)
