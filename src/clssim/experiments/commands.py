"""CLI subcommands of the experiment layer (``sweep``, ``compare``, ``sensitivity``)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the experiment subcommands to the ``clssim`` parser."""
