"""What each measure kind costs, re-derived from sources (``costs.toml``).

For every built-in kind, ``costs.toml`` (beside this module) gives the
**cash** the contract's budget pays — a one-off sum per measure
(``cash_fixed_eur``: design, procurement, set-up), a one-off sum per unit
(``cash_fixed_per_unit_eur``: luminaires, murals, greening works) and a
running sum per unit served and month (``cash_unit_month_eur``) — apart
from the partners' **in-kind staff time** (officers, municipal staff,
association workers: ``staff_hours_unit_month`` and
``staff_hours_per_unit_once`` hours of the ``staff`` kind, valued at its
employer cost per hour in ``[staff.*]``), which the contract does not pay
but a planner must count. Each figure's ``basis`` says what was read and
what is a judgement; 2024 euros (ODD §7.25).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class KindCost:
    """The costs of one measure kind."""

    unit: str  #: what one unit of capacity is
    fixed_eur: float  #: cash, once per measure
    unit_fixed_eur: float  #: cash, once per unit
    unit_month_eur: float  #: cash, per unit served and month
    staff: str  #: the in-kind staff kind ("" when none)
    staff_hours_unit_month: float  #: in-kind hours per unit served and month
    staff_hours_once: float  #: in-kind hours once per unit (training)
    low_factor: float  #: the sources' range, as factors of the central figures
    high_factor: float


@cache
def load_costs() -> dict:
    """The parsed ``costs.toml``."""
    return tomllib.loads(files("clssim.evidence").joinpath("costs.toml").read_text("utf-8"))


@cache
def kind_costs() -> dict[str, KindCost]:
    """Every kind's :class:`KindCost`, by kind."""
    out = {}
    for kind, c in load_costs()["kinds"].items():
        out[kind] = KindCost(
            unit=c["unit"],
            fixed_eur=float(c["cash_fixed_eur"]),
            unit_fixed_eur=float(c.get("cash_fixed_per_unit_eur", 0.0)),
            unit_month_eur=float(c["cash_unit_month_eur"]),
            staff=c.get("staff", ""),
            staff_hours_unit_month=float(c.get("staff_hours_unit_month", 0.0)),
            staff_hours_once=float(c.get("staff_hours_per_unit_once", 0.0)),
            low_factor=float(c.get("low_factor", 1.0)),
            high_factor=float(c.get("high_factor", 1.0)),
        )
    return out


def staff_rate(staff: str) -> float:
    """Employer cost of one hour of ``staff`` (€; 0 for no staff)."""
    if not staff:
        return 0.0
    rates = load_costs()["staff"]
    if staff not in rates:
        raise KeyError(f"no staff kind {staff!r}; allowed: {', '.join(rates)}")
    return float(rates[staff]["eur_per_hour"])


def programme() -> dict:
    """The real CLS portfolio 2016–2019 (seed paper): totals and means."""
    return dict(load_costs()["programme"])
