"""The planner's report: content that never misleads, and a real browser test."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from clssim import CLSModel, load_scenario
from clssim.cli import main
from clssim.report import build_report
from clssim.scenario import default_scenario_path

SCENARIOS = default_scenario_path().parent


def write_comparison(root: Path, arms: dict, seeds=(1, 2, 3)) -> Path:
    """A comparison directory laid out as ``clssim compare`` writes it."""
    for arm, scenario in arms.items():
        for seed in seeds:
            CLSModel(scenario, seed=seed).run().write(root / "runs" / arm / f"seed-{seed}")
    (root / "comparison.json").write_text(
        json.dumps({"arms": list(arms), "baseline": next(iter(arms)), "replicates": len(seeds)})
    )
    return root


@pytest.fixture(scope="module")
def comparison(tmp_path_factory) -> Path:
    """``clssim compare`` on a shipped preset and its baseline, as a planner runs it."""
    out = tmp_path_factory.mktemp("cmp") / "lisbon"
    code = main(
        [
            "compare",
            str(SCENARIOS / "lisbon_baseline.toml"),
            str(SCENARIOS / "lisbon_neighbourhood.toml"),
            "--replicates",
            "3",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    return out


@pytest.fixture(scope="module")
def report(comparison) -> Path:
    return build_report(comparison, comparison / "report.html")


def test_report_is_one_self_contained_file_with_every_section(report):
    text = report.read_text(encoding="utf-8")
    for heading in (
        "Key results",
        "The Local Safety Diagnosis",
        "The intervention plan and its cost",
        "Trends",
        "Where: crime and insecurity on the map",
        "Effects by group",
        "Cost-effectiveness",
    ):
        assert f">{heading}<" in text, heading
    images = re.findall(r'<img [^>]*src="([^"]+)"', text)
    assert len(images) >= 6
    assert all(src.startswith("data:image/png;base64,") for src in images)  # embedded
    assert "http://" not in text and "https://" not in text  # nothing fetched
    figures = report.with_name("report_figures")
    assert sorted(p.suffix for p in figures.iterdir()).count(".pdf") == len(images)


def test_every_effect_has_its_interval_and_replicates(report):
    text = report.read_text(encoding="utf-8")
    key = text[text.index(">Key results<") : text.index(">The Local Safety Diagnosis<")]
    items = re.findall(r"<li>(.*?)</li>", key)
    assert len(items) >= 5
    for item in items:
        assert "95% CI" in item and "3 paired runs" in item, item
    assert "lisbon_neighbourhood compared with lisbon_baseline" in key


def test_uncertain_effects_are_called_uncertain(tmp_path):
    """Two arms that differ in nothing: every interval spans zero, in words."""
    base = load_scenario().with_overrides(
        {"time.years": 0.4, "population.residents": 800, "world.width": 16, "world.height": 16}
    )
    same = base.with_overrides({"name": "same"})
    d = write_comparison(
        tmp_path, {"a": base, "b": same.with_overrides({"crime.vandalism_damage": 0.081})}
    )
    text = build_report(d).read_text(encoding="utf-8")
    key = text[text.index(">Key results<") :]
    assert key.count("uncertain") >= 3
    # and how many replicates a difference of the size seen would need
    assert "paired replicates would resolve a difference of this size" in key


def test_recorded_crime_divergence_is_flagged():
    """When recorded crime rises while true crime falls (more reporting), say so."""
    import pandas as pd

    from clssim.report.build import divergence_warnings

    rows = []
    for rep in range(4):
        rows.append(
            {
                "arm": "base",
                "replicate": rep,
                "offences_true_last_year": 100 + rep,
                "offences_recorded_last_year": 40 + rep,
                "reporting_rate_last_year": 0.40,
            }
        )
        rows.append(
            {
                "arm": "plan",
                "replicate": rep,
                "offences_true_last_year": 90 + rep,
                "offences_recorded_last_year": 45 + rep,
                "reporting_rate_last_year": 0.50,
            }
        )
    table = pd.DataFrame(rows)
    (warning,) = divergence_warnings(table, "base", "plan")
    assert "Recorded crime is not true crime" in warning
    assert "+12%" in warning and "-10%" in warning
    assert "rose while true crime fell" in warning
    assert "Do not judge the plan by police statistics alone" in warning
    same = table.assign(offences_recorded_last_year=table["offences_true_last_year"] * 0.4)
    assert divergence_warnings(same, "base", "plan") == []


def test_report_of_a_single_run(tmp_path):
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                str(SCENARIOS / "neighbourhood.toml"),
                "--years",
                "0.5",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["report", str(out)]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "One run, seed 1" in text
    assert "no confidence interval" in text


def test_plan_spending_adds_up_to_what_was_spent(report, comparison):
    """Each measure's spending in the plan table is its spending at the end of the run
    (not the last monthly sample), so the column adds up to the stated total."""
    text = report.read_text(encoding="utf-8")
    plan = text[text.index(">The intervention plan and its cost<") : text.index(">Trends<")]
    table = plan[: plan.index("</table>")]
    header = re.findall(r"<th>(.*?)</th>", table)
    col = header.index("spent")
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table)]
    spent = [int(r[col].replace("€", "").replace(",", "")) for r in rows if r]
    total = int(re.search(r"spent €([\d,]+)\.", plan).group(1).replace(",", ""))
    assert abs(sum(spent) - total) <= len(spent)  # rounding of each row to the euro
    seed_dir = next((comparison / "runs" / "lisbon_neighbourhood").glob("seed-*"))
    summary = json.loads((seed_dir / "summary.json").read_text(encoding="utf-8"))
    assert sum(summary["measure_spent_eur"].values()) == pytest.approx(summary["cost_eur"])


def test_shares_in_points_and_small_effects_keep_their_digits(report):
    text = report.read_text(encoding="utf-8")
    (reported,) = re.findall(r"Share of offences reported: [^<]*", text)[:1]
    assert re.match(
        r"Share of offences reported: [+-]\d+\.\d pp \([+-][\d.]+% relative\)", reported
    )
    ce = text[text.index(">Cost-effectiveness<") :]
    sentences = re.findall(r"insecurity reduced per €10,000 \(95% interval ([^ ]+) to ([^,]+),", ce)
    assert sentences
    for low, high in sentences:
        assert float(low) != 0.0 or float(high) != 0.0  # not rounded away to +0.00


def test_a_comparison_without_run_files_is_reported_from_its_table(comparison, tmp_path):
    """``compare --no-run-files`` keeps only runs.parquet: the report gives the effects
    from it (the same numbers as from the run directories) and says what it lacks."""
    from clssim.report.build import OUTCOMES, summaries
    from clssim.report.data import load_study

    bare = tmp_path / "bare"
    shutil.copytree(comparison, bare, ignore=shutil.ignore_patterns("runs", "report*"))
    meta = json.loads((bare / "comparison.json").read_text(encoding="utf-8"))
    (bare / "comparison.json").write_text(json.dumps({**meta, "run_files": False}))
    study = load_study(bare)
    assert not study.has_run_files and study.replicates == 3
    full = load_study(comparison)
    full_table = summaries(dataclasses.replace(full, table=None))  # from the run directories
    for key in OUTCOMES:
        a = summaries(study).set_index(["arm", "replicate"])[key].sort_index()
        b = full_table.set_index(["arm", "replicate"])[key].sort_index()
        assert a.to_numpy() == pytest.approx(b.to_numpy()), key
    text = build_report(bare).read_text(encoding="utf-8")
    assert ">Key results<" in text and ">Effects by group<" in text
    assert "--no-run-files" in text and ">Trends<" not in text


def test_a_contract_the_run_never_reaches_is_flagged(tmp_path, capsys):
    """A run that ends before implementation warns on the console, and the report
    says the plan never acted instead of listing stages as begun."""
    out = tmp_path / "short"
    scenario = str(SCENARIOS / "algarve_municipality.toml")
    assert main(["run", scenario, "--years", "0.1", "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "clssim: warning: algarve_municipality: the run ends on day 36" in err
    assert "no measure will act" in err
    assert main(["report", str(out)]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "implementation not reached (planned for day" in text
    assert "The plan never acted" in text


def test_report_refuses_a_directory_that_is_not_an_output(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "clssim: error:" in capsys.readouterr().err


# ----------------------------------------------------------------- browser


@pytest.mark.browser
def test_report_renders_in_a_real_browser(report, browser, artifacts):
    with browser(1200, 900) as (page, errors):
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        sizes = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])"
        )
        page.screenshot(path=str(artifacts / "report.png"), full_page=True)
        page.screenshot(path=str(artifacts / "report_top.png"))
    assert len(sizes) >= 6
    assert all(done and w > 0 and h > 0 for done, w, h in sizes), sizes
    assert not errors, errors
    shutil.copy(report, artifacts / "report.html")


def test_small_changes_on_a_0_1_scale_keep_four_decimals_and_no_negative_zero():
    from clssim.report.build import fmt

    assert fmt(0.00017, "0–1") == "+0.0002"
    assert fmt(-0.00001, "0–1") == "+0.0000"
    assert fmt(-0.0123, "0–1") == "-0.0123"


def test_the_report_of_a_sweep_names_no_figures_folder_it_did_not_write(tmp_path, capsys):
    from tiny import tiny_scenario

    (tmp_path / "tiny.toml").write_text(tiny_scenario(), encoding="utf-8")
    exp = tmp_path / "e.toml"
    exp.write_text(
        'name = "e"\nbase = "tiny.toml"\nreplicates = 2\noutputs = ["offences_true"]\n'
        '[parameters]\n"police.officers" = { values = [2, 6] }\n',
        encoding="utf-8",
    )
    out = tmp_path / "o"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.strip() == f"wrote {out / 'report.html'}"
    assert not (out / "report_figures").exists()
