"""Tests for solvers.optim: hand-worked optimiser steps and schedules, properties against closed forms and loops."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import solvers
from solvers import optim


def misc(solution, name):
    """The value of the named misconception, or None when the solver did not offer it."""
    return next((m.value for m in solution.misconceptions if m.name == name), None)


# ---------------------------------------------------------------- by hand


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"w0": 1, "grads": [0.5], "lr": 0.1}, 0.95),
        # weight decay adds λw: g = 0.5 + 0.1·1 = 0.6
        ({"w0": 1, "grads": [0.5], "lr": 0.1, "weight_decay": 0.1}, 0.94),
        # b₁ = 1, w = 0.9; b₂ = 0.9·1 + 1 = 1.9, w = 0.9 − 0.19
        ({"w0": 1, "grads": [1, 1], "lr": 0.1, "momentum": 0.9}, 0.71),
        # Nesterov: d₁ = 1 + 0.9·1 = 1.9, w = 0.81; b₂ = 1.9, d₂ = 1 + 0.9·1.9 = 2.71, w = 0.81 − 0.271
        ({"w0": 1, "grads": [1, 1], "lr": 0.1, "momentum": 0.9, "nesterov": True}, 0.539),
        # momentum and decay: g₁ = 2 + 0.5·2 = 3, b = 3, w = 2 − 0.3 = 1.7; g₂ = 0 + 0.85 = 0.85, b = 1.5 + 0.85, w = 1.7 − 0.235
        ({"w0": 2, "grads": [2, 0], "lr": 0.1, "momentum": 0.5, "weight_decay": 0.5}, 1.465),
    ],
)
def test_sgd_by_hand(kwargs, expected):
    assert optim.sgd(**kwargs).value == pytest.approx(expected, rel=1e-12)


def test_sgd_misconceptions_by_hand():
    sol = optim.sgd(1, [1, 1], 0.1, momentum=0.9, weight_decay=0.1)
    # forgot decay: plain momentum 0.71; EMA momentum without decay would be 1 − 0.01 − 0.019 (with decay it differs)
    assert misc(sol, "forgot_weight_decay") == pytest.approx(0.71)
    # no momentum: g₁ = 1.1, w = 0.89; g₂ = 1.089, w = 0.7811
    assert misc(sol, "forgot_momentum") == pytest.approx(0.7811)
    # 2λ: g₁ = 1.2, w = 0.88; b₂ = 1.08 + 1 + 0.176 = 2.256, w = 0.6544
    assert misc(sol, "l2_gradient_doubled") == pytest.approx(0.6544)
    assert misc(sol, "one_step_short") == pytest.approx(0.89)


@pytest.mark.parametrize(
    ("func", "kwargs", "expected"),
    [
        # first step: m̂ = g, v̂ = g², the step is lr·g/(|g| + ε)
        (optim.adam, {"w0": 1, "grads": [0.5], "lr": 0.1}, 1 - 0.1 * 0.5 / (0.5 + 1e-8)),
        # second step g = −1: m = 0.09 − 0.1 = −0.01, m̂ = −0.01/0.19; v = 0.001999, v̂ = 1
        (optim.adam, {"w0": 1, "grads": [1, -1], "lr": 0.1}, 1 - 0.1 / (1 + 1e-8) + 0.1 * (0.01 / 0.19) / (1 + 1e-8)),
        # Adam + L2: g = 0.5 + 0.1 = 0.6, the normalised step is still lr: the decay does not show on step 1
        (optim.adam, {"w0": 1, "grads": [0.5], "lr": 0.1, "weight_decay": 0.1}, 1 - 0.1 * 0.6 / (0.6 + 1e-8)),
        # AdamW: w·(1 − 0.1·0.1) = 0.99, then − 0.1
        (optim.adamw, {"w0": 1, "grads": [0.5], "lr": 0.1, "weight_decay": 0.1}, 0.99 - 0.1 * 0.5 / (0.5 + 1e-8)),
        # RMSprop: v = 0.01·0.25 = 0.0025, √v = 0.05, step = 0.01·0.5/0.05 = 0.1 (ten times lr)
        (optim.rmsprop, {"w0": 1, "grads": [0.5], "lr": 0.01}, 1 - 0.01 * 0.5 / (0.05 + 1e-8)),
        # RMSprop, second step g = 0.5 again: v = 0.99·0.0025 + 0.0025 = 0.004975
        (optim.rmsprop, {"w0": 1, "grads": [0.5, 0.5], "lr": 0.01}, 1 - 0.005 / (0.05 + 1e-8) - 0.005 / (math.sqrt(0.004975) + 1e-8)),
    ],
)
def test_adaptive_by_hand(func, kwargs, expected):
    assert func(**kwargs).value == pytest.approx(expected, rel=1e-12)


def test_adam_misconceptions_by_hand():
    sol = optim.adam(1, [0.5], lr=0.1)
    # without correction: m = 0.05, v = 0.00025, step = 0.1·0.05/0.0158114 = 0.316228
    assert misc(sol, "no_bias_correction") == pytest.approx(1 - 0.1 * 0.05 / (math.sqrt(0.00025) + 1e-8))
    assert misc(sol, "forgot_sqrt") == pytest.approx(1 - 0.1 * 0.5 / (0.25 + 1e-8))
    small = optim.adam(0, [1e-4], lr=1)  # v̂ = 1e-8 = ε: the root of 2e-8 against 1e-4 + 1e-8
    assert misc(small, "eps_inside_sqrt") == pytest.approx(-1e-4 / math.sqrt(2e-8))
    w = optim.adamw(1, [0.5], lr=0.1, weight_decay=0.1)
    assert misc(w, "used_adam_l2") == pytest.approx(optim.adam(1, [0.5], lr=0.1, weight_decay=0.1).value)
    assert misc(w, "decay_without_lr") == pytest.approx(0.9 - 0.1 * 0.5 / (0.5 + 1e-8))


def test_rmsprop_misconceptions_by_hand():
    sol = optim.rmsprop(1, [0.5], lr=0.01)
    assert misc(sol, "bias_corrected") == pytest.approx(1 - 0.01 * 0.5 / (0.5 + 1e-8))
    # α = 0.9: v = 0.025, √v = 0.158114
    assert misc(sol, "alpha_0_9") == pytest.approx(1 - 0.005 / (math.sqrt(0.025) + 1e-8))


@pytest.mark.parametrize(
    ("t", "expected"), [(0, 0.1), (29, 0.1), (30, 0.01), (59, 0.01), (60, 0.001), (65, 0.001), (90, 0.0001)]
)
def test_step_lr_by_hand(t, expected):
    assert optim.step_lr(0.1, t, 30).value == pytest.approx(expected, rel=1e-12)


def test_step_lr_misconceptions():
    sol = optim.step_lr(0.1, 45, 30, gamma=0.5)
    assert sol.value == pytest.approx(0.05)
    assert misc(sol, "no_floor") == pytest.approx(0.1 * 0.5**1.5)
    assert misc(sol, "one_decay_too_many") == pytest.approx(0.025)
    assert misc(sol, "ceil_instead_of_floor") is None  # the same value as one_decay_too_many: named once


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0.1, 0, 100), 0.1),
        ((0.1, 50, 100), 0.05),
        ((0.1, 100, 100, 0.001), 0.001),
        ((1.0, 25, 100), 0.5 * (1 + math.sqrt(0.5))),
        ((1.0, 75, 100), 0.5 * (1 - math.sqrt(0.5))),
        ((0.2, 50, 100, 0.02), 0.11),
    ],
)
def test_cosine_lr_by_hand(args, expected):
    assert optim.cosine_lr(*args).value == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"step": 0}, 0.0),
        ({"step": 50}, 5e-4),
        ({"step": 100}, 1e-3),
        ({"step": 550}, 5e-4),
        ({"step": 1000}, 0.0),
        ({"step": 0, "start_factor": 0.1}, 1e-4),
        ({"step": 50, "start_factor": 0.1}, 5.5e-4),
        ({"step": 550, "min_lr": 1e-4}, 5.5e-4),
    ],
)
def test_warmup_cosine_by_hand(kwargs, expected):
    value = optim.warmup_cosine_lr(1e-3, warmup=100, total=1000, **kwargs).value
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-18)


def test_warmup_cosine_misconceptions():
    sol = optim.warmup_cosine_lr(1e-3, 550, 100, 1000)
    assert misc(sol, "cosine_from_zero") == pytest.approx(1e-3 * 0.5 * (1 + math.cos(math.pi * 0.55)))
    assert misc(sol, "forgot_half") == pytest.approx(1e-3)
    # (550 − 100)/1000 = 0.45 instead of 450/900 = 0.5: ½(1 + cos 0.45π) = 0.5782 of the peak
    assert misc(sol, "cosine_over_total") == pytest.approx(1e-3 * 0.5 * (1 + math.cos(math.pi * 0.45)))
    early = optim.warmup_cosine_lr(1e-3, 20, 100, 1000)
    assert misc(early, "warmup_off_by_one") == pytest.approx(2.1e-4)
    assert misc(early, "no_warmup") == pytest.approx(1e-3)


# ---------------------------------------------------------------- validation and registry


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: optim.sgd(1, [1], 0), "lr: must be > 0"),
        (lambda: optim.sgd(1, [1], 0.1, momentum=1), "momentum: must be in [0, 1)"),
        (lambda: optim.sgd(1, [1], 0.1, nesterov=True), "nesterov: needs momentum"),
        (lambda: optim.sgd(1, [], 0.1), "grads: is empty"),
        (lambda: optim.sgd(1, [[1, 2]], 0.1), "grads: expected a vector"),
        (lambda: optim.sgd(1, [1] * 1001, 0.1), "grads: at most 1,000"),
        (lambda: optim.adam(1, [1], weight_decay=-1), "weight_decay: must be ≥ 0"),
        (lambda: optim.adam(1, [1], eps=0), "eps: must be > 0"),
        (lambda: optim.rmsprop(1, [1], alpha=1.5), "alpha: must be in [0, 1)"),
        (lambda: optim.step_lr(0.1, -1, 10), "step: must be ≥ 0"),
        (lambda: optim.step_lr(0.1, 1, 10, gamma=1.5), "gamma: a decay factor must be < 1"),
        (lambda: optim.cosine_lr(0.1, 101, 100), "step: at most t_max"),
        (lambda: optim.cosine_lr(0.1, 1, 100, eta_min=0.2), "eta_min: must be below"),
        (lambda: optim.warmup_cosine_lr(0.1, 1, 100, 100), "total: must be greater than warmup"),
        (lambda: optim.warmup_cosine_lr(0.1, 1, 10, 100, start_factor=1), "start_factor: must be in [0, 1)"),
        (lambda: optim.sgd(1e300, [1e300], 1e10), "lr: the iterates leave the float range"),
    ],
)
def test_refusals_name_the_parameter(call, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace(")", r"\)").replace("(", r"\(")):
        call()


def test_registered_and_solvable_from_text():
    spec = solvers.get("optim.adamw")
    assert spec.solve(w0="1", grads="0.5", lr="0.1", weight_decay="0.1").value == pytest.approx(optim.adamw(1, [0.5], 0.1, weight_decay=0.1).value)
    assert {"optim.sgd", "optim.adam", "optim.adamw", "optim.rmsprop", "optim.step_lr", "optim.cosine_lr", "optim.warmup_cosine_lr"} <= set(solvers.names())


def test_long_runs_elide_the_middle_steps():
    sol = optim.sgd(0, [1.0] * 50, 0.01)
    assert any(line.startswith("… (") for line in sol.steps)
    assert sol.steps[-1].startswith("step 50:")


# ---------------------------------------------------------------- properties

finite = st.floats(-10, 10, allow_nan=False).filter(lambda g: abs(g) > 1e-3)
grads_st = st.lists(finite, min_size=1, max_size=8)
rate = st.floats(1e-4, 0.5)
coef = st.floats(0, 0.99)


@settings(max_examples=200, deadline=None)
@given(st.floats(-5, 5), grads_st, rate, coef)
def test_sgd_momentum_matches_the_unrolled_sum(w0, gs, lr, mu):
    """Without decay, b_t = Σ_{k≤t} μ^{t−k} g_k, so w_T = w0 − lr·Σ_t b_t."""
    expected = w0 - lr * sum(sum(mu ** (t - k) * gs[k] for k in range(t + 1)) for t in range(len(gs)))
    sol = optim.sgd(w0, gs, lr, momentum=mu)
    assert sol.value == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert all(not math.isclose(m.value, sol.value, rel_tol=1e-9, abs_tol=1e-12) for m in sol.misconceptions)


@settings(max_examples=200, deadline=None)
@given(st.floats(-5, 5), finite, st.integers(1, 8), rate, st.floats(0, 0.99), st.floats(0, 0.9999))
def test_adam_under_a_constant_gradient_steps_lr_every_time(w0, g, n, lr, b1, b2):
    """With a constant gradient m̂ = g and v̂ = g² exactly, so every step is lr·g/(|g| + ε)."""
    sol = optim.adam(w0, [g] * n, lr, beta1=b1, beta2=b2)
    assert sol.value == pytest.approx(w0 - n * lr * g / (abs(g) + 1e-8), rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.floats(-5, 5), grads_st, rate, st.floats(1.5, 100))
def test_adam_ignores_the_scale_of_the_gradients(w0, gs, lr, scale):
    """m̂/√v̂ is unchanged when every gradient is multiplied by a positive constant (ε aside)."""
    a = optim.adam(w0, gs, lr, eps=1e-12).value
    b = optim.adam(w0, [g * scale for g in gs], lr, eps=1e-12).value
    assert a == pytest.approx(b, rel=1e-6, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.floats(-5, 5), grads_st, rate, st.floats(0.01, 0.5))
def test_adamw_decay_is_independent_of_the_gradient_scale_but_adam_l2_is_not(w0, gs, lr, wd):
    """AdamW's first step moves w by exactly lr·λ·w beyond Adam's; Adam + L2 folds λw into a normalised step."""
    w1 = optim.adamw(w0, gs[:1], lr, weight_decay=wd, eps=1e-12).value
    plain = optim.adam(w0, gs[:1], lr, eps=1e-12).value
    assert w1 == pytest.approx(plain - lr * wd * w0, rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.floats(-5, 5), finite, st.integers(1, 8), rate, st.floats(0.5, 0.999))
def test_rmsprop_under_a_constant_gradient(w0, g, n, lr, alpha):
    """v_t = (1 − αᵗ)g², so step t is lr·g/(|g|·√(1 − αᵗ) + ε)."""
    expected = w0 - sum(lr * g / (abs(g) * math.sqrt(1 - alpha**t) + 1e-8) for t in range(1, n + 1))
    assert optim.rmsprop(w0, [g] * n, lr, alpha=alpha).value == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(st.floats(1e-4, 1), st.integers(0, 400), st.integers(1, 50), st.floats(0.05, 0.95))
def test_step_lr_matches_a_loop(base, t, size, gamma):
    lr = base
    for epoch in range(1, t + 1):
        if epoch % size == 0:
            lr *= gamma
    assert optim.step_lr(base, t, size, gamma).value == pytest.approx(lr, rel=1e-9)


@settings(max_examples=300, deadline=None)
@given(st.floats(1e-3, 1), st.integers(1, 500), st.data())
def test_cosine_is_symmetric_and_falls(base, t_max, data):
    low = data.draw(st.floats(0, base / 2))
    t = data.draw(st.integers(0, t_max))
    now = optim.cosine_lr(base, t, t_max, low).value
    assert now + optim.cosine_lr(base, t_max - t, t_max, low).value == pytest.approx(base + low, rel=1e-9)
    if t < t_max:
        assert optim.cosine_lr(base, t + 1, t_max, low).value < now
    assert low - 1e-15 <= now <= base + 1e-15


@settings(max_examples=300, deadline=None)
@given(st.floats(1e-4, 1), st.integers(1, 200), st.integers(1, 800), st.floats(0, 0.9), st.data())
def test_warmup_cosine_rises_then_falls(base, warmup, extra, s, data):
    total = warmup + extra
    low = data.draw(st.floats(0, base / 2))
    lr = [optim.warmup_cosine_lr(base, t, warmup, total, s, low).value for t in range(total + 1)]
    assert lr[0] == pytest.approx(s * base)
    assert lr[warmup] == pytest.approx(base) and max(lr) == pytest.approx(base)
    assert lr[total] == pytest.approx(low, abs=1e-12)
    assume(s < 0.9 or warmup > 1)
    assert all(a < b for a, b in itertools.pairwise(lr[: warmup + 1]))
    assert all(a >= b - 1e-15 for a, b in itertools.pairwise(lr[warmup:]))


def test_adam_first_step_is_about_lr_only_when_the_gradient_dwarfs_eps():
    # g = 0.5 ≫ ε: the step is α·0.5/(0.5 + 1e-8) ≈ α; g = 0.001 with ε = 1e-5: α·0.001/0.00101 = 0.0990099·(α = 0.1)
    big = optim.adam(3.0, [0.5], lr=0.1)
    assert big.value == pytest.approx(2.9) and "≈ α·sign(g)" in big.steps[-1]
    small = optim.adam(3.0, [0.001], lr=0.1, eps=1e-5)
    assert small.value == pytest.approx(3 - 0.1 * 0.001 / 0.00101)
    assert "ε shrinks it" in small.steps[-1] and "0.0990099" in small.steps[-1]
    # ε under the root: α·0.001/√(1e-6 + 1e-5) = 0.0301511, a different answer at 4 decimals
    assert misc(small, "eps_inside_sqrt") == pytest.approx(3 - 0.1 * 0.001 / math.sqrt(1.1e-5))
