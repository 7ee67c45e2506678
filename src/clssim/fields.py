"""Declaring validated configuration: one field helper and one strict base model.

Scenario sections (:mod:`clssim.scenario.schema`) and the contract and shock
tables (:mod:`clssim.scenario.contract`, :mod:`clssim.scenario.shocks`) are
declared with these, so every field has a default, a unit and a description
(``clssim fields``), and every table refuses unknown keys, silent type coercion
and non-finite numbers.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

#: A share or probability in [0, 1].
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


def field(default: Any, unit: str, description: str, **kw: Any) -> Any:
    """A field with a default, a unit and a description (shown by ``clssim fields``)."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **kw)


class Section(BaseModel):
    """A strict, immutable table of a scenario file."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, strict=True, allow_inf_nan=False
    )
