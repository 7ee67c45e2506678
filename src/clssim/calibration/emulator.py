"""Likelihood-free calibration by an emulator and a synthetic likelihood.

The method, and why it is this one
----------------------------------
A measure has one to three free effect parameters θ in a box (their
``Param`` ranges), and its virtual trial turns θ into noisy estimates of a
few effects, each of which an evaluation measured with a 95 % CI. We want
the parameter values consistent with the evidence, with the evidence's
uncertainty, not just one best fit.

1. **Design.** ``n_points`` values of θ from a scrambled Sobol sequence over
   the box; each is run ``replicates`` times with common seeds (replicate r
   of every point uses seed ``root + r``), which keeps the differences
   between points free of most of the simulation noise.
2. **Emulator.** For each target, a quadratic regression of the replicate
   estimates (on the metric's natural scale) on θ, by least squares: the
   trial's expected effect ``m(θ)`` and the standard error of that mean
   (Kennedy & O'Hagan 2001 in spirit; a polynomial, not a Gaussian process,
   because the responses are smooth and monotone over small boxes).
3. **Synthetic likelihood.** The evidence says the true effect is about
   ``y ~ N(m(θ), se_y²)``; with the emulator's own error ``s(θ)``, the
   likelihood of θ is ``Π N(y; m(θ), se_y² + s(θ)²)`` (Wood 2010), under a
   uniform prior on the box.
4. **Posterior.** ``n_prior`` Sobol points of the box are weighted by the
   likelihood and ``n_draws`` of them resampled (systematic resampling): the
   posterior draws that every replicate of a decision then samples from.

This needs tens of simulations per measure where ABC-SMC (e.g. pyabc)
needs thousands: each simulation here is a trial of a whole neighbourhood
for two years. Its assumptions are checked, not trusted: the fit reports the
emulator's R² and the effective sample size of the weights, and flags a
target the box cannot reach (the posterior piles up at a bound), which
``clssim calibrate`` prints and the docs record.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats import qmc


@dataclass(frozen=True)
class Target:
    """What the evidence says of one effect, on the metric's natural scale."""

    name: str
    observed: float
    se: float


def design(bounds: Sequence[tuple[float, float]], n_points: int, seed: int) -> np.ndarray:
    """``n_points`` parameter vectors, a scrambled Sobol sequence over the box."""
    lo = np.array([b[0] for b in bounds], float)
    hi = np.array([b[1] for b in bounds], float)
    sobol = qmc.Sobol(d=len(bounds), scramble=True, rng=np.random.default_rng(seed))
    with warnings.catch_warnings():  # balance needs 2^k points; a prefix is still low-discrepancy
        warnings.filterwarnings("ignore", "The balance properties", UserWarning)
        unit = sobol.random(n_points)
    return lo + unit * (hi - lo)


def _features(X: np.ndarray) -> np.ndarray:
    """1, θ_i, θ_i², θ_i θ_j."""
    n, p = X.shape
    cols = [np.ones(n)] + [X[:, i] for i in range(p)] + [X[:, i] ** 2 for i in range(p)]
    cols += [X[:, i] * X[:, j] for i in range(p) for j in range(i + 1, p)]
    return np.column_stack(cols)


@dataclass
class Emulator:
    """A quadratic response surface of one target, with its uncertainty."""

    coef: np.ndarray
    cov: np.ndarray  #: covariance of ``coef``
    lo: np.ndarray
    hi: np.ndarray
    r2: float
    resid_sd: float  #: SD of one replicate around the surface

    def _scaled(self, X: np.ndarray) -> np.ndarray:
        return (np.atleast_2d(X) - self.lo) / np.where(self.hi > self.lo, self.hi - self.lo, 1)

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean response and its standard error at each row of ``X``."""
        F = _features(self._scaled(X))
        mean = F @ self.coef
        se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", F, self.cov, F), 0.0))
        return mean, se


def fit_emulator(X: np.ndarray, y: np.ndarray, bounds: Sequence[tuple[float, float]]) -> Emulator:
    """Least-squares quadratic fit of replicate estimates ``y`` at parameters ``X``
    (rows with a non-finite ``y`` are left out); falls back to a linear fit when
    there are too few points for the quadratic."""
    X, y = np.atleast_2d(np.asarray(X, float)), np.asarray(y, float)
    ok = np.isfinite(y)
    X, y = X[ok], y[ok]
    lo = np.array([b[0] for b in bounds], float)
    hi = np.array([b[1] for b in bounds], float)
    Xs = (X - lo) / np.where(hi > lo, hi - lo, 1)
    F = _features(Xs)
    p = X.shape[1]
    if len(y) < F.shape[1] + 2:  # linear only
        F = F[:, : 1 + p]
    if len(y) < F.shape[1] + 1:
        raise ValueError(f"emulator: {len(y)} finite estimates are too few for {p} parameters")
    coef, *_ = np.linalg.lstsq(F, y, rcond=None)
    resid = y - F @ coef
    dof = max(len(y) - F.shape[1], 1)
    s2 = float(resid @ resid / dof)
    cov = s2 * np.linalg.pinv(F.T @ F)
    if F.shape[1] < _features(Xs[:1]).shape[1]:  # pad a linear fit to the quadratic shape
        k = _features(Xs[:1]).shape[1]
        coef = np.concatenate([coef, np.zeros(k - coef.size)])
        full = np.zeros((k, k))
        full[: cov.shape[0], : cov.shape[1]] = cov
        cov = full
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / total if total > 0 else 0.0
    return Emulator(coef, cov, lo, hi, r2, math.sqrt(s2))


@dataclass
class Posterior:
    draws: np.ndarray  #: (n_draws, parameters)
    ess: float  #: effective sample size of the importance weights
    at_bound: list[bool]  #: per parameter: the posterior piles up at an edge of its box
    best: np.ndarray  #: the prior point of highest likelihood


def posterior(
    emulators: Sequence[Emulator],
    targets: Sequence[Target],
    bounds: Sequence[tuple[float, float]],
    *,
    n_prior: int = 16384,
    n_draws: int = 200,
    seed: int = 0,
) -> Posterior:
    """Posterior draws of θ under a uniform prior on the box (see the module text)."""
    rng = np.random.default_rng(seed)
    prior = design(bounds, n_prior, seed)
    loglik = np.zeros(n_prior)
    for em, t in zip(emulators, targets, strict=True):
        mean, se = em.predict(prior)
        sd = np.sqrt(t.se**2 + se**2)
        loglik += stats.norm.logpdf(t.observed, mean, sd)
    w = np.exp(loglik - loglik.max())
    w /= w.sum()
    ess = float(1.0 / (w**2).sum())
    positions = (rng.random() + np.arange(n_draws)) / n_draws  # systematic resampling
    idx = np.minimum(np.searchsorted(np.cumsum(w), positions), n_prior - 1)
    draws = prior[rng.permutation(idx)]
    at_bound = []
    for i, (lo, hi) in enumerate(bounds):
        edge = 0.02 * (hi - lo)
        share = float(np.mean((draws[:, i] < lo + edge) | (draws[:, i] > hi - edge)))
        at_bound.append(share > 0.5)
    return Posterior(draws, ess, at_bound, prior[int(np.argmax(loglik))])
