"""A tiny scenario (300 residents, 10 × 10 cells, 0.1 years) for fast experiment tests."""

from __future__ import annotations


def tiny_scenario(name: str = "tiny", officers: int | None = None, residents: int = 300) -> str:
    """TOML text of the tiny scenario (it extends nothing: defaults fill the rest)."""
    police = f"[police]\nofficers = {officers}\n" if officers is not None else ""
    return (
        f'name = "{name}"\nseed = 1\n[time]\nyears = 0.1\n[world]\nwidth = 10\nheight = 10\n'
        f"[population]\nresidents = {residents}\n{police}"
    )
