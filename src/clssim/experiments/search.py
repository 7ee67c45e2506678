"""A multi-objective search over budget shares: NSGA-II on the simplex.

``clssim mixes`` asks which ways of sharing a budget across the contract's
lines are efficient: no other share is better on every objective (offences,
fear, cost). Sampling shares at random wastes runs far from the front; this
module searches it with NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002, the
default multi-objective sampler of Optuna and pymoo), adapted to points on
the simplex (shares that sum to 1):

1. an initial population (the caller's seeds, e.g. the single-line mixes and
   the equal split, then Dirichlet(1) draws);
2. each generation, parents are picked by binary tournament on (front rank,
   crowding distance); a child is a random convex combination of two parents
   (it stays on the simplex), mixed with probability ``mutation`` with a
   Dirichlet(1) draw, and rounded to the ``grid`` (shares of 1/grid), so
   nearby mixes are the same mix and are never evaluated twice;
3. parents and children are pooled and the next population is the best
   ``population`` by non-dominated sorting, ties broken by crowding distance.

``evaluate`` takes a whole generation at once (a batch of shares → one row of
objectives each, lower is better), so the caller runs a generation as one
plan on the local pool or a Dask cluster, and a resumed search finds its
earlier runs in the store: the search is deterministic given its seed and
the evaluations, so it asks for the same mixes again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


def fronts(values: np.ndarray) -> list[np.ndarray]:
    """Non-dominated sorting: the indices of each front, best first (all columns
    minimised; a row dominates another when it is no worse on every column and
    better on one)."""
    n = values.shape[0]
    le = (values[:, None, :] <= values[None, :, :]).all(axis=2)
    lt = (values[:, None, :] < values[None, :, :]).any(axis=2)
    dominates = le & lt  # dominates[i, j]: i dominates j
    count = dominates.sum(axis=0)  # how many dominate j
    out, remaining = [], np.ones(n, dtype=bool)
    while remaining.any():
        current = np.flatnonzero(remaining & (count == 0))
        out.append(current)
        remaining[current] = False
        count = count - dominates[current].sum(axis=0)
        count[~remaining] = -1
    return out


def crowding(values: np.ndarray) -> np.ndarray:
    """Crowding distance of the rows of one front (the boundary rows: infinite)."""
    n, k = values.shape
    dist = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for j in range(k):
        order = np.argsort(values[:, j], kind="stable")
        v = values[order, j]
        span = v[-1] - v[0]
        dist[order[0]] = dist[order[-1]] = np.inf
        if span > 0:
            dist[order[1:-1]] += (v[2:] - v[:-2]) / span
    return dist


def rank_and_crowding(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's front rank (0 = non-dominated) and crowding distance in its front."""
    rank = np.empty(values.shape[0], dtype=int)
    crowd = np.empty(values.shape[0])
    for r, idx in enumerate(fronts(values)):
        rank[idx] = r
        crowd[idx] = crowding(values[idx])
    return rank, crowd


def on_grid(shares: np.ndarray, grid: int) -> np.ndarray:
    """Shares rounded to multiples of 1/grid that still sum to 1 (largest remainders)."""
    x = np.clip(np.asarray(shares, float), 0.0, None)
    x = x / x.sum() * grid
    units = np.floor(x).astype(int)
    short = grid - units.sum()
    if short > 0:
        units[np.argsort(-(x - units), kind="stable")[:short]] += 1
    return units / grid


def _tournament(rank: np.ndarray, crowd: np.ndarray, rng: np.random.Generator) -> int:
    """Binary tournament: of two random members, the lower front, then the less crowded."""
    a, b = rng.integers(rank.size, size=2)
    return int(a) if (rank[a], -crowd[a]) <= (rank[b], -crowd[b]) else int(b)


def _mutate(x: np.ndarray, grid: int, rng: np.random.Generator) -> np.ndarray:
    """Move money between lines: drop a funded line (its share to the others,
    in proportion), or move one to three grid units from one line to another."""
    units = np.rint(x * grid).astype(int)
    funded = np.flatnonzero(units > 0)
    if funded.size > 1 and rng.random() < 0.3:
        drop = rng.choice(funded)
        rest = units.astype(float)
        rest[drop] = 0.0
        return on_grid(rest, grid)
    src = rng.choice(funded)
    dst = rng.choice(np.flatnonzero(np.arange(x.size) != src))
    k = min(int(rng.integers(1, 4)), units[src])
    units[src] -= k
    units[dst] += k
    return units / grid


@dataclass
class SearchResult:
    """Every mix evaluated, in order, with its objectives and the generation that asked for it."""

    shares: np.ndarray  #: (evaluated, dim)
    values: np.ndarray  #: (evaluated, objectives)
    generation: np.ndarray  #: (evaluated,)
    population: np.ndarray = field(repr=False)  #: indices of the final population

    def front(self) -> np.ndarray:
        """Indices of the non-dominated mixes among all evaluated."""
        return fronts(self.values)[0]


def nsga2(
    evaluate: Callable[[np.ndarray], np.ndarray],
    dim: int,
    *,
    population: int = 12,
    generations: int = 4,
    seed: int = 1,
    initial: list[np.ndarray] | None = None,
    grid: int = 20,
    mutation: float = 0.5,
) -> SearchResult:
    """Search the ``dim``-simplex for shares minimising every objective of ``evaluate``.

    ``evaluate(batch)`` gets an (m, dim) array of new shares and returns (m, k)
    objectives. Returns every evaluated mix (:class:`SearchResult`). Each
    generation evaluates at most ``population`` new mixes (fewer when children
    repeat a mix already evaluated).
    """
    if population < 2 or generations < 0 or dim < 2 or grid < 1:
        raise ValueError("population ≥ 2, generations ≥ 0, dim ≥ 2 and grid ≥ 1 are needed")
    rng = np.random.default_rng(seed)
    seen: dict[tuple[int, ...], int] = {}
    shares: list[np.ndarray] = []
    values: list[np.ndarray] = []
    gen_of: list[int] = []

    def key(x: np.ndarray) -> tuple[int, ...]:
        return tuple(np.rint(x * grid).astype(int).tolist())

    def add(batch: list[np.ndarray], g: int) -> list[int]:
        """Evaluate the new mixes of ``batch``; the indices of all of them."""
        new = []
        for x in batch:
            k = key(x)
            if k not in seen:
                seen[k] = -1 - len(new)  # placeholder until evaluated
                new.append(x)
        if new:
            out = np.asarray(evaluate(np.array(new)), float)
            if out.shape[0] != len(new):
                raise ValueError(f"evaluate returned {out.shape[0]} rows for {len(new)} mixes")
            for x, v in zip(new, out, strict=True):
                seen[key(x)] = len(shares)
                shares.append(x)
                values.append(v)
                gen_of.append(g)
        return [seen[key(x)] for x in batch]

    start = [on_grid(x, grid) for x in (initial or [])]
    while len(start) < population:
        start.append(on_grid(rng.dirichlet(np.ones(dim)), grid))
    current = list(dict.fromkeys(add(start[: max(population, len(start))], 0)))
    for g in range(1, generations + 1):
        vals = np.array([values[i] for i in current])
        rank, crowd = rank_and_crowding(vals)

        children = []
        for _ in range(population):
            p = shares[current[_tournament(rank, crowd, rng)]]
            q = shares[current[_tournament(rank, crowd, rng)]]
            w = rng.random()
            child = on_grid(w * p + (1.0 - w) * q, grid)
            if rng.random() < mutation:
                child = _mutate(child, grid, rng)
            children.append(child)
        pool = list(dict.fromkeys(current + add(children, g)))
        vals = np.array([values[i] for i in pool])
        chosen: list[int] = []
        for idx in fronts(vals):
            if len(chosen) + idx.size <= population:
                chosen += idx.tolist()
            else:
                order = np.argsort(-crowding(vals[idx]), kind="stable")
                chosen += idx[order[: population - len(chosen)]].tolist()
                break
        current = [pool[i] for i in chosen]
    return SearchResult(
        np.array(shares), np.array(values), np.array(gen_of), np.array(current, dtype=int)
    )
