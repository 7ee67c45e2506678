"""clssim: an agent-based model of proximity policing and Local Safety Contracts.

Quick start::

    from clssim import load_scenario, CLSModel
    results = CLSModel(load_scenario(), seed=3).run()
    print(results.summary["offences_true"])
"""

from clssim.scenario import Scenario, ScenarioError, load_scenario
from clssim.version import __version__

__all__ = ["CLSModel", "Scenario", "ScenarioError", "load_scenario", "run", "__version__"]


def __getattr__(name: str):  # lazy: importing the scenario parser stays light
    if name in ("CLSModel", "run"):
        from clssim import model

        return getattr(model, name)
    raise AttributeError(name)
