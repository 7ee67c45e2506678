"""Virtual trials: each measure's evaluation design, run inside the model.

See :mod:`clssim.trials.design` for the designs, :mod:`clssim.trials.outcomes`
for what is measured and :mod:`clssim.trials.run` for running them.
"""

from importlib import import_module

#: what each public name is imported from, on first use (PEP 562): the CLI
#: registers ``clssim trial`` without loading the model
_HOME = {
    "TrialSettings": "clssim.trials.design",
    "base_scenario": "clssim.trials.design",
    "TrialResult": "clssim.trials.run",
    "run_replicate": "clssim.trials.run",
    "run_trial": "clssim.trials.run",
    "trial_tasks": "clssim.trials.run",
}


def __getattr__(name: str):
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'clssim.trials' has no attribute {name!r}")


__all__ = [
    "TrialResult",
    "TrialSettings",
    "base_scenario",
    "run_replicate",
    "run_trial",
    "trial_tasks",
]
