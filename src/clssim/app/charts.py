"""The app's live plots: true vs recorded offences per week, mean trust and
mean insecurity, with the earlier runs of the session as thin lines.

Plain matplotlib (``matplotlib.figure.Figure``, no pyplot state); the lines
are updated in place and the figure is rendered to PNG when the page asks
(a few times a second while playing, every frame when paused).
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from clssim.app.i18n import tr
from clssim.app.readout import weekly_offences
from clssim.app.runlog import RunRecord
from clssim.axes import share_limits
from clssim.clock import SLOTS_PER_DAY

__all__ = ["DPI", "PlotsPainter", "plots_figure"]

DPI = 80
#: colours of earlier runs (#1, #2 …), cycled
EARLIER = ("#8c8c8c", "#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#0072b2")


class PlotsPainter:
    """The live plots of one model, with ``earlier`` runs overlaid."""

    def __init__(
        self, model, lang: str = "en", earlier: list[RunRecord] | None = None, run_number: int = 1
    ):
        self.model, self.lang = model, lang
        self.fig = fig = Figure(figsize=(5.4, 4.9), dpi=DPI)
        FigureCanvasAgg(fig)
        fig.subplots_adjust(left=0.14, right=0.97, top=0.94, bottom=0.1, hspace=0.22)
        a1, a2, a3 = self.axes = fig.subplots(3, 1, sharex=True)
        self.earlier = list(earlier or [])[-len(EARLIER) :]
        for rec in self.earlier:
            colour = EARLIER[(rec.number - 1) % len(EARLIER)]
            kw = {"color": colour, "lw": 1.0, "alpha": 0.8}
            a1.plot(rec.week_mid, rec.week_true, **kw, label=f"#{rec.number}")
            a1.plot(rec.week_mid, rec.week_recorded, **kw, ls="--")
            a2.plot(rec.day, rec.trust, **kw)
            a3.plot(rec.day, rec.insecurity, **kw)
        self.lines = {}
        for key, colour, label in (
            ("true", "black", tr("plot_true", lang)),
            ("recorded", "#d90d0d", tr("plot_recorded", lang)),
        ):
            (self.lines[key],) = a1.plot([], [], "-o", ms=3, color=colour, label=label)
            (self.lines[key + "_now"],) = a1.plot([], [], "o", ms=5, mfc="none", color=colour)
        a1.set_ylabel(tr("plot_per_week", lang), fontsize=10)
        a1.legend(fontsize=9, loc="upper left", frameon=False, ncols=2 if self.earlier else 1)
        a1.set_title(tr("plot_week_so_far", lang), fontsize=9, loc="right")
        for ax, key, colour, label in (
            (a2, "trust_mean", "#1f4e9c", tr("plot_trust", lang)),
            (a3, "insecurity_mean", "#e66100", tr("plot_insecurity", lang)),
        ):
            (self.lines[key],) = ax.plot([], [], color=colour, lw=1.8)
            ax.set_ylabel(label, fontsize=10)
        if self.earlier:
            a2.set_title(
                tr("plot_this_run", lang, n=run_number), fontsize=9, loc="right", color="#1f4e9c"
            )
        a3.set_xlabel(tr("plot_day", lang), fontsize=10)
        for ax in self.axes:
            ax.spines[["top", "right"]].set_visible(False)
            ax.tick_params(labelsize=9)

    def update(self) -> Figure:
        model = self.model
        a1, a2, a3 = self.axes
        wk = weekly_offences(model)
        mid = wk["week"] * 7 + 3.5
        done = wk["complete"]
        for key in ("true", "recorded"):
            self.lines[key].set_data(mid[done], wk[key][done])
            self.lines[key + "_now"].set_data(mid[~done], wk[key][~done])
        top = max(
            [float(wk["true"].max(initial=0))] + [r.week_true.max(initial=0) for r in self.earlier]
        )
        a1.set_ylim(0, max(5.0, top * 1.35))
        n = model.steps
        day = np.arange(n) / SLOTS_PER_DAY
        for ax, key, attr in ((a2, "trust_mean", "trust"), (a3, "insecurity_mean", "insecurity")):
            series = model.recorder.extra.get(key)
            now = series[:n] if series is not None else np.empty(0)
            self.lines[key].set_data(day, now)
            both = np.concatenate([now] + [getattr(r, attr) for r in self.earlier])
            # at least 0.1 of the 0-1 scale, so that small changes do not look large
            ax.set_ylim(*share_limits(both))
        longest = max([n / SLOTS_PER_DAY] + [r.days for r in self.earlier])
        a3.set_xlim(0, max(28.0, longest + 4.0))  # room for the week so far
        return self.fig

    def png(self) -> bytes:
        self.update()
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
        return buf.getvalue()


def plots_figure(model, lang: str = "en") -> Figure:
    """True vs recorded offences per week, mean trust and mean insecurity so far."""
    return PlotsPainter(model, lang).update()
