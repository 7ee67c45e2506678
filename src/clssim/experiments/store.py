"""The run store: one row per run, on disk, safe against being killed.

A sweep directory holds::

    manifest.json       what the experiment is (its digest), how many runs, the columns
    experiment.toml     the experiment file as given (sweeps and sensitivity analyses)
    design.parquet      one row per parameter set: its values (and unit-cube point)
    journal.jsonl       runs finished since the last batch, one JSON line each
    parts/part-*.parquet  batches of finished runs
    runs.parquet        when every run is stored: the whole table, sorted by run_id
    timings.parquet     when every run is stored: run_id, runtime_s, worker

Every finished run is appended to the journal at once (one ``write`` of one
line, flushed), and every ``batch_rows`` runs or ``flush_seconds`` seconds the
journal is written as a Parquet part (to a temporary name, fsynced, then
renamed with :func:`os.replace`, so a part is either whole or absent) and
emptied. A process killed at any moment, even by ``kill -9``, therefore loses
only the runs that were still computing; a torn last journal line is ignored.
A run found twice (killed between writing a part and emptying the journal) is
the same run: the first copy is kept.

The table (:func:`load`) has the deterministic columns ``run_id``,
``set_index``, ``replicate``, ``seed``, one column per parameter (or ``arm``),
one float64 column per output (NaN when the run failed), ``status`` (``ok`` or
``failed``) and ``error``. Wall-clock columns — ``runtime_s`` and ``worker``
(host/pid) — differ from one execution to the next, so they are kept apart:
``load(DIR, timings=True)`` adds them, and the finished store writes them to
``timings.parquet``. ``runs.parquet`` is thus byte-identical whichever
executor ran the sweep, in whatever order, and however often it was resumed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import clssim
from clssim.scenario import ScenarioError

FORMAT = 1
ID_COLUMNS = ("run_id", "set_index", "replicate", "seed")
STATUS_COLUMNS = ("status", "error")
TIMING_COLUMNS = ("runtime_s", "worker")
_ARROW = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}


def schema_of(label_types: dict[str, str], outputs: list[str], timings: bool = True) -> pa.Schema:
    """The Arrow schema of the runs table."""
    fields = [pa.field(c, pa.int64()) for c in ID_COLUMNS]
    fields += [pa.field(k, _ARROW[t]) for k, t in label_types.items()]
    fields += [pa.field(o, pa.float64()) for o in outputs]
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string())]
    if timings:
        fields += [pa.field("runtime_s", pa.float64()), pa.field("worker", pa.string())]
    return pa.schema(fields)


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_table(table: pa.Table, path: Path) -> None:
    _atomic_write(path, lambda p: pq.write_table(table, p))


def _read_manifest(root: Path) -> dict[str, Any] | None:
    path = root / "manifest.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{path}: unreadable manifest ({exc})") from None


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines journal (none if it is missing), skipping a
    line cut short by a kill."""
    records = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


#: files an output directory may hold before its store is written
SEARCH_JOURNAL = "search.jsonl"
NOT_RESULTS = (".lock", "runs", SEARCH_JOURNAL)


class Store:
    """Writes the runs of one plan into a directory (see the module docstring)."""

    def __init__(
        self,
        root: str | Path,
        plan: Any,
        *,
        batch_rows: int = 200,
        flush_seconds: float = 10.0,
        experiment_text: str | None = None,
    ):
        self.root = Path(root)
        self.plan = plan
        self.batch_rows = batch_rows
        self.flush_seconds = flush_seconds
        self.experiment_text = experiment_text
        self.schema = schema_of(plan.label_types, plan.output_names)
        self._buffer: list[dict[str, Any]] = []
        self._journal = None
        self._lock = None
        self._last_flush = 0.0
        self._next_part = 1
        self._complete = False
        clash = set(plan.label_types) & (
            set(ID_COLUMNS) | set(STATUS_COLUMNS) | set(TIMING_COLUMNS) | set(plan.output_names)
        )
        if clash:
            raise ScenarioError(f"column name {sorted(clash)[0]!r} is used twice")

    # ------------------------------------------------------------------ checks
    def check(self, resume: bool) -> int:
        """Refuse a directory this sweep must not write (before anything runs).

        Returns the number of runs already stored (0 for a new directory).
        """
        root = self.root
        if root.exists() and not root.is_dir():
            raise ScenarioError(f"--out {root}: exists and is not a directory")
        manifest = _read_manifest(root) if root.is_dir() else None
        if manifest is None:
            # ".lock", "runs" (the run files of a comparison still being extended
            # by --precision, written before its store) and a mixes search's journal
            # hold no results of their own
            if root.is_dir() and any(p for p in root.iterdir() if p.name not in NOT_RESULTS):
                raise ScenarioError(
                    f"--out {root}: exists, is not empty and holds no clssim sweep; "
                    "choose another directory"
                )
            return 0
        if manifest.get("digest") != self.plan.digest():
            raise ScenarioError(
                f"--out {root}: holds another experiment ({manifest.get('name')!r}, "
                "different scenario, parameters, seeds or outputs); choose another directory"
            )
        stored = len(self._stored_ids())
        if not resume:
            raise ScenarioError(
                f"--out {root}: already holds {stored} of {self.plan.n_runs} runs of this "
                "experiment; pass --resume to continue (or choose another directory)"
            )
        if manifest.get("clssim_version") != clssim.__version__:
            raise ScenarioError(
                f"--out {root}: was written by clssim {manifest.get('clssim_version')}, "
                f"this is {clssim.__version__}; results would not match"
            )
        return stored

    def _stored_ids(self) -> set[int]:
        table = read_table(self.root, self.schema)
        return set(table.column("run_id").to_pylist()) if table is not None else set()

    # ------------------------------------------------------------------ writing
    def open(self) -> set[int]:
        """Create or reopen the directory; returns the run ids already stored."""
        import time

        root = self.root
        root.mkdir(parents=True, exist_ok=True)
        (root / "parts").mkdir(exist_ok=True)
        self._take_lock()
        for tmp in [*root.glob(".*.tmp"), *(root / "parts").glob(".*.tmp")]:
            tmp.unlink()
        if _read_manifest(root) is None:
            self._write_new()
        parts = sorted((root / "parts").glob("part-*.parquet"))
        if parts:
            self._next_part = int(parts[-1].stem.split("-")[1]) + 1
        recovered = _read_journal(root / "journal.jsonl")
        done = self._stored_ids()
        in_parts = _ids_in_parts(root)
        self._buffer = [r for r in recovered if r["run_id"] not in in_parts]
        self._journal = open(root / "journal.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        self._last_flush = time.monotonic()
        if self._buffer:
            self.flush()
        return done

    def _take_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no locking
            return
        fh = open(self.root / ".lock", "a+")  # noqa: SIM115
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise ScenarioError(
                f"--out {self.root}: another clssim process is writing this directory"
            ) from None
        self._lock = fh

    def _write_new(self) -> None:
        plan = self.plan
        if self.experiment_text is not None:
            text = self.experiment_text
            _atomic_write(
                self.root / "experiment.toml", lambda p: Path(p).write_text(text, encoding="utf-8")
            )
        design = design_table(plan)
        _write_table(design, self.root / "design.parquet")
        manifest = {
            "format": FORMAT,
            "name": plan.name,
            "digest": plan.digest(),
            "n_runs": plan.n_runs,
            "n_sets": len(plan.sets),
            "replicates": plan.replicates,
            "seed_policy": plan.seed_policy,
            "root_seed": plan.root_seed,
            "labels": plan.label_types,
            "outputs": plan.output_names,
            "meta": plan.meta,
            "clssim_version": clssim.__version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        body = json.dumps(manifest, indent=2) + "\n"
        _atomic_write(self.root / "manifest.json", lambda p: Path(p).write_text(body))

    def add(self, row: dict[str, Any]) -> None:
        """Store one finished run (journal now, Parquet with the next batch)."""
        import time

        assert self._journal is not None
        self._journal.write(json.dumps(row, allow_nan=True) + "\n")
        self._journal.flush()
        self._buffer.append(row)
        if (
            len(self._buffer) >= self.batch_rows
            or time.monotonic() - self._last_flush >= self.flush_seconds
        ):
            self.flush()

    def flush(self) -> None:
        """Write the buffered runs as one Parquet part and empty the journal."""
        import time

        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        table = pa.Table.from_pylist(self._buffer, schema=self.schema)
        path = self.root / "parts" / f"part-{self._next_part:06d}.parquet"
        _write_table(table, path)
        self._next_part += 1
        self._buffer = []
        if self._journal is not None:
            self._journal.truncate(0)
            self._journal.seek(0)
            self._journal.flush()

    def finalize(self) -> bool:
        """If every run is stored: write runs.parquet and timings.parquet, drop the
        parts and the journal. Returns whether the store is complete."""
        self.flush()
        table = read_table(self.root, self.schema)
        if table is None or table.num_rows < self.plan.n_runs:
            return False
        canon = [c for c in table.column_names if c not in TIMING_COLUMNS]
        _write_table(table.select(canon), self.root / "runs.parquet")
        _write_table(table.select(["run_id", *TIMING_COLUMNS]), self.root / "timings.parquet")
        for part in (self.root / "parts").glob("part-*.parquet"):
            part.unlink()
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        (self.root / "journal.jsonl").unlink(missing_ok=True)
        if not any((self.root / "parts").iterdir()):
            (self.root / "parts").rmdir()
        self._complete = True
        return True

    def close(self) -> None:
        if self._journal is not None:
            try:
                self.flush()
            finally:
                self._journal.close()
                self._journal = None
        if self._lock is not None:
            if self._complete:
                (self.root / ".lock").unlink(missing_ok=True)
            self._lock.close()
            self._lock = None


def design_table(plan: Any) -> pa.Table:
    """One row per parameter set: its labels, and its unit-cube point if sampled."""
    cols: dict[str, Any] = {"set_index": [s.index for s in plan.sets]}
    for k in plan.label_types:
        cols[k] = [s.labels[k] for s in plan.sets]
    schema = [pa.field("set_index", pa.int64())]
    schema += [pa.field(k, _ARROW[t]) for k, t in plan.label_types.items()]
    if plan.unit is not None:
        names = plan.meta.get("parameters", [f"x{i}" for i in range(plan.unit.shape[1])])
        for i, name in enumerate(names):
            cols[f"u:{name}"] = [float(x) for x in plan.unit[:, i]]
            schema.append(pa.field(f"u:{name}", pa.float64()))
    return pa.Table.from_pydict(cols, schema=pa.schema(schema))


def _read_journal(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.endswith("\n"):
                break  # torn last line: the process died while writing it
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    return rows


def _ids_in_parts(root: Path) -> set[int]:
    ids: set[int] = set()
    for path in _table_files(root):
        ids.update(pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist())
    return ids


def _table_files(root: Path) -> list[Path]:
    files = sorted((root / "parts").glob("part-*.parquet")) if (root / "parts").is_dir() else []
    return [root / "runs.parquet", *files] if (root / "runs.parquet").is_file() else files


def read_table(root: str | Path, schema: pa.Schema | None = None) -> pa.Table | None:
    """Every stored run (all columns, timings included), sorted by run_id, or None."""
    root = Path(root)
    if schema is None:
        manifest = _read_manifest(root)
        if manifest is None:
            raise ScenarioError(f"{root}: not a clssim sweep directory (no manifest.json)")
        schema = schema_of(manifest["labels"], manifest["outputs"])
    pieces: list[pa.Table] = []
    runs = root / "runs.parquet"
    if runs.is_file():
        table = pq.read_table(runs)
        timings = root / "timings.parquet"
        if timings.is_file():
            table = table.join(pq.read_table(timings), "run_id", join_type="left outer")
        else:
            for name in TIMING_COLUMNS:
                table = table.append_column(
                    schema.field(name), pa.nulls(table.num_rows, schema.field(name).type)
                )
        pieces.append(table.select(schema.names).cast(schema))
    for path in _table_files(root):
        if path != runs:
            pieces.append(pq.read_table(path).select(schema.names).cast(schema))
    journal = _read_journal(root / "journal.jsonl")
    if journal:
        pieces.append(pa.Table.from_pylist(journal, schema=schema))
    if not pieces:
        return None
    table = pa.concat_tables(pieces)
    # keep the first copy of each run, then order by run_id
    ids = table.column("run_id").to_pylist()
    seen: set[int] = set()
    keep = []
    for i, rid in enumerate(ids):
        if rid not in seen:
            seen.add(rid)
            keep.append(i)
    table = table.take(keep)
    return table.sort_by("run_id")


def load(root: str | Path, *, timings: bool = False):
    """The runs table of a sweep directory as a pandas DataFrame, sorted by run_id.

    Without ``timings`` only the deterministic columns are returned: the same
    experiment gives an equal table whatever executor ran it and however often
    it was interrupted and resumed.
    """
    table = read_table(root)
    if table is None:
        manifest = _read_manifest(Path(root)) or {}
        table = schema_of(manifest.get("labels", {}), manifest.get("outputs", [])).empty_table()
    if not timings:
        table = table.select([c for c in table.column_names if c not in TIMING_COLUMNS])
    return table.to_pandas()
