"""Evidence cards: what evaluations found for each kind of measure, as data.

One TOML file per measure kind in ``clssim/evidence/cards/`` records the
evaluation literature in the EMMIE frame of the College of Policing's Crime
Reduction Toolkit (Johnson, Tilley & Bowers 2015): **E**ffect (the outcomes,
each with the metric the literature uses and its 95 % CI), **M**echanism,
**M**oderators, **I**mplementation and **E**conomic cost, with the study
design, dose, duration, setting and full references of what was read.

Nothing invented is shown as evidence. A kind that no evaluation measured
has ``strength = "none"`` and only ``priors``: deliberately wide ranges,
each with its rationale, which calibration uses in place of evidence and the
report labels as "prior only".

>>> from clssim.evidence import card
>>> c = card("street_lighting")
>>> c.strength, c.primary.outcome, c.primary.metric
('meta-analysis', 'crime', 'relative_change')
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from clssim.evidence.metrics import interval

#: Strength of the evidence, strongest first.
STRENGTHS = ("meta-analysis", "systematic-review", "trial", "quasi-experiment", "none")

#: What an outcome measures, and whether more of it is better.
OUTCOMES: dict[str, tuple[str, bool]] = {
    "crime": ("all offences at the treated places", False),
    "violence": ("violent offences", False),
    "property_crime": ("burglary and theft", False),
    "gun_violence": ("shootings (the model's violence)", False),
    "disorder": ("disorder and vandalism", False),
    "perceived_crime": ("residents' perception of crime around them", False),
    "insecurity": ("fear of crime, safety concerns going outside", False),
    "trust": ("trust and confidence in the police", True),
    "legitimacy": ("perceived police legitimacy", True),
    "satisfaction": ("satisfaction with the police", True),
    "delinquency": ("offending by participants", False),
    "reoffending": ("re-arrest or reoffending of participants", False),
    "employment": ("participants in work", True),
    "reporting": ("share of offences reported to the police", True),
    "participation": ("civic participation, collective efficacy", True),
    "school_engagement": ("school engagement and attainment", True),
    "exclusion": ("exclusionary school discipline (suspensions, expulsions)", False),
}

#: Effect metrics as the literature reports them.
METRICS: dict[str, str] = {
    "relative_change": "proportional change in treated relative to control (−0.13 = 13 % fewer)",
    "odds_ratio_wf": "Welsh–Farrington relative effect size (a·d)/(b·c); > 1 favours treatment",
    "smd": "standardised mean difference (Cohen's d, Hedges' g); > 0 favours treatment",
    "odds_ratio": "odds of the outcome, treated vs control (> 1 = more of the outcome)",
    "risk_ratio": "risk of the outcome, treated vs control (> 1 = more of the outcome)",
    "hazard_ratio": "hazard of the outcome, treated vs control (> 1 = more of the outcome)",
}

Outcome = Literal[tuple(OUTCOMES)]  # type: ignore[valid-type]
Metric = Literal[tuple(METRICS)]  # type: ignore[valid-type]
Strength = Literal[STRENGTHS]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_interval(mean: float, ci: tuple[float, float] | None, what: str) -> None:
    if ci is not None and not ci[0] <= mean <= ci[1]:
        raise ValueError(f"{what}: mean {mean} lies outside its CI [{ci[0]}, {ci[1]}]")


class Effect(_Strict):
    """One outcome an evaluation reported."""

    outcome: Outcome
    primary: bool = False
    metric: Metric
    mean: float
    ci: tuple[float, float] | None = None  #: 95 % CI, as published
    #: the P value or its bound as published ("<0.01", "=0.03"); with no ``ci``,
    #: :attr:`interval` is back-calculated from it
    p: str | None = Field(None, pattern=r"^[<=]\s*(0?\.\d+|1)$")
    design: str
    n_studies: int = Field(1, ge=1)
    source: str  #: key of one of the card's references
    where: str = ""  #: where in the source the number is
    note: str = ""
    #: the age range it was measured on (a moderator), e.g. (27, 120)
    ages: tuple[int, int] | None = None

    @model_validator(mode="after")
    def _ci(self) -> Effect:
        _check_interval(self.mean, self.ci, f"outcome {self.outcome}")
        return self

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95 % CI: as published, else back-calculated from ``p`` (see
        :func:`clssim.evidence.metrics.interval`), else None."""
        return interval(self.metric, self.mean, self.ci, self.p)[0]

    @property
    def derived(self) -> bool:
        """Was :attr:`interval` back-calculated from a P value?"""
        return interval(self.metric, self.mean, self.ci, self.p)[1]


class Prior(_Strict):
    """A deliberately wide range where no evaluation measured an effect."""

    outcome: Outcome
    metric: Metric
    mean: float
    ci: tuple[float, float]
    rationale: str
    ages: tuple[int, int] | None = None

    @property
    def interval(self) -> tuple[float, float]:
        return self.ci

    @property
    def derived(self) -> bool:
        return False

    @model_validator(mode="after")
    def _ci(self) -> Prior:
        _check_interval(self.mean, self.ci, f"prior on {self.outcome}")
        return self


class Reference(_Strict):
    key: str
    citation: str
    doi: str = ""
    url: str = ""
    read: str = ""  #: what was read, and where


class Card(_Strict):
    """The evidence for one measure kind."""

    kind: str
    title: str
    strength: Strength
    summary: str
    mechanism: str = ""
    moderators: str = ""
    implementation: str = ""
    economic: str = ""
    dose: str = ""
    duration: str = ""
    setting: str = ""
    applies: str = ""  #: how the model's measure relates to what was evaluated
    outcomes: tuple[Effect, ...] = ()
    priors: tuple[Prior, ...] = ()
    references: tuple[Reference, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Card:
        keys = {r.key for r in self.references}
        for e in self.outcomes:
            if e.source not in keys:
                raise ValueError(f"outcome {e.outcome} cites {e.source!r}, not a reference")
        primaries = [e for e in self.outcomes if e.primary]
        if self.strength == "none":
            if self.outcomes and primaries:
                raise ValueError("strength 'none' cannot have a primary evaluated outcome")
            if not self.priors:
                raise ValueError("strength 'none' needs at least one prior")
        elif len(primaries) != 1:
            raise ValueError(f"needs exactly one primary outcome, has {len(primaries)}")
        return self

    @property
    def primary(self) -> Effect | None:
        """The primary evaluated outcome (None when there is no evidence)."""
        return next((e for e in self.outcomes if e.primary), None)

    def reference(self, key: str) -> Reference:
        return next(r for r in self.references if r.key == key)

    def cite(self, key: str) -> str:
        """A short citation, e.g. ``Welsh & Farrington (2008)``."""
        return short_citation(self.reference(key).citation)


def short_citation(citation: str) -> str:
    """``Author, A., & Other, B. (2008). Title …`` → ``Author & Other (2008)``."""
    head, _, rest = citation.partition("(")
    year = rest.split(")")[0]
    names = [p.strip() for p in head.replace("&", ",").split(",") if p.strip()]
    surnames = [n for n in names if not all(len(w.rstrip(".")) <= 2 for w in n.split())]
    if len(surnames) > 2:
        return f"{surnames[0]} et al. ({year})"
    return f"{' & '.join(surnames)} ({year})"


class EvidenceError(ValueError):
    """A card that does not follow the schema: one line naming file and field."""


def parse_card(text: str, name: str) -> Card:
    """A card from TOML text; EvidenceError names the file and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EvidenceError(f"{name}: not valid TOML: {exc}") from None
    try:
        return Card.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "card"
        raise EvidenceError(f"{name}: {where}: {err['msg']}") from None


@cache
def load_cards() -> dict[str, Card]:
    """Every shipped card, by measure kind."""
    cards: dict[str, Card] = {}
    for entry in sorted(files("clssim.evidence").joinpath("cards").iterdir(), key=str):
        if entry.name.endswith(".toml"):
            c = parse_card(entry.read_text(encoding="utf-8"), entry.name)
            if c.kind != entry.name.removesuffix(".toml"):
                raise EvidenceError(f"{entry.name}: kind = {c.kind!r} differs from the file name")
            cards[c.kind] = c
    return cards


def card(kind: str) -> Card:
    """The card of one measure kind; KeyError if it has none."""
    return load_cards()[kind]
