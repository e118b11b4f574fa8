"""Tests for quizapp.answers: every accepted spelling, every rejection, tolerance, partial credit, misconceptions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.answers import (
    AnswerError,
    CheckResult,
    Tolerance,
    Verdict,
    check,
    infer_form,
    parse_answer,
)
from solvers import Misconception

# ---------------------------------------------------------------------------------------------
# Accepted spellings of one value: He std for fan_in = 256 is √(2/256) = 0.0883883...

HE_STD = math.sqrt(2 / 256)
THREE_SIG = Tolerance(sig_figs=3)

SPELLINGS_OF_HE_STD = [
    "0.0884",
    "0,0884",
    ".0884",
    " 0.0884 ",
    "0.0884.",
    "≈ 0.0884",
    "sqrt(2/256)",
    "SQRT(2/256)",
    "√(2/256)",
    "√2/16",
    "1/(8*sqrt(2))",
    "1/(8√2)",
    "1/8√2",
    "(2/256)^0.5",
    "(2/256)**0.5",
    "8.84e-2",
    "8.84E-2",
    "8,84e-2",
    "8.84·10^-2",
    "8.84*10**-2",
    "8.84 × 10⁻²",
    "8.84 x 10^-2",
    "8.84×10^(-2)",
    "0.08839",
    "0.088388",
    "8.84%",
    "exp(log(0.0884))",
]


@pytest.mark.parametrize("text", SPELLINGS_OF_HE_STD)
def test_every_spelling_of_one_value_is_accepted(text):
    value = parse_answer(text)
    assert THREE_SIG.allows(value, HE_STD)
    assert check(text, HE_STD, THREE_SIG).verdict is Verdict.CORRECT


NUMBERS = [
    # (text, form, value)
    ("16", None, 16),
    ("16", "integer", 16),
    ("-3", None, -3),
    ("−3", None, -3),
    ("+3", None, 3),
    ("3/4", None, 0.75),
    ("1e-3", None, 0.001),
    ("1.2·10^-3", None, 0.0012),
    ("1.2*10**-3", None, 0.0012),
    ("1.2 × 10⁻³", None, 0.0012),
    ("1/(2*sqrt(2))", None, 1 / (2 * math.sqrt(2))),
    ("√2/4", None, math.sqrt(2) / 4),
    ("2π", None, 2 * math.pi),
    ("PI", None, math.pi),
    ("exp(1)", None, math.e),
    ("ln(2)", None, math.log(2)),
    ("log(2)", None, math.log(2)),
    ("2^10", "integer", 1024),
    ("0,5", None, 0.5),
    ("0,5", "decimal", 0.5),
    ("1,5", "integer", 1.5),  # not thousands: the group after the comma is not three digits
    ("0,125", "decimal", 0.125),  # a leading 0 is never a thousands group
    ("12,288", "integer", 12288),
    ("1,234,567", "integer", 1234567),
    ("1,234,567", "decimal", 1234567),
    ("1,234.5", None, 1234.5),
    ("1.234,5", None, 1234.5),
    ("1 000", "integer", 1000),
    ("12 288", None, 12288),
    ("1_000", None, 1000),
    ("1e4", "integer", 10000),  # an integral float becomes an int for integer answers
    ("16.0", "integer", 16),
    ("12.5%", None, 0.125),
    ("12.5%", "decimal", 0.125),
    ("12.5%", "percent", 12.5),
    ("12.5", "percent", 12.5),
    ("50 %", None, 0.5),
    ("min(1,2)", None, 1),
    ("= 7", None, 7),
    ("~7", None, 7),
]


@pytest.mark.parametrize(("text", "form", "value"), NUMBERS)
def test_numbers(text, form, value):
    parsed = parse_answer(text, form=form)
    assert parsed == pytest.approx(value, rel=1e-12)
    assert type(parsed) is type(value) or isinstance(value, float)


def test_percent_flag_keeps_the_percent_number():
    assert parse_answer("12.5%", percent=True) == 12.5
    assert parse_answer("12.5", percent=True) == 12.5
    assert parse_answer("12.5%") == 0.125


SHAPES = [
    ("(16, 16)", (16, 16)),
    ("(16,16)", (16, 16)),
    ("16x16", (16, 16)),
    ("16X16", (16, 16)),
    ("16×16", (16, 16)),
    ("16 x 16", (16, 16)),
    ("[16, 16]", (16, 16)),
    ("16,16", (16, 16)),
    ("16 16", (16, 16)),
    ("(3, 16, 16)", (3, 16, 16)),
    ("3×16×16", (3, 16, 16)),
    ("(16,)", (16,)),
    ("16", (16,)),
    ("(2*8, 4^2)", (16, 16)),
    ("16x16.", (16, 16)),
]


@pytest.mark.parametrize(("text", "value"), SHAPES)
def test_shapes(text, value):
    assert parse_answer(text, form="shape") == value


VECTORS = [
    ("[0.1, 0.9]", [0.1, 0.9]),
    ("[0.1,0.9]", [0.1, 0.9]),
    ("(0.1, 0.9)", [0.1, 0.9]),
    ("0.1, 0.9", [0.1, 0.9]),
    ("[0.1 0.9]", [0.1, 0.9]),
    ("0.1 0.9", [0.1, 0.9]),  # spaces separate elements when no comma does
    ("[0,1; 0,9]", [0.1, 0.9]),  # semicolons let elements use a decimal comma
    ("[0,5 1,5]", [0.5, 1.5]),
    ("[1/2, √2/2]", [0.5, math.sqrt(2) / 2]),
    ("[1 -2]", [1.0, -2.0]),  # two numbers, as in MATLAB
    ("[1 - 2]", [-1.0]),  # one expression
    ("[10%, 90%]", [0.1, 0.9]),
    ("[1, 2,]", [1.0, 2.0]),
    ("[ 1 , 2 ]", [1.0, 2.0]),
    ("[sqrt(2) / 2, 1]", [math.sqrt(2) / 2, 1.0]),
]


@pytest.mark.parametrize(("text", "value"), VECTORS)
def test_vectors(text, value):
    parsed = parse_answer(text, form="vector")
    assert parsed == pytest.approx(value)
    assert all(isinstance(x, float) for x in parsed)


MATRICES = [
    ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
    ("[[1,2],[3,4]]", [[1, 2], [3, 4]]),
    ("[[1 2] [3 4]]", [[1, 2], [3, 4]]),
    ("[1 2; 3 4]", [[1, 2], [3, 4]]),
    ("[1, 2; 3, 4]", [[1, 2], [3, 4]]),
    ("1 2; 3 4", [[1, 2], [3, 4]]),
    ("[1, 2]", [[1, 2]]),
    ("[[0.5, √2/2]]", [[0.5, math.sqrt(2) / 2]]),
]


@pytest.mark.parametrize(("text", "value"), MATRICES)
def test_matrices(text, value):
    parsed = parse_answer(text, form="matrix")
    assert len(parsed) == len(value)
    for row, want in zip(parsed, value):
        assert row == pytest.approx(want)
        assert all(isinstance(x, float) for x in row)


REJECTED = [
    # (text, form, message)
    ("", None, "Empty answer"),
    ("   ", None, "Empty answer"),
    (".", None, "Could not read '.': unexpected character '.'"),
    ("abc", None, "Could not read 'abc': unknown name 'abc'"),
    ("x", None, "Could not read 'x': unknown name 'x'"),
    ("2 > 1", None, "Could not read '2 > 1': expected a number, not a comparison"),
    ("12,288", None, "Could not read '12,288': is it 12.288 or 12288? Write it without the comma"),
    ("12,288", "decimal", "is it 12.288 or 12288?"),
    ("1,2,3", None, "Could not read '1,2,3': too many commas"),
    ("1,23.4,5", None, "mixed '.' and ','"),
    ("%", None, "Could not read '%': expected a number"),
    ("1/0", None, "Could not read '1/0': division by zero"),
    ("sqrt(-1)", None, "square root of a negative number"),
    ("[1, 2]", None, "This question wants one number, not a list"),
    ("16.5x16", "shape", "sizes are whole numbers, not 16.5"),
    ("axb", "shape", "unknown name 'axb'"),
    ("", "shape", "Empty answer"),
    ("()", "shape", "expected sizes like 16×16"),
    ("16,,16", "shape", "an element is missing"),
    ("[]", "vector", "the list is empty"),
    ("[1,,2]", "vector", "an element is missing"),
    ("[[1, 2]]", "vector", "expected one list of numbers like [0.1, 0.9]"),
    ("[0.1, abc]", "vector", "Could not read 'abc': unknown name 'abc'"),
    ("[[1, 2], [3]]", "matrix", "rows have different lengths (1 and 2)"),
    ("[[1, 2] x [3, 4]]", "matrix", "expected rows like [[1, 2], [3, 4]]"),
    ("[[1, 2], [3, 4]", "matrix", "missing ']'"),
    ("1 + (2", None, "missing ')'"),
    ("2 3", None, "missing operator before number 3"),
]


@pytest.mark.parametrize(("text", "form", "message"), REJECTED)
def test_rejections_with_message(text, form, message):
    with pytest.raises(AnswerError) as info:
        parse_answer(text, form=form)
    assert message in str(info.value)


def test_positions_only_in_long_answers():
    with pytest.raises(AnswerError) as short:
        parse_answer("abc")
    assert "position" not in str(short.value)
    with pytest.raises(AnswerError) as long:
        parse_answer("1/(8*sqrt(2)) + foo + 1")
    assert str(long.value) == "Could not read '1/(8*sqrt(2)) + foo + 1': unknown name 'foo' at position 17"


def test_unknown_form_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown answer form 'number2'"):
        parse_answer("1", form="number2")
    with pytest.raises(TypeError):
        parse_answer(16)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Tolerance


def test_describe():
    assert Tolerance(exact=True).describe() == "an exact integer"
    assert Tolerance(sig_figs=3).describe() == "3 significant figures"
    assert Tolerance(sig_figs=1).describe() == "1 significant figure"
    assert Tolerance(decimals=2).describe() == "2 decimal places"
    assert Tolerance(decimals=1).describe() == "1 decimal place"
    assert Tolerance(abs=0.01).describe() == "±0.01"
    assert Tolerance(rel=0.05).describe() == "within 5%"
    assert Tolerance(sig_figs=2, abs=0.5).describe() == "2 significant figures or ±0.5, whichever is looser"
    assert Tolerance().describe() == "the exact value"


# (tolerance, form, expected, text): the text names only the rule that sets width(expected).
DESCRIBE_WITH_EXPECTED = [
    # 3 s.f. of 1.3703 accept ±0.005, so a template's abs_tol of 0.001 changes nothing
    (Tolerance(sig_figs=3, abs=0.001), "decimal", 1.3703, "3 significant figures"),
    # near zero the abs_tol is what accepts an answer
    (Tolerance(sig_figs=3, abs=0.001), "decimal", 0.000123, "±0.001"),
    (Tolerance(sig_figs=3, abs=0.005), "decimal", 1.3703, "3 significant figures"),  # a tie changes nothing
    (Tolerance(sig_figs=3, abs=0.001), "vector", [0.09, 0.245, 0.665], "±0.001 each"),
    (Tolerance(sig_figs=3, abs=0.001), "vector", [12.5, 0.0001], "3 significant figures or ±0.001 each, whichever is looser"),
    (Tolerance(sig_figs=3, abs=0.001), "matrix", [[1.5, 2.25], [3.0, 40.0]], "3 significant figures each"),
    (Tolerance(sig_figs=3, rel=0.05), "decimal", 2.0, "within 5%"),
    (Tolerance(sig_figs=3, rel=0.001), "decimal", 2.0, "3 significant figures"),
    (Tolerance(decimals=2, abs=0.001), "decimal", 7.0, "2 decimal places"),
    (Tolerance(abs=0.01, rel=0.01), "decimal", 5.0, "within 1%"),
    (Tolerance(abs=0.01, rel=0.01), "decimal", 0.5, "±0.01"),
    (Tolerance(exact=True), "integer", 16, "an exact integer"),
]


@pytest.mark.parametrize(("tolerance", "form", "expected", "text"), DESCRIBE_WITH_EXPECTED)
def test_describe_names_the_rule_that_decides(tolerance, form, expected, text):
    assert tolerance.describe(form, expected=expected) == text


def test_describe_with_a_numpy_expected_value():
    np = pytest.importorskip("numpy")
    tolerance = Tolerance(sig_figs=3, abs=0.001)
    assert tolerance.describe("vector", expected=np.array([0.09, 0.245])) == "±0.001 each"
    assert tolerance.describe("decimal", expected=np.float64(1.3703)) == "3 significant figures"


def test_describe_without_a_value_drops_only_what_never_decides():
    # half a unit of 2 decimals is 0.005 for every value: a smaller abs never matters, a larger always does
    assert Tolerance(decimals=2, abs=0.001).describe() == "2 decimal places"
    assert Tolerance(decimals=2, abs=0.01).describe("vector") == "±0.01 each"
    assert Tolerance(sig_figs=3, abs=0.001).describe() == "3 significant figures or ±0.001, whichever is looser"
    assert Tolerance(sig_figs=2, abs=0.5, rel=0.1).describe() == (
        "2 significant figures, ±0.5 or within 10%, whichever is loosest"
    )


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from([None, 1, 2, 3, 4]),
    st.sampled_from([None, 0, 1, 2, 3]),
    st.sampled_from([0.0, 0.0001, 0.001, 0.01, 0.5]),
    st.sampled_from([0.0, 0.001, 0.01, 0.05]),
)
def test_the_described_rule_gives_the_width(expected, sig_figs, decimals, abs_tol, rel_tol):
    """Independent check: the width the described rule alone gives is the width allows() uses."""
    tolerance = Tolerance(abs=abs_tol, rel=rel_tol, sig_figs=sig_figs, decimals=decimals)
    text = tolerance.describe("decimal", expected=expected)
    v = abs(expected)
    if text.startswith("±"):
        width = abs_tol
    elif text.startswith("within "):
        width = rel_tol * v
    elif text == "the exact value":
        width = 0.0
    elif sig_figs is not None:
        assert text == f"{sig_figs} significant figure" + ("s" if sig_figs != 1 else "")
        exponent = math.floor(math.log10(v)) if v else 0
        exponent += 10.0 ** (exponent + 1) <= v  # log10 rounding just under a power of ten
        exponent -= v > 0 and 10.0**exponent > v
        width = 0.5 * 10.0 ** (exponent - sig_figs + 1) if v else 0.5 * 10.0**-sig_figs
    else:
        assert text == f"{decimals} decimal place" + ("s" if decimals != 1 else "")
        width = 0.5 * 10.0**-decimals
    assert width == pytest.approx(tolerance.width(expected), rel=1e-12)


ALLOWS = [
    # (tolerance, expected, value, allowed)
    (Tolerance(exact=True), 16, 16, True),
    (Tolerance(exact=True), 16, 16.0, True),
    (Tolerance(exact=True), 16, 16.5, False),
    (Tolerance(exact=True), 16, 15, False),
    (Tolerance(exact=True), 10**20, 10**20 + 1, False),  # exact even beyond float precision
    (THREE_SIG, HE_STD, 0.0884, True),
    (THREE_SIG, HE_STD, 0.08839, True),
    (THREE_SIG, HE_STD, 0.0883883, True),
    (THREE_SIG, HE_STD, 0.0885, False),
    (THREE_SIG, HE_STD, 0.0883, False),
    (THREE_SIG, HE_STD, 0.088, False),
    (THREE_SIG, -HE_STD, -0.0884, True),
    (THREE_SIG, 12345.0, 12300, True),  # 3 s.f. of a large number: half of 100
    (THREE_SIG, 12345.0, 12400, False),
    (THREE_SIG, 9.996, 10.0, True),  # rounding up across a power of ten
    (THREE_SIG, 9.996, 9.99, False),
    (THREE_SIG, 100.0, 100.4, True),  # exact power of ten: the last place is the units
    (THREE_SIG, 100.0, 100.6, False),
    (THREE_SIG, 0.0, 0.0, True),
    (THREE_SIG, 0.0, 0.0004, True),
    (THREE_SIG, 0.0, 0.001, False),
    (Tolerance(sig_figs=2), 0.125, 0.13, True),  # half-up rounding of an exact tie
    (Tolerance(sig_figs=2), 0.125, 0.12, True),  # half-to-even rounding of the same tie
    (Tolerance(decimals=2), 0.125, 0.13, True),
    (Tolerance(decimals=2), 0.125, 0.12, True),
    (Tolerance(decimals=2), 0.125, 0.14, False),
    (Tolerance(decimals=0), 2.5, 3, True),
    (Tolerance(abs=0.01), 1.0, 1.01, True),
    (Tolerance(abs=0.01), 1.0, 1.011, False),
    (Tolerance(rel=0.01), 200.0, 202, True),
    (Tolerance(rel=0.01), 200.0, 202.1, False),
    (Tolerance(abs=0.5, sig_figs=3), 1.0, 1.4, True),  # the widest of the tolerances wins
    (Tolerance(), 0.3, 0.1 + 0.2, True),  # binary rounding never costs a point
    (Tolerance(), 0.3, 0.3001, False),
    (THREE_SIG, 1.7e308, 1.7e308, True),  # no overflow working out the last place
    (THREE_SIG, 1.7e308, 1.6e308, False),
    (THREE_SIG, 5e-324, 5e-324, True),
    (THREE_SIG, 10**400, 10**400, True),
    (THREE_SIG, 1.0, math.nan, False),
    (THREE_SIG, 1.0, math.inf, False),
    (THREE_SIG, 1.0, True, False),
    (THREE_SIG, 1.0, "1.0", False),
]


@pytest.mark.parametrize(("tolerance", "expected", "value", "allowed"), ALLOWS)
def test_allows(tolerance, expected, value, allowed):
    assert tolerance.allows(value, expected) is allowed


@given(
    st.floats(min_value=1e-12, max_value=1e12, allow_nan=False),
    st.integers(1, 8),
    st.sampled_from([1, -1]),
)
def test_an_answer_rounded_as_asked_is_always_accepted(magnitude, sig_figs, sign):
    expected = sign * magnitude
    rounded = float(f"{expected:.{sig_figs - 1}e}")  # what a user rounding to sig_figs types
    assert Tolerance(sig_figs=sig_figs).allows(rounded, expected)
    # ... and one unit off in that place is refused
    unit = 10.0 ** (math.floor(math.log10(abs(rounded))) - sig_figs + 1)
    assert not Tolerance(sig_figs=sig_figs).allows(rounded + 2 * unit * sign, expected)


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 6))
def test_an_answer_rounded_to_decimals_is_always_accepted(expected, decimals):
    rounded = round(expected, decimals)
    assert Tolerance(decimals=decimals).allows(rounded, expected)
    assert not Tolerance(decimals=decimals).allows(rounded + 2 * 10.0**-decimals, expected)


def test_for_form():
    assert Tolerance.for_form("integer") == Tolerance(exact=True)
    assert Tolerance.for_form("shape") == Tolerance(exact=True)
    assert Tolerance.for_form("decimal") == Tolerance(sig_figs=3)
    assert Tolerance.for_form("vector", decimals=2) == Tolerance(decimals=2)
    assert Tolerance.for_form("decimal", sig_figs=4, abs_tol=0.001) == Tolerance(abs=0.001, sig_figs=4)
    assert Tolerance.for_form("integer", sig_figs=3) == Tolerance(sig_figs=3)  # a big count asked to 3 s.f.
    assert Tolerance.for_form("percent", rel_tol=0.01) == Tolerance(rel=0.01)
    with pytest.raises(ValueError, match="unknown answer form"):
        Tolerance.for_form("fraction")
    with pytest.raises(ValueError, match="sig_figs"):
        Tolerance(sig_figs=0)
    with pytest.raises(ValueError, match="negative"):
        Tolerance(abs=-1)


# ---------------------------------------------------------------------------------------------
# check(): verdicts, partial credit, misconceptions


def test_infer_form():
    np = pytest.importorskip("numpy")
    assert infer_form(16) == "integer"
    assert infer_form(np.int64(16)) == "integer"
    assert infer_form(0.5) == "decimal"
    assert infer_form(np.float64(0.5)) == "decimal"
    assert infer_form((16, 16)) == "shape"
    assert infer_form([0.1, 0.9]) == "vector"
    assert infer_form((0.1, 0.9)) == "vector"
    assert infer_form(np.array([0.1, 0.9])) == "vector"
    assert infer_form([[1, 2], [3, 4]]) == "matrix"
    assert infer_form(np.eye(2)) == "matrix"
    with pytest.raises(TypeError):
        infer_form("16")
    with pytest.raises(TypeError):
        infer_form(True)


def test_check_integer():
    exact = Tolerance(exact=True)
    assert check("16", 16, exact) == CheckResult(Verdict.CORRECT, 16, None, "Correct.", 1.0)
    assert check("16.0", 16, exact).verdict is Verdict.CORRECT
    result = check("16.5", 16, exact)
    assert (result.verdict, result.score) == (Verdict.WRONG, 0.0)
    assert result.message == "Not correct: the answer is a whole number."
    assert check("12,288", 12288, exact).verdict is Verdict.CORRECT
    assert check("13", 16, exact).message == "Not correct."  # no slip gives 13 from 16
    assert check("15", 16, exact).slip.name == "off_by_one"


def test_check_decimal_hints():
    result = check("0.088", HE_STD, THREE_SIG)
    assert result.verdict is Verdict.WRONG
    assert result.message == "Not correct: close, but 3 significant figures were asked for."
    # near zero the template's abs_tol decides, and the hint says so
    near_zero = Tolerance(sig_figs=3, abs=0.001)
    assert check("0.055", 0.05, near_zero).message == "Not correct: close, but an answer must be within ±0.001."
    assert check("1.36", 1.3703, near_zero).message == "Not correct: close, but 3 significant figures were asked for."
    assert check("2.5", 2.0, Tolerance(rel=0.05)).message == "Not correct: close, but an answer must be within 5%."
    assert check("0.5", HE_STD, THREE_SIG).message == "Not correct."
    assert check("8.84", HE_STD, THREE_SIG).message == "Not correct: that looks like percent; add % or give the fraction."


def test_check_percent():
    tol = Tolerance.for_form("percent")
    assert check("12.5%", 12.5, tol, form="percent").verdict is Verdict.CORRECT
    assert check("12.5", 12.5, tol, form="percent").verdict is Verdict.CORRECT
    assert check("12.5", 12.5, tol, percent=True).verdict is Verdict.CORRECT
    wrong = check("0.125", 12.5, tol, form="percent")
    assert wrong.verdict is Verdict.WRONG
    assert wrong.message == "Not correct: the answer is asked in percent (×100)."
    assert check("12.5%", 0.125, THREE_SIG).verdict is Verdict.CORRECT


def test_check_vector_partial_credit():
    tol = Tolerance(decimals=2)
    assert check("[0.09, 0.24, 0.67]", [0.0900, 0.2447, 0.6652], tol).verdict is Verdict.CORRECT
    partial = check("[0.09, 0.25, 0.60]", [0.0900, 0.2447, 0.6652], tol)
    assert partial.verdict is Verdict.PARTIAL
    assert partial.score == pytest.approx(1 / 3)
    assert partial.message == "Partly correct: 1 of 3 numbers right."
    wrong = check("[0.5, 0.5]", [0.0900, 0.2447, 0.6652], tol)
    assert (wrong.verdict, wrong.score, wrong.message) == (Verdict.WRONG, 0.0, "Not correct: expected 3 numbers, got 2.")
    assert check("[0,1; 0,9]", [0.1, 0.9], tol).verdict is Verdict.CORRECT


def test_check_vector_against_numpy():
    np = pytest.importorskip("numpy")
    assert check("[0.1, 0.9]", np.array([0.1, 0.9]), THREE_SIG).verdict is Verdict.CORRECT


def test_check_matrix():
    exact = Tolerance(exact=True)
    assert check("[1 2; 3 4]", [[1, 2], [3, 4]], exact).verdict is Verdict.CORRECT
    partial = check("[[1, 2], [3, 5]]", [[1, 2], [3, 4]], exact)
    assert (partial.verdict, partial.score) == (Verdict.PARTIAL, 0.75)
    wrong = check("[[1, 3], [2, 4], [5, 6]]", [[1, 2, 5], [3, 4, 6]], exact)
    assert wrong.verdict is Verdict.WRONG
    assert wrong.message == "Not correct: expected a 2×3 matrix, got 3×2."


def test_check_shape():
    exact = Tolerance(exact=True)
    assert check("(16, 16)", (16, 16), exact).verdict is Verdict.CORRECT
    assert check("16×16", (16, 16), exact).parsed == (16, 16)
    partial = check("16x15", (16, 16), exact)
    assert (partial.verdict, partial.score, partial.message) == (Verdict.PARTIAL, 0.5, "Partly correct: 1 of 2 sizes right.")
    missing_channel = check("16x16", (64, 16, 16), exact)
    assert (missing_channel.verdict, missing_channel.message) == (Verdict.WRONG, "Not correct: expected 3 sizes, got 2.")
    with pytest.raises(AnswerError, match="Expected 2 numbers like 16×16"):
        check("16", (16, 16), exact)
    with pytest.raises(AnswerError, match="Expected 3 numbers like 16×16×16"):
        check("256", (1, 16, 16), exact)


FORGOT_FLOOR = Misconception("forgot_floor", 15.5, "The floor was left out.")
FORGOT_PLUS_ONE = Misconception("forgot_plus_one", 15, "The +1 was left out.")
SCALED_BY_TOKENS = Misconception("scaled_by_sqrt_tokens", [0.2, 0.8], "Scores divided by √(number of tokens) instead of √d_k.")


def test_misconception_matching():
    exact = Tolerance(exact=True)
    result = check("15", 16, exact, misconceptions=[FORGOT_FLOOR, FORGOT_PLUS_ONE])
    assert result.verdict is Verdict.WRONG
    assert result.misconception is FORGOT_PLUS_ONE
    assert result.message == "Not correct. A common mistake (forgot plus one): The +1 was left out."
    assert check("14", 16, exact, misconceptions=[FORGOT_FLOOR, FORGOT_PLUS_ONE]).misconception is None
    # a correct answer never reports a misconception, even one with the same value
    same = Misconception("coincides", 16, "Same value here.")
    assert check("16", 16, exact, misconceptions=[same]).misconception is None


def test_misconception_uses_the_same_tolerance_and_the_first_match_wins():
    tol = Tolerance(sig_figs=2)
    first = Misconception("first", 0.31, "first")
    second = Misconception("second", 0.312, "second")
    assert check("0.31", 0.5, tol, misconceptions=[first, second]).misconception is first
    assert check("0.314", 0.5, tol, misconceptions=[second, first]).misconception is second


def test_misconception_on_vectors_and_mismatched_structures():
    tol = Tolerance(decimals=2)
    result = check("[0.2, 0.8]", [0.27, 0.73], tol, misconceptions=[Misconception("scalar", 0.5, "x"), SCALED_BY_TOKENS])
    assert result.misconception is SCALED_BY_TOKENS
    assert "scaled by sqrt tokens" in result.message
    partial = check("[0.27, 0.8]", [0.27, 0.73], tol, misconceptions=[SCALED_BY_TOKENS])
    assert partial.verdict is Verdict.PARTIAL and partial.misconception is None


# Several numbers typed for a one-number question: refused (asked again), with what was wrong.
ONE_NUMBER_WANTED = [
    # (text, form, message)
    ("60x60", "integer", "This question wants one number, not a shape"),
    ("16 x 16", "integer", "This question wants one number, not a shape"),
    ("16X16x3", "decimal", "This question wants one number, not a shape"),
    ("(16 x 16)", None, "This question wants one number, not a shape"),
    ("[0.1,0.2]", "decimal", "This question wants one number, not a list"),
    ("[0.1, 0.2]", "decimal", "This question wants one number, not a list"),
    ("(0.1, 0.2)", "number", "This question wants one number, not a list"),
    ("0.1, 0.2", "decimal", "This question wants one number, not a list"),
    ("[1 2]", "integer", "This question wants one number, not a list"),
    ("[16,16]", "integer", "This question wants one number, not a list"),
    ("0.1; 0.2", "decimal", "This question wants one number, not a list"),
    ("[0,09, 0,245, 0,665]", "decimal", "This question wants one number, not a list"),
    ("[10%, 20%]", "percent", "This question wants one number, not a list"),
    ("[3]", "integer", "This question wants one number: write it without brackets"),
]


@pytest.mark.parametrize(("text", "form", "message"), ONE_NUMBER_WANTED)
def test_several_numbers_for_a_one_number_question(text, form, message):
    with pytest.raises(AnswerError) as info:
        parse_answer(text, form=form)
    assert str(info.value) == message
    with pytest.raises(AnswerError, match="This question wants one number"):
        check(text, 16 if form == "integer" else 0.5, Tolerance.for_form(form or "decimal"), form=form)


@pytest.mark.parametrize(
    ("text", "value"),
    [("16×16", 256), ("16 × 16", 256), ("(1,5)", 1.5), ("2 x 10^3", 2000), ("1.2 x 10^-3", 0.0012), ("16,16", 16.16)],
)
def test_products_and_decimal_commas_keep_their_values(text, value):
    # only text that fails as a number is read as a shape or a list
    assert parse_answer(text, form="decimal") == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("12,288", "is it 12.288 or 12288?"), ("1,2,3", "too many commas"), ("2 3", "missing operator"), ("3x", "unknown name 'x'")],
)
def test_other_unreadable_numbers_keep_their_message(text, message):
    with pytest.raises(AnswerError, match=message):
        parse_answer(text, form="decimal")


SOFTMAX = [0.09, 0.245, 0.665]


@pytest.mark.parametrize(
    ("text", "expected", "example"),
    [
        ("[0,09, 0,245, 0,665]", SOFTMAX, "[0,09; 0,245; 0,665]"),
        ("[0,09,0,245,0,665]", SOFTMAX, "[0,09; 0,245; 0,665]"),
        ("0,09, 0,245, 0,665", SOFTMAX, "[0,09; 0,245; 0,665]"),
        ("[1, 2,5]", [1.0, 2.5], "[0,1; 0,9]"),  # 3 pieces for 2 numbers: a general example
        ("[1,000, 2,000]", [1000.0, 2000.0], "[0,1; 0,9]"),  # [1,000; 2,000] would be ambiguous too
        ("[[0,1, 0,9], [0,2, 0,8]]", [[0.1, 0.9], [0.2, 0.8]], "[0,1 0,9; 0,2 0,8]"),
        ("[0,5, 1,5; 2,5, 3,5]", [[0.5, 1.5], [2.5, 3.5]], "[0,5 1,5; 2,5 3,5]"),
        ("[[0,5, 1,5, 2], [0,5, 1,5, 2]]", [[0.5, 1.5], [2.5, 3.5]], "[0,1 0,9; 0,2 0,8]"),  # 5 pieces a row
    ],
)
def test_decimal_commas_between_comma_separators_are_asked_again(text, expected, example):
    with pytest.raises(AnswerError) as info:
        check(text, expected, THREE_SIG)
    message = str(info.value)
    assert message.startswith("Could not tell the numbers apart: write decimal commas")
    assert message.endswith(f": {example}, or use points")


def test_the_suggested_spelling_is_read_as_meant():
    assert check("[0,09; 0,245; 0,665]", SOFTMAX, THREE_SIG).verdict is Verdict.CORRECT
    assert check("[0,1 0,9; 0,2 0,8]", [[0.1, 0.9], [0.2, 0.8]], THREE_SIG).verdict is Verdict.CORRECT


def test_wrong_counts_without_comma_trouble_are_graded():
    # semicolons or spaces already separate the numbers: a wrong count is the user's answer
    short = check("[0,09; 0,245]", SOFTMAX, THREE_SIG)
    assert (short.verdict, short.message) == (Verdict.WRONG, "Not correct: expected 3 numbers, got 2.")
    narrow = check("[[0,1 0,9], [0,2 0,8]]", [[0.1, 0.9, 1.0], [0.2, 0.8, 1.0]], THREE_SIG)
    assert (narrow.verdict, narrow.message) == (Verdict.WRONG, "Not correct: expected a 2×3 matrix, got 2×2.")
    points = check("[0.5, 0.5]", SOFTMAX, THREE_SIG)
    assert points.message == "Not correct: expected 3 numbers, got 2."
    # the right count with decimal commas read as separators is graded as read (nothing to tell apart)
    assert check("[0,5, 0,5]", [0.0, 5.0, 0.0, 5.0], THREE_SIG).verdict is Verdict.CORRECT


def test_check_raises_answer_error_on_unreadable_text():
    with pytest.raises(AnswerError, match="Could not read 'sixteen': unknown name 'sixteen'"):
        check("sixteen", 16, Tolerance(exact=True))
    with pytest.raises(AnswerError, match="Empty answer"):
        check("  ", 0.5, THREE_SIG)
