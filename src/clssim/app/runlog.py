"""The run log: every run of a browser tab with its levers and key numbers.

The app keeps one :class:`RunRecord` per run (the current run's record is
rebuilt each frame, an earlier run's is frozen when Reset starts the next);
the plots draw the earlier runs' series as thin lines, and the log downloads
as CSV (:func:`to_csv`). Column names of the CSV are English and stable,
whatever the page's language, so a spreadsheet or a script can read it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, fields

import numpy as np

from clssim.app.readout import indicators, weekly_offences
from clssim.app.teaching import Levers
from clssim.clock import SLOTS_PER_DAY

__all__ = ["CSV_COLUMNS", "RunRecord", "record_of", "to_csv"]

LEVER_COLUMNS = tuple(f.name for f in fields(Levers))
CSV_COLUMNS = (
    "run",
    "scenario",
    "seed",
    "shipped",
    *LEVER_COLUMNS,
    "day",
    "steps",
    "offences_true",
    "offences_recorded",
    "recording_rate",
    "trust_mean",
    "insecurity_mean",
    "afraid_share",
    "victimised_share",
)


@dataclass(frozen=True)
class RunRecord:
    """One run: what was set, how far it went, what it gave, and its series
    (per complete week, and per day) for the plots."""

    number: int
    scenario: str
    seed: int
    shipped: bool
    levers: Levers
    steps: int
    numbers: dict  #: offences_true, offences_recorded, recording_rate, … (indicators)
    week_mid: np.ndarray
    week_true: np.ndarray
    week_recorded: np.ndarray
    day: np.ndarray
    trust: np.ndarray
    insecurity: np.ndarray

    @property
    def days(self) -> float:
        return self.steps / SLOTS_PER_DAY

    def row(self) -> dict:
        """The CSV row (see :data:`CSV_COLUMNS`)."""
        n = self.numbers
        return {
            "run": self.number,
            "scenario": self.scenario,
            "seed": self.seed,
            "shipped": self.shipped,
            **asdict(self.levers),
            "day": round(self.days, 2),
            "steps": self.steps,
            **{k: n[k] for k in CSV_COLUMNS[-7:]},
        }


def record_of(model, number: int) -> RunRecord:
    """The record of ``model``'s run so far, as run ``number`` of the log."""
    n = model.steps
    wk = weekly_offences(model)
    done = wk["complete"]
    every_day = np.arange(0, n, SLOTS_PER_DAY)  # one point a day is enough for a thin line
    series = {
        key: model.recorder.extra[key][every_day] if key in model.recorder.extra else np.empty(0)
        for key in ("trust_mean", "insecurity_mean")
    }
    levers = getattr(model, "levers", None) or Levers()
    return RunRecord(
        number=number,
        scenario=str(getattr(model, "scenario_name", model.scenario_config.name)),
        seed=int(model.scenario_config.seed),
        shipped=bool(getattr(model, "shipped", False)),
        levers=levers,
        steps=n,
        numbers=indicators(model),
        week_mid=wk["week"][done] * 7 + 3.5,
        week_true=wk["true"][done],
        week_recorded=wk["recorded"][done],
        day=every_day / SLOTS_PER_DAY,
        trust=series["trust_mean"],
        insecurity=series["insecurity_mean"],
    )


def to_csv(records: list[RunRecord]) -> str:
    """The log as CSV text (one row per run, :data:`CSV_COLUMNS`)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for rec in records:
        row = rec.row()
        writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
    return buf.getvalue()
