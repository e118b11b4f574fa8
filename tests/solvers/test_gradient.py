"""Tests for solvers.gradient: hand-worked descents and backprops, validation, properties against plain loops."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from solvers import gradient
from solvers._core import REGISTRY


def misc(solution, name):
    """The value of the named misconception, or None when the solver did not offer it."""
    for m in solution.misconceptions:
        if m.name == name:
            return m.value
    return None


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


# ---------------------------------------------------------------- descend, by hand


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        # f′(w) = 2(w − 3); from 0: w = 0 − 0.1·(−6) = 0.6, then 0.6 − 0.1·(−4.8) = 1.08
        (("(w - 3)**2", 0, 0.1, 1), {}, 0.6),
        (("(w - 3)**2", 0, 0.1, 2), {}, 1.08),
        # momentum 0.9: v₁ = −6, w₁ = 0.6; v₂ = 0.9·(−6) − 4.8 = −10.2, w₂ = 0.6 + 1.02 = 1.62
        (("(w - 3)**2", 0, 0.1, 2), {"momentum": 0.9}, 1.62),
        # v₃ = 0.9·(−10.2) + 2(1.62 − 3) = −11.94, w₃ = 1.62 + 1.194 = 2.814
        (("(w - 3)**2", 0, 0.1, 3), {"momentum": 0.9}, 2.814),
        # α = 1/(2a) lands on the minimum in one step; α = 1/a bounces 0 → 6 → 0 → 6
        (("(w - 3)^2", 0, 0.5, 1), {}, 3.0),
        (("(w - 3)^2", 0, 1.0, 3), {}, 6.0),
        (("3*(w + 1)^2", 1, 0.1, 1), {}, 1 - 0.1 * 12),
        # ∇f = (2x, 6y): (1, 2) − 0.1·(2, 12) = (0.8, 0.8); then (0.8, 0.8) − 0.1·(1.6, 4.8) = (0.64, 0.32)
        (("x**2 + 3*y**2", [1, 2], 0.1, 1), {}, (0.8, 0.8)),
        (("x**2 + 3*y**2", [1, 2], 0.1, 2), {}, (0.64, 0.32)),
        (("x^2 + 3y^2", (1, 2), 0.1, 2), {}, (0.64, 0.32)),
        # order of first appearance: y before x
        (("3*y**2 + x**2", [1, 1], 0.1, 1), {}, (0.4, 0.8)),
        (("3*y**2 + x**2", [1, 1], 0.1, 1), {"variables": ["x", "y"]}, (0.8, 0.4)),
        (("3*y**2 + x**2", [1, 1], 0.1, 1), {"variables": "x, y"}, (0.8, 0.4)),
        # a listed variable that f does not use stays where it is
        (("x**2", [1, 5], 0.1, 1), {"variables": ["x", "y"]}, (0.8, 5.0)),
        # a single start value in a list is fine for one variable
        (("(w - 3)**2", [0], 0.1, 1), {}, 0.6),
        # e is the constant: f′ = 2e·w
        (("e*w^2", 1, 0.1, 1), {}, 1 - 0.2 * math.e),
    ],
)
def test_descend_by_hand(args, kwargs, expected):
    value = gradient.descend(*args, **kwargs).value
    if isinstance(expected, tuple):
        assert isinstance(value, tuple) and len(value) == len(expected)
        for v, e in zip(value, expected):
            assert math.isclose(v, e, rel_tol=1e-12, abs_tol=1e-12)
    else:
        assert isinstance(value, float)
        assert math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-12)


def test_descend_steps_and_details_by_hand():
    sol = gradient.descend("(w - 3)**2", 0, 0.1, 2, momentum=0.9)
    assert sol.steps == (
        "f(w) = (w − 3)²",
        "f′(w) = 2·(w − 3)",
        "update (PyTorch's SGD, v₀ = 0): v ← 0.9·v + f′(w), w ← w − 0.1·v",
        "step 1: f′(0) = 2·(0 − 3) = −6; v = 0.9·0 + (−6) = −6; w = 0 − 0.1·(−6) = 0.6",
        "step 2: f′(0.6) = 2·(0.6 − 3) = −4.8; v = 0.9·(−6) + (−4.8) = −10.2; w = 0.6 − 0.1·(−10.2) = 1.62",
        "after 2 steps: w = 1.62, f = 1.9044",
    )
    details = dict(sol.details)
    np.testing.assert_allclose(details["trajectory"], [0.0, 0.6, 1.62])
    assert details["gradient"] == "2·(w − 3)"
    assert details["variables"] == ("w",)
    assert math.isclose(details["f_value"], (1.62 - 3) ** 2)

    sol = gradient.descend("x**2 + 3*y**2", [1, 2], 0.1, 1)
    assert sol.steps == (
        "f(x, y) = x² + 3·y²",
        "∂f/∂x = 2·x",
        "∂f/∂y = 6·y",
        "update: (x, y) ← (x, y) − 0.1·∇f",
        "step 1: ∇f(1, 2) = (2·1, 6·2) = (2, 12); (x, y) = (1, 2) − 0.1·(2, 12) = (0.8, 0.8)",
        "after 1 step: (x, y) = (0.8, 0.8), f = 2.56",
    )
    assert dict(sol.details)["gradient"] == "(2·x, 6·y)"
    assert dict(sol.details)["trajectory"][0] == (1.0, 2.0)


def test_descend_misconceptions_by_hand():
    sol = gradient.descend("(w - 3)**2", 0, 0.1, 2, momentum=0.9)
    # ascent: v₁ = −6, w₁ = −0.6; g₂ = 2(−3.6) = −7.2, v₂ = −5.4 − 7.2 = −12.6, w₂ = −0.6 − 1.26 = −1.86
    assert math.isclose(misc(sol, "gradient_ascent"), -1.86)
    assert math.isclose(misc(sol, "forgot_momentum"), 1.08)
    # EMA: v₁ = 0.1·(−6) = −0.6, w₁ = 0.06; v₂ = 0.9·(−0.6) + 0.1·(−5.88) = −1.128, w₂ = 0.1728
    assert math.isclose(misc(sol, "momentum_ema"), 0.1728)
    # descent: w₁ = 0.6; g₂ = −4.8, v₂ = −10.2, w₂ = 1.62; g₃ = −2.76, v₃ = −11.94, w₃ = 2.814
    assert math.isclose(misc(sol, "one_step_short"), 0.6)
    assert math.isclose(misc(sol, "one_step_extra"), 2.814)
    short, extra = (next(m for m in sol.misconceptions if m.name == n).explanation for n in ("one_step_short", "one_step_extra"))
    assert "1 step instead of 2" in short and "3 steps instead of 2" in extra

    plain = gradient.descend("(w - 3)**2", 0, 0.1, 1)
    assert math.isclose(misc(plain, "gradient_ascent"), -0.6)
    assert misc(plain, "forgot_momentum") is None and misc(plain, "momentum_ema") is None
    # one step: one fewer is the start itself, which nobody computes; one more is 1.08
    assert misc(plain, "one_step_short") is None
    assert misc(plain, "one_step_extra") == pytest.approx(1.08)


def test_descend_shows_at_most_twelve_step_lines_but_keeps_the_value_exact():
    sol = gradient.descend("(w - 3)**2", 0, 0.1, 100)
    step_lines = [line for line in sol.steps if line.startswith("step ")]
    assert len(step_lines) == 11
    assert step_lines[-1].startswith("step 100: ")
    assert "… steps 11 to 99 the same way …" in sol.steps
    # closed form: w_k − 3 = (1 − 2·0.1)^k·(0 − 3)
    assert math.isclose(sol.value, 3 - 3 * 0.8**100, rel_tol=1e-12)
    assert len(dict(sol.details)["trajectory"]) == 101


def test_descend_takes_ten_thousand_steps():
    sol = gradient.descend("(w - 3)**2 + (v + 1)**2", [0, 0], 1e-4, 10_000)
    factor = (1 - 2e-4) ** 10_000
    assert math.isclose(sol.value[0], 3 - 3 * factor, rel_tol=1e-9)
    assert math.isclose(sol.value[1], -1 + factor, rel_tol=1e-9)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("(w - 3", 0, 0.1, 1), {}, "^f: missing '\\)' at position 7$"),
        (("__import__('os')", 0, 0.1, 1), {}, "^f: "),
        (("w.real", 0, 0.1, 1), {}, "^f: unexpected character '.'"),
        (("5", 0, 0.1, 1), {}, "^f: '5' has no variable to descend on$"),
        ((3, 0, 0.1, 1), {}, "^f: expected a formula such as \\(w - 3\\)\\*\\*2, got 3$"),
        (("w < 3", 0, 0.1, 1), {}, "^f: w < 3 is a condition, not a function to minimise$"),
        (("not w", 0, 0.1, 1), {}, "^f: not w is a condition"),
        (("x + z", [0, 0], 0.1, 1), {"variables": ["x", "y"]}, "^f: unknown name 'z' at position 5$"),
        (("log(w)", -1, 0.1, 1), {}, "^f: f is not defined at −1 \\(the start\\): log of a number that is not positive$"),
        # from 1 with lr 0.5: w = 1 − 0.5·(1/1 + 2·1) = −0.5, outside the domain of ln
        (("log(w) + w^2", 1, 0.5, 3), {}, "^f: f is not defined at −0.5 \\(step 1\\): "),
        (("sqrt(w)", 0, 0.1, 1), {}, "^f: the gradient is not defined at 0 \\(step 1\\): division by zero$"),
        (("x**2 + y**2", 1, 0.1, 1), {}, "^start: f has 2 variables \\(x, y\\); give one start value for each, e.g. \\[1, 2\\]$"),
        (("x**2 + y**2", [1, 2, 3], 0.1, 1), {}, "^start: has 3 values but f has 2 variables \\(x, y\\)$"),
        (("w**2", [1, 2], 0.1, 1), {}, "^start: has 2 values but f has 1 variable \\(w\\)$"),
        (("w**2", float("nan"), 0.1, 1), {}, "^start: must be a finite number, got nan$"),
        (("w**2", 1, 0, 1), {}, "^lr: must be > 0, got 0$"),
        (("w**2", 1, -0.1, 1), {}, "^lr: must be > 0"),
        (("w**2", 1, 0.1, 0), {}, "^steps: must be ≥ 1, got 0$"),
        (("w**2", 1, 0.1, 10_001), {}, "^steps: at most 10,000, got 10,001$"),
        (("w**2", 1, 0.1, 2.5), {}, "^steps: expected a whole number, got 2.5$"),
        (("w**2", 1, 0.1, 1), {"momentum": 1.0}, "^momentum: must be in \\[0, 1\\), got 1$"),
        (("w**2", 1, 0.1, 1), {"momentum": -0.5}, "^momentum: must be in \\[0, 1\\), got −0.5$"),
        (("w**2", 1, 0.1, 1), {"variables": ["pi"]}, "^variables: 'pi' is a constant, not a variable$"),
        (("w**2", 1, 0.1, 1), {"variables": ["exp"]}, "^variables: 'exp' is a function name$"),
        (("w**2", 1, 0.1, 1), {"variables": ["w", "w"]}, "^variables: w given more than once$"),
        (("w**2", 1, 0.1, 1), {"variables": ["__class__"]}, "^variables: '__class__' is not a variable name$"),
        (("w**2", 1, 0.1, 1), {"variables": 5}, "^variables: expected a list of names"),
        # |1 − 2·1.5| = 2: the distance doubles every step until it overflows
        (("(w - 3)**2", 0, 1.5, 2000), {}, "^lr: the iterates diverge \\(w = .* at step \\d+\\); lr = 1.5 is too large here"),
        (("w**3", -1, 0.1, 100), {}, "^lr: the iterates diverge .*, or f has no minimum$"),
    ],
)
def test_descend_rejects(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        gradient.descend(*args, **kwargs)


# ---------------------------------------------------------------- descend, properties against plain loops

coefficient = st.floats(0.1, 3)
centre = st.floats(-3, 3)


def finite_difference_gradient(func, point, eps=1e-6):
    grad = []
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += eps
        down[i] -= eps
        grad.append((func(up) - func(down)) / (2 * eps))
    return grad


def descend_loop(func, start, lr, steps, momentum):
    """PyTorch's SGD written out: v ← βv + g (v₀ = 0), w ← w − αv, with finite-difference gradients."""
    point, v = list(start), [0.0] * len(start)
    for _ in range(steps):
        g = finite_difference_gradient(func, point)
        v = [momentum * vi + gi for vi, gi in zip(v, g)]
        point = [w - lr * vi for w, vi in zip(point, v)]
    return point


@settings(max_examples=80)
@given(
    st.tuples(coefficient, coefficient, st.floats(-0.5, 0.5), centre, centre),
    st.tuples(centre, centre),
    st.floats(0.01, 0.2),
    st.integers(1, 15),
    st.sampled_from([0.0, 0.5, 0.9]),
)
def test_descend_matches_a_loop_with_finite_difference_gradients(coefs, start, lr, steps, momentum):
    a, b, k, c, d = coefs
    text = f"{a!r}*(x - ({c!r}))**2 + {b!r}*(y - ({d!r}))**2 + {k!r}*x*y + sin(x)"

    def func(p):
        x, y = p
        return a * (x - c) ** 2 + b * (y - d) ** 2 + k * x * y + math.sin(x)

    sol = gradient.descend(text, list(start), lr, steps, momentum=momentum)
    expected = descend_loop(func, start, lr, steps, momentum)
    for got, want in zip(sol.value, expected):
        assert math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-6)
    assert len(dict(sol.details)["trajectory"]) == steps + 1


@given(coefficient, centre, centre, st.floats(0.01, 1.0), st.integers(1, 40))
def test_one_dimensional_quadratic_contracts_by_one_minus_two_a_alpha(a, c, w0, fraction, steps):
    lr = fraction / a  # inside the stable range 0 < α < 1/a
    sol = gradient.descend(f"{a!r}*(w - ({c!r}))^2", w0, lr, steps)
    assert math.isclose(sol.value, c + (1 - 2 * a * lr) ** steps * (w0 - c), rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=40)
@given(coefficient, centre, st.floats(0.5, 3))
def test_descend_converges_below_and_diverges_above_the_stable_rate(a, c, distance):
    bound = gradient.max_stable_lr(a).value
    f = f"{a!r}*(w - ({c!r}))^2"
    assert abs(gradient.descend(f, c + distance, 0.9 * bound, 400).value - c) < 1e-6 * distance
    with pytest.raises(ValueError, match="^lr: the iterates diverge"):
        gradient.descend(f, c + distance, 1.1 * bound, 10_000)


@settings(max_examples=60)
@given(st.tuples(coefficient, centre), st.floats(-3, 3), st.floats(0.01, 0.3), st.integers(1, 12), st.sampled_from([0.0, 0.3, 0.9]))
def test_descend_misconceptions_differ_from_the_answer_and_keep_its_structure(coefs, w0, lr, steps, momentum):
    a, c = coefs
    sol = gradient.descend(f"{a!r}*(w - ({c!r}))^2 + 0.1*sin(w)", w0, lr / (a + 0.1), steps, momentum=momentum)
    for m in sol.misconceptions:
        assert isinstance(m.value, float)
        assert not math.isclose(m.value, sol.value, rel_tol=1e-9, abs_tol=1e-12), m.name


# ---------------------------------------------------------------- backprop, by hand


def assert_grads(grads, expected):
    assert set(grads) == {"w1", "b1", "w2", "b2"}
    for name, value in expected.items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-12, atol=1e-15, err_msg=name)


def test_backprop_sigmoid_mse_by_hand():
    # z₁ = 0, h = σ(0) = 0.5, ŷ = 2·0.5 = 1, L = (1 − 0)² = 1, δ₂ = 2(ŷ − y) = 2,
    # σ′(0) = 0.25, δ₁ = 2·2·0.25 = 1
    sol = gradient.backprop([1.0], [0.0], [[0.0]], [0.0], [[2.0]], [0.0])
    assert_grads(sol.value, {"w2": [[1.0]], "b2": [2.0], "w1": [[1.0]], "b1": [1.0]})
    details = dict(sol.details)
    assert details["loss"] == 1.0
    np.testing.assert_allclose(details["h"], [0.5])
    np.testing.assert_allclose(details["y_hat"], [1.0])
    np.testing.assert_allclose(details["delta_output"], [2.0])
    np.testing.assert_allclose(details["delta_hidden"], [1.0])
    assert sol.steps[:3] == ("z₁ = W₁x + b₁ = [0]", "h = σ(z₁) = [0.5]", "z₂ = W₂h + b₂ = [1]")
    assert "δ₂ = ∂L/∂z₂ = 2(ŷ − y) = [2]" in sol.steps
    assert "δ₁ = (W₂ᵀδ₂) ⊙ σ′(z₁) = [4] ⊙ [0.25] = [1]" in sol.steps
    assert sol.steps[-1] == "∂L/∂b₁ = δ₁ = [1]"
    assert_grads(misc(sol, "forgot_activation_derivative"), {"w1": [[4.0]], "b1": [4.0], "w2": [[1.0]], "b2": [2.0]})
    assert_grads(misc(sol, "half_mse"), {"w1": [[0.5]], "b1": [0.5], "w2": [[0.5]], "b2": [1.0]})
    # z(1 − z) at z = 0 is 0 instead of σ′(0) = 0.25
    assert_grads(misc(sol, "derivative_formula_on_preactivation"), {"w1": [[0.0]], "b1": [0.0]})
    assert_grads(misc(sol, "error_sign_flipped"), {"w1": [[-1.0]], "b1": [-1.0], "w2": [[-1.0]], "b2": [-2.0]})
    assert misc(sol, "sum_instead_of_mean") is None  # one output: sum and mean agree
    # without W₂ = 2 the hidden δ is 2·0.25 = 0.5, not 1; the output layer's gradients do not change
    assert_grads(misc(sol, "dropped_w2"), {"w1": [[0.5]], "b1": [0.5], "w2": [[1.0]], "b2": [2.0]})


def test_backprop_tanh_mse_by_hand():
    # z₁ = 0.5·2 = 1, h = tanh 1, ŷ = h, δ₂ = 2(tanh 1 − 1), δ₁ = δ₂·(1 − tanh²1)
    sol = gradient.backprop([2.0], 1.0, [[0.5]], [0.0], [[1.0]], 0.0, activation="tanh")
    h = math.tanh(1)
    d2 = 2 * (h - 1)
    d1 = d2 * (1 - h * h)
    assert_grads(sol.value, {"w2": [[d2 * h]], "b2": [d2], "w1": [[d1 * 2]], "b1": [d1]})
    assert math.isclose(dict(sol.details)["loss"], (h - 1) ** 2)
    # 1 − z² at z = 1 is 0
    assert_grads(misc(sol, "derivative_formula_on_preactivation"), {"w1": [[0.0]], "b1": [0.0]})


def test_backprop_relu_bce_by_hand():
    # z₁ = 1, h = 1, z₂ = 1 − 1 = 0, ŷ = 0.5, L = ln 2, δ₂ = ŷ − y = −0.5, δ₁ = 1·(−0.5)·relu′(1) = −0.5
    sol = gradient.backprop([1.0], [1.0], [[1.0]], [0.0], [[1.0]], [-1.0], activation="relu", loss="bce")
    assert_grads(sol.value, {"w2": [[-0.5]], "b2": [-0.5], "w1": [[-0.5]], "b1": [-0.5]})
    assert math.isclose(dict(sol.details)["loss"], math.log(2))
    assert "δ₂ = ∂L/∂z₂ = (ŷ − y) = [−0.5] (the σ′ of the output cancels against the loss)" in sol.steps
    # multiplying by σ′(0) = 0.25 once more
    assert_grads(misc(sol, "extra_sigmoid_derivative"), {"w2": [[-0.125]], "b2": [-0.125], "w1": [[-0.125]]})
    assert misc(sol, "half_mse") is None
    assert misc(sol, "derivative_formula_on_preactivation") is None  # relu′ is the same read from z or h


def test_backprop_two_outputs_mse_by_hand():
    # h = relu(1) = 1, ŷ = [1, 2], y = 0: L = (1 + 4)/2 = 2.5, δ₂ = 2·[1, 2]/2 = [1, 2], δ₁ = 1·1 + 2·2 = 5
    sol = gradient.backprop([1.0], [0.0, 0.0], [[1.0]], [0.0], [[1.0], [2.0]], [0.0, 0.0], activation="relu")
    assert_grads(sol.value, {"w2": [[1.0], [2.0]], "b2": [1.0, 2.0], "w1": [[5.0]], "b1": [5.0]})
    assert dict(sol.details)["loss"] == 2.5
    assert "δ₂ = ∂L/∂z₂ = 2(ŷ − y)/2 = [1, 2]" in sol.steps
    assert_grads(misc(sol, "sum_instead_of_mean"), {"w2": [[2.0], [4.0]], "b2": [2.0, 4.0], "w1": [[10.0]], "b1": [10.0]})


def test_backprop_relu_derivative_at_zero_is_zero():
    sol = gradient.backprop([1.0], [0.0], [[0.0]], [0.0], [[3.0]], [1.0], activation="relu")
    assert_grads(sol.value, {"w1": [[0.0]], "b1": [0.0], "w2": [[0.0]], "b2": [2.0]})


def test_backprop_large_logits_stay_finite():
    sol = gradient.backprop([1.0], [0.0], [[1.0]], [0.0], [[800.0]], [0.0], loss="bce")
    # z₂ = 800σ(1) ≈ 584.9: ŷ rounds to 1, yet L = softplus(z₂) − 0 = z₂ exactly enough
    assert math.isclose(dict(sol.details)["loss"], 800 * sigmoid(1), rel_tol=1e-12)
    np.testing.assert_allclose(sol.value["b2"], [1.0])


NET = {"x": [1.0, 2.0], "y": [1.0], "w1": [[0.1, 0.2], [0.3, -0.4]], "b1": [0.0, 0.1], "w2": [[0.5, -0.6]], "b2": [0.2]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x": [1.0, 2.0, 3.0]}, "^w1: has 2 columns but x has 3 entries; W₁ is hidden×n_in$"),
        ({"b1": [0.0]}, "^b1: has 1 entry but W₁ has 2 rows \\(hidden units\\)$"),
        ({"w2": [[0.5, -0.6, 1.0]]}, "^w2: has 3 columns but there are 2 hidden units; W₂ is n_out×hidden$"),
        ({"w1": [[0.1, 0.2]], "b1": [0.0]}, "^w2: has 2 columns but there is 1 hidden unit; W₂ is n_out×hidden$"),
        ({"b2": [0.2, 0.1]}, "^b2: has 2 entries but W₂ has 1 row \\(outputs\\)$"),
        ({"y": [1.0, 0.0]}, "^y: has 2 entries but the network has 1 output$"),
        ({"w1": [0.1, 0.2]}, "^w1: expected a matrix \\(hidden×n_in\\), got 1 dimension$"),
        ({"w1": [[0.1, 0.2], [0.3]]}, "^w1: expected a matrix \\(hidden×n_in\\) of numbers with rows of equal length$"),
        ({"x": [1.0, float("nan")]}, "^x: contains nan or inf$"),
        ({"x": []}, "^x: is empty$"),
        ({"x": "1, 2"}, "^x: expected a vector of numbers, got text"),
        ({"activation": "gelu"}, "^activation: expected one of sigmoid, tanh, relu, got 'gelu'$"),
        ({"loss": "cross_entropy"}, "^loss: expected one of mse, bce, got 'cross_entropy'$"),
        ({"loss": "bce", "y": [2.0]}, "^y: binary cross-entropy needs targets in \\[0, 1\\], got \\[2\\]$"),
        ({"w1": [[1e200, 1e200], [0, 0]], "x": [1e200, 1e200], "activation": "relu"}, "^x: the forward pass overflows"),
    ],
)
def test_backprop_rejects(change, message):
    with pytest.raises(ValueError, match=message):
        gradient.backprop(**{**NET, **change})


# ---------------------------------------------------------------- backprop, properties against finite differences


def loss_of(x, y, w1, b1, w2, b2, activation, loss):
    """The loss computed entry by entry in plain Python, independent of the solver."""
    act = {"sigmoid": sigmoid, "tanh": math.tanh, "relu": lambda z: max(z, 0.0)}[activation]
    h = [act(math.fsum(w * xi for w, xi in zip(row, x)) + b) for row, b in zip(w1, b1)]
    z2 = [math.fsum(w * hi for w, hi in zip(row, h)) + b for row, b in zip(w2, b2)]
    if loss == "mse":
        return math.fsum((z - t) ** 2 for z, t in zip(z2, y)) / len(y)
    # log σ(z) = −softplus(−z) and log(1 − σ(z)) = −softplus(z): log(1 − σ(z)) loses digits for large z.
    return math.fsum(t * softplus(-z) + (1 - t) * softplus(z) for z, t in zip(z2, y)) / len(y)


def softplus(z):
    """log(1 + eᶻ), computed without overflow or cancellation."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


weights = st.floats(-2, 2, allow_nan=False, allow_infinity=False)


@st.composite
def nets(draw):
    n_in, n_hidden, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))

    def vec(n):
        return draw(st.lists(weights, min_size=n, max_size=n))

    def mat(rows, cols):
        return [vec(cols) for _ in range(rows)]

    activation = draw(st.sampled_from(["sigmoid", "tanh", "relu"]))
    loss = draw(st.sampled_from(["mse", "bce"]))
    y = vec(n_out) if loss == "mse" else draw(st.lists(st.floats(0, 1), min_size=n_out, max_size=n_out))
    return vec(n_in), y, mat(n_hidden, n_in), vec(n_hidden), mat(n_out, n_hidden), vec(n_out), activation, loss


@settings(max_examples=150)
@given(nets())
def test_backprop_matches_central_differences_for_every_weight_and_bias(net):
    x, y, w1, b1, w2, b2, activation, loss = net
    if activation == "relu":  # keep away from the kink, where the two-sided difference is not the derivative
        z1 = np.asarray(w1) @ np.asarray(x) + np.asarray(b1)
        assume(np.all(np.abs(z1) > 1e-3))
    sol = gradient.backprop(x, y, w1, b1, w2, b2, activation=activation, loss=loss)
    params = {"w1": np.array(w1), "b1": np.array(b1), "w2": np.array(w2), "b2": np.array(b2)}
    eps = 1e-6
    for name, arr in params.items():
        assert sol.value[name].shape == arr.shape
        for index in np.ndindex(arr.shape):
            plus, minus = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in params.items()}
            plus[name][index] += eps
            minus[name][index] -= eps
            numeric = (
                loss_of(x, y, *(plus[k].tolist() for k in ("w1", "b1", "w2", "b2")), activation, loss)
                - loss_of(x, y, *(minus[k].tolist() for k in ("w1", "b1", "w2", "b2")), activation, loss)
            ) / (2 * eps)
            assert math.isclose(sol.value[name][index], numeric, rel_tol=1e-5, abs_tol=1e-7), (name, index)
    assert math.isclose(dict(sol.details)["loss"], loss_of(x, y, w1, b1, w2, b2, activation, loss), rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=60)
@given(nets())
def test_backprop_misconceptions_keep_the_dict_structure_and_differ(net):
    sol = gradient.backprop(*net[:6], activation=net[6], loss=net[7])
    for m in sol.misconceptions:
        assert set(m.value) == set(sol.value)
        assert all(m.value[k].shape == sol.value[k].shape for k in sol.value)
        assert not all(np.allclose(m.value[k], sol.value[k], rtol=1e-9, atol=1e-12) for k in sol.value), m.name


# ---------------------------------------------------------------- largest stable learning rate


@pytest.mark.parametrize(("a", "expected"), [(1, 1.0), (2, 0.5), (0.25, 4.0), (5, 0.2)])
def test_max_stable_lr_by_hand(a, expected):
    sol = gradient.max_stable_lr(a)
    assert math.isclose(sol.value, expected)
    assert math.isclose(misc(sol, "optimal_lr_confused"), expected / 2)
    assert math.isclose(misc(sol, "two_over_a"), 2 * expected)
    assert math.isclose(dict(sol.details)["optimal_lr"], expected / 2)


def test_max_stable_lr_steps_by_hand():
    steps = gradient.max_stable_lr(2).steps
    # every symbol is defined before it is used: a is named in the first step
    assert steps[0] == "f(w) = a·(w − c)² with a = 2 and c the minimum (where it lies does not matter)"
    assert steps[2] == "one step: w − c ← (w − c) − α·4·(w − c) = (1 − 4α)·(w − c)"
    assert steps[3] == "converges iff |1 − 4α| < 1 ⟺ 0 < α < 2/4 = 1/2 = 0.5"


@pytest.mark.parametrize(
    ("a", "message"),
    [(0, "^curvature: must be > 0, got 0$"), (-1, "^curvature: must be > 0"), ("steep", "^curvature: expected a number")],
)
def test_max_stable_lr_rejects(a, message):
    with pytest.raises(ValueError, match=message):
        gradient.max_stable_lr(a)


@given(st.floats(0.05, 20), st.floats(-5, 5), st.floats(0.5, 5))
def test_max_stable_lr_separates_converging_from_diverging_loops(a, c, distance):
    bound = gradient.max_stable_lr(a).value

    def run(lr):
        w = c + distance
        for _ in range(400):
            w -= lr * 2 * a * (w - c)  # f′(w) = 2a(w − c)
        return abs(w - c)

    assert run(0.95 * bound) < distance * 1e-3
    assert run(1.05 * bound) > distance * 1e3


# ---------------------------------------------------------------- registry and export


def test_registered_with_the_agreed_names_and_parts():
    spec = REGISTRY["gradient.descend"]
    assert spec.func is gradient.descend and not spec.needs_sympy
    assert [(p.name, p.kind) for p in spec.params] == [
        ("f", "formula"),
        ("start", "point"),
        ("lr", "float"),
        ("steps", "int"),
        ("momentum", "float"),
        ("variables", "str"),
    ]
    spec = REGISTRY["gradient.backprop"]
    assert spec.func is gradient.backprop and spec.answer == "dict"
    assert spec.parts == ("w1", "b1", "w2", "b2")
    assert spec.param("activation").choices == ("sigmoid", "tanh", "relu")
    assert spec.param("loss").choices == ("mse", "bce")
    assert [spec.param(n).kind for n in ("x", "y", "w1", "b1", "w2", "b2")] == ["vector", "vector", "matrix", "vector", "matrix", "vector"]
    assert REGISTRY["gradient.max_stable_lr"].param("curvature").kind == "float"


def test_backprop_solves_from_registry_text_and_exports_as_json():
    sol = REGISTRY["gradient.backprop"].solve(x="1", y="0", w1="[[0]]", b1="0", w2="[[2]]", b2="0", activation="sigmoid")
    assert_grads(sol.value, {"w2": [[1.0]], "b2": [2.0], "w1": [[1.0]], "b1": [1.0]})
    data = json.loads(json.dumps(sol.to_dict(), allow_nan=False))
    assert data["value"] == {"w1": [[1.0]], "b1": [1.0], "w2": [[1.0]], "b2": [2.0]}
    assert data["details"]["loss"] == 1.0


def test_descend_solves_from_registry_text():
    spec = REGISTRY["gradient.descend"]
    assert math.isclose(spec.solve(f="(w - 3)**2", start="0", lr="0.1", steps="1").value, 0.6)
    value = spec.solve(f="x**2 + 3*y**2", start="1, 2", lr="0.1", steps="2", variables="none").value
    assert value == pytest.approx((0.64, 0.32))
    value = spec.solve(f="3*y**2 + x**2", start=[1, 1], lr=0.1, steps=1, variables="x, y").value
    assert value == pytest.approx((0.8, 0.4))
    data = json.loads(json.dumps(spec.solve(f="(w - 3)**2", start=0, lr=0.1, steps=2, momentum=0.9).to_dict(), allow_nan=False))
    assert data["details"]["trajectory"] == pytest.approx([0.0, 0.6, 1.62])
    assert data["details"]["gradient"] == "2·(w − 3)"
