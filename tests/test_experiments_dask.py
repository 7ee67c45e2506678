"""Sweeps on a real Dask cluster: a scheduler and two workers on 127.0.0.1,
started with the standard ``dask scheduler`` / ``dask worker`` commands.

The table is byte-identical to the in-process one, and stays so when a
worker is killed in the middle of the sweep (Dask reruns its tasks).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from clssim.cli import main
from clssim.experiments.executors import DaskExecutor, SerialExecutor
from clssim.experiments.plan import plan_from_experiment
from clssim.experiments.spec import load_experiment
from clssim.experiments.store import load
from clssim.experiments.sweep import run_plan
from conftest import free_port
from tiny import tiny_scenario

EXPERIMENT = """\
name = "dask"
base = "tiny.toml"
replicates = 3
outputs = ["offences_true", "arrests", "mean_trust", "ts:insecurity_mean:max:last7d"]
[parameters]
"police.officers" = { values = [1, 4, 8, 12] }
"police.strategy" = { values = ["random", "hotspot"] }
[seeds]
policy = "independent"
root = 42
"""

DASK = Path(sys.executable).with_name("dask")


class Cluster:
    """A scheduler and workers as subprocesses; every one is ended at teardown."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.procs: list[subprocess.Popen] = []
        port = self.address.rsplit(":", 1)[1]
        self.scheduler = self._start(
            "scheduler",
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
        )
        self.workers = [self.start_worker(f"w{i}") for i in range(2)]
        self.wait_for_workers(2)

    def _start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def start_worker(self, name: str) -> subprocess.Popen:
        # --no-nanny: the process we kill is the worker itself
        return self._start(
            name,
            [
                str(DASK),
                "worker",
                self.address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--name",
                name,
                "--death-timeout",
                "60",
            ],
        )

    def wait_for_workers(self, n: int, timeout: float = 90) -> None:
        from distributed import Client

        deadline = time.monotonic() + timeout
        while True:
            try:
                with Client(self.address, timeout=5, set_as_default=False) as client:
                    client.wait_for_workers(n, timeout=max(1, deadline - time.monotonic()))
                    return
            except (OSError, TimeoutError):
                if time.monotonic() > deadline or self.scheduler.poll() is not None:
                    raise RuntimeError(
                        f"cluster not ready; logs: {(self.logs / 'scheduler.log').read_text()}"
                    ) from None
                time.sleep(0.5)

    def close(self) -> None:
        """Workers first (they say goodbye to the scheduler), then the scheduler."""
        workers = [p for p in self.procs if p is not self.scheduler]
        for group in (workers, [self.scheduler]):
            for proc in group:
                if proc.poll() is None:
                    proc.terminate()
            for proc in group:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    assert DASK.is_file(), f"the dask command is not installed next to {sys.executable}"
    c = Cluster(tmp_path_factory.mktemp("dask-logs"))
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """The experiment, and its table run in this process (the reference)."""
    tmp = tmp_path_factory.mktemp("dask-sweep")
    (tmp / "tiny.toml").write_text(tiny_scenario(), encoding="utf-8")
    path = tmp / "dask.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    plan = plan_from_experiment(load_experiment(path))
    run_plan(plan, tmp / "reference", executor=SerialExecutor())
    return path, plan, tmp / "reference"


def test_dask_and_local_executors_give_identical_tables(cluster, sweep, tmp_path, capsys):
    path, plan, reference = sweep
    out = tmp_path / "dask"
    code = main(["sweep", str(path), "--scheduler", cluster.address, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert "Dask cluster" in capsys.readouterr().out
    assert (out / "runs.parquet").read_bytes() == (reference / "runs.parquet").read_bytes()
    workers = set(load(out, timings=True)["worker"])
    assert len(workers) == 2  # both workers ran tasks
    local = tmp_path / "local"
    assert main(["sweep", str(path), "--workers", "2", "--out", str(local), "--quiet"]) == 0
    assert (local / "runs.parquet").read_bytes() == (reference / "runs.parquet").read_bytes()


def test_a_worker_killed_mid_sweep_loses_nothing(cluster, sweep, tmp_path):
    path, plan, reference = sweep
    out = tmp_path / "killed"
    executor = DaskExecutor(cluster.address)
    result: dict = {}

    def run() -> None:
        try:
            result["report"] = run_plan(plan, out, executor=executor, batch_rows=4)
        except BaseException as exc:  # pragma: no cover - reported below
            result["error"] = exc

    thread = threading.Thread(target=run)
    try:
        thread.start()
        deadline = time.monotonic() + 60
        journal = out / "journal.jsonl"
        while time.monotonic() < deadline and thread.is_alive():
            parts = list((out / "parts").glob("part-*.parquet")) if (out / "parts").is_dir() else []
            lines = journal.read_text().count("\n") if journal.is_file() else 0
            if len(parts) * 4 + lines >= 5:
                break
            time.sleep(0.01)
        # kill a worker that has been running tasks (it holds more in flight)
        busy = {int(w.rsplit("/", 1)[1]) for w in load(out, timings=True)["worker"] if w}
        victim = next(w for w in cluster.workers if w.pid in busy)
        assert thread.is_alive(), "the sweep ended before a worker could be killed"
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        thread.join(timeout=120)
    finally:
        executor.close()
    assert "error" not in result, result.get("error")
    report = result["report"]
    assert report.complete and report.failed == 0 and report.ran == plan.n_runs
    assert (out / "runs.parquet").read_bytes() == (reference / "runs.parquet").read_bytes()
    ran_on = load(out, timings=True)["worker"]
    assert ran_on.str.endswith(f"/{victim.pid}").any()  # the killed worker had been working
