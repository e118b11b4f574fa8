"""Tests for solvers.transformer: published model sizes and hand-worked figures, properties against shape lists."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import solvers
from solvers import transformer as tf


def misc(solution, name):
    return next((m.value for m in solution.misconceptions if m.name == name), None)


# ---------------------------------------------------------------- by hand and published sizes


def test_gpt2_small_block_and_model():
    # GPT-2 small: d 768, 12 heads, d_ff 3072, biases, LayerNorm, tied, 1024 learned positions: 124,439,808
    block = tf.block_params(768, 12, 3072).value
    assert block == {"attention": 4 * 768 * 768 + 4 * 768, "mlp": 2 * 768 * 3072 + 3072 + 768, "norms": 4 * 768, "total": 7_087_872}
    assert tf.model_params(50257, 12, 768, 12, 3072, max_len=1024).value["total"] == 124_439_808


def test_llama_7b():
    # LLaMA-7B: SwiGLU 11008, no biases, RMSNorm, untied, RoPE: 6,738,415,616 parameters
    value = tf.model_params(32000, 32, 4096, 32, 11008, mlp="swiglu", bias=False, norm="rmsnorm", tied=False).value
    assert value["total"] == 6_738_415_616
    assert value["lm_head"] == 4096 * 32000 and value["final_norm"] == 4096


def test_an_output_bias_is_named_as_a_mistake():
    # GPT-2's lm_head has no bias: adding V = 32,000 to the untied 6,738,415,616 is the named slip
    untied = tf.model_params(32000, 32, 4096, 32, 11008, mlp="swiglu", bias=False, norm="rmsnorm", tied=False)
    assert misc(untied, "added_output_bias")["total"] == 6_738_415_616 + 32000
    tied = tf.model_params(50257, 12, 768, 12, 3072, max_len=1024)
    assert misc(tied, "added_output_bias")["total"] == 124_439_808 + 50257


def test_block_misconceptions():
    sol = tf.block_params(768, 12, 3072)
    assert misc(sol, "forgot_output_projection")["total"] == 7_087_872 - 768 * 768 - 768
    assert misc(sol, "forgot_biases")["total"] == 12 * 768 * 768 + 2 * 768  # norms keep γ only
    llama = tf.block_params(4096, 32, 14336, mlp="swiglu", bias=False, norm="rmsnorm", n_kv_heads=8)
    # Mistral-7B block: attention 2·4096² + 2·4096·1024, MLP 3·4096·14336, norms 2·4096
    assert llama.value["total"] == 41_943_040 + 176_160_768 + 8192
    assert misc(llama, "swiglu_two_matrices")["mlp"] == 2 * 4096 * 14336
    assert misc(llama, "kv_heads_as_query_heads")["attention"] == 4 * 4096 * 4096


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((4096, 32, 8), 41_943_040),  # GQA: 2·4096² + 2·4096·(8·128)
        ((4096, 32, 1), 2 * 4096**2 + 2 * 4096 * 128),  # MQA
        ((4096, 32, 32), 4 * 4096**2),  # MHA
        ((512, 8, 2, True), 2 * 512**2 + 2 * 512 * 128 + 2 * 512 + 2 * 128),
    ],
)
def test_attention_params_by_hand(args, expected):
    assert tf.attention_params(*args).value == expected


def test_forward_flops_by_hand():
    value = tf.forward_flops(1, 1, 4).value
    assert (value["projections"], value["scores"], value["mlp"], value["total"]) == (8, 4, 16, 28)
    # n = 2d: the n² terms (4n²d = 16d³) equal the projections (8nd² = 16d³)
    sol = tf.forward_flops(8192, 4096, 16384, n_layers=3, mlp="swiglu")
    assert sol.value["scores"] == sol.value["projections"] == 3 * 8 * 8192 * 4096**2
    assert sol.value["mlp"] == 3 * 6 * 8192 * 4096 * 16384
    assert misc(sol, "one_layer")["total"] == sol.value["total"] // 3
    assert misc(sol, "counted_macs")["total"] == sol.value["total"] / 2


def test_training_compute_by_hand():
    sol = tf.training_compute(1e9, 2e10, gpus=8, peak_tflops=100, mfu=0.5)
    assert sol.value["flops"] == pytest.approx(1.2e20)
    assert sol.value["days"] == pytest.approx(1.2e20 / 4e14 / 86400)  # 3.47 days
    assert misc(sol, "forward_only")["flops"] == pytest.approx(4e19)
    assert misc(sol, "ignored_mfu")["days"] == pytest.approx(sol.value["days"] / 2)


def test_kv_cache_by_hand():
    # Llama-3-8B-like: 32 layers, 8 KV heads of 128, 4096 tokens, bf16: 2·32·8·128·4096·2 bytes = 0.5 GiB
    sol = tf.kv_cache(32, 8, 128, 1, 4096, n_heads=32)
    assert sol.value == 0.5
    assert misc(sol, "used_query_heads") == 2.0
    assert misc(sol, "forgot_k_and_v") == 0.25
    assert misc(sol, "binary_decimal_units") == pytest.approx(2**29 / 1e9)
    assert tf.kv_cache(32, 8, 128, 1, 4096, dtype="fp32", unit="MiB").value == 1024


def test_score_memory_and_training_memory_by_hand():
    assert tf.score_memory(8, 32, 4096).value == 8.0  # 8·32·4096²·2 bytes = 2³³
    mem = tf.training_memory(7e9, unit="GB")
    assert mem.value == {"bytes_per_param": 16, "total": 112.0}
    assert misc(mem, "forgot_master_copy") == {"bytes_per_param": 12, "total": 84.0}
    assert tf.training_memory(1e9, "fp32", "adam", "GB").value["bytes_per_param"] == 16
    assert tf.training_memory(1e9, "mixed", "sgd_momentum", "GB").value["bytes_per_param"] == 12
    assert tf.training_memory(1e9, "fp32", "sgd", "GB").value["bytes_per_param"] == 8


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: tf.block_params(768, 10, 3072), "n_heads: 10 heads do not divide d_model = 768"),
        (lambda: tf.block_params(768, 12, 3072, n_kv_heads=5), "n_kv_heads: 5 KV heads do not divide"),
        (lambda: tf.block_params(768, 12, 3072, mlp="relu"), "mlp: expected one of gelu, swiglu"),
        (lambda: tf.training_compute(1e9, 1e10, mfu=1.5), "mfu: a fraction of peak"),
        (lambda: tf.kv_cache(1, 1, 1, 1, 1, dtype="fp64"), "dtype: expected one of"),
        (lambda: tf.score_memory(1, 1, 1, unit="GBs"), "unit: expected one of"),
        (lambda: tf.training_memory(-1), "params: must be > 0"),
    ],
)
def test_refusals(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_registered_with_parts():
    assert solvers.get("transformer.block_params").parts == ("attention", "mlp", "norms", "total")
    assert solvers.get("transformer.kv_cache").solve(n_layers="32", n_kv_heads="8", d_head="128", batch="1", seq="4096").value == 0.5


# ---------------------------------------------------------------- properties

dims = st.sampled_from([64, 128, 256, 512, 768, 1024, 4096])


def _block_shapes(d, h, d_ff, mlp, bias, norm, kv):
    """Every weight tensor of a block, as shapes."""
    w = d // h * kv
    shapes = [(d, d), (w, d), (w, d), (d, d)] + ([(d,), (w,), (w,), (d,)] if bias else [])
    if mlp == "gelu":
        shapes += [(d_ff, d), (d, d_ff)] + ([(d_ff,), (d,)] if bias else [])
    else:
        shapes += [(d_ff, d), (d_ff, d), (d, d_ff)] + ([(d_ff,), (d_ff,), (d,)] if bias else [])
    shapes += [(d,), (d,)] + ([(d,), (d,)] if norm == "layernorm" and bias else [])
    return shapes


@settings(max_examples=300, deadline=None)
@given(dims, st.sampled_from([1, 2, 4, 8, 16]), st.integers(1, 20000), st.sampled_from(["gelu", "swiglu"]), st.booleans(),
       st.sampled_from(["layernorm", "rmsnorm"]), st.data())
def test_block_params_equal_the_entries_of_its_weights(d, h, d_ff, mlp, bias, norm, data):
    kv = data.draw(st.sampled_from([k for k in (1, 2, 4, 8, 16) if h % k == 0]))
    sol = tf.block_params(d, h, d_ff, mlp, bias, norm, kv)
    assert sol.value["total"] == sum(math.prod(s) for s in _block_shapes(d, h, d_ff, mlp, bias, norm, kv))
    assert all(m.value["total"] != sol.value["total"] for m in sol.misconceptions)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4096), st.integers(1, 2048), st.integers(1, 8192), st.integers(1, 4), st.sampled_from(["gelu", "swiglu"]))
def test_forward_flops_sum_the_matmuls(n, d, d_ff, layers, mlp):
    """2·m·k·p for each (m×k)·(k×p) product of one layer."""
    matmuls = [(n, d, d)] * 4 + [(n, d, n), (n, n, d)] + [(n, d, d_ff)] * (2 if mlp == "gelu" else 3)
    matmuls[-1] = (n, d_ff, d)
    total = layers * sum(2 * m * k * p for m, k, p in matmuls)
    value = tf.forward_flops(n, d, d_ff, layers, mlp).value
    assert value["total"] == total
    assert value["quadratic_share"] == pytest.approx(4 * n * n * d * layers / total)


@settings(max_examples=300, deadline=None)
@given(st.floats(1e6, 1e12), st.floats(1e8, 1e13), st.integers(1, 4096), st.floats(10, 2000), st.floats(0.05, 1))
def test_training_days_scale_inversely_with_the_rate(n, d, gpus, peak, mfu):
    one = tf.training_compute(n, d, 1, peak, mfu).value["days"]
    many = tf.training_compute(n, d, gpus, peak, mfu).value["days"]
    assert many == pytest.approx(one / gpus, rel=1e-12)
    assert one * 86400 * peak * 1e12 * mfu == pytest.approx(6 * n * d, rel=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 128), st.integers(1, 64), st.sampled_from([32, 64, 128, 256]), st.integers(1, 64), st.integers(1, 32768),
       st.sampled_from(list(tf.DTYPE_BYTES)), st.sampled_from(list(tf.UNITS)))
def test_kv_cache_is_two_tensors_per_layer(layers, kv, d_head, batch, seq, dtype, unit):
    per_layer_tensor = math.prod((batch, kv, seq, d_head))
    expected = layers * 2 * per_layer_tensor * tf.DTYPE_BYTES[dtype] / tf.UNITS[unit]
    assert tf.kv_cache(layers, kv, d_head, batch, seq, dtype, unit).value == pytest.approx(expected, rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 64), st.integers(1, 64), st.integers(1, 65536))
def test_score_memory_quadruples_when_the_sequence_doubles(batch, heads, seq):
    assume(seq <= 32768)
    a = tf.score_memory(batch, heads, seq, unit="bytes").value
    assert tf.score_memory(batch, heads, 2 * seq, unit="bytes").value == 4 * a
