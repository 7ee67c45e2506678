"""The social cost of an offence, by the model's four offence types.

``harms.toml`` (beside this module) holds, for burglary, theft, violence and
vandalism, the cost of one offence to victims, society and the state in
Portugal, 2024 euros, with a low–high range: the Home Office's unit costs
of crime (Heeks et al. 2018, 2015/16 prices; three types bridged from
Dubourg et al. 2005), converted by the exchange rate, a benefit transfer
on GDP per head and Portuguese inflation (the file's ``method`` says how,
each figure's ``basis`` what was read). A run's ``harm_eur`` is the sum
over its true offences (ODD §7.25).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files

import numpy as np

#: the model's offence types, in ``clssim.crime.OFFENCES`` order
TYPES = ("burglary", "theft", "violence", "vandalism")
LEVELS = ("eur", "low", "high")


@cache
def load_harms() -> dict:
    """The parsed ``harms.toml``."""
    return tomllib.loads(files("clssim.evidence").joinpath("harms.toml").read_text("utf-8"))


def unit_costs(level: str = "eur") -> np.ndarray:
    """The social cost of one offence of each type (€), ``level`` ``eur`` (central),
    ``low`` or ``high``, in ``TYPES`` order."""
    if level not in LEVELS:
        raise ValueError(f"harm level {level!r}; allowed: {', '.join(LEVELS)}")
    offences = load_harms()["offences"]
    return np.array([float(offences[t][level]) for t in TYPES])
