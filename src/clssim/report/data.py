"""Loading what a report is made of: run directories, comparisons, sweeps.

A *study* has one or more *arms* (a scenario), each with one or more runs
(replicates with different seeds). A single ``clssim run`` directory is a
study with one arm and one run; a ``clssim compare`` directory has an arm per
scenario and a run directory per replicate under ``runs/<arm>/seed-<n>/``; a
``clssim sweep`` / ``clssim sensitivity`` directory has a table of runs and,
for sensitivity, the indices.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clssim.experiments.compare import evidence_and_fixed
from clssim.mapfile import load_map
from clssim.scenario import ScenarioError


@dataclass
class Run:
    """The files of one run directory."""

    path: Path
    summary: dict[str, Any]
    timeseries: pd.DataFrame
    cells: pd.DataFrame
    events: pd.DataFrame
    residents: pd.DataFrame | None = None
    diagnosis: dict[str, Any] | None = None
    measures: pd.DataFrame | None = None
    stages: list[dict[str, Any]] | None = None

    @classmethod
    def load(cls, path: Path) -> Run:
        def parquet(name: str) -> pd.DataFrame | None:
            p = path / f"{name}.parquet"
            return pd.read_parquet(p) if p.is_file() else None

        def js(name: str) -> Any:
            p = path / name
            return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None

        # summary.json writes an undefined indicator as null: read it back as NaN
        summary = {k: math.nan if v is None else v for k, v in js("summary.json").items()}
        return cls(
            path=path,
            summary=summary,
            timeseries=parquet("timeseries"),
            cells=parquet("cells"),
            events=parquet("events"),
            residents=parquet("residents"),
            diagnosis=js("diagnosis.json"),
            measures=parquet("measures"),
            stages=js("stages.json"),
        )

    @cached_property
    def streets(self) -> list[np.ndarray]:
        """The real streets of the run's map, in cell units (none on other maps)."""
        try:
            world = tomllib.loads((self.path / "scenario.toml").read_text("utf-8"))["world"]
            where = Path(world["map"])
            return load_map(where).streets if where.suffix == ".parquet" else []
        except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError):
            return []  # no map, or a map moved since the run: draw the grid alone

    @property
    def seed(self) -> int:
        return int(self.summary["seed"])

    @property
    def has_contract(self) -> bool:
        return "cost_eur" in self.summary

    @property
    def grid(self) -> tuple[int, int]:
        return int(self.cells["x"].max()) + 1, int(self.cells["y"].max()) + 1


@dataclass
class Study:
    """Everything a report shows."""

    kind: str  #: "run", "compare" or "sweep"
    path: Path
    arms: dict[str, list[Run]] = field(default_factory=dict)  #: baseline first
    comparison: dict[str, Any] | None = None
    sweep_runs: pd.DataFrame | None = None
    sensitivity: dict[str, Any] | None = None
    images: dict[str, Path] = field(default_factory=dict)  #: figures made by the sweep
    #: one row per run (arm, replicate seed, summary numbers) when the study stored
    #: it (``compare``'s ``runs.parquet``), so a report needs no per-run files
    table: pd.DataFrame | None = None

    @property
    def baseline(self) -> str:
        return next(iter(self.arms))

    @property
    def variants(self) -> list[str]:
        return list(self.arms)[1:]

    @property
    def replicates(self) -> int:
        """Replicates present in every arm (failed runs do not count)."""
        if self.table is not None:
            counts = self.table.groupby("arm").size()
            return int(min((counts.get(arm, 0) for arm in self.arms), default=0))
        return min((len(r) for r in self.arms.values()), default=0)

    @property
    def has_run_files(self) -> bool:
        """Every arm has its runs' directories (``compare --no-run-files`` keeps none)."""
        return all(self.arms.values())

    def contract_arm(self) -> str | None:
        """The first arm with a contract (the plan the report is about)."""
        for name, runs in self.arms.items():
            if runs and runs[0].has_contract:
                return name
        return None


def is_run_dir(path: Path) -> bool:
    return (path / "summary.json").is_file() and (path / "timeseries.parquet").is_file()


def load_study(path: str | Path) -> Study:
    """Recognise and load a run, comparison or sweep directory."""
    path = Path(path)
    if not path.is_dir():
        raise ScenarioError(f"{path}: not a directory (give a run, compare or sweep output)")
    if is_run_dir(path):
        run = Run.load(path)
        return Study("run", path, {run.summary["scenario"]: [run]})
    if (path / "comparison.json").is_file():
        return _load_comparison(path)
    if (path / "experiment.json").is_file() or any(path.glob("*.parquet")):
        return _load_sweep(path)
    raise ScenarioError(
        f"{path}: no summary.json, comparison.json or sweep table here; "
        "give the --out directory of clssim run, compare, sweep or sensitivity"
    )


def _load_comparison(path: Path) -> Study:
    comparison = json.loads((path / "comparison.json").read_text(encoding="utf-8"))
    arms: dict[str, list[Run]] = {}
    for arm in comparison["arms"]:
        runs = sorted(
            (Run.load(d) for d in (path / "runs" / arm).glob("seed-*") if is_run_dir(d)),
            key=lambda r: r.seed,
        )
        arms[arm] = runs
    table = None
    if (path / "runs.parquet").is_file():
        runs = pd.read_parquet(path / "runs.parquet")
        if "status" in runs:
            runs = runs[runs["status"] == "ok"]
        runs, _ = evidence_and_fixed(runs)  # the fixed-effect runs only split the CIs
        # pair on the seed: common random numbers give each replicate the same seed in every arm
        table = runs.drop(columns=["replicate"]).rename(columns={"seed": "replicate"})
    return Study("compare", path, arms, comparison=comparison, table=table)


def _load_sweep(path: Path) -> Study:
    from clssim.experiments.store import load as load_runs

    study = Study("sweep", path)
    try:
        study.sweep_runs = load_runs(path)
    except (ScenarioError, FileNotFoundError, ValueError):
        study.sweep_runs = None
    for name in ("sensitivity.json", "morris.json", "sobol.json"):
        p = path / name
        if p.is_file():
            study.sensitivity = json.loads(p.read_text(encoding="utf-8"))
            break
    study.images = {p.stem: p for p in sorted(path.glob("*.png"))}
    return study
