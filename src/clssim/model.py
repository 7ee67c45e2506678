"""CLSModel: the neighbourhood simulation, one slot per step.

The loop is a sequence of phases, each a function of arrays that can be read
beside the ODD (``docs/ODD.md`` §3 "Process overview and scheduling"):

1. **routines**  — every resident picks an activity and a place;
2. **patrol**    — on-duty officers move; police presence per cell;
3. **contacts**  — residents out of home meet officers in reach, fairly or not;
4. **crime**     — motivated offenders meet targets without capable guardians
   (police, bystanders, place managers, collective efficacy);
5. **reporting** — victims report with a trust-dependent probability (the dark
   figure); witnesses tip;
6. **policing**  — known offences are investigated; reports and tips enter the
   police picture; arrests deter or label;
7. **day's end** — trust, insecurity, collective efficacy and careers change
   with the day's events; maintenance recovers;
8. **record**    — the recorder stores the slot's indicators and events.

Randomness comes from one ``numpy.random.SeedSequence`` tree rooted at the
scenario seed: each component has its own child stream, so the same scenario
and seed give bit-identical results.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from clssim import social
from clssim.clock import EVENING, NIGHT, SLOTS_PER_DAY, instant
from clssim.contract.contract import Contract
from clssim.crime import crime_step, init_state, initial_motivation
from clssim.dark_figure import report, tips
from clssim.police import PoliceForce
from clssim.population import build_population
from clssim.results import Recorder, Results
from clssim.routines import Routines, away_and_out
from clssim.scenario import Scenario, load_scenario
from clssim.shocks import Shocks
from clssim.world import world_from_scenario

NOBODY = np.empty(0, dtype=np.int64)  #: no residents (or cells)


class CLSModel(mesa.Model):
    """A neighbourhood and its police, residents and offenders.

    Parameters
    ----------
    scenario:
        A validated :class:`~clssim.scenario.Scenario` (default: the shipped
        default neighbourhood).
    seed:
        Overrides ``scenario.seed`` when given.
    """

    def __init__(self, scenario: Scenario | None = None, *, seed: int | None = None):
        scenario = scenario if scenario is not None else load_scenario()
        if seed is not None:
            scenario = scenario.with_overrides({"seed": seed})
        self.scenario_config = scenario
        streams = np.random.SeedSequence(scenario.seed).spawn(9)
        rngs = [np.random.default_rng(s) for s in streams]
        super().__init__(rng=rngs[0])
        self.world = world_from_scenario(scenario, rngs[1], mesa_random=self.random)
        self.population = build_population(scenario, self.world, rngs[2])
        self.crime_state = init_state(self.population, scenario.crime, rngs[3])
        self.police = PoliceForce(self, self.world, scenario.police, rngs[4])
        self.social = social.init_social(
            self.population, self.world, scenario, self.crime_state.p_motivated, rngs[6]
        )
        # careers shape motivation from the first slot (school engagement, arrests)
        social.update_careers(self.social, self.population, scenario.careers, self.crime_state)
        self.routines = Routines(self.population)
        self.loop_rng = rngs[5]
        self.shock_rng = rngs[8]
        self.contract = Contract(self, scenario.contract, rngs[7]) if scenario.contract else None
        self.shocks = Shocks(self, scenario.shocks)
        self.repair_mul: np.ndarray | float = 1.0
        self.n_steps = scenario.steps
        self.recorder = Recorder(self.n_steps, self.world, self.population)
        self._groups = social.group_matrix(self.population)
        self._social_now = social.group_means(self.social, self._groups)
        self.recorder.record_social_state(0, self._social_now)
        self._option = np.zeros(self.population.n, dtype=np.int8)  # everyone at home
        self._activity: np.ndarray | None = None
        self.location = self.population.home.copy()

    @property
    def activity(self) -> np.ndarray:
        """Each resident's activity in the last slot (int8 codes, ``routines.ACTIVITIES``)."""
        if self._activity is None:
            self._activity = self.routines.activity_of_option[self._option]
        return self._activity

    # ------------------------------------------------------------------ loop
    def step(self) -> None:
        """Advance one slot (Mesa increments ``self.steps`` before calling this).

        A finished run does not advance: stepping past the scenario's end (as a
        viewer stepping several slots per frame may) changes nothing.
        """
        if self.steps > self.n_steps:
            self.steps = self.n_steps
            self.running = False
            return
        cfg = self.scenario_config
        t = instant(self.steps - 1, cfg.time.start_weekday)
        rng = self.loop_rng
        pop, soc, police, contract = self.population, self.social, self.police, self.contract
        shocks = self.shocks
        if t.slot == 0:
            shocks.daily(t.day)
        # 1. routines (changed by programmes and lockdowns)
        self._option, self.location, away, out = self.routines.draw(t.daytype, t.slot, rng)
        self._activity = None
        if contract is not None or shocks.cfgs:
            act = self.activity
            if contract is not None:
                contract.adjust_routines(t, act, self.location, rng)
            shocks.adjust_routines(act, self.location, rng)
            away, out = away_and_out(act)
        visitors = shocks.visitors(t.slot)
        # 2. patrol; field workers and school liaison officers take their places
        presence = police.patrol(t.slot)
        contact_presence, fair_presence = police.contact_presence, police.fair_presence
        guard = soc.guard
        if contract is not None:
            field_guard, liaison = contract.slot(t)
            if liaison.any():  # school liaison officers are proximity officers
                presence = presence + liaison
                contact_presence = contact_presence + liaison
                fair_presence = fair_presence + liaison * police.fairness(True)
            guard = guard + field_guard
        # 3. contacts with officers
        fair, unfair = social.police_contacts(
            soc,
            away,
            self.location,
            contact_presence,
            fair_presence,
            cfg.police.contact_rate * shocks.contact_mul,
            rng,
        )
        if shocks.contact_mul > 0:
            f2, u2 = social.proximity_visits(
                soc, police.visits(t.slot, rng), police.fairness(True), rng
            )
            fair, unfair = fair + f2, unfair + u2
        # 4. crime
        offences = crime_step(
            pop=pop,
            world=self.world,
            cfg=cfg.crime,
            state=self.crime_state,
            loc=self.location,
            away=away,
            out=out,
            presence=presence,
            dark=t.slot in (NIGHT, EVENING),
            night=t.slot == NIGHT,
            rng=rng,
            guardianship=guard,
            visitors=visitors,
        )
        known, arrested = NOBODY, offences.flagrante_arrests
        if len(offences):
            # 5. reporting: the dark figure, and witnesses' tips
            report(offences, soc, cfg.crime, cfg.trust, rng, shocks.visitor_reporting)
            tips(offences, self.location, soc.trust, cfg.trust.tip_rate, rng)
            # 6. policing: only reports and tips reach the police
            police.investigate(offences, cfg.crime, rng)
            social.note_offences(soc, offences, cfg.police, rng)
            known = offences.cell[offences.reported | offences.tipped]
            cleared = offences.offender[offences.arrested]
            np.add.at(self.crime_state.arrests, cleared, 1)
            arrested = np.concatenate([cleared, arrested])
        police.record(known)  # the picture decays in every slot
        if arrested.size:
            fair_arrest = police.arrest_fairness(arrested.size, rng)
            social.note_arrests(soc, arrested, fair_arrest, cfg.careers)
        # 7. the day's end: slow social state and upkeep
        if t.slot == SLOTS_PER_DAY - 1:
            if contract is not None:
                contract.daily(t.day)
            social.end_of_day(soc, pop, self.world, cfg, self.crime_state)
            maint = self.world.layers["maintenance"]
            repair = 1.0 - np.exp(-self.repair_mul / cfg.crime.repair_days)
            maint += (self.world.baseline["maintenance"] - maint) * repair
            self._social_now = social.group_means(soc, self._groups)
            self.recorder.record_social_state(t.step, self._social_now)
        # 8. record
        self.recorder.record(t, offences, police.on_duty)
        self.recorder.record_social(t.step, offences, fair, unfair)
        if contract is not None:
            self.recorder.record_contract(t, contract)
        if self.steps >= self.n_steps:
            self.running = False

    def run(
        self, steps: int | None = None, progress: Callable[[int], None] | None = None
    ) -> Results:
        """Run to the scenario's end (or ``steps`` more slots, at most to the end) and
        return the results."""
        remaining = self.n_steps - self.steps
        todo = remaining if steps is None else min(steps, remaining)
        for _ in range(todo):
            self.step()
            if progress is not None:
                progress(1)
        return self.results()

    def results(self) -> Results:
        """The outputs recorded so far."""
        return self.recorder.results(self.scenario_config, self.steps, self.social, self.contract)

    def set_roles(self, ids: np.ndarray, role: int) -> None:
        """Change residents' role (a job found or lost): routines and motivation follow."""
        pop = self.population
        pop.role[ids] = role
        self.routines.refresh()
        base = initial_motivation(pop, self.scenario_config.crime, self.crime_state)
        self.social.base_motivation[ids] = base[ids]


def run(scenario: Scenario | None = None, seed: int | None = None) -> Results:
    """Build a model for ``scenario`` and run it to the end."""
    return CLSModel(scenario, seed=seed).run()
