"""The interactive teaching app (``clssim app``) and its model.

One module per job, data flowing one way (levers → model → what is shown):

* :mod:`clssim.app.teaching` turns the app's levers into a validated scenario
  and holds :class:`~clssim.app.teaching.TeachingModel`;
* :mod:`clssim.app.readout` reads the numbers shown (text panel, weekly
  offences); :mod:`clssim.app.mapview` paints the map and its layers with
  numpy; :mod:`clssim.app.charts` draws the live plots; :mod:`clssim.app.runlog`
  keeps the run log and writes its CSV;
* :mod:`clssim.app.classroom` is one browser tab without the browser: levers,
  model, painters, run log and what each button does (pacing included);
* :mod:`clssim.app.page` is the Solara page over it (``solara run
  clssim.app.page``); :mod:`clssim.app.i18n` holds every word it shows, in
  English and European Portuguese; :mod:`clssim.app.assets` fetches the
  page's front-end files without a CDN.

Only :mod:`clssim.app.teaching` is imported here, so the Python API does not
pull in the web stack.
"""

from clssim.app.teaching import Levers, TeachingModel, scenario_names, teaching_scenario

__all__ = ["Levers", "TeachingModel", "scenario_names", "teaching_scenario"]
