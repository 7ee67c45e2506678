"""The evidence base: cards, metrics, calibrated effects and the mechanisms the
evidence asked for (issue 14)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clssim import CLSModel, load_scenario
from clssim.crime import initial_motivation
from clssim.evidence import METRICS, OUTCOMES, EvidenceError, card, load_cards, parse_card
from clssim.evidence.calibration import calibrated_effects, draw_index
from clssim.evidence.metrics import (
    interval,
    odds_ratio_to_smd,
    smd_to_odds_ratio,
    standard_error,
)
from clssim.measures import MEASURES
from clssim.population import R_EMPLOYED
from clssim.scenario import ScenarioError
from clssim.scenario.contract import MeasureConfig

MINIMAL = """
kind = "street_lighting"
title = "t"
strength = "trial"
summary = "s"
[[outcomes]]
outcome = "crime"
primary = true
metric = "{metric}"
mean = -0.2
ci = [-0.3, -0.1]
design = "d"
source = "a"
[[references]]
key = "a"
citation = "Author, A. (2000). Title."
"""


def test_every_measure_kind_has_a_valid_card() -> None:
    cards = load_cards()
    assert set(cards) == set(MEASURES)
    for kind, c in cards.items():
        for e in c.outcomes:
            assert e.outcome in OUTCOMES and e.metric in METRICS
        if c.strength == "none":  # nothing invented is shown as evidence
            assert c.primary is None and c.priors
        else:
            assert c.primary is not None, kind
        for par in MEASURES[kind].params.values():
            assert par.fit is None or par.fit in OUTCOMES


def test_the_cards_hold_what_the_issue_names() -> None:
    youth = card("youth_programme").primary
    assert (youth.metric, youth.mean, youth.ci) == ("smd", 0.062, (-0.098, 0.223))
    assert "Taheri" in card("youth_programme").cite(youth.source)
    greening = {e.outcome: e.mean for e in card("vacant_lot_greening").outcomes}
    assert greening["crime"] == pytest.approx(-0.133)
    assert greening["insecurity"] == pytest.approx(-0.578)
    ages = {p.ages for p in card("employment_support").priors}
    assert (27, 120) in ages  # Uggen 2000: an effect only from 27


def test_a_bad_card_names_its_file_and_field() -> None:
    assert parse_card(MINIMAL.format(metric="relative_change"), "x.toml").primary.mean == -0.2
    with pytest.raises(EvidenceError, match=r"^x\.toml: outcomes\.0\.metric: "):
        parse_card(MINIMAL.format(metric="percent"), "x.toml")
    with pytest.raises(EvidenceError, match="outside its CI"):
        parse_card(MINIMAL.format(metric="smd").replace("mean = -0.2", "mean = 0.5"), "x.toml")


def test_a_ci_back_calculated_from_p_is_the_widest_consistent_with_it() -> None:
    # Branas et al. 2018: crime −13.3 %, P < 0.01
    ci, derived = interval("relative_change", -0.133, None, "<0.01")
    assert derived and ci[0] < -0.133 < ci[1] < 0
    # at P = 0.05 exactly the interval ends at no effect
    ci, _ = interval("odds_ratio", 1.5, None, "<0.05")
    assert ci[0] == pytest.approx(1.0)
    ci, _ = interval("smd", 0.3, None, "=0.05")
    assert ci[0] == pytest.approx(0.0, abs=1e-12) and ci[1] == pytest.approx(0.6)
    assert interval("smd", 0.3, None, None) == (None, False)
    assert interval("smd", 0.3, (0.1, 0.5), "<0.05") == ((0.1, 0.5), False)
    assert standard_error("smd", (0.1, 0.5)) == pytest.approx(0.2 / 1.959964, rel=1e-5)


def test_chinn_conversion_round_trips() -> None:
    assert smd_to_odds_ratio(0.0) == 1.0
    assert odds_ratio_to_smd(smd_to_odds_ratio(0.37)) == pytest.approx(0.37)
    assert smd_to_odds_ratio(0.5) == pytest.approx(math.exp(0.5 * math.pi / math.sqrt(3)))


CAL = {
    "kinds": {
        "street_lighting": {
            "params": {"surveillance": {"median": 0.2, "draws": [0.1, 0.2, 0.3, 0.4, 0.5]}}
        }
    }
}


def test_each_run_draws_its_effects_by_seed_and_kind_alone() -> None:
    a = calibrated_effects("street_lighting", "evidence", 7, CAL)
    assert a == calibrated_effects("street_lighting", "evidence", 7, CAL)  # CRN across arms
    values = {
        calibrated_effects("street_lighting", "evidence", s, CAL)["surveillance"] for s in range(40)
    }
    assert len(values) == 5  # replicates spread over the draws
    assert calibrated_effects("street_lighting", "central", 7, CAL) == {"surveillance": 0.2}
    assert calibrated_effects("maintenance", "evidence", 7, CAL) == {}  # uncalibrated
    assert draw_index(7, "a", 1000) != draw_index(7, "b", 1000)  # kinds draw independently
    with pytest.raises(ValueError, match="allowed: evidence, central"):
        calibrated_effects("street_lighting", "median", 7, CAL)


def test_effects_set_by_hand_are_checked_against_the_kind() -> None:
    ok = MeasureConfig(kind="youth_programme", capacity=10, effects={"propensity": 0})
    assert ok.effects == {"propensity": 0.0}
    with pytest.raises(ValueError, match=r"effects\.x: youth_programme has no effect parameter"):
        MeasureConfig(kind="youth_programme", capacity=10, effects={"x": 0.1})
    with pytest.raises(ValueError, match=r"effects\.propensity = 2 is outside \[-0.6, 0.6\]"):
        MeasureConfig(kind="youth_programme", capacity=10, effects={"propensity": 2})


def test_a_measure_runs_with_the_effects_its_scenario_sets() -> None:
    scenario = load_scenario("scenarios/lisbon_neighbourhood.toml")
    measures = scenario.to_dict()["contract"]["measures"]
    k = next(i for i, m in enumerate(measures) if m["kind"] == "youth_programme")
    measures[k]["effects"] = {"propensity": -0.1}
    model = CLSModel(scenario.with_overrides({"contract.measures": measures}))
    assert model.contract.measures[k].p["propensity"] == -0.1
    assert model.contract.measures[k].p["supervised"] == 0.6  # the others keep theirs


def test_a_job_lowers_propensity_only_from_the_stake_age() -> None:
    """Uggen (2000): work is a turning point only for offenders aged 27 or more."""
    model = CLSModel(load_scenario().with_overrides({"population.residents": 1500}))
    pop, cfg = model.population, model.scenario_config.crime
    m = initial_motivation(pop, cfg, model.crime_state)
    core = np.clip(cfg.motivation * model.crime_state.propensity_core, 0, 1)
    employed = pop.role == R_EMPLOYED
    young, old = employed & (pop.age < 27), employed & (pop.age >= 27)
    assert young.any() and old.any()
    np.testing.assert_allclose(m[young], core[young])
    np.testing.assert_allclose(m[old], np.clip(core[old] * cfg.employed_factor, 0, 1))
    anyage = initial_motivation(pop, cfg.model_copy(update={"stake_age": 0}), model.crime_state)
    np.testing.assert_allclose(anyage[young], np.clip(core[young] * cfg.employed_factor, 0, 1))


def test_school_measures_act_on_the_streets_around_schools() -> None:
    """No offence can happen inside a school cell: guardianship there bought nothing."""
    scenario = load_scenario("scenarios/lisbon_neighbourhood.toml")
    model = CLSModel(scenario)
    world = model.world
    schools = world.cells_of("school")
    around = world.around(schools)
    assert around.size > schools.size
    from clssim.measures import Modifiers

    cfg = MeasureConfig(kind="safe_school", capacity=schools.size)
    m = MEASURES["safe_school"](0, cfg, None, 0, 10)
    m.assign(cells=schools)
    m.on_start(model.contract)
    mods = Modifiers.neutral(model.population.n, world.ncells)
    m.effect(1.0, mods, model.contract)
    assert np.flatnonzero(mods.school_guard).tolist() == around.tolist()


def test_cli_effects_errors_are_one_line() -> None:
    from clssim.trials.commands import _effects

    with pytest.raises(ScenarioError, match="allowed: surveillance"):
        _effects("street_lighting", ["light=0.2"])
    with pytest.raises(ScenarioError, match=r"outside \[0, 0.8\]"):
        _effects("street_lighting", ["surveillance=3"])


def test_harms_give_a_cost_per_offence_type_in_the_models_order() -> None:
    from clssim.crime import OFFENCES
    from clssim.evidence.harms import TYPES, unit_costs

    assert TYPES == OFFENCES
    low, mid, high = unit_costs("low"), unit_costs(), unit_costs("high")
    assert np.all((low <= mid) & (mid <= high)) and np.all(low > 0)
    assert mid[OFFENCES.index("violence")] > mid[OFFENCES.index("theft")]
    with pytest.raises(ValueError, match="allowed: eur, low, high"):
        unit_costs("median")
