"""The simulated clock: one step is one slot of the day.

A day has four slots of six hours (ODD §2 "Process overview"):
night (00–06), morning (06–12), afternoon (12–18), evening (18–24).
Saturdays and Sundays are weekend days.
"""

from __future__ import annotations

from dataclasses import dataclass

SLOTS = ("night", "morning", "afternoon", "evening")
SLOTS_PER_DAY = len(SLOTS)
NIGHT, MORNING, AFTERNOON, EVENING = range(SLOTS_PER_DAY)
DAYS_PER_YEAR = 365


@dataclass(frozen=True, slots=True)
class Instant:
    """Where a step falls in calendar time."""

    step: int
    day: int
    slot: int
    weekday: int

    @property
    def weekend(self) -> bool:
        return self.weekday >= 5

    @property
    def daytype(self) -> int:
        """0 on weekdays, 1 at weekends (index into routine tables)."""
        return int(self.weekend)


def instant(step: int, start_weekday: int = 0) -> Instant:
    """The calendar position of ``step``."""
    day, slot = divmod(step, SLOTS_PER_DAY)
    return Instant(step, day, slot, (start_weekday + day) % 7)
