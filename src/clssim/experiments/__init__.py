"""Experiments: sweeps, executors (local, Dask), comparisons, sensitivity analysis.

This layer sits on top of the model: it imports :mod:`clssim.model`; the
model never imports it.
"""
