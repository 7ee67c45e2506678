"""Axis (iv), citizenship and gender equality: meetings, events, domestic-violence
awareness."""

from __future__ import annotations

from clssim.measures.base import Measure, MeasureContext, Param
from clssim.measures.modifiers import Modifiers


class CommunityMeetings(Measure):
    """Neighbourhood meetings with police and parish: participation
    ``+participation × e``, trust baseline ``+trust × e``. No evaluation with
    numbers: calibrated to wide priors (Gill et al. 2014 the nearest evidence)."""

    kind = "community_meetings"
    axis = "citizenship"
    targets = "people"
    unit = "attendee"
    default_target = "group:residents"
    lead = "parish"
    ramp_days = 60
    decay_days = 180
    description = "Neighbourhood meetings with police and parish: participation and trust."

    params = {
        "participation": Param(0.2, 0.0, 0.5, "participation added", fit="participation"),
        "trust": Param(0.03, -0.1, 0.2, "trust baseline added", fit="trust"),
    }

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.participation_add[self.people] += self.p["participation"] * e
        mods.trust_base_add[self.people] += self.p["trust"] * e


class ParticipatoryEvents(Measure):
    """Festivals and participatory budgeting: participation ``+participation × e``.
    No evaluation: calibrated to a wide prior."""

    kind = "participatory_events"
    axis = "citizenship"
    targets = "people"
    unit = "participant"
    default_target = "group:residents"
    lead = "municipality"
    ramp_days = 30
    decay_days = 120
    description = "Festivals, participatory budgeting: participation and collective efficacy."

    params = {
        "participation": Param(0.1, 0.0, 0.4, "participation added", fit="participation"),
    }

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.participation_add[self.people] += self.p["participation"] * e


class DvAwareness(Measure):
    """Domestic-violence awareness: victims of violence report
    ``× (1 + reporting × e)``. No evaluation: calibrated to a wide prior."""

    kind = "dv_awareness"
    axis = "citizenship"
    targets = "people"
    unit = "resident reached"
    default_target = "group:women"
    lead = "health"
    ramp_days = 60
    decay_days = 240
    description = "Domestic-violence awareness: victims of violence report more."

    params = {
        "reporting": Param(0.5, 0.0, 1.5, "relative rise of reporting violence", fit="reporting"),
    }

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        mods.violence_report_mul[self.people] *= 1.0 + self.p["reporting"] * e
