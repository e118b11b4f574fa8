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


def test_feedback_gives_a_generic_slip_its_own_line():
    from quizapp.answers import check

    bank = load_bank([SMALL], bundled=False)
    template = next(t for t in bank.templates() if t.id == "small-he")
    drill = generate(template, 3, "medium")
    typed = f"{-drill.answer}"
    result = check(typed, drill.answer, drill.tolerance, misconceptions=drill.misconceptions, form=drill.form)
    outcome = Outcome(Question(drill=drill), "wrong", 0.0, 1, typed, result=result)
    text = feedback_content(outcome).plain
    assert "⚠ Likely slip: The sign is flipped: check which way the difference, step or gradient points." in text
    assert "Not correct. Likely slip" not in text  # said once, on its own line
