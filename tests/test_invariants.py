"""Invariants of any valid scenario, checked with Hypothesis.

The parser's property tests (``test_scenario.py``) check that valid input is
accepted and bad input refused; these run what is accepted. Small worlds with
behaviour parameters drawn at and inside the bounds ``clssim fields`` documents,
with or without shocks and a contract, must run without error and keep the
accounting identities a user relies on.
"""

from __future__ import annotations

import math
import re

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clssim import CLSModel, ScenarioError, load_scenario
from clssim.crime import OFFENCES
from clssim.measures import MEASURES
from clssim.scenario import field_table

BOUNDS = {
    row[0]: (
        float(re.search(r">=?(-?[\d.e+]+)", row[3]).group(1)),
        float(re.search(r"<=?(-?[\d.e+]+)", row[3]).group(1)),
    )
    for row in field_table()
    if re.search(r">=?-?[\d.]", row[3]) and re.search(r"<=?-?[\d.]", row[3])
}
#: behaviour fields drawn at or inside their documented bounds (the world is kept small)
VARIED = sorted(
    p
    for p in BOUNDS
    if p.split(".")[0] in ("crime", "trust", "insecurity", "efficacy", "careers")
    or p in ("police.procedural_justice", "police.contact_rate", "police.guard_radius")
)


def bounded(path: str) -> st.SearchStrategy[float]:
    lo, hi = BOUNDS[path]
    hi = min(hi, lo + 1e3)  # huge but finite weights are refused nowhere; keep them readable
    return st.sampled_from([lo, hi]) | st.floats(lo, hi, allow_nan=False)


@st.composite
def scenarios(draw):
    over = {
        "time.years": draw(st.sampled_from([0.02, 0.05])),
        "world.width": draw(st.integers(8, 14)),
        "world.height": draw(st.integers(8, 14)),
        "world.typology": draw(
            st.sampled_from(["social_housing", "historic_centre", "tourist_strip", "rural_town"])
        ),
        "population.residents": draw(st.integers(10, 300)),
        "police.officers": draw(st.integers(0, 12)),
        "police.strategy": draw(st.sampled_from(["random", "hotspot", "beat"])),
    }
    for path in draw(st.lists(st.sampled_from(VARIED), unique=True, max_size=6)):
        value = draw(bounded(path))
        over[path] = int(value) if path == "police.guard_radius" else value
    if draw(st.booleans()):
        kinds = draw(st.lists(st.sampled_from(sorted(MEASURES)), min_size=1, max_size=3))
        staff = over["police.officers"]
        measures = [
            {"kind": k, "capacity": draw(st.integers(1, 20)), "end_day": 10}
            for k in kinds
            if k != "proximity_beat" or staff > 0
        ]
        for m in measures:
            if m["kind"] == "proximity_beat":
                m["capacity"] = 1
        over["contract"] = {
            "start_day": 0,
            "budget_eur": 1e7,
            "staff": min(staff, sum(m["kind"] == "proximity_beat" for m in measures)),
            "stages": {"diagnosis_days": 1, "plan_days": 1, "implementation_days": 10},
            "measures": measures,
        }
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["pandemic", "economic_crisis", "seasonal_influx"]))
        over["shocks"] = [
            {"kind": kind, "start_day": draw(st.integers(0, 5)), "end_day": 12, "intensity": 0.9}
        ]
    return over


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(over=scenarios(), seed=st.integers(0, 2**32))
def test_any_valid_scenario_runs_and_keeps_its_accounts(over, seed):
    try:
        scenario = load_scenario().with_overrides(over)
    except ScenarioError:
        assume(False)  # refused in one line: the parser's tests cover that
    model = CLSModel(scenario, seed=seed)
    results = model.run()
    ts, summary = results.timeseries, results.summary
    for name in ("trust", "insecurity"):
        values = getattr(model.social, name)
        assert np.isfinite(values).all() and values.min() >= 0 and values.max() <= 1, name
    for kind in OFFENCES:  # the dark figure only ever hides offences
        assert (ts[f"{kind}_recorded"] <= ts[f"{kind}_true"]).all(), kind
    true_by_type = sum(ts[f"{k}_true"] for k in OFFENCES)
    assert (true_by_type == ts["offences_true"]).all()
    assert len(results.events) == summary["offences_true"] == ts["offences_true"].sum()
    assert results.cells["offences_true"].sum() == summary["offences_true"]
    assert results.events["reported"].sum() == summary["offences_recorded"]
    layers = results.cells[["lighting", "maintenance", "surveillance"]].to_numpy()
    assert np.isfinite(layers).all() and layers.min() >= 0 and layers.max() <= 1
    if scenario.contract is not None:
        assert summary["cost_eur"] <= summary["planned_cost_eur"] <= summary["budget_eur"]
    for key in ("offences_true", "offences_recorded", "arrests", "mean_trust", "mean_insecurity"):
        assert math.isfinite(summary[key]), key
