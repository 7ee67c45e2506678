"""The Local Safety Diagnosis: what police and partners can see (ODD §7).

The diagnosis is computed at the end of the diagnosis stage from:

* **recorded crime** (victims' reports) per cell, plus the part of the
  unreported offences that partners hear of and pass on: each unreported
  offence is known to the diagnosis with probability
  ``0.5 × information sharing`` (mean over partners);
* **a survey** of 10 % of residents: mean insecurity and victimisation by
  group, ranked;
* **at-risk youths**: the police know youths they arrested; schools and
  social services know others, and pass them on in proportion to
  information sharing. The list has as many names as there are truly
  at-risk youths (top decile of propensity among 12–24-year-olds).

True crime and true risk are used only to score the diagnosis
(``hotspot_precision``, ``at_risk_precision``), never to build it: a
diagnosis made with low trust (few reports) or poor information sharing
points the plan at the wrong places and people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clssim.social import GROUPS

SURVEY_SHARE = 0.10
PARTNER_HEARSAY = 0.5
AT_RISK_DECILE = 0.10


@dataclass
class Diagnosis:
    """The diagnosis and, for researchers, how good it was."""

    day: int
    information_sharing: float
    hotspots: np.ndarray  #: flat cells, best first
    hotspot_scores: np.ndarray
    hotspot_precision: float  #: share of diagnosed hot spots among the true top-k
    at_risk: np.ndarray  #: resident ids
    at_risk_precision: float  #: share of the list who are truly at risk
    groups: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, world) -> dict[str, Any]:
        x, y = world.xy(self.hotspots)
        return {
            "day": self.day,
            "information_sharing": round(self.information_sharing, 6),
            "hotspots": [
                {"x": int(a), "y": int(b), "score": float(s)}
                for a, b, s in zip(x, y, self.hotspot_scores, strict=True)
            ],
            "hotspot_precision": round(self.hotspot_precision, 6),
            "at_risk_youths": int(self.at_risk.size),
            "at_risk_precision": round(self.at_risk_precision, 6),
            "vulnerable_groups": self.groups,
        }


def diagnose(model, k: int, sharing: float, rng: np.random.Generator, day: int) -> Diagnosis:
    """Build the diagnosis from the model's recorded picture and partners' knowledge."""
    rec = model.recorder
    recorded = rec.cell_recorded.sum(axis=1)
    true = rec.cell_true.sum(axis=1)
    known = rng.binomial(true - recorded, PARTNER_HEARSAY * sharing)
    score = recorded + known + rng.random(true.size) * 1e-3  # random tie-breaks
    hot = np.argsort(-score, kind="stable")[:k]
    true_top = np.argsort(-(true + rng.random(true.size) * 1e-3), kind="stable")[:k]
    precision = float(np.isin(hot, true_top).mean()) if true.sum() else float("nan")
    at_risk, at_risk_precision = _at_risk_youths(model, sharing, rng)
    return Diagnosis(
        day=day,
        information_sharing=sharing,
        hotspots=hot,
        hotspot_scores=score[hot].round(3),
        hotspot_precision=precision,
        at_risk=at_risk,
        at_risk_precision=at_risk_precision,
        groups=_survey(model, rng),
    )


def _at_risk_youths(model, sharing: float, rng) -> tuple[np.ndarray, float]:
    pop, soc, crime = model.population, model.social, model.crime_state
    youths = np.flatnonzero(pop.youth)
    if youths.size == 0:
        return youths, float("nan")
    risk = crime.p_motivated[youths]
    n_true = max(1, int(round(AT_RISK_DECILE * youths.size)))
    truly = np.zeros(youths.size, dtype=bool)
    truly[np.argsort(-risk, kind="stable")[:n_true]] = True
    arrested = crime.arrests[youths] > 0
    # schools and social services recognise most truly at-risk youths, and
    # some disengaged pupils who are not; they pass on what they know with
    # probability = information sharing
    recognised = truly & (rng.random(youths.size) < 0.8)
    disengaged = soc.engagement[youths] < 0.3
    shared = rng.random(youths.size) < sharing
    score = 2.0 * arrested + shared * (1.0 * recognised + 0.5 * disengaged)
    score = score + rng.random(youths.size) * 0.1
    chosen = np.argsort(-score, kind="stable")[:n_true]
    return youths[chosen], float(truly[chosen].mean())


def _survey(model, rng) -> list[dict[str, Any]]:
    pop, soc = model.population, model.social
    sample = rng.random(pop.n) < SURVEY_SHARE
    overall = float(soc.insecurity[sample].mean()) if sample.any() else float("nan")
    rows = []
    for name, mask_of in GROUPS.items():
        mask = mask_of(pop) & sample
        if mask.sum() < 5:
            continue
        rows.append(
            {
                "group": name,
                "respondents": int(mask.sum()),
                "insecurity": round(float(soc.insecurity[mask].mean()), 4),
                "relative_to_all": round(float(soc.insecurity[mask].mean()) - overall, 4),
                "victimised_share": round(float((soc.victimisations[mask] > 0).mean()), 4),
            }
        )
    rows.sort(key=lambda r: -r["insecurity"])
    return rows
