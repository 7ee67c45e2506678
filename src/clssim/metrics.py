"""Pure indicators computed from model outputs (no model state)."""

from __future__ import annotations

import numpy as np


def concentration(counts: np.ndarray, share: float) -> float:
    """Smallest fraction of places that together hold ``share`` of all events.

    Weisburd's (2015) law of crime concentration: about 2–6 % of street
    segments hold 50 % of crime and 0.4–1.6 % hold 25 %. Places are ranked by
    count; all places count in the denominator, crime-free ones included.
    Returns ``nan`` when there are no events.
    """
    counts = np.sort(np.asarray(counts, dtype=float))[::-1]
    total = counts.sum()
    if total <= 0:
        return float("nan")
    k = int(np.searchsorted(np.cumsum(counts), share * total - 1e-9)) + 1
    return k / counts.size
