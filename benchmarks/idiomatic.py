"""clssim's crime rules written as idiomatic Mesa agents — for benchmarking only.

This is a *reference implementation*, not part of the package and not meant
for research use. It exists to answer one question from the project brief:
how much faster is clssim's vectorised loop (:class:`clssim.model.CLSModel`)
than the same model written the way a Mesa user would write it — one
``Agent.step()`` per resident, in plain Python, activated through Mesa's
``AgentSet``?

What is shared and what is not
------------------------------
To compare like with like, the *starting state* is built with clssim's own
builders and the same ``SeedSequence`` tree as :class:`~clssim.model.CLSModel`
(``world_from_scenario``, ``build_population``, ``init_state``,
``PoliceForce``): for a given scenario and seed both implementations start
from the same neighbourhood, the same residents with the same propensities
and the same officers, whose patrol (already one Mesa ``CellAgent`` per
officer in clssim) draws from the same stream. Everything that happens to
residents in a slot is re-implemented here per agent, in plain Python, with
Mesa's ``random.Random`` (``self.random``) as the only source of randomness:

1. :meth:`Resident.step` (every resident, ``shuffle_do``): draw the activity
   from :data:`clssim.routines.THRESHOLDS` for the resident's role, day type
   and slot; go home / to work / to one of the local or leisure haunts; if
   out of home, become motivated with probability ``p_motivated``; a
   motivated offender with a remembered success returns there with
   ``crime.return_probability``. Each resident then registers in its cell's
   occupant list (and its household as "someone at home").
2. :meth:`Resident.offend` (motivated residents only): the rational-choice,
   guardianship and victim-selection rules of :func:`clssim.crime.crime_step`
   (same formulas, same :data:`~clssim.crime.SUITABILITY` table, same
   scenario parameters), then reporting and clearance (see "Scope" below).

The two phases keep clssim's synchronous semantics: offenders see where
*everyone* is in this slot, not a half-updated map, and vandalism damage is
applied after all offenders have acted (as ``np.subtract.at`` does in the
engine). Only the random streams differ, so the two implementations agree in
distribution, not bit for bit; ``benchmarks/engine.py`` checks that their
offence rates agree within seed noise.

World-level bookkeeping that is not about agents — police patrol and the
police picture (clssim's ``PoliceForce``), and the daily maintenance
recovery of the ``maintenance`` property layer — is done as clssim does it.

Scope: the crime rules only. clssim's loop also runs social dynamics (police
contacts, trust, insecurity, collective efficacy, offending careers, tips and
investigations). They are not re-implemented here: victims report with the
offence type's ``report_probability`` (clssim's rule at trust 0.5) and a
reported offence is cleared with its ``clearance``. The offence-rate check in
``benchmarks/engine.py`` therefore runs both models with the social feedbacks
on *offending* switched off (informal guardianship, peer pull, school
disengagement, deterrence and labelling set to 0), which makes the rules that
produce true offences the same; the speed comparison runs the engine with
everything on, so the engine does strictly more work per step than this
reference.
"""

from __future__ import annotations

import math
from collections import defaultdict

import mesa
import numpy as np
from mesa.discrete_space import CellAgent

from clssim.clock import EVENING, NIGHT, SLOTS_PER_DAY, instant
from clssim.crime import BURGLARY, OFFENCES, SUITABILITY, THEFT, VIOLENCE, init_state
from clssim.police import PoliceForce
from clssim.population import build_population
from clssim.routines import HOME, LEISURE, LOCAL, THRESHOLDS, WORK
from clssim.scenario import Scenario, load_scenario
from clssim.world import world_from_scenario

KINDS = range(len(OFFENCES))


class Resident(mesa.Agent):
    """One resident: routine activity each slot, and offending when motivated."""

    def __init__(
        self,
        model: IdiomaticModel,
        role: int,
        household: int,
        home: int,
        work: int,
        haunts_local: list[int],
        haunts_leisure: list[int],
        p_motivated: float,
    ):
        super().__init__(model)
        self.role = role
        self.household = household
        self.home = home
        self.work = work
        self.haunts_local = haunts_local
        self.haunts_leisure = haunts_leisure
        self.p_motivated = p_motivated
        self.memory = -1  # cell of the last successful offence
        self.offences = 0
        self.arrests = 0
        self.activity = HOME
        self.location = home

    # ------------------------------------------------------------ phase 1
    def step(self) -> None:
        """Pick an activity and a place; decide whether to look for an opportunity."""
        model = self.model
        # routine activity: cumulative thresholds for my role, today, this slot
        t_home, t_work, t_local = model.thresholds[self.role]
        u = self.random.random()
        if u < t_home:
            self.activity = HOME
            self.location = self.home
            model.households_at_home.add(self.household)
        elif u < t_work:
            self.activity = WORK
            self.location = self.work
        elif u < t_local:
            self.activity = LOCAL
            self.location = self.random.choice(self.haunts_local)
        else:
            self.activity = LEISURE
            self.location = self.random.choice(self.haunts_leisure)

        # motivation, and the return to a remembered success
        if self.activity >= LOCAL and self.random.random() < self.p_motivated:
            if self.memory >= 0 and self.random.random() < model.crime.return_probability:
                self.location = self.memory
            model.motivated.append(self)
        self.register(self.location)

    def register(self, location: int) -> None:
        """Be counted among this slot's occupants of ``location``."""
        self.model.occupants[location].append(self)

    def people_here(self) -> list[Resident]:
        """Residents in my cell this slot (me included)."""
        return self.model.occupants[self.location]

    # ------------------------------------------------------------ phase 2
    def offend(self) -> None:
        """Rational choice, guardianship, victim, reporting and clearance."""
        model = self.model
        cfg = model.crime
        cell = self.location
        here = self.people_here()
        others = len(here) - 1
        households = model.households_by_cell.get(cell, ())
        empty_homes = [h for h in households if h not in model.households_at_home]
        empty = len(empty_homes)
        occupied = len(households) - empty

        # rational choice among the offence types
        land_use = model.land_use[cell]
        light = model.lighting[cell] if model.dark else 1.0
        maint = float(model.maintenance[cell])
        surv = model.surveillance[cell]
        police = float(model.presence[cell])
        safe = math.exp(
            -(
                cfg.risk_lighting * light
                + cfg.risk_maintenance * maint
                + cfg.risk_surveillance * surv
                + cfg.risk_police * police
            )
        )
        attr = model.attractiveness[cell]
        availability = (
            (1.0 - math.exp(-empty)) * attr,
            (1.0 - math.exp(-others / 3.0)) * attr,
            1.0 - math.exp(-others),
            1.0 - maint,
        )
        eu = [
            model.reward[k] * model.suitability[k][land_use] * availability[k] * safe for k in KINDS
        ]
        if self.random.random() >= min(max(max(eu), 0.0), 1.0):
            return  # no attempt
        kind = self.random.choices(KINDS, weights=eu)[0]

        # guardianship
        bystanders = occupied if kind == BURGLARY else max(others - 1, 0)
        police_h = cfg.guard_police * police
        other_h = cfg.guard_bystander * surv * math.log1p(bystanders)
        if not model.night:
            other_h += cfg.guard_place * model.place_management[cell]
        hazard = police_h + other_h
        if self.random.random() < 1.0 - math.exp(-hazard):  # foiled
            by_police = police_h / hazard if hazard > 0 else 0.0
            if self.random.random() < cfg.in_flagrante_arrest * by_police:
                self.arrests += 1
                model.arrests += 1
            return

        # victim or target
        if kind in (THEFT, VIOLENCE):
            present = [a for a in here if a is not self]
            if not present:
                return  # the target has left
            victim = self.random.choice(present)
        elif kind == BURGLARY:
            victim = model.head_of_household[self.random.choice(empty_homes)]
        else:
            victim = None
            model.vandalised.append(cell)

        # dark figure and clearance
        reported = self.random.random() < model.report_probability[kind]
        arrested = reported and self.random.random() < model.clearance[kind]
        self.memory = cell
        self.offences += 1
        model.offences_true[kind] += 1
        if reported:
            model.offences_recorded[kind] += 1
            model.reported_cells.append(cell)
        if arrested:
            self.arrests += 1
            model.arrests += 1
        if victim is not None:
            model.victims.add(victim)


class GridResident(Resident, CellAgent):
    """Variant whose position lives in Mesa's cell space (``CellAgent.cell``).

    Moving is ``self.cell = cell`` (``None`` when off the map) and the people
    present are read from ``cell.agents``, as a Mesa tutorial would do it; the
    rules are those of :class:`Resident`. Used only as a sensitivity check of
    the speed ratio (``IdiomaticModel(..., cell_space=True)``).
    """

    def register(self, location: int) -> None:
        self.cell = self.model.cell_at[location]

    def people_here(self) -> list[Resident]:
        return [a for a in self.cell.agents if isinstance(a, Resident)]


class IdiomaticModel(mesa.Model):
    """The clssim neighbourhood with one Mesa agent per resident (benchmark reference)."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        seed: int | None = None,
        cell_space: bool = False,
    ):
        scenario = scenario if scenario is not None else load_scenario()
        if seed is not None:
            scenario = scenario.with_overrides({"seed": seed})
        self.scenario_config = scenario
        # CLSModel's SeedSequence tree (0 Mesa, 1 world, 2 people, 3 propensity,
        # 4 police): the same neighbourhood, residents and officers for a seed
        streams = np.random.SeedSequence(scenario.seed).spawn(7)
        rngs = [np.random.default_rng(s) for s in streams]
        super().__init__(rng=rngs[0])
        self.world = world_from_scenario(scenario, rngs[1], mesa_random=self.random)
        pop = build_population(scenario, self.world, rngs[2])
        state = init_state(pop, scenario.crime, rngs[3])
        self.police = PoliceForce(self, self.world, scenario.police, rngs[4])
        self.n_steps = scenario.steps
        self.n_residents = pop.n
        self.crime = cfg = scenario.crime
        self._repair = 1.0 - math.exp(-1.0 / cfg.repair_days)

        # cell properties as plain Python values (static), maintenance stays the
        # Mesa property layer because vandalism and upkeep change it
        layers = self.world.layers
        self.land_use = self.world.land_use.tolist()
        self.lighting = layers["lighting"].tolist()
        self.surveillance = layers["surveillance"].tolist()
        self.attractiveness = layers["attractiveness"].tolist()
        self.place_management = layers["place_management"].tolist()
        self.maintenance = layers["maintenance"]
        self.suitability = SUITABILITY.tolist()
        self.reward = [getattr(cfg, k).reward for k in OFFENCES]
        self.report_probability = [getattr(cfg, k).report_probability for k in OFFENCES]
        self.clearance = [getattr(cfg, k).clearance for k in OFFENCES]
        self.routine = THRESHOLDS.tolist()  # [daytype][slot][role] -> 3 thresholds

        self.households_by_cell: dict[int, list[int]] = defaultdict(list)
        for h, cell in enumerate(pop.hh_home.tolist()):
            self.households_by_cell[cell].append(h)
        self.households_by_cell = dict(self.households_by_cell)

        kind = GridResident if cell_space else Resident
        #: Mesa cell of each flat cell index; the extra last entry is "outside"
        self.cell_at = [*self.world.grid.all_cells.cells, None]
        columns = zip(
            pop.role.tolist(),
            pop.household.tolist(),
            pop.home.tolist(),
            pop.work.tolist(),
            pop.haunts_local.tolist(),
            pop.haunts_leisure.tolist(),
            state.p_motivated.tolist(),
            strict=True,
        )
        for role, hh, home, work, local, leisure, p in columns:
            kind(self, role, hh, home, work, local, leisure, p)
        self.residents = self.agents_by_type[kind]
        by_id = list(self.residents)  # in creation order: resident id i is by_id[i]
        self.head_of_household = [by_id[i] for i in pop.hh_start.tolist()]
        if cell_space:
            for resident in by_id:
                resident.cell = self.cell_at[resident.home]

        k = len(OFFENCES)
        self.offences_true = [0] * k
        self.offences_recorded = [0] * k
        self.arrests = 0
        self.victims: set[Resident] = set()

    def step(self) -> None:
        """One slot: everyone moves, then the motivated offend (Mesa bumps ``steps``)."""
        t = instant(self.steps - 1, self.scenario_config.time.start_weekday)
        self.thresholds = self.routine[t.daytype][t.slot]
        self.dark = t.slot in (NIGHT, EVENING)
        self.night = t.slot == NIGHT
        self.presence = self.police.patrol(t.slot)

        self.occupants: dict[int, list[Resident]] = defaultdict(list)
        self.households_at_home: set[int] = set()
        self.motivated: list[Resident] = []
        self.vandalised: list[int] = []
        self.reported_cells: list[int] = []
        self.residents.shuffle_do("step")
        mesa.agent.AgentSet(self.motivated, random=self.random).do("offend")

        # vandalism damage after everyone has acted, then clip (as the engine)
        for cell in self.vandalised:
            self.maintenance[cell] -= self.crime.vandalism_damage
        np.clip(self.maintenance, 0.0, 1.0, out=self.maintenance)
        self.police.record(np.asarray(self.reported_cells, dtype=np.int64))
        if t.slot == SLOTS_PER_DAY - 1:  # daily upkeep of the property layer
            base = self.world.baseline["maintenance"]
            self.maintenance += (base - self.maintenance) * self._repair
        if self.steps >= self.n_steps:
            self.running = False

    def run(self, steps: int | None = None) -> IdiomaticModel:
        """Run ``steps`` slots (default: to the scenario's end)."""
        for _ in range(self.n_steps - self.steps if steps is None else steps):
            self.step()
        return self

    @property
    def years(self) -> float:
        return self.steps / (SLOTS_PER_DAY * 365)

    def offences_per_1000_per_year(self) -> float:
        """True offences per 1,000 residents per simulated year (as ``summary.json``)."""
        return 1000.0 * sum(self.offences_true) / (self.n_residents * self.years)
