"""The dark figure: who tells the police (ODD §7 "Reporting and tips").

A victim reports an offence with probability

    p = clip(base_k × (1 + trust.report_effect × (trust_victim − 0.5)), 0, 1)

where ``base_k`` is the offence type's ``report_probability`` (the rate at
trust 0.5; ICVS: about 70 % of burglaries and 30–40 % of thefts are
reported, van Dijk et al. 2007), × ``crime.repeat_report_factor`` for a
victim victimised before (van Dijk 2001: repeat victims report more
often). Vandalism has no personal victim: it is reported by the residents
of the cell, with their mean trust.

Witnesses (everyone else present at the cell) may pass a tip, each with
probability ``trust.tip_rate × trust_witness``. Tips do not make an offence
*recorded*; they improve the police picture and the chance of clearance.
"""

from __future__ import annotations

import numpy as np

from clssim.crime import VIOLENCE, VISITOR, Offences, per_type
from clssim.social import cell_trust


def report(
    off: Offences,
    soc,
    crime_cfg,
    trust_cfg,
    u: np.ndarray,
    visitor_factor: float = 1.0,
) -> None:
    """Decide which offences the victims report (sets ``off.reported``): offence
    ``j`` is reported when its uniform ``u[j]`` falls below its probability.

    Measures may multiply a resident's reporting probability
    (``soc.report_mul``; ``soc.violence_report_mul`` for violence). Visitors
    report as a resident of mean trust would, times ``visitor_factor``.
    """
    if not len(off):
        return
    base = per_type(crime_cfg, "report_probability")[off.kind]
    resident = off.victim >= 0
    v = np.maximum(off.victim, 0)
    who = soc.trust[v]  # the victim's trust, or for vandalism the cell's residents'
    place = off.victim == -1
    if place.any():
        who[place] = cell_trust(soc, off.cell[place])
    who = np.where(off.victim == VISITOR, soc.trust.mean(), who)
    p = base * (1.0 + trust_cfg.report_effect * (who - 0.5))
    mul = np.where(off.kind == VIOLENCE, soc.violence_report_mul[v], 1.0) * soc.report_mul[v]
    if crime_cfg.repeat_report_factor != 1.0:  # repeat victims report more (van Dijk 2001)
        mul = np.where(soc.victimisations[v] > 0, mul * crime_cfg.repeat_report_factor, mul)
    p = np.where(resident, p * mul, p)
    p = np.where(off.victim == VISITOR, p * visitor_factor, p)
    off.reported[:] = u < np.clip(p, 0.0, 1.0)


def tips(
    off: Offences,
    loc: np.ndarray,
    trust: np.ndarray,
    tip_rate: float,
    u: np.ndarray,
) -> None:
    """Decide which offences a witness tips the police about (sets ``off.tipped``;
    ``u``: one uniform per offence)."""
    for j in range(len(off)):
        present = np.flatnonzero(loc == off.cell[j])
        witnesses = present[(present != off.offender[j]) & (present != off.victim[j])]
        if witnesses.size:
            p_none = np.prod(1.0 - tip_rate * trust[witnesses])
            off.tipped[j] = u[j] < 1.0 - p_none
