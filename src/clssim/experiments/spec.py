"""Experiment files: TOML → a validated :class:`LoadedExperiment`.

An experiment names a base scenario, fixed overrides, the parameters to vary
(any scenario field by its dotted path, with a list of values or a range),
the design, the replicates, the seed policy and the outputs to collect::

    name = "officers_strategy"
    base = "../scenarios/neighbourhood.toml"   # relative to this file
    replicates = 3
    outputs = ["offences_true", "mean_trust", "ts:insecurity_mean:mean:last30d"]

    [overrides]                                # applied to every run
    "population.residents" = 800

    [parameters]
    "police.officers" = { values = [4, 8, 16] }
    "crime.motivation" = { range = [0.01, 0.05], levels = 3 }

    [design]
    method = "factorial"                       # factorial | lhs | morris | sobol

    [seeds]
    policy = "common"                          # common | independent
    root = 1

Everything is checked before any run starts: unknown keys, unknown parameter
paths, values the scenario would refuse, empty ranges, outputs the model does
not produce, Sobol base samples that are not a power of two. Errors raise
:class:`~clssim.scenario.ScenarioError` with one line naming the file, the
field, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from clssim.experiments.methods import METHODS as _REGISTRY
from clssim.experiments.outputs import Output, OutputError, cost_keys, parse_output
from clssim.scenario import (
    Scenario,
    ScenarioError,
    default_scenario_path,
    field_table,
    load_scenario,
    read_toml,
)
from clssim.scenario.messages import field_path, one_line
from clssim.scenario.messages import show_value as _show

__all__ = [
    "DesignSpec",
    "Experiment",
    "LoadedExperiment",
    "ParameterSpec",
    "SeedSpec",
    "field_kinds",
    "load_experiment",
    "probe_outputs",
]

#: the design methods' names, in registry order (:mod:`clssim.experiments.methods`)
METHODS = tuple(_REGISTRY)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


Scalar = bool | int | float | str


class ParameterSpec(_Strict):
    """One varied parameter: a list of ``values``, or a ``range`` [low, high]."""

    values: list[Scalar] | None = Field(
        None, min_length=1, description="The values to try (any field type)."
    )
    range: list[float] | None = Field(
        None, min_length=2, max_length=2, description="[low, high] of a numeric field."
    )
    levels: int | None = Field(
        None, ge=2, le=10_000, description="Factorial designs: evenly spaced points of the range."
    )
    scale: Literal["linear", "log"] = Field("linear", description="Spacing of a range.")

    @model_validator(mode="after")
    def _one_of(self) -> ParameterSpec:
        if (self.values is None) == (self.range is None):
            raise ValueError("give exactly one of values = [...] or range = [low, high]")
        if self.values is not None and (self.levels is not None or self.scale != "linear"):
            raise ValueError("levels and scale apply to a range, not to values")
        return self


class DesignSpec(_Strict):
    """How parameter sets are drawn."""

    method: Literal[METHODS] = Field(  # type: ignore[valid-type]
        "factorial", description="Full factorial, Latin hypercube, Morris or Sobol/Saltelli."
    )
    samples: int | None = Field(
        None,
        ge=1,
        le=10_000_000,
        description="LHS: points; Morris: trajectories; Sobol: base sample N (power of 2).",
    )
    levels: int = Field(4, ge=2, le=100, description="Morris: grid levels (even).")
    second_order: bool = Field(True, description="Sobol: also second-order indices.")
    seed: int = Field(0, ge=0, lt=2**32, description="Seed of the design's sampler.")


class SeedSpec(_Strict):
    """Which seed each run gets (see :mod:`clssim.experiments.seeds`)."""

    policy: Literal["common", "independent"] = Field(
        "common", description="common random numbers, or an independent seed per run"
    )
    root: int | None = Field(
        None, ge=0, lt=2**62, description="Root seed (default: the base scenario's seed)."
    )


class Experiment(_Strict):
    """The contents of an experiment file."""

    name: str = Field(min_length=1, description="Short name (default output: out/NAME).")
    description: str = ""
    base: str | None = Field(None, description="Base scenario, relative to this file.")
    replicates: int = Field(1, ge=1, le=1_000_000, description="Runs per parameter set.")
    outputs: list[str] = Field(min_length=1, description="Summary keys or ts: aggregates.")
    overrides: dict[str, Any] = Field(default_factory=dict, description="Fixed overrides.")
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    design: DesignSpec = Field(default_factory=DesignSpec)
    seeds: SeedSpec = Field(default_factory=SeedSpec)


# --------------------------------------------------------------------- fields


@cache
def field_kinds() -> dict[str, tuple[str, tuple[Any, ...]]]:
    """Every scenario leaf path → (kind, choices); kind is int, float, str, bool,
    choice (a Literal; choices listed) or path (optional string)."""
    out: dict[str, tuple[str, tuple[Any, ...]]] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            if name == "base_dir":
                continue
            ann = info.annotation
            path = f"{prefix}{name}"
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, f"{path}.")
                continue
            origin = typing.get_origin(ann)
            if origin is Literal:
                out[path] = ("choice", typing.get_args(ann))
            elif origin in (types.UnionType, typing.Union):
                out[path] = ("path", ())
            elif ann in (bool, int, float, str):
                out[path] = (ann.__name__, ())
            else:  # pragma: no cover - a new kind of field
                out[path] = ("other", ())

    walk(Scenario, "")
    known = {row[0] for row in field_table()}
    assert set(out) == known, set(out) ^ known
    return out


def check_path(path: str, where: str) -> tuple[str, tuple[Any, ...]]:
    """The kind of a scenario field, or a one-line error naming close matches."""
    kinds = field_kinds()
    if path in kinds:
        return kinds[path]
    close = difflib.get_close_matches(path, list(kinds), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise ScenarioError(f"{where}: unknown scenario field '{path}'{hint} (see clssim fields)")


# --------------------------------------------------------------------- loading


@dataclass
class LoadedExperiment:
    """A validated experiment with its base scenario resolved."""

    spec: Experiment
    path: Path
    text: str
    base_path: Path
    base: Scenario  #: the base scenario with the fixed overrides applied
    kinds: dict[str, tuple[str, tuple[Any, ...]]]  #: parameter path → field kind
    outputs: list[Output]
    root_seed: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name


def load_experiment(path: str | Path, *, probe: bool = True) -> LoadedExperiment:
    """Read and validate an experiment file (see the module docstring).

    With ``probe`` (the default) the base scenario is run for one slot to learn
    which outputs the model produces, so unknown outputs are refused up front.
    """
    path = Path(path)
    data, text = read_toml(path)
    src = str(path)
    try:
        spec = Experiment.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(one_line(src, exc, data, Experiment, quote=True)) from None

    # base scenario and fixed overrides
    if spec.base is None:
        base_path = default_scenario_path()
    else:
        base_path = (path.parent / spec.base).resolve()
        if not base_path.is_file():
            raise ScenarioError(f"{src}: base = {spec.base!r}: scenario file not found")
    base = load_scenario(base_path)
    for key in spec.overrides:
        check_path(key, f"{src}: overrides")
        if key == "seed":
            raise ScenarioError(f"{src}: overrides.seed: seeds are set by [seeds], not overrides")
    if spec.overrides:
        overrides = with_map_paths(spec.overrides, path.parent, base.base_dir)
        base = _apply(base, overrides, f"{src}: overrides")

    kinds: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for pname, pspec in spec.parameters.items():
        where = f"{src}: parameters.{field_path((pname,))}"
        kind = check_path(pname, f"{src}: parameters")
        if pname == "seed":
            raise ScenarioError(f"{where}: the seed is set by [seeds] (policy, root), not varied")
        if pname in spec.overrides:
            raise ScenarioError(f"{where}: also fixed in [overrides]; vary it or fix it, not both")
        _check_parameter(base, pname, pspec, kind, spec.design.method, where, path.parent)
        kinds[pname] = kind

    _check_design(spec, src)

    outputs: list[Output] = []
    seen: set[str] = set()
    for name in spec.outputs:
        try:
            out = parse_output(name)
        except OutputError as exc:
            raise ScenarioError(f"{src}: outputs: {exc}") from None
        if name in seen:
            raise ScenarioError(f"{src}: outputs: {name!r} is listed twice")
        seen.add(name)
        outputs.append(out)
    if probe:
        check_outputs(outputs, base, f"{src}: outputs")
    _check_windows(outputs, base, spec, src)

    root = spec.seeds.root if spec.seeds.root is not None else base.seed
    return LoadedExperiment(
        spec=spec,
        path=path.resolve(),
        text=text,
        base_path=base_path,
        base=base,
        kinds=kinds,
        outputs=outputs,
        root_seed=root,
    )


def with_map_paths(overrides: dict[str, Any], folder: Path, base_dir: str) -> dict[str, Any]:
    """``overrides`` with a relative ``world.map`` named in an experiment file (so
    relative to ``folder``, as in a scenario file) rewritten relative to the base
    scenario's ``base_dir``, against which the model resolves it. Relative, so a
    plan's digest does not depend on where the project lives (resume elsewhere)."""
    value = overrides.get("world.map")
    if not isinstance(value, str) or Path(value).is_absolute():
        return overrides
    target = (folder / value).resolve()
    return {**overrides, "world.map": os.path.relpath(target, Path(base_dir).resolve())}


def _apply(base: Scenario, overrides: dict[str, Any], where: str) -> Scenario:
    try:
        return base.with_overrides(overrides)
    except ScenarioError as exc:
        raise ScenarioError(str(exc).replace("<overrides>", where)) from None


def _check_parameter(
    base: Scenario,
    name: str,
    spec: ParameterSpec,
    kind: tuple[str, tuple[Any, ...]],
    method: str,
    where: str,
    folder: Path,
) -> None:
    ftype, _ = kind
    if spec.values is not None:
        values = spec.values
        if len({(type(v), v) for v in values}) != len(values):
            raise ScenarioError(f"{where}.values = {_show(values)}: values repeat")
        for v in values:
            if ftype == "float" and type(v) is int:
                v = float(v)
            _apply(base, with_map_paths({name: v}, folder, base.base_dir), f"{where}.values")
        return
    assert spec.range is not None
    lo, hi = spec.range
    if ftype not in ("int", "float"):
        raise ScenarioError(
            f"{where}.range = {_show(spec.range)}: a range needs a numeric field; "
            f"'{name}' is {ftype} (use values = [...])"
        )
    if not lo < hi:
        raise ScenarioError(f"{where}.range = {_show(spec.range)}: empty range (need low < high)")
    if ftype == "int" and not (float(lo).is_integer() and float(hi).is_integer()):
        raise ScenarioError(
            f"{where}.range = {_show(spec.range)}: '{name}' is an integer field; give integer ends"
        )
    if spec.scale == "log" and lo <= 0:
        raise ScenarioError(f"{where}.range = {_show(spec.range)}: a log scale needs low > 0")
    for end in (lo, hi):
        value = int(end) if ftype == "int" else float(end)
        _apply(base, {name: value}, f"{where}.range")
    problem = _REGISTRY[method].check_range(spec, ftype)
    if problem is not None:
        raise ScenarioError(f"{where}{problem}")


def _check_design(spec: Experiment, src: str) -> None:
    problem = _REGISTRY[spec.design.method].check(spec.design)
    if problem is not None:
        raise ScenarioError(f"{src}: {problem}")


def _check_windows(outputs: list[Output], base: Scenario, spec: Experiment, src: str) -> None:
    need = max((o.needs_days() for o in outputs), default=0)
    if not need:
        return
    years = [base.time.years]
    p = spec.parameters.get("time.years")
    if p is not None:
        years = list(p.values) if p.values is not None else [p.range[0]]  # type: ignore[index]
    shortest = min(float(y) for y in years)
    days = math.ceil(base.with_overrides({"time.years": shortest}).steps / 4)
    if days < need:
        name = next(o.name for o in outputs if o.needs_days() == need)
        raise ScenarioError(
            f"{src}: outputs: {name!r} needs {need} days but the shortest run "
            f"(time.years = {shortest:g}) has {days}"
        )


# ------------------------------------------------------------------ outputs


def _scenario_key(scenario: Scenario) -> str:
    blob = json.dumps([scenario.to_dict(), scenario.base_dir], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


_PROBES: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}


def probe_outputs(scenario: Scenario) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(numeric summary keys, other summary keys, time-series columns) of ``scenario``,
    learnt from a one-slot run of a small copy (cached)."""
    key = _scenario_key(scenario)
    if key not in _PROBES:
        from clssim.model import CLSModel

        small = scenario.with_overrides(
            {
                "time.years": 1 / (365 * 4),
                "population.residents": min(scenario.population.residents, 100),
            }
        )
        try:
            res = CLSModel(small).run()
        except ScenarioError:
            raise
        except Exception as exc:  # the model cannot even start: say so before any run
            raise ScenarioError(
                f"the base scenario cannot run: {type(exc).__name__}: {exc}"
            ) from None
        numeric = frozenset(
            k for k, v in res.summary.items() if isinstance(v, int | float) and k != "seed"
        )
        other = frozenset(res.summary) - numeric
        columns = frozenset(
            c
            for c in res.timeseries.columns
            if res.timeseries[c].dtype.kind in "biuf" and c not in ("step", "day")
        )
        _PROBES[key] = (numeric, other, columns)
    return _PROBES[key]


def check_outputs(
    outputs: list[Output], base: Scenario, where: str, also: frozenset[str] = frozenset()
) -> None:
    """Refuse outputs the model does not produce (one line, with close matches).

    ``also``: further summary keys to accept. Cost keys are always accepted: a
    scenario without a contract costs 0 (:mod:`clssim.experiments.outputs`).
    """
    numeric, other, columns = probe_outputs(base)
    also = also | cost_keys()
    for out in outputs:
        pool = numeric if out.kind == "summary" else columns
        if out.key in pool or (out.kind == "summary" and out.key in also):
            continue
        if out.kind == "summary" and out.key in other:
            raise ScenarioError(f"{where}: {out.name!r} is not a numeric summary key")
        close = difflib.get_close_matches(out.key, sorted(pool), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        what = "summary key" if out.kind == "summary" else "time-series column"
        raise ScenarioError(f"{where}: {out.name!r}: unknown {what}{hint}")
