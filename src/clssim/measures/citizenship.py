"""Axis (iv), citizenship and gender equality: meetings, events, domestic-violence
awareness."""

from __future__ import annotations

from clssim.measures.base import Measure, MeasureContext
from clssim.measures.modifiers import Modifiers


class CommunityMeetings(Measure):
    """Neighbourhood meetings with police and parish: participation +0.2 e,
    trust baseline +0.03 e."""

    kind = "community_meetings"
    axis = "citizenship"
    targets = "people"
    unit = "attendee"
    default_target = "group:residents"
    lead = "parish"
    fixed_eur = 1_000
    unit_month_eur = 8
    ramp_days = 60
    decay_days = 180
    description = "Neighbourhood meetings with police and parish: participation and trust."

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.participation_add[self.people] += 0.2 * e
        mods.trust_base_add[self.people] += 0.03 * e


class ParticipatoryEvents(Measure):
    """Festivals and participatory budgeting: participation +0.1 e."""

    kind = "participatory_events"
    axis = "citizenship"
    targets = "people"
    unit = "participant"
    default_target = "group:residents"
    lead = "municipality"
    fixed_eur = 2_000
    unit_month_eur = 5
    ramp_days = 30
    decay_days = 120
    description = "Festivals, participatory budgeting: participation and collective efficacy."

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.participation_add[self.people] += 0.1 * e


class DvAwareness(Measure):
    """Domestic-violence awareness: victims of violence report × (1 + 0.5 e)."""

    kind = "dv_awareness"
    axis = "citizenship"
    targets = "people"
    unit = "resident reached"
    default_target = "group:women"
    lead = "health"
    fixed_eur = 2_000
    unit_month_eur = 3
    ramp_days = 60
    decay_days = 240
    description = "Domestic-violence awareness: victims of violence report more."

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.violence_report_mul[self.people] *= 1.0 + 0.5 * e
