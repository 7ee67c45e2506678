"""The catalogue of CLS measures: one class per kind (:class:`Measure`).

The axes are those of the 2016 CLS generation (seed paper, Table 1); each
axis module defines its kinds, in catalogue order:

* :mod:`~clssim.measures.youth` — (i) juvenile delinquency
* :mod:`~clssim.measures.cpted` — (ii) requalification / CPTED
* :mod:`~clssim.measures.vulnerability` — (iii) social vulnerability
* :mod:`~clssim.measures.citizenship` — (iv) citizenship and gender equality
* :mod:`~clssim.measures.policing` — proximity policing

A new kind is one subclass of :class:`Measure` (see ``docs/contract.md``,
"Adding a measure"); defining it registers it in :data:`MEASURES`.
"""

# The catalogue's order is the order in which the kinds are defined:
# isort: off
from clssim.measures import youth, cpted, vulnerability, citizenship, policing  # noqa: F401

# isort: on
from clssim.measures.base import (
    AXES,
    AXIS_TITLES,
    MEASURES,
    PARTNERS,
    Measure,
    MeasureContext,
    find_measure,
    kinds_of,
)
from clssim.measures.modifiers import LIGHT_TARGET, MAINT_TARGET, Modifiers, combine_share
from clssim.measures.targets import TARGET_GROUPS, parse_target

__all__ = [
    "AXES",
    "AXIS_TITLES",
    "LIGHT_TARGET",
    "MAINT_TARGET",
    "MEASURES",
    "PARTNERS",
    "TARGET_GROUPS",
    "Measure",
    "MeasureContext",
    "Modifiers",
    "combine_share",
    "find_measure",
    "kinds_of",
    "parse_target",
]
