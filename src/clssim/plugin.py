"""How the contract and the shocks plug into the loop (ODD §3).

The loop of :class:`clssim.model.CLSModel` asks every plug-in the same four
things, in this order within a slot:

* ``begin_day(day, conditions)`` — at the start of each day, with the day's
  :class:`Conditions` (the factors the shocks set);
* ``adjust_routines(t, act, loc, draws)`` — change where people are this slot
  (only asked of plug-ins whose ``adjusts_routines`` is true), drawing each
  resident's own numbers from the slot's :class:`~clssim.draws.SlotDraws`;
* ``slot(t)`` — what it adds to this slot: guardianship per cell and extra
  (proximity) police presence per cell, or None;
* ``end_day(day)`` — at the end of each day.

:data:`NO_CONTRACT` is the plug-in that does nothing, used where a scenario
has no contract, so the loop never asks whether there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class Conditions:
    """The day's factors, set by the shocks (``1``/``0`` = a normal day)."""

    outings: float = 1.0  #: share of would-be outings that happen (lockdown)
    school_closed: float = 0.0  #: share of pupils kept home from school
    contacts: float = 1.0  #: multiplies police–resident contacts
    delivery: float = 1.0  #: partners' field delivery (contract)
    budget: float = 1.0  #: share of its running budget the contract receives


#: a day without shocks
NORMAL_DAY = Conditions()


class LoopPlugin(Protocol):
    """What the loop asks of the contract and of the shocks."""

    adjusts_routines: bool

    def begin_day(self, day: int, conditions: Conditions) -> None: ...

    def adjust_routines(self, t: Any, act: np.ndarray, loc: np.ndarray, draws: Any) -> None: ...

    def slot(self, t: Any) -> tuple[np.ndarray, np.ndarray] | None: ...

    def end_day(self, day: int) -> None: ...

    def record(self, recorder: Any, t: Any) -> None: ...


class NoContract:
    """The plug-in of a scenario without a contract: it does nothing."""

    adjusts_routines = False

    def begin_day(self, day: int, conditions: Conditions) -> None:
        pass

    def adjust_routines(self, t: Any, act: np.ndarray, loc: np.ndarray, draws: Any) -> None:
        pass

    def slot(self, t: Any) -> None:
        return None

    def end_day(self, day: int) -> None:
        pass

    def record(self, recorder: Any, t: Any) -> None:
        pass


NO_CONTRACT = NoContract()
