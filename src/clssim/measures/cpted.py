"""Axis (ii), requalification and CPTED: lighting, maintenance, greening, urban art."""

from __future__ import annotations

from clssim.measures.base import Measure, MeasureContext, Param
from clssim.measures.modifiers import Modifiers, combine_share


class StreetLighting(Measure):
    """LED street lighting: lighting raised towards ``LIGHT_TARGET`` (share e of
    the way); improved streets are used more and cared for more, which adds
    natural surveillance by day and night (``+surveillance × e``; Welsh &
    Farrington 2008 found daytime crime fell about as much as night-time crime,
    which darkness alone cannot explain: surveillance and community pride)."""

    kind = "street_lighting"
    axis = "cpted"
    targets = "cells"
    unit = "cell"
    default_target = "hotspots:10"
    lead = "municipality"
    ramp_days = 20
    decay_days = 365
    description = (
        "LED street lighting raised towards 0.9 on the target cells; it decays without upkeep."
    )

    params = {
        "surveillance": Param(
            0.15, 0.0, 0.8, "natural surveillance added, day and night", fit="crime"
        ),
    }

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        combine_share(mods.light_to, self.cells, e)
        mods.surv_add[self.cells] += self.p["surveillance"] * e


class Maintenance(Measure):
    """Cleaning and repair crews: the maintenance baseline towards
    ``MAINT_TARGET`` (share ``upkeep × e``), repair ``1 + repair × e`` times
    faster, and the place management of a cared-for street
    (``+surveillance × e``)."""

    kind = "maintenance"
    axis = "cpted"
    targets = "cells"
    unit = "cell"
    default_target = "hotspots:10"
    lead = "municipality"
    ramp_days = 30
    decay_days = 180
    description = "Cleaning and repair crews: maintenance baseline towards 0.9, faster repair."

    params = {
        "upkeep": Param(1.0, 0.0, 1.0, "share of the way to MAINT_TARGET kept", fit="gun_violence"),
        "repair": Param(2.0, 0.0, 5.0, "extra speed of repair"),
        "surveillance": Param(0.0, 0.0, 0.8, "place management: natural surveillance added"),
    }

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        combine_share(mods.maint_to, self.cells, self.p["upkeep"] * e)
        mods.repair_mul[self.cells] *= 1.0 + self.p["repair"] * e
        mods.surv_add[self.cells] += self.p["surveillance"] * e


class VacantLotGreening(Measure):
    """Clearing and greening vacant lots (Branas et al. 2018): maintenance
    (share ``upkeep × e``), lighting (``lighting × e``) and natural surveillance
    (``+surveillance × e``) on the lots, and reassurance of the residents
    around them (fear sustained by the lots and their neighbouring streets
    ``−reassurance × e``: neighbours saw the lots cared for, used them, and
    were far less afraid going out, while crime fell much less)."""

    kind = "vacant_lot_greening"
    axis = "cpted"
    targets = "cells"
    unit = "cell"
    default_target = "land_use:vacant"
    lead = "municipality"
    ramp_days = 45
    decay_days = 365
    description = (
        "Clearing and greening vacant lots (Branas et al. 2018): maintenance, "
        "lighting and natural surveillance up."
    )

    trial_area = "around"
    params = {
        "upkeep": Param(0.8, 0.0, 1.0, "share of the way to MAINT_TARGET kept"),
        "lighting": Param(0.5, 0.0, 1.0, "share of the way to LIGHT_TARGET lit"),
        "surveillance": Param(0.2, 0.0, 0.8, "natural surveillance added", fit="crime"),
        "reassurance": Param(
            0.0, 0.0, 20.0, "fear removed on and around the lots (logit)", fit="insecurity"
        ),
    }

    def on_start(self, ctx: MeasureContext) -> None:
        super().on_start(ctx)
        self.around = ctx.model.world.around(self.cells)  #: the lots and their streets

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        k = self.p
        combine_share(mods.maint_to, self.cells, k["upkeep"] * e)
        combine_share(mods.light_to, self.cells, k["lighting"] * e)
        mods.surv_add[self.cells] += k["surveillance"] * e
        mods.fear_relief[self.around] += k["reassurance"] * e


class UrbanArt(Measure):
    """Murals and urban art: upkeep (share ``upkeep × e``) and surveillance
    (``+surveillance × e``). No evaluation exists: calibrated to a wide prior."""

    kind = "urban_art"
    axis = "cpted"
    targets = "cells"
    unit = "cell"
    default_target = "land_use:public_space"
    lead = "association"
    ramp_days = 30
    decay_days = 365
    description = "Murals and urban art in public space: upkeep, ownership, surveillance."

    trial_area = "around"
    params = {
        "upkeep": Param(0.3, 0.0, 1.0, "share of the way to MAINT_TARGET kept", fit="disorder"),
        "surveillance": Param(0.1, 0.0, 0.5, "natural surveillance added"),
    }

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        combine_share(mods.maint_to, self.cells, self.p["upkeep"] * e)
        mods.surv_add[self.cells] += self.p["surveillance"] * e
