"""Scenarios: TOML files → a validated, immutable :class:`Scenario`.

A scenario file is data, never code. Every field has a default, a unit and a
range (``docs/ODD.md``, ``clssim fields``). The package has one module per job:

:mod:`~clssim.scenario.schema`     the tables and fields (and :func:`scenario_from_dict`)
:mod:`~clssim.scenario.contract`   the ``[contract]`` table and measure targets
:mod:`~clssim.scenario.shocks`     the ``[[shocks]]`` tables
:mod:`~clssim.scenario.loading`    TOML files, ``extends`` chains, the default scenario
:mod:`~clssim.scenario.messages`   one-line error messages (shared with experiment files)

Bad input raises :class:`~clssim.errors.ScenarioError`, whose message is one
line naming the file, the field path, the offending value and what is allowed.
"""

from clssim.errors import ScenarioError
from clssim.scenario.loading import default_scenario_path, load_scenario, read_toml
from clssim.scenario.messages import show_value
from clssim.scenario.schema import Scenario, field_table, scenario_from_dict

__all__ = [
    "Scenario",
    "ScenarioError",
    "default_scenario_path",
    "field_table",
    "load_scenario",
    "read_toml",
    "scenario_from_dict",
    "show_value",
]
