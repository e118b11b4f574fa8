"""Provides Tolerance: how close an answer must be to the expected value, and that precision in words.

Apart from :mod:`quizapp.answers` (which reads what the user typed), so that making a question,
which settles its tolerance, does not load the answer parser: that waits for the first answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_SIG_FIGS", "FORMS", "Tolerance", "as_python", "is_real"]

FORMS = ("number", "integer", "decimal", "shape", "vector", "matrix", "percent")
DEFAULT_SIG_FIGS = 3
"""Precision asked for a non-integer answer when the question does not say."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _decimal_exponent(value: float) -> int:
    """⌊log10|value|⌋, corrected where log10 rounds across a power of ten."""
    exponent = math.floor(math.log10(value))
    if 10.0**exponent > value:
        exponent -= 1
    elif exponent < 308 and 10.0 ** (exponent + 1) <= value:  # 1e309 would overflow
        exponent += 1
    return exponent


_EXACT_TEXT = {
    None: "an exact integer",
    "integer": "an exact integer",
    "shape": "exact sizes",
    "vector": "exact entries",
    "matrix": "exact entries",
}


@dataclass(frozen=True)
class Tolerance:
    """How close an answer must be. ``exact``: equal (16.0 counts as 16). Otherwise
    |x − v| ≤ max(abs, rel·|v|, half a unit in the last asked place), where the asked place is
    ``sig_figs`` significant figures of v or ``decimals`` decimal places, so an answer rounded as
    the question asked is always accepted."""

    abs: float = 0.0
    rel: float = 0.0
    sig_figs: int | None = None
    decimals: int | None = None
    exact: bool = False

    def __post_init__(self) -> None:
        if self.abs < 0 or self.rel < 0:
            raise ValueError("tolerances must not be negative")
        if self.sig_figs is not None and self.sig_figs < 1:
            raise ValueError("sig_figs must be at least 1")
        if self.decimals is not None and self.decimals < 0:
            raise ValueError("decimals must not be negative")

    @classmethod
    def for_form(
        cls,
        form: str,
        sig_figs: int | None = None,
        decimals: int | None = None,
        abs_tol: float | None = None,
        rel_tol: float | None = None,
    ) -> Tolerance:
        """The tolerance a question of this form asks for: integers and shapes are exact unless a
        precision is given; other forms default to :data:`DEFAULT_SIG_FIGS` significant figures."""
        if form not in FORMS:
            raise ValueError(f"unknown answer form {form!r}; expected one of {', '.join(FORMS)}")
        given = any(v is not None for v in (sig_figs, decimals, abs_tol, rel_tol))
        if form in ("integer", "shape") and not given:
            return cls(exact=True)
        if not given:
            sig_figs = DEFAULT_SIG_FIGS
        return cls(abs=abs_tol or 0.0, rel=rel_tol or 0.0, sig_figs=sig_figs, decimals=decimals)

    def describe(self, form: str | None = None, *, expected: Any = None) -> str:
        """The precision in words for an answer of ``form``: "3 significant figures", "exact sizes".

        Exact: "an exact integer" (integer, or no form given), "exact sizes" (shape), "exact entries"
        (vector, matrix), "the exact value" (other forms). A vector or matrix is judged entry by entry,
        so its figures are "each": "3 significant figures each".

        The text names only the rules that decide: an answer is accepted within the widest of
        ±abs, rel·|v| and half a unit in the asked place (:meth:`width`). With ``expected`` (a
        number, or the vector/matrix of them) a rule narrower than another for every value is left
        out, so "3 significant figures" is said for 1.3703 with abs 0.001 (the s.f. half-unit 0.005
        is wider) and "±0.001" for 0.000123. Without it, only what is known for every value is left
        out (±abs within half a unit of ``decimals``) and the others read "..., whichever is looser".
        """
        if form is not None and form not in FORMS:
            raise ValueError(f"unknown answer form {form!r}; expected one of {', '.join(FORMS)}")
        if self.exact:
            return _EXACT_TEXT.get(form, "the exact value")
        rules = self._deciding_rules(_flat_numbers(expected))
        texts = []
        if "figures" in rules:
            if self.sig_figs is not None:
                texts.append(_plural(self.sig_figs, "significant figure"))
            else:
                texts.append(_plural(self.decimals or 0, "decimal place"))
        if "abs" in rules:
            texts.append(f"±{self.abs:g}")
        if "rel" in rules:
            texts.append(f"within {self.rel * 100:g}%")
        if not texts:
            return "the exact value"
        each = " each" if form in ("vector", "matrix") else ""
        if len(texts) == 1:
            return texts[0] + each
        listed = ", ".join(texts[:-1]) + " or " + texts[-1]
        return f"{listed}{each}, whichever is {'looser' if len(texts) == 2 else 'loosest'}"

    def _deciding_rules(self, values: list[float] | None) -> set[str]:
        """Which of "figures", "abs", "rel" set :meth:`width` for some of ``values`` (all that
        may, when the values are unknown). A tie goes to the figures: the other rule changes nothing."""
        if values is None:
            rules = set()
            if self.sig_figs is not None or self.decimals is not None:
                rules.add("figures")
            if self.abs:
                rules.add("abs")
            if self.sig_figs is None and self.decimals is not None and self.abs:
                # Half a unit of d decimals is the same for every value: one of the two always wins.
                rules.discard("figures" if self.abs > self._half_unit(0.0) else "abs")
            if self.rel:
                rules.add("rel")
            return rules
        rules = set()
        for value in values:
            v = abs(value)
            half_unit, absolute, relative = self._half_unit(v), self.abs, self.rel * v
            if (self.sig_figs is not None or self.decimals is not None) and half_unit >= max(absolute, relative):
                rules.add("figures")
            elif absolute and absolute >= relative:
                rules.add("abs")
            elif relative:
                rules.add("rel")
        return rules

    def _half_unit(self, v: float) -> float:
        """Half a unit in the last asked place of |v|: 0.5·10^(e−s+1) for s significant figures of
        v = m·10^e, 0.5·10^(−d) for d decimals, 0 when neither is asked."""
        if self.sig_figs is not None:
            # The last asked place is sig_figs digits into v's own magnitude; for v = 0 there is
            # no magnitude, so count the figures after the decimal point (0.000 for 3).
            exponent = _decimal_exponent(v) if v > 0 else 0
            return 0.5 * 10.0 ** (exponent - self.sig_figs + (1 if v > 0 else 0))
        if self.decimals is not None:
            return 0.5 * 10.0 ** (-self.decimals)
        return 0.0

    def width(self, expected: float) -> float:
        """The largest accepted |x − expected|: max(abs, rel·|v|, half a unit in the last asked place)."""
        v = abs(float(expected))
        return max(self.abs, self.rel * v, self._half_unit(v))

    def allows(self, value: Any, expected: Any) -> bool:
        """Whether ``value`` is an acceptable answer for ``expected``."""
        if not is_real(value) or not is_real(expected):
            return False
        if self.exact:
            return value == expected
        try:
            x, v = float(value), float(expected)
        except OverflowError:  # an int beyond float range: only equality can be checked
            return value == expected
        if not (math.isfinite(x) and math.isfinite(v)):
            return False
        # The slack absorbs binary rounding (0.1 + 0.2 vs 0.3, or a boundary like 0.125 -> 0.13).
        slack = 1e-9 * self.width(v) + 1e-12 * max(abs(x), abs(v))
        return abs(x - v) <= self.width(v) + slack

    def as_typed(self, value: Any) -> Any:
        """``value`` as a user who rounds as the question asks types it: 2.5541 at 3 significant figures
        is 2.55 (a list entry by entry). A wrong value can be outside the tolerance and still be
        accepted once rounded so: the generator compares both (quizapp.generate, quizapp.slips)."""
        if isinstance(value, (list, tuple)):
            return type(value)(self.as_typed(v) for v in value)
        if self.exact or not is_real(value) or isinstance(value, int) or not math.isfinite(value):
            return value
        if self.decimals is not None:
            return round(float(value), self.decimals)
        if self.sig_figs is not None:
            return float(f"{float(value):.{self.sig_figs}g}")
        return value

    def hides(self, wrong: Any, expected: Any) -> bool:
        """Whether the wrong value ``wrong`` is accepted for ``expected``, as computed or as typed."""
        return self.allows(wrong, expected) or self.allows(self.as_typed(wrong), expected)


def _flat_numbers(value: Any) -> list[float] | None:
    """The finite numbers in a number, vector or matrix (lists, tuples, numpy); None when ``value``
    is None or holds something else."""
    value = as_python(value)
    if is_real(value):
        try:
            number = float(value)
        except OverflowError:
            return None
        return [number] if math.isfinite(number) else None
    if isinstance(value, (list, tuple)) and value:
        numbers: list[float] = []
        for item in value:
            inner = _flat_numbers(item)
            if inner is None:
                return None
            numbers += inner
        return numbers
    return None


def is_real(value: Any) -> bool:
    """A real number: an int or a float (not a bool), or a numpy scalar of either kind."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return hasattr(value, "dtype") and getattr(value, "shape", None) == () and value.dtype.kind in "iuf"


def as_python(value: Any) -> Any:
    """Numpy arrays and scalars -> Python lists and numbers (without importing numpy)."""
    if hasattr(value, "tolist") and not isinstance(value, (int, float)):
        return value.tolist()
    return value
