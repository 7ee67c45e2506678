"""The method registry: every design and sensitivity method is one class."""

from __future__ import annotations

import typing

import numpy as np
import pytest

from clssim.experiments import spec
from clssim.experiments.methods import METHODS, Method, analysis_names, design_points, unit_design
from clssim.experiments.sensitivity import analyze
from clssim.experiments.spec import DesignSpec, ParameterSpec

SAMPLED = [name for name, m in METHODS.items() if m.sampled]
ANALYSES = list(analysis_names())


def test_the_registry_holds_every_method_in_definition_order_and_the_spec_agrees():
    assert list(METHODS) == ["factorial", "lhs", "morris", "sobol"]
    assert ANALYSES == ["morris", "sobol"]
    assert tuple(METHODS) == spec.METHODS
    literal = DesignSpec.model_fields["method"].annotation
    assert typing.get_args(literal) == tuple(METHODS)
    for name, m in METHODS.items():
        assert m.name == name and m.description
        assert m.analyses == (m.kind in ("screening", "variance"))
        if m.analyses:
            assert m.main_index in m.convergence_indices and m.main_label
            assert set(m.captions) == {name, f"{name}_convergence"} and m.report_text


@pytest.mark.parametrize("name", SAMPLED)
def test_every_sampled_method_draws_the_same_points_from_the_same_seed(name):
    m = METHODS[name]
    assert m.check_samples(16) is None
    unit = m.sample(3, 16, levels=4, second_order=True, seed=5)
    assert np.array_equal(unit, unit_design(name, 3, 16, levels=4, seed=5))
    assert unit.shape[1] == 3 and ((unit >= 0) & (unit <= 1)).all()
    if m.analyses:
        assert len(unit) == 16 * m.block(3, True)
    assert not np.array_equal(unit, m.sample(3, 16, levels=4, second_order=True, seed=6))


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_checks_its_design_table(name):
    m = METHODS[name]
    if m.samples_mean is None:  # takes no samples
        assert m.check(DesignSpec(method=name)) is None
        assert "has no samples" in m.check(DesignSpec(method=name, samples=16))
    else:
        assert m.check(DesignSpec(method=name)) == (
            f"design.samples: required for method {name!r} ({m.samples_mean})"
        )
        assert m.check(DesignSpec(method=name, samples=16)) is None
        refused = 0
        for n in (1, 3):  # too few for some methods, not a power of two for others
            problem = m.check_samples(n)
            message = m.check(DesignSpec(method=name, samples=n))
            if problem is None:
                assert message is None
            else:  # the same rule as --samples, naming the field
                assert message.startswith(f"design.samples = {n}: {problem}")
                refused += 1
        assert refused


@pytest.mark.parametrize("name", ANALYSES)
def test_every_analysis_round_trips_and_ranks_the_dominant_parameter_first(name, tmp_path):
    m = METHODS[name]
    names = ["small", "big", "medium"]
    assert m.check_samples(64) is None
    unit = m.sample(3, 64, levels=4, second_order=True, seed=2)
    y = unit @ np.array([0.25, 4.0, 1.0])  # a linear function: big > medium > small
    result = analyze(name, unit, {"y": y}, names, levels=4, second_order=True, seed=3)
    ranked = result.indices.sort_values(m.main_index, ascending=False)["parameter"]
    assert list(ranked) == ["big", "medium", "small"]
    assert "big" in result.text()
    files = {f.name for f in result.write(tmp_path)}
    assert {f"{name}.png", f"{name}_convergence.png", f"{name}_indices.csv"} <= files


@pytest.mark.parametrize("name", [n for n in METHODS if n not in ANALYSES])
def test_a_design_only_method_is_refused_by_the_analysis(name):
    with pytest.raises(ValueError, match=f"unknown method '{name}'; use morris or sobol"):
        analyze(name, np.zeros((4, 2)), {"y": np.zeros(4)}, ["a", "b"])


def test_factorial_is_a_grid_not_a_sample():
    params = {"a": ParameterSpec(values=[1, 2]), "b": ParameterSpec(range=[0, 1], levels=3)}
    sets, unit = design_points("factorial", params, {"a": "int", "b": "float"})
    assert unit is None and len(sets) == 6
    with pytest.raises(ValueError, match="unknown sampled design 'factorial'"):
        unit_design("factorial", 2, None)


def test_a_new_method_is_one_class_registered_by_defining_it():
    try:

        class Halton(Method):
            name = "halton_test"
            description = "a Halton sequence"
            samples_mean = "points"

            def sample(self, d, samples, *, levels, second_order, seed):
                from scipy.stats import qmc

                return qmc.Halton(d=d, seed=seed).random(samples)

        assert list(METHODS)[-1] == "halton_test"
        assert isinstance(METHODS["halton_test"], Halton)
        sets, unit = design_points(
            "halton_test", {"a": ParameterSpec(range=[0, 10])}, {"a": "float"}, samples=8
        )
        assert len(sets) == 8 and unit.shape == (8, 1)
        with pytest.raises(ValueError, match="already registered"):

            class Again(Method):
                name = "halton_test"
                description = "the same name"

    finally:
        METHODS.pop("halton_test", None)
    assert "halton_test" not in METHODS
