"""A plan: every run of an experiment, as plain data.

A plan lists parameter sets (each a base scenario, overrides and the labels
stored in the table) and how many replicates each has. Run ``i`` is
replicate ``i % replicates`` of set ``i // replicates``; its seed comes from
the seed policy (:mod:`clssim.experiments.seeds`). A sweep, a comparison
(one set per arm) and a sensitivity analysis (one set per design point) are
all plans, run by the same machinery.

:meth:`Plan.digest` hashes everything that determines the runs' results (base
scenarios, map files' contents, overrides, seeds, outputs, runner), so
``--resume`` can refuse a directory that holds another experiment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from clssim.experiments.methods import design_points
from clssim.experiments.outputs import Output
from clssim.experiments.seeds import MAX_SEED, run_seed
from clssim.scenario import Scenario, ScenarioError

DEFAULT_RUNNER = "clssim.experiments.tasks:run_model"


@dataclass(frozen=True)
class Base:
    """A base scenario as plain data (picklable, hashable content)."""

    data: dict[str, Any]
    base_dir: str
    map_sha256: str | None = None

    @classmethod
    def of(cls, scenario: Scenario) -> Base:
        digest = None
        if scenario.world.map is not None:
            digest = hashlib.sha256(scenario.map_path().read_bytes()).hexdigest()
        return cls(scenario.to_dict(), str(Path(scenario.base_dir).resolve()), digest)

    def content(self) -> dict[str, Any]:
        """What determines the runs (not where the files live, unless a map is used)."""
        return {"scenario": self.data, "map_sha256": self.map_sha256}

    def key(self) -> str:
        """A short digest of the content (workers cache validated bases by it)."""
        blob = json.dumps(self.content(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class RunSet:
    """One parameter set (or comparison arm)."""

    index: int
    base: str
    overrides: dict[str, Any]
    labels: dict[str, Any]
    #: added to every seed of the set (``clssim robust``: one seed per future,
    #: shared by the plans evaluated in it)
    seed_offset: int = 0


@dataclass
class Plan:
    """Every run of an experiment."""

    name: str
    bases: dict[str, Base]
    sets: list[RunSet]
    replicates: int
    outputs: list[Output]
    label_types: dict[str, str]  #: label column → int | float | str | bool
    seed_policy: str = "common"
    root_seed: int = 1
    runner: str = DEFAULT_RUNNER
    unit: np.ndarray | None = None  #: unit-cube design points (Morris/Sobol/LHS)
    meta: dict[str, Any] = field(default_factory=dict)
    #: when set, every run also writes its files to ``run_files/runs/<base>/seed-<seed>/``
    #: (not part of the digest: where files go does not change the results)
    run_files: str | None = None

    def __post_init__(self) -> None:
        last = self.root_seed + self.replicates - 1
        if self.seed_policy == "common" and not 0 <= self.root_seed <= last <= MAX_SEED:
            raise ScenarioError(
                f"root seed = {self.root_seed}: replicates run with seeds root … root + "
                f"{self.replicates - 1}, which must lie in [0, 2**63 - 1]; use a root seed "
                "(the base scenario's seed, [seeds] root or --seed) in [0, 2**62)"
            )

    @property
    def n_runs(self) -> int:
        return len(self.sets) * self.replicates

    @property
    def output_names(self) -> list[str]:
        return [o.name for o in self.outputs]

    def seed(self, set_index: int, replicate: int) -> int:
        offset = self.sets[set_index].seed_offset if self.sets else 0
        return run_seed(self.seed_policy, self.root_seed + offset, set_index, replicate)

    def run_id(self, set_index: int, replicate: int) -> int:
        return set_index * self.replicates + replicate

    def tasks(self, skip: set[int] | frozenset[int] = frozenset()) -> Iterator[dict[str, Any]]:
        """Run tasks (plain dicts, see :func:`clssim.experiments.tasks.run_task`) in
        run-id order, without the runs in ``skip``."""
        outputs = self.output_names
        keys = {name: f"{name}:{b.key()}" for name, b in self.bases.items()}
        for s in self.sets:
            base = self.bases[s.base]
            for r in range(self.replicates):
                rid = self.run_id(s.index, r)
                if rid in skip:
                    continue
                seed = self.seed(s.index, r)
                yield {
                    "run_id": rid,
                    "set_index": s.index,
                    "replicate": r,
                    "seed": seed,
                    "base_key": keys[s.base],
                    "scenario": base.data,
                    "base_dir": base.base_dir,
                    "overrides": s.overrides,
                    "outputs": outputs,
                    "runner": self.runner,
                    "write_dir": self.run_dir(s, seed),
                }

    def run_dir(self, s: RunSet, seed: int) -> str | None:
        """Where a run writes its files (None: it writes none)."""
        if self.run_files is None:
            return None
        return str(Path(self.run_files) / "runs" / s.base / f"seed-{seed}")

    def row_keys(self, run_id: int) -> dict[str, Any]:
        """The deterministic identity columns of a run (ids, seed, labels)."""
        s = self.sets[run_id // self.replicates]
        r = run_id % self.replicates
        return {
            "run_id": run_id,
            "set_index": s.index,
            "replicate": r,
            "seed": self.seed(s.index, r),
            **s.labels,
        }

    def digest(self) -> str:
        """SHA-256 of everything that determines the runs' results."""
        h = hashlib.sha256()
        head = {
            "bases": {k: b.content() for k, b in sorted(self.bases.items())},
            "replicates": self.replicates,
            "outputs": self.output_names,
            "label_types": self.label_types,
            "seed_policy": self.seed_policy,
            "root_seed": self.root_seed,
            "runner": self.runner,
            "n_sets": len(self.sets),
        }
        h.update(json.dumps(head, sort_keys=True).encode())
        for s in self.sets:
            row = [s.base, s.overrides, s.labels] + ([s.seed_offset] if s.seed_offset else [])
            h.update(json.dumps(row, sort_keys=True).encode())
        return h.hexdigest()


def label_type(kind: str) -> str:
    return {"int": "int", "float": "float", "bool": "bool"}.get(kind, "str")


def plan_from_experiment(exp: Any, *, samples: int | None = None) -> Plan:
    """The plan of a :class:`~clssim.experiments.spec.LoadedExperiment`.

    ``samples`` overrides ``design.samples`` (e.g. ``clssim sensitivity --samples``).
    """
    spec = exp.spec
    d = spec.design
    kinds = {p: k[0] for p, k in exp.kinds.items()}
    sets, unit = design_points(
        d.method,
        dict(spec.parameters),
        kinds,
        samples=samples if samples is not None else d.samples,
        levels=d.levels,
        second_order=d.second_order,
        seed=d.seed,
    )
    label_types = {p: label_type(k) for p, k in kinds.items()}
    from clssim.experiments.spec import with_map_paths

    runsets = [
        RunSet(
            index=i,
            base="base",
            # a map is named relative to the experiment file; labels keep it as written
            overrides=with_map_paths(values, exp.path.parent, exp.base.base_dir),
            labels={k: _label(v, label_types[k]) for k, v in values.items()},
        )
        for i, values in enumerate(sets)
    ]
    return Plan(
        name=spec.name,
        bases={"base": Base.of(exp.base)},
        sets=runsets,
        replicates=spec.replicates,
        outputs=exp.outputs,
        label_types=label_types,
        seed_policy=spec.seeds.policy,
        root_seed=exp.root_seed,
        unit=unit,
        meta={
            "kind": "sweep",
            "design": d.method,
            "parameters": list(spec.parameters),
            "samples": samples if samples is not None else d.samples,
            "levels": d.levels,
            "second_order": d.second_order,
        },
    )


def _label(value: Any, ltype: str) -> Any:
    if value is None:
        return "none" if ltype == "str" else value
    return str(value) if ltype == "str" else value
