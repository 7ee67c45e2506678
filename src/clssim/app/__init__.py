"""The interactive teaching app (``clssim app``) and its model.

``clssim.app.teaching`` turns the app's levers into a validated scenario and
holds :class:`~clssim.app.teaching.TeachingModel`; ``clssim.app.components``
draws the grid and the live plots; ``clssim.app.page`` is the Solara page
(``solara run clssim.app.page``). Only :mod:`clssim.app.teaching` is imported
here, so the Python API does not pull in the web stack.
"""

from clssim.app.teaching import Levers, TeachingModel, scenario_names, teaching_scenario

__all__ = ["Levers", "TeachingModel", "scenario_names", "teaching_scenario"]
