"""The teaching app's levers, how they become a scenario, and its model.

The app (``clssim app``) and the Python API share one mapping from a few
levers a criminology class can reason about to fields of a validated
:class:`~clssim.scenario.Scenario`. Every lever goes through the model's own
mechanisms; none writes model state directly.

=======================  ==================================================
lever                    what it sets
=======================  ==================================================
``scenario_name``        the shipped scenario loaded (``scenarios/NAME.toml``)
``officers``             ``police.officers``
``strategy``             ``police.strategy`` (``random``, ``hotspot``,
                         ``beat``) of the officers not on proximity beats
``proximity_officers``   a ``proximity_beat`` measure of that capacity:
                         officers moved to proximity beats, with home visits
                         and proximity fairness (``contract.staff`` is set
                         to match; never more than ``officers``)
``foot_share``           that measure's ``intensity``: the share of the
                         proximity officers' time on foot (contacts ×
                         ``police.foot_contact_factor`` on foot)
``procedural_justice``   ``police.procedural_justice``
``lighting``             a ``street_lighting`` measure on **every** cell, of
                         that intensity: each street's lighting moves
                         towards 0.9 by the measure's effective strength
                         (and lit streets gain natural surveillance), as
                         any lighting measure of a contract does
``youth_places``         a ``youth_programme`` for that many of the
                         diagnosed at-risk youths
``elderly_visits``       an ``elderly_visits`` measure for that many
                         isolated elderly residents
``seed``                 the scenario seed
=======================  ==================================================

A ``[contract]`` is added only when a measure lever (proximity officers,
lighting, youth places, elderly visits) is above zero. It is a teaching
contract: signed on day 0, a 7-day diagnosis and a 7-day plan (10 days at the
default partner capacity 0.7), so measures start on day 17 and run to the end
of the simulation; its budget is exactly the plan's cost. Like every measure,
a lever measure ramps up (time constant ``ramp_days`` of the catalogue: 20
days for lighting, 30 for proximity beats and elderly visits, 60 for youth
programmes) and its strength is scaled by partner delivery and integration
(``docs/ODD.md`` §7 "Contract"), so lighting at 1.0 does not light every
street fully.

When the chosen scenario already has a contract, the lever measures join its
plan instead (they start with its implementation stage), the budget grows by
their cost, missing lead partners are added with default settings, and
``officers`` is raised if the contract's proximity staff needs more.

``shipped=True`` ignores every lever but the seed: the scenario as shipped.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clssim.app.i18n import number, tr
from clssim.clock import SLOTS_PER_DAY
from clssim.measures import MEASURES
from clssim.model import CLSModel
from clssim.scenario import Scenario, ScenarioError, default_scenario_path, load_scenario
from clssim.scenario.contract import ContractConfig, MeasureConfig

__all__ = [
    "DIAGNOSIS_DAYS",
    "PLAN_DAYS",
    "STRATEGIES",
    "Levers",
    "Note",
    "TeachingModel",
    "lever_overrides",
    "scenario_names",
    "scenario_path",
    "teaching_scenario",
]

STRATEGIES = ("random", "hotspot", "beat")
DIAGNOSIS_DAYS = 7  #: diagnosis stage of the teaching contract
PLAN_DAYS = 7  #: plan stage at full partner capacity (10 days at 0.7)


def scenario_dir() -> Path:
    """The directory of the shipped scenarios."""
    return default_scenario_path().parent


def scenario_names() -> list[str]:
    """Names (file stems) of the shipped scenarios, sorted."""
    return sorted(p.stem for p in scenario_dir().glob("*.toml"))


def scenario_path(name: str) -> Path:
    """Path of a shipped scenario by name; ScenarioError if there is none."""
    names = scenario_names()
    if name not in names:
        raise ScenarioError(f"scenario {name!r}: not a shipped scenario; one of {', '.join(names)}")
    return scenario_dir() / f"{name}.toml"


class Note(str):
    """A message for the user: the English text, with the key and values that
    give it in another language (:meth:`text`)."""

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, **values: Any) -> Note:
        note = super().__new__(cls, _note_text(key, "en", values))
        note.key, note.values = key, values
        return note

    def text(self, lang: str) -> str:
        """The note in ``lang`` (``en`` or ``pt``)."""
        return _note_text(self.key, lang, self.values)


def _note_text(key: str, lang: str, values: dict[str, Any]) -> str:
    filled = dict(values)
    if "changes" in filled:  # (lever, its value, the file's value)
        filled["changes"] = ", ".join(
            tr(
                "note_change",
                lang,
                name=tr(f"lever_{name}", lang),
                lever=_word(v, lang),
                own=_word(own, lang),
            )
            for name, v, own in values["changes"]
        )
    return tr(key, lang, **filled)


def _word(value: Any, lang: str) -> str:
    if isinstance(value, str):
        return tr(value, lang) if value in STRATEGIES else value
    if isinstance(value, float):
        return number(value, lang, 2)
    return str(value)


@dataclass(frozen=True)
class Levers:
    """The app's levers (see the module docstring for what each sets)."""

    officers: int = 8
    strategy: str = "random"
    proximity_officers: int = 0
    foot_share: float = 0.5
    procedural_justice: float = 0.7
    lighting: float = 0.0
    youth_places: int = 0
    elderly_visits: int = 0

    @property
    def measures_on(self) -> bool:
        """Whether any measure lever is above zero (a contract is needed)."""
        return (
            self.proximity_officers > 0
            or self.lighting > 0
            or self.youth_places > 0
            or self.elderly_visits > 0
        )


def _lever_measures(levers: Levers, proximity: int, ncells: int, end_day: int) -> list[dict]:
    out: list[dict[str, Any]] = []
    common = {"start_day": 0, "end_day": end_day}
    if proximity > 0:
        out.append(
            {
                "kind": "proximity_beat",
                "name": "lever: proximity officers",
                "capacity": float(proximity),
                "intensity": float(levers.foot_share),
                **common,
            }
        )
    if levers.lighting > 0:
        out.append(
            {
                "kind": "street_lighting",
                "name": "lever: lighting on every street",
                "target": "all",
                "capacity": float(ncells),
                "intensity": float(levers.lighting),
                **common,
            }
        )
    if levers.youth_places > 0:
        out.append(
            {
                "kind": "youth_programme",
                "name": "lever: youth programme",
                "capacity": float(levers.youth_places),
                **common,
            }
        )
    if levers.elderly_visits > 0:
        out.append(
            {
                "kind": "elderly_visits",
                "name": "lever: elderly visits",
                "capacity": float(levers.elderly_visits),
                **common,
            }
        )
    return out


def _cost(measures: list[dict]) -> float:
    return sum(MeasureConfig.model_validate(m).cost() for m in measures)


def teaching_contract_start(partner_capacity: float | None = None) -> int:
    """Day on which the teaching contract's measures start (diagnosis + plan)."""
    if partner_capacity is None:
        partner_capacity = float(np.mean([p.capacity for p in ContractConfig().partners]))
    return DIAGNOSIS_DAYS + int(round(PLAN_DAYS / max(partner_capacity, 0.2)))


def lever_overrides(base: Scenario, levers: Levers) -> tuple[dict[str, Any], list[Note]]:
    """Dotted-path overrides that apply ``levers`` to ``base``, and notes for
    the user (levers clamped or raised, when measures start)."""
    if levers.strategy not in STRATEGIES:
        raise ScenarioError(f"strategy {levers.strategy!r}: one of {', '.join(STRATEGIES)}")
    notes: list[Note] = []
    officers = int(levers.officers)
    proximity = int(levers.proximity_officers)
    police = base.police  # the levers replace the file's police; say so where they differ
    changed = [
        (name, lever, own)
        for name, lever, own in (
            ("officers", officers, police.officers),
            ("strategy", levers.strategy, police.strategy),
            ("procedural_justice", float(levers.procedural_justice), police.procedural_justice),
        )
        if lever != own
    ]
    if changed:
        notes.append(Note("note_police_differ", name=base.name, changes=changed))
    own_beat = 0  # officers the scenario's own contract already moves to beats
    if base.contract is not None:
        own_beat = math.ceil(base.contract.officers_used())
    free = max(0, officers - own_beat)
    if proximity > free:
        notes.append(Note("note_proximity_limited", free=free, officers=officers))
        proximity = free
    width, height = base.map_size()
    overrides: dict[str, Any] = {
        "police.strategy": levers.strategy,
        "police.procedural_justice": float(levers.procedural_justice),
    }
    days = math.ceil(base.steps / SLOTS_PER_DAY)
    if base.contract is None:
        if levers.measures_on:
            start = teaching_contract_start()
            impl = max(1, days - start)
            measures = _lever_measures(levers, proximity, width * height, impl)
            overrides["contract"] = {
                "type": "neighbourhood",
                "start_day": 0,
                "staff": proximity,
                "budget_eur": math.ceil(_cost(measures)) + 1.0,
                "stages": {
                    "diagnosis_days": DIAGNOSIS_DAYS,
                    "plan_days": PLAN_DAYS,
                    "implementation_days": impl,
                },
                "measures": measures,
            }
            notes.append(Note("note_teaching_contract", start=start))
    else:
        contract = base.to_dict()["contract"]
        impl = base.contract.stages.implementation_days
        measures = _lever_measures(levers, proximity, width * height, impl)
        if measures:
            contract["measures"] = [*contract["measures"], *measures]
            contract["budget_eur"] = contract["budget_eur"] + math.ceil(_cost(measures)) + 1.0
            kinds = {p["kind"] for p in contract["partners"]}
            for m in measures:
                lead = MEASURES[m["kind"]].lead
                if lead not in kinds:
                    contract["partners"] = [*contract["partners"], {"kind": lead}]
                    kinds.add(lead)
            notes.append(Note("note_join_plan"))
        staff = max(base.contract.staff, own_beat + proximity)
        contract["staff"] = staff
        if staff > officers:
            notes.append(Note("note_officers_raised", staff=staff))
            officers = staff
        overrides["contract"] = contract
    overrides["police.officers"] = officers
    return overrides, notes


def teaching_scenario(
    name: str = "neighbourhood",
    levers: Levers | None = None,
    seed: int | None = None,
    years: float | None = None,
) -> tuple[Scenario, list[Note]]:
    """The shipped scenario ``name`` with ``levers`` applied (``None``: as
    shipped), and notes for the user.

    ``years`` shortens or lengthens the run (applied before the levers, so
    the teaching contract runs to the new end).
    """
    scenario = load_scenario(scenario_path(name))
    first: dict[str, Any] = {}
    if seed is not None:
        first["seed"] = int(seed)
    if years is not None:
        first["time.years"] = float(years)
    if first:
        scenario = scenario.with_overrides(first)
    if levers is None:
        return scenario, [Note("note_shipped")]
    overrides, notes = lever_overrides(scenario, levers)
    return scenario.with_overrides(overrides), notes


class TeachingModel(CLSModel):
    """A :class:`~clssim.model.CLSModel` built from the app's levers.

    Every parameter is a keyword with a default, so the app rebuilds the model
    on Reset with ``TeachingModel(**levers)`` (:class:`~clssim.app.classroom.Classroom`).
    """

    def __init__(
        self,
        *,
        scenario_name: str = "neighbourhood",
        shipped: bool = False,
        officers: int = 8,
        strategy: str = "random",
        proximity_officers: int = 0,
        foot_share: float = 0.5,
        procedural_justice: float = 0.7,
        lighting: float = 0.0,
        youth_places: int = 0,
        elderly_visits: int = 0,
        seed: int = 1,
        years: float | None = None,
    ):
        levers = Levers(
            officers=int(officers),
            strategy=str(strategy),
            proximity_officers=int(proximity_officers),
            foot_share=float(foot_share),
            procedural_justice=float(procedural_justice),
            lighting=float(lighting),
            youth_places=int(youth_places),
            elderly_visits=int(elderly_visits),
        )
        scenario, notes = teaching_scenario(
            scenario_name, None if shipped else levers, seed=int(seed), years=years
        )
        super().__init__(scenario, seed=int(seed))
        self.scenario_name = scenario_name
        self.shipped = bool(shipped)
        self.levers = levers
        self.notes = notes

    def lever_values(self) -> dict[str, Any]:
        """The levers as plain data (what the app shows)."""
        return {"scenario_name": self.scenario_name, "shipped": self.shipped, **asdict(self.levers)}
