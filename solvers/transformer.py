"""Provides transformer arithmetic: parameters of a block and a model, forward FLOPs, training compute and time, KV-cache, score and optimiser memory."""

from __future__ import annotations

import re
from typing import Any

from solvers._core import (
    Misconception,
    Param,
    Solution,
    check_bool,
    check_float,
    check_int,
    distinct,
    register,
    show_number,
)

MLPS = ("gelu", "swiglu")
NORMS = ("layernorm", "rmsnorm")
DTYPE_BYTES = {"fp32": 4, "tf32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1}
UNITS = {"bytes": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
_OTHER_UNIT = {"KB": "KiB", "MB": "MiB", "GB": "GiB", "TB": "TiB", "KiB": "KB", "MiB": "MB", "GiB": "GB", "TiB": "TB"}
SECONDS_PER_DAY = 86_400


def _choice(name: str, value: Any, choices: Any) -> str:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _n(x: float) -> str:
    """A number for the steps; large ones with an exponent (7e9, not 7000000000)."""
    if abs(x) >= 1e7:
        return re.sub(r"e\+?0*(\d)", r"e\1", f"{x:.6g}")
    return show_number(x, 6)


def _big(n: int) -> str:
    """A count for the steps with thousands separators: 7,077,888."""
    return f"{n:,}"


def _head_width(d_model: int, n_heads: int, n_kv_heads: int | None) -> tuple[int, int]:
    """(d_head, n_kv_heads): d_model must split evenly into heads, and the query heads into KV groups."""
    if d_model % n_heads:
        raise ValueError(f"n_heads: {n_heads} heads do not divide d_model = {d_model}")
    kv = n_heads if n_kv_heads is None else check_int("n_kv_heads", n_kv_heads, minimum=1)
    if n_heads % kv:
        raise ValueError(f"n_kv_heads: {kv} KV heads do not divide the {n_heads} query heads into equal groups")
    return d_model // n_heads, kv


def _attention_count(d: int, kv_width: int, bias: bool) -> int:
    """Q and O are d×d, K and V d×kv_width; biases d + 2·kv_width + d."""
    return 2 * d * d + 2 * d * kv_width + ((2 * d + 2 * kv_width) if bias else 0)


def _mlp_count(d: int, d_ff: int, mlp: str, bias: bool) -> int:
    """GELU: up d→d_ff and down d_ff→d; SwiGLU: gate and up d→d_ff, down d_ff→d."""
    matrices = 2 if mlp == "gelu" else 3
    biases = ((matrices - 1) * d_ff + d) if bias else 0
    return matrices * d * d_ff + biases


def _norm_count(d: int, norm: str, bias: bool) -> int:
    return 2 * d if norm == "layernorm" and bias else d


def _block_parts(d: int, n_heads: int, d_ff: int, mlp: str, bias: bool, norm: str, n_kv_heads: int | None) -> dict[str, int]:
    d_head, kv = _head_width(d, n_heads, n_kv_heads)
    attention = _attention_count(d, kv * d_head, bias)
    mlp_params = _mlp_count(d, d_ff, mlp, bias)
    norms = 2 * _norm_count(d, norm, bias)
    return {"attention": attention, "mlp": mlp_params, "norms": norms, "total": attention + mlp_params + norms}


_BLOCK_PARAMS = (
    Param("d_model", "int", help="model width d"),
    Param("n_heads", "int", help="query heads (d_head = d_model/n_heads)"),
    Param("d_ff", "int", help="hidden width of the MLP"),
    Param("mlp", "str", "gelu", help="gelu (two matrices) or swiglu (three)", choices=MLPS),
    Param("bias", "bool", True, help="biases in the linear layers (and LayerNorm's β)"),
    Param("norm", "str", "layernorm", help="layernorm (γ, β) or rmsnorm (γ)", choices=NORMS),
    Param("n_kv_heads", "int", None, help="key/value heads for GQA/MQA (default: n_heads)"),
)


def _block_args(d_model: Any, n_heads: Any, d_ff: Any, mlp: Any, bias: Any, norm: Any) -> tuple[int, int, int, str, bool, str]:
    return (
        check_int("d_model", d_model, minimum=1),
        check_int("n_heads", n_heads, minimum=1),
        check_int("d_ff", d_ff, minimum=1),
        _choice("mlp", mlp, MLPS),
        check_bool("bias", bias),
        _choice("norm", norm, NORMS),
    )


def _block_steps(d: int, n_heads: int, d_ff: int, mlp: str, bias: bool, norm: str, n_kv_heads: int | None, parts: dict[str, int]) -> list[str]:
    d_head, kv = _head_width(d, n_heads, n_kv_heads)
    kv_width = kv * d_head
    kv_text = f"{kv}·{d_head} = {kv_width}" if kv != n_heads else f"d = {d}"
    attn_bias = f" + biases {2 * d + 2 * kv_width}" if bias else ""
    mlp_text = (
        f"GELU MLP: up {d}×{d_ff} and down {d_ff}×{d}: 2·{d}·{d_ff}" if mlp == "gelu"
        else f"SwiGLU MLP: gate and up {d}×{d_ff}, down {d_ff}×{d}: 3·{d}·{d_ff}"
    )
    mlp_bias = f" + biases {(1 if mlp == 'gelu' else 2) * d_ff + d}" if bias else ""
    norm_each = _norm_count(d, norm, bias)
    return [
        f"attention: Q and O are {d}×{d}; K and V map to n_kv_heads·d_head = {kv_text}: "
        f"2·{d}² + 2·{d}·{kv_width}{attn_bias} = {_big(parts['attention'])}",
        f"{mlp_text}{mlp_bias} = {_big(parts['mlp'])}",
        f"two {'LayerNorms' if norm == 'layernorm' else 'RMSNorms'} of {norm_each} ({'γ and β' if norm_each == 2 * d else 'γ'}): {_big(parts['norms'])}",
        f"block total = {_big(parts['attention'])} + {_big(parts['mlp'])} + {_big(parts['norms'])} = {_big(parts['total'])}",
    ]


def _block_wrong(d: int, n_heads: int, d_ff: int, mlp: str, bias: bool, norm: str, n_kv_heads: int | None, parts: dict[str, int]) -> list[tuple[str, dict[str, int], str]]:
    """Wrong blocks: (name, their parts, explanation)."""
    def other(**kwargs: Any) -> dict[str, int]:
        args = {"mlp": mlp, "bias": bias, "norm": norm, "n_kv_heads": n_kv_heads} | kwargs
        return _block_parts(d, n_heads, d_ff, args["mlp"], args["bias"], args["norm"], args["n_kv_heads"])

    out = [
        ("forgot_norms", parts | {"norms": 0, "total": parts["total"] - parts["norms"]}, "left out the two norms' parameters"),
        ("forgot_output_projection", parts | {"attention": parts["attention"] - d * d - (d if bias else 0), "total": parts["total"] - d * d - (d if bias else 0)},
         "left out the attention's output projection W_O (d×d)"),
    ]
    if mlp == "swiglu":
        out.append(("swiglu_two_matrices", other(mlp="gelu"), "counted two MLP matrices; SwiGLU has three (gate, up and down)"))
    else:
        out.append(("gelu_three_matrices", other(mlp="swiglu"), "counted three MLP matrices; a GELU MLP has two (up and down)"))
    if bias:
        out.append(("forgot_biases", other(bias=False), "left out the biases (and LayerNorm's β)"))
    else:
        out.append(("added_biases", other(bias=True), "added biases the layers do not have"))
    if n_kv_heads is not None and n_kv_heads != n_heads:
        out.append(("kv_heads_as_query_heads", other(n_kv_heads=None), "gave K and V one head per query head; with grouped KV heads they are n_kv_heads·d_head wide"))
    return out


@register(
    "transformer.block_params",
    params=_BLOCK_PARAMS,
    summary="parameters of a transformer block: attention (Q, K, V, O), MLP (GELU or SwiGLU) and two norms",
    answer="dict",
    parts=("attention", "mlp", "norms", "total"),
)
def block_params(
    d_model: Any, n_heads: Any, d_ff: Any, mlp: Any = "gelu", bias: Any = True, norm: Any = "layernorm", n_kv_heads: Any = None
) -> Solution:
    """Parameters of one block: attention 2d² + 2d·(n_kv·d_head) (+ 2d + 2·n_kv·d_head biases),
    MLP 2·d·d_ff (GELU) or 3·d·d_ff (SwiGLU) (+ biases), two norms of 2d (LayerNorm) or d (RMSNorm or no bias)."""
    d, h, d_ff, mlp, bias, norm = _block_args(d_model, n_heads, d_ff, mlp, bias, norm)
    parts = _block_parts(d, h, d_ff, mlp, bias, norm, n_kv_heads)
    steps = _block_steps(d, h, d_ff, mlp, bias, norm, n_kv_heads, parts)
    wrong = [Misconception(name, value, why) for name, value, why in _block_wrong(d, h, d_ff, mlp, bias, norm, n_kv_heads, parts)]
    return Solution(parts, tuple(steps), distinct(parts, wrong))


@register(
    "transformer.model_params",
    params=(
        Param("vocab", "int", help="vocabulary size V"),
        Param("n_layers", "int", help="blocks L"),
        *_BLOCK_PARAMS,
        Param("tied", "bool", True, help="the output layer reuses the token embedding (weight tying)"),
        Param("max_len", "int", 0, help="learned position embeddings (rows); 0 for RoPE/ALiBi, which have none"),
    ),
    summary="parameters of a decoder-only model: embeddings, L blocks, a final norm and the output layer (tied or not)",
    answer="dict",
    parts=("embeddings", "blocks", "final_norm", "lm_head", "total"),
)
def model_params(
    vocab: Any, n_layers: Any, d_model: Any, n_heads: Any, d_ff: Any, mlp: Any = "gelu", bias: Any = True, norm: Any = "layernorm",
    n_kv_heads: Any = None, tied: Any = True, max_len: Any = 0,
) -> Solution:
    """V·d token embeddings (+ max_len·d positions) + L·block + final norm + the output layer d·V (no bias), shared when tied."""
    vocab = check_int("vocab", vocab, minimum=1)
    layers = check_int("n_layers", n_layers, minimum=1)
    d, h, d_ff, mlp, bias, norm = _block_args(d_model, n_heads, d_ff, mlp, bias, norm)
    tied = check_bool("tied", tied)
    max_len = check_int("max_len", max_len, minimum=0)
    block = _block_parts(d, h, d_ff, mlp, bias, norm, n_kv_heads)
    embeddings = vocab * d + max_len * d
    blocks = layers * block["total"]
    final_norm = _norm_count(d, norm, bias)
    head = 0 if tied else d * vocab
    total = embeddings + blocks + final_norm + head

    def value_with(**kwargs: int) -> dict[str, int]:
        parts = {"embeddings": embeddings, "blocks": blocks, "final_norm": final_norm, "lm_head": head} | kwargs
        return parts | {"total": sum(parts.values())}

    value = value_with()
    steps = [
        f"token embedding V·d = {vocab}·{d} = {_big(vocab * d)}" + (f"; learned positions {max_len}·{d} = {_big(max_len * d)}" if max_len else "; no position table (RoPE/ALiBi have no parameters)"),
        *(f"one block: {s}" for s in _block_steps(d, h, d_ff, mlp, bias, norm, n_kv_heads, block)[:-1]),
        f"{layers} blocks: {layers}·{_big(block['total'])} = {_big(blocks)}",
        f"final norm: {final_norm}",
        "output layer: tied to the token embedding, no new parameters" if tied else f"output layer d·V = {d}·{vocab} = {_big(head)} (untied, no bias)",
        f"total = {_big(embeddings)} + {_big(blocks)} + {final_norm} + {_big(head)} = {_big(total)}",
    ]
    wrong = [
        Misconception("head_counted_when_tied", value_with(lm_head=d * vocab), "counted the output layer; tied weights share the embedding matrix") if tied
        else Misconception("head_shared_when_untied", value_with(lm_head=0), "left out the output layer; untied, it is a separate d×V matrix"),
        Misconception("added_output_bias", value_with(lm_head=head + vocab), "gave the output layer a bias of V; GPT-2's lm_head has none"),
        Misconception("forgot_embeddings", value_with(embeddings=0), "left out the embedding table"),
        Misconception("forgot_final_norm", value_with(final_norm=0), "left out the norm after the last block"),
    ]
    for name, parts, why in _block_wrong(d, h, d_ff, mlp, bias, norm, n_kv_heads, block):
        wrong.append(Misconception(name, value_with(blocks=layers * parts["total"]), why))
    if layers > 1:
        wrong.append(Misconception("one_block_only", value_with(blocks=block["total"]), f"counted one block; there are {layers}"))
    return Solution(value, tuple(steps), distinct(value, wrong))


@register(
    "transformer.attention_params",
    params=(
        Param("d_model", "int", help="model width d"),
        Param("n_heads", "int", help="query heads (d_head = d_model/n_heads)"),
        Param("n_kv_heads", "int", help="key/value heads: n_heads (MHA), 1 (MQA) or a divisor in between (GQA)"),
        Param("bias", "bool", False, help="biases in the four projections"),
    ),
    summary="Q, K, V, O projection parameters with grouped KV heads: 2d² + 2d·n_kv·d_head",
    answer="int",
)
def attention_params(d_model: Any, n_heads: Any, n_kv_heads: Any, bias: Any = False) -> Solution:
    """W_Q, W_O: d×d each; W_K, W_V: d×(n_kv·d_head) each; biases d + 2·n_kv·d_head + d."""
    d = check_int("d_model", d_model, minimum=1)
    h = check_int("n_heads", n_heads, minimum=1)
    kv = check_int("n_kv_heads", n_kv_heads, minimum=1)
    bias = check_bool("bias", bias)
    d_head, kv = _head_width(d, h, kv)
    width = kv * d_head
    value = _attention_count(d, width, bias)
    kind = "MHA" if kv == h else ("MQA" if kv == 1 else f"GQA, {h // kv} query heads per KV head")
    steps = [
        f"d_head = d/n_heads = {d}/{h} = {d_head}; {kind}",
        f"W_Q and W_O: {d}×{d} each = 2·{_big(d * d)}",
        f"W_K and W_V: {d}×(n_kv·d_head) = {d}×{width} each = 2·{_big(d * width)}",
        *([f"biases: {d} + {width} + {width} + {d} = {2 * d + 2 * width}"] if bias else []),
        f"total = {_big(value)}",
    ]
    wrong = [
        Misconception("counted_as_mha", _attention_count(d, d, bias), "gave K and V the full width d; with grouped heads they are n_kv_heads·d_head wide"),
        Misconception("forgot_output_projection", value - d * d - (d if bias else 0), "left out the output projection W_O"),
        Misconception("kv_shrunk_queries_too", 4 * d * width + ((2 * d + 2 * width) if bias else 0),
                      "shrank Q and O as well; only the keys and values are shared across query heads"),
    ]
    if bias:
        wrong.append(Misconception("forgot_biases", _attention_count(d, width, False), "left out the biases"))
    return Solution(value, tuple(steps), distinct(value, wrong))


# ---------------------------------------------------------------- FLOPs and compute


@register(
    "transformer.forward_flops",
    params=(
        Param("seq", "int", help="tokens n in the sequence"),
        Param("d_model", "int", help="model width d"),
        Param("d_ff", "int", help="MLP hidden width"),
        Param("n_layers", "int", 1, help="blocks"),
        Param("mlp", "str", "gelu", help="gelu (two matrices) or swiglu (three)", choices=MLPS),
    ),
    summary="forward FLOPs per sequence: projections 8nd², scores and weighted sum 4n²d, MLP 4nd·d_ff (6 for SwiGLU), per layer",
    answer="dict",
    parts=("projections", "scores", "mlp", "total", "quadratic_share"),
)
def forward_flops(seq: Any, d_model: Any, d_ff: Any, n_layers: Any = 1, mlp: Any = "gelu") -> Solution:
    """Per layer (a multiply-add is 2 FLOPs; softmax, norms and biases left out):
    Q, K, V, O projections 2·4·n·d² = 8nd²; QKᵀ and weights·V 2·2·n²·d = 4n²d; MLP 2·(2 or 3)·n·d·d_ff.
    ``quadratic_share`` is the fraction of the total in the n² terms; they equal the projections at n = 2d."""
    n = check_int("seq", seq, minimum=1)
    d = check_int("d_model", d_model, minimum=1)
    d_ff = check_int("d_ff", d_ff, minimum=1)
    layers = check_int("n_layers", n_layers, minimum=1)
    mlp = _choice("mlp", mlp, MLPS)
    matrices = 2 if mlp == "gelu" else 3
    projections = 8 * n * d * d * layers
    scores = 4 * n * n * d * layers
    mlp_flops = 2 * matrices * n * d * d_ff * layers
    total = projections + scores + mlp_flops

    def value_with(p: int = projections, s: int = scores, m: int = mlp_flops) -> dict[str, Any]:
        return {"projections": p, "scores": s, "mlp": m, "total": p + s + m, "quadratic_share": s / (p + s + m)}

    value = value_with()
    per = f" per layer, ×{layers} layers" if layers > 1 else ""
    steps = [
        "convention: a multiply-add is 2 FLOPs; softmax (O(h·n²)), norms and biases (O(nd)) are left out, small beside the products",
        f"Q, K, V, O projections: 4 matrices of d×d on n tokens: 2·4·n·d² = 8·{n}·{d}²{per} = {_big(projections)}",
        f"QKᵀ (n×d by d×n) and weights·V (n×n by n×d): 2·2·n²·d = 4·{n}²·{d}{per} = {_big(scores)}",
        f"MLP: {matrices} matrices of d×d_ff: 2·{matrices}·n·d·d_ff = {2 * matrices}·{n}·{d}·{d_ff}{per} = {_big(mlp_flops)}",
        f"total = {_big(total)}; the n² terms are {_n(100 * value['quadratic_share'])}% of it (they match the projections at n = 2d = {2 * d})",
    ]
    wrong = [
        Misconception("counted_macs", {k: (v / 2 if k != "quadratic_share" else v) for k, v in value.items()}, "counted multiply-adds; each is 2 FLOPs"),
        Misconception("forgot_quadratic_terms", value_with(s=0), "left out QKᵀ and weights·V, the n² terms"),
        Misconception("only_qk_scores", value_with(s=scores // 2), "counted QKᵀ but not the weighted sum of V, which costs as much"),
        Misconception("three_projections", value_with(p=6 * n * d * d * layers), "counted Q, K, V but not the output projection"),
    ]
    if layers > 1:
        wrong.append(Misconception("one_layer", value_with(projections // layers, scores // layers, mlp_flops // layers), f"counted one layer; there are {layers}"))
    return Solution(value, tuple(steps), distinct(value, wrong))


@register(
    "transformer.training_compute",
    params=(
        Param("params", "float", help="parameters N"),
        Param("tokens", "float", help="training tokens D"),
        Param("gpus", "int", 1, help="accelerators"),
        Param("peak_tflops", "float", 989.0, help="peak dense TFLOP/s of one accelerator (H100 SXM bf16: 989)"),
        Param("mfu", "float", 0.4, help="model FLOPs utilisation, the fraction of peak actually achieved"),
    ),
    summary="training compute C ≈ 6ND FLOPs (2ND forward, 4ND backward) and the days it takes: C/(gpus·peak·MFU)/86,400",
    answer="dict",
    parts=("flops", "days"),
)
def training_compute(params: Any, tokens: Any, gpus: Any = 1, peak_tflops: Any = 989.0, mfu: Any = 0.4) -> Solution:
    """C = 6·N·D (2ND forward, 4ND backward, attention's n² terms left out); days = C/(gpus·peak·10¹²·MFU)/86,400."""
    n = check_float("params", params, positive=True)
    d = check_float("tokens", tokens, positive=True)
    gpus = check_int("gpus", gpus, minimum=1)
    peak = check_float("peak_tflops", peak_tflops, positive=True)
    mfu = check_float("mfu", mfu, positive=True)
    if mfu > 1:
        raise ValueError(f"mfu: a fraction of peak, at most 1, got {_n(mfu)}")
    flops = 6 * n * d
    rate = gpus * peak * 1e12 * mfu
    days = flops / rate / SECONDS_PER_DAY
    steps = [
        "C ≈ 6·N·D: per token and parameter 2 FLOPs forward and 4 backward (gradients for activations and for weights)",
        f"C = 6·{_n(n)}·{_n(d)} = {_n(flops)} FLOPs",
        f"achieved rate = gpus·peak·MFU = {gpus}·{_n(peak)}·10¹²·{_n(mfu)} = {_n(rate)} FLOP/s",
        f"time = {_n(flops)}/{_n(rate)} = {_n(flops / rate)} s = {_n(days)} days (86,400 s a day)",
    ]
    wrong = [
        Misconception("forward_only", {"flops": 2 * n * d, "days": days / 3}, "counted the forward pass only (2ND); training adds the backward pass, 4ND"),
        Misconception("backward_same_as_forward", {"flops": 4 * n * d, "days": days * 2 / 3}, "counted the backward pass as one forward; it costs two (activation and weight gradients)"),
        Misconception("ignored_mfu", {"flops": flops, "days": days * mfu}, "assumed the accelerators run at peak; divide by the MFU as well"),
        Misconception("hours_not_days", {"flops": flops, "days": days * 24}, "gave hours; a day has 86,400 s"),
    ]
    if gpus > 1:
        wrong.append(Misconception("forgot_gpus", {"flops": flops, "days": days * gpus}, f"used one accelerator; the {gpus} share the work"))
    value = {"flops": flops, "days": days}
    return Solution(value, tuple(steps), distinct(value, wrong))


# ---------------------------------------------------------------- memory


def _unit(unit: Any) -> str:
    return _choice("unit", unit, tuple(UNITS))


def _dtype(dtype: Any) -> str:
    return _choice("dtype", dtype, tuple(DTYPE_BYTES))


def _unit_misconception(value_bytes: float, unit: str) -> list[Misconception]:
    other = _OTHER_UNIT.get(unit)
    if other is None:
        return []
    binary = unit.endswith("iB")
    why = (f"divided by a power of 10 ({other}); {unit} is a power of 2 (1 GiB = 2³⁰ bytes ≈ 1.074·10⁹)" if binary
           else f"divided by a power of 2 ({other}); {unit} is a power of 10 (1 GB = 10⁹ bytes)")
    return [Misconception("binary_decimal_units", value_bytes / UNITS[other], why)]


@register(
    "transformer.kv_cache",
    params=(
        Param("n_layers", "int", help="layers L"),
        Param("n_kv_heads", "int", help="key/value heads (fewer than the query heads under GQA/MQA)"),
        Param("d_head", "int", help="width of one head"),
        Param("batch", "int", help="sequences in the batch"),
        Param("seq", "int", help="cached tokens per sequence"),
        Param("dtype", "str", "bf16", help="element type of the cache", choices=tuple(DTYPE_BYTES)),
        Param("unit", "str", "GiB", help="unit of the answer", choices=tuple(UNITS)),
        Param("n_heads", "int", None, help="query heads, when they differ from n_kv_heads (only for the misconception)"),
    ),
    summary="KV-cache size 2·L·n_kv_heads·d_head·batch·seq·bytes (K and V for every layer, head and token)",
    answer="float",
)
def kv_cache(
    n_layers: Any, n_kv_heads: Any, d_head: Any, batch: Any, seq: Any, dtype: Any = "bf16", unit: Any = "GiB", n_heads: Any = None
) -> Solution:
    """bytes = 2 (K and V) · L · n_kv_heads · d_head · batch · seq · bytes per element, in ``unit``."""
    layers = check_int("n_layers", n_layers, minimum=1)
    kv = check_int("n_kv_heads", n_kv_heads, minimum=1)
    d_head = check_int("d_head", d_head, minimum=1)
    batch = check_int("batch", batch, minimum=1)
    seq = check_int("seq", seq, minimum=1)
    dtype, unit = _dtype(dtype), _unit(unit)
    size = DTYPE_BYTES[dtype]
    count = 2 * layers * kv * d_head * batch * seq
    total = count * size
    value = total / UNITS[unit]
    steps = [
        "every layer caches a key and a value vector per KV head for every token of every sequence",
        f"elements = 2·L·n_kv·d_head·batch·seq = 2·{layers}·{kv}·{d_head}·{batch}·{seq} = {_big(count)}",
        f"bytes = {_big(count)}·{size} ({dtype}) = {_big(total)}",
        f"in {unit}: {_big(total)}/{_big(UNITS[unit])} = {_n(value)}",
    ]
    wrong = [
        Misconception("forgot_k_and_v", value / 2, "counted one tensor; the cache holds keys and values"),
        *_unit_misconception(total, unit),
    ]
    if size != 4:
        wrong.append(Misconception("assumed_fp32", value * 4 / size, f"used 4 bytes an element; {dtype} takes {size}"))
    if n_heads is not None:
        h = check_int("n_heads", n_heads, minimum=1)
        if h != kv:
            wrong.append(Misconception("used_query_heads", value * h / kv, f"used the {h} query heads; only the {kv} KV heads are cached"))
    return Solution(value, tuple(steps), distinct(value, wrong))


@register(
    "transformer.score_memory",
    params=(
        Param("batch", "int", help="sequences in the batch"),
        Param("n_heads", "int", help="attention heads"),
        Param("seq", "int", help="tokens n"),
        Param("dtype", "str", "bf16", help="element type of the scores", choices=tuple(DTYPE_BYTES)),
        Param("unit", "str", "GiB", help="unit of the answer", choices=tuple(UNITS)),
    ),
    summary="memory of one layer's attention score (or weight) matrices: batch·heads·n²·bytes",
    answer="float",
)
def score_memory(batch: Any, n_heads: Any, seq: Any, dtype: Any = "bf16", unit: Any = "GiB") -> Solution:
    """bytes = batch·heads·n·n·bytes per element: one n×n matrix per head and sequence (what FlashAttention never stores)."""
    batch = check_int("batch", batch, minimum=1)
    h = check_int("n_heads", n_heads, minimum=1)
    n = check_int("seq", seq, minimum=1)
    dtype, unit = _dtype(dtype), _unit(unit)
    size = DTYPE_BYTES[dtype]
    total = batch * h * n * n * size
    value = total / UNITS[unit]
    steps = [
        "one n×n matrix of scores per head and per sequence",
        f"bytes = batch·heads·n²·{size} = {batch}·{h}·{n}²·{size} = {_big(total)}",
        f"in {unit}: {_n(value)}",
    ]
    wrong = [
        Misconception("linear_in_seq", value / n, "counted n entries per head; the score matrix is n×n"),
        *_unit_misconception(total, unit),
    ]
    if h > 1:
        wrong.append(Misconception("forgot_heads", value / h, "counted one head; every head has its own score matrix"))
    if batch > 1:
        wrong.append(Misconception("forgot_batch", value / batch, "counted one sequence; the batch multiplies it"))
    return Solution(value, tuple(steps), distinct(value, wrong))


_PRECISIONS = ("mixed", "fp32")
_OPTIMISERS = ("adam", "sgd_momentum", "sgd")


def _bytes_per_param(precision: str, optimiser: str, *, master: bool = True, grads: bool = True, state: bool = True) -> int:
    """Weights + gradients + (fp32 master copy under mixed precision) + optimiser state, bytes per parameter."""
    moments = {"adam": 2, "sgd_momentum": 1, "sgd": 0}[optimiser]
    if precision == "mixed":
        return 2 + (2 if grads else 0) + (4 if master else 0) + (4 * moments if state else 0)
    return 4 + (4 if grads else 0) + (4 * moments if state else 0)


@register(
    "transformer.training_memory",
    params=(
        Param("params", "float", help="parameters N"),
        Param("precision", "str", "mixed", help="mixed: bf16 weights and grads + fp32 master; fp32: everything in fp32", choices=_PRECISIONS),
        Param("optimizer", "str", "adam", help="adam (2 moments), sgd_momentum (1 buffer) or sgd", choices=_OPTIMISERS),
        Param("unit", "str", "GiB", help="unit of the answer", choices=tuple(UNITS)),
    ),
    summary="weights, gradients and optimiser state in training (activations left out): 16 bytes a parameter for mixed-precision Adam",
    answer="dict",
    parts=("bytes_per_param", "total"),
)
def training_memory(params: Any, precision: Any = "mixed", optimizer: Any = "adam", unit: Any = "GiB") -> Solution:
    """Bytes a parameter: mixed = 2 (bf16 weights) + 2 (bf16 grads) + 4 (fp32 master) + 4 per fp32 state tensor;
    fp32 = 4 + 4 + 4 per state tensor. Adam keeps two (m, v), SGD with momentum one. Activations, buffers and
    fragmentation are left out."""
    n = check_float("params", params, positive=True)
    precision = _choice("precision", precision, _PRECISIONS)
    optimizer = _choice("optimizer", optimizer, _OPTIMISERS)
    unit = _unit(unit)
    per = _bytes_per_param(precision, optimizer)
    total = n * per / UNITS[unit]
    moments = {"adam": "m and v, 4 + 4", "sgd_momentum": "the momentum buffer, 4", "sgd": "none"}[optimizer]
    if precision == "mixed":
        parts_text = f"bf16 weights 2 + bf16 gradients 2 + fp32 master weights 4 + fp32 optimiser state ({moments})"
    else:
        parts_text = f"fp32 weights 4 + fp32 gradients 4 + optimiser state ({moments})"
    steps = [
        "convention: weights, gradients and optimiser state only; activations, buffers and fragmentation are extra",
        f"bytes per parameter: {parts_text} = {per}",
        f"total = {_n(n)}·{per} = {_n(n * per)} bytes = {_n(total)} {unit}",
    ]

    def wrong(name: str, per_wrong: int, why: str) -> Misconception:
        return Misconception(name, {"bytes_per_param": per_wrong, "total": n * per_wrong / UNITS[unit]}, why)

    weight_bytes = 2 if precision == "mixed" else 4
    candidates = [
        wrong("weights_only", weight_bytes, "counted the weights only; training also keeps gradients and optimiser state"),
        wrong("forgot_gradients", _bytes_per_param(precision, optimizer, grads=False), "left out the gradients, one per parameter"),
    ]
    if precision == "mixed":
        candidates.append(wrong("forgot_master_copy", _bytes_per_param(precision, optimizer, master=False), "left out the fp32 master weights that mixed precision updates"))
        if optimizer != "sgd":
            count = 2 if optimizer == "adam" else 1
            candidates.append(wrong("state_in_bf16", per - 2 * count, "stored the optimiser state in 2 bytes; it is kept in fp32"))
    if optimizer != "sgd":
        candidates.append(wrong("forgot_optimizer_state", _bytes_per_param(precision, optimizer, state=False), "left out the optimiser state"))
    candidates += [
        Misconception(m.name, {"bytes_per_param": per, "total": m.value}, m.explanation) for m in _unit_misconception(n * per, unit)
    ]
    value = {"bytes_per_param": per, "total": total}
    return Solution(value, tuple(steps), distinct(value, candidates))

