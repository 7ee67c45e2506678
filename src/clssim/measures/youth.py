"""Axis (i), juvenile delinquency: youth programmes, Safe School, police pedagogy."""

from __future__ import annotations

import numpy as np

from clssim.measures.base import Measure, MeasureContext, Param
from clssim.measures.modifiers import Modifiers, combine_share


class YouthProgramme(Measure):
    """Supervised sport, arts or music sessions for at-risk youths.

    Participants spend weekday afternoons and evenings supervised (a share
    ``supervised × e`` of the time they would be out), gain school engagement
    (``+engagement × e``) and their offending motivation is multiplied by
    ``1 − propensity × e`` (calibrated to after-school programmes, Taheri &
    Welsh 2016; a negative value is the deviancy training of grouping
    at-risk youths, Dishion et al. 1999).
    """

    kind = "youth_programme"
    axis = "youth"
    targets = "people"
    unit = "participant"
    default_target = "group:at_risk_youths"
    lead = "association"
    ramp_days = 60
    decay_days = 120
    description = (
        "Sport, arts or music sessions: supervised time on weekday afternoons and "
        "evenings, school engagement and a propensity calibrated to after-school evaluations."
    )
    params = {
        "supervised": Param(0.6, 0.0, 1.0, "share of out-of-home afternoons/evenings supervised"),
        "engagement": Param(0.2, 0.0, 0.5, "school engagement added"),
        "propensity": Param(
            0.25, -0.6, 0.6, "share by which offending motivation falls", fit="delinquency"
        ),
    }

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        p, k = self.people, self.p
        combine_share(mods.supervised, p, k["supervised"] * e)
        mods.engagement_add[p] += k["engagement"] * e
        mods.programme_factor[p] *= 1.0 - k["propensity"] * e


class SafeSchool(Measure):
    """Escola Segura: guardianship at the schools and the streets around them
    in school hours (``+guardianship × e``: the programme patrols school
    surroundings and routes, where pupils are victimised, not the classrooms),
    and the engagement of their pupils (``+engagement × e``)."""

    kind = "safe_school"
    axis = "youth"
    targets = "cells"
    unit = "school cell"
    default_target = "land_use:school"
    lead = "school_cluster"
    ramp_days = 30
    decay_days = 90
    description = "Escola Segura: guardianship around schools in school hours, pupils' engagement."
    trial_area = "around"
    params = {
        "guardianship": Param(1.0, 0.0, 3.0, "guardianship around schools", fit="crime"),
        "engagement": Param(0.1, 0.0, 0.4, "pupils' school engagement", fit="school_engagement"),
    }

    def on_start(self, ctx: MeasureContext) -> None:
        super().on_start(ctx)
        self.around = ctx.model.world.around(self.cells)  #: schools and their streets
        self.pupils = np.flatnonzero(np.isin(ctx.pop.work, self.cells))

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.school_guard[self.around] += self.p["guardianship"] * e
        mods.engagement_add[self.pupils] += self.p["engagement"] * e


class PolicePedagogy(Measure):
    """Police sessions with youths (G.R.E.A.T.-like): their trust baseline
    ``+trust × e`` and their offending motivation ``× (1 − propensity × e)``."""

    kind = "police_pedagogy"
    axis = "youth"
    targets = "people"
    unit = "youth reached per month"
    default_target = "group:youths"
    lead = "police"
    ramp_days = 30
    decay_days = 90
    description = (
        "Police pedagogical sessions with youths: a higher trust baseline for those reached."
    )

    params = {
        "trust": Param(0.05, -0.1, 0.3, "trust baseline added", fit="trust"),
        "propensity": Param(
            0.0, -0.2, 0.6, "share by which offending motivation falls", fit="delinquency"
        ),
    }

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.trust_base_add[self.people] += self.p["trust"] * e
        mods.programme_factor[self.people] *= 1.0 - self.p["propensity"] * e
