"""Effect metrics: their natural scales, intervals, and conversions between them.

Each metric of :data:`clssim.evidence.METRICS` has a scale on which its
sampling distribution is close to normal: the log for ratios, ``log(1 + r)``
for a relative change, the identity for a standardised mean difference.
Intervals and standard errors are computed there.

Where a source gives a P value (or its bound) but no CI, :func:`interval`
back-calculates the CI from it (Altman & Bland 2011, *How to obtain the
confidence interval from a P value*, BMJ 343:d2090): the standard error is
``|estimate| / z(P)`` on the natural scale. A bound such as ``P < 0.05``
gives the widest CI consistent with it, so a derived CI is never narrower
than what was published.

Conversions: a relative change ``r`` is the Welsh–Farrington relative effect
size ``1 / (1 + r)``; a standardised mean difference ``d`` is an odds ratio
``exp(d π / √3)`` (Chinn 2000, Stat Med 19:3127).
"""

from __future__ import annotations

import math
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)
_LOG = ("odds_ratio_wf", "odds_ratio", "risk_ratio", "hazard_ratio")


def to_scale(metric: str, value: float) -> float:
    """``value`` on the metric's natural (approximately normal) scale."""
    if metric in _LOG:
        return math.log(value)
    if metric == "relative_change":
        return math.log1p(value)
    return value


def from_scale(metric: str, z: float) -> float:
    """Inverse of :func:`to_scale`."""
    if metric in _LOG:
        return math.exp(z)
    if metric == "relative_change":
        return math.expm1(z)
    return z


def p_bound(p: str) -> float:
    """The number of a P value string: ``"<0.01"`` → 0.01, ``"=0.03"`` → 0.03."""
    return float(p.lstrip("<= "))


def interval(
    metric: str, mean: float, ci: tuple[float, float] | None, p: str | None
) -> tuple[tuple[float, float] | None, bool]:
    """The 95 % CI and whether it was derived (from ``p``) rather than published."""
    if ci is not None:
        return ci, False
    if p is None:
        return None, False
    z = to_scale(metric, mean)
    se = abs(z) / NormalDist().inv_cdf(1 - p_bound(p) / 2)
    return (from_scale(metric, z - Z95 * se), from_scale(metric, z + Z95 * se)), True


def standard_error(metric: str, ci: tuple[float, float]) -> float:
    """The standard error on the natural scale implied by a 95 % CI."""
    lo, hi = to_scale(metric, ci[0]), to_scale(metric, ci[1])
    return (hi - lo) / (2 * Z95)


def smd_to_odds_ratio(d: float) -> float:
    """Chinn (2000): ``ln OR = d π / √3``."""
    return math.exp(d * math.pi / math.sqrt(3))


def odds_ratio_to_smd(odds_ratio: float) -> float:
    """Inverse of :func:`smd_to_odds_ratio`."""
    return math.log(odds_ratio) * math.sqrt(3) / math.pi
