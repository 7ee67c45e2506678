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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clssim.clock import AFTERNOON, EVENING, MORNING
from clssim.contract.catalogue import AXES, CATALOGUE, Kind
from clssim.contract.diagnosis import Diagnosis, diagnose
from clssim.contract.measures import EFFECTS, LIGHT_TARGET, MAINT_TARGET, Modifiers
from clssim.contract.partners import (
    FieldWorker,
    Partner,
    governance_network,
    integration,
    joint_work,
)
from clssim.layouts import LAND_USES
from clssim.population import R_EMPLOYED, R_NEET, R_STUDENT, R_UNEMPLOYED
from clssim.routines import LEISURE, LOCAL, WORK
from clssim.scenario.contract import STAGES, ContractConfig, MeasureConfig, parse_target

WORK_SLOTS = (MORNING, AFTERNOON, EVENING)
SCHOOL_SLOTS = (MORNING, AFTERNOON)
FIELD_GUARD = 1.0  #: guardianship hazard of one field worker at its cell
JOB_FINDING = 0.08  #: monthly chance of a job for a fully supported participant


@dataclass
class RunningMeasure:
    """A measure of the plan and its state during the run."""

    index: int
    cfg: MeasureConfig
    kind: Kind
    partner: Partner
    start: int = 0  #: absolute day
    end: int = 0
    level: float = 0.0
    strength: float = 0.0  #: today's effective strength e
    cells: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    people: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    spent: float = 0.0
    resolved: bool = False
    officers: list = field(default_factory=list)  #: proximity_beat: officers moved
    #: the measure's name in the outputs: its label, with ``#2``, ``#3`` … on repeats
    key: str = ""

    def funded(self, day: int) -> bool:
        return self.start <= day < self.end


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
        self.measures = [
            RunningMeasure(
                k,
                m,
                CATALOGUE[m.kind],
                by_kind[m.lead_partner],
                start=impl + m.start_day,
                end=impl + m.end_day,
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
        self.budget_factor = 1.0
        self.delivery_factor = 1.0  #: cut by a pandemic
        self.spent = dict.fromkeys(AXES, 0.0)
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
        self.mods = Modifiers.zeros(self.pop.n, world.ncells)
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

    # ---------------------------------------------------------------- daily
    def daily(self, day: int) -> None:
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
        mods = Modifiers.zeros(self.pop.n, self.model.world.ncells)
        for m in self.measures:
            funded = m.funded(day)
            if funded and not m.resolved:
                self._resolve(m)
                self._spend(m, self._fixed(m))
            if funded:  # running costs accrue daily: unit cost × capacity / 30
                self._spend(m, self._unit(m) * m.cfg.capacity * self.budget_factor / 30.0)
            if not funded and m.resolved and m.cfg.kind == "proximity_beat" and m.officers:
                self._release(m)
            tau = m.kind.ramp_days if funded else m.kind.decay_days
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
            # monthly hiring, with today's strength (on the first day: one day of ramp-up)
            if funded and m.cfg.kind == "employment_support" and (day - m.start) % 30 == 0:
                self._find_jobs(m)
            if m.strength > 1e-4 and m.resolved:
                EFFECTS[m.cfg.kind](m, m.strength, mods, self)
        self._apply(mods, day)
        if month_tick:
            self._log_month(day)

    def _fixed(self, m: RunningMeasure) -> float:
        return m.kind.fixed_eur if m.cfg.fixed_eur is None else m.cfg.fixed_eur

    def _unit(self, m: RunningMeasure) -> float:
        return m.kind.unit_month_eur if m.cfg.unit_month_eur is None else m.cfg.unit_month_eur

    def _spend(self, m: RunningMeasure, eur: float) -> None:
        m.spent += eur
        self.spent[m.kind.axis] += eur

    # ---------------------------------------------------------------- targets
    def _resolve(self, m: RunningMeasure) -> None:
        """Turn the target string into cells or people, once, at the start."""
        world, pop = self.model.world, self.pop
        form, args = parse_target(m.cfg.resolved_target)
        m.resolved = True
        if m.kind.targets == "cells":
            if form == "all":
                cells = np.arange(world.ncells)
            elif form == "area":
                cells = _area_cells(world, *args)
            elif form == "land_use":
                cells = np.flatnonzero(world.land_use == LAND_USES.index(args[0]))
            else:  # hotspots from the diagnosis (recorded crime + partners)
                cells = self.diagnosis.hotspots[: args[0]] if self.diagnosis else np.empty(0)
            cells = np.asarray(cells, dtype=np.int64)
            if form != "hotspots" and cells.size > m.cfg.capacity:  # funded cells at random
                cells = np.sort(self.rng.choice(cells, size=int(m.cfg.capacity), replace=False))
            m.cells = cells[: int(m.cfg.capacity)]
            return
        if m.cfg.kind == "proximity_beat":
            police = self.model.police
            before = {id(o) for o in police.officers if o.proximity}
            police.assign_proximity(int(m.cfg.capacity), foot_share=m.cfg.intensity)
            m.officers = [o for o in police.officers if o.proximity and id(o) not in before]
            return
        if m.cfg.kind == "pj_training":
            return
        if form == "area":
            pool = np.flatnonzero(np.isin(pop.home, _area_cells(world, *args)))
        elif form == "group":
            pool = self._group(args[0])
        else:
            pool = np.arange(pop.n)
        size = min(int(m.cfg.capacity), pool.size)
        m.people = np.sort(self.rng.choice(pool, size=size, replace=False)) if size else pool[:0]

    def _group(self, name: str) -> np.ndarray:
        pop = self.pop
        if name == "at_risk_youths":
            return self.diagnosis.at_risk if self.diagnosis else np.empty(0, np.int64)
        masks = {
            "residents": np.ones(pop.n, bool),
            "youths": pop.youth,
            "isolated_elderly": pop.isolated_elderly,
            "elderly": pop.age >= 65,
            "migrants": pop.migrant,
            "minority": pop.minority,
            "unemployed": np.isin(pop.role, (R_UNEMPLOYED, R_NEET)),
            "women": pop.female & (pop.age >= 15),
            "pupils": pop.role == R_STUDENT,
        }
        return np.flatnonzero(masks[name])

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
        soc.isolation_relief[:] = mods.isolation_relief
        soc.programme_factor[:] = mods.programme_factor
        soc.report_mul[:] = mods.report_mul
        soc.violence_report_mul[:] = mods.violence_report_mul
        police.procedural_justice = min(1.0, police.base_procedural_justice + mods.pj_add)
        self.mods = mods

    def _release(self, m: RunningMeasure) -> None:
        """Funding stopped: the measure's officers return to response patrol, on the
        beat they had before (``police.strategy = "beat"``)."""
        strategy = self.model.police.cfg.strategy
        for officer in m.officers:
            officer.proximity = False
            officer.strategy = strategy
            officer.contact_factor = 1.0
            officer.beat = officer.response_beat
            officer.residents = officer.residents[:0]
        m.officers = []

    def _find_jobs(self, m: RunningMeasure) -> None:
        pop = self.pop
        seekers = m.people[np.isin(pop.role[m.people], (R_UNEMPLOYED, R_NEET))]
        hired = seekers[self.rng.random(seekers.size) < JOB_FINDING * max(m.strength, 0.0)]
        if hired.size:
            self.model.set_roles(hired, R_EMPLOYED)

    # ---------------------------------------------------------------- per slot
    def adjust_routines(self, t, act: np.ndarray, loc: np.ndarray, rng) -> None:
        """Programme participants spend weekday afternoons/evenings supervised."""
        sup = self.mods.supervised
        if t.weekend or t.slot not in (AFTERNOON, EVENING) or not sup.any():
            return
        out = np.flatnonzero((act == LOCAL) | (act == LEISURE))
        chosen = out[rng.random(out.size) < sup[out]]
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

    def _delivery_places(self, day: int) -> dict[str, np.ndarray]:
        places: dict[str, list[np.ndarray]] = {}
        for m in self.measures:
            if not (m.funded(day) and m.resolved):
                continue
            spots = m.cells if m.kind.targets == "cells" else self.pop.home[m.people]
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
                    "axis": m.kind.axis,
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


def _area_cells(world, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    xs = np.arange(x0, min(x1, world.width - 1) + 1)
    ys = np.arange(y0, min(y1, world.height - 1) + 1)
    return (xs[:, None] * world.height + ys[None, :]).ravel()
