"""The catalogue of CLS measures: axis, what they target, costs and timing.

Every measure of an intervention plan names a ``kind`` from this catalogue.
The four axes are those of the 2016 CLS generation (seed paper, Table 1):
(i) juvenile delinquency, (ii) requalification / CPTED, (iii) social
vulnerability, (iv) citizenship and gender equality; proximity policing is
the fifth line of spending.

Costs are a model, not accounting: ``fixed_eur`` once when the measure
starts, plus ``unit_month_eur`` per unit of capacity per month while it is
funded. Defaults are order-of-magnitude estimates for Portugal (2016–2019
national portfolio: about €1 million for 280 initiatives and 14,352
participants; ODD §7 "Contract — costs" gives the reasoning for each).
Scenario files may override both numbers per measure.
"""

from __future__ import annotations

from dataclasses import dataclass

AXES = ("youth", "cpted", "social", "citizenship", "policing")
AXIS_TITLES = {
    "youth": "(i) juvenile delinquency",
    "cpted": "(ii) requalification / CPTED",
    "social": "(iii) social vulnerability",
    "citizenship": "(iv) citizenship and gender equality",
    "policing": "proximity policing",
}
PARTNERS = (
    "municipality",
    "school_cluster",
    "social_services",
    "health",
    "migration",
    "police",
    "association",
    "parish",
)


@dataclass(frozen=True)
class Kind:
    """One kind of measure."""

    axis: str
    targets: str  #: "cells" or "people"
    unit: str  #: what one unit of capacity is
    default_target: str
    lead: str  #: default lead partner
    fixed_eur: float
    unit_month_eur: float
    ramp_days: float  #: time constant of reaching full effect
    decay_days: float  #: time constant of losing it once funding stops
    description: str


CATALOGUE: dict[str, Kind] = {
    # (i) juvenile delinquency
    "youth_programme": Kind(
        "youth",
        "people",
        "participant",
        "group:at_risk_youths",
        "association",
        5_000,
        45,
        60,
        120,
        "Sport, arts or music sessions: supervised time on weekday afternoons and "
        "evenings, school engagement and a lower propensity (mentoring d≈0.2).",
    ),
    "safe_school": Kind(
        "youth",
        "cells",
        "school cell",
        "land_use:school",
        "school_cluster",
        3_000,
        400,
        30,
        90,
        "Escola Segura: guardianship at schools in school hours, pupils' engagement.",
    ),
    "police_pedagogy": Kind(
        "youth",
        "people",
        "youth reached per month",
        "group:youths",
        "police",
        1_000,
        6,
        30,
        90,
        "Police pedagogical sessions with youths: a higher trust baseline for those reached.",
    ),
    # (ii) requalification / CPTED
    "street_lighting": Kind(
        "cpted",
        "cells",
        "cell",
        "hotspots:10",
        "municipality",
        10_000,
        60,
        20,
        365,
        "LED street lighting raised towards 0.9 on the target cells; it decays without upkeep.",
    ),
    "maintenance": Kind(
        "cpted",
        "cells",
        "cell",
        "hotspots:10",
        "municipality",
        2_000,
        80,
        30,
        180,
        "Cleaning and repair crews: maintenance baseline towards 0.9, faster repair.",
    ),
    "vacant_lot_greening": Kind(
        "cpted",
        "cells",
        "cell",
        "land_use:vacant",
        "municipality",
        8_000,
        70,
        45,
        365,
        "Clearing and greening vacant lots (Branas et al. 2018): maintenance, "
        "lighting and natural surveillance up.",
    ),
    "urban_art": Kind(
        "cpted",
        "cells",
        "cell",
        "land_use:public_space",
        "association",
        4_000,
        25,
        30,
        365,
        "Murals and urban art in public space: upkeep, ownership, surveillance.",
    ),
    # (iii) social vulnerability
    "elderly_visits": Kind(
        "social",
        "people",
        "resident visited",
        "group:isolated_elderly",
        "social_services",
        1_500,
        30,
        30,
        90,
        "Regular home visits to isolated elderly: relief of isolation, participation.",
    ),
    "migrant_integration": Kind(
        "social",
        "people",
        "participant",
        "group:migrants",
        "migration",
        3_000,
        35,
        60,
        180,
        "Language, rights and labour-exploitation warnings: trust and reporting.",
    ),
    "employment_support": Kind(
        "social",
        "people",
        "participant",
        "group:unemployed",
        "municipality",
        4_000,
        60,
        60,
        180,
        "Job search support: a monthly chance of employment (stake in conformity).",
    ),
    "roma_programme": Kind(
        "social",
        "people",
        "participant",
        "group:minority",
        "association",
        3_000,
        35,
        90,
        180,
        "Roma community mediation: trust, school engagement of minority pupils.",
    ),
    # (iv) citizenship and gender equality
    "community_meetings": Kind(
        "citizenship",
        "people",
        "attendee",
        "group:residents",
        "parish",
        1_000,
        8,
        60,
        180,
        "Neighbourhood meetings with police and parish: participation and trust.",
    ),
    "participatory_events": Kind(
        "citizenship",
        "people",
        "participant",
        "group:residents",
        "municipality",
        2_000,
        5,
        30,
        120,
        "Festivals, participatory budgeting: participation and collective efficacy.",
    ),
    "dv_awareness": Kind(
        "citizenship",
        "people",
        "resident reached",
        "group:women",
        "health",
        2_000,
        3,
        60,
        240,
        "Domestic-violence awareness: victims of violence report more.",
    ),
    # proximity policing
    "proximity_beat": Kind(
        "policing",
        "people",
        "officer",
        "all",
        "police",
        0,
        300,
        30,
        60,
        "Officers moved from response to proximity beats on foot, with more contacts.",
    ),
    "pj_training": Kind(
        "policing",
        "people",
        "officer trained",
        "all",
        "police",
        5_000,
        40,
        90,
        365,
        "Procedural-justice training: a larger share of contacts, stops and arrests "
        "perceived as fair.",
    ),
    "school_liaison": Kind(
        "policing",
        "cells",
        "school cell",
        "land_use:school",
        "police",
        1_000,
        250,
        30,
        90,
        "A Safe-School liaison officer at schools in school hours.",
    ),
}


def kinds_of(axis: str) -> list[str]:
    """Measure kinds on one axis, in catalogue order."""
    return [k for k, v in CATALOGUE.items() if v.axis == axis]
