"""The preview picture of an imported map: land use and lighting over the streets."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from clssim.mapfile import CellMap  # noqa: E402
from clssim.plots import STYLE, draw_land, draw_streets, land_legend  # noqa: E402


def preview(cmap: CellMap, path: Path) -> Path:
    """Land use (left) and measured lighting (right), streets drawn over both."""
    width, height = cmap.shape
    aspect = height / width
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            1, 2, figsize=(9, min(9, 1.2 + 4.2 * aspect)), constrained_layout=True
        )
        draw_land(axes[0], cmap.land_use, cmap.streets)
        axes[0].set_title("Land use")
        light = cmap.layers.get("lighting", np.full(cmap.shape, np.nan))
        im = axes[1].imshow(light.T, cmap="cividis", vmin=0, vmax=1, interpolation="nearest")
        draw_streets(axes[1], cmap.streets, colour="#ffffff")
        axes[1].set_title("Lighting where measured (blank: land-use baseline)")
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        fig.colorbar(im, ax=axes[1], shrink=0.7, label="lighting (0–1)")
        land_legend(fig)
        size = f"{cmap.georef.cell_size_m:g} m cells" if cmap.georef else ""
        fig.suptitle(f"{cmap.source} — {width} × {height} {size}".strip())
        if cmap.attribution:
            fig.text(0.99, 0.005, cmap.attribution, ha="right", va="bottom", fontsize=6)
        fig.savefig(path)
        plt.close(fig)
    return Path(path)
