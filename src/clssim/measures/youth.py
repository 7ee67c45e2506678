"""Axis (i), juvenile delinquency: youth programmes, Safe School, police pedagogy."""

from __future__ import annotations

import numpy as np

from clssim.measures.base import Measure, MeasureContext
from clssim.measures.modifiers import Modifiers, combine_share


class YouthProgramme(Measure):
    """Supervised sport, arts or music sessions for at-risk youths.

    Participants spend weekday afternoons and evenings supervised (0.6 × e of
    the time they would be out), gain school engagement (+0.2 e) and offend
    less (motivation × (1 − 0.25 e); mentoring d ≈ 0.2, Tolan et al. 2014).
    """

    kind = "youth_programme"
    axis = "youth"
    targets = "people"
    unit = "participant"
    default_target = "group:at_risk_youths"
    lead = "association"
    fixed_eur = 5_000
    unit_month_eur = 45
    ramp_days = 60
    decay_days = 120
    description = (
        "Sport, arts or music sessions: supervised time on weekday afternoons and "
        "evenings, school engagement and a lower propensity (mentoring d≈0.2)."
    )

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        p = self.people
        combine_share(mods.supervised, p, 0.6 * e)
        mods.engagement_add[p] += 0.2 * e
        mods.programme_factor[p] *= 1.0 - 0.25 * e


class SafeSchool(Measure):
    """Escola Segura: guardianship at schools in school hours (+1 e), and the
    engagement of their pupils (+0.1 e)."""

    kind = "safe_school"
    axis = "youth"
    targets = "cells"
    unit = "school cell"
    default_target = "land_use:school"
    lead = "school_cluster"
    fixed_eur = 3_000
    unit_month_eur = 400
    ramp_days = 30
    decay_days = 90
    description = "Escola Segura: guardianship at schools in school hours, pupils' engagement."

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.school_guard[self.cells] += 1.0 * e
        pupils = np.flatnonzero(np.isin(ctx.pop.work, self.cells))
        mods.engagement_add[pupils] += 0.1 * e


class PolicePedagogy(Measure):
    """Police sessions with youths: their trust baseline +0.05 e."""

    kind = "police_pedagogy"
    axis = "youth"
    targets = "people"
    unit = "youth reached per month"
    default_target = "group:youths"
    lead = "police"
    fixed_eur = 1_000
    unit_month_eur = 6
    ramp_days = 30
    decay_days = 90
    description = (
        "Police pedagogical sessions with youths: a higher trust baseline for those reached."
    )

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.trust_base_add[self.people] += 0.05 * e
