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


# ---------------------------------------------------------------- FLOPs


@pytest.mark.parametrize(
    ("n_in", "n_out", "batch", "bias", "expected"),
    [
        (1024, 4096, 1, True, 2 * 1024 * 4096 + 4096),  # 8,392,704: ≈ 8.4 million
        (1024, 4096, 1, False, 8388608),
        (784, 128, 32, True, 6426624),  # 2·32·784·128 + 32·128
        (3, 2, 1, True, 14),  # each output: 3 multiplies, 3 adds, 1 bias add
        (1, 1, 1, False, 2),
        (10, 5, 4, False, 400),
    ],
)
def test_flops_table(n_in, n_out, batch, bias, expected):
    assert linear.flops(n_in, n_out, batch, bias).value == expected


def test_flops_steps_and_misconceptions():
    sol = linear.flops(784, 128, batch=32)
    assert sol.steps == (
        "convention: a multiply-add (MAC) is 2 FLOPs, a multiply and an add; adding the bias is 1 FLOP per output",
        "MACs = batch·n_in·n_out = 32·784·128 = 3211264",
        "bias adds = batch·n_out = 32·128 = 4096",
        "FLOPs = 2·MACs + bias adds = 2·3211264 + 4096 = 6426624",
        "per example: 200832 FLOPs, times the batch of 32",
    )
    assert wrong_values(sol) == {"counted_macs_as_flops": 3211264, "forgot_batch": 200832, "ignored_bias_adds": 6422528}
    sol = linear.flops(100, 10, bias=False)
    assert sol.steps == (
        "convention: a multiply-add (MAC) is 2 FLOPs, a multiply and an add; no bias (bias=False)",
        "MACs = batch·n_in·n_out = 1·100·10 = 1000",
        "FLOPs = 2·MACs = 2·1000 = 2000",
    )
    assert wrong_values(sol) == {"counted_macs_as_flops": 1000}  # batch 1: nothing to forget


def count_flops_by_loop(n_in: int, n_out: int, batch: int, bias: bool) -> int:
    """Run y = Wx + b element by element on an operation counter: a multiply-add is one multiply and one add."""
    ops = 0
    for _example in range(batch):
        for _i in range(n_out):
            for _j in range(n_in):
                ops += 2  # acc += W[i][j]·x[j]
            if bias:
                ops += 1  # acc += b[i]
    return ops


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 6), st.booleans())
def test_flops_match_an_operation_count_of_the_loop(n_in, n_out, batch, bias):
    sol = linear.flops(n_in, n_out, batch, bias)
    assert sol.value == count_flops_by_loop(n_in, n_out, batch, bias)
    assert sol.value == batch * linear.flops(n_in, n_out, 1, bias).value  # linear in the batch
    assert all(not same_value(m.value, sol.value) for m in sol.misconceptions)
    wrong = wrong_values(sol)
    # a wrong answer is named when it is one (the first name is kept when two coincide, 1·1·3 MACs = 3 FLOPs of one example)
    assert ("forgot_batch" in wrong) == (batch > 1 and sol.value // batch not in list(wrong.values())[:1])
    assert ("ignored_bias_adds" in wrong) == bias


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_in": 0, "n_out": 3}, "n_in: must be ≥ 1, got 0"),
        ({"n_in": 3, "n_out": 3, "batch": 0}, "batch: must be ≥ 1, got 0"),
        ({"n_in": 3, "n_out": 2.5}, "n_out: expected a whole number, got 2.5"),
        ({"n_in": 3, "n_out": 2, "bias": "yes"}, "bias: expected True or False, got 'yes'"),
    ],
)
def test_flops_rejects(kwargs, message):
    with pytest.raises(ValueError) as info:
        linear.flops(**kwargs)
    assert str(info.value).startswith(message)


def test_flops_from_registry_text():
    from solvers._core import REGISTRY

    spec = REGISTRY["linear.flops"]
    assert [(p.name, p.kind, p.default) for p in spec.params][2:] == [("batch", "int", 1), ("bias", "bool", True)]
    assert spec.solve(n_in="784", n_out="128", batch="32", bias="no").value == 2 * 32 * 784 * 128


@pytest.mark.torch
def test_flops_agree_with_torch_flop_counter():
    # PyTorch's FlopCounterMode counts a matmul as 2·MACs and leaves out the bias addition, so it
    # matches bias=False and, with a bias, our count without the bias adds.
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    rng = np.random.default_rng(21)
    for _ in range(200):
        n_in, n_out, batch = (int(v) for v in rng.integers(1, 64, size=3))
        bias = bool(rng.integers(0, 2))
        layer = torch.nn.Linear(n_in, n_out, bias=bias, dtype=torch.float64)
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            layer(torch.zeros(batch, n_in, dtype=torch.float64))
        counted = counter.get_total_flops()
        sol = linear.flops(n_in, n_out, batch, bias)
        assert counted == sol.value - (batch * n_out if bias else 0), (n_in, n_out, batch, bias)
