"""Tests for solvers.conv: hand-worked tables, sliding-window and brute-force properties, error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers import conv
from solvers._core import same_value

# ---------------------------------------------------------------- independent computations


def window_starts(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> list[int]:
    """Every start position a sliding window visits on the padded input, by walking it."""
    extent = dilation * (kernel - 1) + 1
    starts, start = [], 0
    while start + extent <= size + 2 * padding:
        starts.append(start)
        start += stride
    return starts


def scatter_length(size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int) -> int:
    """Length of a transposed convolution's output, by scattering every input pixel's kernel taps."""
    touched = {i * stride + dilation * t for i in range(size) for t in range(kernel)}
    full = max(touched) + 1 + output_padding
    return len(range(padding, full - padding))


def receptive_span(layers: list[tuple[int, ...]]) -> int:
    """How many input pixels one output pixel depends on, by walking back through the layers."""
    positions = {0}
    for layer in reversed(layers):
        k, s = layer[0], layer[1]
        d = layer[2] if len(layer) == 3 else 1
        positions = {p * s + d * t for p in positions for t in range(k)}
    return max(positions) - min(positions) + 1


def brute_macs(size, c_in, c_out, kernel, stride, padding, dilation, groups) -> int:
    """Multiply-adds counted one by one over every output position, filter, input channel and tap."""
    h_starts = window_starts(size, kernel, stride, padding, dilation)
    count = 0
    for _ in h_starts:
        for _ in h_starts:
            for _ in range(c_out):
                for _ in range(c_in // groups):
                    count += kernel * kernel
    return count


def wrong_values(solution) -> dict:
    return {m.name: m.value for m in solution.misconceptions}


# ---------------------------------------------------------------- output_size


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "expected"),
    [
        (32, 3, 1, 1, 1, 32),  # "same" padding
        (32, 3, 2, 1, 1, 16),  # ⌊31/2⌋ + 1
        (28, 5, 1, 0, 1, 24),
        (227, 11, 4, 0, 1, 55),  # AlexNet conv1
        (224, 7, 2, 3, 1, 112),  # ResNet stem
        (5, 5, 1, 0, 1, 1),  # kernel == input
        (3, 5, 1, 1, 1, 1),  # kernel == padded input
        (7, 3, 1, 0, 2, 3),  # dilation 2: extent 5
        (10, 3, 1, 2, 2, 10),  # dilated "same"
        (10, 2, 5, 0, 1, 2),  # stride > kernel skips pixels
        (1, 1, 1, 0, 1, 1),
        (6, 1, 2, 0, 1, 3),  # 1×1 conv, stride 2
        (4, 3, 3, 0, 1, 1),  # ⌊1/3⌋ + 1
    ],
)
def test_output_size_table(size, kernel, stride, padding, dilation, expected):
    assert conv.output_size(size, kernel, stride, padding, dilation).value == expected


def test_output_size_pairs_give_a_shape():
    sol = conv.output_size((32, 20), (3, 5), 2, 1)
    assert sol.value == (16, 9)
    assert isinstance(sol.value, tuple)
    assert "H_out = ⌊(32 + 2·1 − 3) / 2⌋ + 1 = ⌊15.5⌋ + 1 = 16" in sol.steps
    assert "W_out = ⌊(20 + 2·1 − 5) / 2⌋ + 1 = ⌊8.5⌋ + 1 = 9" in sol.steps
    assert conv.output_size(32, 3, (1, 2), (1, 0), (1, 2)).value == (32, 14)


def test_output_size_steps_and_misconceptions():
    sol = conv.output_size(32, 3, 2, 1)
    assert sol.steps == ("O = ⌊(I + 2P − K) / S⌋ + 1", "O = ⌊(32 + 2·1 − 3) / 2⌋ + 1 = ⌊15.5⌋ + 1 = 16")
    wrong = wrong_values(sol)
    assert wrong["forgot_floor"] == 16.5
    assert wrong["forgot_plus_one"] == 15
    assert wrong["rounded_up"] == 17
    assert wrong["ignored_stride"] == 32
    assert "padding_once" not in wrong  # ⌊30/2⌋ + 1 = 16 is the right answer here


def test_output_size_dilation_steps_and_misconceptions():
    sol = conv.output_size(7, 3, 1, 0, 2)
    assert "K_eff = 2·(3 − 1) + 1 = 5" in sol.steps
    assert "O = ⌊(7 + 2·0 − 5) / 1⌋ + 1 = 2 + 1 = 3" in sol.steps
    # forgot_floor, rounded_up and ignored_stride coincide with 3 here (exact division, stride 1) and
    # dilation_times_kernel with forgot_plus_one (7 − 6 + 1 = 2): only distinct wrong values are kept.
    assert wrong_values(sol) == {"forgot_plus_one": 2, "ignored_dilation": 5}
    wrong = wrong_values(conv.output_size(12, 3, 1, 0, 3))  # K_eff = 7: 6 positions
    assert wrong == {"forgot_plus_one": 5, "ignored_dilation": 10, "dilation_times_kernel": 4}


def test_output_size_padding_once_when_it_differs():
    wrong = wrong_values(conv.output_size(28, 5, 1, 2))
    assert wrong["padding_once"] == 26
    assert wrong["ignored_padding"] == 24


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(1, 64),
    kernel=st.integers(1, 9),
    stride=st.integers(1, 6),
    padding=st.integers(0, 5),
    dilation=st.integers(1, 4),
)
def test_output_size_counts_window_positions(size, kernel, stride, padding, dilation):
    starts = window_starts(size, kernel, stride, padding, dilation)
    if not starts:
        with pytest.raises(ValueError, match="^kernel: "):
            conv.output_size(size, kernel, stride, padding, dilation)
        return
    sol = conv.output_size(size, kernel, stride, padding, dilation)
    assert sol.value == len(starts)
    assert sol.steps[-1].endswith(f"= {len(starts)}")
    for m in sol.misconceptions:
        assert not same_value(m.value, sol.value), m.name


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3))
def test_output_size_pair_is_each_axis_alone(h, w, kh, kw, sh, sw):
    if kh > h or kw > w:
        with pytest.raises(ValueError, match="^kernel: "):
            conv.output_size((h, w), (kh, kw), (sh, sw))
        return
    value = conv.output_size((h, w), (kh, kw), (sh, sw)).value
    assert value == (len(window_starts(h, kh, sh, 0)), len(window_starts(w, kw, sw, 0)))


# ---------------------------------------------------------------- pooling


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "expected"),
    [
        (7, 2, None, 0, 3),  # stride defaults to the kernel
        (8, 2, None, 0, 4),
        (32, 3, 2, 1, 16),
        (5, 3, None, 1, 2),  # ⌊(5 + 2 − 3)/3⌋ + 1
        (4, 4, None, 0, 1),  # kernel == input
        (3, 3, 1, 1, 3),
        (112, 3, 2, 1, 56),  # ResNet max-pool
    ],
)
def test_pool_output_size_table(size, kernel, stride, padding, expected):
    assert conv.pool_output_size(size, kernel, stride, padding).value == expected


def test_pool_defaults_and_misconceptions():
    sol = conv.pool_output_size(7, 2)
    assert sol.steps[0] == "no stride given: S = K = 2 (PyTorch's default)"
    wrong = wrong_values(sol)
    assert wrong["pool_stride_one"] == 6
    assert wrong["forgot_floor"] == 3.5
    assert wrong["rounded_up"] == 4
    assert "pool_stride_one" not in wrong_values(conv.pool_output_size(7, 2, 2))
    assert conv.pool_output_size((6, 9), (2, 3)).value == (3, 3)


@settings(max_examples=200, deadline=None)
@given(size=st.integers(1, 50), kernel=st.integers(1, 7), stride=st.one_of(st.none(), st.integers(1, 5)), padding=st.integers(0, 3))
def test_pool_counts_window_positions(size, kernel, stride, padding):
    starts = window_starts(size, kernel, kernel if stride is None else stride, padding)
    if 2 * padding > kernel:
        with pytest.raises(ValueError, match="^padding: must be at most half the kernel"):
            conv.pool_output_size(size, kernel, stride, padding)
    elif not starts:
        with pytest.raises(ValueError, match="^kernel: "):
            conv.pool_output_size(size, kernel, stride, padding)
    else:
        sol = conv.pool_output_size(size, kernel, stride, padding)
        assert sol.value == len(starts)
        assert all(not same_value(m.value, sol.value) for m in sol.misconceptions)


# ---------------------------------------------------------------- transposed convolution


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((4, 3, 2, 1, 1), 8),  # 3·2 − 2 + 2 + 1 + 1
        ((16, 4, 2, 1, 0), 32),  # DCGAN upsampling doubles
        ((1, 4, 1, 0, 0), 4),  # 1×1 -> kernel size
        ((7, 3, 1, 1, 0), 7),
        ((5, 3, 1, 0, 0, 2), 9),  # dilation 2
        ((3, 1, 3, 0, 2), 9),  # output_padding 2 < stride 3
    ],
)
def test_transposed_table(args, expected):
    sol = conv.transposed_output_size(*args)
    assert sol.value == expected
    assert sol.steps[-1].endswith(f"= {expected}")


def test_transposed_steps_and_misconceptions():
    sol = conv.transposed_output_size(4, 3, 2, 1, 1)
    assert sol.steps[1] == "O = (4 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 6 − 2 + 2 + 1 + 1 = 8"
    wrong = wrong_values(sol)
    assert wrong["forgot_minus_one"] == 10
    assert wrong["padding_added"] == 12
    assert wrong["forgot_output_padding"] == 7
    assert wrong["used_conv_formula"] == 2
    assert conv.transposed_output_size((4, 2), (3, 1), 2).value == (9, 3)


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(1, 20),
    kernel=st.integers(1, 6),
    stride=st.integers(1, 4),
    padding=st.integers(0, 4),
    output_padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
)
def test_transposed_matches_scatter_and_inverts_conv(size, kernel, stride, padding, output_padding, dilation):
    if output_padding >= stride and output_padding >= dilation:
        with pytest.raises(ValueError, match="^output_padding: must be smaller than the stride or the dilation"):
            conv.transposed_output_size(size, kernel, stride, padding, output_padding, dilation)
        return
    length = scatter_length(size, kernel, stride, padding, output_padding, dilation)
    if length < 1:
        with pytest.raises(ValueError, match="^padding: "):
            conv.transposed_output_size(size, kernel, stride, padding, output_padding, dilation)
        return
    sol = conv.transposed_output_size(size, kernel, stride, padding, output_padding, dilation)
    assert sol.value == length
    assert all(not same_value(m.value, sol.value) for m in sol.misconceptions)
    if output_padding < stride:
        # The convolution with the same settings maps the output back to the input size.
        assert conv.output_size(length, kernel, stride, padding, dilation).value == size


# ---------------------------------------------------------------- receptive field


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ([(3, 1)], 3),
        ([(3, 1)] * 3, 7),  # three 3×3 convs see 7×7
        ([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)], 18),
        ([(7, 2), (3, 2)], 11),
        ([(3, 1, 1), (3, 1, 2), (3, 1, 4)], 15),  # dilations 1, 2, 4
        ([(1, 1)], 1),
        ([(2, 2)] * 4, 16),  # non-overlapping 2×2 stride-2: 2⁴
    ],
)
def test_receptive_field_table(layers, expected):
    sol = conv.receptive_field(layers)
    assert sol.value == expected
    assert sol.steps[-1] == f"receptive field = {expected}×{expected} input pixels"


def test_receptive_field_steps_and_misconceptions():
    sol = conv.receptive_field([(3, 1), (3, 2), (3, 1, 2)])
    assert sol.steps[1:4] == (
        "layer 1 (k = 3, s = 1): r = 1 + (3 − 1)·1 = 3, j = 1·1 = 1",
        "layer 2 (k = 3, s = 2): r = 3 + (3 − 1)·1 = 5, j = 1·2 = 2",
        "layer 3 (k = 3, s = 1, d = 2, k_eff = 2·(3 − 1) + 1 = 5): r = 5 + (5 − 1)·2 = 13, j = 2·1 = 2",
    )
    wrong = wrong_values(sol)
    assert wrong["ignored_stride"] == 9
    assert wrong["jump_updated_first"] == 15
    assert wrong["forgot_plus_one"] == 12


layer_strategy = st.tuples(st.integers(1, 7), st.integers(1, 3)) | st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3))


@settings(max_examples=200, deadline=None)
@given(st.lists(layer_strategy, min_size=1, max_size=5))
def test_receptive_field_matches_walking_back(layers):
    sol = conv.receptive_field(layers)
    assert sol.value == receptive_span(layers)
    assert all(not same_value(m.value, sol.value) for m in sol.misconceptions)
    assert len(sol.steps) == len(layers) + 2  # start, one line per layer, result


# ---------------------------------------------------------------- parameter count


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((3, 64, 3), {}, 1792),  # (27 + 1)·64
        ((64, 128, 3), {}, 73856),
        ((64, 128, 3), {"bias": False}, 73728),
        ((3, 64, (3, 5)), {}, 2944),  # non-square: (45 + 1)·64
        ((32, 32, 3), {"groups": 32}, 320),  # depthwise: (9 + 1)·32
        ((32, 64, 1), {}, 2112),  # 1×1: (32 + 1)·64
        ((4, 8, 3), {"groups": 2}, 152),  # (9·2 + 1)·8
        ((1, 1, 1), {}, 2),
    ],
)
def test_param_count_table(args, kwargs, expected):
    assert conv.param_count(*args, **kwargs).value == expected


def test_param_count_steps_and_misconceptions():
    sol = conv.param_count(64, 128, 3)
    assert "weights = 3·3·64/1·128 = 576·128 = 73728" in sol.steps
    assert sol.steps[-1] == "total = 73728 + 128 = 73856"
    wrong = wrong_values(sol)
    assert wrong == {"forgot_bias": 73728, "bias_per_input_channel": 73792, "forgot_input_channels": 1280}
    wrong = wrong_values(conv.param_count(32, 32, 3, groups=32))
    assert wrong["ignored_groups"] == 9 * 32 * 32 + 32
    assert "bias_per_input_channel" not in wrong  # c_in == c_out: the same number
    assert wrong_values(conv.param_count(3, 8, 3, bias=False))["added_bias"] == 224


@settings(max_examples=200, deadline=None)
@given(
    groups=st.integers(1, 4),
    in_per_group=st.integers(1, 6),
    out_per_group=st.integers(1, 6),
    kernel=st.integers(1, 5) | st.tuples(st.integers(1, 5), st.integers(1, 5)),
    bias=st.booleans(),
)
def test_param_count_matches_numpy_arrays(groups, in_per_group, out_per_group, kernel, bias):
    c_in, c_out = groups * in_per_group, groups * out_per_group
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    arrays = [np.zeros((c_out, c_in // groups, kh, kw))] + ([np.zeros(c_out)] if bias else [])
    sol = conv.param_count(c_in, c_out, kernel, bias=bias, groups=groups)
    assert sol.value == sum(a.size for a in arrays)
    assert all(not same_value(m.value, sol.value) for m in sol.misconceptions)


# ---------------------------------------------------------------- MACs


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((32, 3, 16, 3, 2, 1), {}, 16 * 16 * 16 * 27),
        ((16, 32, 32, 3), {"padding": 1, "groups": 32}, 16 * 16 * 32 * 9),  # depthwise
        ((8, 64, 128, 1), {}, 8 * 8 * 128 * 64),  # 1×1
        (((32, 16), 3, 16, (3, 1), 2, 1), {}, 16 * 9 * 16 * 3 * 3),
        ((224, 3, 64, 7, 2, 3), {}, 112 * 112 * 64 * 147),  # ResNet stem ≈ 118 M
    ],
)
def test_macs_table(args, kwargs, expected):
    assert conv.macs(*args, **kwargs).value == expected


def test_macs_misconceptions():
    sol = conv.macs(32, 3, 16, 3, 2, 1)
    wrong = wrong_values(sol)
    assert wrong["macs_as_flops"] == 2 * sol.value
    assert wrong["used_input_size"] == 32 * 32 * 16 * 27
    assert "ignored_groups" not in wrong
    assert wrong_values(conv.macs(8, 4, 4, 3, groups=4))["ignored_groups"] == 6 * 6 * 4 * 9 * 4


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 9),
    groups=st.integers(1, 3),
    in_per_group=st.integers(1, 3),
    out_per_group=st.integers(1, 3),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 2),
)
def test_macs_count_one_by_one(size, groups, in_per_group, out_per_group, kernel, stride, padding, dilation):
    c_in, c_out = groups * in_per_group, groups * out_per_group
    args = (size, c_in, c_out, kernel, stride, padding, dilation, groups)
    if not window_starts(size, kernel, stride, padding, dilation):
        with pytest.raises(ValueError, match="^kernel: "):
            conv.macs(*args)
        return
    assert conv.macs(*args).value == brute_macs(*args)


# ---------------------------------------------------------------- invalid parameters


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.output_size(32, 3, 0), "stride: must be ≥ 1, got 0"),
        (lambda: conv.output_size(-1, 3), "size: must be ≥ 1, got -1"),
        (lambda: conv.output_size(32, 0), "kernel: must be ≥ 1, got 0"),
        (lambda: conv.output_size(32, 3, padding=-1), "padding: must be ≥ 0, got -1"),
        (lambda: conv.output_size(32, 3, dilation=0), "dilation: must be ≥ 1, got 0"),
        (lambda: conv.output_size(2, 5), "kernel: the kernel 5 is larger than the padded input I + 2P = 2 + 2·0 = 2"),
        (
            lambda: conv.output_size(4, 3, dilation=2),
            "kernel: the kernel D·(K − 1) + 1 = 2·(3 − 1) + 1 = 5 is larger than the padded input I + 2P = 4 + 2·0 = 4",
        ),
        (lambda: conv.output_size((8, 2), (3, 3)), "kernel: the kernel (width) 3 is larger than the padded input"),
        (lambda: conv.output_size(2.5, 1), "size: expected a whole number, got 2.5"),
        (lambda: conv.output_size(True, 1), "size: expected a whole number, got the bool True"),
        (lambda: conv.output_size("32", 3), "size: expected a whole number, got '32'"),
        (lambda: conv.output_size((1, 2, 3), 1), "size: expected a whole number or a pair (h, w), got 3 values"),
        (lambda: conv.param_count(4, 8, 3, groups=3), "groups: 3 does not divide c_in = 4"),
        (lambda: conv.param_count(4, 6, 3, groups=4), "groups: 4 does not divide c_out = 6"),
        (lambda: conv.param_count(4, 8, 3, bias="yes"), "bias: expected True or False, got 'yes'"),
        (lambda: conv.param_count(0, 8, 3), "c_in: must be ≥ 1, got 0"),
        (lambda: conv.param_count(3, 8, 3, groups=0), "groups: must be ≥ 1, got 0"),
        (lambda: conv.pool_output_size(5, 3, padding=2), "padding: must be at most half the kernel (PyTorch's rule), got padding 2 for kernel 3"),
        (lambda: conv.pool_output_size(2, 3, 2), "kernel: the kernel 3 is larger than the padded input"),
        (lambda: conv.pool_output_size(8, 2, 0), "stride: must be ≥ 1, got 0"),
        (
            lambda: conv.transposed_output_size(4, 3, 2, output_padding=2),
            "output_padding: must be smaller than the stride or the dilation (PyTorch's rule), got output_padding 2 with stride 2 and dilation 1",
        ),
        (lambda: conv.transposed_output_size(1, 1, 1, 1), "padding: 2P = 2 is too large: the output size would be -1"),
        (lambda: conv.receptive_field([]), "layers: expected at least one (kernel, stride) layer, got none"),
        (lambda: conv.receptive_field([(3, 1), (3, 0)]), "layers: layer 2 stride: must be ≥ 1, got 0"),
        (lambda: conv.receptive_field([(3,)]), "layers: layer 1 must be (kernel, stride) or (kernel, stride, dilation), got (3,)"),
        (lambda: conv.receptive_field([(3.5, 1)]), "layers: layer 1 kernel: expected a whole number, got 3.5"),
        (lambda: conv.receptive_field("3,1"), "layers: expected a list of (kernel, stride) pairs, got '3,1'"),
        (lambda: conv.macs(8, 4, 8, 3, groups=3), "groups: 3 does not divide c_in = 4"),
        (lambda: conv.macs(2, 4, 8, 3), "kernel: the kernel (height) 3 is larger than the padded input"),
    ],
)
def test_invalid_parameters_are_named(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(message)


def test_numpy_integers_and_integral_floats_are_accepted():
    assert conv.output_size(np.int64(32), np.int32(3), 2.0, 1).value == 16
    assert conv.param_count(np.int64(3), 8, (np.int64(3), 3), bias=np.bool_(True)).value == (27 + 1) * 8


def test_forgot_floor_keeps_the_fraction():
    value = conv.output_size(33, 4, 3).value
    forgot = wrong_values(conv.output_size(33, 4, 3))["forgot_floor"]
    assert forgot == pytest.approx(29 / 3 + 1)
    assert math.floor(forgot) == value


# ---------------------------------------------------------------- depthwise-separable savings


def test_separable_savings_by_hand():
    # 3×3 from 64 to 128: 73,728 standard weights against 576 + 8,192 = 8,768
    sol = conv.separable_savings(64, 128, 3)
    assert sol.value == pytest.approx(73728 / 8768)
    wrong = {m.name: m.value for m in sol.misconceptions}
    assert wrong["inverted"] == pytest.approx(8768 / 73728)
    assert wrong["forgot_pointwise"] == pytest.approx(128)  # 73,728 / 576
    assert wrong["forgot_depthwise"] == pytest.approx(9)  # 73,728 / 8,192


@given(st.integers(1, 512), st.integers(1, 512), st.sampled_from([1, 3, 5, 7]))
def test_separable_savings_counts_the_weights_of_both_convolutions(c_in, c_out, k):
    # the two weight tensors PyTorch would build, sized as (C_out, C_in/groups, K, K)
    standard = math.prod((c_out, c_in, k, k))
    separable = math.prod((c_in, 1, k, k)) + math.prod((c_out, c_in, 1, 1))
    value = conv.separable_savings(c_in, c_out, k).value
    assert value == pytest.approx(standard / separable, rel=1e-12)
    assert value == pytest.approx(1 / (1 / c_out + 1 / k**2), rel=1e-12)  # the ratio the cards quote


# ---------------------------------------------------------------- a small CNN's trace


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # 32 → conv(3, P1) 32 → pool 16 → conv 16 → pool 8; 448 + 4,640 + (2,048·10 + 10)
        ((32, 3, 16, 32, 3, 1, 10), (2048, 25578)),
        # 28 → 24 → 12 → 8 → 4; 608 + 3,216 + (256·10 + 10)
        ((28, 3, 8, 16, 5, 0, 10), (256, 6394)),
        # 30 → 28 → 14 → 12 → 6; 40 + 296 + (288·5 + 5)
        ((30, 1, 4, 8, 3, 0, 5), (288, 1781)),
        # odd conv output floors: 29 → 27 → 13 → 11 → 5
        ((29, 1, 2, 2, 3, 0, 1), (50, 20 + 38 + 51)),
    ],
)
def test_cnn_trace_by_hand(args, expected):
    assert conv.cnn_trace(*args).value == expected


def test_cnn_trace_mistakes_by_hand():
    wrong = {m.name: m.value for m in conv.cnn_trace(28, 3, 8, 16, 5, 0, 10).misconceptions}
    assert wrong["forgot_biases"] == (256, 6394 - 8 - 16 - 10)
    assert wrong["assumed_same_padding"][0] == 16 * 7 * 7  # 28 → 14 → 7
    assert wrong["forgot_pooling"][0] == 16 * 20 * 20  # 28 → 24 → 20


def _cnn_by_arrays(size, c_in, c1, c2, k, p, classes):
    """Builds every weight and bias as a numpy array and slides the windows by walking them."""
    side, channels, arrays = size, c_in, []
    for width in (c1, c2):
        side = len(window_starts(side, k, 1, p)) // 2
        arrays += [np.empty((width, channels, k, k)), np.empty(width)]
        channels = width
    features = channels * side * side
    arrays += [np.empty((classes, features)), np.empty(classes)]
    return features, sum(a.size for a in arrays)


@given(st.integers(8, 64), st.integers(1, 4), st.integers(1, 16), st.integers(1, 16), st.sampled_from([1, 3, 5]), st.integers(0, 2), st.integers(1, 12))
@settings(max_examples=200)
def test_cnn_trace_matches_arrays(size, c_in, c1, c2, k, p, classes):
    try:
        value = conv.cnn_trace(size, c_in, c1, c2, k, p, classes).value
    except ValueError:
        return  # too small for two blocks: refused
    assert value == _cnn_by_arrays(size, c_in, c1, c2, k, p, classes)
    assert value[0] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [((4, 1, 2, 2, 5, 0, 3), "does not fit"), ((3, 1, 2, 2, 3, 0, 3), "too small"), ((32, 0, 2, 2, 3, 0, 3), "c_in")],
)
def test_cnn_trace_refuses(args, message):
    with pytest.raises(ValueError, match=message):
        conv.cnn_trace(*args)
