"""The shipped calibration of measure effects, and each run's draw from it.

``clssim calibrate`` (:mod:`clssim.calibration`) fits each measure kind's
free effect parameters so that its virtual trial reproduces its evidence
card, and writes ``calibration.json`` beside this module: for every kind, a
set of posterior draws of its parameters (and their median). The catalogue
uses it by default:

``evidence`` (the default of ``contract.effects``)
    each run takes one draw per measure kind, chosen by the run's seed and the
    kind's name alone. Replicates therefore carry the evidence's uncertainty
    into every interval, while two arms of a comparison run with the same seed
    get the same draw (common random numbers), and adding a measure to a plan
    leaves the others' draws unchanged.
``central``
    the posterior median of every parameter (``--fixed-effects``).

A kind missing from the file runs with its uncalibrated defaults.
"""

from __future__ import annotations

import json
import zlib
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

CALIBRATION_FILE = "calibration.json"
EFFECT_MODES = ("evidence", "central")


@cache
def load_calibration() -> dict[str, Any]:
    """The shipped calibration (``{"kinds": {}}`` when there is none)."""
    path = files("clssim.evidence").joinpath(CALIBRATION_FILE)
    if not path.is_file():
        return {"version": 0, "kinds": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def draw_index(seed: int, kind: str, n_draws: int) -> int:
    """The posterior draw a run of ``seed`` uses for ``kind``: a pure function of both."""
    rng = np.random.default_rng([int(seed) & (2**63 - 1), zlib.crc32(kind.encode())])
    return int(rng.integers(n_draws))


def calibrated_effects(
    kind: str, mode: str, seed: int, calibration: dict[str, Any] | None = None
) -> dict[str, float]:
    """The calibrated effect parameters of ``kind`` for a run (empty if uncalibrated)."""
    if mode not in EFFECT_MODES:
        raise ValueError(f"effects = {mode!r}; allowed: {', '.join(EFFECT_MODES)}")
    cal = (calibration or load_calibration()).get("kinds", {}).get(kind)
    if not cal:
        return {}
    params = cal["params"]
    if mode == "central":
        return {name: float(p["median"]) for name, p in params.items()}
    n = min(len(p["draws"]) for p in params.values())
    j = draw_index(seed, kind, n)
    return {name: float(p["draws"][j]) for name, p in params.items()}
