"""Tests for solvers.loss: hand-worked losses and gradients, properties against plain math loops and finite
differences, and cross-checks against PyTorch (skipped when torch is not installed)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from solvers import loss
from solvers._core import REGISTRY, same_value


def wrong_values(solution) -> dict:
    return {m.name: m.value for m in solution.misconceptions}


def assert_dict_close(got: dict, expected: dict, **tol) -> None:
    assert set(got) == set(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, err_msg=key, **tol)


def assert_misconceptions_differ(sol) -> None:
    """Each wrong answer keeps the value's structure and differs from the answer and from the others."""
    for i, m in enumerate(sol.misconceptions):
        if isinstance(sol.value, dict):
            assert set(m.value) == set(sol.value), m.name
            for key in sol.value:
                assert np.shape(m.value[key]) == np.shape(sol.value[key]), (m.name, key)
        assert not same_value(m.value, sol.value), m.name
        assert all(not same_value(m.value, other.value) for other in sol.misconceptions[:i]), m.name


def ce_by_loop(z: list[float], t: int) -> float:
    """−ln(exp(z_t) / Σ exp(z_k)) with math.exp, no shift: the textbook formula for moderate logits."""
    return -math.log(math.exp(z[t]) / sum(math.exp(v) for v in z))


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def bce_by_formula(p: float, y: float) -> float:
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


def central_difference(f, x: float, eps: float = 1e-6) -> float:
    return (f(x + eps) - f(x - eps)) / (2 * eps)


# ---------------------------------------------------------------- cross-entropy by hand


@pytest.mark.parametrize(
    ("logits", "target", "expected_loss", "expected_grad"),
    [
        # p = softmax([2, 1, 0.1]) = [0.6590, 0.2424, 0.0986]; L = −ln 0.6590
        ([2, 1, 0.1], 0, 0.4170, [-0.3410, 0.2424, 0.0986]),
        # uniform logits: p = 1/4 each, L = ln 4
        ([0, 0, 0, 0], 2, math.log(4), [0.25, 0.25, -0.75, 0.25]),
        # [0, ln 3]: p = [1/4, 3/4]
        ([0, math.log(3)], 1, -math.log(0.75), [0.25, -0.25]),
        ([0, math.log(3)], 0, math.log(4), [-0.75, 0.75]),
        # softmax is shift-invariant: [1000, 1001, 1002] is [0, 1, 2]; logsumexp(0, 1, 2) = 2.40761
        ([1000, 1001, 1002], 0, 2.4076059644443806, [0.09003057 - 1, 0.24472847, 0.66524096]),
        ([-1000, -1001], 0, math.log1p(math.exp(-1)), [-0.26894142, 0.26894142]),
        # a hopelessly confident right answer: L = 0, grad 0 (no overflow from exp(1e308))
        ([1e308, -1e308], 0, 0.0, [0.0, 0.0]),
    ],
)
def test_cross_entropy_by_hand(logits, target, expected_loss, expected_grad):
    sol = loss.cross_entropy(logits, target)
    assert isinstance(sol.value["loss"], float)
    assert isinstance(sol.value["grad"], np.ndarray) and sol.value["grad"].shape == (len(logits),)
    assert sol.value["loss"] == pytest.approx(expected_loss, abs=5e-5)
    np.testing.assert_allclose(sol.value["grad"], expected_grad, atol=5e-5)


def test_cross_entropy_steps_and_misconceptions_by_hand():
    sol = loss.cross_entropy([2, 1, 0.1], 0)
    assert sol.steps == (
        "classes are counted from 0 (as in PyTorch): target t = 0 is the 1st of 3 classes, z_t = 2",
        "m = max(z) = 2; Σₖ exp(zₖ − m) = exp(0) + exp(−1) + exp(−1.9) = 1.517",
        "logsumexp(z) = m + ln Σₖ exp(zₖ − m) = 2 + ln 1.517 = 2.417",
        "p = softmax(z) = exp(z − logsumexp(z)) = [0.659, 0.2424, 0.09857]",
        "L = −ln p_t = logsumexp(z) − z_t = 2.417 − 2 = 0.417",
        "y = one-hot(t) = [1, 0, 0]",
        "∂L/∂z = p − y = [−0.341, 0.2424, 0.09857] (only entry t changes: p_t − 1 = −0.341)",
    )
    p = np.array([0.65900114, 0.24243297, 0.09856589])
    wrong = wrong_values(sol)
    assert list(wrong) == ["grad_y_minus_p", "log_base_10", "forgot_softmax", "target_plus_one"]
    assert_dict_close(wrong["grad_y_minus_p"], {"loss": 0.41703, "grad": [1, 0, 0] - p}, atol=1e-5)
    assert_dict_close(wrong["log_base_10"], {"loss": 0.41703 / math.log(10), "grad": (p - [1, 0, 0]) / math.log(10)}, atol=1e-5)
    assert_dict_close(wrong["forgot_softmax"], {"loss": -2.0, "grad": [-1, 0, 0]})
    # class 1 instead of class 0: L = logsumexp − z₁ = 2.417 − 1
    assert_dict_close(wrong["target_plus_one"], {"loss": 1.41703, "grad": p - [0, 1, 0]}, atol=1e-5)
    assert dict(sol.details)["logsumexp"] == pytest.approx(2.41703, abs=1e-5)


def test_cross_entropy_counts_the_target_from_zero():
    # Target 2 of [0.2, 0.5, 0.9] is the third logit, 0.9; counting from 1 would pick 0.5.
    sol = loss.cross_entropy([0.2, 0.5, 0.9], 2)
    assert sol.steps[0] == "classes are counted from 0 (as in PyTorch): target t = 2 is the 3rd of 3 classes, z_t = 0.9"
    assert sol.value["loss"] == pytest.approx(ce_by_loop([0.2, 0.5, 0.9], 2))
    wrong = wrong_values(sol)
    assert "target_plus_one" not in wrong  # there is no class 3
    assert wrong["one_based_target"]["loss"] == pytest.approx(ce_by_loop([0.2, 0.5, 0.9], 1))
    # logits in (0, 1) invite reading them as probabilities: −ln 0.9, and ∂(−ln z_t)/∂z_t = −1/z_t
    assert_dict_close(wrong["logits_as_probabilities"], {"loss": -math.log(0.9), "grad": [0, 0, -1 / 0.9]})
    assert "one_based_target" not in wrong_values(loss.cross_entropy([1, 2, 3], 0))  # no class before the first
    assert "logits_as_probabilities" not in wrong_values(loss.cross_entropy([0.5, 1.5], 0))


def test_cross_entropy_many_classes_sum_without_terms():
    sol = loss.cross_entropy(list(range(10)), 9)
    assert sol.steps[1].startswith("m = max(z) = 9; Σₖ exp(zₖ − m) = 1.582")
    assert sol.value["loss"] == pytest.approx(ce_by_loop(list(range(10)), 9))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: loss.cross_entropy([1, 2, 3], 3), "target: class index 3 is out of range for 3 classes (indices count from 0: 0 to 2)"),
        (lambda: loss.cross_entropy([1, 2, 3], -1), "target: must be ≥ 0, got -1"),
        (lambda: loss.cross_entropy([1, 2, 3], 1.5), "target: expected a whole number, got 1.5"),
        (lambda: loss.cross_entropy([1, 2, 3], True), "target: expected a whole number, got the bool True"),
        (lambda: loss.cross_entropy([1], 0), "logits: needs at least 2 classes (one logit per class), got 1"),
        (lambda: loss.cross_entropy(3.0, 0), "logits: expected a vector of logits (one per class), got a single number"),
        (lambda: loss.cross_entropy([[1, 2], [3, 4]], 0), "logits: expected a vector of logits (one per class), got 2 dimensions"),
        (lambda: loss.cross_entropy([1, float("nan")], 0), "logits: contains nan or inf"),
        (lambda: loss.cross_entropy([1, float("inf")], 0), "logits: contains nan or inf"),
        (lambda: loss.cross_entropy("1, 2", 0), "logits: expected a vector of logits (one per class) of numbers, got text '1, 2'"),
        (lambda: loss.cross_entropy([], 0), "logits: is empty"),
        (lambda: loss.cross_entropy([0.0] * 1001, 0), "logits: has 1,001 entries; at most 1,000 here"),
        (lambda: loss.cross_entropy([1e308, -1e308], 1), "logits: the loss overflows"),
    ],
)
def test_cross_entropy_rejects(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(message)


logit = st.floats(-10, 10, allow_nan=False)


@st.composite
def logits_and_target(draw, low=2, high=7):
    z = draw(st.lists(logit, min_size=low, max_size=high))
    return z, draw(st.integers(0, len(z) - 1))


@settings(max_examples=200, deadline=None)
@given(logits_and_target())
def test_cross_entropy_matches_a_math_exp_loop_and_finite_differences(case):
    z, t = case
    sol = loss.cross_entropy(z, t)
    assert math.isclose(sol.value["loss"], ce_by_loop(z, t), rel_tol=1e-9, abs_tol=1e-12)
    for k in range(len(z)):

        def along_k(v: float, k: int = k) -> float:
            return ce_by_loop([v if i == k else zi for i, zi in enumerate(z)], t)

        assert math.isclose(sol.value["grad"][k], central_difference(along_k, z[k]), rel_tol=1e-5, abs_tol=1e-7), k


@settings(max_examples=200, deadline=None)
@given(logits_and_target(), st.floats(-500, 500))
def test_cross_entropy_gradient_sums_to_zero_and_ignores_a_shift(case, shift):
    z, t = case
    sol = loss.cross_entropy(z, t)
    grad = sol.value["grad"]
    assert abs(grad.sum()) < 1e-12
    assert -1 <= grad[t] < 0 or (grad[t] == 0 and sol.value["loss"] < 1e-12)
    assert all(g >= 0 for k, g in enumerate(grad) if k != t)
    shifted = loss.cross_entropy([v + shift for v in z], t)
    assert math.isclose(shifted.value["loss"], sol.value["loss"], rel_tol=1e-9, abs_tol=1e-9)
    np.testing.assert_allclose(shifted.value["grad"], grad, atol=1e-9)
    assert_misconceptions_differ(sol)


# ---------------------------------------------------------------- binary cross-entropy


@pytest.mark.parametrize(
    ("kwargs", "expected_loss", "expected_grad"),
    [
        ({"p": 0.8, "y": 1}, -math.log(0.8), -0.2),  # 0.2231
        ({"p": 0.25, "y": 0}, -math.log(0.75), 0.25),  # 0.2877
        ({"p": 0.5, "y": 0.3}, math.log(2), 0.2),  # a soft label: L = −[0.3 ln 0.5 + 0.7 ln 0.5] = ln 2
        ({"logit": 0, "y": 1}, math.log(2), -0.5),
        ({"logit": 0.5, "y": 0}, 0.9740769841801067, 0.6224593312018546),  # softplus(0.5), σ(0.5)
        ({"logit": -2, "y": 1}, 2.1269280110429727, sigmoid(-2) - 1),  # softplus(2)
        ({"logit": 50, "y": 0}, 50.0, 1.0),  # finite where 1 − σ(50) rounds to 0
        ({"logit": -800, "y": 1}, 800.0, -1.0),
        ({"logit": 800, "y": 1}, 0.0, 0.0),
    ],
)
def test_binary_cross_entropy_by_hand(kwargs, expected_loss, expected_grad):
    sol = loss.binary_cross_entropy(**kwargs)
    assert sol.value["loss"] == pytest.approx(expected_loss, rel=1e-9, abs=1e-12)
    assert sol.value["grad"] == pytest.approx(expected_grad, rel=1e-9, abs=1e-12)


def test_binary_cross_entropy_steps_and_misconceptions_by_hand():
    sol = loss.binary_cross_entropy(0.8, 1)
    assert sol.steps == (
        "L = −[y·ln p + (1 − y)·ln(1 − p)] (natural log)",
        "L = −[1·ln 0.8 + 0·ln 0.2] = 0.2231",
        "the logit is z = ln(p/(1 − p)) = 1.386, p = σ(z)",
        "∂L/∂z = ∂L/∂p · σ′(z) = (p − y)/(p(1 − p)) · p(1 − p) = p − y = 0.8 − 1 = −0.2",
    )
    wrong = wrong_values(sol)
    # y = 1: dropping the (1 − y) term changes nothing, so it is not offered
    assert list(wrong) == ["grad_y_minus_p", "log_base_10", "grad_wrt_p", "extra_sigmoid_derivative"]
    assert wrong["grad_y_minus_p"]["grad"] == pytest.approx(0.2)
    assert wrong["log_base_10"]["loss"] == pytest.approx(-math.log10(0.8))
    assert wrong["grad_wrt_p"]["grad"] == pytest.approx(-0.2 / 0.16)  # −1/p = −1.25
    assert wrong["extra_sigmoid_derivative"]["grad"] == pytest.approx(-0.2 * 0.16)

    sol = loss.binary_cross_entropy(y=0, logit=0.5)
    assert sol.steps[0] == "p = σ(z) = 1/(1 + e^−z) = 1/(1 + e^(−0.5)) = 0.6225"
    assert sol.steps[2] == "L = −[0·ln 0.6225 + 1·ln 0.3775] = 0.9741"
    # y = 0: keeping only −y·ln p gives 0 loss and 0 gradient
    assert wrong_values(sol)["forgot_negative_class_term"] == {"loss": 0.0, "grad": 0.0}
    assert dict(sol.details) == {"p": pytest.approx(sigmoid(0.5)), "logit": 0.5}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"p": 0.0, "y": 0}, "p: must be strictly between 0 and 1 (ln 0 is −∞), got 0"),
        ({"p": 1.0, "y": 1}, "p: must be strictly between 0 and 1 (ln 0 is −∞), got 1"),
        ({"p": 1.2, "y": 1}, "p: must be strictly between 0 and 1"),
        ({"p": 0.5, "y": 2}, "y: must be in [0, 1] (a label 0 or 1, or a soft label), got 2"),
        ({"p": 0.5, "y": -0.1}, "y: must be in [0, 1]"),
        ({"p": 0.5}, "y: the target is required"),
        ({"y": 1}, "p: give the probability p or the logit"),
        ({"p": 0.5, "y": 1, "logit": 0.0}, "p: give either the probability p or the logit, not both"),
        ({"p": "0.5", "y": 1}, "p: expected a number, got '0.5'"),
        ({"logit": float("nan"), "y": 1}, "logit: must be a finite number, got nan"),
        ({"p": 0.5, "y": True}, "y: expected a number, got True"),
    ],
)
def test_binary_cross_entropy_rejects(kwargs, message):
    with pytest.raises(ValueError) as info:
        loss.binary_cross_entropy(**kwargs)
    assert str(info.value).startswith(message)


label = st.sampled_from([0.0, 1.0]) | st.floats(0, 1)


@settings(max_examples=300, deadline=None)
@given(st.floats(-8, 8, allow_nan=False), label)  # beyond, 1 − σ(z) in the plain formula loses the figures a difference needs
def test_binary_cross_entropy_matches_the_formula_and_finite_differences(z, y):
    sol = loss.binary_cross_entropy(y=y, logit=z)
    p = sigmoid(z)
    assert math.isclose(sol.value["loss"], bce_by_formula(p, y), rel_tol=1e-9, abs_tol=1e-9)
    numeric = central_difference(lambda v: bce_by_formula(sigmoid(v), y), z)
    assert math.isclose(sol.value["grad"], numeric, rel_tol=1e-5, abs_tol=1e-7)
    # the same example given as a probability has the same loss and logit gradient
    from_p = loss.binary_cross_entropy(p, y)
    assert math.isclose(from_p.value["loss"], sol.value["loss"], rel_tol=1e-6, abs_tol=1e-9)
    assert math.isclose(from_p.value["grad"], sol.value["grad"], rel_tol=1e-9, abs_tol=1e-12)
    assert_misconceptions_differ(sol)
    assert_misconceptions_differ(from_p)


# ---------------------------------------------------------------- mean squared error


@pytest.mark.parametrize(
    ("pred", "target", "expected_loss", "expected_grad"),
    [
        ([1, 2, 3], [1, 0, 5], 8 / 3, [0, 4 / 3, -4 / 3]),
        ([0.5, -1], [0, 1], (0.25 + 4) / 2, [0.5, -2]),
        (3, 1, 4.0, [4.0]),  # one number: L = (3 − 1)², ∂L/∂ŷ = 2·2
        ([2, 2, 2, 2], [2, 2, 2, 2], 0.0, [0, 0, 0, 0]),
    ],
)
def test_mse_by_hand(pred, target, expected_loss, expected_grad):
    sol = loss.mse(pred, target)
    assert sol.value["loss"] == pytest.approx(expected_loss)
    np.testing.assert_allclose(sol.value["grad"], expected_grad, atol=1e-12)


def test_mse_steps_and_misconceptions_by_hand():
    sol = loss.mse([1, 2, 3], [1, 0, 5])
    assert sol.steps == (
        "L = (1/n)·Σᵢ (ŷᵢ − yᵢ)², the mean over the n = 3 entries (PyTorch's MSELoss)",
        "e = ŷ − y = [0, 2, −2]",
        "L = (0² + 2² + (−2)²)/3 = 8/3 = 2.667",
        "∂L/∂ŷ = 2(ŷ − y)/3 = 2·[0, 2, −2]/3 = [0, 1.333, −1.333]",
    )
    wrong = wrong_values(sol)
    assert list(wrong) == ["half_mse", "forgot_2", "sum_instead_of_mean", "error_sign_flipped"]
    assert_dict_close(wrong["half_mse"], {"loss": 4 / 3, "grad": [0, 2 / 3, -2 / 3]})
    assert_dict_close(wrong["forgot_2"], {"loss": 8 / 3, "grad": [0, 2 / 3, -2 / 3]})
    assert_dict_close(wrong["sum_instead_of_mean"], {"loss": 8, "grad": [0, 4, -4]})
    assert_dict_close(wrong["error_sign_flipped"], {"loss": 8 / 3, "grad": [0, -4 / 3, 4 / 3]})
    # one prediction: the sum is the mean
    assert "sum_instead_of_mean" not in wrong_values(loss.mse(3, 1))


@pytest.mark.parametrize(
    ("pred", "target", "message"),
    [
        ([1, 2], [1, 2, 3], "target: has 3 entries but pred has 2; give one target per prediction"),
        ([1, 2], [[1, 2]], "target: expected a vector of targets, got 2 dimensions"),
        ([1, float("nan")], [1, 2], "pred: contains nan or inf"),
        ([], [], "pred: is empty"),
        ([1e200, 0], [-1e200, 0], "pred: the squared errors overflow"),
        ("1, 2", [1, 2], "pred: expected a vector of predictions of numbers, got text '1, 2'"),
    ],
)
def test_mse_rejects(pred, target, message):
    with pytest.raises(ValueError) as info:
        loss.mse(pred, target)
    assert str(info.value).startswith(message)


value = st.floats(-100, 100, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.tuples(st.lists(value, min_size=n, max_size=n), st.lists(value, min_size=n, max_size=n))))
def test_mse_matches_a_loop_and_finite_differences(case):
    pred, target = case
    n = len(pred)

    def mse_loop(p):
        return sum((a - b) ** 2 for a, b in zip(p, target)) / n

    sol = loss.mse(pred, target)
    assert math.isclose(sol.value["loss"], mse_loop(pred), rel_tol=1e-9, abs_tol=1e-12)
    for k in range(n):

        def along_k(v: float, k: int = k) -> float:
            return mse_loop([v if i == k else a for i, a in enumerate(pred)])

        # the loss is quadratic, so the central difference is exact up to rounding of values up to ~4e4
        assert math.isclose(sol.value["grad"][k], central_difference(along_k, pred[k], 1e-3), rel_tol=1e-6, abs_tol=1e-4), k
    assert_misconceptions_differ(sol)


# ---------------------------------------------------------------- activation derivatives


@pytest.mark.parametrize(
    ("x", "activation", "kwargs", "expected"),
    [
        (0, "sigmoid", {}, 0.25),
        (2, "sigmoid", {}, 0.10499358540350652),  # σ(2) = 0.8808, 0.8808·0.1192
        (-2, "sigmoid", {}, 0.10499358540350652),  # σ′ is even
        (40, "sigmoid", {}, math.exp(-40) / (1 + math.exp(-40)) ** 2),  # tiny but not rounded to 0
        (800, "sigmoid", {}, 0.0),
        (0, "tanh", {}, 1.0),
        (1, "tanh", {}, 1 - math.tanh(1) ** 2),  # 0.41997
        (-0.5, "tanh", {}, 1 - math.tanh(0.5) ** 2),
        (20, "tanh", {}, 4 * math.exp(-40) / (1 + math.exp(-40)) ** 2),
        (3, "relu", {}, 1.0),
        (-2, "relu", {}, 0.0),
        (0, "relu", {}, 0.0),  # PyTorch's convention at the kink
        (5, "leaky_relu", {}, 1.0),
        (-2, "leaky_relu", {}, 0.01),  # PyTorch's default negative_slope
        (-2, "leaky_relu", {"negative_slope": 0.2}, 0.2),
        (0, "leaky_relu", {"negative_slope": 0.2}, 0.2),  # PyTorch uses the slope at the kink
        (1.5, "Leaky-ReLU", {}, 1.0),
    ],
)
def test_activation_derivative_by_hand(x, activation, kwargs, expected):
    sol = loss.activation_derivative(x, activation, **kwargs)
    assert isinstance(sol.value, float)
    assert sol.value == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_activation_derivative_steps_and_misconceptions_by_hand():
    sol = loss.activation_derivative(2, "sigmoid")
    assert sol.steps == (
        "σ(x) = 1/(1 + e^−x) = 1/(1 + e^(−2)) = 0.8808",
        "σ′(x) = σ(x)·(1 − σ(x)) = 0.8808·0.1192 = 0.105",
    )
    assert wrong_values(sol) == pytest.approx(
        {"derivative_formula_on_preactivation": -2.0, "activation_not_derivative": sigmoid(2), "used_tanh_formula": 1 - sigmoid(2) ** 2}
    )

    sol = loss.activation_derivative(1, "tanh")
    assert sol.steps == ("tanh(x) = tanh(1) = 0.7616", "tanh′(x) = 1 − tanh²(x) = 1 − 0.7616² = 0.42")
    th = math.tanh(1)
    assert wrong_values(sol) == pytest.approx(
        {
            "derivative_formula_on_preactivation": 0.0,
            "tanh_forgot_square": 1 - th,
            "activation_not_derivative": th,
            "used_sigmoid_formula": th * (1 - th),
        }
    )

    sol = loss.activation_derivative(0, "relu")
    assert sol.steps[-1] == "x = 0 is the kink, so ReLU′(0) = 0"
    assert wrong_values(sol) == {"relu_one_at_zero": 1.0}  # ReLU(0) = 0 is the answer itself
    assert wrong_values(loss.activation_derivative(3, "relu")) == {"activation_not_derivative": 3.0}

    sol = loss.activation_derivative(-2, "leaky_relu", negative_slope=0.1)
    assert sol.steps == (
        "LeakyReLU(x) = x for x > 0, a·x otherwise, with a = negative_slope = 0.1",
        "LeakyReLU′(x) = 1 for x > 0 and a for x < 0; at the kink x = 0 PyTorch uses a",
        "x = −2 < 0, so LeakyReLU′(−2) = 0.1",
    )
    assert wrong_values(sol) == pytest.approx({"ignored_negative_slope": 0.0, "activation_not_derivative": -0.2})
    assert wrong_values(loss.activation_derivative(0, "leaky_relu")) == {"ignored_negative_slope": 0.0, "leaky_relu_one_at_zero": 1.0}


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((1, "elu"), {}, "activation: expected one of sigmoid, tanh, relu, leaky_relu, gelu, silu, softplus, got 'elu'"),
        ((1, 3), {}, "activation: expected one of sigmoid, tanh, relu, leaky_relu, gelu, silu, softplus, got 3"),
        ((float("inf"), "relu"), {}, "x: must be a finite number, got inf"),
        (("1", "relu"), {}, "x: expected a number, got '1'"),
        ((1, "leaky_relu"), {"negative_slope": float("nan")}, "negative_slope: must be a finite number, got nan"),
    ],
)
def test_activation_derivative_rejects(args, kwargs, message):
    with pytest.raises(ValueError) as info:
        loss.activation_derivative(*args, **kwargs)
    assert str(info.value).startswith(message)


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": math.tanh,
    "relu": lambda v: max(0.0, v),
    "leaky_relu": lambda v: v if v > 0 else 0.05 * v,
}


@settings(max_examples=300, deadline=None)
@given(st.floats(-15, 15, allow_nan=False), st.sampled_from(sorted(ACTIVATIONS)))
def test_activation_derivative_matches_finite_differences(x, activation):
    if activation in ("relu", "leaky_relu"):
        assume(abs(x) > 1e-3)  # the two-sided difference at the kink is not the derivative
    sol = loss.activation_derivative(x, activation, negative_slope=0.05)
    numeric = central_difference(ACTIVATIONS[activation], x)
    assert math.isclose(sol.value, numeric, rel_tol=1e-5, abs_tol=1e-8)
    assert_misconceptions_differ(sol)


@settings(max_examples=200, deadline=None)
@given(st.floats(-700, 700, allow_nan=False))
def test_sigmoid_and_tanh_derivatives_follow_the_textbook_formulas(x):
    s = sigmoid(x) if x > -700 else 0.0
    assert math.isclose(loss.activation_derivative(x, "sigmoid").value, s * (1 - s), rel_tol=1e-9, abs_tol=1e-15)
    assert math.isclose(loss.activation_derivative(x, "tanh").value, 1 - math.tanh(x) ** 2, rel_tol=1e-9, abs_tol=1e-15)
    assert 0 <= loss.activation_derivative(x, "sigmoid").value <= 0.25
    assert 0 <= loss.activation_derivative(x, "tanh").value <= 1


# ---------------------------------------------------------------- registry, text parameters, imports


def test_registered_with_names_parts_and_kinds():
    ce = REGISTRY["loss.cross_entropy"]
    assert ce.func is loss.cross_entropy and ce.answer == "dict" and ce.parts == ("loss", "grad")
    assert [(p.name, p.kind) for p in ce.params] == [("logits", "vector"), ("target", "int")]
    assert "counted from 0" in ce.param("target").help
    bce = REGISTRY["loss.binary_cross_entropy"]
    assert [(p.name, p.kind, p.required) for p in bce.params] == [("p", "float", False), ("y", "float", True), ("logit", "float", False)]
    assert bce.parts == ("loss", "grad")
    assert REGISTRY["loss.mse"].parts == ("loss", "grad")
    act = REGISTRY["loss.activation_derivative"]
    assert act.answer == "float" and act.param("activation").choices == ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu", "softplus")
    assert act.param("negative_slope").default == 0.01
    assert not any(spec.needs_sympy for name, spec in REGISTRY.items() if name.startswith("loss."))


def test_solves_from_registry_text_and_exports_as_json():
    sol = REGISTRY["loss.cross_entropy"].solve(logits="2, 1, 0.1", target="0")
    data = json.loads(json.dumps(sol.to_dict(), allow_nan=False))
    assert data["value"]["loss"] == pytest.approx(0.41703, abs=1e-5)
    assert data["value"]["grad"] == pytest.approx([-0.34100, 0.24243, 0.09857], abs=1e-5)
    assert REGISTRY["loss.binary_cross_entropy"].solve(logit="0", y="1").value["grad"] == -0.5
    assert REGISTRY["loss.binary_cross_entropy"].solve(p="none", logit="0", y="1").value["grad"] == -0.5
    assert REGISTRY["loss.mse"].solve(pred="3", target="1").value["loss"] == 4.0
    assert REGISTRY["loss.activation_derivative"].solve(x="0", activation="sigmoid").value == 0.25
    with pytest.raises(ValueError, match=r"^activation: expected one of sigmoid, tanh, relu, leaky_relu, gelu, silu, softplus, got 'elu'$"):
        REGISTRY["loss.activation_derivative"].solve(x="0", activation="elu")


def test_module_and_scalar_solvers_run_without_numpy():
    # The registry must import fast; the scalar solvers (BCE, activation derivatives) never need numpy.
    code = (
        "import sys, solvers, solvers.loss as L\n"
        "solvers.registry()\n"
        "assert 'numpy' not in sys.modules, 'import'\n"
        "L.binary_cross_entropy(0.8, 1); L.binary_cross_entropy(y=0, logit=2.0)\n"
        "for a in ('sigmoid', 'tanh', 'relu', 'leaky_relu'): L.activation_derivative(0.5, a)\n"
        "assert 'numpy' not in sys.modules, 'scalar solvers'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- PyTorch cross-checks (~1,000 random cases each)


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: thread hand-offs cost more than the arithmetic
    yield torch
    torch.set_num_threads(threads)


def tensor(torch, a, grad=False):
    return torch.tensor(np.asarray(a, dtype=float), dtype=torch.float64, requires_grad=grad)


@pytest.mark.torch
def test_cross_entropy_agrees_with_torch(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(11)
    for _ in range(1000):
        n = int(rng.integers(2, 11))
        z = rng.normal(size=n) * 10.0 ** rng.integers(-1, 3) + rng.choice([0.0, 500.0, -500.0])
        t = int(rng.integers(0, n))
        zt = tensor(torch, z, grad=True)
        expected = F.cross_entropy(zt[None], torch.tensor([t]))
        expected.backward()
        sol = loss.cross_entropy(z, t)
        case = (z.tolist(), t)
        assert math.isclose(sol.value["loss"], expected.item(), rel_tol=1e-9, abs_tol=1e-9), case
        np.testing.assert_allclose(sol.value["grad"], zt.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=repr(case))


@pytest.mark.torch
def test_binary_cross_entropy_agrees_with_torch(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(12)
    for i in range(1000):
        y = float(rng.choice([0.0, 1.0])) if i % 3 else float(rng.uniform(0, 1))
        z = float(rng.normal() * 10.0 ** rng.integers(-1, 2))
        case = (z, y)
        # from the logit: BCEWithLogitsLoss, any size of logit
        zt = tensor(torch, z, grad=True)
        expected = F.binary_cross_entropy_with_logits(zt, tensor(torch, y))
        expected.backward()
        sol = loss.binary_cross_entropy(y=y, logit=z)
        assert math.isclose(sol.value["loss"], expected.item(), rel_tol=1e-9, abs_tol=1e-12), case
        assert math.isclose(sol.value["grad"], zt.grad.item(), rel_tol=1e-9, abs_tol=1e-12), case
        # from the probability: BCELoss on σ(z), autograd through the sigmoid back to the logit
        if abs(z) > 30:
            continue  # σ(z) rounds to 0 or 1 and BCELoss clamps its log at −100
        zt = tensor(torch, z, grad=True)
        pt = torch.sigmoid(zt)
        expected = F.binary_cross_entropy(pt, tensor(torch, y))
        expected.backward()
        sol = loss.binary_cross_entropy(pt.item(), y)
        assert math.isclose(sol.value["loss"], expected.item(), rel_tol=1e-9, abs_tol=1e-12), case
        assert math.isclose(sol.value["grad"], zt.grad.item(), rel_tol=1e-6, abs_tol=1e-12), case


@pytest.mark.torch
def test_mse_agrees_with_torch(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(13)
    for _ in range(1000):
        n = int(rng.integers(1, 13))
        scale = 10.0 ** rng.integers(-2, 3)
        pred, target = rng.normal(size=n) * scale, rng.normal(size=n) * scale
        pt = tensor(torch, pred, grad=True)
        expected = F.mse_loss(pt, tensor(torch, target))
        expected.backward()
        sol = loss.mse(pred, target)
        case = (pred.tolist(), target.tolist())
        assert math.isclose(sol.value["loss"], expected.item(), rel_tol=1e-9, abs_tol=1e-12), case
        np.testing.assert_allclose(sol.value["grad"], pt.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=repr(case))


@pytest.mark.torch
def test_activation_derivatives_agree_with_torch_autograd(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(14)
    xs = np.concatenate([[0.0, -0.0, 1e-300, -1e-300, 40.0, -40.0], rng.normal(size=994) * 10.0 ** rng.integers(-3, 2, size=994)])
    slope = 0.01
    functions = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda v: F.leaky_relu(v, negative_slope=slope),
    }
    for x in xs:
        for name, f in functions.items():
            if name == "leaky_relu":
                slope = float(rng.choice([0.01, 0.1, 0.2, 0.3]))
            xt = tensor(torch, x, grad=True)
            f(xt).backward()
            ours = loss.activation_derivative(float(x), name, negative_slope=slope).value
            # atol: where σ or tanh saturates, torch's σ(1 − σ) rounds to 0 and ours keeps ~1e-18
            assert math.isclose(ours, xt.grad.item(), rel_tol=1e-9, abs_tol=1e-12), (x, name, slope)


# ---------------------------------------------------------------- GELU, SiLU, softplus derivatives

SQRT_2PI = math.sqrt(2 * math.pi)


@pytest.mark.parametrize(
    ("x", "activation", "expected"),
    [
        (0, "gelu", 0.5),  # Φ(0) + 0·φ(0)
        (1, "gelu", 0.8413447460685429 + 1 * math.exp(-0.5) / SQRT_2PI),  # Φ(1) from a table, + φ(1) = 0.24197
        (-1, "gelu", 0.15865525393145707 - math.exp(-0.5) / SQRT_2PI),  # negative: 0.1587 − 0.2420
        (0, "silu", 0.5),  # σ(0)·(1 + 0)
        (2, "silu", 0.8807970779778823 * (1 + 2 * 0.11920292202211755)),  # σ(2)(1 + 2σ(−2))
        (-3, "silu", 0.04742587317756678 * (1 - 3 * 0.9525741268224334)),  # negative slope below about −1.28
        (0, "softplus", 0.5),
        (3, "softplus", 0.9525741268224334),  # σ(3)
        (-40, "softplus", math.exp(-40) / (1 + math.exp(-40))),  # tiny, not rounded to 0
        (25, "softplus", 1.0),  # above PyTorch's threshold 20 softplus is x itself
    ],
)
def test_smooth_activation_derivatives_by_hand(x, activation, expected):
    assert loss.activation_derivative(x, activation).value == pytest.approx(expected, rel=1e-12)


def test_smooth_activation_steps_and_misconceptions_by_hand():
    sol = loss.activation_derivative(1, "gelu")
    assert sol.steps[-1] == "GELU′(1) = 0.8413 + 1·0.242 = 1.083"
    # at x = 1, GELU(1) = 1·Φ(1) is the same number as Φ(1): named once, as the product-rule slip
    assert wrong_values(sol) == pytest.approx({"forgot_product_rule": 0.8413447460685429, "used_relu_slope": 1.0})
    gelu = wrong_values(loss.activation_derivative(2, "gelu"))
    assert gelu["activation_not_derivative"] == pytest.approx(2 * 0.9772498680518208)  # 2·Φ(2)
    silu = wrong_values(loss.activation_derivative(2, "silu"))
    assert silu["forgot_product_rule"] == pytest.approx(0.8807970779778823)
    assert silu["sigmoid_derivative_instead"] == pytest.approx(0.8807970779778823 * 0.11920292202211755)
    soft = wrong_values(loss.activation_derivative(0, "softplus"))
    assert soft["activation_not_derivative"] == pytest.approx(math.log(2))
    assert soft["differentiated_twice"] == pytest.approx(0.25)


def _smooth(activation: str, x: float) -> float:
    """The activations themselves, written independently of the solver (math.erf, math.exp, math.log)."""
    if activation == "gelu":
        return x * 0.5 * (1 + math.erf(x / math.sqrt(2)))
    if activation == "silu":
        return x / (1 + math.exp(-x))
    return x if x > 20 else math.log1p(math.exp(x))  # PyTorch's Softplus threshold


@given(st.sampled_from(["gelu", "silu", "softplus"]), st.floats(min_value=-8, max_value=8, allow_nan=False))
def test_smooth_activation_derivative_is_the_slope_of_a_centred_difference(activation, x):
    h = 1e-5
    slope = (_smooth(activation, x + h) - _smooth(activation, x - h)) / (2 * h)
    assert loss.activation_derivative(x, activation).value == pytest.approx(slope, rel=1e-6, abs=1e-8)


@given(st.sampled_from(["gelu", "silu", "softplus"]), st.floats(min_value=-8, max_value=8, allow_nan=False))
def test_smooth_activation_misconceptions_never_equal_the_answer(activation, x):
    sol = loss.activation_derivative(x, activation)
    for m in sol.misconceptions:
        assert m.value != sol.value


@pytest.mark.torch
def test_smooth_activation_derivatives_agree_with_torch_autograd(torch):
    F = torch.nn.functional
    functions = {"gelu": F.gelu, "silu": F.silu, "softplus": F.softplus}  # PyTorch's defaults: exact GELU, β = 1
    rng = np.random.default_rng(13)
    for i in range(1000):
        activation = ("gelu", "silu", "softplus")[i % 3]
        x = float(rng.normal() * 10.0 ** rng.integers(-1, 2))
        xt = tensor(torch, x, grad=True)
        functions[activation](xt).backward()
        case = (activation, x)
        assert math.isclose(loss.activation_derivative(x, activation).value, xt.grad.item(), rel_tol=1e-9, abs_tol=1e-12), case


# ---------------------------------------------------------------- cross-entropy with label smoothing


def test_cross_entropy_smoothed_by_hand():
    # z = [0, 0]: p = [½, ½]; ε = 0.2 over K = 2: q = [0.8 + 0.1, 0.1] = [0.9, 0.1]
    sol = loss.cross_entropy_smoothed([0, 0], 0, 0.2)
    assert sol.value["loss"] == pytest.approx(math.log(2))  # −(0.9 + 0.1)·ln ½
    np.testing.assert_allclose(sol.value["grad"], [0.5 - 0.9, 0.5 - 0.1])
    wrong = wrong_values(sol)
    np.testing.assert_allclose(wrong["ignored_smoothing"]["grad"], [-0.5, 0.5])
    # ε over the K − 1 = 1 other class: q = [0.8, 0.2]
    np.testing.assert_allclose(wrong["smoothing_over_other_classes"]["grad"], [-0.3, 0.3])
    # z = [ln 3, 0, 0], t = 0, ε = 0.3: p = [0.6, 0.2, 0.2], q = [0.8, 0.1, 0.1]
    sol = loss.cross_entropy_smoothed([math.log(3), 0, 0], 0, 0.3)
    expected = -(0.8 * math.log(0.6) + 0.2 * math.log(0.2))
    assert sol.value["loss"] == pytest.approx(expected)
    np.testing.assert_allclose(sol.value["grad"], [-0.2, 0.1, 0.1], atol=1e-12)


@given(st.lists(st.floats(-6, 6, allow_nan=False), min_size=2, max_size=6), st.data())
def test_cross_entropy_smoothed_without_smoothing_is_cross_entropy(z, data):
    t = data.draw(st.integers(0, len(z) - 1))
    plain = loss.cross_entropy(z, t).value
    smoothed = loss.cross_entropy_smoothed(z, t, 0.0).value
    assert smoothed["loss"] == pytest.approx(plain["loss"], rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(smoothed["grad"], plain["grad"], atol=1e-12)
    # and with smoothing the gradient still sums to 0: both p and q are distributions
    eps = data.draw(st.floats(0, 0.9))
    assert sum(loss.cross_entropy_smoothed(z, t, eps).value["grad"]) == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("eps", [-0.1, 1.0, 2])
def test_cross_entropy_smoothed_rejects_a_smoothing_outside_0_to_1(eps):
    with pytest.raises(ValueError, match=r"^label_smoothing: must be in \[0, 1\)"):
        loss.cross_entropy_smoothed([0, 1], 0, eps)


@pytest.mark.torch
def test_cross_entropy_smoothed_agrees_with_torch(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(14)
    for _ in range(1000):
        n = int(rng.integers(2, 9))
        z = rng.normal(size=n) * 10.0 ** rng.integers(-1, 2)
        t = int(rng.integers(0, n))
        eps = float(rng.choice([0.0, 0.05, 0.1, 0.2, rng.uniform(0, 0.99)]))
        zt = tensor(torch, z, grad=True)
        expected = F.cross_entropy(zt[None], torch.tensor([t]), label_smoothing=eps)
        expected.backward()
        sol = loss.cross_entropy_smoothed(z, t, eps)
        case = (z.tolist(), t, eps)
        assert math.isclose(sol.value["loss"], expected.item(), rel_tol=1e-9, abs_tol=1e-12), case
        np.testing.assert_allclose(sol.value["grad"], zt.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=repr(case))


# ---------------------------------------------------------------- distillation with temperature


def test_distillation_by_hand():
    # T = 1, teacher [ln 3, 0] -> p_t = [¾, ¼]; student [0, 0] -> p_s = [½, ½]
    sol = loss.distillation([0, 0], [math.log(3), 0], 1)
    kl = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.5)
    assert sol.value["loss"] == pytest.approx(kl)
    np.testing.assert_allclose(sol.value["grad"], [0.5 - 0.75, 0.5 - 0.25])
    # T = 2 on logits twice as large gives the same distributions: the loss is 4 times, the gradient twice
    hot = loss.distillation([0, 0], [2 * math.log(3), 0], 2)
    assert hot.value["loss"] == pytest.approx(4 * kl)
    np.testing.assert_allclose(hot.value["grad"], [2 * -0.25, 2 * 0.25])
    wrong = wrong_values(hot)
    assert wrong["forgot_t_squared"]["loss"] == pytest.approx(kl)
    assert wrong["t_not_t_squared"]["loss"] == pytest.approx(2 * kl)
    reverse = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    assert wrong["kl_reversed"]["loss"] == pytest.approx(4 * reverse)


@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=2, max_size=5), st.floats(0.5, 5))
def test_distillation_of_a_student_that_copies_the_teacher_is_zero(z, temperature):
    sol = loss.distillation(z, z, temperature)
    assert sol.value["loss"] == pytest.approx(0, abs=1e-12)
    np.testing.assert_allclose(sol.value["grad"], 0, atol=1e-12)


@pytest.mark.torch
def test_distillation_agrees_with_torch(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(15)
    for _ in range(1000):
        n = int(rng.integers(2, 8))
        s, t = rng.normal(size=n) * 3, rng.normal(size=n) * 3
        temp = float(rng.choice([1.0, 2.0, 4.0, rng.uniform(0.5, 8)]))
        st_ = tensor(torch, s, grad=True)
        expected = temp**2 * F.kl_div(F.log_softmax(st_[None] / temp, dim=1), F.softmax(tensor(torch, t)[None] / temp, dim=1), reduction="batchmean")
        expected.backward()
        sol = loss.distillation(s, t, temp)
        case = (s.tolist(), t.tolist(), temp)
        assert math.isclose(sol.value["loss"], expected.item(), rel_tol=1e-9, abs_tol=1e-12), case
        np.testing.assert_allclose(sol.value["grad"], st_.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=repr(case))
