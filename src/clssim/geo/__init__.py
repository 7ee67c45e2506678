"""Real maps: import a planner's GIS layers or an OpenStreetMap extract into a
cell map (:mod:`clssim.mapfile`), and export a run's results as GIS layers.

Needs the optional ``geo`` extra (geopandas, shapely, pyogrio, pyproj,
osmium); :func:`require` says so in one line when it is missing. The model
never imports this package: a scenario on a real map runs on the base install.
"""

from __future__ import annotations

from clssim.errors import ScenarioError

EXTRA = 'pip install "clssim[geo]"'


def require(what: str) -> None:
    """Raise a one-line ScenarioError when the geo extra is not installed."""
    missing = []
    for module in ("geopandas", "shapely", "pyproj", "pyogrio", "osmium"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ScenarioError(
            f"{what} needs the geospatial extra ({', '.join(missing)} missing): {EXTRA}"
        )
