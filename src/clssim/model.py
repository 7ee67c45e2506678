"""CLSModel: the neighbourhood simulation, one slot per step.

The loop is a sequence of phases, one method each, that can be read beside
the ODD (``docs/ODD.md`` §3 "Process overview and scheduling"):

0. :meth:`~CLSModel.begin_day` (first slot of a day) — the shocks set the
   day's :class:`~clssim.plugin.Conditions`; the contract takes its factors;
1. :meth:`~CLSModel.move_residents` — every resident picks an activity and a
   place (programmes and lockdowns change them);
2. :meth:`~CLSModel.patrol` — on-duty officers move; field workers and
   liaison officers take their places; presence and guardianship per cell;
3. :meth:`~CLSModel.police_contacts` — residents out of home meet officers in
   reach, fairly or not;
4. :meth:`~CLSModel.offend` — motivated offenders meet targets without capable
   guardians (police, bystanders, place managers, collective efficacy);
5–6. :meth:`~CLSModel.police_and_report` — victims report with a
   trust-dependent probability (the dark figure), witnesses tip; known
   offences are investigated; arrests deter or label;
7. :meth:`~CLSModel.end_day` (last slot of a day) — the contract's day; trust,
   insecurity, collective efficacy and careers change; maintenance recovers;
8. :meth:`~CLSModel.record` — the recorder stores the slot's indicators.

The contract and the shocks plug in through one small protocol
(:mod:`clssim.plugin`); a scenario without a contract gets a do-nothing one.

Randomness comes from one ``numpy.random.SeedSequence`` tree rooted at the
scenario seed: each component has its own child stream, so the same scenario
and seed give bit-identical results. Within the loop every decision draws
from its own counter-based stream (:mod:`clssim.draws`), keyed by the slot
and indexed by resident, officer or offender: two plans run on one seed give
each resident the same numbers (common random numbers, ODD §4.10).
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from clssim import school, social
from clssim.clock import EVENING, NIGHT, SLOTS_PER_DAY, Instant, instant
from clssim.contract.contract import Contract
from clssim.crime import (
    ExpectedOffences,
    Offences,
    crime_step,
    expected_offences,
    init_state,
    initial_motivation,
)
from clssim.dark_figure import report, tips
from clssim.draws import AFTERMATH_DECISIONS as AFTERMATH
from clssim.draws import Decision, Draws, SlotDraws, run_key
from clssim.plugin import NO_CONTRACT, NORMAL_DAY, Conditions, LoopPlugin
from clssim.police import PoliceForce
from clssim.population import NOBODY, build_population
from clssim.results import Recorder, Results
from clssim.routines import Routines, away_and_out
from clssim.scenario import Scenario, load_scenario
from clssim.shocks import Shocks
from clssim.world import world_from_scenario


class CLSModel(mesa.Model):
    """A neighbourhood and its police, residents and offenders.

    Parameters
    ----------
    scenario:
        A validated :class:`~clssim.scenario.Scenario` (default: the shipped
        default neighbourhood).
    seed:
        Overrides ``scenario.seed`` when given.
    expected_offences:
        Also sum, slot by slot, the offences the crime step's chances expect
        at each cell and of each resident (:class:`~clssim.crime.ExpectedOffences`,
        in :attr:`expected`); virtual trials use it. It draws no random
        number, so the run is the same with or without it.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        seed: int | None = None,
        expected_offences: bool = False,
    ):
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
        #: the loop's common random numbers (ODD §4.10): one per decision, slot and resident
        self.draws = Draws(run_key(streams[5]), self.population.n)
        self.police = PoliceForce(self, self.world, scenario.police, self.draws)
        self.social = social.init_social(
            self.population, self.world, scenario, self.crime_state.p_motivated, rngs[6]
        )
        # careers shape motivation from the first slot (school engagement, arrests)
        social.update_careers(self.social, self.population, scenario.careers, self.crime_state)
        self.routines = Routines(self.population)
        self.shock_rng = rngs[8]
        self.contract = Contract(self, scenario.contract, rngs[7]) if scenario.contract else None
        self.shocks = Shocks(self, scenario.shocks)
        #: the contract as a loop plug-in (a do-nothing one without a contract)
        self._contract: LoopPlugin = self.contract if self.contract is not None else NO_CONTRACT
        self._adjusting = [p for p in (self._contract, self.shocks) if p.adjusts_routines]
        self.today: Conditions = NORMAL_DAY  #: the day's factors (set by the shocks)
        self._visitors: np.ndarray | None = None
        self.repair_mul: np.ndarray | float = 1.0
        self.n_steps = scenario.steps
        self.recorder = Recorder(self.n_steps, self.world, self.population)
        #: the expected offences so far (``expected_offences=True``), else None
        self.expected: ExpectedOffences | None = (
            ExpectedOffences.zeros(self.world.ncells, self.population.n)
            if expected_offences
            else None
        )
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
        """Advance one slot: the phases of ODD §3, in order (Mesa increments
        ``self.steps`` before calling this).

        A finished run does not advance: stepping past the scenario's end (as a
        viewer stepping several slots per frame may) changes nothing.
        """
        if self.steps > self.n_steps:
            self.steps = self.n_steps
            self.running = False
            return
        t = instant(self.steps - 1, self.scenario_config.time.start_weekday)
        if t.slot == 0:
            self.begin_day(t)
        u = self.draws.slot(t.step)  # the slot's numbers, each decision its own stream
        away, out = self.move_residents(t, u)
        presence, contact_presence, fair_presence, guard = self.patrol(t, u)
        fair, unfair = self.police_contacts(t, away, contact_presence, fair_presence, u)
        offences = self.offend(t, away, out, presence, guard, u)
        self.police_and_report(offences, u)
        if t.slot == SLOTS_PER_DAY - 1:
            self.end_day(t)
        self.record(t, offences, fair, unfair)
        if self.steps >= self.n_steps:
            self.running = False

    def begin_day(self, t: Instant) -> None:
        """0. The day's conditions: shocks switch on and off; plug-ins take the factors."""
        self.today = self.shocks.conditions(t.day)
        self._contract.begin_day(t.day, self.today)

    def move_residents(self, t: Instant, u: SlotDraws) -> tuple[np.ndarray, np.ndarray]:
        """1. Routines: every resident's activity and place (changed by programmes
        and lockdowns); returns who is away from home and who is out in public."""
        self._option, self.location, away, out = self.routines.draw(t.daytype, t.slot, u)
        self._activity = None
        if self._adjusting:
            act = self.activity
            for plugin in self._adjusting:
                plugin.adjust_routines(t, act, self.location, u)
            away, out = away_and_out(act)
        self._visitors = self.shocks.visitors(t.slot)
        return away, out

    def patrol(
        self, t: Instant, u: SlotDraws
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """2. Patrol: on-duty officers move; field workers and school liaison officers
        take their places. Returns police presence (for deterrence, for contacts,
        fair contacts) and guardianship per cell."""
        police = self.police
        presence = police.patrol(t.slot, u)
        contact_presence, fair_presence = police.contact_presence, police.fair_presence
        guard = self.social.guard
        extra = self._contract.slot(t)
        if extra is not None:
            field_guard, liaison = extra
            if liaison.any():  # school liaison officers are proximity officers
                presence = presence + liaison
                contact_presence = contact_presence + liaison
                fair_presence = fair_presence + liaison * police.fairness(True)
            guard = guard + field_guard
        return presence, contact_presence, fair_presence, guard

    def police_contacts(
        self,
        t: Instant,
        away: np.ndarray,
        contact_presence: np.ndarray,
        fair_presence: np.ndarray,
        u: SlotDraws,
    ) -> tuple[np.ndarray, np.ndarray]:
        """3. Contacts: residents out of home meet officers in reach, fairly or not;
        proximity officers visit residents of their beats."""
        soc, police = self.social, self.police
        contacts = self.today.contacts
        rate = self.scenario_config.police.contact_rate * contacts
        fair, unfair = social.police_contacts(
            soc, away, self.location, contact_presence, fair_presence, rate, u
        )
        if contacts > 0:
            visited, visit = police.visits(t.slot, u)
            if visited.size:
                fair_visit = u.uniform_keys(Decision.VISIT_FAIR, visit) < police.fairness(True)
                f2, u2 = social.proximity_visits(soc, visited, fair_visit)
                fair, unfair = fair + f2, unfair + u2
        return fair, unfair

    def offend(
        self,
        t: Instant,
        away: np.ndarray,
        out: np.ndarray,
        presence: np.ndarray,
        guard: np.ndarray,
        u: SlotDraws,
    ) -> Offences:
        """4. Crime: motivated offenders meet targets without capable guardians."""
        situation = dict(
            pop=self.population,
            world=self.world,
            cfg=self.scenario_config.crime,
            state=self.crime_state,
            loc=self.location,
            away=away,
            out=out,
            presence=presence,
            dark=t.slot in (NIGHT, EVENING),
            night=t.slot == NIGHT,
            guardianship=guard,
            visitors=self._visitors,
            now=t.step,
        )
        if self.expected is not None:  # before the step moves anyone
            self.expected.add(*expected_offences(**situation))
        return crime_step(**situation, draws=u)

    def police_and_report(self, offences: Offences, u: SlotDraws) -> None:
        """5. Reporting (the dark figure: victims report, witnesses tip) and
        6. policing: known offences are investigated; arrests deter or label.

        An offence's numbers are its offender's (one offence each per slot)."""
        cfg, soc, police = self.scenario_config, self.social, self.police
        known, arrested = NOBODY, offences.flagrante_arrests
        if len(offences):
            u_report, u_tip, u_clear, u_response = u.uniforms(AFTERMATH, offences.offender)
            report(offences, soc, cfg.crime, cfg.trust, u_report, self.shocks.visitor_reporting)
            tips(offences, self.location, soc.trust, cfg.trust.tip_rate, u_tip)
            police.investigate(offences, cfg.crime, u_clear)  # only reports and tips reach it
            social.note_offences(soc, offences, cfg.police, u_response)
            known = offences.cell[offences.reported | offences.tipped]
            cleared = offences.offender[offences.arrested]
            np.add.at(self.crime_state.arrests, cleared, 1)
            arrested = np.concatenate([cleared, arrested])
        police.record(known)  # the picture decays in every slot
        if arrested.size:
            fair_arrest = police.arrest_fairness(u.uniform(Decision.ARREST_FAIR, arrested))
            social.note_arrests(soc, arrested, fair_arrest, cfg.careers)

    def end_day(self, t: Instant) -> None:
        """7. The day's end: the contract's day; trust, insecurity, collective
        efficacy and careers; maintenance recovers."""
        cfg, soc = self.scenario_config, self.social
        self._contract.end_day(t.day)
        if not t.weekend:  # a school day: the day's expected exclusions (ODD §7.20)
            school.school_day(soc, self.population, cfg.careers, self.crime_state.p_motivated)
        social.end_of_day(soc, self.population, self.world, cfg, self.crime_state)
        maint = self.world.layers["maintenance"]
        repair = 1.0 - np.exp(-self.repair_mul / cfg.crime.repair_days)
        maint += (self.world.baseline["maintenance"] - maint) * repair
        self._social_now = social.group_means(soc, self._groups)
        self.recorder.record_social_state(t.step, self._social_now)

    def record(self, t: Instant, offences: Offences, fair: np.ndarray, unfair: np.ndarray) -> None:
        """8. Record: the slot's indicators and events."""
        self.recorder.record(t, offences, self.police.on_duty)
        self.recorder.record_social(t.step, offences, fair, unfair)
        self._contract.record(self.recorder, t)

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
