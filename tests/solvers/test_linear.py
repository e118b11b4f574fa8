"""Tests for solvers.linear: parameter counts against numpy arrays, the forward pass against explicit sums."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers import linear
from solvers._core import same_value


def wrong_values(solution) -> dict:
    return {m.name: m.value for m in solution.misconceptions}


@pytest.mark.parametrize(
    ("n_in", "n_out", "bias", "expected"),
    [
        (784, 128, True, 100480),
        (10, 1, True, 11),
        (1, 1, False, 1),
        (3, 2, False, 6),
        (512, 10, True, 5130),
    ],
)
def test_param_count_table(n_in, n_out, bias, expected):
    assert linear.param_count(n_in, n_out, bias).value == expected


def test_param_count_steps_and_misconceptions():
    sol = linear.param_count(784, 128)
    assert sol.steps == (
        "params = n_in·n_out + n_out",
        "W is n_out×n_in = 128×784: 128·784 = 100352 weights",
        "b has n_out = 128 entries",
        "total = 100352 + 128 = 100480",
    )
    assert wrong_values(sol) == {"forgot_bias": 100352, "bias_per_input": 101136, "single_bias": 100353}
    # n_in == n_out: one bias per input is the same number, so it is not offered as a wrong answer.
    assert "bias_per_input" not in wrong_values(linear.param_count(5, 5))
    # n_out == 1: one bias for the layer is right.
    assert "single_bias" not in wrong_values(linear.param_count(5, 1))
    assert wrong_values(linear.param_count(3, 2, bias=False)) == {"added_bias": 8}


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300), st.booleans())
def test_param_count_matches_numpy_arrays(n_in, n_out, bias):
    arrays = [np.zeros((n_out, n_in))] + ([np.zeros(n_out)] if bias else [])
    sol = linear.param_count(n_in, n_out, bias)
    assert sol.value == sum(a.size for a in arrays)
    assert all(not same_value(m.value, sol.value) for m in sol.misconceptions)


def test_forward_hand_worked():
    sol = linear.forward([[1, 2], [3, -4]], [0.5, -1], [0.1, 0.2])
    np.testing.assert_allclose(sol.value, [-1.4, 5.7])
    assert isinstance(sol.value, np.ndarray)
    assert sol.steps[1] == "y₁ = 1·0.5 + 2·(−1) + 0.1 = −1.4"
    assert sol.steps[2] == "y₂ = 3·0.5 + (−4)·(−1) + 0.2 = 5.7"
    wrong = wrong_values(sol)
    np.testing.assert_allclose(wrong["forgot_bias"], [-1.5, 5.5])
    np.testing.assert_allclose(wrong["used_transpose"], [-2.4, 5.2])


def test_forward_non_square_without_bias():
    sol = linear.forward([[1, 0, 2], [0, 1, -1]], [3, 4, 5])
    np.testing.assert_allclose(sol.value, [13, -1])
    assert sol.steps[0] == "y = W·x, W is out×in = 2×3, so y has 2 entries"
    assert sol.misconceptions == ()  # no bias to forget, Wᵀ does not fit x


def test_forward_symmetric_weights_offer_no_transpose_mistake():
    sol = linear.forward([[2, 1], [1, 3]], [1, 1], [0, 1])
    assert "used_transpose" not in wrong_values(sol)


finite = st.floats(-10, 10, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_forward_matches_explicit_sums(n_out, n_in, data):
    w = data.draw(st.lists(st.lists(finite, min_size=n_in, max_size=n_in), min_size=n_out, max_size=n_out))
    x = data.draw(st.lists(finite, min_size=n_in, max_size=n_in))
    b = data.draw(st.none() | st.lists(finite, min_size=n_out, max_size=n_out))
    expected = [sum(w[i][j] * x[j] for j in range(n_in)) + (b[i] if b else 0.0) for i in range(n_out)]
    sol = linear.forward(w, x, b)
    np.testing.assert_allclose(sol.value, expected, rtol=1e-9, atol=1e-9)
    assert sol.value.shape == (n_out,)
    assert len(sol.steps) == n_out + 2
    assert all(not same_value(m.value, sol.value) for m in sol.misconceptions)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: linear.param_count(0, 3), "n_in: must be ≥ 1, got 0"),
        (lambda: linear.param_count(3, -2), "n_out: must be ≥ 1, got -2"),
        (lambda: linear.param_count(3.5, 2), "n_in: expected a whole number, got 3.5"),
        (lambda: linear.param_count(True, 2), "n_in: expected a whole number, got the bool True"),
        (lambda: linear.param_count(3, 2, bias=1), "bias: expected True or False, got 1"),
        (
            lambda: linear.forward([[1, 2], [3, 4]], [1, 2, 3]),
            "x: has 3 entries but W has 2 columns (W is out×in = 2×2, so x needs 2)",
        ),
        (lambda: linear.forward([[1, 2], [3, 4]], [1, 2], [1, 2, 3]), "b: has 3 entries but W has 2 rows (one bias per output)"),
        (lambda: linear.forward([1, 2], [1, 2]), "w: expected a matrix (out×in, a list of rows), got 1 dimension"),
        (lambda: linear.forward([[1, 2], [3]], [1, 2]), "w: expected a matrix (out×in, a list of rows) of numbers (rows of equal length)"),
        (lambda: linear.forward([[1, 2]], [[1], [2]]), "x: expected a vector, got 2 dimensions"),
        (lambda: linear.forward([[1, float("nan")]], [1, 2]), "w: contains nan or inf"),
        (lambda: linear.forward([[1, 2]], "1,2"), "x: expected a vector of numbers, got text '1,2'"),
        (lambda: linear.forward([[]], []), "w: expected a matrix (out×in, a list of rows), got an empty one"),
        (lambda: linear.forward([[1e300, 1e300]], [1e300, 1e300]), "w: W·x overflows"),
    ],
)
def test_invalid_parameters_are_named(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(message)
