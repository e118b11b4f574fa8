"""The precision printed with a correct answer names the answer's form: exact sizes for a shape, figures
"each" for vectors and matrices (Tolerance.describe(form)), in the plain drill as in the TUI."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from quizapp.answers import FORMS, Tolerance
from quizapp.content.loader import load_bank
from quizapp.plain import run_drill
from quizapp.session import DrillSession

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("form", "text"),
    [
        (None, "an exact integer"),
        ("integer", "an exact integer"),
        ("shape", "exact sizes"),
        ("vector", "exact entries"),
        ("matrix", "exact entries"),
        ("decimal", "the exact value"),
        ("number", "the exact value"),
        ("percent", "the exact value"),
    ],
)
def test_exact_tolerance_by_form(form, text):
    assert Tolerance(exact=True).describe(form) == text


@pytest.mark.parametrize(
    ("tolerance", "form", "text"),
    [
        (Tolerance(sig_figs=3), "decimal", "3 significant figures"),
        (Tolerance(sig_figs=3), "vector", "3 significant figures each"),
        (Tolerance(decimals=2), "matrix", "2 decimal places each"),
        (Tolerance(sig_figs=1), "percent", "1 significant figure"),
        (Tolerance(rel=0.05), "vector", "within 5% each"),
        (Tolerance(), "vector", "the exact value"),
    ],
)
def test_figures_by_form(tolerance, form, text):
    assert tolerance.describe(form) == text


def test_the_shipped_forms_all_have_a_text():
    for form in FORMS:
        assert Tolerance.for_form(form).describe(form)
    with pytest.raises(ValueError, match="unknown answer form"):
        Tolerance(exact=True).describe("tensor")


def test_plain_drill_shows_exact_sizes_for_a_shape():
    bank = load_bank([DATA / "small.md"], bundled=False)
    # the first seed whose first Attention drill asks for a shape
    seed, inst = next((s, i) for s in range(100) if (i := DrillSession(bank.templates(["Attention"]), seed=s).next()).form == "shape")
    assert inst.tolerance.exact
    out = io.StringIO()
    answer = "x".join(map(str, inst.answer))
    code = run_drill(bank, topics=["Attention"], count=1, seed=seed, level=None, stdin=io.StringIO(f"{answer}\n"), stdout=out)
    assert code == 0
    assert f"✓ correct: the answer is {inst.answer_text} (exact sizes)" in out.getvalue()
