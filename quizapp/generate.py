"""Provides drill generation: a template and a seed -> a concrete question with its solved answer.

INTERFACE STUB: the dataclass below is the agreed shape; generate() is implemented by the content work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solvers import Misconception

from quizapp.answers import Tolerance


@dataclass(frozen=True)
class DrillInstance:
    """One asked drill: parameters drawn, answer solved, precision stated.

    ``question`` already ends with the precision asked for, e.g. "(integer)" or "(3 significant
    figures)". ``answer`` is the expected value after ``select`` (int, float, tuple or nested lists);
    ``answer_text`` is how the app prints it. ``steps`` are terminal text (Unicode formulas).
    ``misconceptions`` carry values of the same structure as ``answer``.
    """

    template_id: str
    deck: str
    topic: str
    seed: int
    level: str
    params: dict[str, Any]
    question: str
    answer: Any
    answer_text: str
    form: str  # integer | decimal | shape | vector | matrix | percent
    tolerance: Tolerance
    steps: tuple[str, ...]
    misconceptions: tuple[Misconception, ...] = ()
    hint: str = ""

    @property
    def id(self) -> str:
        return f"{self.template_id}@{self.seed}"


def generate(template: Any, seed: int, level: str = "medium") -> DrillInstance:
    raise NotImplementedError
