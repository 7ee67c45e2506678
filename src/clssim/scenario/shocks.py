"""The ``[[shocks]]`` tables of a scenario: scheduled events (pydantic models).

What each shock does in the run is in :mod:`clssim.shocks` (ODD §7 "Shocks").
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from clssim.fields import Probability, Section
from clssim.fields import field as _f


class ShockConfig(Section):
    kind: Literal["pandemic", "economic_crisis", "seasonal_influx"] = _f(
        ..., "-", "Type of scheduled event."
    )
    start_day: int = _f(0, "days", "First day (from the start of the run).", ge=0)
    end_day: int = _f(365, "days", "Last day (exclusive).", gt=0)
    intensity: Probability = _f(0.5, "0–1", "Strength of the shock.")
    every_year: bool = _f(False, "-", "Repeat every year (seasons).")
    visitors: int = _f(0, "persons", "Seasonal influx: people present.", ge=0, le=1_000_000)
    visitor_type: Literal["tourists", "harvest_workers"] = _f(
        "tourists", "-", "Seasonal influx: who arrives."
    )

    @model_validator(mode="after")
    def _check(self) -> ShockConfig:
        if self.end_day <= self.start_day:
            raise ValueError(f"end_day = {self.end_day} is not after start_day = {self.start_day}")
        if self.every_year and self.end_day - self.start_day > 365:
            raise ValueError("a yearly shock must last at most 365 days")
        if self.kind == "seasonal_influx" and self.visitors == 0:
            raise ValueError("a seasonal_influx needs visitors > 0")
        return self

    def active(self, day: int) -> bool:
        d = day % 365 if self.every_year else day
        start = self.start_day % 365 if self.every_year else self.start_day
        end = start + (self.end_day - self.start_day)
        return start <= d < end or (self.every_year and d + 365 < end)
