"""The exception every input problem becomes: one line a user can act on.

It sits at the bottom of the package (it imports nothing of clssim), so the
map reader, the scenario schema and the experiment files can all raise it.
"""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario, map or experiment file cannot be used; the message is one line
    naming the file, the field, the value and what is allowed."""
