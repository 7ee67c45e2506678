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

import functools
import math

import numpy as np
from mesa.discrete_space import CellAgent

from clssim.clock import SLOTS_PER_DAY
from clssim.crime import per_type
from clssim.draws import Decision, Draws, SlotDraws
from clssim.population import NOBODY
from clssim.world import World, moore_table

#: the most visits an officer's keys leave room for in one slot
MAX_VISITS = 1 << 20


@functools.cache
def poisson_cdf(mean: float) -> np.ndarray:
    """The Poisson(``mean``) CDF at 0, 1, … until it reaches 1 within 1e-15
    (to draw a count by inversion of a uniform)."""
    if mean <= 0.0:
        return np.ones(1)
    k = np.arange(int(mean + 12.0 * math.sqrt(mean) + 20.0))
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(k[1:]))])
    return np.minimum(np.cumsum(np.exp(k * math.log(mean) - mean - log_factorial)), 1.0)


class Officer(CellAgent):
    """A police officer: shift, beat and a tally of contacts and arrests."""

    def __init__(self, model, shift_start: int, shift_slots: int, beat: np.ndarray, strategy: str):
        super().__init__(model)
        self.shift = frozenset((shift_start + k) % SLOTS_PER_DAY for k in range(shift_slots))
        self.beat = beat  #: flat cells of the officer's beat
        self.response_beat = beat  #: the beat of response patrol, restored after proximity work
        self.strategy = strategy  #: "random", "hotspot" or "beat"
        self.contact_factor = 1.0  #: contacts relative to a car patrol (foot: 3)
        self.presence = 1.0  #: deterrence relative to a car patrol (proximity on foot)
        self.proximity = False  #: moved to proximity work by the contract
        self.residents = np.empty(0, np.int64)  #: residents of the beat (proximity)

    def on_duty(self, slot: int) -> bool:
        return slot in self.shift


def beats(world: World, k: int, cells: np.ndarray | None = None) -> list[np.ndarray]:
    """Split the map (or only ``cells`` of it) into ``k`` beats of (almost) equal size.

    The map is cut into ``≈ sqrt(k · width / height)`` vertical strips; cells
    are ordered strip by strip (row by row within a strip) and the sequence is
    cut into ``k`` equal runs, so every beat of the whole map is one connected
    block, and a beat of scattered ``cells`` (hot spots) gathers neighbours.
    """
    cols = min(k, max(1, round(math.sqrt(k * world.width / world.height))))
    flat = np.arange(world.ncells) if cells is None else np.unique(np.asarray(cells, np.int64))
    x, y = world.xy(flat)
    strip = np.minimum(x * cols // world.width, cols - 1)
    order = flat[np.lexsort((x, y, strip))]
    return [np.sort(part) for part in np.array_split(order, k)]


class PoliceForce:
    """The officers of the area, their strategy and the recorded-crime picture."""

    def __init__(self, model, world: World, cfg, draws: Draws):
        self.model = model
        self.cfg = cfg
        self.world = world
        beat_list = beats(world, max(cfg.officers, 1))
        self.officers = [
            Officer(model, i % SLOTS_PER_DAY, cfg.shift_slots, beat_list[i], cfg.strategy)
            for i in range(cfg.officers)
        ]
        self.base_procedural_justice = cfg.procedural_justice
        self.procedural_justice = cfg.procedural_justice  #: may be raised by training
        self.contact_presence = np.zeros(world.ncells + 1)  #: Σ contact factors in reach
        self.fair_presence = np.zeros(world.ncells + 1)  #: Σ factor × fairness in reach
        # everyone starts on their own beat (officer j's own number, ODD §4.10)
        start = draws.slot(-1).uniform_keys(Decision.PATROL_START, np.arange(len(self.officers)))
        for officer, u in zip(self.officers, start, strict=True):
            officer.cell = world.grid.all_cells.cells[int(officer.beat[int(u * officer.beat.size)])]
        self.position = np.array([self._flat(o) for o in self.officers], dtype=np.int64)
        #: cells in reach of each cell; edge pads point at the sentinel ``ncells``
        reach = moore_table(world.width, world.height, cfg.guard_radius)
        self.reach = np.where(reach < 0, world.ncells, reach)
        #: the officers on duty in each slot, and their ids (shifts are fixed)
        self.duty_officers = [
            [o for o in self.officers if o.on_duty(s)] for s in range(SLOTS_PER_DAY)
        ]
        self.duty = [
            np.array([i for i, o in enumerate(self.officers) if o.on_duty(s)], dtype=np.intp)
            for s in range(SLOTS_PER_DAY)
        ]
        self._cells = world.grid.all_cells.cells  # Mesa cell of each flat index
        #: recorded offences per cell, decaying with half-life hotspot_memory_days
        self.picture = np.zeros(world.ncells)
        self._decay = 0.5 ** (1.0 / (cfg.hotspot_memory_days * SLOTS_PER_DAY))
        self.presence = np.zeros(world.ncells + 1)
        self.on_duty = 0
        self._proximity = False  # any officer on proximity work (who visits residents)

    @property
    def n_officers(self) -> int:
        return len(self.officers)

    def assign_proximity(self, k: int, foot_share: float, cells: np.ndarray | None = None) -> None:
        """Move ``k`` officers to proximity beats; ``foot_share`` of their time on
        foot, where contacts are ``foot_contact_factor`` times as frequent as
        from a car, and fair with probability ``proximity_fairness``.

        The beats tile the whole map, or only ``cells`` (hot spots, an area)
        when given; an officer never has an empty beat (with fewer cells than
        officers, some share a cell; with no cells at all, the whole map)."""
        chosen = [o for o in self.officers if not o.proximity][:k]
        home = self.model.population.home
        n = max(len(chosen), 1)
        cells = None if cells is None or len(cells) == 0 else np.unique(cells)
        if cells is None:
            split = beats(self.world, n)
        elif cells.size >= n:
            split = beats(self.world, n, cells)
        else:  # fewer cells than officers: they share them
            split = [cells[[i % cells.size]] for i in range(n)]
        self._proximity = self._proximity or bool(chosen)
        for officer, beat in zip(chosen, split, strict=False):
            officer.proximity = True
            officer.strategy = "beat"
            officer.beat = beat
            officer.contact_factor = 1.0 + (self.cfg.foot_contact_factor - 1.0) * foot_share
            officer.residents = np.flatnonzero(np.isin(home, beat))

    def visits(self, slot: int, draws: SlotDraws) -> tuple[np.ndarray, np.ndarray]:
        """Residents visited this slot by on-duty proximity officers (Poisson per officer,
        mean ``proximity_visits``, among the residents of the officer's beat), and
        each visit's key (officer j's k-th visit: ``j · MAX_VISITS + k``) for the
        draws about it."""
        if not self._proximity:
            return NOBODY, NOBODY
        on = zip(self.duty[slot].tolist(), self.duty_officers[slot], strict=True)
        who = [(j, o) for j, o in on if o.proximity and o.residents.size]
        if not who:
            return NOBODY, NOBODY
        ids = np.array([j for j, _ in who], dtype=np.int64)
        cdf = poisson_cdf(self.cfg.proximity_visits)
        counts = np.searchsorted(cdf, draws.uniform_keys(Decision.VISIT_COUNT, ids), side="right")
        keys = np.concatenate(
            [j * MAX_VISITS + np.arange(k) for j, k in zip(ids, counts, strict=True)]
        )
        pick = draws.uniform_keys(Decision.VISIT_WHO, keys)
        visited, start = [], 0
        for (_, o), k in zip(who, counts, strict=True):
            visited.append(o.residents[(pick[start : start + k] * o.residents.size).astype(int)])
            start += k
        return np.concatenate(visited), keys

    def _flat(self, officer: Officer) -> int:
        x, y = officer.cell.coordinate
        return x * self.world.height + y

    def patrol(self, slot: int, draws: SlotDraws) -> np.ndarray:
        """Move on-duty officers; return the count of officers in reach of each cell.

        The array has ``ncells + 1`` entries: the last stands for "outside the
        map" (``Population.outside``) and is always 0. Also sets
        ``contact_presence`` (Σ contact factors in reach) and ``fair_presence``
        (Σ contact factor × fairness in reach).
        """
        duty, on = self.duty[slot], self.duty_officers[slot]
        self.on_duty = duty.size
        if on:
            target = self._targets(duty, on, draws)
            self.position[duty] = target
            for officer, c in zip(on, target.tolist(), strict=True):
                officer.cell = self._cells[c]  # the Mesa agent moves too
        # every on-duty officer counts in each cell of its reach (edge pads: the sentinel)
        reach = self.reach[self.position[duty]]  # (officers, cells in reach)
        cells = reach.ravel()
        size = self.world.ncells + 1
        weights = [o.presence for o in on]
        if any(w != 1.0 for w in weights):
            per = np.repeat(np.asarray(weights, dtype=float), reach.shape[1])
            presence = np.bincount(cells, per, minlength=size)
        else:
            presence = np.bincount(cells, minlength=size).astype(float)
        presence[-1] = 0.0  # the sentinel is "outside the map"
        if any(o.proximity or o.contact_factor != 1.0 for o in on):
            factor = np.array([o.contact_factor for o in on], dtype=float)
            fairness = np.array([self.fairness(o.proximity) for o in on], dtype=float)
            in_reach = reach.shape[1]
            contact = np.bincount(cells, np.repeat(factor, in_reach), minlength=size)
            fair = np.bincount(cells, np.repeat(factor * fairness, in_reach), minlength=size)
            contact[-1] = fair[-1] = 0.0
        else:  # only cars of the same procedural justice: one weight for all
            contact, fair = presence, presence * self.procedural_justice
        self.presence, self.contact_presence, self.fair_presence = presence, contact, fair
        return presence

    def fairness(self, proximity: bool) -> float:
        """Probability that a contact with this kind of officer is perceived as fair."""
        if proximity:
            return max(self.cfg.proximity_fairness, self.procedural_justice)
        return self.procedural_justice

    def _targets(self, duty: np.ndarray, on: list[Officer], draws: SlotDraws) -> np.ndarray:
        """A target cell for each officer in ``on`` (ids ``duty``; see the strategies
        above), each from the officer's own numbers."""
        u = draws.uniform_keys(Decision.PATROL_CELL, duty)
        target = (u * self.world.ncells).astype(np.int64)  # random: any cell
        hotspot = []
        for j, officer in enumerate(on):
            if officer.strategy == "beat":
                target[j] = officer.beat[int(u[j] * officer.beat.size)]
            elif officer.strategy == "hotspot":
                hotspot.append(j)
        if hotspot and self.picture.any():
            top = np.argsort(-self.picture, kind="stable")[: self.cfg.hotspot_top]
            w = self.picture[top]
            top, w = top[w > 0], w[w > 0]
            ids = duty[hotspot]
            go = draws.uniform_keys(Decision.PATROL_HOTSPOT, ids) < self.cfg.hotspot_share
            cdf = np.cumsum(w) / w.sum()
            u_which = draws.uniform_keys(Decision.PATROL_WHICH, ids[go])
            which = np.searchsorted(cdf, u_which, side="right")
            target[np.asarray(hotspot)[go]] = top[np.minimum(which, top.size - 1)]
        return target

    def record(self, cells: np.ndarray) -> None:
        """Add reported offences and tips to the police picture (every slot)."""
        self.picture *= self._decay
        if cells.size:
            np.add.at(self.picture, cells, 1.0)

    def investigate(self, off, crime_cfg, u: np.ndarray) -> None:
        """Clear reported or tipped offences by arrest (sets ``off.arrested``;
        ``u``: one uniform per offence).

        An offence the police know of is cleared with the offence type's
        ``clearance`` probability, multiplied by ``1 + tip_clearance_boost``
        when a witness tipped.
        """
        if not len(off):
            return
        known = off.reported | off.tipped
        base = per_type(crime_cfg, "clearance")[off.kind]
        p = np.clip(base * (1.0 + self.cfg.tip_clearance_boost * off.tipped), 0.0, 1.0)
        off.arrested[:] = known & (u < p)

    def arrest_fairness(self, u: np.ndarray) -> np.ndarray:
        """Whether each arrest is perceived as fair (procedural justice), from the
        arrested residents' uniforms ``u``."""
        return u < self.procedural_justice
