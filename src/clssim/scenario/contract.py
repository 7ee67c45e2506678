"""The ``[contract]`` table of a scenario: the Local Safety Contract (pydantic models).

Targets of a measure are written as short strings:

==========================  =====================================================
``all``                     every cell, or every resident the measure can reach
``area:x0,y0,x1,y1``        the cells of a rectangle (inclusive), or its residents
``land_use:NAME``           cells of a land use (``vacant``, ``school``, …)
``hotspots:K``              the diagnosis' top-K hot spots (from recorded crime)
``group:NAME``              residents: ``residents``, ``youths``,
                            ``at_risk_youths`` (the diagnosis' list),
                            ``isolated_elderly``, ``elderly``, ``migrants``,
                            ``minority``, ``unemployed``, ``women``, ``pupils``
==========================  =====================================================
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from clssim.contract.catalogue import CATALOGUE, PARTNERS
from clssim.fields import Probability, Section
from clssim.fields import field as _f
from clssim.layouts import LAND_USES

#: The contract's stages, in order ("none" before it is signed; ODD §7.21)
STAGES = ("none", "diagnosis", "plan", "implementation", "monitoring")

GROUP_TARGETS = (
    "residents",
    "youths",
    "at_risk_youths",
    "isolated_elderly",
    "elderly",
    "migrants",
    "minority",
    "unemployed",
    "women",
    "pupils",
)

MeasureKind = Literal[tuple(CATALOGUE)]  # type: ignore[valid-type]
PartnerKind = Literal[PARTNERS]  # type: ignore[valid-type]


def parse_target(target: str) -> tuple[str, tuple]:
    """Split a target string into its form and arguments; ValueError if malformed."""
    form, _, arg = target.partition(":")
    if form == "all" and not arg:
        return "all", ()
    if form == "area":
        try:
            x0, y0, x1, y1 = (int(v) for v in arg.split(","))
        except ValueError:
            raise ValueError("area targets are 'area:x0,y0,x1,y1' with integers") from None
        if x1 < x0 or y1 < y0 or min(x0, y0) < 0:
            raise ValueError("area needs 0 <= x0 <= x1 and 0 <= y0 <= y1")
        return "area", (x0, y0, x1, y1)
    if form == "land_use":
        if arg not in LAND_USES:
            raise ValueError(f"unknown land use {arg!r}; allowed: {', '.join(LAND_USES)}")
        return "land_use", (arg,)
    if form == "hotspots":
        if not arg.isdigit() or int(arg) < 1:
            raise ValueError("hotspot targets are 'hotspots:K' with K >= 1")
        return "hotspots", (int(arg),)
    if form == "group":
        if arg not in GROUP_TARGETS:
            raise ValueError(f"unknown group {arg!r}; allowed: {', '.join(GROUP_TARGETS)}")
        return "group", (arg,)
    raise ValueError(
        "a target is one of: all, area:x0,y0,x1,y1, land_use:NAME, hotspots:K, group:NAME"
    )


class MeasureConfig(Section):
    kind: MeasureKind = _f(..., "-", "Measure kind (see the catalogue in docs/contract.md).")
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

    @model_validator(mode="after")
    def _check(self) -> MeasureConfig:
        if self.end_day <= self.start_day:
            raise ValueError(f"end_day = {self.end_day} is not after start_day = {self.start_day}")
        kind = CATALOGUE[self.kind]
        form, _ = parse_target(self.target or kind.default_target)
        if kind.targets == "cells" and form == "group":
            raise ValueError(f"{self.kind} acts on places: use all, area, land_use or hotspots")
        if kind.targets == "people" and form in ("land_use", "hotspots"):
            raise ValueError(f"{self.kind} acts on people: use all, area or group")
        return self

    @property
    def label(self) -> str:
        return self.name or self.kind

    @property
    def resolved_target(self) -> str:
        return self.target or CATALOGUE[self.kind].default_target

    @property
    def lead_partner(self) -> str:
        return self.lead or CATALOGUE[self.kind].lead

    @property
    def months(self) -> float:
        return (self.end_day - self.start_day) / 30.0

    def cost(self) -> float:
        """Planned cost in euros: fixed + unit cost × capacity × months."""
        kind = CATALOGUE[self.kind]
        fixed = kind.fixed_eur if self.fixed_eur is None else self.fixed_eur
        unit = kind.unit_month_eur if self.unit_month_eur is None else self.unit_month_eur
        return fixed + unit * self.capacity * self.months


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
        officers = sum(m.capacity for m in self.measures if m.kind == "proximity_beat")
        if officers > self.staff:
            raise ValueError(
                f"proximity_beat measures use {officers:g} officers but staff = {self.staff}"
            )
        return self

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
