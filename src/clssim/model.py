"""CLSModel: the neighbourhood simulation, one slot per step.

The loop is a sequence of phases, each a function of arrays that can be read
beside the ODD (``docs/ODD.md`` §2 "Process overview and scheduling"):

1. **routines**  — every resident picks an activity and a place;
2. **patrol**    — on-duty officers move; police presence per cell;
3. **crime**     — motivated offenders meet targets without guardians;
4. **policing**  — reported offences enter the police picture;
5. **upkeep**    — once a day, maintenance recovers towards its baseline;
6. **record**    — the recorder stores the slot's indicators and events.

Randomness comes from one ``numpy.random.SeedSequence`` tree rooted at the
scenario seed: each component has its own child stream, so the same scenario
and seed give bit-identical results.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from clssim.clock import EVENING, NIGHT, SLOTS_PER_DAY, instant
from clssim.crime import crime_step, init_state
from clssim.police import PoliceForce
from clssim.population import build_population
from clssim.results import Recorder, Results
from clssim.routines import activities, locations
from clssim.scenario import Scenario, load_scenario
from clssim.world import world_from_scenario


class CLSModel(mesa.Model):
    """A neighbourhood under a Local Safety Contract (or none).

    Parameters
    ----------
    scenario:
        A validated :class:`~clssim.scenario.Scenario` (default: the shipped
        default neighbourhood).
    seed:
        Overrides ``scenario.seed`` when given.
    """

    def __init__(self, scenario: Scenario | None = None, *, seed: int | None = None):
        scenario = scenario if scenario is not None else load_scenario()
        if seed is not None:
            scenario = scenario.with_overrides({"seed": seed})
        self.scenario_config = scenario
        streams = np.random.SeedSequence(scenario.seed).spawn(6)
        rngs = [np.random.default_rng(s) for s in streams]
        super().__init__(rng=rngs[0])
        self.world = world_from_scenario(scenario, rngs[1], mesa_random=self.random)
        self.population = build_population(scenario, self.world, rngs[2])
        self.crime_state = init_state(self.population, scenario.crime, rngs[3])
        self.police = PoliceForce(self, self.world, scenario.police, rngs[4])
        self.loop_rng = rngs[5]
        self.n_steps = scenario.steps
        self.recorder = Recorder(self.n_steps, self.world, self.population)
        self._repair = 1.0 - np.exp(-1.0 / scenario.crime.repair_days)
        self.activity = np.zeros(self.population.n, dtype=np.int8)
        self.location = self.population.home.copy()

    # ------------------------------------------------------------------ loop
    def step(self) -> None:
        """Advance one slot (Mesa increments ``self.steps`` before calling this)."""
        cfg = self.scenario_config
        t = instant(self.steps - 1, cfg.time.start_weekday)
        rng = self.loop_rng
        pop = self.population
        # 1. routines
        self.activity = activities(pop, t.daytype, t.slot, rng)
        self.location = locations(pop, self.activity, rng)
        # 2. patrol
        presence = self.police.patrol(t.slot)
        # 3. crime
        offences = crime_step(
            pop=pop,
            world=self.world,
            cfg=cfg.crime,
            state=self.crime_state,
            act=self.activity,
            loc=self.location,
            presence=presence,
            dark=t.slot in (NIGHT, EVENING),
            night=t.slot == NIGHT,
            rng=rng,
        )
        # 4. policing sees only what is reported
        self.police.record(offences.cell[offences.reported])
        # 5. upkeep, once a day
        if t.slot == SLOTS_PER_DAY - 1:
            maint, base = (
                self.world.layers["maintenance"],
                self.world.baseline["maintenance"],
            )
            maint += (base - maint) * self._repair
        # 6. record
        self.recorder.record(t, offences, self.police.on_duty)
        if self.steps >= self.n_steps:
            self.running = False

    def run(
        self, steps: int | None = None, progress: Callable[[int], None] | None = None
    ) -> Results:
        """Run to the scenario's end (or ``steps`` more slots) and return the results."""
        todo = self.n_steps - self.steps if steps is None else steps
        for _ in range(todo):
            self.step()
            if progress is not None:
                progress(1)
        return self.results()

    def results(self) -> Results:
        """The outputs recorded so far."""
        return self.recorder.results(self.scenario_config, self.steps)


def run(scenario: Scenario | None = None, seed: int | None = None) -> Results:
    """Build a model for ``scenario`` and run it to the end."""
    return CLSModel(scenario, seed=seed).run()
