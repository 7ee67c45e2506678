"""Executors: where run tasks execute. Each yields results as runs finish.

``SerialExecutor``  in this process, one run after another (``--workers 0``);
``LocalExecutor``   a pool of worker processes on this machine (the default,
                    ``--workers N``, N = the core count unless given);
``DaskExecutor``    a running Dask distributed cluster (``--scheduler tcp://HOST:PORT``),
                    started with the standard ``dask scheduler`` / ``dask worker``
                    commands, or by dask-jobqueue on SLURM/PBS.

All run the same pure task function, so the results are bit-identical
whichever executor ran them and in whatever order they finished. Each keeps a
bounded number of tasks in flight (a few per worker), so a sweep of millions
of runs uses little memory and reacts quickly to an interrupt.

A worker process that dies (killed, out of memory) does not stop a sweep: the
local pool is restarted and the runs it held are retried, and a run whose
worker died three times is recorded as failed. Dask reschedules the tasks of a
lost worker itself (up to ``distributed.scheduler.allowed-failures`` times).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from clssim.experiments.tasks import failed_result, one_line, run_task, worker_info
from clssim.scenario import ScenarioError

Task = dict[str, Any]
Result = dict[str, Any]
MAX_ATTEMPTS = 3


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


class SerialExecutor:
    """Runs tasks one by one in this process (debugging, tiny sweeps)."""

    description = "in-process (serial)"
    workers = 1

    def map_unordered(
        self, tasks: Iterable[Task], fn: Callable[[Task], Result] = run_task
    ) -> Iterator[Result]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        pass


def _worker_init(parent: int) -> None:
    """Worker initializer: the parent handles Ctrl-C, and a worker whose parent died
    (even by ``kill -9``) exits within a second instead of lingering."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # pragma: no cover - pid reused by another user
                os._exit(1)

    threading.Thread(target=watch, name="clssim-parent-watch", daemon=True).start()


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where available (workers fork from a process that has already
    imported the model), else spawn; never plain fork (unsafe with threads)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["clssim.experiments.tasks", "clssim.model"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


class LocalExecutor:
    """A pool of worker processes on this machine."""

    def __init__(self, workers: int | None = None, *, in_flight_per_worker: int = 2):
        self.workers = workers or default_workers()
        if self.workers < 1:
            raise ScenarioError(f"option --workers = {workers}: must be at least 1")
        self.description = f"local pool of {self.workers} worker process(es)"
        self._window = max(2, self.workers * in_flight_per_worker)
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=_context(),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        return self._pool

    def map_unordered(
        self, tasks: Iterable[Task], fn: Callable[[Task], Result] = run_task
    ) -> Iterator[Result]:
        todo = iter(tasks)
        retry: list[Task] = []
        attempts: dict[int, int] = {}
        pool = self._new_pool()
        pending: dict[Future, Task] = {}

        def refill() -> None:
            while len(pending) < self._window:
                task = retry.pop() if retry else next(todo, None)
                if task is None:
                    return
                pending[pool.submit(fn, task)] = task

        refill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                task = pending.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    broken = True
                    retry.append(task)
            if broken:  # a worker died: every task it held is lost; restart the pool
                retry.extend(pending.values())
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = self._new_pool()
                keep = []
                for task in retry:
                    n = attempts[task["run_id"]] = attempts.get(task["run_id"], 0) + 1
                    if n >= MAX_ATTEMPTS:
                        yield failed_result(task, f"worker process died {n} times running it")
                    else:
                        keep.append(task)
                retry = sorted(keep, key=lambda t: -t["run_id"])
            refill()

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        procs = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:  # do not wait for runs in flight: they are re-run on resume
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=5)


_ADDRESS = re.compile(r"^(?:(tcp|tls|ws|wss|ucx)://)?(\[[0-9a-fA-F:]+\]|[^\s/:\[\]]+):(\d{1,5})$")


def check_address(address: str) -> str:
    """A scheduler address as ``SCHEME://HOST:PORT`` (tcp when no scheme is given)."""
    m = _ADDRESS.match(address or "")
    if not m or not 0 < int(m.group(3)) < 65536:
        raise ScenarioError(
            f"option --scheduler = {address!r}: expected tcp://HOST:PORT "
            "(or tls://, ws://, wss://, ucx://)"
        )
    return address if m.group(1) else f"tcp://{address}"


class DaskExecutor:
    """Tasks go to a running Dask distributed scheduler."""

    def __init__(self, address: str, *, timeout: float = 10.0):
        address = check_address(address)
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - a dependency
            raise ScenarioError(
                f"option --scheduler: Dask distributed is not installed: {exc}"
            ) from None
        self.address = address
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise ScenarioError(
                f"option --scheduler = {address}: cannot reach a Dask scheduler there "
                f"within {timeout:g} s ({one_line(exc, 200)})"
            ) from None
        import clssim

        try:
            infos = self.client.run(worker_info)
        except Exception as exc:
            self.client.close()
            raise ScenarioError(
                f"option --scheduler = {address}: the workers cannot import clssim "
                f"({one_line(exc, 200)}); install it where the workers run"
            ) from None
        bad = {w: i["clssim"] for w, i in infos.items() if i["clssim"] != clssim.__version__}
        if bad:
            self.client.close()
            worker, version = next(iter(bad.items()))
            raise ScenarioError(
                f"option --scheduler = {address}: worker {worker} runs clssim {version}, "
                f"this is clssim {clssim.__version__}; results would differ"
            )
        self.workers = max(1, sum(self.client.nthreads().values()))
        if not infos:
            print(
                f"clssim: note: no worker is connected to {address} yet; "
                "runs start when workers join",
                file=sys.stderr,
            )
        self.description = f"Dask cluster at {address} ({len(infos)} workers)"
        self._token = uuid.uuid4().hex[:8]

    def map_unordered(
        self, tasks: Iterable[Task], fn: Callable[[Task], Result] = run_task
    ) -> Iterator[Result]:
        from distributed import as_completed

        todo = iter(tasks)
        pending: dict[Any, Task] = {}
        ac = as_completed(loop=self.client.loop)

        sized = [0.0, 8]  # when the window was last sized, and its size

        def refill() -> None:
            now = time.monotonic()
            if now - sized[0] > 5.0:  # follow workers joining and leaving, cheaply
                sized[:] = [now, max(8, 4 * max(1, sum(self.client.nthreads().values())))]
            window = sized[1]
            while len(pending) < window:
                task = next(todo, None)
                if task is None:
                    return
                key = f"clssim-run-{self._token}-{task['run_id']}"
                fut = self.client.submit(fn, task, key=key, pure=False)
                pending[fut] = task
                ac.add(fut)

        refill()
        while pending:
            fut = next(ac)
            task = pending.pop(fut)
            if fut.status == "finished":
                result = fut.result()
            else:  # e.g. KilledWorker: its workers died too often running it
                result = failed_result(task, one_line(fut.exception()))
            fut.release()
            yield result
            refill()

    def close(self) -> None:
        client, self.client = getattr(self, "client", None), None
        if client is not None:
            client.close()


def make_executor(workers: int | None = None, scheduler: str | None = None, timeout: float = 10.0):
    """The executor the CLI options ask for."""
    if scheduler:
        return DaskExecutor(scheduler, timeout=timeout)
    if workers == 0:
        return SerialExecutor()
    if workers is not None and workers < 0:
        raise ScenarioError(f"option --workers = {workers}: must be 0 (in-process) or more")
    return LocalExecutor(workers)
