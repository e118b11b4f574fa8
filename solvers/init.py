"""Provides weight-initialisation solvers: fans of a weight shape, the He, Xavier, LeCun and PyTorch-default scales, and signal size through depth."""

from __future__ import annotations

import math
from typing import Any

from solvers._core import (
    Misconception,
    Param,
    Solution,
    check_float,
    check_int,
    distinct,
    fmt,
    register,
)

_FAN_IN = Param("fan_in", "int", help="inputs feeding each unit (C_in·K_h·K_w for a conv)")
_FAN_OUT = Param("fan_out", "int", help="units each input feeds (C_out·K_h·K_w for a conv)")
_SLOPE = Param("negative_slope", "float", 0.0, help="leaky ReLU slope a (0 for ReLU)")
_GAIN = Param("gain", "float", 1.0, help="activation gain (1 for linear/sigmoid, 5/3 for tanh)")
_RECEPTIVE = Param(
    "receptive", "int", 1, help="K_h·K_w when the fans count a conv kernel (names the mistake of leaving it out); 1 for Linear"
)


def _without_kernel(receptive: Any, *fans: int) -> tuple[int, ...] | None:
    """The fans with the kernel left out (each divided by K_h·K_w), or None when there is no kernel."""
    receptive = check_int("receptive", receptive, minimum=1)
    if receptive == 1:
        return None
    if any(f % receptive for f in fans):
        raise ValueError(f"receptive: {receptive} must divide the fans {', '.join(map(str, fans))} (they are C·K_h·K_w)")
    return tuple(f // receptive for f in fans)


_NO_KERNEL = "took fan_in = C_in, leaving out the kernel: a conv unit sees C_in·K_h·K_w inputs"


def _fan(name: str, value: Any) -> int:
    return check_int(name, value, minimum=1)


_INPUT_FIGS = 12
"""Figures of a given number (a slope, a gain) in the steps: enough to show it as typed."""

_GAIN_FIGS = 7
"""Figures of a gain shown in the steps: it is used in the next line, whose result is shown to 5,
so that dividing the shown gain gives the shown answer."""


def _he_gain(negative_slope: float) -> float:
    """gain = √(2 / (1 + a²)) = √2/‖(1, a)‖, PyTorch's calculate_gain('leaky_relu', a); √2 for ReLU.

    hypot, not a**2: a huge slope would overflow the square.
    """
    return math.sqrt(2.0) / math.hypot(1.0, negative_slope)


def _gain_line(a: float, gain: float) -> str:
    if a == 0:  # the next line works with √2 itself, not with this decimal
        return f"gain = √2 = {fmt(gain)} (ReLU)"
    a_text = fmt(a, _INPUT_FIGS) if a > 0 else f"({fmt(a, _INPUT_FIGS)})"
    return f"gain = √(2 / (1 + a²)) = √(2 / (1 + {a_text}²)) = {fmt(gain, _GAIN_FIGS)} (leaky ReLU, a = {fmt(a, _INPUT_FIGS)})"


# ---------------------------------------------------------------- fans

_MAX_DIMS = 8
"""Weights have at most 5 dimensions (Conv3d); many more would only multiply sizes into huge integers."""


@register(
    "init.fans",
    params=(Param("shape", "shape", help="weight shape: (out, in) for Linear, (C_out, C_in/groups, K_h, K_w) for Conv2d"),),
    summary="(fan_in, fan_out) of a weight tensor, PyTorch's convention",
    answer="shape",
    parts=("fan_in", "fan_out"),
)
def fans(shape: Any) -> Solution:
    """fan_in = shape[1]·∏shape[2:], fan_out = shape[0]·∏shape[2:] (torch.nn.init._calculate_fan_in_and_fan_out)."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__"):
        raise ValueError(f"shape: expected a tuple of sizes such as (64, 3, 3, 3), got {shape!r}")
    if len(shape) > _MAX_DIMS:
        raise ValueError(f"shape: at most {_MAX_DIMS} dimensions (a Conv3d weight has 5), got {len(shape)}")
    dims = tuple(check_int("shape", d, minimum=1) for d in shape)
    if len(dims) < 2:
        raise ValueError(f"shape: fan_in and fan_out need at least 2 dimensions, got {len(dims)}")
    receptive = math.prod(dims[2:])
    fan_in, fan_out = dims[1] * receptive, dims[0] * receptive
    value = (fan_in, fan_out)
    shape_text = "(" + ", ".join(map(str, dims)) + ")"
    if len(dims) == 2:
        steps = [
            f"a Linear weight is (out, in) = {shape_text}",
            f"fan_in = in = {fan_in}",
            f"fan_out = out = {fan_out}",
        ]
    else:
        kernel = "·".join(map(str, dims[2:]))
        steps = [
            f"a conv weight is (C_out, C_in/groups, kernel…) = {shape_text}",
            f"receptive field size = {kernel} = {receptive}" if len(dims) > 3 else f"receptive field size = {receptive}",
            f"fan_in = C_in·receptive = {dims[1]}·{receptive} = {fan_in}",
            f"fan_out = C_out·receptive = {dims[0]}·{receptive} = {fan_out}",
        ]
    candidates = [
        Misconception("fans_swapped", (fan_out, fan_in), "swapped them: fan_in counts inputs (dim 1), fan_out outputs (dim 0)"),
        Misconception(
            "forgot_receptive_field",
            (dims[1], dims[0]),
            "left out the kernel: both fans multiply a channel count by the receptive-field size K_h·K_w",
        ),
    ]
    return Solution(value, tuple(steps), distinct(value, candidates))


# ---------------------------------------------------------------- He / Kaiming


@register(
    "init.he_std",
    params=(_FAN_IN, _SLOPE, _RECEPTIVE),
    summary="He (Kaiming) normal std = gain/√fan_in, gain = √(2/(1 + a²)); √(2/fan_in) for ReLU",
    answer="float",
)
def he_std(fan_in: Any, negative_slope: Any = 0.0, receptive: Any = 1) -> Solution:
    """std = gain / √fan_in with gain = √(2 / (1 + a²)) (kaiming_normal_, mode fan_in)."""
    fan_in = _fan("fan_in", fan_in)
    a = check_float("negative_slope", negative_slope)
    gain = _he_gain(a)
    value = gain / math.sqrt(fan_in)
    steps = [
        "std = gain / √fan_in, gain = √(2 / (1 + a²))",
        _gain_line(a, gain),
        f"std = √2 / √{fan_in} = √(2/{fan_in}) = {fmt(value)}" if a == 0 else f"std = {fmt(gain, _GAIN_FIGS)} / √{fan_in} = {fmt(value)}",
    ]
    candidates = [
        Misconception("forgot_sqrt", gain * gain / fan_in, "gave the variance gain²/fan_in, not the standard deviation"),
        Misconception("forgot_gain", 1 / math.sqrt(fan_in), "left out the gain: 1/√fan_in is LeCun's std"),
        Misconception("uniform_bound_as_std", gain * math.sqrt(3 / fan_in), "gave the uniform bound gain·√(3/fan_in)"),
        Misconception("ignored_negative_slope", math.sqrt(2 / fan_in), "used the ReLU gain √2 despite the leaky slope"),
    ]
    no_kernel = _without_kernel(receptive, fan_in)
    if no_kernel:
        candidates.insert(0, Misconception("fan_in_without_kernel", gain / math.sqrt(no_kernel[0]), _NO_KERNEL))
    return Solution(value, tuple(steps), distinct(value, candidates))


@register(
    "init.he_uniform_bound",
    params=(_FAN_IN, _SLOPE),
    summary="He (Kaiming) uniform bound b = gain·√(3/fan_in); √(6/fan_in) for ReLU",
    answer="float",
)
def he_uniform_bound(fan_in: Any, negative_slope: Any = 0.0) -> Solution:
    """bound = gain·√(3 / fan_in), gain = √(2 / (1 + a²)); U(−b, b) then has std gain/√fan_in (kaiming_uniform_)."""
    fan_in = _fan("fan_in", fan_in)
    a = check_float("negative_slope", negative_slope)
    gain = _he_gain(a)
    value = gain * math.sqrt(3 / fan_in)
    steps = [
        "bound = gain·√(3 / fan_in), so that U(−bound, bound) has std bound/√3 = gain/√fan_in",
        _gain_line(a, gain),
        f"bound = √2·√(3/{fan_in}) = √(6/{fan_in}) = {fmt(value)}"
        if a == 0
        else f"bound = {fmt(gain, _GAIN_FIGS)}·√(3/{fan_in}) = {fmt(value)}",
    ]
    candidates = [
        Misconception("std_as_uniform_bound", gain / math.sqrt(fan_in), "gave the std gain/√fan_in; the bound is √3 times larger"),
        Misconception("forgot_sqrt", 3 * gain * gain / fan_in, "forgot the square root"),
        Misconception("forgot_gain", math.sqrt(3 / fan_in), "left out the gain"),
        Misconception("ignored_negative_slope", math.sqrt(6 / fan_in), "used the ReLU gain √2 despite the leaky slope"),
    ]
    return Solution(value, tuple(steps), distinct(value, candidates))


# ---------------------------------------------------------------- Xavier / Glorot


def _scaled(name: str, gain: float, scale: float, what: str) -> float:
    """gain·scale, or ValueError naming ``name`` when the product leaves float range."""
    value = gain * scale
    if not (math.isfinite(value) and value > 0):
        size, result = ("large", "overflows") if gain > 1 else ("small", "rounds to 0")
        raise ValueError(f"{name}: {fmt(gain)} is too {size}: the {what} {fmt(gain)}·{fmt(scale)} {result}")
    return value


@register(
    "init.xavier_std",
    params=(_FAN_IN, _FAN_OUT, _GAIN, _RECEPTIVE),
    summary="Xavier (Glorot) normal std = gain·√(2/(fan_in + fan_out))",
    answer="float",
)
def xavier_std(fan_in: Any, fan_out: Any, gain: Any = 1.0, receptive: Any = 1) -> Solution:
    """std = gain·√(2 / (fan_in + fan_out)) (xavier_normal_)."""
    fan_in = _fan("fan_in", fan_in)
    fan_out = _fan("fan_out", fan_out)
    gain = check_float("gain", gain, positive=True)
    total = fan_in + fan_out
    value = _scaled("gain", gain, math.sqrt(2 / total), "std")
    steps = [
        "std = gain·√(2 / (fan_in + fan_out))",
        f"std = {fmt(gain, _INPUT_FIGS)}·√(2 / ({fan_in} + {fan_out})) = {fmt(gain, _INPUT_FIGS)}·√(2/{total}) = {fmt(value)}",
    ]
    candidates = [
        Misconception(
            "xavier_fan_in_only",
            gain * math.sqrt(1 / fan_in),
            "used √(1/fan_in), as some interview notes do; that is LeCun's std, Xavier averages fan_in and fan_out",
        ),
        Misconception("forgot_sqrt", gain * gain * 2 / total, "gave the variance, not the standard deviation"),
        Misconception("uniform_bound_as_std", gain * math.sqrt(6 / total), "gave the uniform bound gain·√(6/(fan_in + fan_out))"),
        Misconception("forgot_factor_two", gain * math.sqrt(1 / total), "used √(1/(fan_in + fan_out)); the variance is 2/(fan_in + fan_out)"),
        Misconception("he_instead", math.sqrt(2 / fan_in), "gave He's √(2/fan_in), meant for ReLU"),
        Misconception("ignored_gain", math.sqrt(2 / total), "left out the gain"),
    ]
    no_kernel = _without_kernel(receptive, fan_in, fan_out)
    if no_kernel:
        candidates.insert(
            0,
            Misconception(
                "fan_in_without_kernel",
                gain * math.sqrt(2 / sum(no_kernel)),
                "took fan_in = C_in and fan_out = C_out, leaving out the kernel: both are multiplied by K_h·K_w",
            ),
        )
    return Solution(value, tuple(steps), distinct(value, candidates))


@register(
    "init.xavier_uniform_bound",
    params=(_FAN_IN, _FAN_OUT, _GAIN),
    summary="Xavier (Glorot) uniform bound b = gain·√(6/(fan_in + fan_out))",
    answer="float",
)
def xavier_uniform_bound(fan_in: Any, fan_out: Any, gain: Any = 1.0) -> Solution:
    """bound = gain·√(6 / (fan_in + fan_out)) (xavier_uniform_); U(−b, b) has the Xavier std b/√3."""
    fan_in = _fan("fan_in", fan_in)
    fan_out = _fan("fan_out", fan_out)
    gain = check_float("gain", gain, positive=True)
    total = fan_in + fan_out
    value = _scaled("gain", gain, math.sqrt(6 / total), "bound")
    steps = [
        "bound = gain·√(6 / (fan_in + fan_out)), so that U(−bound, bound) has std gain·√(2/(fan_in + fan_out))",
        f"bound = {fmt(gain, _INPUT_FIGS)}·√(6 / ({fan_in} + {fan_out})) = {fmt(gain, _INPUT_FIGS)}·√(6/{total}) = {fmt(value)}",
    ]
    candidates = [
        Misconception("std_as_uniform_bound", gain * math.sqrt(2 / total), "gave the Xavier std; the bound is √3 times larger"),
        Misconception(
            "xavier_fan_in_only",
            gain * math.sqrt(3 / fan_in),
            "used fan_in only (LeCun's √(1/n), a common mix-up); Xavier uses fan_in + fan_out",
        ),
        Misconception("forgot_sqrt", gain * gain * 6 / total, "forgot the square root"),
        Misconception("ignored_gain", math.sqrt(6 / total), "left out the gain"),
    ]
    return Solution(value, tuple(steps), distinct(value, candidates))


# ---------------------------------------------------------------- LeCun and PyTorch's default


@register(
    "init.lecun_std",
    params=(_FAN_IN,),
    summary="LeCun normal std = 1/√fan_in (for SELU)",
    answer="float",
)
def lecun_std(fan_in: Any) -> Solution:
    """std = √(1 / fan_in) = 1/√fan_in."""
    fan_in = _fan("fan_in", fan_in)
    value = 1 / math.sqrt(fan_in)
    steps = ["std = 1/√fan_in", f"std = 1/√{fan_in} = {fmt(value)}"]
    candidates = [
        Misconception("forgot_sqrt", 1 / fan_in, "gave the variance 1/fan_in, not the standard deviation"),
        Misconception("he_instead", math.sqrt(2 / fan_in), "gave He's √(2/fan_in); LeCun has no factor 2"),
        Misconception("uniform_bound_as_std", math.sqrt(3 / fan_in), "gave the uniform bound √(3/fan_in)"),
    ]
    return Solution(value, tuple(steps), distinct(value, candidates))


@register(
    "init.default_uniform_bound",
    params=(_FAN_IN, _RECEPTIVE),
    summary="PyTorch's default Linear/Conv init: U(−b, b) with b = 1/√fan_in (std 1/√(3·fan_in))",
    answer="float",
)
def default_uniform_bound(fan_in: Any, receptive: Any = 1) -> Solution:
    """bound = 1/√fan_in: kaiming_uniform_ with a = √5, gain √(1/3), bound gain·√(3/fan_in)."""
    fan_in = _fan("fan_in", fan_in)
    value = 1 / math.sqrt(fan_in)
    std = 1 / math.sqrt(3 * fan_in)
    steps = [
        "PyTorch initialises nn.Linear and nn.Conv* weights with kaiming_uniform_(a = √5)",
        f"gain = √(2 / (1 + a²)) = √(2 / (1 + 5)) = √(1/3) = {fmt(math.sqrt(1 / 3))}",
        f"bound = gain·√(3 / fan_in) = √(1/3)·√(3/{fan_in}) = 1/√{fan_in} = {fmt(value)}",
        f"its std is bound/√3 = 1/√(3·fan_in) = 1/√{3 * fan_in} = {fmt(std)}",
        f"the bias is drawn from U(−1/√fan_in, 1/√fan_in) as well: the same bound {fmt(value)}",
    ]
    candidates = [
        Misconception("he_uniform_instead", math.sqrt(6 / fan_in), "gave the ReLU He bound √(6/fan_in); the default uses a = √5"),
        Misconception("std_as_bound", std, "gave the std 1/√(3·fan_in); the bound is √3 times larger"),
        Misconception("forgot_sqrt", 1 / fan_in, "forgot the square root"),
    ]
    no_kernel = _without_kernel(receptive, fan_in)
    if no_kernel:
        candidates.insert(0, Misconception("fan_in_without_kernel", 1 / math.sqrt(no_kernel[0]), _NO_KERNEL))
    return Solution(value, tuple(steps), distinct(value, candidates))


# ---------------------------------------------------------------- signal through depth


_ACTIVATION = Param("activation", "str", "relu", help="between layers: relu or linear", choices=("relu", "linear"))


def _second_moment_kept(activation: Any) -> float:
    """c = E[f(z)²]/E[z²] for a symmetric z: ½ for ReLU (half the units are zeroed), 1 for linear."""
    if activation not in ("relu", "linear"):
        raise ValueError(f"activation: expected relu or linear, got {activation!r}")
    return 0.5 if activation == "relu" else 1.0


@register(
    "init.signal_std",
    params=(
        Param("width", "int", help="n: the inputs of every layer (a plain MLP of equal widths)"),
        Param("weight_std", "float", help="σ: weights drawn from N(0, σ²), biases 0"),
        Param("layers", "int", help="L: the pre-activation of the L-th layer is asked"),
        _ACTIVATION,
    ),
    summary="std of layer L's pre-activations in a deep MLP: E[z_L²] = nσ²·(nσ²·c)^(L−1), c = ½ for ReLU, 1 for linear",
    answer="float",
)
def signal_std(width: Any, weight_std: Any, layers: Any, activation: Any = "relu") -> Solution:
    """For unit-second-moment inputs, z₁ = W₁x has E[z₁²] = nσ²; each later layer multiplies the second
    moment by nσ²·c, with c = E[f(z)²]/E[z²] = ½ for ReLU on a symmetric z and 1 for a linear layer.
    So E[z_L²] = nσ²·(nσ²c)^(L−1) and the std is its square root (the mean field picture He et al. use).
    """
    n = check_int("width", width, minimum=1)
    sigma = check_float("weight_std", weight_std, positive=True)
    depth = check_int("layers", layers, minimum=1)
    c = _second_moment_kept(activation)
    gain = n * sigma * sigma
    try:
        second = gain * (gain * c) ** (depth - 1)
    except OverflowError:
        second = math.inf
    value = math.sqrt(second)
    if not (math.isfinite(value) and value > 0):
        raise ValueError("layers: the signal overflows or vanishes below float range; use fewer layers")
    per = "½ (a ReLU keeps half of a symmetric signal's second moment)" if c == 0.5 else "1 (linear)"
    steps = (
        f"layer 1: E[z₁²] = n·σ²·E[x²] = {n}·{fmt(sigma, _INPUT_FIGS)}² = {fmt(gain)} (unit-second-moment inputs)",
        f"each later layer multiplies it by n·σ²·c with c = {per}: {fmt(gain)}·{fmt(c)} = {fmt(gain * c)}",
        f"E[z_L²] = {fmt(gain)}·{fmt(gain * c)}^{depth - 1} = {fmt(second)}",
        f"std = √E[z_L²] = {fmt(value)}",
    )
    candidates = [
        Misconception("variance_not_std", second, "gave the second moment E[z_L²], not the standard deviation"),
        Misconception("forgot_relu_half", math.sqrt(gain**depth), "left out the ½ a ReLU takes from the second moment at every layer"),
        Misconception("one_layer_too_many", math.sqrt(second * gain * c), f"applied the per-layer factor {depth} times; layer 1 has no activation before it"),
        Misconception("std_factor_not_squared", math.sqrt(gain) * (gain * c) ** (depth - 1), "multiplied the std by n·σ²·c per layer; that factor applies to the variance"),
    ]
    finite = [m for m in candidates if math.isfinite(m.value) and m.value > 0]
    return Solution(value, steps, distinct(value, finite))



# ---------------------------------------------------------------- vanishing-gradient depth


@register(
    "init.vanishing_depth",
    params=(
        Param("width", "int", help="n: the units of every layer (a plain MLP of equal widths)"),
        Param("weight_std", "float", help="σ: weights drawn from N(0, σ²)"),
        Param("threshold", "float", help="t: the gradient counts as vanished once its std is at most t times its size at the top"),
        _ACTIVATION,
    ),
    summary="fewest layers L the gradient crosses before its std falls to t of its size: q = nσ²c, smallest L with q^(L/2) ≤ t",
    answer="int",
)
def vanishing_depth(width: Any, weight_std: Any, threshold: Any, activation: Any = "relu") -> Solution:
    """Going down one layer multiplies the gradient's second moment by q = n·σ²·c (c = ½ for ReLU, 1 for
    linear; equal widths so fan_out = fan_in = n), so after L layers its std is q^(L/2) times the top's.
    L = the smallest integer with q^(L/2) ≤ t, that is L ≥ 2·ln t / ln q (q < 1 and t < 1).
    """
    n = check_int("width", width, minimum=1)
    sigma = check_float("weight_std", weight_std, positive=True)
    t = check_float("threshold", threshold, positive=True)
    if not t < 1:
        raise ValueError(f"threshold: expected a fraction below 1, got {fmt(t)}")
    c = _second_moment_kept(activation)
    q = n * sigma * sigma * c
    if not q < 1:
        raise ValueError(f"weight_std: n·σ²·c = {fmt(q)} is not below 1, so the gradient does not vanish (it keeps its size or grows)")
    if q <= 0:
        raise ValueError("weight_std: n·σ² underflows to 0; use a larger std")

    def depth(log_ratio: float) -> int:
        # a ratio within float noise of a whole number counts as reaching t at that layer
        return max(1, math.ceil(log_ratio - 1e-9))

    exact = 2 * math.log(t) / math.log(q)
    value = depth(exact)
    if value > 10**6:
        raise ValueError("weight_std: the gradient takes over a million layers to vanish; use a smaller std")
    per = "½ (a ReLU passes the gradient of half the units)" if c == 0.5 else "1 (linear)"
    steps = (
        f"one layer down multiplies the gradient's second moment by q = n·σ²·c, c = {per}",
        f"q = {n}·{fmt(sigma, _INPUT_FIGS)}²·{fmt(c)} = {fmt(q)}",
        f"after L layers the std is q^(L/2) = {fmt(math.sqrt(q))}^L times the top's",
        f"q^(L/2) ≤ {fmt(t, _INPUT_FIGS)} ⇔ L ≥ 2·ln {fmt(t, _INPUT_FIGS)} / ln {fmt(q)} = {fmt(exact)}",
        f"L = {value} layers",
    )
    q_linear = n * sigma * sigma
    candidates = [
        Misconception("variance_not_std", depth(math.log(t) / math.log(q)), "treated q as the std's factor; q multiplies the variance, the std shrinks by √q per layer"),
        Misconception(
            "forgot_relu_half",
            depth(2 * math.log(t) / math.log(q_linear)) if 0 < q_linear < 1 else math.inf,
            "left out the ½ a ReLU takes from the second moment at every layer",
        ),
        Misconception("rounded_down", max(1, math.floor(exact + 1e-9)) if value > 1 else value, "stopped one layer short: at that depth the gradient is still above the threshold"),
    ]
    return Solution(value, steps, distinct(value, candidates))
