"""One run as a task: plain data in, plain data out, never raises.

:func:`run_task` is what every executor calls, in a worker process or on a
Dask worker: it validates the run's scenario (base + overrides + seed), runs
the model, and extracts the outputs. Anything the run raises is caught and
returned as ``status = "failed"`` with the error on one line, so one bad run
never stops a sweep.

A *runner* turns a scenario into ``(summary, timeseries)`` (and, given
``write_dir``, writes the run's files there); the default runs
:class:`~clssim.model.CLSModel`. :func:`null_run` does no simulation at all;
it measures the machinery's own overhead (``benchmarks/sweep_overhead.py``).
"""

from __future__ import annotations

import importlib
import math
import os
import socket
import time
from functools import lru_cache
from typing import Any

from clssim.experiments.outputs import extract, parse_output
from clssim.scenario import Scenario, scenario_from_dict

_HOST = socket.gethostname()
_BASES: dict[tuple[str, str], Scenario] = {}


def run_model(scenario: Scenario, write_dir: str | None = None) -> tuple[dict[str, Any], Any]:
    """The default runner: simulate ``scenario`` with :class:`~clssim.model.CLSModel`;
    with ``write_dir``, also write the run's files there (as ``clssim run`` does)."""
    from clssim.model import CLSModel

    results = CLSModel(scenario).run()
    if write_dir is not None:
        results.write(write_dir)
    return results.summary, results.timeseries


def null_run(scenario: Scenario, write_dir: str | None = None) -> tuple[dict[str, Any], Any]:
    """A runner that simulates nothing (for measuring the sweep's own overhead)."""
    return {"offences_true": float(scenario.seed % 97), "mean_trust": 0.5}, None


@lru_cache(maxsize=16)
def _runner(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


@lru_cache(maxsize=256)
def _parsed(names: tuple[str, ...]):
    return [parse_output(n) for n in names]


def _base(task: dict[str, Any]) -> Scenario:
    key = (task.get("base_key", ""), task["base_dir"])
    cached = _BASES.get(key)
    if cached is None:
        cached = scenario_from_dict(task["scenario"], source="<base>", base_dir=task["base_dir"])
        _BASES[key] = cached
    return cached


def one_line(exc: BaseException, limit: int = 500) -> str:
    """``Type: message`` on one line, at most ``limit`` characters."""
    text = f"{type(exc).__name__}: {exc}".replace("\r", " ").replace("\n", " | ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one task; returns ``{run_id, status, error, outputs, runtime_s, worker}``."""
    t0 = time.perf_counter()
    worker = f"{_HOST}/{os.getpid()}"
    try:
        scenario = _base(task).with_overrides({**task["overrides"], "seed": task["seed"]})
        runner = _runner(task["runner"])
        if task.get("write_dir"):
            summary, timeseries = runner(scenario, write_dir=task["write_dir"])
        else:
            summary, timeseries = runner(scenario)
        outputs = extract(_parsed(tuple(task["outputs"])), summary, timeseries)
        status, error = "ok", ""
    except Exception as exc:  # recorded, never raised: one failure must not stop a sweep
        outputs = dict.fromkeys(task["outputs"], math.nan)
        status, error = "failed", one_line(exc)
    return {
        "run_id": task["run_id"],
        "status": status,
        "error": error,
        "outputs": outputs,
        "runtime_s": time.perf_counter() - t0,
        "worker": worker,
    }


def failed_result(task: dict[str, Any], error: str) -> dict[str, Any]:
    """The result of a task that could not run at all (its worker died, …)."""
    return {
        "run_id": task["run_id"],
        "status": "failed",
        "error": error,
        "outputs": dict.fromkeys(task["outputs"], math.nan),
        "runtime_s": math.nan,
        "worker": "",
    }


def worker_info() -> dict[str, str]:
    """What a (Dask) worker runs: checked against the client before a sweep."""
    import clssim

    return {"clssim": clssim.__version__, "host": _HOST}
