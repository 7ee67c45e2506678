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

from clssim.draws import SlotDraws
from clssim.population import ROLES, Population

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
# infants (0–2) are at home with their family at all times
_R["infant"] = ([[1.0, 0, 0, 0]] * 4, [[1.0, 0, 0, 0]] * 4)
ROUTINE = np.array([_R[r] for r in ROLES])
assert np.allclose(ROUTINE.sum(-1), 1.0)
#: Cumulative activity thresholds, shape (daytype, slot, role, 3): an activity
#: is the number of thresholds a uniform passes (the per-agent reference uses it).
THRESHOLDS = np.cumsum(ROUTINE, axis=-1)[..., :3].transpose(1, 2, 0, 3)


class Routines:
    """Where everyone is in a slot: one draw per resident picks an activity and a place.

    A resident's *options* are home, work (or school), each local haunt and
    each leisure haunt; an option's probability is its activity's probability
    in :data:`ROUTINE` shared equally among the places of that kind. One
    uniform per resident, compared with the cumulative option probabilities
    (inverse transform), picks the option. This is the same distribution as
    drawing the activity first and then one of its places uniformly, with
    half the random numbers and no per-activity passes.

    The thresholds of every (day type, slot) are precomputed per resident
    (32 bytes per option per resident); call :meth:`refresh` after residents
    change role (e.g. lose their job). The cost grows with the number of
    haunts: with the default 3 + 3 a slot of the default neighbourhood is 14%
    faster than drawing activity and place separately, with the maximum
    20 + 20 about 8% slower.
    """

    def __init__(self, pop: Population):
        self.pop = pop
        self.refresh()

    def refresh(self) -> None:
        pop = self.pop
        k_local, k_leisure = pop.haunts_local.shape[1], pop.haunts_leisure.shape[1]
        #: activity of each option: home, work, the local haunts, the leisure haunts
        self.activity_of_option = np.array(
            [HOME, WORK] + [LOCAL] * k_local + [LEISURE] * k_leisure, dtype=np.int8
        )
        share = np.array([1.0, 1.0, k_local, k_leisure])[self.activity_of_option]
        p = ROUTINE[pop.role][..., self.activity_of_option] / share  # (n, day, slot, option)
        cum = np.cumsum(p, axis=-1)[..., :-1]
        cum[cum >= 1.0 - 1e-9] = np.inf  # options after the last possible one: never
        cum = np.ascontiguousarray(cum.transpose(1, 2, 3, 0), dtype=np.float32)
        #: (day type, slot, option − 1, resident): the thresholds in units of 2^−24,
        #: rounded up, so a 24-bit uniform k · 2^−24 passes one exactly when k does
        self.thresholds = np.minimum(np.ceil(cum.astype(float) * 2.0**24), 2**32 - 1).astype(
            np.uint32
        )
        #: flat place table: row i (from i · width) holds resident i's place per option
        table = np.column_stack([pop.home, pop.work, pop.haunts_local, pop.haunts_leisure])
        self.places = table.ravel()
        self._row = np.arange(pop.n) * table.shape[1]

    def draw(
        self, daytype: int, slot: int, draws: SlotDraws
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Each resident's option (int8: 0 home, 1 work, then the haunts; its
        activity is ``activity_of_option[option]``) and flat cell
        (``pop.outside`` when off the map) in this slot, and the ids of the
        residents away from home and of those out in public space (local or
        leisure)."""
        u = draws.everyone24()  # resident i's own 24-bit number k (u = k · 2^−24; ODD §4.10)
        option = (u >= self.thresholds[daytype, slot]).sum(axis=0, dtype=np.int8)
        loc = self.places[self._row + option]
        return option, loc, np.flatnonzero(option != 0), np.flatnonzero(option >= 2)

    def activities(self, daytype: int, slot: int, draws: SlotDraws) -> np.ndarray:
        """Only the activities of :meth:`draw` (int8 codes, see ``ACTIVITIES``)."""
        return self.activity_of_option[self.draw(daytype, slot, draws)[0]]


def away_and_out(act: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ids of the residents away from home (any activity but home) and of those
    out in public space (local or leisure)."""
    return np.flatnonzero(act != HOME), np.flatnonzero(act >= LOCAL)
