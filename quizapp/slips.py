"""Provides the generic slips: wrong answers anyone makes on any numeric question, named for feedback.

A template names the misconceptions of its own method (√(number of tokens) for √d_k). Beside those,
a wrong answer is often the right one with a slip: the sign flipped, a power of ten off, a factor of
2, the square or the square root (a variance given for a standard deviation, or back), off by one on
a count, or a value rounded too early. :func:`generic_slips` lists, for one expected answer, the
value each slip would give; :func:`quizapp.answers.check` names the first one a wrong answer
matches, after the template's own misconceptions. A slip whose value the tolerance would accept as
the answer (the sign of 0, the square of 1) is left out, so a slip is never named for a right answer
and never makes a wrong one right.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from quizapp.tolerance import Tolerance, as_python
from solvers import Misconception

__all__ = ["ROUNDING", "SLIP_LABEL", "accepted_slips", "generic_slips", "rounded_too_early"]

SLIP_LABEL = "Likely slip:"
"""Starts the slip's sentence in a CheckResult message (the views show it on a line of its own)."""

ROUNDING = Misconception(
    "rounding",
    None,
    "close, but further off than the precision asked: was a value along the way rounded too early?",
)
"""The slip of an answer within 2% of the right one (no single value: see :func:`rounded_too_early`)."""

_ROUNDING_REL = 0.02

# (name, the wrong value from the right one v, explanation); tried in this order, the first match named.
_SIGN_AND_TENS: tuple[tuple[str, Callable[[float], float | None], str], ...] = (
    ("sign_flipped", lambda v: -v, "the sign is flipped: check which way the difference, step or gradient points"),
    ("factor_10", lambda v: v * 10, "a factor of 10 too large: check the exponent"),
    ("factor_10", lambda v: v / 10, "a factor of 10 too small: check the exponent"),
    ("factor_100", lambda v: v * 100, "a factor of 100 too large: check the exponent"),
    ("factor_100", lambda v: v / 100, "a factor of 100 too small: check the exponent"),
    ("factor_1000", lambda v: v * 1000, "a factor of 1000 too large: check the exponent (and the units)"),
    ("factor_1000", lambda v: v / 1000, "a factor of 1000 too small: check the exponent (and the units)"),
)

_OTHER: tuple[tuple[str, Callable[[float], float | None], str], ...] = (
    ("factor_2", lambda v: v * 2, "twice the answer: a factor of 2 too many (a ½ dropped, or the 2 of d/dw (w − a)² counted twice?)"),
    ("factor_2", lambda v: v / 2, "half the answer: a factor of 2 missing (the 2 of d/dw (w − a)², or both directions of a count?)"),
    (
        "squared",
        lambda v: v * v,
        "the square of the answer: a variance where a standard deviation is asked (or a square not rooted)?",
    ),
    (
        "square_root",
        lambda v: math.sqrt(v) if v > 0 else None,
        "the square root of the answer: a standard deviation where a variance is asked (or a root too many)?",
    ),
)

_OFF_BY_ONE = (
    ("off_by_one", 1, "one too many: off by one (check the +1, and where the count starts and ends)"),
    ("off_by_one", -1, "one too few: off by one (check the +1, and where the count starts and ends)"),
)


def generic_slips(expected: Any, form: str, tolerance: Tolerance) -> tuple[Misconception, ...]:
    """The slips worth naming for ``expected``: each wrong value that a slip gives, in the order tried.

    Scalars (integer, decimal, percent) get every slip; vectors and matrices the same slip made on
    every entry (all signs flipped, all a factor of 10 off); shapes an off by one on every size. A
    slip whose value the tolerance would accept as ``expected`` is left out.
    """
    value = as_python(expected)
    out: list[Misconception] = []
    if form == "shape":
        sizes = tuple(value)
        for name, step, explanation in _OFF_BY_ONE:
            wrong = tuple(n + step for n in sizes)
            if wrong != sizes and all(n > 0 for n in wrong):
                out.append(Misconception(name, wrong, explanation.replace("one too", "every size one too", 1)))
        return tuple(out)
    if form in ("vector", "matrix"):
        for name, slip, explanation in (*_SIGN_AND_TENS, *_OTHER):
            wrong = _map(value, slip)
            if wrong is not None and not _all_close(wrong, value, tolerance):
                out.append(Misconception(name, wrong, f"every entry: {explanation}"))
        return tuple(out)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return ()
    v = float(value)
    # A count one off is likelier than half or twice it (2 for 1), so off by one comes before those.
    off_by_one = [(name, lambda v, s=step: v + s, text) for name, step, text in _OFF_BY_ONE] if form == "integer" and v.is_integer() else []
    for name, slip, explanation in (*_SIGN_AND_TENS, *off_by_one, *_OTHER):
        wrong = slip(v)
        if wrong is not None and math.isfinite(wrong) and not tolerance.allows(wrong, v):
            out.append(Misconception(name, int(wrong) if form == "integer" and wrong.is_integer() else wrong, explanation))
    return tuple(_distinct(out, tolerance))


def accepted_slips(expected: Any, form: str, tolerance: Tolerance) -> tuple[str, ...]:
    """The names of the slips that give a scalar answer other than ``expected`` which the tolerance
    still accepts, as computed or as typed (0.000329 asked to 3 decimals: its tenth, its half and its
    negation are all typed 0.000). Numbers with such a slip cannot tell a slip from the method: the generator draws again.
    Vectors, matrices and shapes: none (a slip on every entry at once is seldom hidden by every one)."""
    value = as_python(expected)
    if form in ("shape", "vector", "matrix") or isinstance(value, bool) or not isinstance(value, (int, float)):
        return ()
    v = float(value)
    if not math.isfinite(v):
        return ()
    names = []
    for name, slip, _ in (*_SIGN_AND_TENS, *_OTHER):
        wrong = slip(v)
        if wrong is not None and math.isfinite(wrong) and wrong != v and tolerance.hides(wrong, v) and name not in names:
            names.append(name)
    return tuple(names)


def rounded_too_early(parsed: Any, expected: Any, tolerance: Tolerance) -> bool:
    """A wrong scalar within 2% of a non-integer answer: |x − v| ≤ 0.02·|v|, outside the tolerance."""
    if tolerance.exact or isinstance(parsed, bool) or not isinstance(parsed, (int, float)):
        return False
    v = float(as_python(expected))
    return v != 0 and not tolerance.allows(parsed, v) and abs(float(parsed) - v) <= _ROUNDING_REL * abs(v)


def _map(value: Any, slip: Callable[[float], float | None]) -> Any:
    """``slip`` applied to every number of a (nested) list; None when it is undefined for one."""
    if isinstance(value, (list, tuple)):
        mapped = [_map(v, slip) for v in value]
        return None if any(m is None for m in mapped) else mapped
    wrong = slip(float(value))
    return wrong if wrong is not None and math.isfinite(wrong) else None


def _all_close(a: Any, b: Any, tolerance: Tolerance) -> bool:
    if isinstance(a, list):
        return all(_all_close(x, y, tolerance) for x, y in zip(a, b))
    return tolerance.allows(a, b)


def _distinct(slips: list[Misconception], tolerance: Tolerance) -> list[Misconception]:
    """The first of the slips that give one value (4 is both 2·2 and 2²: named as the factor of 2)."""
    kept: list[Misconception] = []
    for s in slips:
        if not any(tolerance.allows(s.value, k.value) and tolerance.allows(k.value, s.value) for k in kept):
            kept.append(s)
    return kept
