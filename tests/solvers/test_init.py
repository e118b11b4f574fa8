"""Tests for solvers.init: fans against numpy weight arrays, scales against hand values and sampled weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers import init
from solvers._core import same_value

SAMPLES = 200_000
# The sample std of n normal draws has relative standard error ≈ 1/√(2n) ≈ 0.16 %; 1 % is ~6σ.
STD_TOL = 0.01


def wrong_values(solution) -> dict:
    return {m.name: m.value for m in solution.misconceptions}


# ---------------------------------------------------------------- fans


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((128, 784), (784, 128)),  # Linear(784, 128): weight is (out, in)
        ((64, 3, 3, 3), (27, 576)),  # Conv2d(3, 64, 3)
        ((16, 8, 5), (40, 80)),  # Conv1d(8, 16, 5)
        ((8, 4, 3, 3, 3), (108, 216)),  # Conv3d(4, 8, 3)
        ((32, 1, 3, 3), (9, 288)),  # depthwise Conv2d(32, 32, 3, groups=32): dim 1 is C_in/groups
        ((10, 20, 1, 1), (20, 10)),  # 1×1 conv behaves like a Linear layer
        ((1, 1), (1, 1)),
    ],
)
def test_fans_table(shape, expected):
    sol = init.fans(shape)
    assert sol.value == expected
    assert isinstance(sol.value, tuple)


def test_fans_steps_and_misconceptions():
    sol = init.fans((64, 3, 3, 3))
    assert sol.steps[1:] == (
        "receptive field size = 3·3 = 9",
        "fan_in = C_in·receptive = 3·9 = 27",
        "fan_out = C_out·receptive = 64·9 = 576",
    )
    assert wrong_values(sol) == {"fans_swapped": (576, 27), "forgot_receptive_field": (3, 64)}
    assert wrong_values(init.fans((128, 784))) == {"fans_swapped": (128, 784)}  # no kernel to forget
    assert init.fans((5, 5)).misconceptions == ()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=2, max_size=5))
def test_fans_match_numpy_weight(shape):
    weight = np.zeros(shape)
    # fan_in: weights feeding one output unit; fan_out: weights one input channel feeds.
    expected = (weight[0].size, weight[:, 0].size)
    sol = init.fans(shape)
    assert sol.value == expected
    assert all(not same_value(m.value, sol.value) for m in sol.misconceptions)


# ---------------------------------------------------------------- scales: hand values


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: init.he_std(576), math.sqrt(2 / 576)),  # 0.0589
        (lambda: init.he_std(100, 0.2), math.sqrt(2 / 1.04) / 10),
        (lambda: init.he_std(1), math.sqrt(2)),
        (lambda: init.he_uniform_bound(576), math.sqrt(6 / 576)),  # 0.1021
        (lambda: init.he_uniform_bound(50, 1.0), math.sqrt(3 / 50)),  # a = 1: a linear unit, gain 1
        (lambda: init.xavier_std(256, 128), math.sqrt(2 / 384)),  # 0.0722
        (lambda: init.xavier_std(100, 100, 5 / 3), 5 / 3 * 0.1),
        (lambda: init.xavier_uniform_bound(256, 256), math.sqrt(6 / 512)),
        (lambda: init.xavier_uniform_bound(3, 3), 1.0),
        (lambda: init.lecun_std(100), 0.1),
        (lambda: init.default_uniform_bound(576), 1 / 24),
        (lambda: init.default_uniform_bound(3 * 3 * 3), 1 / math.sqrt(27)),
    ],
)
def test_scales_table(call, expected):
    assert call().value == pytest.approx(expected, rel=1e-12)


def test_he_steps_and_misconceptions():
    sol = init.he_std(576)
    assert sol.steps[-1] == "std = √2 / √576 = √(2/576) = 0.058926"
    wrong = wrong_values(sol)
    assert wrong["forgot_sqrt"] == pytest.approx(2 / 576)
    assert wrong["forgot_gain"] == pytest.approx(1 / 24)
    assert wrong["uniform_bound_as_std"] == pytest.approx(math.sqrt(6 / 576))
    assert "ignored_negative_slope" not in wrong  # ReLU: nothing to ignore
    leaky = wrong_values(init.he_std(100, -0.2))
    assert leaky["ignored_negative_slope"] == pytest.approx(math.sqrt(2 / 100))
    assert "gain = √(2 / (1 + a²)) = √(2 / (1 + (−0.2)²)) = 1.38675 (leaky ReLU, a = −0.2)" in init.he_std(100, -0.2).steps


def test_xavier_misconceptions_name_the_seed_notes_variant():
    wrong = wrong_values(init.xavier_std(256, 128))
    assert wrong["xavier_fan_in_only"] == pytest.approx(math.sqrt(1 / 256))  # LeCun's √(1/n)
    assert "LeCun" in next(m.explanation for m in init.xavier_std(256, 128).misconceptions if m.name == "xavier_fan_in_only")
    assert wrong["uniform_bound_as_std"] == pytest.approx(math.sqrt(6 / 384))
    assert wrong["forgot_sqrt"] == pytest.approx(2 / 384)
    # fan_in == fan_out: √(1/fan_in) is the right std, so it must not be flagged.
    assert "xavier_fan_in_only" not in wrong_values(init.xavier_std(100, 100))
    assert wrong_values(init.xavier_std(100, 50, 2.0))["ignored_gain"] == pytest.approx(math.sqrt(2 / 150))


def test_fan_in_without_the_kernel_is_named_for_conv_weights():
    # a 3×3 conv from 64 channels: fan_in = 576; leaving out the kernel gives fan_in = 64
    assert wrong_values(init.he_std(576, receptive=9))["fan_in_without_kernel"] == pytest.approx(math.sqrt(2 / 64))
    assert wrong_values(init.default_uniform_bound(576, receptive=9))["fan_in_without_kernel"] == pytest.approx(1 / 8)
    # Xavier: both fans lose the kernel, 64·9 + 128·9 -> 64 + 128
    assert wrong_values(init.xavier_std(576, 1152, receptive=9))["fan_in_without_kernel"] == pytest.approx(math.sqrt(2 / 192))
    # a Linear layer (receptive 1) has no kernel to leave out
    assert "fan_in_without_kernel" not in wrong_values(init.he_std(576))
    with pytest.raises(ValueError, match="receptive: 9 must divide the fans 100"):
        init.he_std(100, receptive=9)


@given(st.integers(1, 512), st.sampled_from([1, 3, 5, 7]))
def test_fan_in_without_the_kernel_is_the_scale_of_a_1x1_conv(c_in, k):
    # leaving the kernel out of a k×k conv is computing the scale of a 1×1 conv with the same channels
    for solver in (init.he_std, init.default_uniform_bound):
        sol = solver(c_in * k * k, receptive=k * k)
        named = wrong_values(sol).get("fan_in_without_kernel")
        if k == 1:
            assert named is None
        else:
            assert named == pytest.approx(solver(c_in).value, rel=1e-12)


def test_default_bound_steps_give_its_std():
    sol = init.default_uniform_bound(576)
    text = "\n".join(sol.steps)
    assert "kaiming_uniform_(a = √5)" in text
    assert "its std is bound/√3 = 1/√(3·fan_in) = 1/√1728 = 0.024056" in text
    wrong = wrong_values(sol)
    assert wrong["std_as_bound"] == pytest.approx(1 / math.sqrt(3 * 576))
    assert wrong["he_uniform_instead"] == pytest.approx(math.sqrt(6 / 576))


fan = st.integers(1, 5000)
slope = st.floats(-3, 3, allow_nan=False)
gain = st.floats(0.1, 5, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(fan, fan, slope, gain)
def test_scales_relations(fan_in, fan_out, a, g):
    """Uniform bounds are √3 × the normal std (Var U(−b, b) = b²/3); He with a = 0 is √2 × LeCun;
    Xavier's variance is the harmonic mean of 1/fan_in and 1/fan_out."""
    he = init.he_std(fan_in, a).value
    assert init.he_uniform_bound(fan_in, a).value == pytest.approx(math.sqrt(3) * he, rel=1e-12)
    assert he**2 * fan_in * (1 + a * a) / 2 == pytest.approx(1.0, rel=1e-12)
    assert init.he_std(fan_in).value == pytest.approx(math.sqrt(2) * init.lecun_std(fan_in).value, rel=1e-12)
    xs = init.xavier_std(fan_in, fan_out, g).value
    assert init.xavier_uniform_bound(fan_in, fan_out, g).value == pytest.approx(math.sqrt(3) * xs, rel=1e-12)
    assert (xs / g) ** 2 == pytest.approx(2 / (fan_in + fan_out), rel=1e-12)
    assert init.default_uniform_bound(fan_in).value ** 2 == pytest.approx(1 / fan_in, rel=1e-12)
    for sol in (
        init.he_std(fan_in, a),
        init.he_uniform_bound(fan_in, a),
        init.xavier_std(fan_in, fan_out, g),
        init.xavier_uniform_bound(fan_in, fan_out, g),
        init.lecun_std(fan_in),
        init.default_uniform_bound(fan_in),
    ):
        assert all(not same_value(m.value, sol.value) for m in sol.misconceptions)


# ---------------------------------------------------------------- scales: sampled weights


@settings(max_examples=15, deadline=None)
@given(fan_in=st.integers(1, 4096), fan_out=st.integers(1, 4096), seed=st.integers(0, 2**32 - 1))
def test_sampled_weights_have_the_solver_std(fan_in, fan_out, seed):
    """Normal draws with the solver's std and uniform draws on ±bound agree in spread."""
    rng = np.random.default_rng(seed)
    for std, bound in (
        (init.he_std(fan_in).value, init.he_uniform_bound(fan_in).value),
        (init.xavier_std(fan_in, fan_out).value, init.xavier_uniform_bound(fan_in, fan_out).value),
    ):
        normal = rng.normal(0.0, std, SAMPLES)
        uniform = rng.uniform(-bound, bound, SAMPLES)
        assert normal.std() == pytest.approx(std, rel=STD_TOL)
        assert uniform.std() == pytest.approx(std, rel=STD_TOL)
        assert np.abs(uniform).max() <= bound
    default = rng.uniform(-1, 1, SAMPLES) * init.default_uniform_bound(fan_in).value
    assert default.std() == pytest.approx(1 / math.sqrt(3 * fan_in), rel=STD_TOL)


@pytest.mark.parametrize("a", [0.0, 0.01, 0.2, 1.0])
def test_he_keeps_the_second_moment_through_a_leaky_relu_layer(a):
    """The point of He: pre-activations z ~ N(0, 1) -> leaky ReLU -> a layer with He weights -> Var ≈ 1."""
    rng = np.random.default_rng(7)
    fan_in = 256
    w = rng.normal(0.0, init.he_std(fan_in, a).value, (512, fan_in))
    z = rng.normal(0.0, 1.0, (fan_in, 1000))
    y = w @ np.where(z > 0, z, a * z)
    assert y.var() == pytest.approx(1.0, rel=0.05)


def test_xavier_balances_forward_and_backward_variance():
    """Var(forward) = fan_in·σ², Var(backward) = fan_out·σ²; Xavier makes their mean 1."""
    rng = np.random.default_rng(11)
    fan_in, fan_out = 300, 100
    w = rng.normal(0.0, init.xavier_std(fan_in, fan_out).value, (fan_out, fan_in))
    forward = (w @ rng.normal(size=(fan_in, 2000))).var()
    backward = (w.T @ rng.normal(size=(fan_out, 2000))).var()
    assert (forward + backward) / 2 == pytest.approx(1.0, rel=0.05)
    assert forward == pytest.approx(fan_in * 2 / (fan_in + fan_out), rel=0.05)


# ---------------------------------------------------------------- invalid parameters


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: init.fans((5,)), "shape: fan_in and fan_out need at least 2 dimensions, got 1"),
        (lambda: init.fans(()), "shape: fan_in and fan_out need at least 2 dimensions, got 0"),
        (lambda: init.fans((0, 3)), "shape: must be ≥ 1, got 0"),
        (lambda: init.fans((4, 2.5)), "shape: expected a whole number, got 2.5"),
        (lambda: init.fans("64x3"), "shape: expected a tuple of sizes such as (64, 3, 3, 3), got '64x3'"),
        (lambda: init.he_std(0), "fan_in: must be ≥ 1, got 0"),
        (lambda: init.he_std(2.5), "fan_in: expected a whole number, got 2.5"),
        (lambda: init.he_std(True), "fan_in: expected a whole number, got the bool True"),
        (lambda: init.he_std(10, float("nan")), "negative_slope: must be a finite number, got nan"),
        (lambda: init.he_uniform_bound(10, "0.1"), "negative_slope: expected a number, got '0.1'"),
        (lambda: init.xavier_std(10, 0), "fan_out: must be ≥ 1, got 0"),
        (lambda: init.xavier_std(10, 10, 0), "gain: must be > 0, got 0"),
        (lambda: init.xavier_uniform_bound(10, 10, -1.0), "gain: must be > 0, got −1"),
        (lambda: init.lecun_std(-4), "fan_in: must be ≥ 1, got -4"),
        (lambda: init.default_uniform_bound(None), "fan_in: expected a whole number, got None"),
    ],
)
def test_invalid_parameters_are_named(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(message)


# ---------------------------------------------------------------- signal through depth


def test_signal_std_by_hand():
    # n = 256, σ = 0.05: nσ² = 0.64, and ReLU halves it per later layer: E[z₃²] = 0.64·0.32²
    assert init.signal_std(256, 0.05, 3).value == pytest.approx(math.sqrt(0.64 * 0.32**2))
    assert init.signal_std(256, 0.05, 1).value == pytest.approx(0.8)  # layer 1: √(nσ²)
    assert init.signal_std(100, 0.2, 4, "linear").value == pytest.approx(math.sqrt(4.0**4))  # nσ² = 4 per layer
    wrong = wrong_values(init.signal_std(256, 0.05, 3))
    assert wrong["forgot_relu_half"] == pytest.approx(math.sqrt(0.64**3))
    assert wrong["variance_not_std"] == pytest.approx(0.64 * 0.32**2)


@given(st.integers(4, 4096), st.integers(1, 60))
def test_he_and_lecun_scales_keep_the_signal_at_every_depth(n, depth):
    # the property the He and LeCun scales are built for: nσ²·c = 1, so depth changes nothing
    assert init.signal_std(n, init.he_std(n).value, depth).value == pytest.approx(math.sqrt(2), rel=1e-9)
    assert init.signal_std(n, init.lecun_std(n).value, depth, "linear").value == pytest.approx(1, rel=1e-9)


@pytest.mark.parametrize(("n", "sigma", "depth"), [(128, 0.12, 4), (64, 0.2, 3), (96, 0.1, 5)])
def test_signal_std_matches_sampled_networks(n, sigma, depth):
    # E[z_L²] is an average over random networks (one network's value is skewed low: a product of
    # random factors), so many small random ReLU networks are sampled and their second moments averaged
    rng = np.random.default_rng(7)
    seconds = []
    for _ in range(400):
        z = rng.normal(0, sigma, size=(n, n)) @ rng.normal(size=(n, 32))
        for _ in range(depth - 1):
            z = rng.normal(0, sigma, size=(n, n)) @ np.maximum(z, 0)
        seconds.append(np.mean(z**2))
    assert math.sqrt(np.mean(seconds)) == pytest.approx(init.signal_std(n, sigma, depth).value, rel=0.03)


# ---------------------------------------------------------------- depth at which a gradient vanishes


@pytest.mark.parametrize(
    ("width", "sigma", "t", "activation", "expected"),
    [
        # q = 256·0.05²·½ = 0.32; √q = 0.566: 0.566¹² = 1.07e-3 > 1e-3, 0.566¹³ = 6.1e-4
        (256, 0.05, 0.001, "relu", 13),
        # q = 100·0.05² = 0.25, the std halves per layer: 0.5⁶ = 0.0156, 0.5⁷ = 0.0078
        (100, 0.05, 0.01, "linear", 7),
        (100, 0.05, 0.125, "linear", 3),  # exactly 0.5³: reaching t counts
        (100, 0.05, 0.9, "linear", 1),  # one layer already halves it
    ],
)
def test_vanishing_depth_by_hand(width, sigma, t, activation, expected):
    assert init.vanishing_depth(width, sigma, t, activation).value == expected


def test_vanishing_depth_mistakes_by_hand():
    wrong = wrong_values(init.vanishing_depth(256, 0.05, 0.001))
    assert wrong["variance_not_std"] == 7  # 0.32⁶ = 1.07e-3, 0.32⁷ = 3.4e-4
    assert wrong["forgot_relu_half"] == 31  # q = 0.64: 0.8³⁰ = 1.24e-3, 0.8³¹ = 9.9e-4
    assert wrong["rounded_down"] == 12


@given(st.integers(2, 2048), st.floats(0.001, 0.9), st.floats(1e-8, 0.99), st.sampled_from(["relu", "linear"]))
def test_vanishing_depth_is_the_first_layer_below_the_threshold(n, frac, t, activation):
    # brute force: walk down layer by layer multiplying the std by √q until it is at most t
    c = 0.5 if activation == "relu" else 1.0
    sigma = math.sqrt(frac / (n * c))  # so that q = frac < 1
    q = n * sigma * sigma * c
    depth, std = 0, 1.0
    while True:
        depth += 1
        std *= math.sqrt(q)
        if std <= t * (1 + 1e-9):
            break
    assert init.vanishing_depth(n, sigma, t, activation).value == depth


@given(st.integers(2, 2048), st.floats(0.01, 0.9), st.integers(1, 40))
def test_vanishing_depth_agrees_with_signal_std(n, frac, layers):
    # the same per-layer factor as signal_std (linear, equal widths): at the returned depth L the
    # ratio of layer-(L+1) to layer-1 std is at most t, one layer earlier it is above
    sigma = math.sqrt(frac / n)
    ratio = init.signal_std(n, sigma, layers + 1, "linear").value / init.signal_std(n, sigma, 1, "linear").value
    t = min(ratio * 1.0001, 0.99)
    assert init.vanishing_depth(n, sigma, t, "linear").value == layers


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((100, 0.1, 0.01, "linear"), "not below 1"),
        ((100, 0.05, 1.0, "linear"), "below 1"),
        ((100, 0.05, 0.01, "tanh"), "relu or linear"),
    ],
)
def test_vanishing_depth_refuses(args, message):
    with pytest.raises(ValueError, match=message):
        init.vanishing_depth(*args)


def test_vanishing_depth_matches_sampled_gradients():
    # backpropagate through many random linear networks (q = 0.25 per layer) and average the
    # gradient's second moment: its std ratio after L layers is √q^L, so t = 0.5³ is reached at L = 3
    rng = np.random.default_rng(11)
    n, sigma = 64, 0.0625  # q = 64·0.0625² = 0.25
    seconds = []
    for _ in range(300):
        g = rng.normal(size=(n, 16))
        for _ in range(3):
            g = rng.normal(0, sigma, size=(n, n)).T @ g
        seconds.append(np.mean(g**2))
    assert math.sqrt(np.mean(seconds)) == pytest.approx(0.125, rel=0.05)
    assert init.vanishing_depth(n, sigma, 0.125, "linear").value == 3
