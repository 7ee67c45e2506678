"""Scheduled shocks: pandemic, economic crisis, seasonal influx (ODD §7 "Shocks").

* **pandemic** — while active, a share ``0.7 × intensity`` of residents who
  would go out stay home, schools close for a share ``intensity`` of pupils,
  police contacts fall by ``intensity`` and partners' field delivery by
  ``0.5 × intensity`` (COVID-19 "cut close contact", seed paper).
* **economic_crisis** — on its first day a share ``0.3 × intensity`` of the
  employed lose their job (their household becomes poor, which adds a
  vulnerability and so raises fear); while active the
  contract's budget is cut by ``0.5 × intensity`` (the first CLS generation
  stalled in the 2008 crisis).
* **seasonal_influx** — ``visitors`` people are present: tourists at leisure
  places (weighted by attractiveness², fewer at night), or harvest workers on
  farms by day and in overcrowded lodgings (vacant and social-housing cells)
  by night. Visitors are targets and bystanders; visitor victims report with
  their own probability (tourists as residents of mean trust; harvest workers
  at 0.3 of that: fear of the authorities, exploitation).
"""

from __future__ import annotations

import numpy as np

from clssim import social
from clssim.clock import AFTERNOON, MORNING, NIGHT
from clssim.draws import Decision, SlotDraws
from clssim.layouts import COMMERCE, FARM, NIGHTLIFE, PUBLIC, SOCIAL, TRANSIT, VACANT
from clssim.plugin import NORMAL_DAY, Conditions
from clssim.population import R_CHILD, R_EMPLOYED, R_STUDENT, R_UNEMPLOYED
from clssim.routines import HOME, LOCAL, WORK

VISITOR_REPORTING = {"tourists": 1.0, "harvest_workers": 0.3}


class Shocks:
    """The scenario's scheduled events and their current effects.

    A loop plug-in (:mod:`clssim.plugin`): :meth:`conditions` gives each
    day's factors, which the model hands to every plug-in (the contract reads
    its delivery and budget factors there); lockdowns change routines; an
    influx adds visitors to each slot."""

    def __init__(self, model, cfgs):
        self.model = model
        self.cfgs = list(cfgs)
        self.adjusts_routines = bool(self.cfgs)
        self.today: Conditions = NORMAL_DAY
        self.visitor_reporting = 1.0
        self._crisis_done: set[int] = set()
        world = model.world
        attr = world.layers["attractiveness"]
        leisure = np.isin(world.land_use, (COMMERCE, NIGHTLIFE, PUBLIC, TRANSIT))
        self._tourist_w = _norm(np.where(leisure, attr**2, 0.0))
        self._tourist_night_w = _norm(np.where(world.land_use == NIGHTLIFE, 1.0, 0.0))
        self._farm_w = _norm((world.land_use == FARM).astype(float))
        self._lodging_w = _norm(np.isin(world.land_use, (VACANT, SOCIAL)).astype(float))
        self._influx: list = []

    @property
    def active_kinds(self) -> set[str]:
        return {c.kind for c in self._active}

    def conditions(self, day: int) -> Conditions:
        """Switch effects on and off for ``day`` and return its factors (called at the
        start of each day; a crisis lays people off on its first day)."""
        self._active = [c for c in self.cfgs if c.active(day)]
        pandemic = max((c.intensity for c in self._active if c.kind == "pandemic"), default=0)
        crisis = [c for c in self._active if c.kind == "economic_crisis"]
        cut = max((c.intensity for c in crisis), default=0.0)
        self.today = Conditions(
            outings=1.0 - 0.7 * pandemic,
            school_closed=pandemic,
            contacts=1.0 - pandemic,
            delivery=1.0 - 0.5 * pandemic,
            budget=1.0 - 0.5 * cut,
        )
        for k, c in enumerate(self.cfgs):
            if c in crisis and k not in self._crisis_done:
                self._crisis_done.add(k)
                self._lay_off(0.3 * c.intensity)
        self._influx = [c for c in self._active if c.kind == "seasonal_influx"]
        return self.today

    def _lay_off(self, share: float) -> None:
        model = self.model
        pop = model.population
        employed = np.flatnonzero(pop.role == R_EMPLOYED)
        lost = employed[model.shock_rng.random(employed.size) < share]
        pop.poor[np.isin(pop.household, pop.household[lost])] = True
        model.social.vulnerability[:] = social.vulnerability_flags(pop)  # poverty is one
        model.set_roles(lost, R_UNEMPLOYED)

    def adjust_routines(self, t, act: np.ndarray, loc: np.ndarray, draws: SlotDraws) -> None:
        """Lockdown: outings and school attendance cut."""
        out_scale, school_closed = self.today.outings, self.today.school_closed
        if out_scale >= 1.0 and school_closed <= 0.0:
            return
        pop = self.model.population
        out = np.flatnonzero(act >= LOCAL)
        stay = out[draws.uniform(Decision.LOCKDOWN_OUTING, out) >= out_scale]
        pupils = np.flatnonzero((act == WORK) & ((pop.role == R_STUDENT) | (pop.role == R_CHILD)))
        closed = draws.uniform(Decision.LOCKDOWN_SCHOOL, pupils) < school_closed
        stay = np.concatenate([stay, pupils[closed]])
        act[stay] = HOME
        loc[stay] = pop.home[stay]

    def visitors(self, slot: int) -> np.ndarray | None:
        """Visitors present per cell in this slot (None when there are none)."""
        if not self._influx:
            return None
        total = np.zeros(self.model.world.ncells)
        for c in self._influx:
            if c.visitor_type == "tourists":
                w = self._tourist_night_w if slot == NIGHT else self._tourist_w
                share = 0.3 if slot == NIGHT else 1.0
            else:
                day = slot in (MORNING, AFTERNOON)
                w = self._farm_w if day else self._lodging_w
                share = 1.0
            total += c.visitors * share * w
            self.visitor_reporting = VISITOR_REPORTING[c.visitor_type]
        return total


def _norm(w: np.ndarray) -> np.ndarray:
    s = w.sum()
    return w / s if s > 0 else w
