"""Provides convolution and pooling solvers: output sizes, parameter counts, receptive field, MACs and a small CNN's trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from solvers._core import (
    Misconception,
    Param,
    Solution,
    check_bool,
    check_int,
    check_int_or_pair,
    distinct,
    fmt,
    register,
)

_AXES = ("H", "W")
_AXIS_NAMES = ("height", "width")

_SPATIAL_HELP = "an int, or (h, w) for a non-square input"


# ---------------------------------------------------------------- helpers


def _spatial(**named: tuple[Any, int]) -> tuple[dict[str, tuple[int, int]], bool]:
    """Each ``name=(value, minimum)`` as an (h, w) pair; True when any was given as a pair."""
    pairs: dict[str, tuple[int, int]] = {}
    any_pair = False
    for name, (value, minimum) in named.items():
        pairs[name], was_pair = check_int_or_pair(name, value, minimum=minimum)
        any_pair = any_pair or was_pair
    return pairs, any_pair


def _shaped(per_axis: Callable[[int], Any], pair: bool) -> Any:
    """The value for both axes as an (h, w) tuple, or the height's value alone for square inputs."""
    return (per_axis(0), per_axis(1)) if pair else per_axis(0)


def _decimal(x: float) -> str:
    """A quotient for display: at most 3 decimals, '…' when that rounded it."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    if float(text) != x:
        text += "…"
    return text.replace("-", "−")


def _floored(numerator: int, stride: int) -> str:
    """'⌊15.5⌋' for 31/2, or '15' when the division is exact."""
    if numerator % stride == 0:
        return fmt(numerator // stride)
    return f"⌊{_decimal(numerator / stride)}⌋"


def _all_positive(value: Any) -> bool:
    return all(v >= 1 for v in value) if isinstance(value, tuple) else value >= 1


def _plausible(candidates: list[Misconception]) -> list[Misconception]:
    """Drop wrong sizes below 1: nobody answers that a layer outputs zero or negative pixels."""
    return [m for m in candidates if _all_positive(m.value)]


def _conv_out(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _check_window_fits(a: dict[str, tuple[int, int]], axis: int, pair: bool) -> None:
    """PyTorch refuses a (dilated) kernel wider than the padded input: no window position exists."""
    i, k, p, d = a["size"][axis], a["kernel"][axis], a["padding"][axis], a["dilation"][axis]
    k_eff = d * (k - 1) + 1
    where = f" ({_AXIS_NAMES[axis]})" if pair else ""
    if k_eff > i + 2 * p:
        kernel_text = f"{k}" if d == 1 else f"D·(K − 1) + 1 = {d}·({k} − 1) + 1 = {k_eff}"
        raise ValueError(
            f"kernel: the kernel{where} {kernel_text} is larger than the padded input I + 2P = {i} + 2·{p} = {i + 2 * p}"
        )


def _conv_lines(a: dict[str, tuple[int, int]], pair: bool) -> list[str]:
    """Worked lines of O = ⌊(I + 2P − K_eff)/S⌋ + 1 for each axis (one axis for square inputs)."""
    dilated = any(d > 1 for d in a["dilation"])
    k_sym = "K_eff" if dilated else "K"
    lines = [f"O = ⌊(I + 2P − {k_sym}) / S⌋ + 1" + (", K_eff = D·(K − 1) + 1" if dilated else "")]
    axes = (0, 1) if pair and not _same_axes(a) else (0,)
    for axis in axes:
        i, k, s, p, d = (a[n][axis] for n in ("size", "kernel", "stride", "padding", "dilation"))
        label = f"{_AXES[axis]}_out" if pair and len(axes) == 2 else "O"
        k_eff = d * (k - 1) + 1
        if dilated:
            lines.append(f"K_eff = {d}·({k} − 1) + 1 = {k_eff}" + (f" ({_AXIS_NAMES[axis]})" if len(axes) == 2 else ""))
        numerator = i + 2 * p - k_eff
        lines.append(
            f"{label} = ⌊({i} + 2·{p} − {k_eff}) / {s}⌋ + 1 = {_floored(numerator, s)} + 1 = {numerator // s + 1}"
        )
    if pair:
        h, w = (_conv_out(*(a[n][ax] for n in ("size", "kernel", "stride", "padding", "dilation"))) for ax in (0, 1))
        lines.append(f"output = {h}×{w}" + (" (the same on both axes)" if len(axes) == 1 else " (H_out×W_out)"))
    return lines


def _same_axes(a: dict[str, tuple[int, int]]) -> bool:
    return all(h == w for h, w in a.values())


def _shape_text(value: Any) -> str:
    return f"{value[0]}×{value[1]}" if isinstance(value, tuple) else str(value)


# ---------------------------------------------------------------- output size


@register(
    "conv.output_size",
    params=(
        Param("size", "int_or_pair", help=f"input size I: {_SPATIAL_HELP}"),
        Param("kernel", "int_or_pair", help="kernel size K"),
        Param("stride", "int_or_pair", 1, help="stride S"),
        Param("padding", "int_or_pair", 0, help="zero padding P on each side"),
        Param("dilation", "int_or_pair", 1, help="dilation D (spacing between kernel taps)"),
    ),
    summary="conv output size O = ⌊(I + 2P − D·(K − 1) − 1) / S⌋ + 1 (an (h, w) shape if any argument is a pair)",
    answer="size",
)
def output_size(size: Any, kernel: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1) -> Solution:
    """O = ⌊(I + 2P − D·(K − 1) − 1) / S⌋ + 1 on each spatial axis, as PyTorch's Conv2d computes it."""
    a, pair = _spatial(size=(size, 1), kernel=(kernel, 1), stride=(stride, 1), padding=(padding, 0), dilation=(dilation, 1))
    for axis in (0, 1) if pair else (0,):
        _check_window_fits(a, axis, pair)

    def at(axis: int) -> tuple[int, int, int, int, int]:
        return tuple(a[n][axis] for n in ("size", "kernel", "stride", "padding", "dilation"))  # type: ignore[return-value]

    value = _shaped(lambda ax: _conv_out(*at(ax)), pair)
    steps = _conv_lines(a, pair)

    def wrong(fn: Callable[[int, int, int, int, int], Any]) -> Any:
        return _shaped(lambda ax: fn(*at(ax)), pair)

    candidates = [
        Misconception(
            "forgot_floor",
            wrong(lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) / s + 1),
            "kept the fraction: only whole window positions count, so the division is floored",
        ),
        Misconception(
            "rounded_up",
            wrong(lambda i, k, s, p, d: -(-(i + 2 * p - d * (k - 1) - 1) // s) + 1),
            "rounded the division up; convolutions floor it",
        ),
        Misconception(
            "forgot_plus_one",
            wrong(lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) // s),
            "forgot the + 1 that counts the first window position",
        ),
        Misconception(
            "padding_once",
            wrong(lambda i, k, s, p, d: (i + p - d * (k - 1) - 1) // s + 1),
            "added the padding once; it is added on both sides, 2P",
        ),
        Misconception(
            "ignored_padding",
            wrong(lambda i, k, s, p, d: (i - d * (k - 1) - 1) // s + 1),
            "left the padding out",
        ),
        Misconception(
            "ignored_stride",
            wrong(lambda i, k, s, p, d: i + 2 * p - d * (k - 1)),
            "did not divide by the stride",
        ),
        Misconception(
            "ignored_dilation",
            wrong(lambda i, k, s, p, d: (i + 2 * p - k) // s + 1),
            "used the kernel size K instead of the dilated extent D·(K − 1) + 1",
        ),
        Misconception(
            "dilation_times_kernel",
            wrong(lambda i, k, s, p, d: (i + 2 * p - d * k) // s + 1),
            "took the dilated kernel as D·K; it spans D·(K − 1) + 1 pixels",
        ),
    ]
    return Solution(value, tuple(steps), distinct(value, _plausible(candidates)))


# ---------------------------------------------------------------- parameter count


@register(
    "conv.param_count",
    params=(
        Param("c_in", "int", help="input channels C_in"),
        Param("c_out", "int", help="output channels (filters) C_out"),
        Param("kernel", "int_or_pair", help="kernel size K, or (K_h, K_w)"),
        Param("bias", "bool", True, help="one bias per output channel (PyTorch default)"),
        Param("groups", "int", 1, help="groups; C_in for a depthwise convolution"),
    ),
    summary="conv parameters (K_h·K_w·C_in/groups + 1)·C_out",
    answer="int",
)
def param_count(c_in: Any, c_out: Any, kernel: Any, bias: Any = True, groups: Any = 1) -> Solution:
    """(K_h·K_w·C_in/groups + 1)·C_out; without bias K_h·K_w·C_in/groups·C_out."""
    c_in = check_int("c_in", c_in, minimum=1)
    c_out = check_int("c_out", c_out, minimum=1)
    (kh, kw), _ = check_int_or_pair("kernel", kernel, minimum=1)
    bias = check_bool("bias", bias)
    groups = check_int("groups", groups, minimum=1)
    if c_in % groups:
        raise ValueError(f"groups: {groups} does not divide c_in = {c_in}")
    if c_out % groups:
        raise ValueError(f"groups: {groups} does not divide c_out = {c_out}")

    per_filter = kh * kw * (c_in // groups)
    weights = per_filter * c_out
    biases = c_out if bias else 0
    value = weights + biases
    steps = [
        "params = (K_h·K_w·C_in/groups + 1)·C_out" if bias else "params = K_h·K_w·C_in/groups·C_out (no bias)",
        f"weights = {kh}·{kw}·{c_in}/{groups}·{c_out} = {per_filter}·{c_out} = {weights}",
    ]
    if groups > 1:
        n = c_in // groups
        steps.insert(1, f"each filter sees C_in/groups = {c_in}/{groups} = {n} input channel{'s' if n != 1 else ''}")
    if bias:
        steps.append(f"biases = C_out = {c_out} (one per output channel)")
        steps.append(f"total = {weights} + {c_out} = {value}")
    else:
        steps.append(f"total = {value}")

    candidates = [
        Misconception("forgot_bias", weights, "left out the C_out biases") if bias else None,
        Misconception("added_bias", weights + c_out, "added biases the layer does not have (bias=False)") if not bias else None,
        Misconception(
            "bias_per_input_channel", weights + c_in, "counted one bias per input channel; there is one per output channel"
        )
        if bias
        else None,
        Misconception(
            "ignored_groups",
            kh * kw * c_in * c_out + biases,
            "ignored the groups: each filter sees only C_in/groups channels",
        ),
        Misconception(
            "forgot_input_channels",
            kh * kw * c_out + biases,
            "counted one K_h×K_w kernel per filter; each filter has one per input channel (of its group)",
        ),
    ]
    return Solution(value, tuple(steps), distinct(value, [m for m in candidates if m is not None]))


# ---------------------------------------------------------------- pooling output size


@register(
    "conv.pool_output_size",
    params=(
        Param("size", "int_or_pair", help=f"input size I: {_SPATIAL_HELP}"),
        Param("kernel", "int_or_pair", help="pooling window K"),
        Param("stride", "int_or_pair", None, help="stride S (default: the kernel size, as in PyTorch)"),
        Param("padding", "int_or_pair", 0, help="padding P on each side (at most K/2)"),
    ),
    summary="pooling output size O = ⌊(I + 2P − K) / S⌋ + 1, stride defaulting to the kernel",
    answer="size",
)
def pool_output_size(size: Any, kernel: Any, stride: Any = None, padding: Any = 0) -> Solution:
    """O = ⌊(I + 2P − K) / S⌋ + 1 with S = K when no stride is given (PyTorch's MaxPool2d, floor mode)."""
    default_stride = stride is None
    a, pair = _spatial(
        size=(size, 1), kernel=(kernel, 1), stride=(kernel if default_stride else stride, 1), padding=(padding, 0)
    )
    a["dilation"] = (1, 1)
    for axis in (0, 1) if pair else (0,):
        k, p = a["kernel"][axis], a["padding"][axis]
        if 2 * p > k:
            where = f" ({_AXIS_NAMES[axis]})" if pair else ""
            raise ValueError(f"padding: must be at most half the kernel (PyTorch's rule), got padding {p} for kernel {k}{where}")
        _check_window_fits(a, axis, pair)

    def at(axis: int) -> tuple[int, int, int, int]:
        return tuple(a[n][axis] for n in ("size", "kernel", "stride", "padding"))  # type: ignore[return-value]

    value = _shaped(lambda ax: _conv_out(*at(ax), 1), pair)
    steps = []
    if default_stride:
        steps.append(f"no stride given: S = K = {_shape_text(a['kernel'] if pair else a['kernel'][0])} (PyTorch's default)")
    steps += _conv_lines(a, pair)
    steps.append("pooling has no parameters to learn")

    def wrong(fn: Callable[[int, int, int, int], Any]) -> Any:
        return _shaped(lambda ax: fn(*at(ax)), pair)

    candidates = [
        Misconception(
            "forgot_floor", wrong(lambda i, k, s, p: (i + 2 * p - k) / s + 1), "kept the fraction; the division is floored"
        ),
        Misconception(
            "pool_stride_one",
            wrong(lambda i, k, s, p: i + 2 * p - k + 1),
            "took the stride as 1; a pooling layer's default stride is its kernel size",
        )
        if default_stride
        else None,
        Misconception(
            "rounded_up",
            wrong(lambda i, k, s, p: -(-(i + 2 * p - k) // s) + 1),
            # Not "that is ceil_mode=True": ceil_mode also drops a last window that would start in
            # the right padding, so MaxPool2d(2, padding=1, ceil_mode=True) gives 3 on 5 pixels, not 4.
            "rounded the division up; pooling floors it (PyTorch's default ceil_mode=False)",
        ),
        Misconception("forgot_plus_one", wrong(lambda i, k, s, p: (i + 2 * p - k) // s), "forgot the + 1"),
        Misconception(
            "padding_once", wrong(lambda i, k, s, p: (i + p - k) // s + 1), "added the padding once; it is added on both sides"
        ),
    ]
    return Solution(value, tuple(steps), distinct(value, _plausible([m for m in candidates if m is not None])))


# ---------------------------------------------------------------- transposed convolution


@register(
    "conv.transposed_output_size",
    params=(
        Param("size", "int_or_pair", help=f"input size I: {_SPATIAL_HELP}"),
        Param("kernel", "int_or_pair", help="kernel size K"),
        Param("stride", "int_or_pair", 1, help="stride S"),
        Param("padding", "int_or_pair", 0, help="padding P"),
        Param("output_padding", "int_or_pair", 0, help="extra size on one side (smaller than stride or dilation)"),
        Param("dilation", "int_or_pair", 1, help="dilation D"),
    ),
    summary="transposed conv output O = (I − 1)·S − 2P + D·(K − 1) + output_padding + 1",
    answer="size",
)
def transposed_output_size(
    size: Any, kernel: Any, stride: Any = 1, padding: Any = 0, output_padding: Any = 0, dilation: Any = 1
) -> Solution:
    """O = (I − 1)·S − 2P + D·(K − 1) + output_padding + 1 (PyTorch's ConvTranspose2d)."""
    a, pair = _spatial(
        size=(size, 1),
        kernel=(kernel, 1),
        stride=(stride, 1),
        padding=(padding, 0),
        output_padding=(output_padding, 0),
        dilation=(dilation, 1),
    )
    names = ("size", "kernel", "stride", "padding", "output_padding", "dilation")

    def at(axis: int) -> tuple[int, int, int, int, int, int]:
        return tuple(a[n][axis] for n in names)  # type: ignore[return-value]

    def formula(i: int, k: int, s: int, p: int, op: int, d: int) -> int:
        return (i - 1) * s - 2 * p + d * (k - 1) + op + 1

    axes = (0, 1) if pair else (0,)
    for axis in axes:
        i, k, s, p, op, d = at(axis)
        where = f" ({_AXIS_NAMES[axis]})" if pair else ""
        if op >= s and op >= d:
            raise ValueError(
                f"output_padding: must be smaller than the stride or the dilation (PyTorch's rule), "
                f"got output_padding {op} with stride {s} and dilation {d}{where}"
            )
        out = formula(i, k, s, p, op, d)
        if out < 1:
            raise ValueError(f"padding: 2P = {2 * p} is too large{where}: the output size would be {out}")

    value = _shaped(lambda ax: formula(*at(ax)), pair)
    steps = ["O = (I − 1)·S − 2P + D·(K − 1) + output_padding + 1"]
    show = (0, 1) if pair and not _same_axes(a) else (0,)
    for axis in show:
        i, k, s, p, op, d = at(axis)
        label = f"{_AXES[axis]}_out" if len(show) == 2 else "O"
        steps.append(
            f"{label} = ({i} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1"
            f" = {(i - 1) * s} − {2 * p} + {d * (k - 1)} + {op} + 1 = {formula(i, k, s, p, op, d)}"
        )
    if pair:
        steps.append(f"output = {_shape_text(value)}" + (" (the same on both axes)" if len(show) == 1 else " (H_out×W_out)"))

    def wrong(fn: Callable[[int, int, int, int, int, int], Any]) -> Any:
        return _shaped(lambda ax: fn(*at(ax)), pair)

    candidates = [
        Misconception(
            "used_conv_formula",
            wrong(lambda i, k, s, p, op, d: (i + 2 * p - d * (k - 1) - 1) // s + 1),
            "applied the ordinary convolution formula; a transposed convolution maps the other way",
        ),
        Misconception(
            "forgot_minus_one",
            wrong(lambda i, k, s, p, op, d: i * s - 2 * p + d * (k - 1) + op + 1),
            "multiplied I by the stride instead of I − 1",
        ),
        Misconception(
            "padding_added",
            wrong(lambda i, k, s, p, op, d: (i - 1) * s + 2 * p + d * (k - 1) + op + 1),
            "added the padding; in a transposed convolution it removes 2P",
        ),
        Misconception(
            "padding_once",
            wrong(lambda i, k, s, p, op, d: (i - 1) * s - p + d * (k - 1) + op + 1),
            "subtracted the padding once; it is 2P",
        ),
        Misconception(
            "forgot_output_padding",
            wrong(lambda i, k, s, p, op, d: (i - 1) * s - 2 * p + d * (k - 1) + 1),
            "left out output_padding",
        ),
        Misconception(
            "ignored_dilation",
            wrong(lambda i, k, s, p, op, d: (i - 1) * s - 2 * p + (k - 1) + op + 1),
            "used K − 1 instead of D·(K − 1)",
        ),
        Misconception(
            "forgot_plus_one",
            wrong(lambda i, k, s, p, op, d: (i - 1) * s - 2 * p + d * (k - 1) + op),
            "forgot the + 1",
        ),
        Misconception(
            "size_times_stride",
            wrong(lambda i, k, s, p, op, d: i * s),
            "took the output as I·S, as if the layer only upsampled by the stride",
        ),
    ]
    return Solution(value, tuple(steps), distinct(value, _plausible(candidates)))


# ---------------------------------------------------------------- receptive field


_MAX_FIELD = 10**100
"""Receptive fields and jumps beyond this are refused: no input is that large, and a stack of big
strides would otherwise build integers with thousands of digits."""


def _check_layers(layers: Any) -> list[tuple[int, int, int]]:
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__len__"):
        raise ValueError(f"layers: expected a list of (kernel, stride) pairs, got {layers!r}")
    if len(layers) == 0:
        raise ValueError("layers: expected at least one (kernel, stride) layer, got none")
    checked = []
    for number, layer in enumerate(layers, start=1):
        if isinstance(layer, (str, bytes)) or not hasattr(layer, "__len__") or len(layer) not in (2, 3):
            raise ValueError(f"layers: layer {number} must be (kernel, stride) or (kernel, stride, dilation), got {layer!r}")
        k = check_int(f"layers: layer {number} kernel", layer[0], minimum=1)
        s = check_int(f"layers: layer {number} stride", layer[1], minimum=1)
        d = check_int(f"layers: layer {number} dilation", layer[2], minimum=1) if len(layer) == 3 else 1
        checked.append((k, s, d))
    return checked


def _rf(layers: list[tuple[int, int, int]], *, use_stride: bool = True, dilated: bool = True, jump_first: bool = False) -> int:
    r, j = 1, 1
    for k, s, d in layers:
        k_eff = d * (k - 1) + 1 if dilated else k
        if jump_first:
            j *= s
        r += (k_eff - 1) * j
        if use_stride and not jump_first:
            j *= s
    return r


@register(
    "conv.receptive_field",
    params=(Param("layers", "layers", help="the stack, first layer first: [[kernel, stride], ...] or [kernel, stride, dilation]"),),
    summary="receptive field of a conv stack: r ← r + (k_eff − 1)·j, j ← j·s, from r = j = 1",
    answer="int",
)
def receptive_field(layers: Any) -> Solution:
    """r ← r + (k_eff − 1)·j, then j ← j·s, layer by layer from r = 1, j = 1; k_eff = d·(k − 1) + 1."""
    checked = _check_layers(layers)
    steps = ["start: r = 1 (one input pixel), j = 1 (jump: input pixels between neighbouring outputs)"]
    r, j = 1, 1
    for number, (k, s, d) in enumerate(checked, start=1):
        k_eff = d * (k - 1) + 1
        head = f"layer {number} (k = {k}, s = {s}" + (f", d = {d}, k_eff = {d}·({k} − 1) + 1 = {k_eff})" if d > 1 else ")")
        new_r = r + (k_eff - 1) * j
        if new_r > _MAX_FIELD or j * s > _MAX_FIELD:
            raise ValueError(
                f"layers: the receptive field or the jump passes 10¹⁰⁰ input pixels at layer {number}; no input is that large"
            )
        steps.append(f"{head}: r = {r} + ({k_eff} − 1)·{j} = {new_r}, j = {j}·{s} = {j * s}")
        r, j = new_r, j * s
    steps.append(f"receptive field = {r}×{r} input pixels")
    value = r

    candidates = [
        Misconception("ignored_stride", _rf(checked, use_stride=False), "added k − 1 per layer without multiplying by the jump (the product of earlier strides)"),
        Misconception("jump_updated_first", _rf(checked, jump_first=True), "multiplied by the layer's own stride before adding its kernel; only earlier strides count"),
        Misconception("ignored_dilation", _rf(checked, dilated=False), "used k instead of the dilated extent d·(k − 1) + 1"),
        Misconception("added_kernel_sizes", sum(k for k, _, _ in checked), "added the kernel sizes; each layer adds k − 1 times the jump"),
        Misconception("forgot_plus_one", value - 1, "started from r = 0; one output pixel already sees one input pixel"),
    ]
    return Solution(value, tuple(steps), distinct(value, _plausible(candidates)))


# ---------------------------------------------------------------- depthwise-separable savings


@register(
    "conv.separable_savings",
    params=(
        Param("c_in", "int", help="input channels C_in"),
        Param("c_out", "int", help="output channels C_out"),
        Param("kernel", "int", help="square kernel size K"),
    ),
    summary="weights of a standard K×K conv over a depthwise-separable one: K²·C_in·C_out / (K²·C_in + C_in·C_out)",
    answer="float",
)
def separable_savings(c_in: Any, c_out: Any, kernel: Any) -> Solution:
    """ratio = K²·C_in·C_out / (K²·C_in + C_in·C_out) = 1 / (1/C_out + 1/K²), biases aside: a depthwise
    K×K step (groups = C_in, K²·C_in weights) then a pointwise 1×1 step (C_in·C_out weights)."""
    c_in = check_int("c_in", c_in, minimum=1)
    c_out = check_int("c_out", c_out, minimum=1)
    k = check_int("kernel", kernel, minimum=1)
    standard = k * k * c_in * c_out
    depthwise = k * k * c_in
    pointwise = c_in * c_out
    value = standard / (depthwise + pointwise)
    steps = (
        f"standard: K²·C_in·C_out = {k}²·{c_in}·{c_out} = {standard:,}",
        f"depthwise (groups = C_in): K²·C_in = {k}²·{c_in} = {depthwise:,}; pointwise 1×1: C_in·C_out = {c_in}·{c_out} = {pointwise:,}",
        f"ratio = {standard:,} / ({depthwise:,} + {pointwise:,}) = {fmt(value)} (= 1/(1/C_out + 1/K²))",
    )
    candidates = [
        Misconception("inverted", 1 / value, "divided the separable count by the standard one: that is the fraction kept, not how many times fewer"),
        Misconception("forgot_pointwise", standard / depthwise, "left out the pointwise 1×1 step, which mixes the channels"),
        Misconception("forgot_depthwise", standard / pointwise, "left out the depthwise K×K step"),
        Misconception("kernel_not_squared", k * c_out / (k + c_out), "used K where the kernel has K² weights per channel"),
    ]
    return Solution(value, steps, distinct(value, candidates))


# ---------------------------------------------------------------- multiply-accumulates


@register(
    "conv.macs",
    params=(
        Param("size", "int_or_pair", help=f"input size: {_SPATIAL_HELP}"),
        Param("c_in", "int", help="input channels C_in"),
        Param("c_out", "int", help="output channels C_out"),
        Param("kernel", "int_or_pair", help="kernel size K, or (K_h, K_w)"),
        Param("stride", "int_or_pair", 1, help="stride S"),
        Param("padding", "int_or_pair", 0, help="padding P"),
        Param("dilation", "int_or_pair", 1, help="dilation D"),
        Param("groups", "int", 1, help="groups; C_in for a depthwise convolution"),
    ),
    summary="multiply-accumulates of one conv layer: H_out·W_out·C_out·K_h·K_w·C_in/groups",
    answer="int",
)
def macs(
    size: Any,
    c_in: Any,
    c_out: Any,
    kernel: Any,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
) -> Solution:
    """MACs = H_out·W_out·C_out·K_h·K_w·C_in/groups (one multiply-add per weight per output position)."""
    c_in = check_int("c_in", c_in, minimum=1)
    c_out = check_int("c_out", c_out, minimum=1)
    groups = check_int("groups", groups, minimum=1)
    if c_in % groups:
        raise ValueError(f"groups: {groups} does not divide c_in = {c_in}")
    if c_out % groups:
        raise ValueError(f"groups: {groups} does not divide c_out = {c_out}")
    a, _ = _spatial(size=(size, 1), kernel=(kernel, 1), stride=(stride, 1), padding=(padding, 0), dilation=(dilation, 1))
    for axis in (0, 1):
        _check_window_fits(a, axis, True)
    h_out, w_out = (_conv_out(*(a[n][ax] for n in ("size", "kernel", "stride", "padding", "dilation"))) for ax in (0, 1))
    (kh, kw), (h_in, w_in) = a["kernel"], a["size"]
    per_position = kh * kw * (c_in // groups)
    value = h_out * w_out * c_out * per_position

    steps = _conv_lines(a, True)
    steps.append("MACs = H_out·W_out·C_out·K_h·K_w·C_in/groups")
    steps.append(f"MACs = {h_out}·{w_out}·{c_out}·{kh}·{kw}·{c_in}/{groups} = {value}")
    steps.append(f"about {fmt(2 * value, 4)} FLOPs (a multiply and an add each)")

    candidates = [
        Misconception("macs_as_flops", 2 * value, "counted FLOPs (2 per multiply-accumulate) instead of MACs"),
        Misconception("ignored_groups", h_out * w_out * c_out * kh * kw * c_in, "ignored the groups: each filter sees C_in/groups channels"),
        Misconception("used_input_size", h_in * w_in * c_out * per_position, "used the input size H_in·W_in instead of the output size"),
        Misconception("forgot_input_channels", h_out * w_out * c_out * kh * kw, "left out the C_in/groups input channels each filter sums over"),
    ]
    return Solution(value, tuple(steps), distinct(value, candidates))


# ---------------------------------------------------------------- a small CNN's trace


def _cnn_numbers(
    size: int, c_in: int, widths: tuple[int, int], k: int, p: int, classes: int, *, pools: int = 2, biases: bool = True, kernel_channels: bool = True
) -> tuple[int, int]:
    """(features into the Linear, parameters) of conv-ReLU-pool ×2 then Linear, with the named slips switched on."""
    side, channels, params = size, c_in, 0
    for block, width in enumerate(widths):
        side = _conv_out(side, k, 1, p, 1)
        if side < 1:
            return 0, 0  # the slip leaves no window position; filtered out by the caller
        if block < pools:
            side //= 2
        params += k * k * (channels if kernel_channels else 1) * width + (width if biases else 0)
        channels = width
    features = channels * side * side
    params += features * classes + (classes if biases else 0)
    return features, params


@register(
    "conv.cnn_trace",
    params=(
        Param("size", "int", help="input height = width H"),
        Param("c_in", "int", help="input channels"),
        Param("c1", "int", help="output channels of the first conv"),
        Param("c2", "int", help="output channels of the second conv"),
        Param("kernel", "int", help="square kernel K of both convs (stride 1)"),
        Param("padding", "int", 0, help="padding P of both convs"),
        Param("classes", "int", help="outputs of the final Linear"),
    ),
    summary="conv(K, P)-ReLU-MaxPool2d(2) twice, flatten, Linear: (features into the Linear, total parameters)",
    answer="tuple",
    parts=("features", "params"),
)
def cnn_trace(size: Any, c_in: Any, c1: Any, c2: Any, kernel: Any, padding: Any = 0, classes: Any = 10) -> Solution:
    """Per block H ← ⌊(H + 2P − K + 1)/2⌋ and params += K²·C_prev·C + C; then features = C2·H·H and
    the Linear adds features·classes + classes (Conv2d, MaxPool2d(2) and Linear with PyTorch's defaults)."""
    size = check_int("size", size, minimum=1)
    c_in = check_int("c_in", c_in, minimum=1)
    widths = (check_int("c1", c1, minimum=1), check_int("c2", c2, minimum=1))
    k = check_int("kernel", kernel, minimum=1)
    p = check_int("padding", padding, minimum=0)
    classes = check_int("classes", classes, minimum=1)
    if size > 100_000 or max(c_in, *widths, classes, k) > 100_000:
        raise ValueError("size, channels and kernel: at most 100,000 each; a small CNN is asked")
    steps = [f"input: {c_in}×{size}×{size}"]
    side, channels, total = size, c_in, 0
    for block, width in enumerate(widths, start=1):
        if side + 2 * p < k:
            raise ValueError(f"kernel: the {k}×{k} window does not fit the {side}×{side} input of conv {block} (padding {p})")
        conv_side = _conv_out(side, k, 1, p, 1)
        if conv_side < 2:
            raise ValueError(f"size: conv {block} gives {conv_side}×{conv_side}, too small for a 2×2 pool")
        pooled = conv_side // 2
        weights = k * k * channels * width
        total += weights + width
        steps.append(
            f"conv {block}: H = {side} + 2·{p} − {k} + 1 = {conv_side}; params = {k}²·{channels}·{width} + {width} = {weights + width:,}"
        )
        steps.append(f"pool {block}: ⌊{conv_side}/2⌋ = {pooled}, so {width}×{pooled}×{pooled} (no parameters)")
        side, channels = pooled, width
    features = channels * side * side
    linear = features * classes + classes
    total += linear
    steps.append(f"flatten: {channels}·{side}·{side} = {features:,} features")
    steps.append(f"linear: {features:,}·{classes} + {classes} = {linear:,}")
    steps.append(f"total parameters = {total:,}")
    value = (features, total)
    args = (size, c_in, widths, k, p, classes)
    candidates = [
        Misconception("forgot_pooling", _cnn_numbers(*args, pools=0), "left the 2×2 pools out: each halves the height and the width"),
        Misconception("pooled_once", _cnn_numbers(*args, pools=1), "halved the size once; there is a pool after each conv"),
        Misconception("forgot_biases", _cnn_numbers(*args, biases=False), "left out the biases: one per conv output channel and one per class"),
        Misconception("kernel_without_channels", _cnn_numbers(*args, kernel_channels=False), "counted K² weights per filter; a filter spans all input channels, K²·C_in"),
    ]
    if p:
        candidates.append(Misconception("ignored_padding", _cnn_numbers(size, c_in, widths, k, 0, classes), "left out the padding, which adds 2P to each side length"))
    else:
        candidates.append(Misconception("assumed_same_padding", _cnn_numbers(size, c_in, widths, k, k // 2, classes), "kept the size through the convs; without padding each loses K − 1"))
    # a slip that shrinks a side below zero gives no number anyone would type
    return Solution(value, tuple(steps), distinct(value, [m for m in candidates if m.value[0] > 0]))
