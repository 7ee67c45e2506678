"""One figure style for every clssim report: readable in print and in greyscale.

Arms are told apart by line style and marker as well as by colour; maps use
perceptually uniform, greyscale-monotone colour maps (``cividis``, ``Greys``).
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RC = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "svg.fonttype": "none",
}
#: Colour, line style and marker per arm (baseline first). Colours from the
#: Okabe–Ito palette; styles keep arms distinct without colour.
ARM_STYLES = [
    {"color": "#000000", "linestyle": "-", "marker": "o"},
    {"color": "#0072B2", "linestyle": "--", "marker": "s"},
    {"color": "#D55E00", "linestyle": ":", "marker": "^"},
    {"color": "#009E73", "linestyle": "-.", "marker": "D"},
    {"color": "#CC79A7", "linestyle": (0, (5, 1)), "marker": "v"},
]
MAP_CMAP = "cividis"
CHANGE_CMAP = "PuOr_r"


def arm_style(k: int) -> dict:
    return ARM_STYLES[k % len(ARM_STYLES)]


def figure(*args, **kwargs):
    """``plt.subplots`` under the report style."""
    with plt.rc_context(RC):
        return plt.subplots(*args, constrained_layout=True, **kwargs)


def export(fig, name: str, folder: Path | None) -> bytes:
    """PNG bytes of ``fig`` (for embedding); also PNG and PDF files in ``folder``."""
    with plt.rc_context(RC):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            fig.savefig(folder / f"{name}.png", metadata={"Software": None})
            fig.savefig(folder / f"{name}.pdf", metadata={"Creator": None, "Producer": None})
    plt.close(fig)
    return buf.getvalue()
