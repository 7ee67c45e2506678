"""The ``[contract]`` table of a scenario: the Local Safety Contract (pydantic models).

Each ``[[contract.measures]]`` item names a measure kind of the catalogue
(:data:`clssim.measures.MEASURES`) and a target, written as a short string
(:mod:`clssim.measures.targets`): ``all``, ``area:x0,y0,x1,y1``,
``land_use:NAME``, ``hotspots:K`` or ``group:NAME``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field, field_validator, model_validator

from clssim.fields import Probability, Section
from clssim.fields import field as _f
from clssim.measures import MEASURES, PARTNERS, Measure, find_measure, parse_target

#: The contract's stages, in order ("none" before it is signed; ODD §7.21)
STAGES = ("none", "diagnosis", "plan", "implementation", "monitoring")

PartnerKind = Literal[tuple(PARTNERS)]  # type: ignore[valid-type]


def _one_of(names: Iterable[str]) -> str:
    quoted = [repr(n) for n in names]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1] if len(quoted) > 1 else "".join(quoted)


class MeasureConfig(Section):
    kind: str = _f(..., "-", "Measure kind (see the catalogue in docs/contract.md).")
    name: str = _f("", "-", "Optional label (default: the kind).")
    target: str = _f("", "-", "Where or whom it reaches (default: the kind's usual target).")
    start_day: int = _f(0, "days", "Start, in days after implementation begins.", ge=0)
    end_day: int = _f(365, "days", "End (funding stops), days after implementation.", gt=0)
    capacity: float = _f(
        ..., "units", "Units funded (participants, cells, officers…).", gt=0, le=1e6
    )
    intensity: Probability = _f(1.0, "0–1", "Strength of delivery per unit.")
    lead: PartnerKind | None = _f(None, "-", "Lead partner (default: the kind's usual lead).")
    fixed_eur: float | None = _f(None, "€", "One-off cost (default from the catalogue).", ge=0)
    unit_month_eur: float | None = _f(
        None, "€/unit/month", "Running cost (default from the catalogue).", ge=0
    )
    effects: dict[str, float] = _f(
        {},
        "-",
        "Effect parameters set by hand (name = value), instead of the calibrated ones.",
    )

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if find_measure(kind) is None:
            raise ValueError(f"must be one of {_one_of(MEASURES)}")
        return kind

    @model_validator(mode="after")
    def _check(self) -> MeasureConfig:
        if self.end_day <= self.start_day:
            raise ValueError(f"end_day = {self.end_day} is not after start_day = {self.start_day}")
        kind = self.measure
        form, _ = parse_target(self.target or kind.default_target)
        if kind.targets == "cells" and form == "group":
            raise ValueError(f"{self.kind} acts on places: use all, area, land_use or hotspots")
        if kind.targets == "people" and form in ("land_use", "hotspots"):
            raise ValueError(f"{self.kind} acts on people: use all, area or group")
        for name, value in self.effects.items():
            par = kind.params.get(name)
            if par is None:
                allowed = ", ".join(kind.params) or "none"
                raise ValueError(
                    f"effects.{name}: {self.kind} has no effect parameter {name!r}; "
                    f"allowed: {allowed}"
                )
            if not par.low <= value <= par.high:
                raise ValueError(
                    f"effects.{name} = {value:g} is outside [{par.low:g}, {par.high:g}]"
                )
        return self

    @property
    def measure(self) -> type[Measure]:
        """The measure's class in the catalogue."""
        return MEASURES[self.kind]

    @property
    def label(self) -> str:
        return self.name or self.kind

    @property
    def resolved_target(self) -> str:
        return self.target or self.measure.default_target

    @property
    def lead_partner(self) -> str:
        return self.lead or self.measure.lead

    @property
    def months(self) -> float:
        return (self.end_day - self.start_day) / 30.0

    def cost(self) -> float:
        """Planned cash cost in euros, every funded unit filled: fixed + (one-off
        per unit + unit cost × months) × capacity."""
        kind = self.measure
        fixed = kind.fixed_eur if self.fixed_eur is None else self.fixed_eur
        unit = kind.unit_month_eur if self.unit_month_eur is None else self.unit_month_eur
        return fixed + (kind.unit_fixed_eur + unit * self.months) * self.capacity


class PartnerConfig(Section):
    kind: PartnerKind = _f(..., "-", "Type of partner organisation.")
    capacity: Probability = _f(0.7, "0–1", "Staff and time it can give to the contract.")
    commitment: Probability = _f(0.7, "0–1", "Priority it gives to the contract.")
    information_sharing: Probability = _f(
        0.6, "0–1", "Share of what it knows that it passes to the diagnosis."
    )
    budget_share: Probability = _f(0.0, "share", "Share of the budget it contributes.")
    field_workers: int = _f(1, "workers", "Field workers it puts on the ground.", ge=0, le=500)


def _default_partners() -> list[PartnerConfig]:
    return [
        PartnerConfig(kind="municipality", budget_share=0.5, field_workers=2),
        PartnerConfig(kind="police", budget_share=0.1, field_workers=0),
        PartnerConfig(kind="school_cluster", budget_share=0.1),
        PartnerConfig(kind="social_services", budget_share=0.1),
        PartnerConfig(kind="association", budget_share=0.1),
        PartnerConfig(kind="parish", budget_share=0.1),
    ]


class StagesConfig(Section):
    diagnosis_days: int = _f(120, "days", "Local Safety Diagnosis.", ge=1, le=3650)
    plan_days: int = _f(
        90, "days", "Drafting the plan at full partner capacity (slower below).", ge=1
    )
    implementation_days: int = _f(540, "days", "Implementation of measures.", ge=1)


class ContractConfig(Section):
    type: Literal["municipality", "neighbourhood", "citizen"] = _f(
        "neighbourhood", "-", "MAI contract type."
    )
    budget_eur: float = _f(250_000.0, "€", "Total budget of the contract.", ge=0)
    start_day: int = _f(
        365,
        "days",
        "Day the contract is signed; the diagnosis draws on everything recorded before.",
        ge=0,
    )
    staff: int = _f(
        4, "officers", "Officers available for proximity work (from police.officers).", ge=0
    )
    stages: StagesConfig = Field(default_factory=StagesConfig)
    hotspots: int = _f(10, "cells", "Hot spots listed in the diagnosis.", ge=1, le=1000)
    governance_trust: Probability = _f(
        0.4, "0–1", "Initial trust between partners in the governance network."
    )
    joint_work_gain: Probability = _f(
        0.05, "1/month", "Monthly growth of trust between partners working together."
    )
    isolation_penalty: Probability = _f(
        0.25, "share", "Effect lost by a measure whose lead works in isolation."
    )
    effects: Literal["evidence", "central"] = _f(
        "evidence",
        "-",
        "Measure effects: 'evidence' draws each run's from the calibrated uncertainty "
        "(by seed and kind); 'central' uses the calibrated medians (--fixed-effects).",
    )
    partners: list[PartnerConfig] = Field(default_factory=_default_partners)
    measures: list[MeasureConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> ContractConfig:
        if not self.partners:
            raise ValueError("contract.partners = []: a contract needs at least one partner")
        kinds = [p.kind for p in self.partners]
        if len(set(kinds)) != len(kinds):
            raise ValueError("each partner kind may appear once")
        for m in self.measures:
            if m.lead_partner not in kinds:
                raise ValueError(
                    f"measure {m.label!r} is led by {m.lead_partner!r}, not a partner "
                    f"of this contract (partners: {', '.join(kinds)})"
                )
        cost = self.planned_cost()
        if cost > self.budget_eur + 1e-6:
            worst = max(self.measures, key=lambda m: m.cost())
            raise ValueError(
                f"the plan costs €{cost:,.0f}, over the budget of €{self.budget_eur:,.0f} "
                f"(largest item: {worst.label} €{worst.cost():,.0f})"
            )
        for m in self.measures:
            if m.end_day > self.stages.implementation_days:
                raise ValueError(
                    f"measure {m.label!r} ends on day {m.end_day} of implementation, after "
                    f"the implementation stage ends (stages.implementation_days = "
                    f"{self.stages.implementation_days})"
                )
        officers = self.officers_used()
        if officers > self.staff:
            users = {m.kind for m in self.measures if m.measure.uses_officers}
            raise ValueError(
                f"{'/'.join(sorted(users))} measures use {officers:g} officers "
                f"but staff = {self.staff}"
            )
        return self

    def officers_used(self) -> float:
        """Officers the plan takes from ``staff`` (measures that use officers)."""
        return sum(m.capacity for m in self.measures if m.measure.uses_officers)

    def planned_cost(self) -> float:
        return sum(m.cost() for m in self.measures)

    def schedule(self) -> dict[str, int]:
        """The day each stage begins: diagnosis at ``start_day``; the plan after
        ``stages.diagnosis_days``; implementation after ``stages.plan_days`` divided by
        the partners' mean capacity (at least 0.2); monitoring after
        ``stages.implementation_days`` (ODD §7.21)."""
        capacity = sum(p.capacity for p in self.partners) / len(self.partners)
        plan = self.start_day + self.stages.diagnosis_days
        implementation = plan + int(round(self.stages.plan_days / max(capacity, 0.2)))
        return {
            "diagnosis": self.start_day,
            "plan": plan,
            "implementation": implementation,
            "monitoring": implementation + self.stages.implementation_days,
        }

    def hotspots_needed(self) -> int:
        """Length of the diagnosis' hot-spot list: enough for every hotspots:K target."""
        ks = [parse_target(m.resolved_target) for m in self.measures]
        return max([self.hotspots, *(a[0] for f, a in ks if f == "hotspots")])
