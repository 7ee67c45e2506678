"""Proximity policing: beats on foot, procedural-justice training, school liaison."""

from __future__ import annotations

from typing import Any

import numpy as np

from clssim.measures.base import Measure, MeasureContext, Param
from clssim.measures.modifiers import Modifiers
from clssim.measures.targets import resolve_cells


class ProximityBeat(Measure):
    """Officers moved from response patrol to proximity beats on foot.

    At its start the police force assigns ``capacity`` officers to proximity
    work (a share ``intensity`` of them on foot, with more contacts); when
    funding stops they return to response patrol on their old beats. The
    effect works through the officers themselves, not the modifiers: an
    officer on foot is seen and deters ``1 + (presence − 1) × foot share``
    times as much as a car passing (foot patrol, Ratcliffe et al. 2011).

    Its target is where the beats lie: ``all`` (the default) tiles the whole
    neighbourhood (community-oriented policing, Gill et al. 2014);
    ``hotspots:K`` puts them on the diagnosis' K hot spots, ``area:…`` or
    ``land_use:…`` on those cells (hot-spot foot patrol, as in Philadelphia).
    The beat cells are kept in ``beat_cells``, not ``cells``: the officers are
    the delivery, so no partner field worker is sent to them.
    """

    kind = "proximity_beat"
    axis = "policing"
    targets = "cells"
    unit = "officer"
    default_target = "all"
    lead = "police"
    ramp_days = 30
    decay_days = 60
    description = "Officers moved from response to proximity beats on foot, with more contacts."
    uses_officers = True
    #: its trial is Ratcliffe et al.'s: foot beats on randomly allocated hot spots
    trial = "place"
    trial_target = "hotspots:4"
    trial_area = "around"
    params = {
        "presence": Param(
            1.0, 0.05, 1.0, "deterrence of an officer on foot relative to a car", fit="violence"
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers: list = []  #: the officers it moved
        self.beat_cells: np.ndarray | None = None  #: cells its beats cover (None: the map)

    def on_start(self, ctx: MeasureContext) -> None:
        police = ctx.model.police
        assigned, _ = self._assigned
        target = self.cfg.resolved_target
        if assigned is not None:  # a trial's allocation
            self.beat_cells = np.asarray(assigned, np.int64)
        elif target != "all":
            world = ctx.model.world
            self.beat_cells = resolve_cells(target, world.ncells, world, ctx.diagnosis, ctx.rng)
        before = {id(o) for o in police.officers if o.proximity}
        police.assign_proximity(
            int(self.cfg.capacity), foot_share=self.cfg.intensity, cells=self.beat_cells
        )
        self.officers = [o for o in police.officers if o.proximity and id(o) not in before]
        weight = 1.0 + (self.p["presence"] - 1.0) * self.cfg.intensity
        for officer in self.officers:
            officer.presence = weight

    def on_stop(self, ctx: MeasureContext) -> None:
        """The officers return to response patrol, on the beat they had before."""
        strategy = ctx.model.police.cfg.strategy
        for officer in self.officers:
            officer.proximity = False
            officer.strategy = strategy
            officer.contact_factor = 1.0
            officer.presence = 1.0
            officer.beat = officer.response_beat
            officer.residents = officer.residents[:0]
        self.officers = []

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        """The officers on their beats are the effect; nothing to add."""


class PjTraining(Measure):
    """Procedural-justice training: the force's procedural justice rises towards
    ``target`` by ``e × (share of officers trained)`` of the way."""

    kind = "pj_training"
    axis = "policing"
    targets = "people"
    unit = "officer trained"
    default_target = "all"
    lead = "police"
    ramp_days = 90
    decay_days = 365
    description = (
        "Procedural-justice training: a larger share of contacts, stops and arrests "
        "perceived as fair."
    )
    trial = "force"
    params = {
        "target": Param(0.95, 0.0, 1.0, "procedural justice of a trained force", fit="crime"),
    }

    def on_start(self, ctx: MeasureContext) -> None:
        """Officers, not residents, are trained: there is no one to resolve."""

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        police = ctx.model.police
        share = min(1.0, self.cfg.capacity / max(1, police.n_officers))
        gap = max(0.0, self.p["target"] - police.base_procedural_justice)
        mods.pj_add += e * share * gap


class SchoolLiaison(Measure):
    """A Safe-School liaison officer at the target schools and the streets
    around them in school hours (police presence ``× presence × e``).

    An officer at school also turns misbehaviour into formal sanctions: the
    school's exclusions rise by ``escalation × e`` per usual one (ODD §7.20;
    school resource officers and exclusionary discipline, Fisher & Hennessy
    2016), and each exclusion above the usual rate costs the pupil school
    engagement.
    """

    kind = "school_liaison"
    axis = "policing"
    targets = "cells"
    unit = "school cell"
    default_target = "land_use:school"
    lead = "police"
    ramp_days = 30
    decay_days = 90
    description = "A Safe-School liaison officer around schools in school hours."
    trial_area = "around"
    params = {
        "presence": Param(1.0, 0.0, 3.0, "police presence around schools", fit="crime"),
        "escalation": Param(
            0.2, 0.0, 1.5, "exclusions added per usual one at a school", fit="exclusion"
        ),
    }

    def on_start(self, ctx: MeasureContext) -> None:
        super().on_start(ctx)
        self.around = ctx.model.world.around(self.cells)  #: schools and their streets

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.school_police[self.around] += self.p["presence"] * e
        mods.school_exclusion[self.cells] += self.p["escalation"] * e
