"""Routine activities: where every resident is in a slot (Cohen & Felson 1979).

Each slot, every resident draws one activity from a table indexed by role,
day type (weekday/weekend) and slot:

``HOME``     at home (the home cell)
``WORK``     at work or school (``Population.work``; off the map when outside)
``LOCAL``    in public space near home (one of the local haunts)
``LEISURE``  at a leisure place (one of the leisure haunts)

The table is a stylised reading of time-use surveys (INE Inquérito à
Ocupação do Tempo 1999; HETUS 2010); see ODD §7 "Routines".
"""

from __future__ import annotations

import numpy as np

from clssim.population import Population

ACTIVITIES = ("home", "work", "local", "leisure")
HOME, WORK, LOCAL, LEISURE = range(4)

# ROUTINE[role][daytype][slot] = P(home, work/school, local, leisure)
# slots: night, morning, afternoon, evening
_R = {
    "child": (
        [
            [1.0, 0, 0, 0],
            [0.1, 0.8, 0.05, 0.05],
            [0.3, 0.4, 0.2, 0.1],
            [0.85, 0, 0.1, 0.05],
        ],
        [[1.0, 0, 0, 0], [0.6, 0, 0.2, 0.2], [0.4, 0, 0.3, 0.3], [0.85, 0, 0.1, 0.05]],
    ),
    "student": (
        [
            [0.9, 0, 0.04, 0.06],
            [0.1, 0.8, 0.05, 0.05],
            [0.2, 0.45, 0.2, 0.15],
            [0.55, 0, 0.2, 0.25],
        ],
        [
            [0.75, 0, 0.08, 0.17],
            [0.75, 0, 0.1, 0.15],
            [0.35, 0, 0.3, 0.35],
            [0.4, 0, 0.25, 0.35],
        ],
    ),
    "neet": (
        [
            [0.8, 0, 0.08, 0.12],
            [0.6, 0, 0.25, 0.15],
            [0.35, 0, 0.35, 0.3],
            [0.45, 0, 0.25, 0.3],
        ],
        [
            [0.7, 0, 0.1, 0.2],
            [0.7, 0, 0.15, 0.15],
            [0.35, 0, 0.3, 0.35],
            [0.4, 0, 0.25, 0.35],
        ],
    ),
    "employed": (
        [
            [0.97, 0.01, 0.01, 0.01],
            [0.1, 0.85, 0.03, 0.02],
            [0.1, 0.8, 0.05, 0.05],
            [0.7, 0.05, 0.1, 0.15],
        ],
        [
            [0.93, 0.02, 0.01, 0.04],
            [0.6, 0.1, 0.15, 0.15],
            [0.45, 0.1, 0.2, 0.25],
            [0.6, 0.05, 0.1, 0.25],
        ],
    ),
    "unemployed": (
        [
            [0.95, 0, 0.02, 0.03],
            [0.6, 0, 0.25, 0.15],
            [0.5, 0, 0.25, 0.25],
            [0.7, 0, 0.15, 0.15],
        ],
        [
            [0.95, 0, 0.02, 0.03],
            [0.6, 0, 0.2, 0.2],
            [0.45, 0, 0.25, 0.3],
            [0.65, 0, 0.15, 0.2],
        ],
    ),
    "elderly": (
        [
            [0.99, 0, 0.005, 0.005],
            [0.55, 0, 0.3, 0.15],
            [0.6, 0, 0.25, 0.15],
            [0.9, 0, 0.05, 0.05],
        ],
        [
            [0.99, 0, 0.005, 0.005],
            [0.5, 0, 0.3, 0.2],
            [0.55, 0, 0.25, 0.2],
            [0.88, 0, 0.06, 0.06],
        ],
    ),
}
ROUTINE = np.array(
    [_R[r] for r in ("child", "student", "neet", "employed", "unemployed", "elderly")]
)
#: Cumulative thresholds, shape (daytype, slot, role, 3).
THRESHOLDS = np.cumsum(ROUTINE, axis=-1)[..., :3].transpose(1, 2, 0, 3)
assert np.allclose(ROUTINE.sum(-1), 1.0)


class Routines:
    """Per-resident activity thresholds for every (day type, slot), precomputed,
    and each resident's places (work, local haunts, leisure haunts) in one table.

    Call :meth:`refresh` after residents change role (e.g. lose their job).
    """

    def __init__(self, pop: Population):
        self.pop = pop
        self.refresh()

    def refresh(self) -> None:
        pop = self.pop
        # (daytype, slot, 3, n): contiguous rows for fast comparisons. float32,
        # like the uniforms they are compared with (half the memory traffic)
        self.thresholds = np.ascontiguousarray(
            THRESHOLDS[:, :, pop.role, :].transpose(0, 1, 3, 2), dtype=np.float32
        )
        # one row per resident: [work, local haunts..., leisure haunts...]
        k_local, k_leisure = pop.haunts_local.shape[1], pop.haunts_leisure.shape[1]
        table = np.column_stack([pop.work, pop.haunts_local, pop.haunts_leisure])
        self.places = table.ravel()  #: flat: row i starts at i * row_width
        self.row_width = table.shape[1]
        #: per activity code: first column of its places, and how many there are
        self.first_place = np.array([0, 0, 1, 1 + k_local])  # (HOME is not in the table)
        self.n_places = np.array([1.0, 1.0, k_local, k_leisure])

    def activities(self, daytype: int, slot: int, rng: np.random.Generator) -> np.ndarray:
        """One activity code per resident for this slot (int8, see ``ACTIVITIES``)."""
        t = self.thresholds[daytype, slot]
        u = rng.random(self.pop.n, dtype=np.float32)
        act = (u >= t[0]).view(np.int8)  # 0 = home; +1 for each threshold passed
        act += u >= t[1]
        act += u >= t[2]
        return act

    def locations(
        self, act: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat cell index of each resident (``pop.outside`` when off the map), and
        the ids of the residents away from home and of those out in public space.

        At work: the work cell; local or leisure: one of the resident's haunts
        of that kind, uniformly.
        """
        loc = self.pop.home.copy()
        away = np.flatnonzero(act != HOME)
        a = act[away].astype(np.intp)
        col = self.first_place[a] + (rng.random(away.size) * self.n_places[a]).astype(np.intp)
        loc[away] = self.places[away * self.row_width + col]
        return loc, away, away[a >= LOCAL]


def away_and_out(act: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ids of the residents away from home (any activity but home) and of those
    out in public space (local or leisure)."""
    away = np.flatnonzero(act != HOME)
    return away, away[act[away] >= LOCAL]
