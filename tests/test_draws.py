"""Common random numbers per resident and decision (ODD §4.10, ``clssim.draws``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clssim.draws import CRIME_DECISIONS, Decision, Draws
from clssim.model import CLSModel
from clssim.scenario import load_scenario

N = 5_000


@given(
    key=st.integers(0, 2**64 - 1),
    step=st.integers(-1, 10**6),
    ids=st.lists(st.integers(0, N - 1), min_size=1, max_size=40, unique=True),
)
@settings(max_examples=60, deadline=None)
def test_a_residents_number_does_not_depend_on_who_else_is_asked(key, step, ids):
    """Resident i's number is the same alone, in any subset, through either method,
    and in the Python path for small requests and the numpy path for large ones."""
    s = Draws(key, N).slot(step)
    everyone = np.arange(N)
    full = s.uniform(Decision.ATTEMPT, everyone)
    ids = np.array(ids)
    np.testing.assert_array_equal(s.uniform(Decision.ATTEMPT, ids), full[ids])
    np.testing.assert_array_equal(s.uniform_keys(Decision.ATTEMPT, ids), full[ids])
    block = s.uniforms(CRIME_DECISIONS, ids)
    assert block.shape == (len(CRIME_DECISIONS), ids.size)
    np.testing.assert_array_equal(block[1], full[ids])  # ATTEMPT is the second row
    motivation = s.uniform(Decision.MOTIVATION, everyone)
    np.testing.assert_array_equal(s.uniform(Decision.MOTIVATION, ids), motivation[ids])


def test_the_numbers_are_uniform_and_independent_across_ids_decisions_and_slots():
    draws = Draws(12345, 200_000)
    ids = np.arange(200_000)
    a = draws.slot(3).uniform(Decision.REPORT, ids)
    b = draws.slot(3).uniform(Decision.TIP, ids)  # another decision, same slot
    c = draws.slot(4).uniform(Decision.REPORT, ids)  # the same decision, next slot
    routine = draws.slot(3).everyone().astype(float)
    motivation = draws.slot(3).uniform(Decision.MOTIVATION, ids)
    for u in (a, b, c, routine, motivation):
        assert u.min() >= 0.0 and u.max() < 1.0
        counts = np.histogram(u, bins=50, range=(0, 1))[0]
        expected = u.size / 50
        chi2 = ((counts - expected) ** 2 / expected).sum()
        assert chi2 < 100  # 49 degrees of freedom: P(χ² > 100) ≈ 2e-5
    for x, y in ((a, b), (a, c), (routine, motivation), (a[:-1], a[1:])):
        assert abs(np.corrcoef(x, y)[0, 1]) < 0.01  # 4.5 standard errors at n = 200,000


def test_only_the_routine_draws_for_everyone_at_24_bits():
    s = Draws(7, 1_000).slot(0)
    k = s.everyone24()
    assert k.dtype == np.uint32 and k.max() < 2**24
    np.testing.assert_array_equal(s.everyone(), k.astype(np.float32) * np.float32(2**-24))


@pytest.fixture(scope="module")
def two_forces():
    scenario = load_scenario().with_overrides(
        {"population.residents": 1500, "time.years": 0.1, "world.width": 20, "world.height": 20}
    )
    return [CLSModel(scenario.with_overrides({"police.officers": k}), seed=5) for k in (4, 12)]


def test_arms_on_one_seed_give_every_resident_the_same_routine_in_every_slot(two_forces):
    """Routines do not depend on the police: with common random numbers per
    resident two forces leave every resident's whereabouts identical slot after
    slot, although the arms draw different counts of numbers for contacts,
    patrols and offences (with one shared stream they diverged after a slot)."""
    few, many = two_forces
    for _ in range(40):
        few.step()
        many.step()
        np.testing.assert_array_equal(few.activity, many.activity)
    # the arms did differ in what the police did
    assert few.police.on_duty != many.police.on_duty


def test_the_officers_both_arms_have_walk_the_same_way(two_forces):
    """Officer j's patrol cell is officer j's own number: on random patrol (any
    cell of the map) the four officers of the small force walk the same cells in
    the larger one, once each has had a shift (their start cells are on beats,
    which depend on the size of the force)."""
    few, many = two_forces
    scenario = few.scenario_config
    assert scenario.police.strategy == "random"
    a = CLSModel(scenario.with_overrides({"police.officers": 4}), seed=9)
    b = CLSModel(scenario.with_overrides({"police.officers": 12}), seed=9)
    for step in range(12):
        a.step()
        b.step()
        if step >= 3:  # a day: every officer has been on duty
            np.testing.assert_array_equal(a.police.position, b.police.position[:4])
