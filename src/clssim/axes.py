"""Axis limits shared by the app's plots and the notebooks (no matplotlib here:
importing it must not change a notebook's plotting backend)."""

from __future__ import annotations

import numpy as np

#: the narrowest span an axis of a 0–1 share (trust, insecurity) may show, so
#: that a change of a hundredth does not fill the plot (the app and the notebook)
MIN_SHARE_SPAN = 0.1


def share_limits(values, min_span: float = MIN_SHARE_SPAN) -> tuple[float, float]:
    """Axis limits for a 0–1 quantity: its range with a margin, centred on it,
    at least ``min_span`` wide and inside [0, 1]."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    half = max(min_span / 2, 0.6 * (hi - lo))
    mid = min(max((lo + hi) / 2, half), 1.0 - half) if half < 0.5 else 0.5
    return max(0.0, mid - half), min(1.0, mid + half)
