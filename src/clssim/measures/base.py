"""A measure of a Local Safety Contract: one class per kind.

A measure *kind* is a subclass of :class:`Measure`. Its class attributes are
its catalogue entry (axis, what it acts on, unit of capacity, default target
and lead partner, costs, ramp-up and decay), and its methods are what it
does: :meth:`~Measure.effect` adds into the day's :class:`Modifiers`, and the
life-cycle hooks :meth:`~Measure.on_start`, :meth:`~Measure.on_day` and
:meth:`~Measure.on_stop` act at its start, every day and when its funding
stops. Defining the class registers the kind in :data:`MEASURES`; a scenario
names it by :attr:`Measure.kind`.

One *instance* is one item of a contract's plan during a run: its
configuration (``cfg``, a :class:`clssim.scenario.contract.MeasureConfig`),
its lead partner, and its state (level, strength, the cells or residents it
reached, money spent).

Example — a measure that adds natural surveillance to hot spots::

    class CctvCameras(Measure):
        kind = "cctv_cameras"
        axis = "cpted"
        targets = "cells"
        unit = "camera"
        default_target = "hotspots:10"
        lead = "municipality"
        fixed_eur = 2_000
        unit_month_eur = 40
        ramp_days = 10
        decay_days = 30
        description = "Monitored cameras on hot spots: surveillance."

        def effect(self, e, mods, ctx):
            mods.surv_add[self.cells] += 0.1 * e

Costs are a model, not accounting: cash ``fixed_eur`` once when the
measure starts, ``unit_fixed_eur`` once per unit served, ``unit_month_eur``
per unit served and month while it is funded; the partners' in-kind hours
apart (ODD §7.25). Built-in kinds take them from
``clssim/evidence/costs.toml``; a plug-in kind sets its own. Effect sizes
at ``e = 1`` and their sources are in ODD §7.24.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

import numpy as np

from clssim.evidence import OUTCOMES
from clssim.measures.modifiers import Modifiers
from clssim.measures.targets import resolve_cells, resolve_people

#: The four axes of the 2016 CLS generation (seed paper, Table 1), and
#: proximity policing, the fifth line of spending.
AXIS_TITLES: dict[str, str] = {
    "youth": "(i) juvenile delinquency",
    "cpted": "(ii) requalification / CPTED",
    "social": "(iii) social vulnerability",
    "citizenship": "(iv) citizenship and gender equality",
    "policing": "proximity policing",
}
AXES: tuple[str, ...] = tuple(AXIS_TITLES)

#: The partner organisations of a contract, and what their field workers are.
PARTNERS: dict[str, str] = {
    "municipality": "maintenance crew",
    "school_cluster": "school mediator",
    "social_services": "social worker",
    "health": "health outreach worker",
    "migration": "migrant outreach worker",
    "police": "proximity officer",
    "association": "youth worker",
    "parish": "community animator",
}


@dataclass(frozen=True)
class Param:
    """A named number of a measure's effect at full strength (``e = 1``).

    ``default`` is the uncalibrated value; ``low``–``high`` the range it may
    take (calibration searches it; a scenario may set it within it); ``fit``
    names the outcome of the kind's evidence card that calibration fits it to
    (None: a fixed property of the measure, such as its dose).
    """

    default: float
    low: float
    high: float
    doc: str
    fit: str | None = None

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise TypeError(f"default {self.default} outside [{self.low}, {self.high}]")


class MeasureContext(Protocol):
    """What a measure may use while it runs (the running contract provides it)."""

    model: Any  #: the :class:`clssim.model.CLSModel`
    pop: Any  #: its population
    rng: np.random.Generator  #: the contract's random stream
    diagnosis: Any  #: the Local Safety Diagnosis, once made (else None)


#: Every measure kind, by name, in the order the classes were defined.
MEASURES: dict[str, type[Measure]] = {}

_CATALOGUE_FIELDS = (
    "kind",
    "axis",
    "targets",
    "unit",
    "default_target",
    "lead",
    "fixed_eur",
    "unit_month_eur",
    "ramp_days",
    "decay_days",
    "description",
)


def _costs_from_sources(cls: type) -> None:
    """A kind with a cost entry in ``costs.toml`` and no costs of its own takes
    the entry's (cash and in-kind): the catalogue's costs live in one place."""
    from clssim.evidence.costs import kind_costs

    c = kind_costs().get(cls.kind)
    if c is None or "fixed_eur" in cls.__dict__ or "unit_month_eur" in cls.__dict__:
        return
    cls.fixed_eur = c.fixed_eur
    cls.unit_month_eur = c.unit_month_eur
    cls.unit_fixed_eur = c.unit_fixed_eur
    cls.staff = c.staff
    cls.staff_hours_unit_month = c.staff_hours_unit_month
    cls.staff_hours_once = c.staff_hours_once


class Measure:
    """One kind of measure (class attributes) and one item of a plan (instance)."""

    # ---- the catalogue entry: every concrete kind sets all of these
    kind: ClassVar[str]  #: its name in scenario files
    axis: ClassVar[str]  #: one of :data:`AXES`
    targets: ClassVar[Literal["cells", "people"]]  #: places or residents
    unit: ClassVar[str]  #: what one unit of capacity is
    default_target: ClassVar[str]  #: see :mod:`clssim.measures.targets`
    lead: ClassVar[str]  #: default lead partner, one of :data:`PARTNERS`
    #: cash costs; a built-in kind takes them from ``clssim/evidence/costs.toml``
    fixed_eur: ClassVar[float]  #: one-off cost at the start (€)
    unit_month_eur: ClassVar[float]  #: running cost per unit served (€/month)
    unit_fixed_eur: ClassVar[float] = 0.0  #: one-off cost per unit served (€: equipment)
    #: the partners' in-kind time: staff kind (``costs.toml`` [staff]) and hours
    staff: ClassVar[str] = ""
    staff_hours_unit_month: ClassVar[float] = 0.0  #: per unit served and month
    staff_hours_once: ClassVar[float] = 0.0  #: per unit, once (training)
    ramp_days: ClassVar[float]  #: time constant of reaching full effect
    decay_days: ClassVar[float]  #: time constant of losing it once funding stops
    description: ClassVar[str]  #: one line for the catalogue and the report
    #: each unit of capacity is an officer taken from the contract's ``staff``
    uses_officers: ClassVar[bool] = False
    #: how its virtual trial is designed (:mod:`clssim.trials`): ``"place"``
    #: (treated vs control cells), ``"people"`` (participants randomly allocated
    #: against controls) or ``"force"`` (the whole force: paired runs with and
    #: without it); by default "place" for cell targets, "people" otherwise
    trial: ClassVar[Literal["place", "people", "force"] | None] = None
    #: where a place trial measures its outcomes: on the treated cells, or on
    #: them and their neighbours (``"around"``: lots, murals, schools)
    trial_area: ClassVar[Literal["cells", "around"]] = "cells"
    #: the target its evaluations used, when not its default one (a place trial
    #: of ``hotspots:K`` treats K hot spots)
    trial_target: ClassVar[str | None] = None
    #: the named numbers of its effect (see :class:`Param`)
    params: ClassVar[dict[str, Param]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__:  # an abstract intermediate class
            return
        _costs_from_sources(cls)
        missing = [f for f in _CATALOGUE_FIELDS if not hasattr(cls, f)]
        if missing:
            raise TypeError(f"measure {cls.__name__} lacks {', '.join(missing)}")
        if cls.axis not in AXIS_TITLES:
            raise TypeError(f"measure {cls.kind}: axis {cls.axis!r} is not one of {AXES}")
        if cls.targets not in ("cells", "people"):
            raise TypeError(f"measure {cls.kind}: targets must be 'cells' or 'people'")
        if cls.lead not in PARTNERS:
            raise TypeError(f"measure {cls.kind}: lead {cls.lead!r} is not a partner kind")
        if min(cls.ramp_days, cls.decay_days) <= 0 or min(cls.fixed_eur, cls.unit_month_eur) < 0:
            raise TypeError(f"measure {cls.kind}: days must be > 0 and costs >= 0")
        for name, par in cls.params.items():
            if par.fit is not None and par.fit not in OUTCOMES:
                raise TypeError(
                    f"measure {cls.kind}: param {name} fits unknown outcome {par.fit!r}"
                )
        if cls.trial is None:
            cls.trial = "place" if cls.targets == "cells" else "people"
        known = MEASURES.get(cls.kind)
        if known is not None and _name(known) != _name(cls):
            raise TypeError(f"measure kind {cls.kind!r} is already defined by {known}")
        MEASURES[cls.kind] = cls

    def __init__(
        self,
        index: int,
        cfg: Any,
        partner: Any,
        start: int,
        end: int,
        effects: dict[str, float] | None = None,
    ) -> None:
        self.index = index  #: position in the plan
        #: this run's effect parameters: the defaults, updated by ``effects``
        self.p: dict[str, float] = {k: v.default for k, v in self.params.items()}
        self.p.update(effects or {})
        self.cfg = cfg  #: its :class:`~clssim.scenario.contract.MeasureConfig`
        self.partner = partner  #: the lead :class:`~clssim.contract.partners.Partner`
        self.start = start  #: first funded day (absolute)
        self.end = end  #: first day without funding
        self.level = 0.0  #: ramps towards 1 while funded, decays towards 0 after
        self.strength = 0.0  #: today's effective strength e
        self.cells = np.empty(0, np.int64)  #: the cells it reaches
        self.people = np.empty(0, np.int64)  #: the residents it reaches
        self.spent = 0.0  #: euros so far
        self.started = False  #: on_start has run
        self.stopped = False  #: on_stop has run
        #: its name in the outputs: its label, with ``#2``, ``#3`` … on repeats
        self.key = cfg.label
        self._assigned: tuple[np.ndarray | None, np.ndarray | None] = (None, None)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key!r} days {self.start}–{self.end}>"

    def funded(self, day: int) -> bool:
        """Is the measure funded on ``day``?"""
        return self.start <= day < self.end

    @property
    def fixed_cost(self) -> float:
        """One-off cost of this item: the scenario's override, else the catalogue's."""
        return self.fixed_eur if self.cfg.fixed_eur is None else self.cfg.fixed_eur

    @property
    def unit_cost(self) -> float:
        """Running cost per unit and month: the scenario's override, else the catalogue's."""
        return self.unit_month_eur if self.cfg.unit_month_eur is None else self.cfg.unit_month_eur

    @property
    def units(self) -> int:
        """Units served, once started: the officers funded, else the cells or the
        residents its target gave (a programme pays for the places it fills, not
        for the places it funded)."""
        if self.uses_officers:
            return int(self.cfg.capacity)
        reached = self.cells.size if self.targets == "cells" else self.people.size
        return int(min(reached, self.cfg.capacity))

    def assign(self, cells: np.ndarray | None = None, people: np.ndarray | None = None) -> None:
        """Fix the cells or residents it reaches instead of resolving its target
        at the start (a virtual trial's random allocation)."""
        self._assigned = (cells, people)

    # ---- life cycle
    def on_start(self, ctx: MeasureContext) -> None:
        """On the first funded day: resolve the target into cells or residents
        (or take those :meth:`assign` fixed)."""
        cells, people = self._assigned
        if cells is not None or people is not None:
            self.cells = np.asarray(cells if cells is not None else self.cells, np.int64)
            self.people = np.asarray(people if people is not None else self.people, np.int64)
            return
        target, capacity = self.cfg.resolved_target, self.cfg.capacity
        world = ctx.model.world
        if self.targets == "cells":
            self.cells = resolve_cells(target, capacity, world, ctx.diagnosis, ctx.rng)
        else:
            self.people = resolve_people(target, capacity, world, ctx.pop, ctx.diagnosis, ctx.rng)

    def on_day(self, day: int, ctx: MeasureContext) -> None:
        """Every day once started, after today's strength is known (default: nothing)."""

    def on_stop(self, ctx: MeasureContext) -> None:
        """On the first day without funding (default: nothing; the level decays)."""

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        """Add the effect at strength ``e`` (0–1) into ``mods``; never write model state."""
        raise NotImplementedError(f"measure {self.kind} has no effect")


#: entry-point group through which installed packages publish measure kinds
ENTRY_POINTS = "clssim.measures"


def find_measure(kind: str) -> type[Measure] | None:
    """The class of measure ``kind``: a built-in or already defined kind, else one
    published under the ``clssim.measures`` entry-point group (loaded on first
    use, so a plain run never scans installed packages); None if there is none."""
    if kind not in MEASURES:
        from importlib.metadata import entry_points

        for ep in entry_points(group=ENTRY_POINTS, name=kind):
            try:
                ep.load()  # defining the class registers it
            except Exception as exc:  # a broken plug-in is the user's one-line error
                raise ValueError(
                    f"{kind!r} is published by {ep.value}, which fails: {exc}"
                ) from None
    return MEASURES.get(kind)


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def kinds_of(axis: str) -> list[str]:
    """Measure kinds on one axis, in catalogue order."""
    return [k for k, m in MEASURES.items() if m.axis == axis]
