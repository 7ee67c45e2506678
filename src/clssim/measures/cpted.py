"""Axis (ii), requalification and CPTED: lighting, maintenance, greening, urban art."""

from __future__ import annotations

from clssim.measures.base import Measure, MeasureContext
from clssim.measures.modifiers import Modifiers, combine_share


class StreetLighting(Measure):
    """LED street lighting: lighting raised towards ``LIGHT_TARGET`` (share e of
    the way); lit streets are used more after dark, which adds natural
    surveillance (+0.15 e; Welsh & Farrington 2008: surveillance and community
    pride explain why daytime crime fell too)."""

    kind = "street_lighting"
    axis = "cpted"
    targets = "cells"
    unit = "cell"
    default_target = "hotspots:10"
    lead = "municipality"
    fixed_eur = 10_000
    unit_month_eur = 60
    ramp_days = 20
    decay_days = 365
    description = (
        "LED street lighting raised towards 0.9 on the target cells; it decays without upkeep."
    )

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        combine_share(mods.light_to, self.cells, e)
        mods.surv_add[self.cells] += 0.15 * e


class Maintenance(Measure):
    """Cleaning and repair crews: the maintenance baseline towards
    ``MAINT_TARGET`` (share e), repair (1 + 2e) times faster."""

    kind = "maintenance"
    axis = "cpted"
    targets = "cells"
    unit = "cell"
    default_target = "hotspots:10"
    lead = "municipality"
    fixed_eur = 2_000
    unit_month_eur = 80
    ramp_days = 30
    decay_days = 180
    description = "Cleaning and repair crews: maintenance baseline towards 0.9, faster repair."

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        combine_share(mods.maint_to, self.cells, e)
        mods.repair_mul[self.cells] *= 1.0 + 2.0 * e


class VacantLotGreening(Measure):
    """Clearing and greening vacant lots (Branas et al. 2018): maintenance
    (share 0.8 e), lighting (0.5 e) and natural surveillance (+0.2 e)."""

    kind = "vacant_lot_greening"
    axis = "cpted"
    targets = "cells"
    unit = "cell"
    default_target = "land_use:vacant"
    lead = "municipality"
    fixed_eur = 8_000
    unit_month_eur = 70
    ramp_days = 45
    decay_days = 365
    description = (
        "Clearing and greening vacant lots (Branas et al. 2018): maintenance, "
        "lighting and natural surveillance up."
    )

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        combine_share(mods.maint_to, self.cells, 0.8 * e)
        combine_share(mods.light_to, self.cells, 0.5 * e)
        mods.surv_add[self.cells] += 0.2 * e


class UrbanArt(Measure):
    """Murals and urban art: upkeep (share 0.3 e) and surveillance (+0.1 e)."""

    kind = "urban_art"
    axis = "cpted"
    targets = "cells"
    unit = "cell"
    default_target = "land_use:public_space"
    lead = "association"
    fixed_eur = 4_000
    unit_month_eur = 25
    ramp_days = 30
    decay_days = 365
    description = "Murals and urban art in public space: upkeep, ownership, surveillance."

    def effect(self, e: float, mods: Modifiers, ctx: MeasureContext) -> None:
        combine_share(mods.maint_to, self.cells, 0.3 * e)
        mods.surv_add[self.cells] += 0.1 * e
