"""Generic slips: named for the wrong answers they produce, never for a right one, after the template's own."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.answers import Verdict, check
from quizapp.generate import format_number
from quizapp.slips import accepted_slips, generic_slips
from quizapp.tolerance import Tolerance
from solvers import Misconception

THREE = Tolerance.for_form("decimal", sig_figs=3)
EXACT = Tolerance.for_form("integer")

# The He std for fan_in 256 is √(2/256) = 0.0884; each wrong answer below is worked by hand from it.
HE = math.sqrt(2 / 256)


@pytest.mark.parametrize(
    ("typed", "name", "words"),
    [
        ("-0.0884", "sign_flipped", "the sign is flipped"),
        ("0.884", "factor_10", "a factor of 10 too large"),
        ("0.00884", "factor_10", "a factor of 10 too small"),
        ("0.000884", "factor_100", "a factor of 100 too small"),
        ("8.84e-5", "factor_1000", "a factor of 1000 too small"),
        ("0.177", "factor_2", "twice the answer"),
        ("0.0442", "factor_2", "half the answer"),
        ("0.00781", "squared", "a variance where a standard deviation is asked"),  # 2/256, the variance
        ("0.297", "square_root", "a standard deviation where a variance is asked"),  # √0.0884
        ("0.087", "rounding", "rounded too early"),  # 1.6% off: beyond "close", within 2%
    ],
)
def test_each_slip_is_named_for_a_decimal(typed, name, words):
    result = check(typed, HE, THREE, form="decimal")
    assert result.verdict is Verdict.WRONG
    assert result.misconception is None
    assert result.slip is not None and result.slip.name == name
    assert words in result.slip.explanation
    assert result.message.startswith("Not correct. Likely slip: ") and words in result.message


@pytest.mark.parametrize(
    ("typed", "name"),
    [("15", "off_by_one"), ("17", "off_by_one"), ("-16", "sign_flipped"), ("160", "factor_10"), ("32", "factor_2"), ("8", "factor_2"), ("256", "squared"), ("4", "square_root")],
)
def test_each_slip_is_named_for_an_integer(typed, name):
    result = check(typed, 16, EXACT, form="integer")
    assert result.verdict is Verdict.WRONG and result.slip is not None and result.slip.name == name


def test_off_by_one_comes_before_a_factor_of_2_on_a_small_count():
    # 2 for 1 is both twice and one too many; a count one off is the likelier slip
    assert check("2", 1, EXACT, form="integer").slip.name == "off_by_one"


@pytest.mark.parametrize(("typed", "expected"), [("13", 16), ("0.1", HE), ("0.05", HE)])
def test_an_answer_no_slip_explains_is_not_named(typed, expected):
    form = "integer" if isinstance(expected, int) else "decimal"
    result = check(typed, expected, EXACT if form == "integer" else THREE, form=form)
    assert result.verdict is Verdict.WRONG and result.slip is None
    assert "slip" not in result.message


def test_a_named_misconception_comes_before_a_slip():
    # half of 16 is also the template's own mistake here: the template's name and reason win
    own = Misconception("forgot_stride", 8, "the stride divides the span")
    result = check("8", 16, EXACT, misconceptions=[own], form="integer")
    assert result.misconception == own and result.slip is None
    assert "A common mistake (forgot stride)" in result.message and "slip" not in result.message


def test_a_percent_or_close_hint_is_not_doubled_by_a_slip():
    percent = check("0.125", 12.5, Tolerance.for_form("percent", sig_figs=3), form="percent")
    assert percent.slip is None and "asked in percent" in percent.message
    close = check("0.0880", HE, THREE, form="decimal")
    assert close.slip is None and "close, but" in close.message
    # but at 1 significant figure −1 is "close" to 1 by the tolerance's width: the flipped sign is named instead
    flipped = check("-1", 1.0, Tolerance.for_form("decimal", sig_figs=1), form="decimal")
    assert flipped.slip.name == "sign_flipped" and "close" not in flipped.message


@pytest.mark.parametrize(
    ("expected", "form", "absent"),
    [(0.0, "decimal", {"sign_flipped", "factor_10", "factor_2", "squared"}), (1.0, "decimal", {"squared", "square_root"}), (1, "integer", {"squared", "square_root"})],
)
def test_a_slip_that_gives_the_answer_itself_is_left_out(expected, form, absent):
    tolerance = THREE if form == "decimal" else EXACT
    names = {s.name for s in generic_slips(expected, form, tolerance)}
    assert not names & absent


def test_vectors_matrices_and_shapes_get_the_slip_made_everywhere():
    vector = Tolerance.for_form("vector", sig_figs=3)
    assert check("[-0.1, -0.9]", [0.1, 0.9], vector, form="vector").slip.name == "sign_flipped"
    assert check("[[2, 4], [6, 8]]", [[1.0, 2.0], [3.0, 4.0]], Tolerance.for_form("matrix", sig_figs=3), form="matrix").slip.name == "factor_2"
    partly = check("[-0.1, 0.9]", [0.1, 0.9], vector, form="vector")
    assert partly.verdict is Verdict.PARTIAL and partly.slip is None  # one entry wrong: not a slip made everywhere
    shape = Tolerance.for_form("shape")
    assert check("15x15", (16, 16), shape, form="shape").slip.name == "off_by_one"
    assert check("15x16", (16, 16), shape, form="shape").slip is None


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda v: abs(v) > 1e-6)


@given(finite, st.integers(min_value=1, max_value=5))
def test_a_slip_is_never_accepted_and_is_named_for_its_own_value(v, sig_figs):
    tolerance = Tolerance.for_form("decimal", sig_figs=sig_figs)
    for slip in generic_slips(v, "decimal", tolerance):
        typed = format_number(slip.value, sig_figs=sig_figs + 2)  # the slip's value, written precisely
        result = check(typed, v, tolerance, form="decimal")
        assert result.verdict is Verdict.WRONG, (v, slip)
        # named: this slip, or an earlier one giving the same number; 100× is read as percent instead
        assert result.slip is not None or "percent" in result.message, (v, slip, result)


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_an_integer_slip_is_never_accepted(v):
    for slip in generic_slips(v, "integer", EXACT):
        result = check(str(slip.value) if isinstance(slip.value, int) else format_number(slip.value, sig_figs=12), v, EXACT, form="integer")
        assert result.verdict is Verdict.WRONG and slip.value != v


@pytest.mark.parametrize(
    ("expected", "tolerance", "accepted"),
    [
        (0.0884, THREE, ()),  # an answer well above its precision: no slip is hidden
        (0.000329, Tolerance.for_form("decimal", decimals=3), ("sign_flipped", "factor_10", "factor_100", "factor_1000", "factor_2", "squared")),  # −0.000 typed
        (0.0, Tolerance.for_form("decimal", decimals=3), ()),  # −0, 10·0: the same answer, not a slip
        (1.0, THREE, ()),  # 1² = √1 = 1: the same answer
        (0.9995, THREE, ("squared", "square_root")),  # 0.999 and 0.99975 both round within half a unit of 0.9995
        (12, EXACT, ()),
    ],
)
def test_accepted_slips_are_those_the_tolerance_cannot_tell_from_the_answer(expected, tolerance, accepted):
    assert accepted_slips(expected, "integer" if tolerance.exact else "decimal", tolerance) == accepted


def test_accepted_slips_leave_vectors_and_shapes_alone():
    assert accepted_slips([0.0001, 0.5], "vector", Tolerance.for_form("vector", decimals=3)) == ()
    assert accepted_slips((2, 3), "shape", EXACT) == ()
