"""Police officers (Mesa agents) and their patrol strategies.

Officers are few, so each is a Mesa ``CellAgent`` that the app can draw and a
student can inspect. Each works ``police.shift_slots`` consecutive slots a
day, starting at a slot staggered across officers so every slot is covered.
On duty, an officer moves once per slot to a cell chosen by the force's
patrol strategy and guards the cells within ``police.guard_radius``.

Strategies (ODD §7 "Patrol"):

``random``   any cell of the map, uniformly.
``hotspot``  with probability ``hotspot_share`` one of the top-k cells of the
             *recorded* crime picture (weighted by it), otherwise random.
             The picture is built only from reports: the police never see
             true crime.
``beat``     each officer owns a rectangular beat and patrols within it.
"""

from __future__ import annotations

import math

import numpy as np
from mesa.discrete_space import CellAgent

from clssim.clock import SLOTS_PER_DAY
from clssim.crime import per_type
from clssim.world import World, moore_table


class Officer(CellAgent):
    """A police officer: shift, beat and a tally of contacts and arrests."""

    def __init__(self, model, shift_start: int, shift_slots: int, beat: np.ndarray):
        super().__init__(model)
        self.shift = frozenset((shift_start + k) % SLOTS_PER_DAY for k in range(shift_slots))
        self.beat = beat  #: flat cells of the officer's beat (all cells if no beats)
        self.arrests = 0

    def on_duty(self, slot: int) -> bool:
        return slot in self.shift


def beats(world: World, k: int) -> list[np.ndarray]:
    """Split the map into ``k`` near-square rectangular beats (flat cell lists)."""
    cols = max(1, round(math.sqrt(k * world.width / world.height)))
    rows = math.ceil(k / cols)
    x, y = world.xy(np.arange(world.ncells))
    bx = np.minimum(x * cols // world.width, cols - 1)
    by = np.minimum(y * rows // world.height, rows - 1)
    beat_of = (by * cols + bx) % k
    return [np.flatnonzero(beat_of == b) for b in range(k)]


class PoliceForce:
    """The officers of the area, their strategy and the recorded-crime picture."""

    def __init__(self, model, world: World, cfg, rng: np.random.Generator):
        self.cfg = cfg
        self.world = world
        self.rng = rng
        self.strategy = cfg.strategy
        beat_list = beats(world, max(cfg.officers, 1))
        self.officers = [
            Officer(model, i % SLOTS_PER_DAY, cfg.shift_slots, beat_list[i])
            for i in range(cfg.officers)
        ]
        for officer in self.officers:  # everyone starts on their own beat
            officer.cell = world.grid.all_cells.cells[int(rng.choice(officer.beat))]
        self.position = np.array([self._flat(o) for o in self.officers], dtype=np.int64)
        self.reach = moore_table(world.width, world.height, cfg.guard_radius)
        #: recorded offences per cell, decaying with half-life hotspot_memory_days
        self.picture = np.zeros(world.ncells)
        self._decay = 0.5 ** (1.0 / (cfg.hotspot_memory_days * SLOTS_PER_DAY))
        self.presence = np.zeros(world.ncells + 1)
        self.on_duty = 0

    def _flat(self, officer: Officer) -> int:
        x, y = officer.cell.coordinate
        return x * self.world.height + y

    def _random_cells(self, k: int) -> np.ndarray:
        return self.rng.integers(0, self.world.ncells, k)

    def patrol(self, slot: int) -> np.ndarray:
        """Move on-duty officers; return the count of officers in reach of each cell.

        The array has ``ncells + 1`` entries: the last stands for "outside the
        map" (``Population.outside``) and is always 0.
        """
        duty = np.array([o.on_duty(slot) for o in self.officers], dtype=bool)
        k = self.on_duty = int(duty.sum())
        if k:
            target = self._targets(np.flatnonzero(duty))
            self.position[duty] = target
            cells = self.world.grid.all_cells.cells
            for i, c in zip(np.flatnonzero(duty), target, strict=True):
                self.officers[i].cell = cells[c]
        presence = np.zeros(self.world.ncells + 1)
        reach = self.reach[self.position[duty]].ravel()
        np.add.at(presence, reach, 1.0)  # -1 pads land on the sentinel ...
        presence[-1] = 0.0  # ... which is also "outside the map": no officer there
        self.presence = presence
        return presence

    def _targets(self, on_duty: np.ndarray) -> np.ndarray:
        k = on_duty.size
        if self.strategy == "beat":
            return np.array(
                [self.rng.choice(self.officers[i].beat) for i in on_duty], dtype=np.int64
            )
        target = self._random_cells(k)
        if self.strategy == "hotspot" and self.picture.any():
            top = np.argsort(-self.picture, kind="stable")[: self.cfg.hotspot_top]
            w = self.picture[top]
            top, w = top[w > 0], w[w > 0]
            go = self.rng.random(k) < self.cfg.hotspot_share
            hot = self.rng.choice(top, size=k, p=w / w.sum())
            target = np.where(go, hot, target)
        return target

    def record(self, cells: np.ndarray) -> None:
        """Add reported offences and tips to the police picture (every slot)."""
        self.picture *= self._decay
        np.add.at(self.picture, cells, 1.0)

    def investigate(self, off, crime_cfg, rng: np.random.Generator) -> None:
        """Clear reported or tipped offences by arrest (sets ``off.arrested``).

        An offence the police know of is cleared with the offence type's
        ``clearance`` probability, multiplied by ``1 + tip_clearance_boost``
        when a witness tipped.
        """
        if not len(off):
            return
        known = off.reported | off.tipped
        base = per_type(crime_cfg, "clearance")[off.kind]
        p = np.clip(base * (1.0 + self.cfg.tip_clearance_boost * off.tipped), 0.0, 1.0)
        off.arrested[:] = known & (rng.random(len(off)) < p)

    def arrest_fairness(self, k: int, rng: np.random.Generator) -> np.ndarray:
        """Whether each of ``k`` arrests is perceived as fair (procedural justice)."""
        return rng.random(k) < self.cfg.procedural_justice
