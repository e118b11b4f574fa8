"""Regression tests for the problems an adversarial review of the solvers found (each failed before its fix)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from solvers import attention, conv, gradient, init, linear
from solvers._core import Misconception, check_int, distinct, fmt


def misc(solution, name):
    return next((m for m in solution.misconceptions if m.name == name), None)


def all_finite(value) -> bool:
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, (tuple, list)):
        return all(all_finite(v) for v in value)
    return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))


# ---------------------------------------------------------------- shared checks


def test_whole_numbers_beyond_any_layer_size_are_refused_with_the_parameter_name():
    # 10**400 used to reach math.sqrt (OverflowError) or str() of a 9000-digit product
    # ("Exceeds the limit (4300 digits) for integer string conversion").
    assert check_int("size", 10**12) == 10**12
    with pytest.raises(ValueError, match=r"^size: must be ≤ 10¹², got 10000000000000$"):
        check_int("size", 10**13)
    with pytest.raises(ValueError, match=r"^size: must be ≤ 10¹², got a 31-digit number$"):
        check_int("size", 10**30)
    with pytest.raises(ValueError, match=r"^size: must be ≥ 1, got a negative number of more than 4,000 digits$"):
        check_int("size", -(10**5000), minimum=1)
    with pytest.raises(ValueError, match="^size: must be ≤ 10¹², got a 401-digit number$"):
        check_int("size", 10**400)
    with pytest.raises(ValueError, match=r"^size: must be ≤ 10¹²"):
        conv.output_size(10**300, 3)
    with pytest.raises(ValueError, match=r"^c_in: must be ≤ 10¹²"):
        conv.param_count(10**2000, 10**2000, 3)
    with pytest.raises(ValueError, match=r"^n_in: must be ≤ 10¹²"):
        linear.param_count(10**2000, 10**2000)
    with pytest.raises(ValueError, match=r"^d_model: must be ≤ 10¹²"):
        attention.multi_head_param_count(10**2000, 1)
    for solver in (init.he_std, init.he_uniform_bound, init.lecun_std, init.default_uniform_bound):
        with pytest.raises(ValueError, match=r"^fan_in: must be ≤ 10¹²"):
            solver(10**400)
    with pytest.raises(ValueError, match=r"^fan_in: must be ≤ 10¹²"):
        init.xavier_std(10**400, 10)


def test_distinct_drops_wrong_answers_that_are_not_finite():
    # Nobody answers ∞; an overflowing wrong path must not become a "typical wrong answer".
    kept = distinct(1.0, [Misconception("a", math.inf, ""), Misconception("b", (1.0, math.nan), ""), Misconception("c", 2.0, "")])
    assert [m.name for m in kept] == ["c"]


# ---------------------------------------------------------------- conv


def test_pool_rounded_up_is_not_claimed_to_be_ceil_mode():
    # PyTorch's ceil_mode drops a last window that would start in the right padding:
    # MaxPool2d(2, padding=1, ceil_mode=True) on 5 pixels gives 3, not ⌈(5 + 2 − 2)/2⌉ + 1 = 4.
    sol = conv.pool_output_size(5, 2, padding=1)
    assert sol.value == 3
    rounded = misc(sol, "rounded_up")
    assert rounded.value == 4
    assert "that is ceil_mode=True" not in rounded.explanation
    assert "floor" in rounded.explanation


def test_receptive_field_that_outgrows_any_input_is_refused_with_the_parameter_name():
    # 2000 layers of stride 10,000: the jump has 8000 digits and used to fail in str().
    with pytest.raises(ValueError, match=r"^layers: .*layer 26"):
        conv.receptive_field([(3, 10_000)] * 2000)
    assert conv.receptive_field([(3, 2)] * 300).value == 1 + 2 * (2**300 - 1)


# ---------------------------------------------------------------- init


def test_init_fans_of_many_dimensions_are_refused_with_the_parameter_name():
    with pytest.raises(ValueError, match=r"^shape: "):
        init.fans([1000] * 2000)


def test_huge_leaky_slope_and_gain_give_an_answer_or_a_clean_refusal():
    # a**2 and gain**2 used to raise OverflowError.
    for solver in (init.he_std, init.he_uniform_bound):
        sol = solver(10, 1e200)
        assert 0 < sol.value < 1e-190
        assert all(all_finite(m.value) for m in sol.misconceptions)
    sol = init.xavier_std(10, 10, 1e300)
    assert sol.value == pytest.approx(1e300 * math.sqrt(2 / 20))
    assert all(all_finite(m.value) for m in sol.misconceptions)
    with pytest.raises(ValueError, match=r"^gain: "):
        init.xavier_uniform_bound(1, 1, 1.7e308)


@pytest.mark.parametrize("slope", [0.01, 0.1, 0.2, 0.3, 0.5, -0.2])
@pytest.mark.parametrize("fan_in", [3, 27, 256, 1000])
def test_he_gain_shown_in_the_steps_reproduces_the_shown_answer(slope, fan_in):
    # The gain used to be shown to 5 figures (1.3868) and then used exactly, so dividing the
    # shown gain by √fan_in gave a different last digit (1.3868/16 = 0.086675, shown 0.086672).
    for solver, pattern, combine in (
        (init.he_std, r"^std = ([0-9.]+) / √(\d+) = ([0-9.e−]+)$", lambda g, n: g / math.sqrt(n)),
        (init.he_uniform_bound, r"^bound = ([0-9.]+)·√\(3/(\d+)\) = ([0-9.e−]+)$", lambda g, n: g * math.sqrt(3 / n)),
    ):
        sol = solver(fan_in, slope)
        match = re.match(pattern, sol.steps[-1])
        assert match, sol.steps[-1]
        gain, n, shown = float(match[1]), int(match[2]), match[3]
        assert fmt(sol.value) == shown
        # The shown answer must be a rounding (to its 5 figures) of the shown gain's result.
        shown_value = float(shown.replace("−", "-"))
        half_unit = 0.5 * 10 ** (math.floor(math.log10(abs(shown_value))) - 4)
        assert abs(combine(gain, n) - shown_value) <= half_unit * (1 + 1e-6), sol.steps


# ---------------------------------------------------------------- linear


def test_linear_forward_shows_the_inputs_as_given():
    sol = linear.forward([[0.333333333, 1]], [3, 1])
    assert "y₁ = 0.333333333·3 + 1·1 = 2" in sol.steps
    assert sol.steps[0].endswith("so y has 1 entry")


# ---------------------------------------------------------------- attention


def test_softmax_of_extreme_scores_does_not_warn():
    # −1e308 − 1e308 overflows to −∞ (weight 0, which is right) but used to emit a RuntimeWarning.
    assert attention.softmax([1e308, -1e308]).value.tolist() == [1.0, 0.0]
    sol = attention.softmax([[1e308, -1e308], [0.0, 1.0]], axis=0)
    assert sol.value[:, 0].tolist() == [1.0, 0.0]


def test_softmax_shows_the_temperature_as_given():
    sol = attention.softmax([1, 2, 3], temperature=0.123456)
    assert sol.steps[0].startswith("divide by the temperature: z = x / 0.123456 = ")


def test_attention_refuses_score_matrices_too_large_to_show():
    q = np.ones((101, 2))
    k = np.ones((100, 2))
    with pytest.raises(ValueError, match=r"^q: .*101×100 scores"):
        attention.scaled_dot_product(q, k, k)
    with pytest.raises(ValueError, match=r"^x: .*101×101 scores"):
        attention.self_attention(q, np.eye(2), np.eye(2), np.eye(2))
    assert attention.scaled_dot_product(q[:100], k, k).value[1].shape == (100, 100)


# ---------------------------------------------------------------- gradient


def test_descend_names_the_start_when_f_overflows_there():
    with pytest.raises(ValueError, match=r"^start: f is too large to compute at w = 1e308"):
        gradient.descend("(w - 3)**2", 1e308, 0.1, 3)


def test_descend_shows_lr_and_momentum_as_given():
    sol = gradient.descend("(w - 3)**2", 0, 0.123456, 2, momentum=0.87654)
    assert "update (PyTorch's SGD, v₀ = 0): v ← 0.87654·v + f′(w), w ← w − 0.123456·v" in sol.steps
    assert "step 1: f′(0) = 2·(0 − 3) = −6; v = 0.87654·0 + (−6) = −6; w = 0 − 0.123456·(−6) = 0.740736" in sol.steps


def test_descend_refuses_formulas_too_long_to_differentiate_quickly():
    # Differentiation was steeply super-linear (a 32-fold quotient took 0.3 s, a 100-fold one minutes);
    # memoised simplification made it near-linear, so the limit is now 200 parts.
    with pytest.raises(ValueError, match=r"^f: has 201 numbers, variables and operations; at most 200 here"):
        gradient.descend("/".join(["x"] * 101), 1.0, 0.01, 1)
    # x/x/…/x with n factors is x^(2 − n): f′(1) = 2 − n, so one step from 1 lands on 1 + lr·(n − 2).
    assert gradient.descend("/".join(["x"] * 32), 1.0, 0.1, 1).value == pytest.approx(4.0)
    assert gradient.descend("/".join(["x"] * 100), 1.0, 0.01, 1).value == pytest.approx(1.98)  # 199 parts
    assert gradient.descend("(x - 1)**2 + 2*(y + 3)**2 + 0.5*x*y", [0, 0], 0.01, 10_000).value is not None


def test_descend_counts_a_part_the_gradient_repeats_once():
    # σ′ = σ(x)·(1 − σ(x)) shows 7 parts but computes σ(x) once: ·, σ, x, −, 1.
    from solvers import expr

    derivative = expr.differentiate(expr.parse("sigmoid(x)"), "x")
    assert expr.to_text(derivative) == "sigmoid(x)·(1 − sigmoid(x))"
    assert gradient._parts(derivative) == 5
    assert gradient._parts(expr.parse("sigmoid(x)*(1 - sigmoid(x))")) == 7  # written out, nothing shared


def test_descend_refuses_more_steps_than_it_evaluates_at_once():
    # 110 terms of (x − 1)² for 10,000 steps took 13 s (24 s with momentum) before formulas were
    # compiled once; steps × parts is now budgeted to about 0.4 s.
    f = " + ".join(f"sin({i}*x)*cos(y)*exp(-x**2-y**2)" for i in range(1, 5))
    with pytest.raises(ValueError, match=r"^steps: .*at most [\d,]+ steps") as refused:
        gradient.descend(f, [0.5, 0.5], 1e-3, 10_000, momentum=0.9)
    allowed = int(re.search(r"at most ([\d,]+) steps", str(refused.value))[1].replace(",", ""))
    assert gradient.descend(f, [0.5, 0.5], 1e-3, allowed, momentum=0.9).value is not None  # the limit it names holds
    with pytest.raises(ValueError, match=r"^steps: "):
        gradient.descend(f, [0.5, 0.5], 1e-3, allowed + 1, momentum=0.9)
    # Fewer steps than the limit always work (the wrong paths are left out when they would not fit).
    nested = "sin(x*" * 20 + "x" + ")" * 20
    with pytest.raises(ValueError, match=r"^steps: ") as refused:
        gradient.descend(nested, 0.3, 1e-3, 10_000, momentum=0.9)
    allowed = int(re.search(r"at most ([\d,]+) steps", str(refused.value))[1].replace(",", ""))
    assert 1_000 < allowed < 10_000
    for steps in (1, 300, 1_000, allowed):
        gradient.descend(nested, 0.3, 1e-3, steps, momentum=0.9)
    # Plain quadratics, and the formula that used to hit the limit, keep the full 10,000 steps.
    sol = gradient.descend("x**2 + 3*y**2", [1, 2], 0.1, 10_000, momentum=0.99)
    assert abs(sol.value[0]) < 1e-6 and abs(sol.value[1]) < 1e-6
    assert gradient.descend("sin(x)*cos(y)*exp(-x**2-y**2) + x**4", [0.5, 0.5], 1e-3, 10_000, momentum=0.9).value is not None


def test_backprop_overflowing_preactivation_is_refused_not_warned():
    args = dict(y=[1.0], w1=[[1e200, 0.2], [0.3, 0.4]], b1=[0, 0], w2=[[1, 1]], b2=[0])
    with pytest.raises(ValueError, match=r"^x: the forward pass overflows"):
        gradient.backprop(x=[1e200, 2], **args)
    # Large but finite: the answer stands, and the misconception that squares z₁ must not warn.
    sol = gradient.backprop(x=[1.0, 2], **args)
    assert all_finite(sol.value)


def test_backprop_has_no_negative_zero():
    sol = gradient.backprop(
        x=[1, -2], y=[1, 0], w1=[[0.5, 0.25], [-0.3, 0.4]], b1=[0, 0.1], w2=[[1, -1], [0.5, 2]], b2=[0, 0],
        activation="relu", loss="bce",
    )
    assert sol.value["w1"].tolist() == [[0.0, 0.0], [0.0, 0.0]]  # relu′(0) = 0 stops every path
    for name, grad in sol.value.items():
        assert not np.signbit(grad[grad == 0]).any(), name
    for m in sol.misconceptions:
        for grad in m.value.values():
            assert not np.signbit(grad[grad == 0]).any(), m.name


@pytest.mark.parametrize("curvature", [5e-324, 1e308])
def test_max_stable_lr_refuses_curvatures_outside_float_range(curvature):
    # 5e-324 gave the answer ∞; 1e308 showed "2·1e308 = ∞" in the steps.
    with pytest.raises(ValueError, match=r"^curvature: "):
        gradient.max_stable_lr(curvature)


def test_max_stable_lr_near_the_float_limits_has_finite_answers_only():
    sol = gradient.max_stable_lr(1e-308)  # 2/a overflows: that wrong answer is dropped, not shown as ∞
    assert sol.value == pytest.approx(1e308)
    assert all(math.isfinite(m.value) for m in sol.misconceptions)
    assert "∞" not in "".join(sol.steps)
