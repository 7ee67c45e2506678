"""clssim's model written as idiomatic Mesa agents — for benchmarking only.

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
(streams 0 Mesa, 1 world, 2 people, 3 propensity, 4 police, 6 social:
``world_from_scenario``, ``build_population``, ``init_state``,
``PoliceForce``, ``social.init_social``): for a given scenario and seed both
implementations start from the same neighbourhood, the same residents with
the same propensities, trust, participation and school engagement, and the
same officers, whose patrol (already one Mesa ``CellAgent`` per officer in
clssim) draws from the same stream. Each resident's starting values are
copied into attributes of its :class:`Resident`; from then on everything
that changes is computed per agent, in plain Python, with Mesa's
``random.Random`` (``self.random``) as the only source of randomness for what
residents (and the police, towards residents) do. Static structures come from
clssim's builders too: a resident's ties (a list of :class:`Resident`), its
routine cells, the area of its home and the residents of each cell.

One slot (:meth:`IdiomaticModel.step`), in the order of ``CLSModel.step``:

1. **Patrol.** ``PoliceForce.patrol``: officers move; police presence, contact
   presence and fair presence per cell (read as plain lists).
2. :meth:`Resident.step` (every resident, ``shuffle_do``): **routines** —
   draw the activity from :data:`clssim.routines.THRESHOLDS` for the
   resident's role, day type and slot and go home / to work / to one of the
   local or leisure haunts; **contacts** (:func:`clssim.social.police_contacts`)
   — away from home with officers in reach, see the police and have a contact,
   fair or not, with the officers' contact-weighted fairness; **motivation** —
   out in public space, look for an opportunity with ``p_motivated``, returning
   to a remembered success with ``crime.return_probability``. Each resident
   then registers in its cell's occupant list (its household as "someone at
   home").
3. **Proximity visits** (:func:`clssim.social.proximity_visits`): the
   residents ``PoliceForce.visits`` picks get a contact, fair with
   ``PoliceForce.fairness(True)``. ``visits`` and ``patrol`` draw from the
   engine's common random numbers (:mod:`clssim.draws`, keyed by stream 5,
   otherwise unused here); ``visits`` returns no one without a contract, the
   case this reference is for.
4. :meth:`Resident.offend` (motivated residents only): the rational-choice,
   guardianship (police, bystanders, place managers and the informal
   guardianship ``guard`` of collective efficacy) and victim-selection rules of
   :func:`clssim.crime.crime_step`; then the aftermath of a completed offence:
   **reporting** with the victim's trust, vandalism with the mean trust of the
   cell's residents (:func:`clssim.dark_figure.report`, :func:`~clssim.social.cell_trust`);
   **tips**, each witness present deciding (:func:`clssim.dark_figure.tips`);
   **investigation** with the tip boost (``PoliceForce.investigate``); the
   victim's tallies and the response to a report, the offender's tally
   (:func:`clssim.social.note_offences`); **arrests**, in the act or after
   investigation, perceived as fair with ``procedural_justice``
   (``PoliceForce.arrest_fairness``) and followed by deterrence or labelling
   (:func:`clssim.social.note_arrests`). A victim (once a day) and a resident
   arrested unfairly tell their ties, who count the news for the day's end
   (the engine's ``_tie_counts`` over the adjacency).
5. Vandalism damage (after all offenders have acted, as ``np.subtract.at``
   does in the engine); the police picture (``PoliceForce.record``) gets the
   cells of the offences reported or tipped.
6. **End of the day** (:func:`clssim.social.end_of_day`), in the last slot:
   three ``AgentSet.do`` phases, so that what a resident reads from its ties
   is their state *before* this phase changed anyone (the engine's ``W @ T``,
   ``W`` = ``Social.influence``):
   :meth:`Resident.experience_day` (own contacts, responses and ties'
   unfair arrests → trust; sightings, the fear target, own and ties'
   victimisation → insecurity; recent offences), :meth:`Resident.look_at_ties`
   (mean trust and insecurity of one's ties, share of delinquent ties) and
   :meth:`Resident.settle_day` (diffusion and drift of trust, contagion of
   fear, participation, the offending career's ``p_motivated``, tallies
   cleared); then :meth:`IdiomaticModel.update_efficacy` (collective efficacy
   per area from its residents, informal guardianship per cell). Then the
   daily upkeep of the ``maintenance`` property layer, as the engine.

Only the random streams differ, so the two implementations agree in
distribution, not bit for bit; ``benchmarks/engine.py`` checks that their
indicators agree within seed noise.

Scope
-----
``social=True`` (the default) is the whole slot that ``CLSModel.step`` runs on
a scenario **without a Local Safety Contract and without shocks** (e.g. the
default ``scenarios/neighbourhood.toml``): routines, patrol, police contacts
and proximity visits, crime with informal guardianship, reporting with trust,
tips, investigation, deterrence and labelling, the police picture, and the
daily trust, insecurity, collective-efficacy and career dynamics. Not
re-implemented: the contract's measures (programmes, field workers, school
liaison, training) and shocks (pandemic, crisis, visitors).

Outputs
-------
The reference records what the engine's :class:`~clssim.results.Recorder`
records, the Mesa way: a ``mesa.DataCollector`` collects, every slot, the
series of ``timeseries.parquet`` (true and recorded offences by type,
arrests, victims, officers on duty, mean maintenance and, with
``social=True``, contacts, tips, first-time offenders, repeat offences and
the social means as of the last day's end: trust and insecurity overall and
per group, collective efficacy), and keeps the ``events`` table (one row per
completed offence) with ``add_table_row``; per-cell counts of true and
recorded offences by type are kept as in ``cells.parquet``. The group means
(:data:`clssim.social.GROUPS`) are taken once a day, at the day's end, as the
engine does. :meth:`IdiomaticModel.summary` derives its indicators from
these records under the names of the engine's ``summary.json``.

Two rules are transcribed exactly as the engine has them: contacts happen at
the routine place, before a motivated offender returns to a remembered
success (the engine's contacts come before ``crime_step`` moves offenders);
and a resident without ties is pulled by diffusion and contagion towards
their own trust and fear, i.e. not at all (the engine's ``Social.influence``),
while a youth without ties has no delinquent peers.

``social=False`` is the crime rules only: no contacts, no informal
guardianship, no careers and no daily social dynamics; victims report with
the offence type's ``report_probability`` (the engine's rule at trust 0.5),
a reported offence is cleared with its ``clearance``, and only reports enter
the police picture. It matches the engine's offence rate when the engine's
social feedbacks on offending are switched off (``RATE_CHECK_OVERRIDES`` in
``benchmarks/engine.py``).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import CellAgent

from clssim import social
from clssim.clock import EVENING, NIGHT, SLOTS_PER_DAY, instant
from clssim.crime import (
    BURGLARY,
    OFFENCES,
    SUITABILITY,
    THEFT,
    VANDALISM,
    VIOLENCE,
    init_state,
)
from clssim.draws import Draws, run_key
from clssim.police import PoliceForce
from clssim.population import R_STUDENT, build_population
from clssim.results import EVENT_COLUMNS, SUMMARY_GROUPS  # the engine's record and summary
from clssim.routines import HOME, LEISURE, LOCAL, THRESHOLDS, WORK
from clssim.scenario import Scenario, load_scenario
from clssim.world import world_from_scenario

KINDS = range(len(OFFENCES))
#: ``recent`` above which a resident counts as a delinquent peer (``end_of_day``)
DELINQUENT = 0.1
#: daily pull of participation towards its fear-reduced target (``end_of_day``)
PARTICIPATION_RATE = 0.05


def _clip01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


class Resident(mesa.Agent):
    """One resident: routines, police contacts, offending, and the day's social change."""

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
        self.pupil = role == R_STUDENT
        self.youth = False  # aged 12–24
        self.isolated = False  # aged 65+ and living alone
        # social state: one resident's entries of clssim.social.Social, neutral
        # here; with social=True the model copies in social.init_social's values
        self.trust = self.trust_base = 0.5
        self.insecurity = 0.0
        self.participation = self.participation_base = 0.0
        self.engagement = 0.5  # school engagement (pupils)
        self.vulnerability = 0.0  # count of vulnerability flags
        self.isolation_relief = 0.0
        self.programme_factor = self.report_mul = self.violence_report_mul = 1.0
        self.base_motivation = p_motivated  # before the career multiplier
        self.arrest_factor = 1.0  # deterrence and labelling
        self.recent = 0.0  # decayed count of recent offences
        self.sightings = 0.0  # decayed count of days with an officer seen
        self.victimisations = 0
        # static social structure (set by the model with social=True)
        self.ties: list[Resident] = []
        self.integration = 0.0  # ties / (ties + tie_saturation)
        self.routine_cells = [home, *haunts_local, *haunts_leisure]
        self.area = 0  # collective-efficacy area of the home
        # what a resident's ties look like at the day's end (end_of_day phase 2)
        self.ties_trust = self.ties_insecurity = self.delinquent_ties = 0.0
        # the day's tallies, own and (told by them) of one's ties
        self.fair = self.unfair = self.satisfied = self.dissatisfied = 0
        self.victimised = self.offended = 0
        self.seen_police = False
        self.ties_victimised = self.ties_arrested_unfairly = self.ties_stopped_unfairly = 0

    # ------------------------------------------------------------ the slot
    def step(self) -> None:
        """Pick an activity and a place, meet officers, decide whether to offend."""
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

        if model.social and self.activity != HOME:
            self.meet_police()

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

    def meet_police(self) -> None:
        """Away from home: see officers in reach and perhaps have a contact.

        Mirrors :func:`clssim.social.police_contacts` for one resident: with
        officers in reach whose contact factors sum to ``k``, a contact happens
        with probability ``1 − (1 − contact_rate)^k`` and is fair with the
        contact-weighted mean fairness of those officers.
        """
        model = self.model
        k = model.contact_presence[self.location]
        if k <= 0.0:
            return
        self.seen_police = True
        if self.random.random() < 1.0 - (1.0 - model.contact_rate) ** k:
            self.have_contact(self.random.random() < model.fair_presence[self.location] / k)

    def have_contact(self, fair: bool) -> None:
        """Tally a contact with an officer, fair or not."""
        if fair:
            self.fair += 1
            self.model.slot_fair += 1
        else:
            self.unfair += 1
            self.model.slot_unfair += 1
            if self.model.trust_cfg.vicarious_stop_loss > 0.0:
                for tie in self.ties:  # news of an unfair stop reaches my ties
                    tie.ties_stopped_unfairly += 1

    def receive_visit(self, fairness: float) -> None:
        """A proximity officer's visit (:func:`clssim.social.proximity_visits`)."""
        self.seen_police = True
        self.have_contact(self.random.random() < fairness)

    def offend(self) -> None:
        """Rational choice, guardianship, victim; then the offence's aftermath.

        Mirrors :func:`clssim.crime.crime_step` for one motivated offender
        (same formulas, same :data:`~clssim.crime.SUITABILITY` table, same
        scenario parameters, informal guardianship as ``guardianship=``).
        """
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
        police = model.presence[cell]
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

        # guardianship: police, bystanders, place managers, collective efficacy
        bystanders = occupied if kind == BURGLARY else max(others - 1, 0)
        police_h = cfg.guard_police * police
        other_h = cfg.guard_bystander * surv * math.log1p(bystanders) + model.guard[cell]
        if not model.night:
            other_h += cfg.guard_place * model.place_management[cell]
        hazard = police_h + other_h
        if self.random.random() < 1.0 - math.exp(-hazard):  # foiled
            by_police = police_h / hazard if hazard > 0 else 0.0
            if self.random.random() < cfg.in_flagrante_arrest * by_police:
                self.arrested()
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
        self.memory = cell
        prior = self.offences
        self.offences += 1
        model.count_offence(self, prior, kind, cell, victim)
        if model.social:
            self.aftermath(kind, cell, victim, here, prior)
        else:
            self.aftermath_crime_only(kind, cell, victim, prior)

    def aftermath(
        self, kind: int, cell: int, victim: Resident | None, here: list, prior: int
    ) -> None:
        """Reporting, tips, investigation and tallies of a completed offence.

        Mirrors the engine's phases 5–6 for one offence:
        :func:`clssim.dark_figure.report` (the victim's trust; vandalism: the cell
        residents' mean trust), :func:`clssim.dark_figure.tips`,
        :meth:`clssim.police.PoliceForce.investigate` and
        :func:`clssim.social.note_offences`. Trust changes only at a day's end
        and everyone has moved before anyone offends, so deciding here, offence
        by offence, is what the engine decides for the whole slot at once.
        """
        model = self.model
        reported = victim.reports(kind) if victim is not None else model.vandalism_reported(cell)
        tipped = any(w.tips() for w in here if w is not self and w is not victim)
        arrested = model.investigate(kind, reported, tipped)
        self.offended += 1
        if victim is not None:
            victim.suffer(reported)
        if reported:
            model.count_recorded(kind, cell)
        if tipped:
            model.slot_tips += 1
        if reported or tipped:
            model.known_cells.append(cell)
        if arrested:
            self.arrested()
        model.log_event(self, prior, kind, cell, victim, reported, tipped, arrested)

    def aftermath_crime_only(
        self, kind: int, cell: int, victim: Resident | None, prior: int
    ) -> None:
        """``social=False``: report with ``report_probability``, clear with ``clearance``."""
        model = self.model
        reported = self.random.random() < model.report_probability[kind]
        arrested = False
        if reported:
            model.count_recorded(kind, cell)
            model.known_cells.append(cell)
            arrested = self.random.random() < model.clearance[kind]
            if arrested:
                self.arrested()
        if victim is not None:
            victim.victimisations += 1
        model.log_event(self, prior, kind, cell, victim, reported, False, arrested)

    def reports(self, kind: int) -> bool:
        """As a victim, tell the police? (:func:`clssim.dark_figure.report`)

        ``p = report_probability × (1 + report_effect × (trust − 0.5))`` times
        the resident's reporting multipliers (``u < p`` needs no clip to [0, 1]).
        """
        model = self.model
        p = model.report_probability[kind] * (1.0 + model.report_effect * (self.trust - 0.5))
        p *= self.report_mul
        if kind == VIOLENCE:
            p *= self.violence_report_mul
        return self.random.random() < p

    def tips(self) -> bool:
        """As a witness, pass a tip with ``tip_rate × trust`` (:func:`clssim.dark_figure.tips`)."""
        return self.random.random() < self.model.tip_rate * self.trust

    def suffer(self, reported: bool) -> None:
        """Tally a victimisation and, if reported, the police response to it
        (:func:`clssim.social.note_offences`)."""
        if not self.victimised:  # the day's news reaches my ties (once a day)
            for tie in self.ties:
                tie.ties_victimised += 1
        self.victimised += 1
        self.victimisations += 1
        if reported:
            if self.random.random() < self.model.response_quality:
                self.satisfied += 1
            else:
                self.dissatisfied += 1

    def arrested(self) -> None:
        """Arrested: fair (deterrence) or unfair (labelling, and news for one's
        ties, whose trust suffers vicariously), with
        ``PoliceForce.arrest_fairness``'s probability
        (:func:`clssim.social.note_arrests`)."""
        model = self.model
        self.arrests += 1
        model.slot_arrests += 1
        if not model.social:
            return
        if self.random.random() < model.police.procedural_justice:
            self.arrest_factor *= 1.0 - model.careers.deterrence
        else:
            self.arrest_factor *= 1.0 + model.careers.labelling
            for tie in self.ties:
                tie.ties_arrested_unfairly += 1

    # ------------------------------------------------ the day's end (social)
    def experience_day(self) -> None:
        """Phase 1 of :func:`clssim.social.end_of_day`: one's own day.

        Trust: fair contacts remove a share of distrust, unfair ones a share of
        trust, so do satisfying and unsatisfying responses to one's reports;
        each unfair arrest of a tie today costs ``vicarious_loss``, each unfair stop
        ``vicarious_stop_loss``. Insecurity:
        sightings decay and count today's; fear relaxes towards its target,
        jumps with one's own victimisations and with each tie victimised today.
        Careers: recent offences decay and count today's.
        """
        model = self.model
        t, ins = model.trust_cfg, model.insecurity_cfg
        trust = self.trust
        if self.fair or self.unfair or self.satisfied or self.dissatisfied:
            trust = 1.0 - (1.0 - trust) * (1.0 - t.contact_gain) ** self.fair
            trust *= (1.0 - t.contact_loss) ** self.unfair
            trust = 1.0 - (1.0 - trust) * (1.0 - t.response_gain) ** self.satisfied
            trust *= (1.0 - t.response_loss) ** self.dissatisfied
        if self.ties_arrested_unfairly:
            trust *= (1.0 - t.vicarious_loss) ** self.ties_arrested_unfairly
        if self.ties_stopped_unfairly:
            trust *= (1.0 - t.vicarious_stop_loss) ** self.ties_stopped_unfairly
        self.trust = trust

        self.sightings = self.sightings * model.sighting_decay + self.seen_police
        fear = self.insecurity
        fear += (self.insecurity_target() - fear) * model.fear_adapt
        if self.victimised:
            fear += (1.0 - fear) * (1.0 - (1.0 - ins.victim_jump) ** self.victimised)
        if self.ties_victimised:
            fear += (1.0 - fear) * (1.0 - (1.0 - ins.network_jump) ** self.ties_victimised)
        self.insecurity = fear

        self.recent = self.recent * model.recent_decay + self.offended

    def insecurity_target(self) -> float:
        """The fear my situation sustains (:func:`clssim.social.insecurity_target`):
        logistic in the disorder and darkness of my routine cells, my
        vulnerabilities, officers seen, my area's collective efficacy and, for
        the isolated elderly, isolation."""
        model = self.model
        cfg = model.insecurity_cfg
        cell_fear = model.cell_fear
        z = sum(cell_fear[c] for c in self.routine_cells) / len(self.routine_cells)
        z += cfg.intercept + cfg.vulnerability * self.vulnerability
        z -= cfg.police_visibility * (1.0 - math.exp(-self.sightings / 5.0))
        z -= cfg.collective_efficacy * model.efficacy[self.area]
        if self.isolated:
            z += cfg.isolation * (1.0 - self.isolation_relief)
        return 1.0 / (1.0 + math.exp(-z))

    def look_at_ties(self) -> None:
        """Phase 2: the mean trust and insecurity of my ties and (youths) the share
        of them who offended recently, as they stand after phase 1 (the engine's
        ``W @ T``, ``W @ I`` and ``youth_ties @ delinquent``). Without ties I
        am my own reference (no pull, ``Social.influence``) and have no
        delinquent peers."""
        ties = self.ties
        if not ties:
            self.ties_trust, self.ties_insecurity = self.trust, self.insecurity
            return
        trust = fear = 0.0
        for tie in ties:
            trust += tie.trust
            fear += tie.insecurity
        n = len(ties)
        self.ties_trust, self.ties_insecurity = trust / n, fear / n
        if self.youth:
            self.delinquent_ties = sum(1 for tie in ties if tie.recent > DELINQUENT) / n

    def settle_day(self) -> None:
        """Phase 3: trust diffuses towards my ties and drifts to my baseline; fear
        spreads from my ties (faster up than down); participation follows fear;
        my offending career sets tomorrow's ``p_motivated``; tallies are cleared."""
        model = self.model
        t, ins, car = model.trust_cfg, model.insecurity_cfg, model.careers
        trust = self.trust + t.diffusion * (self.ties_trust - self.trust)
        trust += (self.trust_base - trust) * model.trust_drift
        self.trust = _clip01(trust)

        gap = self.ties_insecurity - self.insecurity
        fear = self.insecurity + gap * (ins.contagion_up if gap > 0.0 else ins.contagion_down)
        self.insecurity = fear = _clip01(fear)

        target = self.participation_base * (1.0 - model.fear_withdrawal * fear)
        self.participation += PARTICIPATION_RATE * (target - self.participation)

        multiplier = self.arrest_factor * self.programme_factor
        if self.pupil:
            multiplier *= 1.0 + car.school_weight * (0.5 - self.engagement)
        if self.youth:
            multiplier *= 1.0 + car.peer_weight * self.delinquent_ties
        self.p_motivated = _clip01(self.base_motivation * multiplier)

        self.fair = self.unfair = self.satisfied = self.dissatisfied = 0
        self.victimised = self.offended = 0
        self.seen_police = False
        self.ties_victimised = self.ties_arrested_unfairly = self.ties_stopped_unfairly = 0


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
    """The clssim neighbourhood with one Mesa agent per resident (benchmark reference).

    ``social=False`` runs the crime rules only (see the module docstring).
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        seed: int | None = None,
        cell_space: bool = False,
        social: bool = True,
    ):
        scenario = scenario if scenario is not None else load_scenario()
        if seed is not None:
            scenario = scenario.with_overrides({"seed": seed})
        if scenario.contract is not None or scenario.shocks:
            raise ValueError("the idiomatic reference has no contract measures and no shocks")
        self.scenario_config = scenario
        self.social = social
        # CLSModel's SeedSequence tree (0 Mesa, 1 world, 2 people, 3 propensity,
        # 4 police, 5 loop, 6 social): the same neighbourhood, residents and
        # officers for a seed. Stream 5 only keys the officers' draws here.
        streams = np.random.SeedSequence(scenario.seed).spawn(9)
        rngs = [np.random.default_rng(s) for s in streams]
        super().__init__(rng=rngs[0])
        self.world = world_from_scenario(scenario, rngs[1], mesa_random=self.random)
        pop = build_population(scenario, self.world, rngs[2])
        state = init_state(pop, scenario.crime, rngs[3])
        self.draws = Draws(run_key(streams[5]), pop.n)
        self.police = PoliceForce(self, self.world, scenario.police, self.draws)
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
        #: informal guardianship per cell (collective efficacy; 0 without social)
        self.guard = [0.0] * self.world.ncells

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
        #: residents in creation order: resident id i is ``by_id[i]``
        self.by_id: list[Resident] = list(self.residents)
        for i, resident in enumerate(self.by_id):
            resident.index = i  # the engine's resident id
        self.head_of_household = [self.by_id[i] for i in pop.hh_start.tolist()]
        if cell_space:
            for resident in self.by_id:
                resident.cell = self.cell_at[resident.home]
        self._start_recording()
        if social:
            self._join_social(scenario, pop, state, rngs[6])

    # ---------------------------------------------------------------- outputs
    def _start_recording(self) -> None:
        """A DataCollector for the engine's time series, its events table, and
        per-cell counts (see "Outputs" in the module docstring)."""
        k = len(OFFENCES)
        self.cell_true = [[0] * k for _ in range(self.world.ncells)]
        self.cell_recorded = [[0] * k for _ in range(self.world.ncells)]
        reporters: dict[str, Any] = {}
        for kind, name in enumerate(OFFENCES):
            reporters[f"{name}_true"] = lambda m, kind=kind: m.slot_true[kind]
            reporters[f"{name}_recorded"] = lambda m, kind=kind: m.slot_recorded[kind]
        reporters |= {
            "arrests": "slot_arrests",
            "victims": lambda m: len(m.slot_victims),
            "officers_on_duty": lambda m: m.police.on_duty,
            "mean_maintenance": lambda m: float(m.maintenance.sum()) / m.maintenance.size,
            "first_time_offenders": lambda m: len(m.slot_first),
            "repeat_offences": "slot_repeat",
        }
        if self.social:
            reporters |= {"contacts_fair": "slot_fair", "contacts_unfair": "slot_unfair"}
            reporters["tips"] = "slot_tips"
            keys = ["trust_mean", "insecurity_mean", "collective_efficacy"]
            keys += [f"{var}_{g}" for g in social.GROUPS for var in ("trust", "insecurity")]
            for key in keys:
                reporters[key] = lambda m, key=key: m.social_now[key]
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters, tables={"events": list(EVENT_COLUMNS)}
        )
        self._new_slot()

    def _new_slot(self) -> None:
        """Clear the per-slot tallies the DataCollector reads."""
        k = len(OFFENCES)
        self.slot_true, self.slot_recorded = [0] * k, [0] * k
        self.slot_arrests = self.slot_tips = self.slot_repeat = 0
        self.slot_fair = self.slot_unfair = 0
        self.slot_victims: set[Resident] = set()
        self.slot_first: set[Resident] = set()

    def count_offence(
        self, offender: Resident, prior: int, kind: int, cell: int, victim: Resident | None
    ) -> None:
        """Tally a completed offence: by type, by cell, its victim, first or repeat."""
        self.slot_true[kind] += 1
        self.cell_true[cell][kind] += 1
        if victim is not None:
            self.slot_victims.add(victim)
        if prior == 0:
            self.slot_first.add(offender)
        else:
            self.slot_repeat += 1

    def count_recorded(self, kind: int, cell: int) -> None:
        """Tally a reported offence (recorded crime)."""
        self.slot_recorded[kind] += 1
        self.cell_recorded[cell][kind] += 1

    def log_event(
        self,
        offender: Resident,
        prior: int,
        kind: int,
        cell: int,
        victim: Resident | None,
        reported: bool,
        tipped: bool,
        arrested: bool,
    ) -> None:
        """One row of the events table (the engine's ``events.parquet``)."""
        row = (
            self.steps - 1,
            offender.index,
            cell,
            kind,
            victim.index if victim is not None else -1,
            prior,
            reported,
            tipped,
            arrested,
        )
        self.datacollector.add_table_row("events", dict(zip(EVENT_COLUMNS, row, strict=True)))

    def _join_social(self, scenario: Scenario, pop, state, rng: np.random.Generator) -> None:
        """Starting social state from :func:`clssim.social.init_social` (same stream
        as the engine), copied into each resident, plus the static structures:
        each resident's ties and the residents of each cell."""
        soc = social.init_social(pop, self.world, scenario, state.p_motivated, rng)
        social.update_careers(soc, pop, scenario.careers, state)  # as CLSModel does
        self.trust_cfg, self.insecurity_cfg = scenario.trust, scenario.insecurity
        self.careers, ef = scenario.careers, scenario.efficacy
        self.contact_rate = scenario.police.contact_rate
        self.response_quality = scenario.police.response_quality
        self.tip_rate = scenario.trust.tip_rate
        self.report_effect = scenario.trust.report_effect
        self.tip_boost = scenario.police.tip_clearance_boost
        self.fear_withdrawal = ef.fear_withdrawal
        self.guardianship = ef.guardianship
        self.trust_drift = 1.0 - math.exp(-1.0 / scenario.trust.drift_days)
        self.fear_adapt = 1.0 - math.exp(-1.0 / scenario.insecurity.adapt_days)
        self.sighting_decay = math.exp(-1.0 / scenario.insecurity.sighting_days)
        self.recent_decay = math.exp(-1.0 / scenario.careers.memory_days)

        adj = soc.adjacency
        self.area_of_cell = soc.area_of_cell.tolist()
        self.n_areas = len(soc.efficacy)
        self.residents_of_cell: dict[int, list[Resident]] = defaultdict(list)
        starting = {
            "trust": soc.trust,
            "trust_base": soc.trust_base,
            "insecurity": soc.insecurity,
            "participation": soc.participation,
            "participation_base": soc.participation_base,
            "engagement": soc.engagement,
            "vulnerability": soc.vulnerability,
            "isolation_relief": soc.isolation_relief,
            "programme_factor": soc.programme_factor,
            "report_mul": soc.report_mul,
            "violence_report_mul": soc.violence_report_mul,
            "base_motivation": soc.base_motivation,
            "p_motivated": state.p_motivated,  # with the careers' first multiplier
            "area": soc.area_of_home,
            "isolated": pop.isolated_elderly,
            "youth": pop.youth,
        }
        for name, values in starting.items():
            for r, value in zip(self.by_id, values.tolist(), strict=True):
                setattr(r, name, value)
        # the output groups each resident belongs to (as social.group_matrix)
        names = list(social.GROUPS)
        member = np.array([social.GROUPS[g](pop) for g in names]).T.tolist()
        self.group_names = names
        self.group_sizes = [0] * len(names)
        for r, flags in zip(self.by_id, member, strict=True):
            r.groups = [g for g, flag in enumerate(flags) if flag]
            for g in r.groups:
                self.group_sizes[g] += 1
        self.area_sizes = [0] * self.n_areas
        for area in soc.area_of_home.tolist():
            self.area_sizes[area] += 1
        for i, r in enumerate(self.by_id):
            r.ties = [self.by_id[j] for j in adj.indices[adj.indptr[i] : adj.indptr[i + 1]]]
            r.integration = len(r.ties) / (len(r.ties) + ef.tie_saturation)
            self.residents_of_cell[r.home].append(r)
        self.residents_of_cell = dict(self.residents_of_cell)
        self.update_efficacy()
        self.take_social_means()

    # ---------------------------------------------------------------- the slot
    def step(self) -> None:
        """One slot, in ``CLSModel.step``'s order (Mesa bumps ``steps``)."""
        t = instant(self.steps - 1, self.scenario_config.time.start_weekday)
        self.thresholds = self.routine[t.daytype][t.slot]
        self.dark = t.slot in (NIGHT, EVENING)
        self.night = t.slot == NIGHT
        police = self.police
        draws = self.draws.slot(t.step)
        self.presence = police.patrol(t.slot, draws).tolist()
        self.contact_presence = police.contact_presence.tolist()
        self.fair_presence = police.fair_presence.tolist()

        self._new_slot()
        self.occupants: dict[int, list[Resident]] = defaultdict(list)
        self.households_at_home: set[int] = set()
        self.motivated: list[Resident] = []
        self.vandalised: list[int] = []
        self.known_cells: list[int] = []
        self.residents.shuffle_do("step")
        if self.social:
            fairness = police.fairness(True)
            for i in police.visits(t.slot, draws)[0].tolist():
                self.by_id[i].receive_visit(fairness)
        mesa.agent.AgentSet(self.motivated, random=self.random).do("offend")

        # vandalism damage after everyone has acted, then clip (as the engine)
        for cell in self.vandalised:
            self.maintenance[cell] -= self.crime.vandalism_damage
        np.clip(self.maintenance, 0.0, 1.0, out=self.maintenance)
        police.record(np.asarray(self.known_cells, dtype=np.int64))
        if t.slot == SLOTS_PER_DAY - 1:
            if self.social:
                self.end_of_day()
            base = self.world.baseline["maintenance"]  # daily upkeep of the layer
            self.maintenance += (base - self.maintenance) * self._repair
        self.datacollector.collect(self)
        if self.steps >= self.n_steps:
            self.running = False

    def investigate(self, kind: int, reported: bool, tipped: bool) -> bool:
        """Clear a known offence by arrest (:meth:`clssim.police.PoliceForce.investigate`):
        with the type's ``clearance``, times ``1 + tip_clearance_boost`` if tipped."""
        if not (reported or tipped):
            return False
        p = self.clearance[kind]
        if tipped:
            p *= 1.0 + self.tip_boost
        return self.random.random() < p

    def vandalism_reported(self, cell: int) -> bool:
        """Vandalism is reported by the cell's residents with their mean trust, or
        everyone's if nobody lives there (:func:`clssim.social.cell_trust`)."""
        living = self.residents_of_cell.get(cell)
        trust = sum(r.trust for r in living) / len(living) if living else self.trust_mean
        p = self.report_probability[VANDALISM] * (1.0 + self.report_effect * (trust - 0.5))
        return self.random.random() < p

    # ---------------------------------------------------------- the day's end
    def end_of_day(self) -> None:
        """:func:`clssim.social.end_of_day`, per resident, in three synchronous phases."""
        ins = self.insecurity_cfg
        self.cell_fear = [
            ins.disorder * (1.0 - m) + ins.darkness * (1.0 - light)
            for m, light in zip(self.maintenance.tolist(), self.lighting, strict=True)
        ]
        self.residents.do("experience_day")
        self.residents.do("look_at_ties")
        self.residents.do("settle_day")
        self.update_efficacy()
        self.take_social_means()

    def update_efficacy(self) -> None:
        """Collective efficacy per area = mean over its residents of participation ×
        integration; informal guardianship per cell = ``guardianship`` × its
        area's efficacy (:func:`clssim.social.update_efficacy`)."""
        total, count = [0.0] * self.n_areas, [0] * self.n_areas
        for r in self.residents:
            total[r.area] += r.participation * r.integration
            count[r.area] += 1
        self.efficacy = [s / c if c else 0.0 for s, c in zip(total, count, strict=True)]
        self.guard = [self.guardianship * self.efficacy[a] for a in self.area_of_cell]

    def take_social_means(self) -> None:
        """Mean trust and insecurity over residents and per group, and collective
        efficacy over residents, as of the day's end (the engine's
        ``social.group_means``)."""
        k = len(self.group_names)
        trust, fear = [0.0] * k, [0.0] * k
        all_trust = all_fear = 0.0
        for r in self.residents:
            t, f = r.trust, r.insecurity
            all_trust += t
            all_fear += f
            for g in r.groups:
                trust[g] += t
                fear[g] += f
        n = len(self.residents)
        self.trust_mean, self.insecurity_mean = all_trust / n, all_fear / n
        efficacy = sum(c * e for c, e in zip(self.area_sizes, self.efficacy, strict=True)) / n
        now = {
            "trust_mean": self.trust_mean,
            "insecurity_mean": self.insecurity_mean,
            "collective_efficacy": efficacy,
        }
        for g, name in enumerate(self.group_names):
            size = self.group_sizes[g]
            now[f"trust_{name}"] = trust[g] / size if size else math.nan
            now[f"insecurity_{name}"] = fear[g] / size if size else math.nan
        self.social_now = now

    # ---------------------------------------------------------------- outputs
    def run(self, steps: int | None = None) -> IdiomaticModel:
        """Run ``steps`` slots (default: to the scenario's end)."""
        for _ in range(self.n_steps - self.steps if steps is None else steps):
            self.step()
        return self

    @property
    def years(self) -> float:
        return self.steps / (SLOTS_PER_DAY * 365)

    def series(self, name: str) -> list:
        """One collected time series (a column of the engine's ``timeseries.parquet``)."""
        return self.datacollector.model_vars[name]

    def offences_per_1000_per_year(self) -> float:
        """True offences per 1,000 residents per simulated year (as ``summary.json``)."""
        true = sum(sum(self.series(f"{name}_true")) for name in OFFENCES)
        return 1000.0 * true / (self.n_residents * self.years)

    def summary(self) -> dict[str, float]:
        """Headline indicators under the names of the engine's ``summary.json``,
        derived from the collected series and the events table as the engine
        derives them from its files.

        ``final_*`` are means over residents at the end; ``mean_*`` average,
        over slots, the means as of the last day's end (the engine's time
        series; per group, ignoring slots where a group is empty). Social keys
        only with ``social=True``.
        """
        true = sum(sum(self.series(f"{name}_true")) for name in OFFENCES)
        recorded = sum(sum(self.series(f"{name}_recorded")) for name in OFFENCES)
        events = self.datacollector.tables["events"]
        per_offender: dict[int, int] = defaultdict(int)
        for offender in events["offender"]:
            per_offender[offender] += 1
        out = {
            "offences_true": true,
            "offences_recorded": recorded,
            "reporting_rate": recorded / true if true else 0.0,
            "offences_per_1000_per_year": self.offences_per_1000_per_year(),
            "arrests": sum(self.series("arrests")),
            "victims": len({v for v in events["victim"] if v >= 0}),
            "offenders": len(per_offender),
            "repeat_offenders": sum(1 for c in per_offender.values() if c >= 2),
        }
        if self.social:
            out |= {
                "final_trust": self.trust_mean,
                "final_insecurity": self.insecurity_mean,
                "mean_trust": statistics.fmean(self.series("trust_mean")),
                "mean_insecurity": statistics.fmean(self.series("insecurity_mean")),
                "tips": sum(self.series("tips")),
                "contacts_fair": sum(self.series("contacts_fair")),
                "contacts_unfair": sum(self.series("contacts_unfair")),
                "mean_collective_efficacy": self.social_now["collective_efficacy"],
            }
            for group in SUMMARY_GROUPS:
                for var in ("trust", "insecurity"):
                    values = [v for v in self.series(f"{var}_{group}") if not math.isnan(v)]
                    out[f"mean_{var}_{group}"] = statistics.fmean(values) if values else math.nan
        return out
