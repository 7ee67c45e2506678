"""Overhead and scaling of the sweep machinery (``clssim sweep``).

Run from the repository root::

    python benchmarks/sweep_overhead.py            # about 2 minutes on 2 cores
    python benchmarks/sweep_overhead.py --quick    # smoke run, under a minute

It measures, and writes to ``benchmarks/sweep_results.md`` (``--quick`` only
prints):

1. **Per-run overhead.** A sweep of a *trivial model* (the ``null_run``
   runner: the task validates the run's scenario, extracts the outputs and
   returns, but simulates nothing) through the whole machinery — plan, task
   dicts, executor, journal, Parquet batches, final table — gives the cost of
   the machinery per run. It is set against a real small run
   (800 residents, 16 × 16 cells, a quarter of a year), timed bare with
   ``CLSModel(...).run()``.
2. **Throughput.** Runs per second of that real small run through
   ``clssim sweep``'s executors: in-process, and a local pool of 1 and 2
   worker processes (pool start-up included; its share shrinks as sweeps grow).

Each sweep is timed in ``rounds`` interleaved rounds and the best is kept, so
a neighbour's burst of work on a shared machine spoils a round, not the
result. Nothing here asserts on timings. numpy is kept single-threaded in every
process (``THREAD_VARS``), so the worker count is the number of cores used.
The load average before and after is written beside the numbers: on a shared
machine a busy neighbour slows everything.
"""

# ruff: noqa: E402  -- thread limits must be set before numpy is imported
from __future__ import annotations

import os

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
for _var in THREAD_VARS:
    os.environ[_var] = "1"

import argparse
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import clssim
from clssim import CLSModel, load_scenario
from clssim.experiments.executors import LocalExecutor, SerialExecutor, default_workers
from clssim.experiments.outputs import parse_output
from clssim.experiments.plan import Base, Plan, RunSet
from clssim.experiments.sweep import run_plan
from clssim.experiments.tasks import run_task

HERE = Path(__file__).resolve().parent
SMALL = {
    "population.residents": 800,
    "world.width": 16,
    "world.height": 16,
    "time.years": 0.25,
}
OUTPUTS = ["offences_true", "mean_trust"]


def small_plan(runs: int, runner: str) -> Plan:
    """``runs`` runs of the small scenario: 4 officer levels × replicates."""
    scenario = load_scenario().with_overrides(SMALL)
    levels = [2, 6, 10, 14]
    return Plan(
        name="bench",
        bases={"small": Base.of(scenario)},
        sets=[
            RunSet(
                index=i,
                base="small",
                overrides={"police.officers": n},
                labels={"police.officers": n},
            )
            for i, n in enumerate(levels)
        ],
        replicates=max(1, runs // len(levels)),
        outputs=[parse_output(o) for o in OUTPUTS],
        label_types={"police.officers": "int"},
        runner=runner,
    )


def timed_sweep(plan: Plan, executor) -> tuple[float, float]:
    """(wall seconds of the whole sweep, runs per second)."""
    tmp = Path(tempfile.mkdtemp(prefix="clssim-bench-"))
    try:
        t0 = time.perf_counter()
        report = run_plan(plan, tmp / "out", executor=executor)
        wall = time.perf_counter() - t0
        assert report.complete and report.failed == 0
        return wall, plan.n_runs / wall
    finally:
        executor.close()
        shutil.rmtree(tmp, ignore_errors=True)


def bare_run_seconds(repeats: int) -> float:
    """Median seconds of one small run, model only (no machinery)."""
    scenario = load_scenario().with_overrides(SMALL)
    CLSModel(scenario, seed=999).run()  # warm caches and imports
    times = []
    for seed in range(repeats):
        t0 = time.perf_counter()
        CLSModel(scenario, seed=seed + 1).run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def task_seconds(repeats: int) -> float:
    """Median seconds of one trivial task in this process (validation + outputs)."""
    plan = small_plan(4, "clssim.experiments.tasks:null_run")
    tasks = list(plan.tasks())
    run_task(tasks[0])
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        run_task(tasks[i % len(tasks)])
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def pool_startup_seconds(workers: int) -> float:
    """Seconds from creating a local pool to its first (trivial) result."""
    plan = small_plan(workers, "clssim.experiments.tasks:null_run")
    executor = LocalExecutor(workers)
    try:
        t0 = time.perf_counter()
        next(iter(executor.map_unordered(plan.tasks())))
        return time.perf_counter() - t0
    finally:
        executor.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (smoke test)")
    args = parser.parse_args()
    quick = args.quick
    load_before = os.getloadavg()
    null_runs = 400 if quick else 2000
    real_runs = 16 if quick else 40
    rounds = 1 if quick else 3

    rows: list[tuple[str, str]] = []
    print("measuring ...", flush=True)
    bare = bare_run_seconds(5 if quick else 15)
    task = task_seconds(200 if quick else 1000)

    null = "clssim.experiments.tasks:null_run"
    model = "clssim.experiments.tasks:run_model"
    # the first pool starts the forkserver, which imports the model once: not measured
    timed_sweep(small_plan(8, null), LocalExecutor(1))
    startup = {n: min(pool_startup_seconds(n) for _ in range(rounds)) for n in (1, 2)}
    # best of `rounds` interleaved rounds: a busy neighbour slows some rounds, not all
    results: dict[tuple[str, str], tuple[float, float]] = {}
    for _ in range(rounds):
        for label, make in (
            ("in-process", SerialExecutor),
            ("1 worker", lambda: LocalExecutor(1)),
            ("2 workers", lambda: LocalExecutor(2)),
        ):
            for kind, runner, n in (("null", null, null_runs), ("real", model, real_runs)):
                wall, rate = timed_sweep(small_plan(n, runner), make())
                best = results.get((kind, label))
                if best is None or rate > best[1]:
                    results[(kind, label)] = (wall, rate)
        print(f"  round {_ + 1} of {rounds}: done", flush=True)

    null_serial_wall = results[("null", "in-process")][0]
    per_run_overhead = null_serial_wall / null_runs
    real_serial_wall, real_serial_rate = results[("real", "in-process")]
    load_after = os.getloadavg()

    rows.append(("one small run, model only (median)", f"{bare * 1000:.1f} ms"))
    rows.append(
        ("one trivial task in-process: scenario validation + outputs", f"{task * 1e3:.2f} ms")
    )
    rows.append(
        (
            f"sweep machinery per run, trivial model, in-process ({null_runs} runs)",
            f"{per_run_overhead * 1e3:.2f} ms = {per_run_overhead / bare:.2%} of a small run",
        )
    )
    for n in (1, 2):
        rows.append(
            (f"local pool start-up to first result, {n} worker(s)", f"{startup[n] * 1e3:.0f} ms")
        )
    for label in ("1 worker", "2 workers"):
        wall, rate = results[("null", label)]
        rows.append(
            (
                f"trivial model, local pool, {label} ({null_runs} runs, start-up included)",
                f"{rate:,.0f} runs/s ({wall / null_runs * 1e3:.2f} ms per run = "
                f"{wall / null_runs / bare:.2%} of a small run)",
            )
        )
    rows.append(
        (
            f"small runs, in-process ({real_runs} runs)",
            f"{real_serial_rate:.2f} runs/s ({real_serial_wall / real_runs * 1e3:.0f} ms per run)",
        )
    )
    r1 = results[("real", "1 worker")][1]
    r2 = results[("real", "2 workers")][1]
    rows.append((f"small runs, local pool, 1 worker ({real_runs} runs)", f"{r1:.2f} runs/s"))
    rows.append((f"small runs, local pool, 2 workers ({real_runs} runs)", f"{r2:.2f} runs/s"))
    rows.append(("speed-up, 2 workers over 1", f"{r2 / r1:.2f}×"))

    width = max(len(k) for k, _ in rows)
    table = "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
    print()
    print(table)

    md = [
        "# Sweep machinery: overhead and scaling",
        "",
        f"`python benchmarks/sweep_overhead.py{' --quick' if quick else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; clssim {clssim.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{default_workers()} cores; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after. numpy single-threaded in every process.",
        "",
        f"Small run: the default neighbourhood with {SMALL['population.residents']} "
        f"residents on {SMALL['world.width']} × {SMALL['world.height']} cells for "
        f"{SMALL['time.years']} years. Trivial model: the `null_run` runner (the task "
        "validates the run's scenario and extracts its outputs, but simulates nothing).",
        f"Sweeps: best of {rounds} interleaved rounds (runs/s), pool start-up included.",
        "",
        "| measurement | result |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows],
        "",
    ]
    if not quick:
        out = HERE / "sweep_results.md"
        out.write_text("\n".join(md), encoding="utf-8")
        print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
