"""Tests for solvers.norm: hand-worked BatchNorm/LayerNorm/RMSNorm, properties against explicit loops, counts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import solvers
from solvers import norm


def misc(solution, name):
    return next((m.value for m in solution.misconceptions if m.name == name), None)


# ---------------------------------------------------------------- by hand


def test_batchnorm_train_one_feature_by_hand():
    # x = [1, 2, 3, 6]: μ = 3, biased σ² = (4 + 1 + 0 + 9)/4 = 3.5, unbiased 14/3
    out, rm, rv = norm.batchnorm_train([1, 2, 3, 6], eps=0.5).value
    np.testing.assert_allclose(out, np.array([-2, -1, 0, 3]) / 2.0)  # √(3.5 + 0.5) = 2
    assert rm == pytest.approx(0.3)
    assert rv == pytest.approx(0.9 + 0.1 * 14 / 3)


def test_batchnorm_train_two_features_with_affine_and_running_stats():
    x = [[0, 10], [2, 14]]  # feature 1: μ 1, σ² 1; feature 2: μ 12, σ² 4
    sol = norm.batchnorm_train(x, gamma=[2, 1], beta=[0, 1], running_mean=[1, 2], running_var=[1, 3], momentum=0.5, eps=1e-12)
    out, rm, rv = sol.value
    np.testing.assert_allclose(out, [[-2, 0], [2, 2]], atol=1e-9)
    np.testing.assert_allclose(rm, [1, 7])  # ½·1 + ½·1, ½·2 + ½·12
    np.testing.assert_allclose(rv, [1.5, 5.5])  # unbiased: 2 and 8
    np.testing.assert_allclose(misc(sol, "biased_running_var")[2], [1, 3.5])
    np.testing.assert_allclose(misc(sol, "forgot_affine")[0], [[-1, -1], [1, 1]], atol=1e-9)


def test_batchnorm_momentum_flipped_is_named():
    sol = norm.batchnorm_train([1, 2, 3, 6])
    _, rm, rv = misc(sol, "momentum_flipped")
    assert rm == pytest.approx(2.7) and rv == pytest.approx(0.1 + 0.9 * 14 / 3)


def test_batchnorm_eval_by_hand():
    # (x − 1)/√(4 + 0) for feature 1, (x − 1)/√0.25 for feature 2
    sol = norm.batchnorm_eval([[1, 2], [3, 4]], [1, 1], [4, 0.25], eps=1e-12)
    np.testing.assert_allclose(sol.value, [[0, 2], [1, 6]], atol=1e-9)
    np.testing.assert_allclose(misc(sol, "divided_by_variance"), [[0, 4], [0.5, 12]], atol=1e-9)
    np.testing.assert_allclose(misc(sol, "used_batch_stats"), [[-1, -1], [1, 1]], atol=1e-9)


def test_layernorm_by_hand():
    # row [1, 2, 3, 6]: μ 3, σ² 3.5; eps 0.5 makes the root 2
    sol = norm.layernorm([[1, 2, 3, 6], [0, 0, 4, 4]], gamma=2, beta=0.5, eps=0.5)
    np.testing.assert_allclose(sol.value[0], np.array([-2, -1, 0, 3]) + 0.5)
    # row 2: μ 2, σ² 4, root √4.5
    np.testing.assert_allclose(sol.value[1], 2 * np.array([-2, -2, 2, 2]) / math.sqrt(4.5) + 0.5)
    unbiased = misc(sol, "unbiased_var")
    np.testing.assert_allclose(unbiased[0], 2 * np.array([-2, -1, 0, 3]) / math.sqrt(14 / 3 + 0.5) + 0.5)


def test_rmsnorm_by_hand():
    # [3, 4]: mean square 12.5, RMS √12.5 = 3.5355
    sol = norm.rmsnorm([3, 4], eps=1e-12)
    np.testing.assert_allclose(sol.value, np.array([3, 4]) / math.sqrt(12.5))
    np.testing.assert_allclose(misc(sol, "divided_by_l2_norm"), [0.6, 0.8], rtol=1e-9)
    np.testing.assert_allclose(misc(sol, "subtracted_mean"), [-1, 1], rtol=1e-9)
    assert norm.rmsnorm([3, 4]).value[0] == pytest.approx(3 / math.sqrt(12.5 + 2**-23), rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"kind": "batchnorm", "features": 64}, {"parameters": 128, "buffers": 129}),
        ({"kind": "batchnorm", "features": 64, "affine": False}, {"parameters": 0, "buffers": 129}),
        ({"kind": "batchnorm", "features": 64, "track_running_stats": False}, {"parameters": 128, "buffers": 0}),
        ({"kind": "layernorm", "features": 768}, {"parameters": 1536, "buffers": 0}),
        ({"kind": "layernorm", "features": 768, "bias": False}, {"parameters": 768, "buffers": 0}),
        ({"kind": "rmsnorm", "features": 4096}, {"parameters": 4096, "buffers": 0}),
        ({"kind": "rmsnorm", "features": 4096, "affine": False}, {"parameters": 0, "buffers": 0}),
    ],
)
def test_param_count_by_hand(kwargs, expected):
    assert norm.param_count(**kwargs).value == expected


def test_param_count_misconceptions():
    sol = norm.param_count("batchnorm", 64)
    assert misc(sol, "running_stats_as_parameters") == {"parameters": 256, "buffers": 1}
    assert misc(sol, "forgot_batch_counter") == {"parameters": 128, "buffers": 128}
    assert misc(norm.param_count("rmsnorm", 10), "added_beta") == {"parameters": 20, "buffers": 0}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # BatchNorm2d(64): γ, β 64 each; running mean and var 64 each + num_batches_tracked
        ({"batchnorm": 64}, {"parameters": 128, "buffers": 129, "state_dict": 257}),
        # LayerNorm([64, 8, 8]): γ and β of 64·8·8 = 4096 numbers each
        ({"layernorm": (64, 8, 8)}, {"parameters": 8192, "buffers": 0, "state_dict": 8192}),
        ({"batchnorm": 64, "layernorm": (64, 8, 8), "bias": False}, {"parameters": 128 + 4096, "buffers": 129, "state_dict": 4353}),
        ({"batchnorm": 3, "layernorm": (3, 2, 2), "elementwise_affine": False}, {"parameters": 6, "buffers": 7, "state_dict": 13}),
        ({"layernorm": (768,), "rmsnorm": 768}, {"parameters": 2304, "buffers": 0, "state_dict": 2304}),
    ],
)
def test_stack_count_by_hand(kwargs, expected):
    assert norm.stack_count(**kwargs).value == expected


def test_stack_count_misconceptions():
    sol = norm.stack_count(16, (16, 4, 4))  # 32 + 2·256 parameters, 33 buffers
    assert sol.value == {"parameters": 544, "buffers": 33, "state_dict": 577}
    assert misc(sol, "running_stats_as_parameters")["parameters"] == 576
    assert misc(sol, "layernorm_per_channel")["parameters"] == 32 + 32
    assert misc(sol, "layernorm_last_dim_only")["parameters"] == 32 + 8
    assert misc(sol, "layernorm_gamma_only")["parameters"] == 32 + 256
    assert misc(sol, "forgot_buffers")["state_dict"] == 544
    assert misc(norm.stack_count(16, (16, 4, 4), bias=False), "ignored_bias_flag")["parameters"] == 544
    assert misc(norm.stack_count(16, (16, 4, 4), elementwise_affine=False), "ignored_elementwise_affine")["parameters"] == 544


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: norm.stack_count(), "give at least one layer"),
        (lambda: norm.stack_count(layernorm=()), "layernorm: give the normalized_shape"),
        (lambda: norm.stack_count(-1), "batchnorm"),
        (lambda: norm.batchnorm_train([1.0]), "x: training-mode BatchNorm needs at least 2"),
        (lambda: norm.batchnorm_train([1, 2], momentum=0), r"momentum: must be in \(0, 1\]"),
        (lambda: norm.batchnorm_train([[1, 2], [3, 4]], gamma=[1, 2, 3]), "gamma: has 3 numbers but x has 2 features"),
        (lambda: norm.batchnorm_eval([1, 2], 0, -1), "running_var: a variance cannot be negative"),
        (lambda: norm.layernorm([[1], [2]]), "x: a row of one feature"),
        (lambda: norm.rmsnorm([0, 0]), "x: a row of zeros"),
        (lambda: norm.param_count("groupnorm", 4), "kind: expected one of"),
        (lambda: norm.layernorm(np.ones(5000)), "x: has 5,000 numbers"),
    ],
)
def test_refusals(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_registered_with_parts():
    spec = solvers.get("norm.batchnorm_train")
    assert spec.parts == ("output", "running_mean", "running_var")
    assert spec.solve(x="1, 2, 3, 6").value[1] == pytest.approx(0.3)
    assert solvers.get("norm.param_count").solve(kind="layernorm", features="8").value == {"parameters": 16, "buffers": 0}
    # a drill passes the shape as text, "[4, 2, 3]"
    stack = solvers.get("norm.stack_count").solve(batchnorm="4", layernorm="[4, 2, 3]", bias="False")
    assert stack.value == {"parameters": 8 + 24, "buffers": 9, "state_dict": 41}


# ---------------------------------------------------------------- properties

batches = hnp.arrays(float, st.tuples(st.integers(2, 6), st.integers(1, 4)), elements=st.floats(-10, 10)).filter(
    lambda a: (a.std(axis=0) > 1e-3).all()
)


@settings(max_examples=200, deadline=None)
@given(batches, st.floats(0.01, 1))
def test_batchnorm_train_matches_loops(x, momentum):
    out, rm, rv = norm.batchnorm_train(x, momentum=momentum).value
    n, c = x.shape
    for j in range(c):
        col = [x[i, j] for i in range(n)]
        mu = sum(col) / n
        ss = sum((v - mu) ** 2 for v in col)
        for i in range(n):
            assert out[i, j] == pytest.approx((col[i] - mu) / math.sqrt(ss / n + 1e-5), rel=1e-9, abs=1e-9)
        assert rm[j] == pytest.approx(momentum * mu, rel=1e-9, abs=1e-12)
        assert rv[j] == pytest.approx(1 - momentum + momentum * ss / (n - 1), rel=1e-9)
    # a normalised batch has mean 0 and (biased) variance σ²/(σ² + ε) per feature
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(out.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5), rtol=1e-9)


@settings(max_examples=200, deadline=None)
@given(batches, st.floats(-5, 5), st.floats(0.5, 3))
def test_layernorm_is_batchnorm_of_the_transpose_and_ignores_a_shift(x, shift, scale):
    rows = x.T  # LayerNorm over a row equals BatchNorm over that column, in train mode, without affine
    ln = norm.layernorm(rows).value
    bn = norm.batchnorm_train(rows.T).value[0].T
    np.testing.assert_allclose(ln, bn, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(norm.layernorm(rows * scale + shift, eps=1e-12).value, norm.layernorm(rows, eps=1e-12 / scale**2).value, rtol=1e-6, atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(float, st.integers(1, 8), elements=st.floats(-10, 10)).filter(lambda a: (a**2).mean() > 1e-3), st.floats(0.1, 10))
def test_rmsnorm_output_has_unit_rms_and_ignores_scale(x, scale):
    y = norm.rmsnorm(x, eps=1e-12).value
    assert math.sqrt((y**2).mean()) == pytest.approx(1, rel=1e-9)
    np.testing.assert_allclose(norm.rmsnorm(x * scale, eps=1e-12).value, y, rtol=1e-6, atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["batchnorm", "layernorm", "rmsnorm"]), st.integers(1, 5000), st.booleans(), st.booleans(), st.booleans())
def test_param_count_matches_arrays(kind, c, affine, bias, track):
    arrays, buffers = [], []
    if affine:
        arrays.append(np.ones(c))
        if kind == "batchnorm" or (kind == "layernorm" and bias):
            arrays.append(np.zeros(c))
    if kind == "batchnorm" and track:
        buffers += [np.zeros(c), np.ones(c), np.zeros(())]
    sol = norm.param_count(kind, c, affine=affine, bias=bias, track_running_stats=track)
    assert sol.value == {"parameters": sum(a.size for a in arrays), "buffers": sum(b.size for b in buffers)}
    assert all(m.value != sol.value for m in sol.misconceptions)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 300),
    st.none() | st.lists(st.integers(1, 12), min_size=1, max_size=3),
    st.booleans(),
    st.booleans(),
    st.integers(0, 300),
)
def test_stack_count_matches_arrays(c, shape, affine, bias, d):
    """Build each layer's tensors as numpy arrays (as PyTorch's modules create them) and count their entries."""
    if not c and shape is None and not d:
        return
    params, buffers = [], []
    if c:
        params += [np.ones(c), np.zeros(c)]
        buffers += [np.zeros(c), np.ones(c), np.zeros((), dtype=np.int64)]
    if shape is not None and affine:
        params.append(np.ones(shape))
        if bias:
            params.append(np.zeros(shape))
    if d:
        params.append(np.ones(d))
    sol = norm.stack_count(c, shape, affine, bias, d)
    n_params, n_buffers = sum(a.size for a in params), sum(b.size for b in buffers)
    assert sol.value == {"parameters": n_params, "buffers": n_buffers, "state_dict": n_params + n_buffers}
    assert all(m.value != sol.value for m in sol.misconceptions)
