"""Figures of experiments: sweep means, comparisons, sensitivity indices (PNG)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

STYLE = {
    "figure.dpi": 110,
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
}
COLOURS = ("#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6c4f9c", "#555555", "#00798c")


def _grid(n: int, width: float = 3.4, height: float = 2.7):
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _top_legend(fig, ax) -> None:
    handles, labels = ax.get_legend_handles_labels()
    ncol = min(len(labels), 6)
    rows = math.ceil(len(labels) / ncol)
    top = 1 - (0.05 + 0.035 * rows) * 2.7 / fig.get_figheight()
    fig.legend(handles, labels, loc="upper center", ncol=ncol, frameon=False, fontsize=7)
    fig.tight_layout(rect=(0, 0, 1, top))


def _short(name: str) -> str:
    return name.split(".")[-1] if not name.startswith("ts:") else name[3:]


def sweep_plot(
    sets: pd.DataFrame, parameters: list[str], outputs: list[str], path: Path
) -> Path | None:
    """Mean ± 95 % CI of each output against the first parameter, one line per
    value of the second (factorial designs with one or two parameters)."""
    if not 1 <= len(parameters) <= 2 or sets.empty:
        return None
    x, hue = parameters[0], (parameters[1] if len(parameters) == 2 else None)
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(outputs))
        groups = [(None, sets)] if hue is None else list(sets.groupby(hue, sort=False))
        numeric = pd.api.types.is_numeric_dtype(sets[x])
        span = float(np.ptp(sets[x].to_numpy(dtype=float))) if numeric else len(sets[x].unique())
        for ax, output in zip(axes, outputs, strict=False):
            for k, (level, g) in enumerate(groups):
                dodge = (k - (len(groups) - 1) / 2) * 0.012 * (span or 1.0)
                xs = (g[x].to_numpy(dtype=float) if numeric else np.arange(len(g))) + dodge
                ax.errorbar(
                    xs,
                    g[f"{output}:mean"],
                    yerr=g[f"{output}:ci95"].fillna(0),
                    marker="o",
                    ms=3,
                    capsize=2,
                    color=COLOURS[k % len(COLOURS)],
                    label=None if hue is None else f"{_short(hue)} = {level}",
                )
                if not numeric:
                    ax.set_xticks(np.arange(len(g)), g[x].astype(str))
            ax.set_xlabel(x)
            ax.set_title(output)
        if hue is not None:
            axes[0].legend(frameon=False, fontsize=7)
        fig.suptitle("mean over replicates, 95% CI", fontsize=8)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
    return path


def compare_plot(table: pd.DataFrame, path: Path) -> Path:
    """Relative change of every output against the baseline, with 95 % CIs."""
    variants = table[~table["baseline"]]
    # outputs with no relative change (a baseline mean of 0, e.g. no contract costs) are left out
    has = variants.groupby("output", sort=False)["rel_change"].apply(lambda s: s.notna().any())
    outputs = [o for o in dict.fromkeys(variants["output"]) if has[o]]
    arms = list(dict.fromkeys(variants["arm"]))
    with plt.rc_context(STYLE):
        height = 1.2 + len(outputs) * (0.3 + 0.12 * (max(1, len(arms)) - 1))
        fig, ax = plt.subplots(figsize=(6.2, height))
        step = 0.8 / max(1, len(arms))
        for k, arm in enumerate(arms):
            rows = variants[variants["arm"] == arm].set_index("output").reindex(outputs)
            y = np.arange(len(outputs)) + (k - (len(arms) - 1) / 2) * step
            mid = rows["rel_change"].to_numpy(dtype=float) * 100
            lo = rows["rel_ci_low"].to_numpy(dtype=float) * 100
            hi = rows["rel_ci_high"].to_numpy(dtype=float) * 100
            ax.errorbar(
                mid,
                y,
                xerr=[np.nan_to_num(mid - lo), np.nan_to_num(hi - mid)],
                fmt="o",
                ms=4,
                capsize=2,
                color=COLOURS[k % len(COLOURS)],
                label=arm,
            )
        ax.axvline(0, color="#888", lw=0.8)
        ax.set_yticks(np.arange(len(outputs)), outputs)
        ax.invert_yaxis()
        ax.set_xlabel("change against the baseline (%), paired 95% CI")
        ax.legend(frameon=False, fontsize=7, loc="best")
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
    return path


def sensitivity_plots(result: Any, out: Path) -> list[Path]:
    """The indices (drawn by the result's method) and the convergence of its main
    index, one panel per output."""
    from clssim.experiments.methods import METHODS

    method = METHODS[result.method]
    files = []
    names = result.parameters
    labels = [_short(n) for n in names]
    outputs = result.outputs
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(outputs))
        for ax, output in zip(axes, outputs, strict=False):
            rows = result.indices[result.indices["output"] == output].set_index("parameter")
            rows = rows.reindex(names)
            method.plot_indices(ax, rows, labels, COLOURS)
            ax.set_title(output)
        _top_legend(fig, axes[0])
        path = out / f"{result.method}.png"
        fig.savefig(path)
        plt.close(fig)
        files.append(path)

        conv = result.convergence
        index = method.main_index
        fig, axes = _grid(len(outputs))
        for ax, output in zip(axes, outputs, strict=False):
            c = conv[(conv["output"] == output) & (conv["index"] == index)]
            for k, name in enumerate(names):
                g = c[c["parameter"] == name].sort_values("size")
                colour = COLOURS[k % len(COLOURS)]
                ax.plot(g["runs"], g["value"], marker="o", ms=3, color=colour, label=labels[k])
                ax.fill_between(
                    g["runs"],
                    g["value"] - g["conf"],
                    g["value"] + g["conf"],
                    color=colour,
                    alpha=0.12,
                    lw=0,
                )
            ticks = sorted(set(c["runs"]))
            ax.set_xscale("log", base=2)
            ax.set_xticks(ticks, [str(t) for t in ticks])
            ax.minorticks_off()
            ax.set_xlabel("runs")
            ax.set_ylabel(method.main_label)
            ax.set_title(output)
        _top_legend(fig, axes[0])
        path = out / f"{result.method}_convergence.png"
        fig.savefig(path)
        plt.close(fig)
        files.append(path)
    return files
