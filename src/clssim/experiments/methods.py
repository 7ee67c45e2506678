"""Design and sensitivity methods: one class per method, one registry.

Each method (``factorial``, ``lhs``, ``morris``, ``sobol``) is a subclass of
:class:`Method` that says, in one place, everything the experiment layer needs
to know about it: how an experiment file's ``[design]`` table is checked, how
its parameter sets are drawn, and, for the two sensitivity methods, how the
indices are computed, printed, plotted and checked for convergence. In the
style of SALib (one module per method, one signature), every method answers
the same calls:

``check(design)``
    the one-line problem with a ``[design]`` table, or ``None``;
``check_range(spec, ftype)``
    the problem with a range parameter under this design, or ``None``;
``check_samples(samples)``
    the problem with a sample size (``clssim sensitivity --samples``), or ``None``;
``points(parameters, kinds, ...)``
    the parameter sets (and, for a sampled design, the unit-cube points);
``sample(d, samples, ...)``
    the points of a sampled design in ``[0, 1]^d``;
``analyse(unit, y, names, ...)``
    the indices of a design's outputs (sensitivity methods only).

Defining a subclass with a ``name`` registers an instance in :data:`METHODS`
(in definition order); the spec, the design, the analysis, the plots, the
``clssim`` commands and the report look the method up there by name.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from clssim.experiments.design import factor_values, from_unit, range_levels, unit_problem

if TYPE_CHECKING:  # pandas is imported where indices are computed: the CLI starts without it
    import pandas as pd

    from clssim.experiments.spec import DesignSpec, ParameterSpec

__all__ = [
    "METHODS",
    "LHS",
    "Factorial",
    "Method",
    "Morris",
    "Sobol",
    "analysis_names",
    "morris_indices",
    "one_of",
    "sobol_indices",
]

Kind = Literal["design", "screening", "variance"]

#: every method by name, in definition order (filled by :meth:`Method.__init_subclass__`)
METHODS: dict[str, Method] = {}


def one_of(names: Sequence[str], *, quote: bool = False) -> str:
    """``a``, ``a or b``, ``a, b or c`` (names quoted as ``'a'`` with ``quote``)."""
    shown = [repr(n) if quote else n for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def analysis_names() -> tuple[str, ...]:
    """The registered methods that compute sensitivity indices, in registry order."""
    return tuple(name for name, m in METHODS.items() if m.analyses)


class Method:
    """A design method, and for sensitivity methods its analysis.

    A subclass sets the class attributes below and overrides the calls that
    differ from the defaults (a sampled design that computes no indices).
    """

    #: the ``design.method`` value
    name: ClassVar[str]
    #: one line, for listings and help
    description: ClassVar[str]
    #: ``design``: parameter sets only; ``screening`` (ranks parameters) or
    #: ``variance`` (apportions output variance): also sensitivity indices
    kind: ClassVar[Kind] = "design"
    #: the design draws points in the unit cube (``False``: a grid of every
    #: combination of the parameters' values, plotted by ``clssim sweep``)
    sampled: ClassVar[bool] = True
    #: what ``design.samples`` counts (``None``: the design takes no samples)
    samples_mean: ClassVar[str | None] = None

    # the analysis (sensitivity methods only)
    #: the index that ranks parameters: plotted for convergence
    main_index: ClassVar[str | None] = None
    #: its label on a plot axis
    main_label: ClassVar[str | None] = None
    #: the indices tracked for convergence
    convergence_indices: ClassVar[tuple[str, ...]] = ()
    #: the smallest prefix of the design worth analysing, in blocks
    smallest: ClassVar[int] = 1
    #: what a block counts, in the convergence report
    size_unit: ClassVar[str] = ""
    #: the largest change between the last two prefixes that counts as converged
    #: (relative to :meth:`scale`)
    tolerance: ClassVar[float] = math.nan
    #: the report's paragraph on the indices
    report_text: ClassVar[str] = ""
    #: figure file stem → caption, for the report
    captions: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            if cls.name in METHODS:
                raise ValueError(f"a method named {cls.name!r} is already registered")
            METHODS[cls.name] = cls()

    def __repr__(self) -> str:
        return f"<method {self.name}: {self.description}>"

    @property
    def analyses(self) -> bool:
        """Whether the method computes sensitivity indices."""
        return self.kind != "design"

    # ------------------------------------------------------------------ checks

    def check(self, design: DesignSpec) -> str | None:
        """The problem with a ``[design]`` table (one line naming the field), or None."""
        if design.samples is None:
            return f"design.samples: required for method {self.name!r} ({self.samples_mean})"
        problem = self.check_samples(design.samples)
        return None if problem is None else f"design.samples = {design.samples}: {problem}"

    def check_samples(self, samples: int) -> str | None:
        """The problem with ``samples`` (``design.samples`` or ``--samples``), or None."""
        return None

    def check_range(self, spec: ParameterSpec, ftype: str) -> str | None:
        """The problem with a range parameter under this design, or None: the rest
        of the one-line error after the parameter's path (``: ...`` or
        ``.levels = N: ...``)."""
        if spec.levels is not None:
            return (
                f".levels = {spec.levels}: levels apply to factorial designs only "
                f"(design.method = {self.name!r} samples the range)"
            )
        return None

    # ------------------------------------------------------------------ design

    def sample(
        self, d: int, samples: int | None, *, levels: int, second_order: bool, seed: int
    ) -> np.ndarray:
        """Points of the design in ``[0, 1]^d`` (rows = parameter sets)."""
        raise NotImplementedError(f"{self.name} does not sample the unit cube")

    def points(
        self,
        parameters: dict[str, Any],
        kinds: dict[str, str],
        *,
        samples: int | None,
        levels: int,
        second_order: bool,
        seed: int,
    ) -> tuple[list[dict[str, Any]], np.ndarray | None]:
        """Parameter sets (dicts path → value) and the unit points they come from."""
        names = list(parameters)
        unit = self.sample(len(names), samples, levels=levels, second_order=second_order, seed=seed)
        sets = [
            {
                n: from_unit(parameters[n], kinds[n], float(u))
                for n, u in zip(names, row, strict=True)
            }
            for row in unit
        ]
        return sets, unit

    # ------------------------------------------------------------------ analysis

    def block(self, d: int, second_order: bool) -> int:
        """Design points per block (the unit of the convergence prefixes)."""
        raise NotImplementedError(f"{self.name} computes no indices")

    def analyse(
        self,
        unit: np.ndarray,
        y: np.ndarray,
        names: list[str],
        *,
        levels: int,
        second_order: bool,
        conf_level: float,
        seed: int,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """First-order indices (one row per parameter) and second-order ones (one
        row per pair, or empty) of outputs ``y`` (one value per row of ``unit``)."""
        raise NotImplementedError(f"{self.name} computes no indices")

    def scale(self, indices: pd.DataFrame) -> float:
        """What the convergence change is divided by before the tolerance test."""
        return 1.0

    def table_lines(self, rows: pd.DataFrame, width: int) -> list[str]:
        """The console table of one output's indices (``width``: parameter column)."""
        raise NotImplementedError(f"{self.name} computes no indices")

    def plot_indices(
        self, ax: Any, rows: pd.DataFrame, labels: list[str], colours: Sequence[str]
    ) -> None:
        """Draw one output's indices (``rows`` indexed by parameter) on ``ax``."""
        raise NotImplementedError(f"{self.name} computes no indices")


# ---------------------------------------------------------------- the designs


class Factorial(Method):
    """Every combination of every parameter's values (a range gives ``levels``
    evenly spaced points, or geometrically spaced with ``scale = "log"``)."""

    name = "factorial"
    description = "full factorial: every combination of the parameters' values"
    sampled = False

    def check(self, design: DesignSpec) -> str | None:
        if design.samples is not None:
            return (
                f"design.samples = {design.samples}: a factorial design has no samples "
                "(it runs every combination)"
            )
        return None

    def check_range(self, spec: ParameterSpec, ftype: str) -> str | None:
        if spec.levels is None:
            return ": a range in a factorial design needs levels = N (or give values = [...])"
        if ftype == "int":
            pts = range_levels(spec, ftype)
            if len(set(pts)) != len(pts):
                lo, hi = spec.range  # type: ignore[misc]
                return (
                    f".levels = {spec.levels}: gives repeated integers in "
                    f"[{int(lo)}, {int(hi)}]; use fewer levels or values = [...]"
                )
        return None

    def points(
        self,
        parameters: dict[str, Any],
        kinds: dict[str, str],
        *,
        samples: int | None,
        levels: int,
        second_order: bool,
        seed: int,
    ) -> tuple[list[dict[str, Any]], np.ndarray | None]:
        names = list(parameters)
        axes = [factor_values(parameters[n], kinds[n]) for n in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)], None


class LHS(Method):
    """A Latin hypercube of ``samples`` points (:class:`scipy.stats.qmc.LatinHypercube`)."""

    name = "lhs"
    description = "Latin hypercube: one point in each of the samples strata of every parameter"
    samples_mean = "points"

    def check_samples(self, samples: int) -> str | None:
        return "LHS needs 2+ points" if samples < 2 else None

    def sample(
        self, d: int, samples: int | None, *, levels: int, second_order: bool, seed: int
    ) -> np.ndarray:
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(samples)


# ---------------------------------------------------------------- Morris


def morris_indices(
    unit: np.ndarray,
    y: np.ndarray,
    names: list[str],
    *,
    levels: int = 4,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 1,
) -> pd.DataFrame:
    """Morris μ, μ*, σ and the μ* interval from unit-cube trajectories and outputs
    (one value per row, e.g. the mean over replicates)."""
    import pandas as pd
    from SALib.analyze import morris as salib_morris

    problem = unit_problem(len(names), names)
    y = np.asarray(y, dtype=float)
    if np.ptp(y) == 0:
        zeros = np.zeros(len(names))
        return pd.DataFrame(
            {
                "parameter": names,
                "mu": zeros,
                "mu_star": zeros,
                "mu_star_conf": zeros,
                "sigma": zeros,
            }
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = salib_morris.analyze(
            problem,
            np.asarray(unit, dtype=float),
            y,
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=levels,
            seed=seed,
        )
    return pd.DataFrame(
        {
            "parameter": names,
            "mu": np.asarray(res["mu"], dtype=float),
            "mu_star": np.asarray(res["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
            "sigma": np.asarray(res["sigma"], dtype=float),
        }
    )


class Morris(Method):
    """``samples`` Morris trajectories on a ``levels``-level grid
    (:func:`SALib.sample.morris.sample`), ``samples × (D + 1)`` sets; elementary
    effects give μ* (importance), σ (non-linearity, interactions) and μ."""

    name = "morris"
    description = "Morris screening: elementary effects along one-at-a-time trajectories"
    kind = "screening"
    samples_mean = "trajectories"
    main_index = "mu_star"
    main_label = "μ*"
    convergence_indices = ("mu_star",)
    smallest = 2
    size_unit = "trajectories"
    tolerance = 0.10  # of the largest mu*
    report_text = (
        "Morris screening: μ* ranks how much each parameter moves an output; "
        "σ large against μ* means interactions or non-linearity."
    )
    captions = {
        "morris": "Morris screening: μ* (overall influence) and σ (interactions, non-linearity) "
        "of each parameter, per output.",
        "morris_convergence": "Morris μ* as the number of runs grows: stable ranks mean enough "
        "runs.",
    }

    def check(self, design: DesignSpec) -> str | None:
        if design.samples is not None and design.levels % 2:
            return f"design.levels = {design.levels}: Morris needs an even number"
        return super().check(design)

    def check_samples(self, samples: int) -> str | None:
        return "Morris needs 2+ trajectories" if samples < 2 else None

    def sample(
        self, d: int, samples: int | None, *, levels: int, second_order: bool, seed: int
    ) -> np.ndarray:
        from SALib.sample import morris

        return morris.sample(unit_problem(d), samples, num_levels=levels, seed=seed)

    def block(self, d: int, second_order: bool) -> int:
        """Design points per trajectory."""
        return d + 1

    def analyse(
        self,
        unit: np.ndarray,
        y: np.ndarray,
        names: list[str],
        *,
        levels: int,
        second_order: bool,
        conf_level: float,
        seed: int,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        import pandas as pd

        first = morris_indices(unit, y, names, levels=levels, conf_level=conf_level, seed=seed)
        return first, pd.DataFrame()

    def scale(self, indices: pd.DataFrame) -> float:
        """The largest μ* (μ* has the output's units)."""
        return float(np.nanmax(indices["mu_star"])) if len(indices) else 0.0

    def table_lines(self, rows: pd.DataFrame, width: int) -> list[str]:
        lines = [f"  {'parameter':<{width}}  {'mu*':>10}  {'± CI':>9}  {'sigma':>10}"]
        for r in rows.itertuples():
            lines.append(
                f"  {r.parameter:<{width}}  {r.mu_star:>10.4g}  {r.mu_star_conf:>9.3g}"
                f"  {r.sigma:>10.4g}"
            )
        return lines

    def plot_indices(
        self, ax: Any, rows: pd.DataFrame, labels: list[str], colours: Sequence[str]
    ) -> None:
        y = np.arange(len(labels))
        ax.barh(
            y - 0.18,
            rows["mu_star"],
            0.36,
            xerr=rows["mu_star_conf"],
            capsize=2,
            color=colours[0],
            label="μ* (importance)",
        )
        ax.barh(
            y + 0.18,
            rows["sigma"],
            0.36,
            color=colours[1],
            alpha=0.8,
            label="σ (non-linearity, interactions)",
        )
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel("effect over the parameter's full range")


# ---------------------------------------------------------------- Sobol


def sobol_indices(
    y: np.ndarray,
    names: list[str],
    *,
    second_order: bool = True,
    conf_level: float = 0.95,
    num_resamples: int = 500,
    seed: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sobol S1, ST (and S2) with bootstrap intervals from Saltelli-ordered outputs."""
    import pandas as pd
    from SALib.analyze import sobol as salib_sobol

    d = len(names)
    problem = unit_problem(d, names)
    y = np.asarray(y, dtype=float)
    if np.ptp(y) == 0:  # a constant output has no variance to apportion
        nan = np.full(d, math.nan)
        first = pd.DataFrame(
            {"parameter": names, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
        )
        return first, pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = salib_sobol.analyze(
            problem,
            y,
            calc_second_order=second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
    first = pd.DataFrame(
        {
            "parameter": names,
            "S1": np.asarray(res["S1"], dtype=float),
            "S1_conf": np.asarray(res["S1_conf"], dtype=float),
            "ST": np.asarray(res["ST"], dtype=float),
            "ST_conf": np.asarray(res["ST_conf"], dtype=float),
        }
    )
    rows = []
    if second_order:
        for i in range(d):
            for j in range(i + 1, d):
                rows.append(
                    {
                        "parameter_1": names[i],
                        "parameter_2": names[j],
                        "S2": float(res["S2"][i, j]),
                        "S2_conf": float(res["S2_conf"][i, j]),
                    }
                )
    return first, pd.DataFrame(rows)


class Sobol(Method):
    """Saltelli's extension of a scrambled Sobol' sequence of base size ``samples``
    (:func:`SALib.sample.sobol.sample`), ``samples × (2D + 2)`` sets
    (``samples × (D + 2)`` without second-order indices); first-order S1, total
    ST and second-order S2 indices."""

    name = "sobol"
    description = "Sobol' indices on Saltelli's design: shares of the output variance"
    kind = "variance"
    samples_mean = "base sample N"
    main_index = "ST"
    main_label = "ST"
    convergence_indices = ("S1", "ST")
    smallest = 4
    size_unit = "base samples"
    tolerance = 0.05  # indices are shares
    report_text = (
        "Sobol indices: S1 is the share of output variance a parameter explains "
        "alone, ST with all its interactions; intervals are bootstrap 95%."
    )
    captions = {
        "sobol": "Sobol indices per output: S1 (alone) and ST (with interactions), with "
        "bootstrap 95% intervals.",
        "sobol_convergence": "Sobol ST as the number of runs grows: stable values mean enough "
        "runs.",
    }

    def check(self, design: DesignSpec) -> str | None:
        n = design.samples
        problem = None if n is None else self.check_samples(n)
        if problem is not None:
            lo = 1 << (n.bit_length() - 1)  # type: ignore[union-attr]
            return f"design.samples = {n}: {problem} (e.g. {lo} or {lo * 2})"
        return super().check(design)

    def check_samples(self, samples: int) -> str | None:
        if samples < 1 or samples & (samples - 1):
            return "Sobol/Saltelli sampling needs a power of two"
        return None

    def sample(
        self, d: int, samples: int | None, *, levels: int, second_order: bool, seed: int
    ) -> np.ndarray:
        from SALib.sample import sobol

        return sobol.sample(unit_problem(d), samples, calc_second_order=second_order, seed=seed)

    def block(self, d: int, second_order: bool) -> int:
        """Design points per base sample."""
        return 2 * d + 2 if second_order else d + 2

    def analyse(
        self,
        unit: np.ndarray,
        y: np.ndarray,
        names: list[str],
        *,
        levels: int,
        second_order: bool,
        conf_level: float,
        seed: int,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        return sobol_indices(y, names, second_order=second_order, conf_level=conf_level, seed=seed)

    def table_lines(self, rows: pd.DataFrame, width: int) -> list[str]:
        lines = [f"  {'parameter':<{width}}  {'S1':>7}  {'± CI':>6}  {'ST':>7}  {'± CI':>6}"]
        for r in rows.itertuples():
            lines.append(
                f"  {r.parameter:<{width}}  {r.S1:>7.3f}  {r.S1_conf:>6.3f}"
                f"  {r.ST:>7.3f}  {r.ST_conf:>6.3f}"
            )
        return lines

    def plot_indices(
        self, ax: Any, rows: pd.DataFrame, labels: list[str], colours: Sequence[str]
    ) -> None:
        x = np.arange(len(labels))
        ax.bar(
            x - 0.2,
            rows["S1"],
            0.4,
            yerr=rows["S1_conf"],
            capsize=2,
            color=colours[0],
            label="S1 (first order)",
        )
        ax.bar(
            x + 0.2,
            rows["ST"],
            0.4,
            yerr=rows["ST_conf"],
            capsize=2,
            color=colours[1],
            label="ST (total)",
        )
        ax.set_xticks(x, labels, rotation=30, ha="right")
        s1 = rows["S1"].to_numpy(dtype=float)
        low = float(np.min(s1[np.isfinite(s1)], initial=0.0))  # all NaN: constant output
        ax.set_ylim(min(0.0, low - 0.05), 1.05)
        ax.axhline(0, color="#888", lw=0.6)


def unit_design(
    method: str,
    d: int,
    samples: int | None,
    *,
    levels: int = 4,
    second_order: bool = True,
    seed: int = 0,
) -> np.ndarray:
    """Points of a sampled design in ``[0, 1]^d`` (rows = parameter sets)."""
    m = METHODS.get(method)
    if m is None or not m.sampled:
        raise ValueError(f"unknown sampled design {method!r}")
    return m.sample(d, samples, levels=levels, second_order=second_order, seed=seed)


def design_points(
    method: str,
    parameters: dict[str, Any],
    kinds: dict[str, str],
    *,
    samples: int | None = None,
    levels: int = 4,
    second_order: bool = True,
    seed: int = 0,
) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """Parameter sets (dicts path → value) and, for sampled designs, the unit points.

    ``parameters`` maps each dotted path to its spec (``values`` or ``range``,
    ``levels``, ``scale``); ``kinds`` maps it to the field's type name
    (``int``, ``float``, ``str``, ``bool``, ``choice``, ``path``).
    """
    m = METHODS.get(method)
    if m is None:
        raise ValueError(f"unknown sampled design {method!r}")
    return m.points(
        parameters, kinds, samples=samples, levels=levels, second_order=second_order, seed=seed
    )
