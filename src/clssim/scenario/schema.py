"""The scenario schema: every table and field of a scenario file (pydantic models).

Every field has a default, a unit, a range and a description (``clssim fields``,
``docs/ODD.md``); tables refuse unknown keys, silent coercion and non-finite
numbers (:class:`clssim.fields.Section`). The ``[contract]`` and ``[[shocks]]``
tables are declared in :mod:`clssim.scenario.contract` and
:mod:`clssim.scenario.shocks`.

:func:`scenario_from_dict` validates plain data; :mod:`clssim.scenario.loading`
reads TOML files (with ``extends``) into it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from clssim.clock import SLOTS_PER_DAY
from clssim.errors import ScenarioError
from clssim.fields import Probability, Section
from clssim.fields import field as _f
from clssim.mapfile import MAX_CELLS, load_map
from clssim.scenario.contract import ContractConfig, parse_target
from clssim.scenario.messages import Origin, one_line, show_value
from clssim.scenario.shocks import ShockConfig


class TimeConfig(Section):
    years: float = _f(2.0, "years", "Simulated duration.", gt=0.0, le=50.0)
    start_weekday: int = _f(0, "day", "Weekday of day 0 (0 = Monday).", ge=0, le=6)


Typology = Literal["social_housing", "historic_centre", "tourist_strip", "rural_town"]


class WorldConfig(Section):
    typology: Typology = _f("social_housing", "-", "Generator used when no map file is given.")
    width: int = _f(
        40,
        "cells",
        "Grid width of a generated layout (ignored when a map file is given).",
        ge=8,
        le=1000,
    )
    height: int = _f(
        40,
        "cells",
        "Grid height of a generated layout (ignored when a map file is given).",
        ge=8,
        le=1000,
    )
    map: str | None = _f(
        None,
        "path",
        "Map file, relative to the scenario file: a text map (.txt) or a cell map "
        "(.parquet) from `clssim map import`.",
    )
    cell_size_m: float = _f(
        50.0,
        "m",
        "Side of one cell (a street segment); used for areas and densities in outputs "
        "(a cell map's own cell size replaces it).",
        gt=0,
        le=1000,
    )


class PopulationConfig(Section):
    residents: int = _f(
        5000,
        "persons",
        'Number of residents; "map" takes the census total of a cell map that has one.',
        ge=10,
        le=2_000_000,
    )
    household_size: float = _f(
        2.5, "persons", "Mean household size (Census 2021 PT: 2.5).", ge=1.0, le=6.0
    )
    share_poor: Probability = _f(0.20, "share", "Households below the poverty line.")
    share_migrant: Probability = _f(0.08, "share", "Households of migrants.")
    share_minority: Probability = _f(0.05, "share", "Households of an ethnic minority.")
    employment_rate: Probability = _f(
        0.70, "share", "Employed share of working-age adults not in education."
    )
    work_outside_share: Probability = _f(
        0.60, "share", "Employed residents who work outside the neighbourhood."
    )
    neighbour_ties: float = _f(
        2.0,
        "ties/person",
        "Mean tie attempts to residents of the same or an adjacent cell (duplicates merge).",
        ge=0,
        le=50,
    )
    peer_ties: float = _f(
        3.0,
        "ties/person",
        "Mean tie attempts of pupils to schoolmates within two years of age.",
        ge=0,
        le=50,
    )
    haunts_local: int = _f(
        3,
        "cells",
        "Cells near home an agent frequents (not schools; vacant lots, farms at half weight).",
        ge=1,
        le=20,
    )
    haunts_leisure: int = _f(
        3,
        "cells",
        "Leisure cells frequented: commerce, nightlife, public space, transit (∝ attractiveness²).",
        ge=1,
        le=20,
    )
    haunt_radius: int = _f(
        4, "cells", "Radius around home within which local haunts lie.", ge=1, le=50
    )


Strategy = Literal["random", "hotspot", "beat"]


class PoliceConfig(Section):
    officers: int = _f(
        8, "officers", "Officers assigned to the area (at most one per cell).", ge=0, le=10_000
    )
    strategy: Strategy = _f("random", "-", "Patrol strategy of on-duty officers.")
    shift_slots: int = _f(2, "slots", "Consecutive slots an officer works per day.", ge=1, le=4)
    guard_radius: int = _f(1, "cells", "Cells around an officer where presence guards.", ge=0, le=5)
    hotspot_top: int = _f(
        10, "cells", "Hot-spot strategy: patrols among the top-k recorded cells.", ge=1
    )
    hotspot_memory_days: float = _f(
        60.0, "days", "Half-life of recorded crime in the police picture.", gt=0
    )
    hotspot_share: Probability = _f(
        0.6, "share", "Hot-spot strategy: share of patrol moves spent on hot spots."
    )
    contact_rate: Probability = _f(
        0.03,
        "1/slot/officer",
        "Chance per slot that a resident out of home has a contact with one "
        "officer in reach (conversation, stop, request).",
    )
    procedural_justice: Probability = _f(
        0.7, "share", "Share of contacts, stops and arrests perceived as fair."
    )
    response_quality: Probability = _f(
        0.6, "share", "Share of reporting victims satisfied with the police response."
    )
    proximity_fairness: Probability = _f(
        0.9,
        "share",
        "Share of proximity officers' contacts perceived as fair (conversations, not stops).",
    )
    proximity_visits: float = _f(
        3.0,
        "contacts/slot",
        "Deliberate contacts (homes, shops, schools) per on-duty proximity officer per slot.",
        ge=0,
        le=100,
    )
    foot_contact_factor: float = _f(
        4.0, "×", "Contacts of an officer on foot relative to one in a car.", ge=1, le=20
    )
    tip_clearance_boost: float = _f(
        2.0, "×", "Clearance probability is multiplied by (1 + this) when tipped.", ge=0
    )


class OffenceConfig(Section):
    reward: Probability = _f(0.5, "0–1", "Base reward of the offence to an offender.")
    report_probability: Probability = _f(
        0.4, "prob.", "Probability that the victim reports (dark figure)."
    )
    clearance: Probability = _f(0.15, "prob.", "Probability a reported offence leads to an arrest.")


#: Each offence type's (reward, report_probability, clearance) defaults (ODD §7.12)
OFFENCE_DEFAULTS = {
    "burglary": (1.0, 0.70, 0.10),
    "theft": (0.7, 0.35, 0.08),
    "violence": (0.2, 0.45, 0.40),
    "vandalism": (0.3, 0.20, 0.05),
}


def _offence(reward: float, report: float, clearance: float) -> Any:
    return Field(
        default_factory=lambda: OffenceConfig(
            reward=reward, report_probability=report, clearance=clearance
        )
    )


class CrimeConfig(Section):
    motivation: float = _f(
        0.04,
        "1/slot",
        "Probability per slot that a fully motivated person out of home looks "
        "for an opportunity (scaled by each person's propensity).",
        ge=0.0,
        le=1.0,
    )
    propensity_sigma: float = _f(
        1.0, "-", "Log-normal spread of the individual propensity trait.", ge=0, le=4
    )
    employed_factor: Probability = _f(
        0.5, "×", "Propensity multiplier for employed adults (stake in conformity)."
    )
    stake_age: int = _f(
        27,
        "years",
        "Age from which a job lowers propensity (Uggen 2000: only from 27; 0 = any age).",
        ge=0,
        le=120,
    )
    risk_lighting: float = _f(0.6, "-", "Weight of lighting in perceived risk.", ge=0)
    risk_maintenance: float = _f(0.6, "-", "Weight of maintenance in perceived risk.", ge=0)
    risk_surveillance: float = _f(
        0.6, "-", "Weight of natural surveillance in perceived risk.", ge=0
    )
    risk_police: float = _f(2.0, "-", "Weight of police presence in perceived risk.", ge=0)
    guard_police: float = _f(2.0, "-", "Guardianship of one officer in reach (hazard units).", ge=0)
    guard_bystander: float = _f(
        0.15, "-", "Guardianship of one bystander, times natural surveillance.", ge=0
    )
    guard_place: float = _f(0.5, "-", "Guardianship of place management (commerce, schools).", ge=0)
    return_probability: Probability = _f(
        0.5, "prob.", "Chance an offender out of home returns to a remembered success."
    )
    forage_days: float = _f(
        0.0,
        "days",
        "Time constant of the decay of an offender's wish to return (the boost account; "
        "0: it never fades).",
        ge=0,
    )
    forage_boost: float = _f(
        0.0,
        "×",
        "Raised motivation of an offender after a success: × (1 + boost), decaying with "
        "forage_days (a foraging spree; 0: none).",
        ge=0,
    )
    forage_same: Probability = _f(
        1.0,
        "prob.",
        "Share of returns to the very cell of the success; the rest go to one of its "
        "Moore neighbours (near repeats).",
    )
    repeat_boost: float = _f(
        0.0,
        "-",
        "Extra weight of a just-victimised person or home when an offender picks a "
        "target at a cell (1 + boost, decaying with repeat_days; 0: none).",
        ge=0,
    )
    repeat_days: float = _f(
        30.0, "days", "Time constant of the decay of a target's repeat boost.", gt=0
    )
    repeat_report_factor: float = _f(
        1.0,
        "×",
        "Reporting probability of a victim victimised before, relative to a first-time "
        "victim (1: the same).",
        ge=0,
    )
    in_flagrante_arrest: Probability = _f(
        0.5, "prob.", "Arrest probability when an officer foils an offence."
    )
    vandalism_damage: Probability = _f(
        0.08, "maintenance", "Drop in a cell's maintenance per act of vandalism."
    )
    repair_days: float = _f(
        120.0, "days", "Time constant of maintenance recovering its baseline.", gt=0
    )
    burglary: OffenceConfig = _offence(*OFFENCE_DEFAULTS["burglary"])
    theft: OffenceConfig = _offence(*OFFENCE_DEFAULTS["theft"])
    violence: OffenceConfig = _offence(*OFFENCE_DEFAULTS["violence"])
    vandalism: OffenceConfig = _offence(*OFFENCE_DEFAULTS["vandalism"])

    @model_validator(mode="before")
    @classmethod
    def _type_defaults(cls, data: Any) -> Any:
        """A partial ``[crime.<type>]`` table keeps that type's defaults for the
        keys it does not set (not the shared schema's generic ones)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, (reward, report, clearance) in OFFENCE_DEFAULTS.items():
            given = data.get(name)
            if isinstance(given, dict):
                defaults = {"reward": reward, "report_probability": report, "clearance": clearance}
                data[name] = {**defaults, **given}
        return data


class TrustConfig(Section):
    baseline: Probability = _f(
        0.6, "0–1", "Baseline trust in police (ESS 2018 Portugal: about 6/10)."
    )
    gap_minority: Probability = _f(0.15, "0–1", "Lower baseline of minority residents.")
    gap_migrant: Probability = _f(0.08, "0–1", "Lower baseline of migrant residents.")
    gap_youth: Probability = _f(0.10, "0–1", "Lower baseline of residents aged 12–24.")
    spread: Probability = _f(0.1, "0–1", "Standard deviation of initial trust.")
    drift_days: float = _f(180.0, "days", "Time constant of trust returning to its baseline.", gt=0)
    diffusion: Probability = _f(
        0.02, "1/day", "Daily pull of trust towards the mean of one's ties."
    )
    contact_gain: Probability = _f(
        0.06, "share", "Share of distrust (1 − trust) removed by one fair contact."
    )
    contact_loss: Probability = _f(
        0.15, "share", "Share of trust lost in one unfair contact (Skogan 2006)."
    )
    response_gain: Probability = _f(
        0.05, "share", "Share of distrust removed by a satisfying response to a report."
    )
    response_loss: Probability = _f(
        0.10, "share", "Share of trust lost by an unsatisfying response to a report."
    )
    vicarious_loss: Probability = _f(
        0.05,
        "share",
        "Share of trust lost per tie arrested unfairly that day (vicarious experience).",
    )
    vicarious_stop_loss: Probability = _f(
        0.0,
        "share",
        "Share of trust lost per unfair contact (stop) of a tie that day; 0 (the default, "
        "uncalibrated) leaves ties' stops out.",
    )
    report_effect: float = _f(
        1.5,
        "-",
        "Reporting probability = base × (1 + effect × (trust − 0.5)), clipped to [0, 1].",
        ge=0,
        le=2,
    )
    tip_rate: Probability = _f(
        0.05, "prob.", "Chance that a witness of trust 1 passes a tip to the police."
    )


class InsecurityConfig(Section):
    intercept: float = _f(-2.6, "logit", "Baseline of the fear target.", ge=-10, le=10)
    disorder: float = _f(
        3.0, "logit", "Weight of disorder (1 − maintenance) on routine cells.", ge=0
    )
    darkness: float = _f(1.5, "logit", "Weight of darkness (1 − lighting) on routine cells.", ge=0)
    isolation: float = _f(1.2, "logit", "Weight of living alone aged 65+.", ge=0)
    vulnerability: float = _f(
        0.4, "logit", "Weight of each vulnerability (female, 65+, poor, migrant).", ge=0
    )
    police_visibility: float = _f(
        0.8, "logit", "Reassurance from seeing officers on one's routine.", ge=0
    )
    collective_efficacy: float = _f(
        1.0, "logit", "Reassurance from the collective efficacy of one's area.", ge=0
    )
    adapt_days: float = _f(45.0, "days", "Time constant of insecurity moving to its target.", gt=0)
    victim_jump: Probability = _f(
        0.35, "share", "Share of the gap to 1 added by one's own victimisation."
    )
    repeat_victim_factor: float = _f(
        1.0,
        "×",
        "A victimisation of someone victimised before counts this many times in the "
        "jump (1: as a first one).",
        ge=0,
    )
    network_jump: Probability = _f(
        0.08, "share", "Share of the gap to 1 added per victimised tie (bad news)."
    )
    contagion_up: Probability = _f(0.03, "1/day", "Daily pull up towards more fearful ties.")
    contagion_down: Probability = _f(
        0.01, "1/day", "Daily pull down towards calmer ties (reassurance spreads less)."
    )
    sighting_days: float = _f(
        30.0, "days", "Memory of officer sightings (police visibility).", gt=0
    )


class EfficacyConfig(Section):
    area_cells: int = _f(
        8, "cells", "Side of a neighbourhood area for collective efficacy.", ge=1, le=200
    )
    participation: Probability = _f(0.3, "share", "Mean baseline participation in community life.")
    fear_withdrawal: Probability = _f(
        0.5, "share", "Participation lost at insecurity 1 (withdrawal from streets)."
    )
    guardianship: float = _f(1.0, "hazard", "Informal guardianship at collective efficacy 1.", ge=0)
    tie_saturation: float = _f(
        4.0, "ties", "Ties at which a resident's social integration is half.", gt=0
    )


class CareersConfig(Section):
    peer_weight: float = _f(
        1.5, "×", "Propensity rise at an all-delinquent peer group (Warr 2002).", ge=0
    )
    school_weight: float = _f(
        1.0, "×", "Propensity rise per unit of school disengagement (pupils).", ge=0
    )
    deterrence: Probability = _f(
        0.15, "share", "Propensity lost after a fair arrest (specific deterrence)."
    )
    labelling: float = _f(
        0.25, "share", "Propensity gained after an unfair arrest (Sherman 1993).", ge=0
    )
    memory_days: float = _f(
        180.0, "days", "How long a youth counts as a delinquent peer after offending.", gt=0
    )
    exclusion_rate: float = _f(
        0.07,
        "share/year",
        "Pupils excluded (suspended, expelled) at least once a school year at a school's "
        "usual discipline (US public schools, CRDC 2006; no Portuguese figure read).",
        ge=0,
        lt=1,
    )
    exclusion_engagement: float = _f(
        0.3,
        "per exclusion",
        "School engagement a pupil loses per exclusion above the school's usual rate.",
        ge=0,
        le=1,
    )


class Scenario(Section):
    """A complete, validated scenario; immutable (see :meth:`with_overrides`)."""

    name: str = _f("neighbourhood", "-", "Short name of the scenario.")
    description: str = _f("", "-", "What the scenario represents and its sources.")
    seed: int = _f(1, "-", "Root seed of the random-number tree.", ge=0, lt=2**63)
    time: TimeConfig = Field(default_factory=TimeConfig)
    world: WorldConfig = Field(default_factory=WorldConfig)
    population: PopulationConfig = Field(default_factory=PopulationConfig)
    police: PoliceConfig = Field(default_factory=PoliceConfig)
    crime: CrimeConfig = Field(default_factory=CrimeConfig)
    trust: TrustConfig = Field(default_factory=TrustConfig)
    insecurity: InsecurityConfig = Field(default_factory=InsecurityConfig)
    efficacy: EfficacyConfig = Field(default_factory=EfficacyConfig)
    careers: CareersConfig = Field(default_factory=CareersConfig)
    contract: ContractConfig | None = Field(
        None,
        description="The Local Safety Contract (absent: no contract); see docs/contract.md.",
        json_schema_extra={"unit": "table", "allowed": "a [contract] table"},
    )
    shocks: list[ShockConfig] = Field(
        default_factory=list,
        description="Scheduled events: pandemic, economic crisis, seasonal influx.",
        json_schema_extra={"unit": "tables", "allowed": "[[shocks]] tables"},
    )
    #: Directory against which relative paths (map files) resolve; not a TOML key.
    base_dir: str = Field(default=".", exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _from_map(cls, data: Any) -> Any:
        """A cell map supplies the cell size and, with ``residents = "map"``, the
        population size (its census total); a text map supplies neither."""
        if not isinstance(data, dict):
            return data
        world = data.get("world") if isinstance(data.get("world"), dict) else {}
        population = data.get("population")
        wants = isinstance(population, dict) and population.get("residents") == "map"
        path = world.get("map")
        cmap = None
        if isinstance(path, str):
            full = (Path(data.get("base_dir", ".")) / path).resolve()
            if full.is_file():
                try:
                    cmap = load_map(full)
                except ScenarioError:
                    cmap = None  # the after-validator reports it with its field
        if wants:
            if cmap is None or cmap.residents is None:
                what = "no map" if path is None else f"world.map = {show_value(path)}"
                raise ValueError(
                    'population.residents = "map": takes the residents of a cell map\'s '
                    f"census, and {what} has none; give a number"
                )
            total = int(round(float(cmap.residents.sum())))
            data = {**data, "population": {**population, "residents": total}}
        if cmap is not None and cmap.georef is not None:
            size = cmap.georef.cell_size_m
            data = {**data, "world": {**world, "cell_size_m": size}}
        return data

    @model_validator(mode="after")
    def _check_map(self) -> Scenario:
        width, height = self.map_size()
        if 0 < width * height < self.police.officers:  # (an empty map has its own error)
            raise ValueError(
                f"police.officers = {self.police.officers} exceeds the {width * height} cells "
                f"of the {width} × {height} map: each officer needs a beat of at least one cell"
            )
        if self.contract is not None:
            self._check_contract(self.contract, width, height)
        return self

    def _check_contract(self, contract: ContractConfig, width: int, height: int) -> None:
        for k, m in enumerate(contract.measures):
            form, args = parse_target(m.resolved_target)
            if form == "area" and (args[2] >= width or args[3] >= height):
                raise ValueError(
                    f"contract.measures.{k} ({m.label}): target {m.resolved_target!r} lies "
                    f"outside the {width} × {height} map (x < {width}, y < {height})"
                )
        if contract.staff > self.police.officers:
            raise ValueError(
                f"contract.staff = {contract.staff} exceeds police.officers = "
                f"{self.police.officers}"
            )

    def map_size(self) -> tuple[int, int]:
        """(width, height) of the map: the map file's, or the generated one's.

        The map file is read by :func:`clssim.mapfile.load_map`, the one reader of
        map files, so a map that cannot be used is refused when the scenario is
        validated, before anything runs."""
        if self.world.map is None:
            return self.world.width, self.world.height
        path = self.map_path()
        shown = f"world.map = {show_value(self.world.map)}"
        if not path.is_file():
            raise ValueError(f"{shown}: map file not found: {path}")
        try:
            width, height = load_map(path).shape
        except ScenarioError as exc:
            raise ValueError(f"{shown}: {str(exc).removeprefix(f'{path}: ')}") from None
        if width * height > MAX_CELLS:
            raise ValueError(
                f"{shown}: {width} × {height} = {width * height} cells; at most {MAX_CELLS}"
            )
        return width, height

    def map_path(self) -> Path:
        """Absolute path of the map file (``world.map`` relative to the scenario)."""
        assert self.world.map is not None
        return (Path(self.base_dir) / self.world.map).resolve()

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A copy with dotted-path overrides, e.g. ``{"police.officers": 12}``."""
        data = self.to_dict()
        for path, value in overrides.items():
            node = data
            *parents, leaf = path.split(".")
            for depth, key in enumerate(parents, 1):
                node = node.setdefault(key, {})
                if isinstance(node, dict):
                    continue
                table = ".".join(parents[:depth])
                why = (
                    f"the scenario has no [{table}] table; set the whole table instead"
                    if node is None
                    else f"{table} is a value, not a table"
                )
                raise ScenarioError(f"<overrides>: {path} = {show_value(value)}: {why}")
            node[leaf] = value
        return scenario_from_dict(data, source="<overrides>", base_dir=self.base_dir)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON/TOML-serialisable) of every field, defaults included."""
        return self.model_dump(mode="json")

    @property
    def steps(self) -> int:
        """Number of simulated slots (4 per day)."""
        return max(1, round(self.time.years * 365 * SLOTS_PER_DAY))

    def horizon_warning(self, how: str = "time.years or --years") -> str | None:
        """A warning when the run ends before the contract's implementation stage
        begins (its measures would never act), else ``None``; ``how`` says how to
        lengthen the run."""
        cfg = self.contract
        if cfg is None:
            return None
        days = self.steps // SLOTS_PER_DAY  # whole days run
        start = cfg.schedule()["implementation"]
        if days > start:
            return None
        years = math.ceil((start + 1) / 365 * 100) / 100
        return (
            f"{self.name}: the run ends on day {(self.steps - 1) // SLOTS_PER_DAY}, "
            f"before the contract's implementation stage begins (day {start}): no measure "
            f"will act; run at least {years:g} years ({how})"
        )


# --------------------------------------------------------------------------- loading


def scenario_from_dict(
    data: dict[str, Any],
    source: str = "<dict>",
    base_dir: str = ".",
    origin: Origin | None = None,
) -> Scenario:
    """Validate plain data as a :class:`Scenario`; errors name ``source``
    (and, through ``origin``, the file of an inherited value)."""
    data = dict(data)
    data.pop("extends", None)
    if "base_dir" in data:
        allowed = ", ".join(["extends", *(k for k in Scenario.model_fields if k != "base_dir")])
        raise ScenarioError(f"{source}: base_dir: unknown field; allowed here: {allowed}")
    try:
        return Scenario.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        ranges = {row[0]: row[3] for row in field_table()}
        line = one_line(
            source,
            exc,
            data,
            Scenario,
            origin=origin,
            ranges=ranges,
            extra_keys=("extends",),
            hidden=("base_dir",),
        )
        raise ScenarioError(line) from None


def field_table() -> list[tuple[str, str, str, str, str]]:
    """Rows (path, default, unit, allowed range, description) of every field."""
    rows: list[tuple[str, str, str, str, str]] = []

    def walk(node: BaseModel, prefix: str) -> None:
        for name, info in type(node).model_fields.items():
            if name == "base_dir":
                continue
            path = f"{prefix}{name}"
            value = getattr(node, name)
            if isinstance(value, BaseModel):
                walk(value, f"{path}.")
                continue
            bounds = [
                f"{op}{getattr(m, attr)}"
                for m in info.metadata
                for attr, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
                if getattr(m, attr, None) is not None
            ]
            args = getattr(info.annotation, "__args__", ())
            literals = [a for a in args if isinstance(a, str)]
            extra = info.json_schema_extra
            if isinstance(extra, dict) and "allowed" in extra:
                literals = [str(extra["allowed"])]
            allowed = " ".join(bounds) or "|".join(literals) or "text"
            unit = str(extra.get("unit", "-")) if isinstance(extra, dict) else "-"
            rows.append((path, repr(value), unit, allowed, info.description or ""))

    walk(Scenario(), "")
    return rows
