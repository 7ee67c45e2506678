"""School discipline: pupils' exclusions (suspensions and expulsions), in expectation.

Schools exclude some of their pupils every year (ODD §7.20). The model keeps,
for each secondary-school pupil (``R_STUDENT``), the *expected* number of
exclusions so far rather than drawing them: on each school day (a weekday) a
pupil adds

    daily × risk × (1 + extra)

where ``daily = −ln(1 − careers.exclusion_rate) / WEEKDAYS_PER_YEAR`` turns the
annual share of pupils excluded at least once into a daily rate, ``risk`` is
the pupil's offending motivation over the mean of all pupils (misbehaviour
and its sanctions follow propensity), and ``extra`` is the share of exclusions
a measure adds at the pupil's school (a liaison officer at school turns
misbehaviour into formal sanctions: Fisher & Hennessy 2016, ODD §7.24).

Only the exclusions *above* the school's usual rate change a pupil: the
initial school engagement already reflects the usual discipline, so a run
without such a measure is unchanged. Each expected extra exclusion lowers the
pupil's engagement by ``careers.exclusion_engagement`` in the careers step
(:func:`clssim.social.update_careers`), and so raises their motivation.
Drawing no random number, the process leaves every other stream as it was.
"""

from __future__ import annotations

import math

import numpy as np

from clssim.population import R_STUDENT

#: school days in a model year: every weekday (the model has no school holidays)
WEEKDAYS_PER_YEAR = 365.0 * 5.0 / 7.0


def daily_rate(annual_share: float) -> float:
    """The daily exclusion rate of an average pupil whose chance of being
    excluded at least once in a school year is ``annual_share``."""
    return -math.log1p(-annual_share) / WEEKDAYS_PER_YEAR


def school_day(soc, pop, careers_cfg, p_motivated: np.ndarray) -> None:
    """Add one school day's expected exclusions to ``soc.exclusions`` (all of
    them) and ``soc.extra_exclusions`` (those above the usual rate)."""
    pupils = np.flatnonzero(pop.role == R_STUDENT)
    if pupils.size == 0 or careers_cfg.exclusion_rate <= 0.0:
        return
    m = p_motivated[pupils]
    mean = m.mean()
    risk = m / mean if mean > 0 else np.ones(pupils.size)
    usual = daily_rate(careers_cfg.exclusion_rate) * risk
    extra = usual * soc.exclusion_extra[pupils]
    soc.exclusions[pupils] += usual + extra
    soc.extra_exclusions[pupils] += extra


def engagement_lost(soc, careers_cfg) -> np.ndarray:
    """Engagement each resident has lost to exclusions above the usual rate."""
    return careers_cfg.exclusion_engagement * soc.extra_exclusions
