"""Evidence uncertainty in comparisons (issue 14): each replicate draws the
measures' effects from the calibration; the same seeds run again at fixed
effects, and the comparison splits each interval into its two sources."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from clssim.cli import main
from clssim.evidence import calibration
from tiny import tiny_scenario

#: a calibration whose trust effect of community meetings is very uncertain
FAKE = {
    "version": 1,
    "kinds": {
        "community_meetings": {
            "params": {
                "trust": {"median": 0.05, "draws": [-0.1, 0.2] * 20},
                "participation": {"median": 0.2, "draws": [0.2] * 40},
            }
        }
    },
}

CONTRACT = """
[contract]
budget_eur = 100000
start_day = 0
[contract.stages]
diagnosis_days = 5
plan_days = 5
implementation_days = 200
[[contract.measures]]
kind = "community_meetings"
capacity = 300
end_day = 200
"""


@pytest.fixture
def fake_calibration(monkeypatch):
    monkeypatch.setattr(calibration, "load_calibration", lambda: FAKE)


def _scenarios(tmp_path):
    base = tmp_path / "base.toml"
    plan = tmp_path / "plan.toml"
    base.write_text(tiny_scenario("base").replace("years = 0.1", "years = 0.5"))
    plan.write_text(tiny_scenario("plan").replace("years = 0.1", "years = 0.5") + CONTRACT)
    return str(base), str(plan)


def _compare(tmp_path, name, *extra):
    out = tmp_path / name
    args = ["compare", *_scenarios(tmp_path), "--replicates", "6", "--workers", "0"]
    args += ["--out", str(out), "--outputs", "mean_trust", "--no-run-files", *extra]
    assert main(args) == 0
    return out


def test_compare_splits_the_interval_into_evidence_and_simulation(tmp_path, fake_calibration):
    out = _compare(tmp_path, "evidence")
    runs = pd.read_parquet(out / "runs.parquet")
    # the plan arm ran twice with the same seeds; the baseline (no measures) once
    counts = runs.groupby(["arm", "effects"]).size().to_dict()
    assert counts == {("base", "evidence"): 6, ("plan", "evidence"): 6, ("plan", "fixed"): 6}
    split = pd.read_csv(out / "uncertainty.csv")
    row = split[split["output"] == "mean_trust"].iloc[0]
    assert row["half_width_total"] > 2 * row["half_width_simulation"]
    assert row["evidence_share"] > 0.7
    data = json.loads((out / "comparison.json").read_text())
    assert data["effects"] == "evidence" and data["uncertainty"]


def test_compare_gives_harm_averted_and_a_benefit_cost_ratio(tmp_path, fake_calibration):
    out = _compare(tmp_path, "evidence")
    runs = pd.read_parquet(out / "runs.parquet")
    runs = runs[runs["effects"] == "evidence"]
    bc = pd.read_csv(out / "benefit_cost.csv").iloc[0]
    wide = runs.pivot(index="replicate", columns="arm", values="harm_eur")
    cost = runs.pivot(index="replicate", columns="arm", values="cost_eur").fillna(0.0)
    averted = (wide["base"] - wide["plan"]).mean()
    assert bc["harm_averted_eur"] == pytest.approx(averted)
    assert bc["extra_cost_eur"] == pytest.approx((cost["plan"] - cost["base"]).mean())
    assert bc["benefit_cost_ratio"] == pytest.approx(averted / bc["extra_cost_eur"])
    assert bc["bcr_ci_low"] <= bc["benefit_cost_ratio"] <= bc["bcr_ci_high"]
    lo, hi = sorted((bc["bcr_at_low_unit_costs"], bc["bcr_at_high_unit_costs"]))
    assert lo <= bc["benefit_cost_ratio"] <= hi or averted == 0


def test_fixed_effects_give_narrower_intervals_and_no_split(tmp_path, fake_calibration):
    wide = pd.read_csv(_compare(tmp_path, "evidence") / "comparison.csv")
    out = _compare(tmp_path, "fixed", "--fixed-effects")
    narrow = pd.read_csv(out / "comparison.csv")
    assert not (out / "uncertainty.csv").exists()
    assert set(pd.read_parquet(out / "runs.parquet")["effects"]) == {"fixed"}

    def half(t):
        r = t[(t["arm"] == "plan") & (t["output"] == "mean_trust")].iloc[0]
        return (r["ci_high"] - r["ci_low"]) / 2

    assert half(wide) > 2 * half(narrow)
    assert json.loads((out / "comparison.json").read_text())["effects"] == "central"


def test_the_report_names_the_evidence_behind_each_measure(tmp_path, fake_calibration):
    out = _compare(tmp_path, "evidence")
    assert main(["report", str(out)]) == 0
    text = (out / "report.html").read_text()
    assert "What the measures&#x27; effects rest on" in text or "effects rest on" in text
    assert "community_meetings" in text and "none: prior only" in text
    assert "no evaluation behind" in text  # the plan rests on a measure without evidence
    assert "share of variance from the evidence" in text
    assert "Benefit–cost" in text and "benefit–cost ratio" in text


def test_the_report_warns_when_a_plan_moves_a_measure_off_its_calibrated_design():
    """proximity_beat is calibrated on hot-spot foot beats (Philadelphia): a plan that
    walks its beats over the whole map is told the effect is carried over."""
    from clssim.report.build import _transfer_warning

    class Stub:
        def __init__(self):
            self.html = []

        def raw(self, text):
            self.html.append(text)

    rep = Stub()
    _transfer_warning(rep, {"proximity_beat": {"all"}, "street_lighting": {"all"}})
    assert len(rep.html) == 1
    assert "proximity_beat (here on all; calibrated on hotspots:4)" in rep.html[0]
    assert "street_lighting" not in rep.html[0]  # no design of its own to leave
    rep = Stub()
    _transfer_warning(rep, {"proximity_beat": {"hotspots:12"}})
    assert rep.html == []  # hot spots, as calibrated: no warning
