"""The evidence base: evaluation findings per measure kind, costs and harms, as data.

See :mod:`clssim.evidence.cards` for the cards (one TOML file per kind).
"""

from clssim.evidence.cards import (
    METRICS,
    OUTCOMES,
    STRENGTHS,
    Card,
    Effect,
    EvidenceError,
    Prior,
    Reference,
    card,
    load_cards,
    parse_card,
)

__all__ = [
    "METRICS",
    "OUTCOMES",
    "STRENGTHS",
    "Card",
    "Effect",
    "EvidenceError",
    "Prior",
    "Reference",
    "card",
    "load_cards",
    "parse_card",
]
