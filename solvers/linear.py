"""Provides fully-connected (linear) layer solvers: parameter count, FLOPs and the forward pass y = Wx + b."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from solvers._core import (
    Misconception,
    Param,
    Solution,
    check_bool,
    check_int,
    distinct,
    fmt,
    register,
)

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(n: int) -> str:
    return str(n).translate(_SUBSCRIPTS)


_INPUT_FIGS = 12
"""Figures of a given weight or input in the steps: enough to show it as typed, so that the
products can be checked by hand (0.333333333 shown as 0.33333 would not add up)."""


def _term(x: float) -> str:
    """A given number inside a sum of products: negatives in parentheses, 2·(−1)."""
    text = fmt(x, _INPUT_FIGS)
    return f"({text})" if text.startswith("−") else text


def _vector_text(v: np.ndarray) -> str:
    return "[" + ", ".join(fmt(x) for x in v) + "]"


def _numbers(name: str, value: Any, ndim: int, what: str) -> np.ndarray:
    """A finite float array with exactly ``ndim`` dimensions, or ValueError naming ``name``."""
    import numpy as np
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name}: expected {what} of numbers, got text {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {what} of numbers (rows of equal length)") from None
    if arr.ndim != ndim:
        raise ValueError(f"{name}: expected {what}, got {arr.ndim} dimension{'s' if arr.ndim != 1 else ''}")
    if arr.size == 0:
        raise ValueError(f"{name}: expected {what}, got an empty one")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains nan or inf")
    return arr


@register(
    "linear.param_count",
    params=(
        Param("n_in", "int", help="input features"),
        Param("n_out", "int", help="output features"),
        Param("bias", "bool", True, help="one bias per output (PyTorch default)"),
    ),
    summary="linear layer parameters n_in·n_out + n_out",
    answer="int",
)
def param_count(n_in: Any, n_out: Any, bias: Any = True) -> Solution:
    """n_in·n_out weights plus n_out biases (W is n_out×n_in, b has one entry per output)."""
    n_in = check_int("n_in", n_in, minimum=1)
    n_out = check_int("n_out", n_out, minimum=1)
    bias = check_bool("bias", bias)
    weights = n_in * n_out
    value = weights + (n_out if bias else 0)
    steps = [
        "params = n_in·n_out + n_out" if bias else "params = n_in·n_out (no bias)",
        f"W is n_out×n_in = {n_out}×{n_in}: {n_out}·{n_in} = {weights} weights",
    ]
    if bias:
        steps.append(f"b has n_out = {n_out} entries")
        steps.append(f"total = {weights} + {n_out} = {value}")
    else:
        steps.append(f"total = {value}")
    candidates = (
        [
            Misconception("forgot_bias", weights, "left out the n_out biases"),
            Misconception("bias_per_input", weights + n_in, "counted one bias per input; there is one per output"),
            Misconception("single_bias", weights + 1, "counted one bias for the layer; each output has its own"),
        ]
        if bias
        else [Misconception("added_bias", weights + n_out, "added biases the layer does not have (bias=False)")]
    )
    return Solution(value, tuple(steps), distinct(value, candidates))


@register(
    "linear.forward",
    params=(
        Param("w", "matrix", help="weights W, out×in (one row per output)"),
        Param("x", "vector", help="input x, length in"),
        Param("b", "vector", None, help="bias b, length out (optional)"),
    ),
    summary="forward pass of a linear layer y = W·x + b, W out×in",
    answer="vector",
)
def forward(w: Any, x: Any, b: Any = None) -> Solution:
    """y = W·x + b, i.e. yᵢ = Σⱼ Wᵢⱼ·xⱼ + bᵢ, with W of shape out×in (PyTorch's nn.Linear stores it so)."""
    import numpy as np
    w_arr = _numbers("w", w, 2, "a matrix (out×in, a list of rows)")
    x_arr = _numbers("x", x, 1, "a vector")
    n_out, n_in = w_arr.shape
    if x_arr.shape[0] != n_in:
        raise ValueError(
            f"x: has {x_arr.shape[0]} entries but W has {n_in} columns (W is out×in = {n_out}×{n_in}, so x needs {n_in})"
        )
    b_arr = None
    if b is not None:
        b_arr = _numbers("b", b, 1, "a vector")
        if b_arr.shape[0] != n_out:
            raise ValueError(f"b: has {b_arr.shape[0]} entries but W has {n_out} rows (one bias per output)")

    with np.errstate(over="ignore", invalid="ignore"):
        wx = w_arr @ x_arr
        value = wx + b_arr if b_arr is not None else wx
    if not np.all(np.isfinite(value)):
        raise ValueError("w: W·x overflows; use smaller numbers")

    steps = [f"y = W·x{' + b' if b_arr is not None else ''}, W is out×in = {n_out}×{n_in}, so y has {n_out} {'entry' if n_out == 1 else 'entries'}"]
    for i in range(n_out):
        products = " + ".join(f"{_term(w_arr[i, j])}·{_term(x_arr[j])}" for j in range(n_in))
        bias_text = f" + {_term(b_arr[i])}" if b_arr is not None else ""
        steps.append(f"y{_sub(i + 1)} = {products}{bias_text} = {fmt(value[i])}")
    steps.append(f"y = {_vector_text(value)}")

    candidates = []
    if b_arr is not None:
        candidates.append(Misconception("forgot_bias", wx, "left out the bias b"))
    if n_out == n_in:
        transposed = w_arr.T @ x_arr + (b_arr if b_arr is not None else 0.0)
        if np.all(np.isfinite(transposed)):
            candidates.append(
                Misconception("used_transpose", transposed, "multiplied by Wᵀ: row i of W holds the weights of output i")
            )
    return Solution(value, tuple(steps), distinct(value, candidates))


@register(
    "linear.flops",
    params=(
        Param("n_in", "int", help="input features"),
        Param("n_out", "int", help="output features"),
        Param("batch", "int", 1, help="examples in the batch"),
        Param("bias", "bool", True, help="add a bias (one addition per output per example)"),
    ),
    summary="FLOPs of a linear layer: 2·batch·n_in·n_out (a multiply-add is 2 FLOPs) + batch·n_out for the bias",
    answer="int",
)
def flops(n_in: Any, n_out: Any, batch: Any = 1, bias: Any = True) -> Solution:
    """FLOPs = 2·batch·n_in·n_out + batch·n_out (bias adds), counting a multiply-add (MAC) as 2 FLOPs.

    MACs = batch·n_in·n_out: each output sums n_in products of a weight and an input.
    """
    n_in = check_int("n_in", n_in, minimum=1)
    n_out = check_int("n_out", n_out, minimum=1)
    batch = check_int("batch", batch, minimum=1)
    bias = check_bool("bias", bias)
    macs = batch * n_in * n_out
    bias_adds = batch * n_out if bias else 0
    value = 2 * macs + bias_adds
    steps = [
        "convention: a multiply-add (MAC) is 2 FLOPs, a multiply and an add"
        + ("; adding the bias is 1 FLOP per output" if bias else "; no bias (bias=False)"),
        f"MACs = batch·n_in·n_out = {batch}·{n_in}·{n_out} = {macs}",
    ]
    if bias:
        steps.append(f"bias adds = batch·n_out = {batch}·{n_out} = {bias_adds}")
        steps.append(f"FLOPs = 2·MACs + bias adds = 2·{macs} + {bias_adds} = {value}")
    else:
        steps.append(f"FLOPs = 2·MACs = 2·{macs} = {value}")
    if batch > 1:
        steps.append(f"per example: {value // batch} FLOPs, times the batch of {batch}")

    candidates = [Misconception("counted_macs_as_flops", macs, "gave the multiply-add count (MACs); a multiply-add is 2 FLOPs")]
    if batch > 1:
        candidates.append(Misconception("forgot_batch", value // batch, f"counted one example; the batch has {batch}"))
    if bias:
        candidates.append(Misconception("ignored_bias_adds", 2 * macs, "left out the bias additions, one per output per example"))
    return Solution(value, tuple(steps), distinct(value, candidates))
