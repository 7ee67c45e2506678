"""Pattern-oriented validation: does a scenario reproduce real crime patterns?

Each :class:`Fact` is a stylised fact from the criminological literature
(``shared/brief/MODEL.md``, "What real crime data look like"), measured on
the pooled outputs of several seeds and compared with a target range taken
from its source. ``clssim validate`` prints the table; ODD §8 records the
calibration that makes the default scenario pass.

The facts are properties of model *outputs*; none is imposed by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clssim.metrics import concentration
from clssim.results import Results


@dataclass(frozen=True)
class Fact:
    """A stylised fact with its target range and source."""

    key: str
    name: str
    low: float
    high: float
    unit: str
    source: str
    measure: Callable[[list[Results]], float]

    def check(self, value: float) -> bool:
        return bool(np.isfinite(value) and self.low <= value <= self.high)


def _cells(runs: list[Results], column: str = "offences_true") -> np.ndarray:
    return np.concatenate([r.cells[column].to_numpy() for r in runs])


def _mean(runs: list[Results], f: Callable[[Results], float]) -> float:
    """Mean over runs of a per-run measure, ignoring runs where it is undefined."""
    values = np.array([f(r) for r in runs], dtype=float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else float("nan")


def age_crime_rates(runs: list[Results], band: int = 5) -> pd.Series:
    """Offences per 1,000 residents per year by age band (pooled over runs)."""
    offences = np.zeros(20)
    exposure = np.zeros(20)
    for r in runs:
        years = r.summary["years"]
        ages = r.residents["age"].to_numpy().astype(np.int64)
        exposure += np.bincount(np.minimum(ages // band, 19), minlength=20) * years
        offences += np.bincount(
            np.minimum(r.events["offender_age"].to_numpy() // band, 19), minlength=20
        )
    rate = 1000.0 * np.divide(offences, exposure, out=np.zeros(20), where=exposure > 0)
    index = [f"{band * k}-{band * k + band - 1}" for k in range(20)]
    return pd.Series(rate, index=index, name="offences per 1000 per year")


def _peak_age(runs: list[Results]) -> float:
    rates = age_crime_rates(runs)
    return float(5 * int(np.argmax(rates.to_numpy())) + 2)  # centre of the peak band


def _late_twenties_ratio(runs: list[Results]) -> float:
    rates = age_crime_rates(runs).to_numpy()
    return float(rates[5] / rates.max()) if rates.max() > 0 else float("nan")


def _male_share(runs: list[Results]) -> float:
    female = np.concatenate(
        [r.residents["female"].to_numpy()[r.events["offender_id"]] for r in runs]
    )
    return float(1.0 - female.mean()) if female.size else float("nan")


def _offender_concentration(runs: list[Results]) -> float:
    return _mean(
        runs,
        lambda r: concentration(r.events["offender_id"].value_counts().to_numpy(), 0.5),
    )


def _fear_ratio(runs: list[Results]) -> float:
    return _mean(
        runs,
        lambda r: r.summary["afraid_share"] / max(r.summary["victimised_share_per_year"], 1e-9),
    )


def _disorder_vs_crime(runs: list[Results]) -> float:
    """Rank correlation of cell insecurity with disorder minus that with crime."""

    def gap(r: Results) -> float:
        c = r.cells[r.cells["residents"] > 0]
        fear = c["insecurity"].rank()
        disorder = (1.0 - c["maintenance"]).rank()
        crime = c["offences_true"].rank()
        return float(fear.corr(disorder) - fear.corr(crime))

    return _mean(runs, gap)


def _year_to_year(runs: list[Results]) -> float:
    """Change in the share of cells holding half of crime between the first two years."""

    def change(r: Results) -> float:
        ev = r.events
        ncells = len(r.cells)
        days = r.summary["steps"] // 4
        if days < 2 * 365:
            return float("nan")
        shares = []
        for year in (0, 1):
            sel = ev[(ev["day"] >= 365 * year) & (ev["day"] < 365 * (year + 1))]
            height = int(r.cells["y"].max()) + 1
            counts = np.bincount((sel["x"] * height + sel["y"]).to_numpy(), minlength=ncells)
            shares.append(concentration(counts, 0.5))
        return abs(shares[1] - shares[0])

    return _mean(runs, change)


def annual_concentration(r: Results, share: float) -> float:
    """Mean over the run's full years of the share of cells holding ``share`` of
    that year's offences (Weisburd's ranges are for yearly counts); the whole
    run when it is shorter than a year."""
    ev = r.events
    ncells = len(r.cells)
    height = int(r.cells["y"].max()) + 1
    years = int(r.summary["steps"] // (4 * 365))
    if years == 0:
        return r.summary[f"cells_with_{int(share * 100)}pct_offences"]
    shares = []
    for year in range(years):
        sel = ev[(ev["day"] >= 365 * year) & (ev["day"] < 365 * (year + 1))]
        counts = np.bincount((sel["x"] * height + sel["y"]).to_numpy(), minlength=ncells)
        shares.append(concentration(counts, share))
    return float(np.nanmean(shares))


FACTS: tuple[Fact, ...] = (
    Fact(
        "concentration_50",
        "share of cells holding 50% of a year's offences",
        0.02,
        0.06,
        "share of cells",
        "Weisburd 2015, law of crime concentration (2–6% of street segments)",
        lambda runs: _mean(runs, lambda r: annual_concentration(r, 0.5)),
    ),
    Fact(
        "concentration_25",
        "share of cells holding 25% of a year's offences",
        0.004,
        0.016,
        "share of cells",
        "Weisburd 2015 (0.4–1.6% of street segments)",
        lambda runs: _mean(runs, lambda r: annual_concentration(r, 0.25)),
    ),
    Fact(
        "concentration_stability",
        "year-to-year change of the 50% concentration",
        0.0,
        0.02,
        "share of cells",
        "Weisburd 2015; Weisburd et al. 2004: concentration stable over years",
        _year_to_year,
    ),
    Fact(
        "peak_age",
        "peak age of offending (centre of 5-year band)",
        15.0,
        19.0,
        "years",
        "Moffitt 1993; Farrington 1986: the age–crime curve peaks at 15–19",
        _peak_age,
    ),
    Fact(
        "late_twenties",
        "offending rate at 25–29 relative to the peak",
        0.0,
        0.5,
        "ratio",
        "Farrington 1986; Hirschi & Gottfredson 1983: rates halve by the late twenties",
        _late_twenties_ratio,
    ),
    Fact(
        "male_share",
        "share of offences committed by males",
        0.75,
        0.90,
        "share",
        "Steffensmeier & Allan 1996: women commit 10–25% of offences",
        _male_share,
    ),
    Fact(
        "offender_concentration",
        "share of offenders committing 50% of offences",
        0.10,
        0.40,
        "share of offenders",
        "Wolfgang, Figlio & Sellin 1972: 18% of delinquents committed 52% of offences",
        _offender_concentration,
    ),
    Fact(
        "reporting_rate",
        "share of offences reported to the police",
        0.30,
        0.55,
        "share",
        "van Dijk, van Kesteren & Smit 2007 (ICVS): about 40% of crimes reported",
        lambda runs: _mean(runs, lambda r: r.summary["reporting_rate"]),
    ),
    Fact(
        "fear_exceeds_victimisation",
        "afraid residents per victim (insecurity > 0.5 vs victimised in a year)",
        3.0,
        np.inf,
        "ratio",
        "Prieto Curiel & Bishop 2017: many more people fear crime than suffer it",
        _fear_ratio,
    ),
    Fact(
        "disorder_explains_fear",
        "corr(fear, disorder) − corr(fear, crime) across cells",
        0.0,
        np.inf,
        "rank corr.",
        "Skogan 1990; Prieto Curiel & Bishop 2018: disorder explains fear better than crime",
        _disorder_vs_crime,
    ),
)


def validate(scenario, seeds: int = 5, first_seed: int = 1) -> tuple[list[dict], list[Results]]:
    """Run ``scenario`` for ``seeds`` seeds; measure every fact on the pooled runs."""
    from clssim.model import CLSModel

    runs = [CLSModel(scenario, seed=s).run() for s in range(first_seed, first_seed + seeds)]
    rows = []
    for fact in FACTS:
        value = fact.measure(runs)
        rows.append(
            {
                "key": fact.key,
                "fact": fact.name,
                "value": value,
                "low": fact.low,
                "high": fact.high,
                "unit": fact.unit,
                "source": fact.source,
                "pass": fact.check(value),
            }
        )
    return rows, runs
