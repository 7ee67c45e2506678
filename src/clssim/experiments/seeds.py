"""Seed policies: the seed of every run is a pure function of (set, replicate).

``common`` (the default) — common random numbers: replicate ``r`` of every
parameter set (and of every arm of a comparison) runs with seed ``root + r``.
Differences between sets are then not blurred by different random draws of
population, routines and offending, which sharpens comparisons and Morris
elementary effects.

``independent`` — every run has its own seed, drawn from
``numpy.random.SeedSequence(root, spawn_key=(set_index, replicate))``: the
same child a ``SeedSequence(root).spawn`` tree gives that run, whatever the
number of runs, the executor or the order in which runs finish.

Because a seed depends on nothing but ``(root, set_index, replicate)``, a run
can be redone alone with ``clssim run SCENARIO --seed SEED``: the table stores
each run's seed.
"""

from __future__ import annotations

import numpy as np

POLICIES = ("common", "independent")
MAX_SEED = 2**63 - 1


def run_seed(policy: str, root: int, set_index: int, replicate: int) -> int:
    """The scenario seed of replicate ``replicate`` of parameter set ``set_index``."""
    if policy == "common":
        seed = root + replicate
        if seed > MAX_SEED:
            raise ValueError(f"seed root {root} + replicate {replicate} exceeds 2**63 - 1")
        return seed
    if policy == "independent":
        seq = np.random.SeedSequence(root, spawn_key=(set_index, replicate))
        lo, hi = (int(x) for x in seq.generate_state(2, dtype=np.uint32))
        return ((hi << 32) | lo) & MAX_SEED
    raise ValueError(f"unknown seed policy {policy!r}; allowed: {', '.join(POLICIES)}")
