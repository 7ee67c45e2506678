"""The report's figures. Each function takes loaded runs and returns a figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from scipy import stats

from clssim.measures import AXES, AXIS_TITLES
from clssim.plots import draw_streets
from clssim.report.data import Run, Study
from clssim.style import CHANGE_CMAP, MAP_CMAP, arm_style, figure

MONTH_DAYS = 30
GROUP_LABELS = {
    "youth": "youths (12–24)",
    "elderly": "elderly (65+)",
    "isolated_elderly": "isolated elderly",
    "migrant": "migrants",
    "minority": "minority",
    "female": "women",
    "male": "men",
}


# ----------------------------------------------------------------- helpers


def band(matrix: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over rows (replicates) and its t-based confidence band."""
    m = np.nanmean(matrix, axis=0)
    n = matrix.shape[0]
    if n < 2:
        return m, m, m
    half = stats.t.ppf(0.5 + level / 2, n - 1) * np.nanstd(matrix, axis=0, ddof=1) / np.sqrt(n)
    return m, m - half, m + half


def monthly(run: Run, column: str, how: str = "sum") -> np.ndarray:
    month = run.timeseries["day"].to_numpy() // MONTH_DAYS
    values = run.timeseries[column].to_numpy(dtype=float)
    s = pd.Series(values).groupby(month)
    return (s.sum() if how == "sum" else s.mean()).to_numpy()


def cell_counts(run: Run, first_day: int, last_day: int, recorded: bool = False) -> np.ndarray:
    """Offences per cell (width × height) between two days (last exclusive)."""
    w, h = run.grid
    ev = run.events[(run.events["day"] >= first_day) & (run.events["day"] < last_day)]
    if recorded:
        ev = ev[ev["reported"]]
    grid = np.zeros((w, h))
    np.add.at(grid, (ev["x"].to_numpy(), ev["y"].to_numpy()), 1)
    return grid


def stage_days(run: Run) -> dict[str, int]:
    return {s["stage"]: s["day"] for s in (run.stages or [])}


def _mark_stages(ax, run: Run | None) -> None:
    if run is None:
        return
    for name, day in stage_days(run).items():
        x = day / MONTH_DAYS
        ax.axvline(x, color="#888888", lw=0.8, ls=(0, (2, 2)))
        ax.text(
            x,
            1.0,
            f" {name}",
            transform=ax.get_xaxis_transform(),
            fontsize=7,
            rotation=90,
            va="top",
            ha="left",
            color="#555555",
        )


def _map(ax, grid: np.ndarray, title: str, vmax: float, cmap: str = MAP_CMAP, vmin=0.0, streets=()):
    im = ax.imshow(grid.T, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    draw_streets(ax, list(streets), colour="#9a9a9a")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return im


# ----------------------------------------------------------------- figures


def diagnosis_maps(run: Run):
    """Hot spots as the diagnosis saw them (recorded) beside true crime."""
    day = run.diagnosis["day"]
    k = len(run.diagnosis["hotspots"])
    recorded = cell_counts(run, 0, day, recorded=True)
    true = cell_counts(run, 0, day)
    fig, axes = figure(1, 2, figsize=(8.4, 4.0))
    vmax = max(1.0, true.max())
    _map(axes[0], recorded, f"Recorded: the diagnosed top {k}", vmax, streets=run.streets)
    im = _map(axes[1], true, f"True: the real top {k}", vmax, streets=run.streets)
    for h in run.diagnosis["hotspots"]:
        axes[0].add_patch(
            Rectangle((h["x"] - 0.5, h["y"] - 0.5), 1, 1, fill=False, ec="#D55E00", lw=1.4)
        )
    flat = true.ravel()
    top = np.argsort(-flat, kind="stable")[:k]
    for c in top:
        x, y = divmod(int(c), true.shape[1])
        axes[1].add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, ec="#D55E00", lw=1.4))
    fig.colorbar(im, ax=axes, shrink=0.8, label=f"offences before day {day}")
    return fig


def spending(run: Run):
    """Spending by axis and over time, against the budget."""
    s = run.summary
    fig, axes = figure(1, 2, figsize=(8.4, 3.2), width_ratios=[1.1, 1])
    spent = [s.get(f"spend_{a}_eur", 0.0) / 1000 for a in AXES]
    labels = [AXIS_TITLES[a] for a in AXES]
    axes[0].barh(labels[::-1], spent[::-1], color="#555555", hatch="//", edgecolor="black")
    axes[0].set_xlabel("spent (thousand €)")
    axes[0].set_title("Spending by axis")
    ts = run.timeseries
    axes[1].plot(ts["day"], ts["spend_total_eur"] / 1000, color="black", label="spent")
    axes[1].axhline(s["budget_eur"] / 1000, color="#D55E00", ls="--", label="budget")
    axes[1].set_xlabel("day")
    axes[1].set_ylabel("thousand €")
    axes[1].set_title("Cumulative spending")
    axes[1].legend(loc="upper left")
    return fig


TREND_PANELS = (
    ("offences_true", "sum", "True offences per month"),
    ("offences_recorded", "sum", "Recorded offences per month"),
    ("trust_mean", "mean", "Mean trust in police (0–1)"),
    ("insecurity_mean", "mean", "Mean perceived insecurity (0–1)"),
)


def trends(study: Study):
    """True and recorded crime, trust and insecurity per month, with 95% bands."""
    fig, axes = figure(2, 2, figsize=(9.0, 6.0), sharex=True)
    contract = study.contract_arm()
    stage_run = study.arms[contract][0] if contract else None
    for ax, (col, how, title) in zip(axes.ravel(), TREND_PANELS, strict=True):
        for k, (arm, runs) in enumerate(study.arms.items()):
            series = [monthly(r, col, how) for r in runs]
            n = min(len(x) for x in series)
            mat = np.array([x[:n] for x in series])
            m, lo, hi = band(mat)
            st = arm_style(k)
            x = np.arange(n)
            ax.plot(
                x, m, color=st["color"], ls=st["linestyle"], lw=1.4, label=f"{arm} (n={len(runs)})"
            )
            if len(runs) > 1:
                ax.fill_between(x, lo, hi, color=st["color"], alpha=0.15, lw=0)
        ax.set_title(title)
        _mark_stages(ax, stage_run)
    for ax in axes[1]:
        ax.set_xlabel("month")
    axes[0, 0].legend(loc="lower left", fontsize=7)
    return fig


def crime_maps(study: Study):
    """Crime per cell in the year before the contract (or the first year) and
    in the last year; insecurity per cell at the end, and its change."""
    contract = study.contract_arm()
    arm = contract or study.baseline
    runs = study.arms[arm]
    run0 = runs[0]
    end = int(run0.timeseries["day"].max()) + 1
    start = stage_days(run0).get("diagnosis", 365) if contract else 365
    before_lo = max(0, start - 365)
    before = np.mean([cell_counts(r, before_lo, start) for r in runs], axis=0)
    after = np.mean([cell_counts(r, end - 365, end) for r in runs], axis=0)

    def fear(arm_runs):
        w, h = arm_runs[0].grid
        stack = np.array([r.cells["insecurity"].to_numpy().reshape(w, h) for r in arm_runs])
        valid = np.isfinite(stack).any(axis=0)
        out = np.full(stack.shape[1:], np.nan)
        out[valid] = np.nanmean(stack[:, valid], axis=0)
        return out

    fear_arm = fear(runs)
    compare = contract is not None and study.baseline != arm
    fig, axes = figure(2, 2, figsize=(8.6, 7.4))
    vmax = max(before.max(), after.max(), 1.0)
    streets = run0.streets
    _map(axes[0, 0], before, f"Crime, days {before_lo}–{start}", vmax, streets=streets)
    im = _map(axes[0, 1], after, f"Crime, days {end - 365}–{end}", vmax, streets=streets)
    fig.colorbar(im, ax=axes[0, :], shrink=0.85, label="offences per cell (mean of runs)")
    lo, hi = np.nanmin(fear_arm), np.nanmax(fear_arm)
    im2 = _map(axes[1, 0], fear_arm, "Insecurity at the end", hi, vmin=lo, streets=streets)
    fig.colorbar(im2, ax=axes[1, 0], shrink=0.85, label=f"mean of residents ({arm})")
    if compare:
        change = fear_arm - fear(study.arms[study.baseline])
        lim = max(0.02, float(np.nanmax(np.abs(change))))
        im3 = _map(
            axes[1, 1], change, "Insecurity change vs baseline", lim, cmap=CHANGE_CMAP, vmin=-lim
        )
        fig.colorbar(im3, ax=axes[1, 1], shrink=0.85, label=f"{arm} − {study.baseline}")
    else:
        axes[1, 1].axis("off")
    return fig


def group_effects(rows: pd.DataFrame):
    """Paired differences (variant − baseline) by group, with 95% intervals."""
    variables = [v for v in ("insecurity", "trust") if (rows["variable"] == v).any()]
    fig, axes = figure(
        1,
        len(variables),
        figsize=(4.4 * len(variables), 0.45 * len(GROUP_LABELS) + 1.4),
        sharey=True,
        squeeze=False,
    )
    for ax, var in zip(axes[0], variables, strict=True):
        sub = rows[rows["variable"] == var]
        for k, (arm, g) in enumerate(sub.groupby("arm", sort=False)):
            st = arm_style(k + 1)
            y = np.arange(len(g)) + 0.15 * k
            ax.errorbar(
                g["diff"],
                y,
                xerr=[g["diff"] - g["ci_low"], g["ci_high"] - g["diff"]],
                fmt=st["marker"],
                color=st["color"],
                capsize=3,
                label=arm,
            )
            ax.set_yticks(np.arange(len(g)), [GROUP_LABELS.get(x, x) for x in g["group"]])
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(f"Change in {var} (last year)")
        ax.set_xlabel("difference vs baseline (95% CI)")
    axes[0, 0].legend(fontsize=7, loc="best")
    return fig


def cost_effectiveness(ce: pd.DataFrame):
    """Outcomes bought per €10,000, with intervals: one panel per outcome, each on
    its own scale (offences and insecurity differ by orders of magnitude)."""
    effects = list(dict.fromkeys(ce["effect"]))
    arms = list(dict.fromkeys(ce["arm"]))
    fig, axes = figure(
        len(effects), 1, figsize=(6.4, (0.35 * len(arms) + 0.9) * len(effects)), squeeze=False
    )
    for ax, effect in zip(axes[:, 0], effects, strict=True):
        rows = ce[ce["effect"] == effect]
        y = np.arange(len(rows))
        ax.errorbar(
            rows["per_10000_eur"],
            y,
            xerr=[rows["per_10000_eur"] - rows["ci_low"], rows["ci_high"] - rows["per_10000_eur"]],
            fmt="o",
            color="black",
            capsize=3,
        )
        ax.set_yticks(y, list(rows["arm"]))
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(f"{effect} per €10,000", loc="left")
    axes[-1, 0].set_xlabel("per €10,000 of contract cost (95% interval)")
    return fig
