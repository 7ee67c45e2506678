"""The record that measures' effects add into: :class:`Modifiers`.

Every day the contract starts from a neutral record, asks each running
measure to add its effect (:meth:`clssim.measures.Measure.effect`), and
applies the total to the world, the residents and the police
(``Contract.apply``). Effects therefore combine, ramp up and fade away when
funding stops, and no measure ever writes model state itself.

Each field declares, once, what it is *per* (``"cell"``, ``"resident"`` or
``"force"`` for one number for the whole police force) and its neutral value
(0 for what is added, 1 for what multiplies).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

#: Target values that CPTED measures move a cell towards (ODD §7.24).
LIGHT_TARGET = 0.9
MAINT_TARGET = 0.9


def _mod(per: str, neutral: float, doc: str) -> Any:
    return field(metadata={"per": per, "neutral": neutral, "doc": doc})


@dataclass
class Modifiers:
    """The summed effect of all measures on one day."""

    light_to: np.ndarray = _mod("cell", 0.0, "share of the way to LIGHT_TARGET lit")
    maint_to: np.ndarray = _mod("cell", 0.0, "share of the way to MAINT_TARGET kept")
    surv_add: np.ndarray = _mod("cell", 0.0, "natural surveillance added")
    repair_mul: np.ndarray = _mod("cell", 1.0, "multiplies the speed of repair")
    fear_relief: np.ndarray = _mod("cell", 0.0, "fear removed at the cell (logit of insecurity)")
    school_guard: np.ndarray = _mod("cell", 0.0, "guardianship at schools in school hours")
    school_police: np.ndarray = _mod("cell", 0.0, "liaison officers at schools in school hours")
    school_exclusion: np.ndarray = _mod(
        "cell", 0.0, "exclusions added per usual one at the school (liaison officers)"
    )
    trust_base_add: np.ndarray = _mod("resident", 0.0, "added to the trust baseline")
    participation_add: np.ndarray = _mod("resident", 0.0, "added to the participation baseline")
    engagement_add: np.ndarray = _mod("resident", 0.0, "added to school/work engagement")
    isolation_relief: np.ndarray = _mod("resident", 0.0, "share of isolation relieved")
    programme_factor: np.ndarray = _mod("resident", 1.0, "multiplies offending motivation")
    supervised: np.ndarray = _mod(
        "resident", 0.0, "P(supervised activity instead of out), weekday afternoons/evenings"
    )
    report_mul: np.ndarray = _mod("resident", 1.0, "multiplies the reporting probability")
    violence_report_mul: np.ndarray = _mod(
        "resident", 1.0, "multiplies the reporting probability of violence"
    )
    pj_add: float = field(
        default=0.0,
        metadata={"per": "force", "neutral": 0.0, "doc": "added to procedural justice"},
    )

    @classmethod
    def neutral(cls, n: int, ncells: int) -> Modifiers:
        """The record with no effect: ``n`` residents, ``ncells`` cells."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            per, neutral = f.metadata["per"], f.metadata["neutral"]
            if per == "force":
                values[f.name] = float(neutral)
                continue
            size = ncells if per == "cell" else n
            values[f.name] = np.ones(size) if neutral == 1.0 else np.zeros(size)
        return cls(**values)


def combine_share(arr: np.ndarray, idx: np.ndarray, amount: float) -> None:
    """Add a share so that two measures never exceed 1: ``1 − (1 − a)(1 − b)``."""
    arr[idx] = 1.0 - (1.0 - arr[idx]) * (1.0 - amount)
