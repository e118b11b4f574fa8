"""Provides normalisation-layer solvers in PyTorch's form: BatchNorm (train and eval), LayerNorm, RMSNorm, parameter and buffer counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from solvers._core import (
    Misconception,
    Param,
    Solution,
    check_array,
    check_bool,
    check_float,
    check_int,
    distinct,
    register,
    show_array,
    show_number,
    show_term,
)

MAX_ENTRIES = 4096
"""The most numbers in x: the steps write every mean and variance out."""

# The outputs are "array" answers: a vector when x is one vector, a matrix when x has rows, so a
# drill asks for the form that fits what it gives (form: vector or matrix).

FLOAT32_EPS = 2.0**-23
"""torch.finfo(torch.float32).eps: what nn.RMSNorm uses when eps is None and the input is float32."""

_FIGS = 6


def _n(x: Any) -> str:
    return show_number(x, _FIGS)


def _a(x: Any) -> str:
    return show_array(x, _FIGS)


def _input(x: Any) -> tuple[np.ndarray, bool]:
    """x as an N×C float matrix, and whether it was given as one feature (a vector of N values)."""
    arr = check_array("x", x, (1, 2), "a vector (one feature over the batch) or a matrix (rows = examples)", max_entries=MAX_ENTRIES)
    return (arr[:, None], True) if arr.ndim == 1 else (arr, False)


def _per_feature(name: str, value: Any, width: int, default: float) -> np.ndarray:
    """γ, β or a running statistic: one number for every feature, or a list of ``width`` numbers."""
    import numpy as np

    if value is None:
        return np.full(width, default)
    arr = check_array(name, value, (0, 1), "a number or one number per feature")
    if arr.ndim == 0:
        return np.full(width, float(arr))
    if arr.size != width:
        raise ValueError(f"{name}: has {arr.size} numbers but x has {width} feature{'s' if width != 1 else ''}")
    return arr


def _eps(value: Any) -> float:
    return check_float("eps", value, positive=True)


def _shape_back(arr: np.ndarray, one: bool) -> Any:
    """A result in the shape x was given: a vector of N values for one feature, else N×C."""
    return arr[:, 0] if one else arr


def _stat_back(arr: np.ndarray, one: bool) -> Any:
    return float(arr[0]) if one else arr


def _normalise(x: np.ndarray, mean: np.ndarray, var: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """γ·(x − mean)/√(var + ε) + β, broadcast over rows."""
    import numpy as np

    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def _affine_text(gamma: np.ndarray, beta: np.ndarray) -> str:
    if (gamma == 1).all() and (beta == 0).all():
        return "γ = 1, β = 0 (PyTorch's initial values)"
    return f"γ = {_a(gamma)}, β = {_a(beta)}"


_GAMMA = Param("gamma", "point", None, help="scale γ per feature (default 1)")
_BETA = Param("beta", "point", None, help="shift β per feature (default 0)")
_EPS = Param("eps", "float", 1e-5, help="ε added to the variance")


# ---------------------------------------------------------------- BatchNorm


@register(
    "norm.batchnorm_train",
    params=(
        Param("x", "vector", help="the batch: rows are examples, columns features (a vector: one feature)"),
        _GAMMA,
        _BETA,
        Param("running_mean", "point", None, help="running mean before the step (default 0)"),
        Param("running_var", "point", None, help="running variance before the step (default 1)"),
        Param("momentum", "float", 0.1, help="PyTorch's momentum: new = (1 − m)·old + m·batch"),
        _EPS,
    ),
    summary="BatchNorm in training mode: normalise with the batch's biased variance, update the running stats with the unbiased one",
    answer="tuple",
    parts=("output", "running_mean", "running_var"),
)
def batchnorm_train(
    x: Any, gamma: Any = None, beta: Any = None, running_mean: Any = None, running_var: Any = None, momentum: Any = 0.1, eps: Any = 1e-5
) -> Solution:
    """nn.BatchNorm1d in train mode: (output, new running mean, new running var).

    μ = mean over the batch, σ² = biased variance (÷N); y = γ(x − μ)/√(σ² + ε) + β;
    running_mean ← (1 − m)·running_mean + m·μ; running_var ← (1 − m)·running_var + m·σ²·N/(N − 1).
    """

    arr, one = _input(x)
    n, c = arr.shape
    if n < 2:
        raise ValueError("x: training-mode BatchNorm needs at least 2 examples per feature (PyTorch refuses one)")
    g = _per_feature("gamma", gamma, c, 1.0)
    b = _per_feature("beta", beta, c, 0.0)
    rm = _per_feature("running_mean", running_mean, c, 0.0)
    rv = _per_feature("running_var", running_var, c, 1.0)
    if (rv < 0).any():
        raise ValueError("running_var: a variance cannot be negative")
    m = check_float("momentum", momentum)
    if not 0.0 < m <= 1.0:
        raise ValueError(f"momentum: must be in (0, 1], got {_n(m)}")
    eps = _eps(eps)

    mean = arr.mean(axis=0)
    var = arr.var(axis=0)
    unbiased = var * n / (n - 1)
    out = _normalise(arr, mean, var, g, b, eps)
    new_rm = (1 - m) * rm + m * mean
    new_rv = (1 - m) * rv + m * unbiased
    value = (_shape_back(out, one), _stat_back(new_rm, one), _stat_back(new_rv, one))

    steps = [
        f"train mode: statistics of this batch, per feature over the N = {n} examples; {_affine_text(g, b)}",
        f"μ = {_a(mean if not one else mean[0])}",
        f"σ² (biased, ÷N) = {_a(var if not one else var[0])}; this one normalises",
        f"y = γ·(x − μ)/√(σ² + {_n(eps)}) + β = {_a(value[0])}",
        f"running_mean ← (1 − {_n(m)})·{_a(rm if not one else rm[0])} + {_n(m)}·μ = {_a(value[1])}",
        f"unbiased variance (÷(N − 1)) = σ²·{n}/{n - 1} = {_a(unbiased if not one else unbiased[0])}; the running variance stores this one",
        f"running_var ← (1 − {_n(m)})·{_a(rv if not one else rv[0])} + {_n(m)}·{_a(unbiased if not one else unbiased[0])} = {_a(value[2])}",
    ]

    def variant(output: np.ndarray = out, mean_: np.ndarray = new_rm, var_: np.ndarray = new_rv) -> tuple[Any, Any, Any]:
        return (_shape_back(output, one), _stat_back(mean_, one), _stat_back(var_, one))

    wrong = [
        Misconception("biased_running_var", variant(var_=(1 - m) * rv + m * var), "updated the running variance with the biased (÷N) variance; PyTorch stores the unbiased one (÷(N − 1))"),
        Misconception("unbiased_var_normalised", variant(output=_normalise(arr, mean, unbiased, g, b, eps)), "normalised with the unbiased variance; the batch itself is normalised with the biased one (÷N)"),
        Misconception(
            "momentum_flipped",
            variant(mean_=m * rm + (1 - m) * mean, var_=m * rv + (1 - m) * unbiased),
            "kept m of the old value; PyTorch's momentum is the weight of the new batch: (1 − m)·old + m·new",
        ),
        Misconception("used_running_stats", variant(output=_normalise(arr, rm, rv, g, b, eps)), "normalised with the running statistics; in training mode BatchNorm uses the batch's own"),
    ]
    if not ((g == 1).all() and (b == 0).all()):
        wrong.append(Misconception("forgot_affine", variant(output=_normalise(arr, mean, var, 1.0, 0.0, eps)), "left out γ and β"))
    return Solution(value, tuple(steps), distinct(value, wrong))


@register(
    "norm.batchnorm_eval",
    params=(
        Param("x", "vector", help="the batch: rows are examples, columns features (a vector: one feature)"),
        Param("running_mean", "point", help="the stored running mean per feature"),
        Param("running_var", "point", help="the stored running variance per feature"),
        _GAMMA,
        _BETA,
        _EPS,
    ),
    summary="BatchNorm in eval mode: y = γ(x − running_mean)/√(running_var + ε) + β; the batch's statistics are not used",
    answer="array",
)
def batchnorm_eval(x: Any, running_mean: Any, running_var: Any, gamma: Any = None, beta: Any = None, eps: Any = 1e-5) -> Solution:
    """nn.BatchNorm1d after .eval(): y = γ·(x − running_mean)/√(running_var + ε) + β, every example on its own."""
    arr, one = _input(x)
    c = arr.shape[1]
    g = _per_feature("gamma", gamma, c, 1.0)
    b = _per_feature("beta", beta, c, 0.0)
    rm = _per_feature("running_mean", running_mean, c, 0.0)
    rv = _per_feature("running_var", running_var, c, 1.0)
    if (rv < 0).any():
        raise ValueError("running_var: a variance cannot be negative")
    eps = _eps(eps)
    out = _normalise(arr, rm, rv, g, b, eps)
    value = _shape_back(out, one)
    steps = [
        f"eval mode: the stored statistics, not the batch's; {_affine_text(g, b)}",
        f"y = γ·(x − {_a(rm) if not one else show_term(rm[0], _FIGS)})/√({_a(rv if not one else rv[0])} + {_n(eps)}) + β = {_a(value)}",
    ]
    wrong = [Misconception("divided_by_variance", _shape_back(g * (arr - rm) / (rv + eps) + b, one), "divided by the variance; divide by the standard deviation √(var + ε)")]
    if arr.shape[0] > 1:
        wrong.insert(0, Misconception("used_batch_stats", _shape_back(_normalise(arr, arr.mean(axis=0), arr.var(axis=0), g, b, eps), one),
                                      "normalised with the batch's mean and variance, as in training; in eval mode the running statistics are used"))
    if not ((g == 1).all() and (b == 0).all()):
        wrong.append(Misconception("forgot_affine", _shape_back(_normalise(arr, rm, rv, 1.0, 0.0, eps), one), "left out γ and β"))
    return Solution(value, tuple(steps), distinct(value, wrong))


# ---------------------------------------------------------------- LayerNorm and RMSNorm


def _rows(x: Any) -> tuple[np.ndarray, bool]:
    """x as rows of features (one token a row); a vector is one row."""
    arr = check_array("x", x, (1, 2), "a vector (one token's features) or a matrix (one token a row)", max_entries=MAX_ENTRIES)
    return (arr[None, :], True) if arr.ndim == 1 else (arr, False)


def _row_back(arr: np.ndarray, one: bool) -> Any:
    return arr[0] if one else arr


@register(
    "norm.layernorm",
    params=(
        Param("x", "vector", help="one token a row (a vector: one token)"),
        _GAMMA,
        _BETA,
        _EPS,
    ),
    summary="LayerNorm over the last dimension: each row normalised by its own mean and biased variance",
    answer="array",
)
def layernorm(x: Any, gamma: Any = None, beta: Any = None, eps: Any = 1e-5) -> Solution:
    """nn.LayerNorm(d): per row μ = mean(x), σ² = mean((x − μ)²) (biased); y = γ(x − μ)/√(σ² + ε) + β.

    The same in training and eval: no running statistics.
    """
    arr, one = _rows(x)
    d = arr.shape[1]
    if d < 2:
        raise ValueError("x: a row of one feature normalises to β whatever it is; give at least 2 features")
    g = _per_feature("gamma", gamma, d, 1.0)
    b = _per_feature("beta", beta, d, 0.0)
    eps = _eps(eps)
    mean = arr.mean(axis=1, keepdims=True)
    var = arr.var(axis=1, keepdims=True)
    out = _normalise(arr, mean, var, g, b, eps)
    value = _row_back(out, one)
    steps = [
        f"LayerNorm normalises each token over its d = {d} features (the last dimension), the same in train and eval; {_affine_text(g, b)}",
        f"μ per row = {_a(mean[:, 0])}",
        f"σ² per row (biased, ÷d) = {_a(var[:, 0])}",
        f"y = γ·(x − μ)/√(σ² + {_n(eps)}) + β = {_a(value)}",
    ]
    wrong = [Misconception("unbiased_var", _row_back(_normalise(arr, mean, var * d / (d - 1), g, b, eps), one), "used the unbiased variance (÷(d − 1)); LayerNorm divides by d")]
    if arr.shape[0] > 1:
        wrong.append(Misconception("normalised_over_batch", _row_back(_normalise(arr, arr.mean(axis=0), arr.var(axis=0), g, b, eps), one),
                                   "normalised each feature over the rows (BatchNorm's axis); LayerNorm normalises each row over its features"))
    if not ((g == 1).all() and (b == 0).all()):
        wrong.append(Misconception("forgot_affine", _row_back(_normalise(arr, mean, var, 1.0, 0.0, eps), one), "left out γ and β"))
    return Solution(value, tuple(steps), distinct(value, wrong))


@register(
    "norm.rmsnorm",
    params=(
        Param("x", "vector", help="one token a row (a vector: one token)"),
        _GAMMA,
        Param("eps", "float", None, help="ε added to the mean square (default: float32's machine epsilon, as nn.RMSNorm)"),
    ),
    summary="RMSNorm over the last dimension: y = γ·x/√(mean(x²) + ε), no mean subtracted, no β",
    answer="array",
)
def rmsnorm(x: Any, gamma: Any = None, eps: Any = None) -> Solution:
    """nn.RMSNorm(d): per row RMS = √(mean(x²) + ε); y = γ·x/RMS. No centring, no shift."""
    import numpy as np

    arr, one = _rows(x)
    d = arr.shape[1]
    g = _per_feature("gamma", gamma, d, 1.0)
    eps = FLOAT32_EPS if eps is None else _eps(eps)
    ms = (arr**2).mean(axis=1, keepdims=True)
    if (ms == 0).any():
        raise ValueError("x: a row of zeros has no scale to normalise")
    rms = np.sqrt(ms + eps)
    out = g * arr / rms
    value = _row_back(out, one)
    steps = [
        f"RMSNorm rescales each token over its d = {d} features: no mean is subtracted and there is no β; γ = {_a(g)}",
        f"mean(x²) per row = {_a(ms[:, 0])}",
        f"RMS = √(mean(x²) + ε) = {_a(rms[:, 0])}",
        f"y = γ·x/RMS = {_a(value)}",
    ]
    centred = arr - arr.mean(axis=1, keepdims=True)
    wrong = [
        Misconception("subtracted_mean", _row_back(g * centred / np.sqrt((centred**2).mean(axis=1, keepdims=True) + eps), one),
                      "subtracted the mean as LayerNorm does; RMSNorm only divides by the root mean square"),
        Misconception("divided_by_l2_norm", _row_back(g * arr / np.sqrt((arr**2).sum(axis=1, keepdims=True) + eps), one),
                      "divided by the L2 norm √Σx²; the RMS is √(Σx²/d), so the result is √d times larger"),
        Misconception("forgot_sqrt", _row_back(g * arr / (ms + eps), one), "divided by the mean square; divide by its root"),
    ]
    return Solution(value, tuple(steps), distinct(value, wrong))


# ---------------------------------------------------------------- parameters and buffers

_KINDS = ("batchnorm", "layernorm", "rmsnorm")


@register(
    "norm.param_count",
    params=(
        Param("kind", "str", help="batchnorm (BatchNorm1d/2d/3d), layernorm or rmsnorm", choices=_KINDS),
        Param("features", "int", help="C for BatchNorm, d (the normalised size) for LayerNorm/RMSNorm"),
        Param("affine", "bool", True, help="learnable γ (and β): affine / elementwise_affine"),
        Param("bias", "bool", True, help="LayerNorm's bias: β (False: γ only)"),
        Param("track_running_stats", "bool", True, help="BatchNorm keeps running mean/var (and a batch counter)"),
    ),
    summary="trainable parameters and buffers of a normalisation layer (BatchNorm: 2C and 2C + 1)",
    answer="dict",
    parts=("parameters", "buffers"),
)
def param_count(kind: Any, features: Any, affine: Any = True, bias: Any = True, track_running_stats: Any = True) -> Solution:
    """Parameters and buffer entries of nn.BatchNorm*d(C), nn.LayerNorm(d) or nn.RMSNorm(d).

    BatchNorm: γ, β (2C) if affine; buffers running_mean, running_var (C each) and num_batches_tracked (1).
    LayerNorm: γ (d) and β (d, unless bias=False); no buffers. RMSNorm: γ (d); no buffers.
    """
    if kind not in _KINDS:
        raise ValueError(f"kind: expected one of {', '.join(_KINDS)}, got {kind!r}")
    c = check_int("features", features, minimum=1)
    affine = check_bool("affine", affine)
    bias = check_bool("bias", bias)
    track = check_bool("track_running_stats", track_running_stats)
    wrong: list[Misconception] = []
    if kind == "batchnorm":
        params = 2 * c if affine else 0
        buffers = 2 * c + 1 if track else 0
        steps = [
            f"γ and β, one each per channel: {'2·' + str(c) + ' = ' + str(params) if affine else 'none (affine=False)'} trainable parameters",
            (f"buffers (saved in the state_dict, not trained): running_mean and running_var, {c} each, and num_batches_tracked, 1: "
             f"2·{c} + 1 = {buffers}") if track else "no buffers (track_running_stats=False)",
        ]
        if track:
            wrong += [
                Misconception("running_stats_as_parameters", {"parameters": params + 2 * c, "buffers": 1}, "counted the running mean and variance as parameters; they are buffers, updated without gradients"),
                Misconception("forgot_batch_counter", {"parameters": params, "buffers": 2 * c}, "left out num_batches_tracked, a one-number buffer"),
            ]
        if affine:
            wrong.append(Misconception("gamma_only", {"parameters": c, "buffers": buffers}, "counted γ only; BatchNorm learns a shift β as well"))
    else:
        has_beta = kind == "layernorm" and bias
        params = (c * (2 if has_beta else 1)) if affine else 0
        buffers = 0
        what = "γ and β" if has_beta else "γ only" + (" (bias=False)" if kind == "layernorm" else " (RMSNorm has no β)")
        steps = [
            f"{what}, one per normalised feature: {params} trainable parameters" if affine else "no parameters (elementwise_affine=False)",
            "no buffers: the statistics come from each input, in training and eval alike",
        ]
        if affine:
            wrong.append(Misconception("running_stats_like_batchnorm", {"parameters": params, "buffers": 2 * c + 1}, "gave it BatchNorm's running statistics; it computes its statistics from each input and stores none"))
            if has_beta:
                wrong.append(Misconception("gamma_only", {"parameters": c, "buffers": 0}, "counted γ only; LayerNorm learns a shift β as well"))
            else:
                wrong.append(Misconception("added_beta", {"parameters": 2 * c, "buffers": 0}, "added a β" + (" that bias=False leaves out" if kind == "layernorm" else "; RMSNorm has a scale only")))
    value = {"parameters": params, "buffers": buffers}
    return Solution(value, tuple(steps), distinct(value, wrong))


_COUNTS = ("parameters", "buffers", "state_dict")


@register(
    "norm.stack_count",
    params=(
        Param("batchnorm", "int", 0, help="C of an nn.BatchNorm2d(C) (0: none)"),
        Param("layernorm", "shape", None, help="normalized_shape of an nn.LayerNorm, e.g. 64x8x8 (none: no LayerNorm)"),
        Param("elementwise_affine", "bool", True, help="the LayerNorm learns γ (and β)"),
        Param("bias", "bool", True, help="the LayerNorm learns β (only with elementwise_affine)"),
        Param("rmsnorm", "int", 0, help="d of an nn.RMSNorm(d) (0: none)"),
    ),
    summary="trainable parameters, buffers and state_dict numbers of BatchNorm2d(C) + LayerNorm(shape) + RMSNorm(d) together",
    answer="dict",
    parts=_COUNTS,
)
def stack_count(batchnorm: Any = 0, layernorm: Any = None, elementwise_affine: Any = True, bias: Any = True, rmsnorm: Any = 0) -> Solution:
    """Counts of several norms together (defaults: affine, tracking running statistics).

    BatchNorm2d(C): 2C parameters (γ, β), 2C + 1 buffers (running mean and var, num_batches_tracked).
    LayerNorm(shape): γ and β each of the whole normalized_shape, ∏shape numbers (β only with bias,
    neither without elementwise_affine); no buffers. RMSNorm(d): γ, d numbers. state_dict = parameters + buffers.
    """
    import math

    c = check_int("batchnorm", batchnorm, minimum=0)
    shape = None if layernorm is None else tuple(check_int("layernorm", n, minimum=1) for n in layernorm)
    if shape is not None and not shape:
        raise ValueError("layernorm: give the normalized_shape, at least one size")
    affine = check_bool("elementwise_affine", elementwise_affine)
    bias = check_bool("bias", bias)
    d = check_int("rmsnorm", rmsnorm, minimum=0)
    if not c and shape is None and not d:
        raise ValueError("give at least one layer: batchnorm, layernorm or rmsnorm")
    size = math.prod(shape) if shape else 0
    per_ln = (2 if bias else 1) if affine else 0

    def counts(bn_params: int = 2 * c, bn_buffers: int = 2 * c + 1 if c else 0, ln: int = per_ln * size, rms: int = d) -> dict[str, int]:
        params = bn_params + ln + rms
        return {"parameters": params, "buffers": bn_buffers, "state_dict": params + bn_buffers}

    value = counts()
    steps = []
    if c:
        steps.append(f"BatchNorm2d({c}): γ and β per channel, 2·{c} = {2 * c} parameters; buffers running_mean and running_var "
                     f"({c} each) and num_batches_tracked (1): 2·{c} + 1 = {2 * c + 1}")
    if shape is not None:
        shown = "×".join(map(str, shape))
        if affine:
            what = "γ and β" if bias else "γ only (bias=False)"
            steps.append(f"LayerNorm({list(shape)}): {what}, each of the whole normalized_shape {shown} = {size} numbers: "
                         f"{per_ln}·{size} = {per_ln * size} parameters; no buffers")
        else:
            steps.append(f"LayerNorm({list(shape)}, elementwise_affine=False): no γ or β (bias has no effect), no buffers: 0")
    if d:
        steps.append(f"RMSNorm({d}): γ only, {d} parameters; no buffers")
    steps.append(f"parameters {value['parameters']}, buffers {value['buffers']}; the state_dict holds both: {value['state_dict']}")

    wrong: list[Misconception] = []
    if c:
        wrong += [
            Misconception("running_stats_as_parameters", counts(bn_params=4 * c, bn_buffers=1), "counted BatchNorm's running mean and variance as parameters; they are buffers, updated without gradients"),
            Misconception("forgot_batch_counter", counts(bn_buffers=2 * c), "left out num_batches_tracked, BatchNorm's one-number buffer"),
            Misconception("forgot_buffers", counts(bn_buffers=0), "left out BatchNorm's buffers; the state_dict saves them with the parameters"),
        ]
    if shape is not None and affine and len(shape) > 1:
        wrong += [
            Misconception("layernorm_per_channel", counts(ln=per_ln * shape[0]), f"gave LayerNorm one γ (and β) per channel as BatchNorm has; its γ and β have the whole normalized_shape {'×'.join(map(str, shape))}"),
            Misconception("layernorm_last_dim_only", counts(ln=per_ln * shape[-1]), "sized γ and β by the last dimension only; they have the whole normalized_shape"),
        ]
    if shape is not None:
        if not affine:
            wrong.append(Misconception("ignored_elementwise_affine", counts(ln=(2 if bias else 1) * size), "counted γ and β; elementwise_affine=False gives LayerNorm none"))
        elif not bias:
            wrong.append(Misconception("ignored_bias_flag", counts(ln=2 * size), "counted β; bias=False leaves LayerNorm with γ only"))
        else:
            wrong.append(Misconception("layernorm_gamma_only", counts(ln=size), "counted γ only; LayerNorm learns a shift β as well"))
        wrong.append(Misconception("layernorm_running_stats", counts(bn_buffers=value["buffers"] + 2 * size), "gave LayerNorm running statistics; it computes them from each input and stores none"))
    if d:
        wrong.append(Misconception("rmsnorm_with_beta", counts(rms=2 * d), "gave RMSNorm a β; it has a scale only"))
    return Solution(value, tuple(steps), distinct(value, wrong))
