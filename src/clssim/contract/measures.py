"""What each measure does to the model, at effective strength ``e`` in [0, 1].

Every day the contract resets a :class:`Modifiers` record, asks each running
measure to add its effect, and applies the total to the world, the residents
and the police. Effects therefore combine, ramp up, and fade away when
funding stops, without any measure writing model state directly.

``e = level × intensity × partner delivery × integration × budget factor``
(see :mod:`clssim.contract.contract`). Effect sizes at ``e = 1`` and their
sources are listed in ODD §7 "Contract — measures".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

#: Target values that CPTED measures move a cell towards.
LIGHT_TARGET = 0.9
MAINT_TARGET = 0.9


@dataclass
class Modifiers:
    """The summed effect of all measures on one day."""

    light_to: np.ndarray  #: per cell: lighting target share reached (0–1)
    maint_to: np.ndarray  #: per cell: maintenance-baseline target share reached
    surv_add: np.ndarray  #: per cell: natural surveillance added
    repair_mul: np.ndarray  #: per cell: repair-speed multiplier
    school_guard: np.ndarray  #: per cell: guardianship in school hours
    school_police: np.ndarray  #: per cell: liaison officers in school hours
    trust_base_add: np.ndarray  #: per resident
    participation_add: np.ndarray
    engagement_add: np.ndarray
    isolation_relief: np.ndarray
    programme_factor: np.ndarray  #: multiplies offending motivation
    supervised: np.ndarray  #: P(in a supervised activity instead of out), weekdays pm
    report_mul: np.ndarray  #: multiplies the reporting probability
    violence_report_mul: np.ndarray
    pj_add: float = 0.0
    contact_mul: float = 1.0

    @classmethod
    def zeros(cls, n: int, ncells: int) -> Modifiers:
        values = {}
        for f in fields(cls):
            if f.name in ("pj_add", "contact_mul"):
                continue
            size = ncells if f.name in _CELL_FIELDS else n
            one = f.name in ("repair_mul", "programme_factor", "report_mul", "violence_report_mul")
            values[f.name] = np.ones(size) if one else np.zeros(size)
        return cls(**values)


_CELL_FIELDS = {"light_to", "maint_to", "surv_add", "repair_mul", "school_guard", "school_police"}


def _up(arr: np.ndarray, idx: np.ndarray, amount: float) -> None:
    """Combine shares so that two measures never exceed 1: 1 − Π(1 − a)."""
    arr[idx] = 1.0 - (1.0 - arr[idx]) * (1.0 - amount)


# Each effect: (measure, e, mods, ctx) -> None. ``measure.cells`` / ``measure.people``
# hold the resolved targets; ctx is the Contract (for population, rng, …).
Effect = Callable[..., None]


def youth_programme(m, e, mods, ctx) -> None:
    p = m.people
    mods.supervised[p] = 1.0 - (1.0 - mods.supervised[p]) * (1.0 - 0.6 * e)
    mods.engagement_add[p] += 0.2 * e
    mods.programme_factor[p] *= 1.0 - 0.25 * e  # mentoring d ≈ 0.2 (Tolan et al. 2014)


def safe_school(m, e, mods, ctx) -> None:
    mods.school_guard[m.cells] += 1.0 * e
    pupils = np.flatnonzero(np.isin(ctx.pop.work, m.cells))
    mods.engagement_add[pupils] += 0.1 * e


def police_pedagogy(m, e, mods, ctx) -> None:
    mods.trust_base_add[m.people] += 0.05 * e


def street_lighting(m, e, mods, ctx) -> None:
    """Lamps raise lighting; lit streets are used more after dark, which adds
    natural surveillance (Welsh & Farrington 2008: surveillance and community
    pride explain why daytime crime fell too)."""
    _up(mods.light_to, m.cells, e)
    mods.surv_add[m.cells] += 0.15 * e


def maintenance(m, e, mods, ctx) -> None:
    _up(mods.maint_to, m.cells, e)
    mods.repair_mul[m.cells] *= 1.0 + 2.0 * e


def vacant_lot_greening(m, e, mods, ctx) -> None:
    _up(mods.maint_to, m.cells, 0.8 * e)
    _up(mods.light_to, m.cells, 0.5 * e)
    mods.surv_add[m.cells] += 0.2 * e


def urban_art(m, e, mods, ctx) -> None:
    _up(mods.maint_to, m.cells, 0.3 * e)
    mods.surv_add[m.cells] += 0.1 * e


def elderly_visits(m, e, mods, ctx) -> None:
    p = m.people
    mods.isolation_relief[p] = 1.0 - (1.0 - mods.isolation_relief[p]) * (1.0 - 0.7 * e)
    mods.participation_add[p] += 0.1 * e
    mods.trust_base_add[p] += 0.03 * e


def migrant_integration(m, e, mods, ctx) -> None:
    p = m.people
    mods.trust_base_add[p] += 0.12 * e
    mods.report_mul[p] *= 1.0 + 0.3 * e
    mods.participation_add[p] += 0.05 * e


def employment_support(m, e, mods, ctx) -> None:
    """Jobs are found once a month in :meth:`Contract.daily` (``_find_jobs``)."""


def roma_programme(m, e, mods, ctx) -> None:
    p = m.people
    mods.trust_base_add[p] += 0.10 * e
    mods.engagement_add[p] += 0.15 * e


def community_meetings(m, e, mods, ctx) -> None:
    mods.participation_add[m.people] += 0.2 * e
    mods.trust_base_add[m.people] += 0.03 * e


def participatory_events(m, e, mods, ctx) -> None:
    mods.participation_add[m.people] += 0.1 * e


def dv_awareness(m, e, mods, ctx) -> None:
    mods.violence_report_mul[m.people] *= 1.0 + 0.5 * e


def proximity_beat(m, e, mods, ctx) -> None:
    """Officers are moved to beats by :meth:`Contract.daily`; contacts follow."""


def pj_training(m, e, mods, ctx) -> None:
    share = min(1.0, m.cfg.capacity / max(1, ctx.model.police.n_officers))
    mods.pj_add += e * share * (0.95 - ctx.model.police.base_procedural_justice)


def school_liaison(m, e, mods, ctx) -> None:
    mods.school_police[m.cells] += e


EFFECTS: dict[str, Effect] = {
    f.__name__: f
    for f in (
        youth_programme,
        safe_school,
        police_pedagogy,
        street_lighting,
        maintenance,
        vacant_lot_greening,
        urban_art,
        elderly_visits,
        migrant_integration,
        employment_support,
        roma_programme,
        community_meetings,
        participatory_events,
        dv_awareness,
        proximity_beat,
        pj_training,
        school_liaison,
    )
}
