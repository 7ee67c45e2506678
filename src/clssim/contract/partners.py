"""Partner organisations, their field workers and the governance network.

Partners (municipality, school cluster, social services, health, migration
bodies, police, associations, parish) are Mesa agents: there are few, and a
student can inspect each. They act on the grid through **field workers**
(Mesa ``CellAgent`` objects): youth workers, social workers, maintenance
crews, outreach teams. In working slots each field worker goes to a place
where one of its partner's active measures is delivered — a target cell, or
the home of a participant — and adds guardianship where it stands.

The **governance network** is a networkx graph of partners whose edge
attribute ``trust`` (0–1) grows with joint work. A measure's *integration*
is the mean trust between its lead and the other partners leading active
measures; a lead working alone delivers ``1 − isolation_penalty`` of the
effect (partners "repeating isolated actions", seed paper).
"""

from __future__ import annotations

import itertools

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import CellAgent

from clssim.measures import PARTNERS


class Partner(mesa.Agent):
    """A partner organisation of the contract."""

    def __init__(self, model, cfg):
        super().__init__(model)
        self.kind: str = cfg.kind
        self.capacity: float = cfg.capacity
        self.commitment: float = cfg.commitment
        self.information_sharing: float = cfg.information_sharing
        self.budget_share: float = cfg.budget_share
        self.workers: list[FieldWorker] = []

    @property
    def delivery(self) -> float:
        """Share of a measure's potential this partner delivers:
        ``0.5 + 0.5 × sqrt(capacity × commitment)`` (0.85 at the defaults 0.7, 0.7)."""
        return 0.5 + 0.5 * float(np.sqrt(self.capacity * self.commitment))


class FieldWorker(CellAgent):
    """A partner's worker on the ground: delivers measures, adds guardianship."""

    def __init__(self, model, partner: Partner, cell):
        super().__init__(model)
        self.partner = partner
        self.role = PARTNERS[partner.kind]
        self.cell = cell


def governance_network(partners: list[Partner], trust: float) -> nx.Graph:
    """A complete graph of partners with initial edge trust."""
    g = nx.Graph()
    for p in partners:
        g.add_node(p.kind, partner=p)
    for a, b in itertools.combinations(partners, 2):
        g.add_edge(a.kind, b.kind, trust=trust)
    return g


def integration(g: nx.Graph, lead: str, active: set[str]) -> float:
    """Mean trust between ``lead`` and the other partners leading active measures."""
    others = [p for p in active if p != lead and g.has_edge(lead, p)]
    if not others:
        return 0.0
    return float(np.mean([g.edges[lead, p]["trust"] for p in others]))


def joint_work(g: nx.Graph, active: set[str], gain: float) -> None:
    """Trust grows between every pair of partners delivering at the same time."""
    for a, b in itertools.combinations(sorted(active), 2):
        if g.has_edge(a, b):
            t = g.edges[a, b]["trust"]
            g.edges[a, b]["trust"] = t + gain * (1.0 - t)
