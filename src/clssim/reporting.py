"""The dark figure: who tells the police (ODD §7 "Reporting and tips").

A victim reports an offence with probability

    p = clip(base_k × (1 + trust.report_effect × (trust_victim − 0.5)), 0, 1)

where ``base_k`` is the offence type's ``report_probability`` (the rate at
trust 0.5; ICVS: about 70 % of burglaries and 30–40 % of thefts are
reported, van Dijk et al. 2007). Vandalism has no personal victim: it is
reported by the residents of the cell, with their mean trust.

Witnesses (everyone else present at the cell) may pass a tip, each with
probability ``trust.tip_rate × trust_witness``. Tips do not make an offence
*recorded*; they improve the police picture and the chance of clearance.
"""

from __future__ import annotations

import numpy as np

from clssim.crime import Offences, per_type


def report(
    off: Offences,
    trust: np.ndarray,
    cell_trust: np.ndarray,
    crime_cfg,
    trust_cfg,
    rng: np.random.Generator,
) -> None:
    """Decide which offences the victims report (sets ``off.reported``)."""
    if not len(off):
        return
    base = per_type(crime_cfg, "report_probability")[off.kind]
    who = np.where(off.victim >= 0, trust[np.maximum(off.victim, 0)], cell_trust[off.cell])
    p = np.clip(base * (1.0 + trust_cfg.report_effect * (who - 0.5)), 0.0, 1.0)
    off.reported[:] = rng.random(len(off)) < p


def tips(
    off: Offences,
    loc: np.ndarray,
    trust: np.ndarray,
    tip_rate: float,
    rng: np.random.Generator,
) -> None:
    """Decide which offences a witness tips the police about (sets ``off.tipped``)."""
    for j in range(len(off)):
        present = np.flatnonzero(loc == off.cell[j])
        witnesses = present[(present != off.offender[j]) & (present != off.victim[j])]
        if witnesses.size:
            p_none = np.prod(1.0 - tip_rate * trust[witnesses])
            off.tipped[j] = rng.random() < 1.0 - p_none
