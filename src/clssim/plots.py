"""Figures of one run: a crime map and a trend plot (PNG).

One style for all clssim figures: greyscale-safe colours, labelled axes,
true crime always beside recorded crime.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from clssim.clock import SLOTS_PER_DAY  # noqa: E402
from clssim.layouts import LAND_USES  # noqa: E402
from clssim.results import Results  # noqa: E402

#: Land-use colours (light, so crime marks stay readable in greyscale).
LAND_COLOURS = (
    "#d9c7b8",  # social_housing
    "#efe6da",  # private_housing
    "#c6d8ef",  # commerce
    "#f3e3a6",  # school
    "#d7ecd0",  # public_space
    "#c9c9c9",  # transit
    "#9e9e9e",  # vacant
    "#e3c6e6",  # nightlife
    "#b8d39a",  # farm
)
STYLE = {
    "figure.dpi": 110,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _grid(results: Results, column: str) -> np.ndarray:
    cells = results.cells
    w, h = int(cells["x"].max()) + 1, int(cells["y"].max()) + 1
    return cells[column].to_numpy().reshape(w, h)


def draw_streets(ax, streets: list[np.ndarray], colour: str = "#555555") -> None:
    """A real map's street lines (in cell units) over an ``imshow`` of its grid."""
    if not streets:
        return
    from matplotlib.collections import LineCollection

    lines = [s - 0.5 for s in streets]  # imshow puts cell (x, y)'s centre at (x, y)
    ax.add_collection(LineCollection(lines, colors=colour, linewidths=0.5, alpha=0.8, zorder=2))


def draw_land(ax, land: np.ndarray, streets: list[np.ndarray] | None = None) -> None:
    """A ``(width, height)`` land-use grid, north up, with a real map's streets."""
    w, h = land.shape
    ax.imshow(
        land.T,
        cmap=ListedColormap(LAND_COLOURS),
        vmin=0,
        vmax=len(LAND_USES) - 1,
        interpolation="nearest",
    )
    draw_streets(ax, streets or [])
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)


def land_legend(fig) -> None:
    """The land-use colours as a legend under a figure's maps."""
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in LAND_COLOURS]
    fig.legend(
        handles,
        [u.replace("_", " ") for u in LAND_USES],
        loc="outside lower center",
        ncol=5,
        frameon=False,
        fontsize=7,
    )


def map_streets(scenario) -> list[np.ndarray]:
    """The street lines of the scenario's map (none for generated and text maps)."""
    if scenario.world.map is None:
        return []
    from clssim.mapfile import load_map

    try:
        return load_map(scenario.map_path()).streets
    except Exception:  # noqa: BLE001 (a report of an old run whose map moved: no streets)
        return []


def crime_map(results: Results, path: str | Path) -> Path:
    """Land use with true (left) and recorded (right) offences per cell."""
    land = results.cells["land_use"].cat.codes.to_numpy()
    w, h = int(results.cells["x"].max()) + 1, int(results.cells["y"].max()) + 1
    land = land.reshape(w, h)
    streets = map_streets(results.scenario)
    with plt.rc_context(STYLE):
        height = 4.6 if not streets else min(9.0, 1.4 + 4.0 * h / w)
        fig, axes = plt.subplots(1, 2, figsize=(9, height), constrained_layout=True)
        vmax = max(1, int(results.cells["offences_true"].max()))
        for ax, col, title in (
            (axes[0], "offences_true", "True offences"),
            (axes[1], "offences_recorded", "Recorded offences (what police see)"),
        ):
            draw_land(ax, land, streets)
            counts = _grid(results, col).astype(float)
            x, y = np.nonzero(counts)
            sc = ax.scatter(
                x,
                y,
                s=6 + 60 * counts[x, y] / vmax,
                c=counts[x, y],
                cmap="inferno_r",
                vmin=0,
                vmax=vmax,
                edgecolors="black",
                linewidths=0.3,
                zorder=3,
            )
            ax.set_title(f"{title}: {int(counts.sum())}")
            ax.set_xticks([])
            ax.set_yticks([])
        fig.colorbar(sc, ax=axes, shrink=0.7, label="offences per cell")
        land_legend(fig)
        fig.suptitle(f"{results.scenario.name}, seed {results.scenario.seed}")
        fig.savefig(path)
        plt.close(fig)
    return Path(path)


def trend(results: Results, path: str | Path) -> Path:
    """Weekly true and recorded offences, and arrests."""
    ts = results.timeseries
    week = ts["step"].to_numpy() // (7 * SLOTS_PER_DAY)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 3.4), constrained_layout=True)
        for col, label, style in (
            ("offences_true", "true offences", "-"),
            ("offences_recorded", "recorded offences", "--"),
            ("arrests", "arrests", ":"),
        ):
            weekly = np.bincount(week, weights=ts[col].to_numpy())
            ax.plot(np.arange(weekly.size), weekly, style, color="black", lw=1.2, label=label)
        ax.set_xlabel("week")
        ax.set_ylabel("per week")
        ax.legend(frameon=False)
        ax.set_title(f"{results.scenario.name}: offences per week (seed {results.scenario.seed})")
        fig.savefig(path)
        plt.close(fig)
    return Path(path)
