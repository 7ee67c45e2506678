"""The mixes' optimiser (NSGA-II on the simplex) finds a known Pareto front."""

from __future__ import annotations

import numpy as np
import pytest

from clssim.experiments.search import crowding, fronts, nsga2, on_grid


def toy(batch: np.ndarray) -> np.ndarray:
    """Two objectives on the 3-simplex: distance² to the first and to the second
    corner (the continuous Pareto set is the edge between them)."""
    e0, e1 = np.eye(3)[0], np.eye(3)[1]
    return np.column_stack([((batch - e0) ** 2).sum(1), ((batch - e1) ** 2).sum(1)])


def grid_front(grid: int) -> tuple[set, int]:
    """The known answer: the Pareto front of ``toy`` over every mix of the grid
    (by enumeration), as sets of grid units, and the number of mixes."""
    every = np.array([(a, b, grid - a - b) for a in range(grid + 1) for b in range(grid + 1 - a)])
    front = every[fronts(toy(every / grid))[0]]
    return {tuple(x) for x in front.tolist()}, len(every)


def units(shares: np.ndarray, grid: int) -> set:
    return {tuple(x) for x in np.rint(shares * grid).astype(int).tolist()}


def test_fronts_and_crowding_on_a_hand_made_case():
    v = np.array([[1, 4], [2, 2], [4, 1], [3, 3], [5, 5]], float)
    assert [f.tolist() for f in fronts(v)] == [[0, 1, 2], [3], [4]]
    c = crowding(v[[0, 1, 2]])
    assert np.isinf(c[0]) and np.isinf(c[2]) and c[1] == pytest.approx(2.0)


def test_on_grid_keeps_shares_on_the_simplex():
    x = on_grid(np.array([0.333, 0.333, 0.334]), 20)
    assert x.sum() == pytest.approx(1.0) and np.allclose(x * 20, np.rint(x * 20))


def test_nsga2_finds_the_known_front_of_a_toy_problem():
    """On a grid of tenths (66 mixes, 19 on the front) the search finds exactly
    the front known by enumeration, having evaluated fewer mixes than there are."""
    known, n_mixes = grid_front(10)
    res = nsga2(toy, 3, population=16, generations=15, seed=3, grid=10)
    assert units(res.shares[res.front()], 10) == known
    assert len(res.shares) < n_mixes
    # no mix is evaluated twice, and no generation asks for more than the population
    assert len(units(res.shares, 10)) == len(res.shares)
    assert np.bincount(res.generation).max() <= 16
    # over other seeds: never a dominated mix on the front, almost all the front found
    recall = []
    for seed in range(1, 9):
        r = nsga2(toy, 3, population=16, generations=15, seed=seed, grid=10)
        found = units(r.shares[r.front()], 10)
        assert found <= known
        recall.append(len(found) / len(known))
    assert np.mean(recall) >= 0.95


def test_nsga2_beats_random_shares_with_the_same_runs():
    """On a grid of twentieths (231 mixes), with the same number of evaluations
    (about 70), random shares put far fewer true front mixes on their front."""
    known, _ = grid_front(20)
    res = nsga2(toy, 3, population=12, generations=8, seed=3, grid=20)
    found = units(res.shares[res.front()], 20)
    rng = np.random.default_rng(3)
    rand = np.array([on_grid(rng.dirichlet(np.ones(3)), 20) for _ in range(len(res.shares))])
    rand_found = units(rand[fronts(toy(rand))[0]], 20)
    assert len(found & known) / len(found) >= 0.8
    assert len(found & known) >= 2 * len(rand_found & known)


def test_nsga2_is_deterministic_and_batches_each_generation():
    calls = []

    def counted(batch):
        calls.append(len(batch))
        return toy(batch)

    a = nsga2(counted, 3, population=8, generations=3, seed=5)
    b = nsga2(toy, 3, population=8, generations=3, seed=5)
    np.testing.assert_array_equal(a.shares, b.shares)
    assert len(calls) <= 4 and sum(calls) == len(a.shares)
