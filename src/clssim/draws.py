"""Common random numbers: one number per decision, slot and resident (ODD §4.10).

Every stochastic decision of the loop (a resident's routine, whether a
motivated resident attempts an offence, whether a victim reports ...) draws
its uniform number from a *counter-based* generator: the number is a pure
function of the run's key, the slot, the decision and the resident (or
officer, or offence), not of how many numbers were drawn before it.

So two runs of the same seed that differ in a plan give resident *i* the same
number for the same decision in the same slot, whatever the plan changed for
everyone else. Without that, one extra number drawn in one arm shifts every
later draw of the run ("stochastic branching"; Starsim's random-number design
solves it the same way), and a paired comparison of two plans keeps much of
the noise of two independent runs. ``benchmarks/crn.py`` measures the gain.

The generator is SplitMix64 (Steele, Lea & Flood 2014), which is
counter-based by construction: number *i* of the stream seeded with *k* is
``mix(k + (i + 1)·γ)`` (``γ``: the golden ratio in 64 bits; ``mix``: its
64-bit finaliser), so it can be read at any index without the ones before.
The stream of (slot, decision) is seeded with ``mix(run key ⊕ mix(slot))``
plus a fixed 64-bit salt of the decision, and resident *i* reads its number
*i*. One stream passes BigCrush; two streams overlap only if their seeds
differ by fewer than *n* steps of ``γ``, a chance of about 2·10⁻⁶ per run of
5,000 residents (10⁻⁴ at a million), and an overlap only makes two decisions
of two residents share numbers.

The loop is numpy, so each request costs about a dozen array operations:
requests of a few numbers are computed in Python with the same arithmetic
(the same bits), and the two per-resident decisions of every slot (the
routine and the motivation) share one 64-bit number (its high 24 bits and
its low 32 bits).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15  # 2^64 / golden ratio: SplitMix64's increment
_M1, _M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_GAMMA_U = np.uint64(_GAMMA)
_M1_U, _M2_U = np.uint64(_M1), np.uint64(_M2)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S11, _S40 = np.uint64(11), np.uint64(40)
_TO_53 = 2.0**-53
_TO_24 = np.float32(2.0**-24)


class Decision(IntEnum):
    """The stochastic decisions of the loop, each with its own stream.

    The values name the streams: never renumber one (that changes every run);
    add new decisions at the end.
    """

    ROUTINE = 1  #: a resident's activity in the slot (routines)
    PROGRAMME = 2  #: a youth programme's participant is supervised this slot
    LOCKDOWN_OUTING = 3  #: an outing cancelled by a lockdown
    LOCKDOWN_SCHOOL = 4  #: a pupil kept home by closed schools
    PATROL_START = 5  #: an officer's first cell
    PATROL_CELL = 6  #: an officer's cell this slot (random or beat patrol)
    PATROL_HOTSPOT = 7  #: whether a hot-spot officer goes to a hot spot
    PATROL_WHICH = 8  #: which hot spot
    CONTACT = 9  #: a resident in an officer's reach has a contact
    CONTACT_FAIR = 10  #: the contact is fair
    VISIT_COUNT = 11  #: how many residents a proximity officer visits
    VISIT_WHO = 12  #: whom (per officer and visit)
    VISIT_FAIR = 13  #: the visit is fair
    MOTIVATION = 14  #: a resident out in public looks for an opportunity
    RETURN = 15  #: an offender returns to a remembered success
    ATTEMPT = 16  #: the offender attempts (rational choice)
    KIND = 17  #: the type of offence
    FOILED = 18  #: a guardian foils the attempt
    CAUGHT = 19  #: the foiled offender is arrested in the act
    VICTIM = 20  #: which target among those present
    REPORT = 21  #: the victim reports (per offender: one offence each per slot)
    TIP = 22  #: a witness tips the police
    CLEARED = 23  #: the police clear the known offence by an arrest
    RESPONSE = 24  #: the reporting victim is satisfied with the response
    ARREST_FAIR = 25  #: an arrest is perceived as fair (per arrested resident)


#: the crime step's decisions for each motivated resident, in the order it takes them
CRIME_DECISIONS = (
    Decision.RETURN,
    Decision.ATTEMPT,
    Decision.KIND,
    Decision.FOILED,
    Decision.CAUGHT,
    Decision.VICTIM,
)
#: the decisions about each offence after it is committed (keyed by its offender)
AFTERMATH_DECISIONS = (Decision.REPORT, Decision.TIP, Decision.CLEARED, Decision.RESPONSE)


def _mix(x: int) -> int:
    """SplitMix64's finaliser on a Python int (keys, and requests of a few numbers)."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * _M1) & _MASK
    x = ((x ^ (x >> 27)) * _M2) & _MASK
    return x ^ (x >> 31)


def _finalise(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on a uint64 array, in place."""
    z ^= z >> _S30
    z *= _M1_U
    z ^= z >> _S27
    z *= _M2_U
    z ^= z >> _S31
    return z


#: each decision's salt: its streams are seeded with the slot's key plus it
_SALT = [_mix(d * _M2 + _GAMMA) for d in range(max(Decision) + 1)]
_SMALL = 12  # requests of at most this many numbers are computed in Python
_LOW32 = np.uint64(0xFFFFFFFF)
_TO_32 = 2.0**-32


def run_key(seed_sequence: np.random.SeedSequence) -> int:
    """The 64-bit key of a run's loop streams, from its branch of the seed tree."""
    return int(seed_sequence.generate_state(1, np.uint64)[0])


class Draws:
    """The common random numbers of one run (``n`` residents).

    ``draws.slot(step)`` gives the numbers of one slot (:class:`SlotDraws`).
    """

    def __init__(self, key: int, n: int):
        self.key = key & _MASK
        #: (i + 1)·γ for every resident id i: the counters of resident i's numbers
        self._counters = np.arange(1, n + 1, dtype=np.uint64) * _GAMMA_U

    def slot(self, step: int) -> SlotDraws:
        """The numbers of slot ``step`` (0-based; −1 is before the first slot)."""
        return SlotDraws(_mix(self.key ^ _mix((step + 1) * _GAMMA)), self._counters)


class SlotDraws:
    """The numbers of one slot: each id gets its own for each decision.

    ``uniform(decision, residents)`` takes resident ids; ``uniform_keys``
    takes any non-negative integers (officers' indices, visit keys). An id
    gets the same number whichever other ids are asked for with it, and the
    same from either method.
    """

    __slots__ = ("_key", "_counters", "_everyone")

    def __init__(self, key: int, counters: np.ndarray):
        self._key = key
        self._counters = counters
        self._everyone: np.ndarray | None = None  # the routine's 64 bits, once drawn

    def _seed(self, decision: int) -> int:
        return (self._key + _SALT[decision]) & _MASK

    def _bits(self) -> np.ndarray:
        """Every resident's 64-bit number of the routine stream (drawn once a slot)."""
        if self._everyone is None:
            z = self._counters + np.uint64(self._seed(Decision.ROUTINE))
            self._everyone = _finalise(z)
        return self._everyone

    def everyone24(self) -> np.ndarray:
        """Every resident's routine number, in id order, as a 24-bit integer ``k``
        (uint32; the uniform is ``k · 2^−24``): the high 24 bits of the routine
        stream. Routines compare it with thresholds in the same units."""
        return (self._bits() >> _S40).astype(np.uint32)

    def everyone(self) -> np.ndarray:
        """:meth:`everyone24` as float32 uniforms on [0, 1)."""
        return self.everyone24().astype(np.float32) * _TO_24

    def uniform(self, decision: int, residents: np.ndarray) -> np.ndarray:
        """A float64 uniform on [0, 1) for each of the ``residents`` (ids).

        ``Decision.MOTIVATION`` reads the low 32 bits of the resident's routine
        number; every other decision has 53-bit numbers of its own.
        """
        if decision == Decision.MOTIVATION:
            return (self._bits()[residents] & _LOW32) * _TO_32
        if len(residents) <= _SMALL:
            return _few(self._seed(decision), residents)
        z = self._counters[residents]
        z += np.uint64(self._seed(decision))
        return _unit(_finalise(z))

    def uniforms(self, decisions: tuple[int, ...], residents: np.ndarray) -> np.ndarray:
        """:meth:`uniform` for several decisions at once: one row per decision."""
        seeds = [self._seed(d) for d in decisions]
        if len(residents) * len(decisions) <= _SMALL:
            return np.array([_few(s, residents) for s in seeds]).reshape(len(seeds), -1)
        z = self._counters[residents][None, :] + np.array(seeds, dtype=np.uint64)[:, None]
        return _unit(_finalise(z))

    def uniform_keys(self, decision: int, keys: np.ndarray) -> np.ndarray:
        """A float64 uniform on [0, 1) for each of ``keys`` (any non-negative ints)."""
        if len(keys) <= _SMALL:
            return _few(self._seed(decision), keys)
        z = np.asarray(keys).astype(np.uint64)
        z += np.uint64(1)
        z *= _GAMMA_U
        z += np.uint64(self._seed(decision))
        return _unit(_finalise(z))


def _unit(z: np.ndarray) -> np.ndarray:
    """Uniforms on [0, 1) from 64-bit numbers (their high 53 bits), in place."""
    z >>= _S11
    return z * _TO_53


def _few(seed: int, ids) -> np.ndarray:
    """:func:`_unit` of ids' numbers in the stream ``seed``, in Python (the same bits)."""
    ids = ids.tolist() if isinstance(ids, np.ndarray) else list(ids)
    return np.array([(_mix(seed + (i + 1) * _GAMMA) >> 11) * _TO_53 for i in ids], dtype=float)
