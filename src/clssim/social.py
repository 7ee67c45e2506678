"""Social dynamics: trust in police, perceived insecurity, collective efficacy
and offending careers (ODD §7 "Social dynamics").

Events of the day (contacts with officers, victimisation, reports and the
response to them, arrests) are tallied per resident as they happen; once a
day, :func:`end_of_day` turns them into changes of the four slow state
variables, each a vector over residents (or over areas):

* **trust** in [0, 1] — fair contacts raise it, unfair ones lower it more
  (Skogan 2006), so does the response to one's report; unfair arrests (and,
  if ``trust.vicarious_stop_loss`` > 0, unfair stops) of one's ties lower it
  (vicarious experience); it diffuses over ties
  (``W @ trust``) and drifts back to a group baseline.
* **insecurity** in [0, 1] — relaxes towards a logistic target driven by the
  disorder and darkness of one's routine cells, isolation, vulnerability,
  police visibility and collective efficacy; jumps with one's own and one's
  ties' victimisation; spreads over ties, fear faster than reassurance
  (Prieto Curiel & Bishop 2017, 2018).
* **collective efficacy** per area — mean participation × social
  integration of its residents (Sampson et al. 1997); it adds informal
  guardianship to the crime step, and participation falls with fear.
* **careers** — a youth's motivation is their base propensity × (1 + peer
  pull from delinquent ties) × (1 + school disengagement) × an arrest factor
  (deterrence after fair arrests, labelling after unfair ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from clssim import school
from clssim.draws import Decision, SlotDraws
from clssim.population import R_STUDENT, Population
from clssim.world import World

#: Groups reported in the outputs: name → boolean mask builder.
GROUPS = {
    "child": lambda p: p.group == 0,
    "youth": lambda p: p.group == 1,
    "adult": lambda p: p.group == 2,
    "elderly": lambda p: p.group == 3,
    "female": lambda p: p.female,
    "male": lambda p: ~p.female,
    "migrant": lambda p: p.migrant,
    "minority": lambda p: p.minority,
    "isolated_elderly": lambda p: p.isolated_elderly,
}


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def vulnerability_flags(pop: Population) -> np.ndarray:
    """Each resident's count of vulnerability flags: female, aged 65+, poor, migrant."""
    return (pop.female.astype(float) + (pop.age >= 65) + pop.poor + pop.migrant).astype(float)


def averaging_matrix(group: np.ndarray, k: int) -> sp.csr_array:
    """A (k, n) sparse matrix whose row ``g`` averages over the residents with
    ``group == g`` (an all-zero row for an empty group)."""
    n = group.size
    counts = np.bincount(group, minlength=k)
    weight = 1.0 / counts[group]
    return sp.csr_array((weight, (group, np.arange(n))), shape=(k, n))


@dataclass
class Social:
    """Per-resident social state, per-area efficacy and the day's tallies."""

    trust: np.ndarray
    trust_base: np.ndarray
    insecurity: np.ndarray
    participation: np.ndarray
    participation_base: np.ndarray
    engagement: np.ndarray  #: school engagement in [0, 1] (pupils)
    arrest_factor: np.ndarray  #: career multiplier from deterrence/labelling
    recent: np.ndarray  #: decayed count of recent offences (delinquent peers)
    sightings: np.ndarray  #: decayed count of days with an officer seen
    vulnerability: np.ndarray  #: count of vulnerability flags
    victimisations: np.ndarray  #: offences suffered since the start
    isolation_relief: np.ndarray  #: share of isolation relieved (visits), 0–1
    fear_relief: np.ndarray  #: per cell: fear removed by care of the place (greening), logit
    programme_factor: np.ndarray  #: multiplies motivation (youth programmes)
    report_mul: np.ndarray  #: multiplies the reporting probability
    violence_report_mul: np.ndarray  #: … for violence (domestic-violence awareness)
    base_motivation: np.ndarray  #: motivation × propensity before careers
    exclusions: np.ndarray  #: expected school exclusions so far (pupils; ODD §7.20)
    extra_exclusions: np.ndarray  #: … of them, above the school's usual rate
    exclusion_extra: np.ndarray  #: exclusions a measure adds per usual one at one's school
    adjacency: sp.csr_array = field(repr=False)
    influence: sp.csr_array = field(repr=False)  #: mean of ties (isolates: their own value)
    integration: np.ndarray = field(repr=False)  #: ties / (ties + saturation)
    routine: sp.csr_array = field(repr=False)  #: (n, ncells) share of routine per cell
    area_of_home: np.ndarray = field(repr=False)
    area_of_cell: np.ndarray = field(repr=False)
    efficacy: np.ndarray = field(repr=False)  #: per area
    guard: np.ndarray = field(repr=False)  #: per cell: informal guardianship hazard
    area_mean: sp.csr_array = field(repr=False)  #: (areas, n): row a averages over a's residents
    area_share: np.ndarray = field(repr=False)  #: share of all residents living in each area
    cell_mean: sp.csr_array = field(repr=False)  #: (ncells, n): row c averages over c's residents
    youth_ids: np.ndarray = field(repr=False)  #: residents aged 12–24 (ages do not change)
    youth_ties: sp.csr_array = field(repr=False)  #: youths' rows of the row-normalised adjacency
    isolated_ids: np.ndarray = field(repr=False)  #: isolated elderly residents
    # the day's tallies
    fair: np.ndarray = field(repr=False)
    unfair: np.ndarray = field(repr=False)
    victimised: np.ndarray = field(repr=False)
    satisfied: np.ndarray = field(repr=False)  #: reports met with a satisfying response
    dissatisfied: np.ndarray = field(repr=False)  #: … with an unsatisfying one
    vicarious: np.ndarray = field(repr=False)  #: unfair arrests suffered
    offended: np.ndarray = field(repr=False)
    seen_police: np.ndarray = field(repr=False)


def init_social(
    pop: Population, world: World, scenario, base_motivation: np.ndarray, rng
) -> Social:
    """Initial trust, insecurity, participation and school engagement."""
    t, ef = scenario.trust, scenario.efficacy
    n = pop.n
    base = (
        t.baseline
        - t.gap_minority * pop.minority
        - t.gap_migrant * pop.migrant
        - t.gap_youth * pop.youth
    )
    base = np.clip(base, 0.0, 1.0)
    trust = np.clip(base + rng.normal(0.0, t.spread, n), 0.0, 1.0)
    vulnerability = vulnerability_flags(pop)
    # participation: Beta with the configured mean; isolated elderly take part less
    part_mean = np.clip(ef.participation * np.where(pop.isolated_elderly, 0.5, 1.0), 0.01, 0.99)
    participation_base = rng.beta(2.0 * part_mean / (1 - part_mean) + 1e-9, 2.0)
    participation_base = np.clip(participation_base, 0.0, 1.0)
    engagement = np.clip(rng.beta(4.0, 2.0, n) - 0.15 * pop.poor, 0.0, 1.0)

    adj = pop.network.tocsr()
    degree = np.asarray(adj.sum(axis=1)).ravel()
    inv = np.divide(1.0, degree, out=np.zeros(n), where=degree > 0)
    mean_of_ties = sp.csr_array(sp.diags_array(inv) @ adj)
    # diffusion and contagion pull towards the mean of one's ties; a resident
    # without ties is pulled towards their own value, i.e. not at all
    influence = sp.csr_array(mean_of_ties + sp.diags_array((degree == 0).astype(float)))
    side = ef.area_cells
    x, y = world.xy(np.arange(world.ncells))
    cols = -(-world.height // side)
    area_of_cell = (x // side) * cols + (y // side)
    cells = np.column_stack([pop.home, pop.haunts_local, pop.haunts_leisure])
    k = cells.shape[1]
    routine = sp.csr_array(
        (np.full(cells.size, 1.0 / k), (np.repeat(np.arange(n), k), cells.ravel())),
        shape=(n, world.ncells),
    )
    area_of_home = area_of_cell[pop.home]
    youth_ids = np.flatnonzero(pop.youth)
    z = np.zeros(n)
    soc = Social(
        trust=trust,
        trust_base=base,
        insecurity=np.zeros(n),
        participation=participation_base.copy(),
        participation_base=participation_base,
        engagement=engagement,
        arrest_factor=np.ones(n),
        recent=z.copy(),
        sightings=z.copy(),
        vulnerability=vulnerability,
        victimisations=np.zeros(n, np.int32),
        isolation_relief=np.zeros(n),
        fear_relief=np.zeros(world.ncells),
        programme_factor=np.ones(n),
        report_mul=np.ones(n),
        violence_report_mul=np.ones(n),
        base_motivation=base_motivation.copy(),
        exclusions=z.copy(),
        extra_exclusions=z.copy(),
        exclusion_extra=z.copy(),
        adjacency=adj,
        influence=influence,
        integration=degree / (degree + ef.tie_saturation),
        routine=routine,
        area_of_home=area_of_home,
        area_of_cell=area_of_cell,
        efficacy=np.zeros(int(area_of_cell.max()) + 1),
        guard=np.zeros(world.ncells),
        area_mean=averaging_matrix(area_of_home, int(area_of_cell.max()) + 1),
        area_share=np.bincount(area_of_home, minlength=int(area_of_cell.max()) + 1) / n,
        cell_mean=averaging_matrix(pop.home, world.ncells),
        youth_ids=youth_ids,
        youth_ties=mean_of_ties[youth_ids],
        isolated_ids=np.flatnonzero(pop.isolated_elderly),
        fair=np.zeros(n, np.int32),
        unfair=np.zeros(n, np.int32),
        victimised=np.zeros(n, np.int32),
        satisfied=np.zeros(n, np.int32),
        dissatisfied=np.zeros(n, np.int32),
        vicarious=np.zeros(n, np.int32),
        offended=np.zeros(n, np.int32),
        seen_police=np.zeros(n, bool),
    )
    update_efficacy(soc, scenario.efficacy)
    # start insecurity at its situational target, so runs start near equilibrium
    soc.insecurity[:] = insecurity_target(soc, pop, world, scenario.insecurity)
    return soc


# ------------------------------------------------------------- within the day


def police_contacts(
    soc: Social,
    away: np.ndarray,
    loc: np.ndarray,
    contact_presence: np.ndarray,
    fair_presence: np.ndarray,
    contact_rate: float,
    draws: SlotDraws,
) -> tuple[int, int]:
    """Contacts between residents away from home and officers in reach.

    A resident out of home, at work or at school (``away``: their ids) with
    officers in reach whose contact factors sum to ``k`` (an officer in a car
    counts 1, on foot up to 4) has a contact with probability
    ``1 − (1 − contact_rate)^k``; it is fair with the contact-weighted mean
    fairness of those officers (procedural justice; proximity officers:
    ``proximity_fairness``). Everyone away from home in reach of an officer
    sees the police. Returns the slot's (fair, unfair) contacts.
    """
    where = loc[away]
    in_reach = (contact_presence > 0)[where]  # officers' reach is a few cells: test those
    near = away[in_reach]
    if near.size == 0:
        return 0, 0
    soc.seen_police[near] = True
    where = where[in_reach]
    k = contact_presence[where]
    u_met, u_fair = draws.uniforms((Decision.CONTACT, Decision.CONTACT_FAIR), near)
    met = u_met < 1.0 - (1.0 - contact_rate) ** k
    who, where = near[met], where[met]
    fair = u_fair[met] < fair_presence[where] / contact_presence[where]
    soc.fair[who[fair]] += 1  # each resident appears once in who
    soc.unfair[who[~fair]] += 1
    n_fair = int(np.count_nonzero(fair))
    return n_fair, who.size - n_fair


def proximity_visits(soc: Social, visited: np.ndarray, fair: np.ndarray) -> tuple[int, int]:
    """Deliberate visits of proximity officers: contacts, each ``fair`` or not."""
    if visited.size == 0:
        return 0, 0
    np.add.at(soc.fair, visited[fair], 1)
    np.add.at(soc.unfair, visited[~fair], 1)
    soc.seen_police[visited] = True
    return int(fair.sum()), int((~fair).sum())


def note_offences(soc: Social, off, police_cfg, u: np.ndarray) -> None:
    """Tally victimisations, the response to reports and who offended (``u``: one
    uniform per offence, for the reporting victim's satisfaction)."""
    has_victim = off.victim >= 0  # residents only (visitors are −2)
    np.add.at(soc.victimised, off.victim[has_victim], 1)
    np.add.at(soc.victimisations, off.victim[has_victim], 1)
    np.add.at(soc.offended, off.offender, 1)
    reported = has_victim & off.reported
    reporters = off.victim[reported]
    satisfied = u[reported] < police_cfg.response_quality
    np.add.at(soc.satisfied, reporters[satisfied], 1)
    np.add.at(soc.dissatisfied, reporters[~satisfied], 1)


def note_arrests(soc: Social, arrested: np.ndarray, fair: np.ndarray, careers_cfg) -> None:
    """Deterrence after fair arrests, labelling and vicarious distrust after unfair ones."""
    np.multiply.at(soc.arrest_factor, arrested[fair], 1.0 - careers_cfg.deterrence)
    np.multiply.at(soc.arrest_factor, arrested[~fair], 1.0 + careers_cfg.labelling)
    np.add.at(soc.vicarious, arrested[~fair], 1)


# ------------------------------------------------------------- end of the day


def insecurity_target(soc: Social, pop: Population, world: World, cfg) -> np.ndarray:
    """The fear a resident's situation sustains, before events (logistic).

    The disorder and darkness terms are linear in the routine matrix (whose
    rows sum to 1), so both come from one product: ``disorder·D + darkness·K
    = routine @ (disorder·(1 − maintenance) + darkness·(1 − lighting))``.
    """
    L = world.layers
    cell_fear = cfg.disorder * (1.0 - L["maintenance"]) + cfg.darkness * (1.0 - L["lighting"])
    if soc.fear_relief.any():
        cell_fear = cell_fear - soc.fear_relief
    visibility = 1.0 - np.exp(-soc.sightings / 5.0)
    z = soc.routine @ cell_fear
    z += cfg.intercept
    z += cfg.vulnerability * soc.vulnerability
    z -= cfg.police_visibility * visibility
    z -= cfg.collective_efficacy * soc.efficacy[soc.area_of_home]
    iso = soc.isolated_ids
    z[iso] += cfg.isolation * (1.0 - soc.isolation_relief[iso])
    return _logistic(z)


def update_efficacy(soc: Social, cfg) -> None:
    """Collective efficacy per area = mean(participation × integration)."""
    soc.efficacy[:] = soc.area_mean @ (soc.participation * soc.integration)
    soc.guard[:] = cfg.guardianship * soc.efficacy[soc.area_of_cell]


def cell_trust(soc: Social, cells: np.ndarray) -> np.ndarray:
    """Mean trust of the residents of each of ``cells`` (the overall mean for a
    cell without residents): who reports vandalism there. Trust changes only at
    a day's end, so this is the value as of the last day's end."""
    M = soc.cell_mean  # row c: weight 1/residents at each resident of c
    out = np.full(cells.size, soc.trust.mean())
    for j, c in enumerate(cells.tolist()):
        row = slice(M.indptr[c], M.indptr[c + 1])
        if row.start < row.stop:
            out[j] = M.data[row] @ soc.trust[M.indices[row]]
    return out


def _tie_counts(adjacency: sp.csr_array, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The residents tied to anyone in ``who`` (ids, repeated once per event),
    and how many of those events each counts among their ties: the non-zero
    entries of ``adjacency @ events``, read from the rows of the few in ``who``."""
    rows = [adjacency.indices[adjacency.indptr[i] : adjacency.indptr[i + 1]] for i in who]
    return np.unique(np.concatenate(rows), return_counts=True)


def end_of_day(soc: Social, pop: Population, world: World, scenario, crime_state) -> None:
    """Turn the day's tallies into trust, insecurity, efficacy and careers.

    A tally raises a share to the power of the day's count; with a count of 0
    the factor is 1, so each such update is applied only where its tally is
    non-zero.
    """
    t, ins, ef, car = (
        scenario.trust,
        scenario.insecurity,
        scenario.efficacy,
        scenario.careers,
    )
    A, W = soc.adjacency, soc.influence

    # --- trust: own contacts and responses to reports, then unfair arrests and stops of ties
    T = soc.trust
    events = soc.fair | soc.unfair | soc.satisfied | soc.dissatisfied
    had = np.flatnonzero(events != 0)  # bool: nonzero's fast path
    if had.size:
        Th = T[had]
        Th = 1.0 - (1.0 - Th) * (1.0 - t.contact_gain) ** soc.fair[had]
        Th *= (1.0 - t.contact_loss) ** soc.unfair[had]
        Th = 1.0 - (1.0 - Th) * (1.0 - t.response_gain) ** soc.satisfied[had]
        Th *= (1.0 - t.response_loss) ** soc.dissatisfied[had]
        T[had] = Th
    # vicarious experience: each unfair arrest (and stop) of a tie costs a share
    for tally, loss in ((soc.vicarious, t.vicarious_loss), (soc.unfair, t.vicarious_stop_loss)):
        if loss > 0.0 and tally.any():
            told = np.flatnonzero(tally != 0)
            hit, news = _tie_counts(A, np.repeat(told, tally[told]))
            T[hit] *= (1.0 - loss) ** news
    T += t.diffusion * (W @ T - T)
    T += (soc.trust_base - T) * (1.0 - np.exp(-1.0 / t.drift_days))
    np.clip(T, 0.0, 1.0, out=T)

    # --- insecurity
    decay = np.exp(-1.0 / ins.sighting_days)
    soc.sightings *= decay
    soc.sightings += soc.seen_police
    I = soc.insecurity  # noqa: E741
    I += (insecurity_target(soc, pop, world, ins) - I) * (1.0 - np.exp(-1.0 / ins.adapt_days))
    if soc.victimised.any():
        victims = np.flatnonzero(soc.victimised != 0)
        v = soc.victimised[victims]
        if ins.repeat_victim_factor != 1.0:  # a repeat victimisation frightens more
            before = soc.victimisations[victims] - v  # victimised before today
            repeats = np.where(before > 0, v, v - 1)
            v = v + (ins.repeat_victim_factor - 1.0) * repeats
        I[victims] += (1.0 - I[victims]) * (1.0 - (1.0 - ins.victim_jump) ** v)
        hit, news = _tie_counts(A, victims)
        I[hit] += (1.0 - I[hit]) * (1.0 - (1.0 - ins.network_jump) ** news)
    gap = W @ I - I  # fear spreads faster than reassurance (contagion_up > _down)
    I += ins.contagion_down * gap
    I += (ins.contagion_up - ins.contagion_down) * np.maximum(gap, 0.0)
    np.clip(I, 0.0, 1.0, out=I)

    # --- participation and collective efficacy
    target = soc.participation_base * (1.0 - ef.fear_withdrawal * I)
    soc.participation += 0.05 * (target - soc.participation)
    update_efficacy(soc, ef)

    # --- careers: recent offending, then tomorrow's motivation
    soc.recent *= np.exp(-1.0 / car.memory_days)
    soc.recent += soc.offended
    update_careers(soc, pop, car, crime_state)

    for tally in (
        soc.fair,
        soc.unfair,
        soc.victimised,
        soc.satisfied,
        soc.dissatisfied,
        soc.vicarious,
        soc.offended,
    ):
        tally[:] = 0
    soc.seen_police[:] = False


def update_careers(soc: Social, pop: Population, careers_cfg, crime_state) -> None:
    """Each resident's motivation: base × the career multiplier of delinquent
    peers (youths only), school engagement (pupils), arrests and programmes.

    Run at initialisation (when nobody has offended yet) and at each day's end.
    """
    car = careers_cfg
    delinquent = (soc.recent > 0.1).astype(float)
    peers = soc.youth_ties @ delinquent  # share of each youth's ties who are delinquent
    pupil = pop.role == R_STUDENT
    multiplier = soc.arrest_factor * soc.programme_factor
    engagement = soc.engagement
    if soc.extra_exclusions.any():  # exclusions above the usual rate disengage (ODD §7.20)
        engagement = np.clip(engagement - school.engagement_lost(soc, car), 0.0, 1.0)
    multiplier *= 1.0 + car.school_weight * (0.5 - engagement) * pupil
    multiplier[soc.youth_ids] *= 1.0 + car.peer_weight * peers
    np.clip(soc.base_motivation * multiplier, 0.0, 1.0, out=crime_state.p_motivated)


def group_matrix(pop: Population) -> tuple[list[str], np.ndarray]:
    """Group names and a (1 + groups, n) matrix: row 0 averages over all residents,
    row ``1 + k`` over group ``k`` (NaN for an empty group)."""
    names = list(GROUPS)
    masks = np.array([np.ones(pop.n, bool)] + [GROUPS[g](pop) for g in names], dtype=float)
    sizes = masks.sum(axis=1, keepdims=True)
    return names, np.divide(masks, sizes, out=np.full_like(masks, np.nan), where=sizes > 0)


def group_means(soc: Social, groups: tuple[list[str], np.ndarray]) -> dict[str, float]:
    """Mean trust and insecurity overall and per group (NaN for empty groups)."""
    names, matrix = groups
    trust, fear = (matrix @ soc.trust).tolist(), (matrix @ soc.insecurity).tolist()
    out = {
        "trust_mean": trust[0],
        "insecurity_mean": fear[0],
        "collective_efficacy": float(soc.area_share @ soc.efficacy),  # mean over residents
    }
    for name, tr, fe in zip(names, trust[1:], fear[1:], strict=True):
        out[f"trust_{name}"] = tr
        out[f"insecurity_{name}"] = fe
    return out
