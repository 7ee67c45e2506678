"""Experiments: sweeps, executors (local, Dask), comparisons, sensitivity analysis.

This layer sits on top of the model: it imports :mod:`clssim.model`; the
model never imports it. See ``docs/experiments.md``.

Modules (each small, importable alone):

``spec``         experiment files (TOML) → a validated experiment
``methods``      the design and sensitivity methods, one class each, in a registry
``design``       design matrices: factorial, Latin hypercube, Morris, Sobol/Saltelli
``seeds``        seed policies (common random numbers, independent)
``outputs``      outputs: summary keys and ``ts:COLUMN:AGG[:WINDOW]`` aggregates
``plan``         every run of an experiment as plain data
``tasks``        one run as a pure task (never raises: failures are recorded)
``executors``    in-process, local process pool, Dask cluster
``store``        the run store: journal + Parquet batches, resumable, kill-safe
``sweep``        running a plan with progress; per-set summaries
``compare``      paired comparisons with common random numbers; cost-effectiveness
``sensitivity``  Morris and Sobol indices (SALib), on the model or any callable
``plots``        figures of sweeps, comparisons and sensitivity analyses
``commands``     the ``clssim sweep``, ``compare`` and ``sensitivity`` subcommands
"""
