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

    def __init__(self, model, shift_start: int, shift_slots: int, beat: np.ndarray, strategy: str):
        super().__init__(model)
        self.shift = frozenset((shift_start + k) % SLOTS_PER_DAY for k in range(shift_slots))
        self.beat = beat  #: flat cells of the officer's beat
        self.strategy = strategy  #: "random", "hotspot" or "beat"
        self.contact_factor = 1.0  #: contacts relative to a car patrol (foot: 3)
        self.proximity = False  #: moved to proximity work by the contract
        self.residents = np.empty(0, np.int64)  #: residents of the beat (proximity)

    def on_duty(self, slot: int) -> bool:
        return slot in self.shift


def beats(world: World, k: int) -> list[np.ndarray]:
    """Split the map into ``k`` contiguous beats of (almost) equal size.

    The map is cut into ``≈ sqrt(k · width / height)`` vertical strips; cells
    are ordered strip by strip (row by row within a strip) and the sequence is
    cut into ``k`` equal runs, so every beat is one connected block.
    """
    cols = min(k, max(1, round(math.sqrt(k * world.width / world.height))))
    x, y = world.xy(np.arange(world.ncells))
    strip = np.minimum(x * cols // world.width, cols - 1)
    order = np.lexsort((x, y, strip))
    return [np.sort(part) for part in np.array_split(order, k)]


class PoliceForce:
    """The officers of the area, their strategy and the recorded-crime picture."""

    def __init__(self, model, world: World, cfg, rng: np.random.Generator):
        self.model = model
        self.cfg = cfg
        self.world = world
        self.rng = rng
        beat_list = beats(world, max(cfg.officers, 1))
        self.officers = [
            Officer(model, i % SLOTS_PER_DAY, cfg.shift_slots, beat_list[i], cfg.strategy)
            for i in range(cfg.officers)
        ]
        self.base_procedural_justice = cfg.procedural_justice
        self.procedural_justice = cfg.procedural_justice  #: may be raised by training
        self.contact_presence = np.zeros(world.ncells + 1)  #: Σ contact factors in reach
        self.fair_presence = np.zeros(world.ncells + 1)  #: Σ factor × fairness in reach
        for officer in self.officers:  # everyone starts on their own beat
            officer.cell = world.grid.all_cells.cells[int(rng.choice(officer.beat))]
        self.position = np.array([self._flat(o) for o in self.officers], dtype=np.int64)
        self.reach = moore_table(world.width, world.height, cfg.guard_radius)
        #: recorded offences per cell, decaying with half-life hotspot_memory_days
        self.picture = np.zeros(world.ncells)
        self._decay = 0.5 ** (1.0 / (cfg.hotspot_memory_days * SLOTS_PER_DAY))
        self.presence = np.zeros(world.ncells + 1)
        self.on_duty = 0

    @property
    def n_officers(self) -> int:
        return len(self.officers)

    def assign_proximity(self, k: int, foot_share: float) -> None:
        """Move ``k`` officers to proximity beats; ``foot_share`` of their time on
        foot, where contacts are ``foot_contact_factor`` times as frequent as
        from a car, and fair with probability ``proximity_fairness``."""
        chosen = [o for o in self.officers if not o.proximity][:k]
        home = self.model.population.home
        for officer, beat in zip(chosen, beats(self.world, max(len(chosen), 1)), strict=False):
            officer.proximity = True
            officer.strategy = "beat"
            officer.beat = beat
            officer.contact_factor = 1.0 + (self.cfg.foot_contact_factor - 1.0) * foot_share
            officer.residents = np.flatnonzero(np.isin(home, beat))

    def visits(self, slot: int, rng: np.random.Generator) -> np.ndarray:
        """Residents visited this slot by on-duty proximity officers (Poisson per officer,
        mean ``proximity_visits``, among the residents of the officer's beat)."""
        out = []
        for o in self.officers:
            if o.proximity and o.on_duty(slot) and o.residents.size:
                k = rng.poisson(self.cfg.proximity_visits)
                out.append(o.residents[rng.integers(0, o.residents.size, k)])
        return np.concatenate(out) if out else np.empty(0, np.int64)

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
        reach = self.reach[self.position[duty]]
        presence = np.zeros(self.world.ncells + 1)
        np.add.at(presence, reach.ravel(), 1.0)  # -1 pads land on the sentinel ...
        presence[-1] = 0.0  # ... which is also "outside the map": no officer there
        on = [o for o, d in zip(self.officers, duty, strict=True) if d]
        factor = np.array([o.contact_factor for o in on])
        fairness = np.array([self.fairness(o.proximity) for o in on])
        contact = np.zeros(self.world.ncells + 1)
        fair = np.zeros(self.world.ncells + 1)
        np.add.at(contact, reach.ravel(), np.repeat(factor, reach.shape[1]))
        np.add.at(fair, reach.ravel(), np.repeat(factor * fairness, reach.shape[1]))
        contact[-1] = fair[-1] = 0.0
        self.presence, self.contact_presence, self.fair_presence = presence, contact, fair
        return presence

    def fairness(self, proximity: bool) -> float:
        """Probability that a contact with this kind of officer is perceived as fair."""
        if proximity:
            return max(self.cfg.proximity_fairness, self.procedural_justice)
        return self.procedural_justice

    def _targets(self, on_duty: np.ndarray) -> np.ndarray:
        k = on_duty.size
        strategy = np.array([self.officers[i].strategy for i in on_duty])
        target = self._random_cells(k)
        for j in np.flatnonzero(strategy == "beat"):
            target[j] = self.rng.choice(self.officers[on_duty[j]].beat)
        hotspot = strategy == "hotspot"
        if hotspot.any() and self.picture.any():
            top = np.argsort(-self.picture, kind="stable")[: self.cfg.hotspot_top]
            w = self.picture[top]
            top, w = top[w > 0], w[w > 0]
            go = hotspot & (self.rng.random(k) < self.cfg.hotspot_share)
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
        return rng.random(k) < self.procedural_justice
