"""Outputs collected from each run: summary keys and time-series aggregates.

An output is named by a string, which is also its column in the runs table:

``offences_true``
    a key of the run's ``summary.json`` (any numeric key);
``ts:<column>:<agg>``
    an aggregate of a column of ``timeseries.parquet`` over the whole run;
``ts:<column>:<agg>:<window>``
    the same over a window of days: ``last<N>d`` (the last N days),
    ``first<N>d`` (the first N days) or ``days<A>-<B>`` (days A ≤ day < B).

Aggregates: ``mean``, ``sum``, ``min``, ``max``, ``std``, ``median``,
``first``, ``last`` and ``rate`` (the sum per simulated year of the window).
Missing values (NaN, e.g. a reporting rate in a slot without offences) are
skipped by every aggregate. Every output is stored as a float64; a failed run
has NaN in every output.

Examples: ``ts:insecurity_mean:mean:last365d`` is the mean insecurity over the
last year; ``ts:offences_true:rate:days365-730`` the true offences per year in
the second year.

Cost keys (``cost_eur``, ``budget_eur``, ``planned_cost_eur``, ``inkind_eur``,
``spend_<axis>_eur``) are 0 in a run whose scenario has no contract: a
baseline without a contract costs nothing, so it can be compared with a
contract arm.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from clssim.clock import DAYS_PER_YEAR

AGGREGATES = ("mean", "sum", "min", "max", "std", "median", "first", "last", "rate")
COST_KEY = re.compile(r"^(cost_eur|budget_eur|planned_cost_eur|inkind_eur|spend_[a-z_]+_eur)$")


def cost_keys() -> frozenset[str]:
    """Every cost key a contract can report (``spend_<axis>_eur`` for the four axes
    and proximity policing); 0 in a run without a contract."""
    from clssim.measures import AXES

    return frozenset(
        ["cost_eur", "budget_eur", "planned_cost_eur", *(f"spend_{a}_eur" for a in AXES)]
    )


_WINDOW = re.compile(r"^(?:(last|first)(\d+)d|days(\d+)-(\d+))$")


class OutputError(ValueError):
    """An output name cannot be parsed; the message is one line."""


@dataclass(frozen=True)
class Output:
    """One collected output (see the module docstring for the syntax)."""

    name: str
    kind: str  # "summary" or "ts"
    key: str  # summary key or time-series column
    agg: str = ""
    window: tuple[str, int, int] | None = None  # ("last"|"first", n, 0) or ("days", a, b)

    def needs_days(self) -> int:
        """Days of simulated time the window needs (0 for a whole-run aggregate)."""
        if self.window is None:
            return 0
        kind, a, b = self.window
        return a if kind in ("last", "first") else b

    def value(self, summary: dict[str, Any], timeseries: Any) -> float:
        """The output of one run, as a float."""
        if self.kind == "summary":
            if self.key not in summary:
                if COST_KEY.match(self.key):
                    return 0.0  # no contract, no cost
                raise KeyError(f"summary has no key {self.key!r}")
            return _as_float(self.key, summary[self.key])
        if timeseries is None or self.key not in timeseries:
            raise KeyError(f"timeseries has no column {self.key!r}")
        days = timeseries["day"].to_numpy()
        values = timeseries[self.key].to_numpy(dtype=float)
        n_days = int(days.max()) + 1 if days.size else 0
        if self.window is not None:
            kind, a, b = self.window
            if kind == "last":
                lo, hi = n_days - a, n_days
            elif kind == "first":
                lo, hi = 0, a
            else:
                lo, hi = a, b
            if lo < 0 or hi > n_days:
                raise ValueError(
                    f"output {self.name}: window needs {self.needs_days()} days, "
                    f"the run has {n_days}"
                )
            values = values[(days >= lo) & (days < hi)]
            span_days = hi - lo
        else:
            span_days = n_days
        return aggregate(values, self.agg, span_days)


def _as_float(key: str, value: Any) -> float:
    if isinstance(value, bool | int | float | np.number):
        return float(value)
    raise TypeError(f"summary key {key!r} is not numeric: {value!r}")


def aggregate(values: np.ndarray, agg: str, span_days: int) -> float:
    """Aggregate ``values`` (NaN skipped) over a window of ``span_days`` days."""
    values = values[~np.isnan(values)]
    if agg in ("sum", "rate"):
        total = float(values.sum())
        if agg == "sum":
            return total
        return total / (span_days / DAYS_PER_YEAR) if span_days else math.nan
    if values.size == 0:
        return math.nan
    if agg == "first":
        return float(values[0])
    if agg == "last":
        return float(values[-1])
    if agg == "std":
        return float(values.std(ddof=1)) if values.size > 1 else math.nan
    return float(getattr(np, agg)(values))


def parse_output(name: str) -> Output:
    """Parse an output name; raises :class:`OutputError` with a one-line reason."""
    if not isinstance(name, str) or not name.strip():
        raise OutputError(f"{name!r}: an output is a non-empty string")
    if not name.startswith("ts:"):
        if ":" in name:
            raise OutputError(
                f"{name!r}: a time-series output is written ts:<column>:<agg>[:<window>]"
            )
        return Output(name=name, kind="summary", key=name)
    parts = name.split(":")
    if len(parts) not in (3, 4) or not parts[1]:
        raise OutputError(f"{name!r}: a time-series output is written ts:<column>:<agg>[:<window>]")
    column, agg = parts[1], parts[2]
    if agg not in AGGREGATES:
        raise OutputError(f"{name!r}: aggregate {agg!r} is not one of {', '.join(AGGREGATES)}")
    window = None
    if len(parts) == 4:
        m = _WINDOW.match(parts[3])
        if not m:
            raise OutputError(
                f"{name!r}: window {parts[3]!r} is not last<N>d, first<N>d or days<A>-<B>"
            )
        if m.group(1):
            n = int(m.group(2))
            if n < 1:
                raise OutputError(f"{name!r}: the window needs at least 1 day")
            window = (m.group(1), n, 0)
        else:
            a, b = int(m.group(3)), int(m.group(4))
            if b <= a:
                raise OutputError(f"{name!r}: window days{a}-{b} is empty (need A < B)")
            window = ("days", a, b)
    return Output(name=name, kind="ts", key=column, agg=agg, window=window)


def extract(outputs: list[Output], summary: dict[str, Any], timeseries: Any) -> dict[str, float]:
    """Every output of one run."""
    return {o.name: o.value(summary, timeseries) for o in outputs}
