"""The contract at run time: stages, targeting, delivery, spending.

Stages on the simulated clock (ODD §7 "Contract — stages"):

1. **Local Safety Diagnosis** for ``stages.diagnosis_days``; at its end the
   diagnosis is computed (:mod:`clssim.contract.diagnosis`).
2. **Intervention Plan**: ``plan_days / mean partner capacity`` days — the
   passage mayors find hardest is slower when partners have little capacity.
3. **Implementation** for ``stages.implementation_days``: measures start and
   end on their own days, counted from the start of implementation.
4. **Monitoring and Evaluation** afterwards.

Each measure has a *level* that ramps up while funded (time constant
``ramp_days``) and decays once funding stops (``decay_days``); its effective
strength each day is

    e = level × intensity × partner delivery × integration × budget factor,

with integration = ``1 − isolation_penalty × (1 − governance trust)``.

Each day, for each item of the plan (an instance of its kind's
:class:`clssim.measures.Measure` class), in plan order: on its first funded
day ``on_start`` resolves its targets and the fixed cost is spent; while
funded the running cost accrues; on its first day without funding
``on_stop``; then its level and strength are updated, ``on_day`` runs, and
``effect`` adds into the day's :class:`~clssim.measures.Modifiers`, whose
total :meth:`Contract._apply` writes into the world, residents and police.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clssim.clock import AFTERNOON, EVENING, MORNING
from clssim.contract.diagnosis import Diagnosis, diagnose
from clssim.contract.partners import (
    FieldWorker,
    Partner,
    governance_network,
    integration,
    joint_work,
)
from clssim.draws import Decision, SlotDraws
from clssim.evidence.calibration import calibrated_effects
from clssim.evidence.costs import staff_rate
from clssim.measures import AXES, LIGHT_TARGET, MAINT_TARGET, Measure, Modifiers
from clssim.plugin import Conditions
from clssim.routines import LEISURE, LOCAL, WORK
from clssim.scenario.contract import STAGES, ContractConfig

WORK_SLOTS = (MORNING, AFTERNOON, EVENING)
SCHOOL_SLOTS = (MORNING, AFTERNOON)
FIELD_GUARD = 1.0  #: guardianship hazard of one field worker at its cell


class Contract:
    """Runs a :class:`ContractConfig` inside a model."""

    def __init__(self, model, cfg: ContractConfig, rng: np.random.Generator):
        self.model = model
        self.cfg = cfg
        self.rng = rng
        self.pop = model.population
        world = model.world
        self.partners = [Partner(model, p) for p in cfg.partners]
        by_kind = {p.kind: p for p in self.partners}
        self.governance = governance_network(self.partners, cfg.governance_trust)
        self.sharing = float(np.mean([p.information_sharing for p in self.partners]))
        self.stage_days = cfg.schedule()
        impl = self.stage_days["implementation"]
        #: the plan's items, each an instance of its kind's :class:`Measure` class
        seed = model.scenario_config.seed
        self.measures: list[Measure] = [
            m.measure(
                k,
                m,
                by_kind[m.lead_partner],
                start=impl + m.start_day,
                end=impl + m.end_day,
                effects=calibrated_effects(m.kind, cfg.effects, seed) | m.effects,
            )
            for k, m in enumerate(cfg.measures)
        ]
        seen: dict[str, int] = {}
        for m in self.measures:  # two measures of one kind (and no name) get distinct keys
            seen[m.cfg.label] = seen.get(m.cfg.label, 0) + 1
            n = seen[m.cfg.label]
            m.key = m.cfg.label if n == 1 else f"{m.cfg.label}#{n}"
        office = world.cells_of("commerce", "public_space")
        home_cell = int(office[0]) if office.size else 0
        cells = world.grid.all_cells.cells
        for p in self.partners:
            n_workers = next(c.field_workers for c in cfg.partners if c.kind == p.kind)
            p.workers = [FieldWorker(model, p, cells[home_cell]) for _ in range(n_workers)]
        self.diagnosis: Diagnosis | None = None
        self.budget_factor = 1.0  #: cut by an economic crisis (the day's Conditions)
        self.delivery_factor = 1.0  #: cut by a pandemic (the day's Conditions)
        self.spent = dict.fromkeys(AXES, 0.0)
        self.staff_hours: dict[str, float] = {}  #: in-kind hours by staff kind
        self.base = {
            "lighting": world.layers["lighting"].copy(),
            "maintenance": world.baseline["maintenance"].copy(),
            "surveillance": world.layers["surveillance"].copy(),
        }
        soc = model.social
        self.social_base = {
            "trust_base": soc.trust_base.copy(),
            "participation_base": soc.participation_base.copy(),
            "engagement": soc.engagement.copy(),
        }
        self.mods = Modifiers.neutral(self.pop.n, world.ncells)
        self.guard = np.zeros(world.ncells)  #: this slot's guardianship by field workers
        self.extra_presence = np.zeros(world.ncells + 1)  #: liaison officers (school hours)
        self.monthly: list[dict[str, Any]] = []
        self.transitions: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- clock
    def stage(self, day: int) -> str:
        """The stage on ``day`` ("none" before the contract is signed)."""
        current = "none"
        for name in STAGES[1:]:
            if day >= self.stage_days[name]:
                current = name
        return current

    # ------------------------------------------------- the loop plug-in (clssim.plugin)
    adjusts_routines = True

    def begin_day(self, day: int, conditions: Conditions) -> None:
        """Take the day's factors: a pandemic cuts delivery, a crisis the budget."""
        self.delivery_factor = conditions.delivery
        self.budget_factor = conditions.budget

    def record(self, recorder, t) -> None:
        """Spending, stage and participants of the slot into the recorder."""
        recorder.record_contract(t, self)

    def end_day(self, day: int) -> None:
        """Advance the contract by one day (called at the day's end)."""
        for name, start in self.stage_days.items():
            if day == start:
                self.transitions.append({"day": day, "stage": name})
        if day == self.stage_days["plan"] and self.diagnosis is None:
            self.diagnosis = diagnose(
                self.model, self.cfg.hotspots_needed(), self.sharing, self.rng, day
            )
        active = {m.partner.kind for m in self.measures if m.funded(day)}
        month_tick = day % 30 == 0
        if month_tick and active:
            joint_work(self.governance, active, self.cfg.joint_work_gain)
        mods = Modifiers.neutral(self.pop.n, self.model.world.ncells)
        for m in self.measures:
            funded = m.funded(day)
            if funded and not m.started:
                m.started = True
                m.on_start(self)
                self._spend(m, m.fixed_cost + m.unit_fixed_eur * m.units)
                self._give_time(m, m.staff_hours_once * m.units)
            if funded:  # running costs accrue daily, for the units served: / 30
                self._spend(m, m.unit_cost * m.units * self.budget_factor / 30.0)
                self._give_time(m, m.staff_hours_unit_month * m.units / 30.0)
            if not funded and m.started and not m.stopped:
                m.stopped = True
                m.on_stop(self)
            tau = m.ramp_days if funded else m.decay_days
            target = 1.0 if funded else 0.0
            m.level += (target - m.level) * (1.0 - np.exp(-1.0 / tau))
            integ = integration(self.governance, m.partner.kind, active)
            integ_factor = 1.0 - self.cfg.isolation_penalty * (1.0 - integ)
            m.strength = (
                m.level
                * m.cfg.intensity
                * m.partner.delivery
                * integ_factor
                * (self.budget_factor if funded else 1.0)
                * self.delivery_factor
            )
            if m.started:
                m.on_day(day, self)
            if m.strength > 1e-4 and m.started:
                m.effect(m.strength, mods, self)
        self._apply(mods, day)
        if month_tick:
            self._log_month(day)

    def _spend(self, m: Measure, eur: float) -> None:
        m.spent += eur
        self.spent[m.axis] += eur

    def _give_time(self, m: Measure, hours: float) -> None:
        """The partners' in-kind staff time (not paid from the budget)."""
        if hours > 0 and m.staff:
            self.staff_hours[m.staff] = self.staff_hours.get(m.staff, 0.0) + hours

    # ---------------------------------------------------------------- effects
    def _apply(self, mods: Modifiers, day: int) -> None:
        world, soc, police = self.model.world, self.model.social, self.model.police
        L = world.layers
        b = self.base
        L["lighting"][:] = b["lighting"] + mods.light_to * np.maximum(
            LIGHT_TARGET - b["lighting"], 0.0
        )
        world.baseline["maintenance"][:] = b["maintenance"] + mods.maint_to * np.maximum(
            MAINT_TARGET - b["maintenance"], 0.0
        )
        L["surveillance"][:] = np.clip(b["surveillance"] + mods.surv_add, 0.0, 1.0)
        self.model.repair_mul = mods.repair_mul
        sb = self.social_base
        soc.trust_base[:] = np.clip(sb["trust_base"] + mods.trust_base_add, 0.0, 1.0)
        soc.participation_base[:] = np.clip(
            sb["participation_base"] + mods.participation_add, 0.0, 1.0
        )
        soc.engagement[:] = np.clip(sb["engagement"] + mods.engagement_add, 0.0, 1.0)
        soc.exclusion_extra[:] = self._at_school(mods.school_exclusion)
        soc.isolation_relief[:] = mods.isolation_relief
        soc.fear_relief[:] = mods.fear_relief
        soc.programme_factor[:] = mods.programme_factor
        soc.report_mul[:] = mods.report_mul
        soc.violence_report_mul[:] = mods.violence_report_mul
        police.procedural_justice = min(1.0, police.base_procedural_justice + mods.pj_add)
        self.mods = mods

    # ---------------------------------------------------------------- per slot
    def adjust_routines(self, t, act: np.ndarray, loc: np.ndarray, draws: SlotDraws) -> None:
        """Programme participants spend weekday afternoons/evenings supervised."""
        sup = self.mods.supervised
        if t.weekend or t.slot not in (AFTERNOON, EVENING) or not sup.any():
            return
        out = np.flatnonzero((act == LOCAL) | (act == LEISURE))
        chosen = out[draws.uniform(Decision.PROGRAMME, out) < sup[out]]
        act[chosen] = WORK
        loc[chosen] = self._programme_site(chosen)

    def _programme_site(self, who: np.ndarray) -> np.ndarray:
        """Youth programmes meet at the participant's school, else at home's nearest
        public space (their first local haunt)."""
        pop = self.pop
        return np.where(pop.work[who] != pop.outside, pop.work[who], pop.haunts_local[who, 0])

    def slot(self, t) -> tuple[np.ndarray, np.ndarray]:
        """Move field workers; return (guardianship per cell, extra police presence)."""
        self.guard[:] = 0.0
        self.extra_presence[:] = 0.0
        day = t.day
        if t.slot in WORK_SLOTS and self.delivery_factor > 0:
            places = self._delivery_places(day)
            cells = self.model.world.grid.all_cells.cells
            for p in self.partners:
                spots = places.get(p.kind)
                if spots is None or spots.size == 0:
                    continue
                for w in p.workers:
                    c = int(spots[self.rng.integers(spots.size)])
                    w.cell = cells[c]
                    self.guard[c] += FIELD_GUARD * self.delivery_factor
        if not t.weekend and t.slot in SCHOOL_SLOTS:
            self.guard += self.mods.school_guard
            self.extra_presence[:-1] = self.mods.school_police
        return self.guard, self.extra_presence

    def _at_school(self, per_cell: np.ndarray) -> np.ndarray:
        """A per-cell value read at each resident's place of work or school (0 outside
        the map; only pupils' values are used)."""
        return np.append(per_cell, 0.0)[self.pop.work]

    def _delivery_places(self, day: int) -> dict[str, np.ndarray]:
        places: dict[str, list[np.ndarray]] = {}
        for m in self.measures:
            if not (m.funded(day) and m.started):
                continue
            spots = m.cells if m.targets == "cells" else self.pop.home[m.people]
            if spots.size:
                places.setdefault(m.partner.kind, []).append(spots)
        return {k: np.concatenate(v) for k, v in places.items()}

    # ---------------------------------------------------------------- outputs
    def _log_month(self, day: int) -> None:
        for m in self.measures:
            self.monthly.append(
                {
                    "day": day,
                    "measure": m.key,
                    "kind": m.cfg.kind,
                    "axis": m.axis,
                    "lead": m.partner.kind,
                    "stage": self.stage(day),
                    "funded": m.funded(day),
                    "level": m.level,
                    "strength": m.strength,
                    "participants": int(m.people.size) if m.funded(day) else 0,
                    "cells": int(m.cells.size) if m.funded(day) else 0,
                    "spent_eur": m.spent,
                }
            )

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "contract_type": self.cfg.type,
            "budget_eur": round(self.cfg.budget_eur, 2),  # cents, as the costs below
            "planned_cost_eur": round(self.cfg.planned_cost(), 2),
            "cost_eur": round(sum(self.spent.values()), 2),
            "information_sharing": round(self.sharing, 6),
        }
        for axis in AXES:
            out[f"spend_{axis}_eur"] = round(self.spent[axis], 2)
        # partners' staff time, valued at employer cost (costs.toml); not in cost_eur
        out["inkind_hours"] = round(sum(self.staff_hours.values()), 2)
        out["inkind_eur"] = round(sum(h * staff_rate(k) for k, h in self.staff_hours.items()), 2)
        for name, day in self.stage_days.items():
            out[f"stage_{name}_day"] = day
        if self.diagnosis is not None:
            out["diagnosis_hotspot_precision"] = self.diagnosis.hotspot_precision
            out["diagnosis_at_risk_precision"] = self.diagnosis.at_risk_precision
        out["measure_participants"] = {m.key: int(m.people.size) for m in self.measures}
        out["measure_spent_eur"] = {m.key: round(m.spent, 2) for m in self.measures}
        edges = [d["trust"] for _, _, d in self.governance.edges(data=True)]
        out["governance_trust"] = round(float(np.mean(edges)), 6) if edges else 0.0
        return out
