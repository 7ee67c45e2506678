"""Virtual trials: each measure's evaluation design, run inside the model.

See :mod:`clssim.trials.design` for the designs, :mod:`clssim.trials.outcomes`
for what is measured and :mod:`clssim.trials.run` for running them.
"""

from clssim.trials.design import TrialSettings, base_scenario
from clssim.trials.run import TrialResult, run_replicate, run_trial, trial_tasks

__all__ = [
    "TrialResult",
    "TrialSettings",
    "base_scenario",
    "run_replicate",
    "run_trial",
    "trial_tasks",
]
