"""The model's outputs on the baseline cases are exactly those committed.

Any change to a run's outputs, however small, fails here; a commit that means
to change the model regenerates ``tests/baseline.json`` with
``python tests/baseline.py`` and says why (see ``tests/baseline.py``).
"""

from __future__ import annotations

import json

import pytest

from baseline import BASELINE, HEADLINES, cases, differences, fingerprint

COMMITTED = json.loads(BASELINE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(cases()))
def test_outputs_match_the_committed_baseline(name: str) -> None:
    new = fingerprint(cases()[name])
    diff = differences({name: COMMITTED[name]}, {name: new})
    assert not diff, (
        f"{diff[0]}; if the change is meant, run `python tests/baseline.py` "
        "and say why in the commit message"
    )


def test_every_case_is_committed_and_exercises_what_it_names() -> None:
    assert set(COMMITTED) == set(cases())
    lisbon = COMMITTED["lisbon_contract_small"]
    assert lisbon["headline"]["cost_eur"] > 0  # the contract's measures ran and spent
    assert "measures" in lisbon["hashes"]
    assert COMMITTED["default_small"]["headline"]["cost_eur"] is None  # no contract
    for case in COMMITTED.values():
        assert set(case["headline"]) == set(HEADLINES)
        assert case["headline"]["offences_true"] > 100  # enough events to be a real check


def test_a_one_value_change_is_detected() -> None:
    """The fingerprint sees a change as small as one more officer."""
    scenario = cases()["default_small"]
    other = fingerprint(scenario.with_overrides({"police.officers": 9}))
    assert differences({"c": COMMITTED["default_small"]}, {"c": other})
