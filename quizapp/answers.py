"""Provides safe parsing of a typed answer and its comparison with the expected value.

INTERFACE STUB: to be implemented (see the helper brief). Nothing here may call eval, exec,
sympify or parse_expr; expressions are parsed by solvers.expr.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Sequence

from solvers import Misconception


class AnswerError(ValueError):
    """A typed answer that cannot be read; the message is short and meant for the user."""


class Verdict(Enum):
    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"


@dataclass(frozen=True)
class Tolerance:
    """How close an answer must be. Integers are exact; otherwise |x - v| <= max(abs, rel*|v|),
    and sig_figs / decimals (what the question asked for) widen it to half a unit in the last place."""

    abs: float = 0.0
    rel: float = 0.0
    sig_figs: int | None = None
    decimals: int | None = None
    exact: bool = False

    def describe(self) -> str:  # e.g. "an exact integer", "3 significant figures", "±0.01"
        raise NotImplementedError


@dataclass(frozen=True)
class CheckResult:
    verdict: Verdict
    parsed: Any
    misconception: Misconception | None
    message: str
    score: float  # 1.0 correct, 0 < score < 1 partly correct, 0.0 wrong


def parse_answer(text: str, *, percent: bool = False) -> Any:
    raise NotImplementedError


def check(
    text: str,
    expected: Any,
    tolerance: Tolerance,
    *,
    misconceptions: Sequence[Misconception] = (),
    percent: bool = False,
) -> CheckResult:
    raise NotImplementedError
