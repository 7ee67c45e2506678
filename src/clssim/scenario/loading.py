"""Reading scenario files: TOML, ``extends`` chains, the shipped default.

A scenario file is data, never code: it is read with :mod:`tomllib` and
validated by :func:`clssim.scenario.schema.scenario_from_dict`. A scenario may
``extends`` another file (path relative to itself) and override any of its
fields; tables are merged key by key, everything else is replaced. Errors are
one-line :class:`~clssim.errors.ScenarioError` messages naming the file (and,
for an inherited value, the file that set it).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from clssim.errors import ScenarioError
from clssim.scenario.messages import Origin, oneline, show_value
from clssim.scenario.schema import Scenario, scenario_from_dict


def default_scenario_path() -> Path:
    """The shipped default neighbourhood (``scenarios/neighbourhood.toml``)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "scenarios" / "neighbourhood.toml"
        if candidate.is_file():
            return candidate
    raise ScenarioError("default scenario scenarios/neighbourhood.toml not found")


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """A TOML file's data and text; any problem is a one-line :class:`ScenarioError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    try:
        return tomllib.loads(text), text
    except ValueError as exc:  # TOMLDecodeError, or an integer too long to parse
        raise ScenarioError(f"{path}: invalid TOML: {oneline(str(exc))}") from None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _leaves(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for key, value in data.items():
        path = (*prefix, str(key))
        out.extend(_leaves(value, path) if isinstance(value, dict) else [path])
    return out


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], Path, Origin]:
    """Raw data of ``path`` with its ``extends`` chain merged, the base directory
    of map paths, and which file set each leaf value (for error messages)."""
    path = path.resolve()
    if path in chain:
        cycle = " → ".join(p.name for p in (*chain, path))
        raise ScenarioError(f"{chain[-1]}: extends = '{path.name}': cycle {cycle}")
    data, _ = read_toml(path)
    parent = data.pop("extends", None)
    origin: Origin = dict.fromkeys(_leaves(data), path)
    if parent is None:
        return data, path.parent, origin
    if not isinstance(parent, str):
        raise ScenarioError(
            f"{path}: extends = {show_value(parent)}: must be a path string to a scenario file"
        )
    parent_path = (path.parent / parent).resolve()
    if not parent_path.is_file():
        raise ScenarioError(f"{path}: extends = '{parent}': file not found")
    base, base_dir, base_origin = _resolve(parent_path, (*chain, path))
    world = data.get("world")
    if isinstance(world, dict) and "map" in world:
        base_dir = path.parent  # a map named here is relative to this file
    return _merge(base, data), base_dir, {**base_origin, **origin}


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read, merge (``extends``) and validate a scenario file.

    With no path, the shipped default neighbourhood is loaded.
    """
    path = default_scenario_path() if path is None else Path(path)
    data, base_dir, origin = _resolve(path, ())
    return scenario_from_dict(data, source=str(path), base_dir=str(base_dir), origin=origin)
