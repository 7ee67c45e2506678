"""Running a plan: every (parameter set, replicate) as an independent task.

:func:`run_plan` checks the output directory, connects the executor (both
before anything runs or is written), skips the runs already stored when
resuming, streams the others through the executor and stores each row as it
arrives (:mod:`clssim.experiments.store`), with a progress bar showing the
rate and the time left.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from clssim.experiments.executors import make_executor
from clssim.experiments.plan import Plan
from clssim.experiments.store import ID_COLUMNS, Store, load


@dataclass
class SweepReport:
    """What a sweep did."""

    out: Path
    n_runs: int
    skipped: int
    ran: int
    failed: int
    seconds: float
    complete: bool
    executor: str

    @property
    def rate(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else math.nan

    def line(self) -> str:
        done = self.skipped + self.ran
        head = f"{done} of {self.n_runs} runs stored in {self.out}"
        if self.skipped:
            head += f" ({self.skipped} from before, {self.ran} now)"
        rate = f"; {self.rate:.2f} runs/s on {self.executor}" if self.ran else ""
        failed = f"; {self.failed} failed (see the error column)" if self.failed else ""
        return head + rate + failed


class Progress:
    """A tqdm bar on a terminal; on a log file, a plain line every ``every`` seconds."""

    def __init__(self, total: int, initial: int, desc: str, quiet: bool, every: float = 30.0):
        self.total, self.done, self.failed = total, initial, 0
        self.quiet = quiet
        self.every = every
        self.t0 = self.last = time.monotonic()
        self.initial = initial
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="run", desc=desc, dynamic_ncols=True)

    def update(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        if self.bar is not None:
            self.bar.update(1)
            if failed:
                self.bar.set_postfix(failed=self.failed, refresh=False)
            return
        now = time.monotonic()
        if not self.quiet and now - self.last >= self.every:
            self.last = now
            rate = (self.done - self.initial) / (now - self.t0)
            left = (self.total - self.done) / rate if rate > 0 else math.inf
            print(
                f"clssim: {self.done}/{self.total} runs, {rate:.2f} runs/s, "
                f"about {_duration(left)} left",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"


def run_plan(
    plan: Plan,
    out: str | Path,
    *,
    executor: Any = None,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = 10.0,
    resume: bool = False,
    quiet: bool = True,
    batch_rows: int = 200,
    flush_seconds: float = 10.0,
    experiment_text: str | None = None,
) -> SweepReport:
    """Run every run of ``plan`` not yet stored in ``out``.

    ``executor`` may be given (it is then not closed here); otherwise one is
    made from ``workers`` / ``scheduler`` (see :func:`make_executor`).
    """
    store = Store(
        out,
        plan,
        batch_rows=batch_rows,
        flush_seconds=flush_seconds,
        experiment_text=experiment_text,
    )
    store.check(resume)  # refuses before anything runs or is written
    own = executor is None
    if own:
        executor = make_executor(workers, scheduler, connect_timeout)
    progress = None
    t0 = time.perf_counter()
    ran = failed = 0
    skipped = 0
    try:
        done = store.open()
        skipped = len(done)
        progress = Progress(plan.n_runs, skipped, plan.name, quiet)
        for res in executor.map_unordered(plan.tasks(skip=done)):
            bad = res["status"] != "ok"
            store.add(
                {
                    **plan.row_keys(res["run_id"]),
                    **res["outputs"],
                    "status": res["status"],
                    "error": res["error"],
                    "runtime_s": res["runtime_s"],
                    "worker": res["worker"],
                }
            )
            ran += 1
            failed += bad
            progress.update(bad)
        complete = store.finalize()
    finally:
        if progress is not None:
            progress.close()
        store.close()
        if own:
            executor.close()
    return SweepReport(
        out=Path(out),
        n_runs=plan.n_runs,
        skipped=skipped,
        ran=ran,
        failed=failed,
        seconds=time.perf_counter() - t0,
        complete=complete,
        executor=executor.description,
    )


def ci_halfwidth(values: np.ndarray, level: float = 0.95) -> float:
    """Half-width of the t-based confidence interval of the mean (NaN if n < 2)."""
    values = values[~np.isnan(values)]
    n = values.size
    if n < 2:
        return math.nan
    return float(stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))


def set_summary(table: pd.DataFrame, labels: list[str], outputs: list[str]) -> pd.DataFrame:
    """One row per parameter set: its labels, runs ok/failed, and for every output
    the mean, standard deviation and 95 % CI half-width over replicates."""
    rows = []
    for set_index, group in table.groupby("set_index", sort=True):
        row: dict[str, Any] = {"set_index": set_index}
        for k in labels:
            row[k] = group[k].iloc[0]
        ok = group[group["status"] == "ok"]
        row["runs_ok"] = len(ok)
        row["runs_failed"] = len(group) - len(ok)
        for o in outputs:
            v = ok[o].to_numpy(dtype=float)
            row[f"{o}:mean"] = float(np.mean(v)) if v.size else math.nan
            row[f"{o}:sd"] = float(np.std(v, ddof=1)) if v.size > 1 else math.nan
            row[f"{o}:ci95"] = ci_halfwidth(v)
        rows.append(row)
    return pd.DataFrame(rows)


def labels_of(table: pd.DataFrame, outputs: list[str]) -> list[str]:
    """The parameter (label) columns of a runs table."""
    skip = {*ID_COLUMNS, *outputs, "status", "error", "runtime_s", "worker"}
    return [c for c in table.columns if c not in skip]


def summarise_store(out: str | Path, outputs: list[str]) -> pd.DataFrame:
    """:func:`set_summary` of a stored sweep."""
    table = load(out)
    return set_summary(table, labels_of(table, outputs), outputs)
