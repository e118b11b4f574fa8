"""Provides attention solvers: softmax, scaled dot-product attention, self-attention, shapes, multi-head parameters."""

from __future__ import annotations

import math
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
    fmt,
    register,
    show_array,
)

# Numbers in the worked steps are rounded for reading; values stay exact.
_SIG_FIGS = 4
_INPUT_FIGS = 12
"""Figures of a given scalar (the temperature) in the steps: enough to show it as typed."""

_MAX_ENTRIES = 10_000
"""The most numbers in one input matrix, and the most scores n_q·n_k (e.g. 100 queries × 100 keys):
every one of them is written out in the worked steps."""


# ---------------------------------------------------------------- helpers






def _dims(a: np.ndarray) -> str:
    return "×".join(str(n) for n in a.shape)


def _array(name: str, value: Any, ndims: tuple[int, ...], what: str) -> np.ndarray:
    """A finite float array of at most _MAX_ENTRIES entries (the steps show them all)."""
    return check_array(name, value, ndims, what, max_entries=_MAX_ENTRIES)


def _check_scores(name: str, n_q: int, n_k: int, d_v: int, what: str = "the output") -> None:
    """The n_q×n_k scores and the n_q×d_v output are written out in the steps: bound their size."""
    if n_q * n_k > _MAX_ENTRIES:
        raise ValueError(
            f"{name}: {n_q} queries and {n_k} keys give {n_q}×{n_k} scores; at most {_MAX_ENTRIES:,} here (e.g. 100×100)"
        )
    if n_q * d_v > _MAX_ENTRIES:
        raise ValueError(f"{name}: {what} would be {n_q}×{d_v}; at most {_MAX_ENTRIES:,} numbers here")


def _matrix(name: str, value: Any) -> np.ndarray:
    return _array(name, value, (2,), "a matrix (a list of rows)")


def _softmax(z: np.ndarray, axis: int, keep: np.ndarray | None = None) -> np.ndarray:
    """exp(z − max)/Σexp(z − max) along ``axis``; entries where ``keep`` is False get weight 0.

    Subtracting the max changes nothing mathematically (softmax is shift-invariant) but keeps
    exp from overflowing: softmax([1000, 1001]) = softmax([−1, 0]).
    """
    import numpy as np
    if keep is not None:
        z = np.where(keep, z, -np.inf)
    m = np.max(z, axis=axis, keepdims=True)
    with np.errstate(over="ignore"):  # −1e308 − 1e308 = −∞ gives the right weight, 0
        e = np.exp(z - m)
    return e / np.sum(e, axis=axis, keepdims=True)


# ---------------------------------------------------------------- softmax


@register(
    "attention.softmax",
    params=(
        Param("x", "vector", help="scores (logits); a matrix is taken row by row with axis=-1"),
        Param("axis", "int", -1, help="the axis that sums to 1"),
        Param("temperature", "float", 1.0, help="T > 0: softmax(x / T); T < 1 sharpens, T > 1 flattens"),
    ),
    summary="softmax(x / T) = exp(xᵢ/T) / Σⱼ exp(xⱼ/T), computed stably",
    answer="vector",
)
def softmax(x: Any, axis: int = -1, temperature: float = 1.0) -> Solution:
    """softmax(x)ᵢ = exp(xᵢ/T − m) / Σⱼ exp(xⱼ/T − m) with m = max(x/T) along ``axis``."""
    import numpy as np
    arr = _array("x", x, (1, 2), "a vector or a matrix")
    axis = check_int("axis", axis)
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"axis: {axis} is out of range for x with {arr.ndim} dimension(s)")
    axis %= arr.ndim
    temperature = check_float("temperature", temperature, positive=True)
    with np.errstate(over="ignore", under="ignore"):
        z = arr / temperature
    if not np.all(np.isfinite(z)):
        raise ValueError(f"temperature: x / {temperature:g} overflows; use a larger temperature")

    m = np.max(z, axis=axis, keepdims=True)
    with np.errstate(over="ignore"):  # −1e308 − 1e308 = −∞ gives the right weight, 0
        shifted = z - m
    e = np.exp(shifted)
    total = np.sum(e, axis=axis, keepdims=True)
    value = e / total

    along = "" if arr.ndim == 1 else (" along each row" if axis == 1 else " along each column")
    steps: list[str] = []
    if temperature != 1.0:
        steps.append(f"divide by the temperature: z = x / {fmt(temperature, _INPUT_FIGS)} = {show_array(z)}")
    else:
        steps.append(f"z = x = {show_array(z)}")
    steps.append(f"subtract the max{along} for stability (softmax ignores a constant shift): m = {show_array(np.squeeze(m, axis=axis))}")
    steps.append(f"z − m = {show_array(shifted)}")
    steps.append(f"exp(z − m) = {show_array(e)}")
    steps.append(f"Σ exp(z − m){along} = {show_array(np.squeeze(total, axis=axis))}")
    steps.append(f"softmax = exp(z − m) / Σ = {show_array(value)}")

    wrong: list[Misconception] = []
    with np.errstate(all="ignore"):
        sums = np.sum(arr, axis=axis, keepdims=True)
        if np.all(sums != 0):
            no_exp = arr / sums
            if np.all(np.isfinite(no_exp)):
                wrong.append(Misconception("no_exp", no_exp, "normalised x by its sum, forgetting the exponential"))
        times_t = arr * temperature
        if np.all(np.isfinite(times_t)):
            wrong.append(
                Misconception(
                    "temperature_multiplied",
                    _softmax(times_t, axis),
                    f"multiplied by the temperature (x·{fmt(temperature, _INPUT_FIGS)}) instead of dividing by it",
                )
            )
    if arr.ndim == 2:
        other = 1 - axis
        wrong.append(
            Misconception(
                "wrong_axis",
                _softmax(z, other),
                f"normalised along axis {other} ({'rows' if other == 1 else 'columns'}) instead of axis {axis}",
            )
        )
    return Solution(value, tuple(steps), distinct(value, wrong))


@register(
    "attention.softmax_jacobian",
    params=(Param("x", "vector", help="logits, one vector"),),
    summary="Jacobian of softmax: ∂pᵢ/∂xⱼ = pᵢ(δᵢⱼ − pⱼ), i.e. diag(p) − ppᵀ",
    answer="matrix",
)
def softmax_jacobian(x: Any) -> Solution:
    """J = diag(p) − ppᵀ with p = softmax(x): ∂pᵢ/∂xᵢ = pᵢ(1 − pᵢ), ∂pᵢ/∂xⱼ = −pᵢpⱼ for i ≠ j.

    Symmetric, and every row sums to 0 (adding a constant to x changes nothing).
    """
    import numpy as np

    arr = _array("x", x, (1,), "a vector")
    if arr.size < 2:
        raise ValueError("x: needs at least 2 entries (a softmax over one entry is the constant 1)")
    p = _softmax(arr, 0)
    value = np.diag(p) - np.outer(p, p)
    steps = (
        f"p = softmax(x) = {show_array(p)}",
        "∂pᵢ/∂xⱼ = pᵢ(δᵢⱼ − pⱼ): pᵢ(1 − pᵢ) on the diagonal, −pᵢpⱼ off it; J = diag(p) − ppᵀ",
        f"diagonal p(1 − p) = {show_array(np.diag(value))}",
        f"J = {show_array(value)}",
        "check: every row sums to 0, since a shift of all logits leaves p unchanged",
    )
    wrong = [
        Misconception("diagonal_only", np.diag(p * (1 - p)), "kept only the diagonal pᵢ(1 − pᵢ); every pᵢ also depends on the other logits: −pᵢpⱼ"),
        Misconception("off_diagonal_sign", np.outer(p, p) + np.diag(p - 2 * p * p), "wrote +pᵢpⱼ off the diagonal; raising another logit lowers pᵢ"),
        Misconception("outer_product_only", -np.outer(p, p), "wrote −ppᵀ and left out diag(p)"),
    ]
    return Solution(value, steps, distinct(value, wrong))


# ---------------------------------------------------------------- scaled dot-product attention


def _keep_mask(mask: Any, n_q: int, n_k: int) -> np.ndarray:
    """A boolean n_q×n_k matrix, True = the query may attend to that key (PyTorch's boolean attn_mask)."""
    import numpy as np
    if isinstance(mask, (str, bytes)):
        raise ValueError(f"mask: expected a matrix of True/False or 1/0, got text {mask!r}")
    try:
        raw = np.asarray(mask)
    except (TypeError, ValueError):
        raise ValueError("mask: expected a matrix of True/False or 1/0 with rows of equal length") from None
    if raw.dtype == object:
        raise ValueError("mask: expected a matrix of True/False or 1/0 with rows of equal length")
    if raw.shape != (n_q, n_k):
        raise ValueError(f"mask: expected {n_q}×{n_k} (queries × keys), got {'×'.join(map(str, raw.shape)) or 'a single value'}")
    if raw.dtype == bool:
        keep = raw
    else:
        try:
            numbers = raw.astype(float)
        except (TypeError, ValueError):
            raise ValueError("mask: expected True/False or 1/0 entries") from None
        if not np.all((numbers == 0) | (numbers == 1)):
            raise ValueError("mask: entries must be 1/True (attend) or 0/False (masked out); additive −∞ masks are not accepted")
        keep = numbers == 1
    empty = np.flatnonzero(~keep.any(axis=1))
    if empty.size:
        raise ValueError(f"mask: row {int(empty[0])} masks out every key; each query must keep at least one key")
    return keep


def _attention_parts(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> None:
    if k.shape[1] != q.shape[1]:
        raise ValueError(f"k: has {k.shape[1]} columns but q has {q.shape[1]}; queries and keys must share the width d_k")
    if v.shape[0] != k.shape[0]:
        raise ValueError(f"v: has {v.shape[0]} rows but k has {k.shape[0]}; every key needs one value row")


def _scores(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    import numpy as np
    with np.errstate(over="ignore", invalid="ignore"):
        raw = q @ k.T
    if not np.all(np.isfinite(raw)):
        raise ValueError("q: the dot products q·k overflow; use smaller numbers")
    return raw


def _attend(raw: np.ndarray, v: np.ndarray, divisor: float, keep: np.ndarray | None, axis: int = 1) -> tuple[np.ndarray, np.ndarray]:
    weights = _softmax(raw / divisor, axis, keep)
    return weights @ v, weights


def _attention_misconceptions(
    raw: np.ndarray, v: np.ndarray, d_k: int, keep: np.ndarray | None, value: tuple[np.ndarray, np.ndarray]
) -> tuple[Misconception, ...]:
    import numpy as np

    n_k = raw.shape[1]
    wrong = [
        Misconception(
            "scaled_by_sqrt_tokens",
            _attend(raw, v, math.sqrt(n_k), keep),
            f"divided the scores by √(number of tokens) = √{n_k}, as some interview notes do, instead of √d_k = √{d_k}",
        ),
        Misconception("unscaled", _attend(raw, v, 1.0, keep), "forgot to divide the scores by √d_k"),
        Misconception("scaled_by_d_k", _attend(raw, v, float(d_k), keep), f"divided the scores by d_k = {d_k}, not by its square root"),
    ]
    # Normalising each key's column is only defined when every key is visible to some query.
    if keep is None or keep.any(axis=0).all():
        wrong.append(
            Misconception(
                "softmax_over_queries",
                _attend(raw, v, math.sqrt(d_k), keep, axis=0),
                "took the softmax down each column (over queries); each query's row must sum to 1",
            )
        )
    if keep is not None:
        wrong.append(Misconception("mask_ignored", _attend(raw, v, math.sqrt(d_k), None), "ignored the mask and let every query see every key"))
        # Zeroing after the softmax: the masked keys still took their share of the normaliser.
        unmasked = _softmax(raw / math.sqrt(d_k), 1, None)
        zeroed = np.where(keep, unmasked, 0.0)
        wrong.append(
            Misconception(
                "masked_after_softmax",
                (zeroed @ v, zeroed),
                "took the softmax over every key and then zeroed the masked weights; the rest no longer sum to 1 "
                "(mask the scores with −∞ before the softmax)",
            )
        )
    return distinct(value, wrong)


def _attention_steps(raw: np.ndarray, v: np.ndarray, d_k: int, keep: np.ndarray | None) -> tuple[list[str], np.ndarray, tuple]:
    import numpy as np
    scores = raw / math.sqrt(d_k)
    output, weights = _attend(raw, v, math.sqrt(d_k), keep)
    steps = [
        f"Q·Kᵀ = {show_array(raw)}",
        f"scores = Q·Kᵀ / √d_k = Q·Kᵀ / √{d_k} = {show_array(scores)}",
    ]
    if keep is not None:
        steps.append(f"mask (1 = attend, 0 = masked out → score −∞, weight 0): {show_array(keep.astype(int))}")
        steps.append(f"masked scores = {show_array(np.where(keep, scores, -np.inf))}")
    steps.append(f"weights = softmax of each row = {show_array(weights)}")
    steps.append(f"output = weights·V = {show_array(output)} ({_dims(output)})")
    return steps, scores, (output, weights)


@register(
    "attention.scaled_dot_product",
    params=(
        Param("q", "matrix", help="queries, n_q×d_k"),
        Param("k", "matrix", help="keys, n_k×d_k"),
        Param("v", "matrix", help="values, n_k×d_v"),
        Param("mask", "matrix", None, help="optional n_q×n_k of 1/True (attend) and 0/False (masked out)"),
    ),
    summary="Attention(Q, K, V) = softmax(QKᵀ/√d_k)·V, row by row; value = (output, weights)",
    answer="tuple",
    parts=("output", "weights"),
)
def scaled_dot_product(q: Any, k: Any, v: Any, mask: Any = None) -> Solution:
    """(softmax(QKᵀ/√d_k)·V, softmax(QKᵀ/√d_k)), softmax over each query's row of keys.

    ``mask`` follows PyTorch's boolean ``attn_mask``: True (or 1) means the query may attend to the
    key, False (or 0) gives the score −∞ and the weight 0. A row that masks out every key has no
    softmax and raises ValueError.
    """
    q_arr, k_arr, v_arr = _matrix("q", q), _matrix("k", k), _matrix("v", v)
    _attention_parts(q_arr, k_arr, v_arr)
    _check_scores("q", q_arr.shape[0], k_arr.shape[0], v_arr.shape[1])
    keep = None if mask is None else _keep_mask(mask, q_arr.shape[0], k_arr.shape[0])
    d_k = q_arr.shape[1]
    raw = _scores(q_arr, k_arr)
    steps, scores, value = _attention_steps(raw, v_arr, d_k, keep)
    steps.insert(0, f"d_k = {d_k} (the width of Q and K); Q is {_dims(q_arr)}, K is {_dims(k_arr)}, V is {_dims(v_arr)}")
    details: tuple[tuple[str, Any], ...] = (("scores", scores),)
    if keep is not None:
        details += (("mask", keep),)
    return Solution(value, tuple(steps), _attention_misconceptions(raw, v_arr, d_k, keep, value), details)


# ---------------------------------------------------------------- self-attention


@register(
    "attention.self_attention",
    params=(
        Param("x", "matrix", help="token embeddings, n_tokens×d_model (one row per token)"),
        Param("w_q", "matrix", help="query weights, d_model×d_k"),
        Param("w_k", "matrix", help="key weights, d_model×d_k"),
        Param("w_v", "matrix", help="value weights, d_model×d_v"),
    ),
    summary="Q = XW_q, K = XW_k, V = XW_v, output = softmax(QKᵀ/√d_k)·V; value = (output, weights)",
    answer="tuple",
    parts=("output", "weights"),
)
def self_attention(x: Any, w_q: Any, w_k: Any, w_v: Any) -> Solution:
    """Q = XW_q, K = XW_k, V = XW_v; output = softmax(QKᵀ/√d_k)·V (n_tokens×d_v), weights n_tokens×n_tokens."""
    import numpy as np
    x_arr = _matrix("x", x)
    n_tokens, d_model = x_arr.shape
    w_q_arr, w_k_arr, w_v_arr = _matrix("w_q", w_q), _matrix("w_k", w_k), _matrix("w_v", w_v)
    _check_scores("x", n_tokens, n_tokens, max(w_q_arr.shape[1], w_v_arr.shape[1]), "Q, K or V")
    for name, w, cols in (("w_q", w_q_arr, "d_k"), ("w_k", w_k_arr, "d_k"), ("w_v", w_v_arr, "d_v")):
        if w.shape[0] != d_model:
            hint = ""
            if name == "w_v" and w.shape == (n_tokens, n_tokens):
                hint = " (not M×M with M = number of tokens, a common slip)"
            raise ValueError(
                f"{name}: expected d_model = {d_model} rows (X is {_dims(x_arr)}), got {_dims(w)}; "
                f"{name.replace('w_', 'W_')} is d_model×{cols}{hint}"
            )
    if w_k_arr.shape != w_q_arr.shape:
        raise ValueError(f"w_k: is {_dims(w_k_arr)} but w_q is {_dims(w_q_arr)}; both are d_model×d_k so that QKᵀ is defined")
    with np.errstate(over="ignore", invalid="ignore"):
        q_arr, k_arr, v_arr = x_arr @ w_q_arr, x_arr @ w_k_arr, x_arr @ w_v_arr
    for name, m in (("w_q", q_arr), ("w_k", k_arr), ("w_v", v_arr)):
        if not np.all(np.isfinite(m)):
            raise ValueError(f"{name}: X·{name.replace('w_', 'W_')} overflows; use smaller numbers")
    d_k = q_arr.shape[1]
    raw = _scores(q_arr, k_arr)
    steps, scores, value = _attention_steps(raw, v_arr, d_k, None)
    steps = [
        f"X is {_dims(x_arr)} (n_tokens = {n_tokens}, d_model = {d_model}); d_k = {d_k}, d_v = {v_arr.shape[1]}",
        f"Q = X·W_q = {show_array(q_arr)} ({_dims(q_arr)})",
        f"K = X·W_k = {show_array(k_arr)} ({_dims(k_arr)})",
        f"V = X·W_v = {show_array(v_arr)} ({_dims(v_arr)})",
        *steps,
    ]
    details = (("q", q_arr), ("k", k_arr), ("v", v_arr), ("scores", scores))
    return Solution(value, tuple(steps), _attention_misconceptions(raw, v_arr, d_k, None, value), details)


# ---------------------------------------------------------------- shapes


@register(
    "attention.shapes",
    params=(
        Param("n_tokens", "int", help="sequence length n"),
        Param("d_model", "int", help="embedding width"),
        Param("d_k", "int", help="query/key width"),
        Param("d_v", "int", help="value width"),
    ),
    summary="shapes of Q, K, V (n×d_k, n×d_k, n×d_v), scores (n×n) and output (n×d_v) in self-attention",
    answer="tuple",
    parts=("q", "k", "v", "scores", "output"),
)
def shapes(n_tokens: int, d_model: int, d_k: int, d_v: int) -> Solution:
    """Q, K = X·W_q, X·W_k: n×d_k; V = X·W_v: n×d_v; scores QKᵀ: n×n; output softmax(·)V: n×d_v."""
    n = check_int("n_tokens", n_tokens, minimum=1)
    d_model = check_int("d_model", d_model, minimum=1)
    d_k = check_int("d_k", d_k, minimum=1)
    d_v = check_int("d_v", d_v, minimum=1)
    value = ((n, d_k), (n, d_k), (n, d_v), (n, n), (n, d_v))
    steps = (
        f"X is n×d_model = {n}×{d_model}; W_q and W_k are d_model×d_k = {d_model}×{d_k}; W_v is d_model×d_v = {d_model}×{d_v}",
        f"Q = X·W_q: ({n}×{d_model})·({d_model}×{d_k}) = {n}×{d_k}",
        f"K = X·W_k: {n}×{d_k}",
        f"V = X·W_v: ({n}×{d_model})·({d_model}×{d_v}) = {n}×{d_v}",
        f"scores = Q·Kᵀ/√d_k: ({n}×{d_k})·({d_k}×{n}) = {n}×{n} (one row per query, one column per key)",
        f"output = softmax(scores)·V: ({n}×{n})·({n}×{d_v}) = {n}×{d_v}",
    )
    wrong = [
        Misconception(
            "w_v_square",
            ((n, d_k), (n, d_k), (n, n), (n, n), (n, n)),
            f"took W_v as M×M with M = number of tokens (a common variant in interview notes), so V and the output came out {n}×{n}",
        ),
        Misconception(
            "v_width_d_model",
            ((n, d_k), (n, d_k), (n, d_model), (n, n), (n, d_model)),
            "took W_v as d_model×d_model; W_v is d_model×d_v",
        ),
        Misconception("v_width_d_k", ((n, d_k), (n, d_k), (n, d_k), (n, n), (n, d_k)), "gave V the width d_k; V has the width d_v"),
        Misconception(
            "scores_d_k",
            ((n, d_k), (n, d_k), (n, d_v), (d_k, d_k), (n, d_v)),
            f"computed Qᵀ·K ({d_k}×{d_k}) instead of Q·Kᵀ; scores compare every query with every key",
        ),
        Misconception(
            "no_projection",
            ((n, d_model), (n, d_model), (n, d_model), (n, n), (n, d_model)),
            "left out the projections W_q, W_k, W_v and used X itself",
        ),
    ]
    return Solution(value, steps, distinct(value, wrong))


# ---------------------------------------------------------------- multi-head parameter count


@register(
    "attention.multi_head_param_count",
    params=(
        Param("d_model", "int", help="embedding width"),
        Param("n_heads", "int", help="number of heads h (d_model must divide by h)"),
        Param("bias", "bool", True, help="projections with biases (PyTorch default)"),
    ),
    summary="parameters of multi-head attention: 4·d_model² + 4·d_model with biases, 4·d_model² without",
    answer="int",
)
def multi_head_param_count(d_model: int, n_heads: int, bias: bool = True) -> Solution:
    """4·d² + 4·d with biases (W_q, W_k, W_v, W_o each d×d plus a bias of d), 4·d² without; independent of h."""
    d = check_int("d_model", d_model, minimum=1)
    h = check_int("n_heads", n_heads, minimum=1)
    bias = check_bool("bias", bias)
    if d % h:
        raise ValueError(f"n_heads: d_model = {d} must divide by n_heads = {h} (each head is d_model/h wide)")
    head = d // h
    b = 1 if bias else 0
    value = 4 * d * d + 4 * d * b
    steps = [
        f"each head is d_model/h = {d}/{h} = {head} wide; the h heads' W_q together form one d_model×d_model matrix (likewise W_k, W_v)",
        f"W_q, W_k, W_v: 3·d_model² = 3·{d}² = {3 * d * d}",
        f"output projection W_o: d_model² = {d * d}",
    ]
    if bias:
        steps.append(f"biases: 3·d_model (q, k, v) + d_model (output) = 4·{d} = {4 * d}")
        steps.append(f"total = 4·d_model² + 4·d_model = {4 * d * d} + {4 * d} = {value}")
    else:
        steps.append(f"total = 4·d_model² = {value} (no biases)")
    wrong: list[Misconception] = []
    if bias:
        wrong.append(Misconception("forgot_bias", 4 * d * d, "left out the four bias vectors"))
    wrong += [
        Misconception("forgot_output_projection", 3 * d * d + 3 * d * b, "counted W_q, W_k, W_v but not the output projection W_o"),
        Misconception(
            "heads_full_width",
            3 * h * (d * d + d * b) + h * d * d + d * b,
            f"gave every head full d_model×d_model projections (and W_o {h * d}×{d}); each head is d_model/h wide",
        ),
        Misconception("times_heads", h * value, "multiplied the count by the number of heads; it does not depend on h"),
    ]
    return Solution(value, tuple(steps), distinct(value, wrong))
