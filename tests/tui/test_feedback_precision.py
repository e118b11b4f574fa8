"""The feedback panel states the answer's precision by its form (Tolerance.describe), not a bare "exact"."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.content.loader import load_bank
from quizapp.generate import generate
from quizapp.tui.items import Outcome, Question
from quizapp.tui.widgets.feedback_view import feedback_content

SMALL = Path(__file__).parents[1] / "quizapp" / "data" / "small.md"


@pytest.mark.parametrize(
    ("template_id", "precision"),
    [("small-shapes", "exact sizes"), ("small-conv-out", "an exact integer"), ("small-he", "3 significant figures")],
)
def test_feedback_names_the_precision_of_the_form(template_id, precision):
    bank = load_bank([SMALL], bundled=False)
    template = next(t for t in bank.templates() if t.id == template_id)
    drill = generate(template, 3, "medium")
    outcome = Outcome(Question(drill=drill), "correct", 1.0, 3, drill.answer_text)
    text = feedback_content(outcome).plain
    assert f"Correct answer {drill.answer_text}   ({precision})" in text
    assert "(exact)" not in text
