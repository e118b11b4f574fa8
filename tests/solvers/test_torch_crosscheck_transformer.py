"""Cross-checks solvers.transformer against real PyTorch modules and tensors on thousands of random configurations.

Skipped when torch is not installed. Parameter counts come from modules built on the meta device (no
memory is allocated), FLOPs from torch.utils.flop_counter.FlopCounterMode running the layers, and bytes
from tensors of the stated shape and dtype.
"""

from __future__ import annotations

import numpy as np
import pytest

from solvers import transformer as tf

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

pytestmark = [pytest.mark.torch, pytest.mark.usefixtures("one_torch_thread")]

CASES = 1000
META = "meta"


def count(module) -> int:
    return sum(p.numel() for p in module.parameters())  # shared (tied) parameters are listed once


class Block(nn.Module):
    """A pre-norm decoder block written out: separate Q, K, V, O projections, a GELU or SwiGLU MLP, two norms."""

    def __init__(self, d, h, d_ff, mlp, bias, norm, kv):
        super().__init__()
        width = d // h * kv
        lin = {"bias": bias, "device": META}
        self.q, self.k, self.v, self.o = nn.Linear(d, d, **lin), nn.Linear(d, width, **lin), nn.Linear(d, width, **lin), nn.Linear(d, d, **lin)
        self.up, self.down = nn.Linear(d, d_ff, **lin), nn.Linear(d_ff, d, **lin)
        self.gate = nn.Linear(d, d_ff, **lin) if mlp == "swiglu" else None
        make_norm = (lambda: nn.LayerNorm(d, bias=bias, device=META)) if norm == "layernorm" else (lambda: nn.RMSNorm(d, device=META))
        self.norm1, self.norm2 = make_norm(), make_norm()


def _config(rng):
    h = int(rng.choice([1, 2, 4, 8, 16, 32]))
    d = h * int(rng.choice([8, 16, 32, 64, 128]))
    kv = int(rng.choice([k for k in (1, 2, 4, 8, 16, 32) if h % k == 0]))
    d_ff = int(rng.integers(1, 5 * d))
    return d, h, d_ff, str(rng.choice(["gelu", "swiglu"])), bool(rng.random() < 0.5), str(rng.choice(["layernorm", "rmsnorm"])), kv


def test_block_params_agree_with_a_block_of_nn_modules():
    rng = np.random.default_rng(31)
    for _ in range(CASES):
        config = _config(rng)
        parts = tf.block_params(*config).value
        block = Block(*config)
        assert parts["total"] == count(block), config
        assert parts["attention"] == sum(count(m) for m in (block.q, block.k, block.v, block.o)), config


def test_block_params_agree_with_transformer_encoder_layer():
    """PyTorch's own block: nn.MultiheadAttention, a two-matrix MLP and two LayerNorms (bias toggles all)."""
    rng = np.random.default_rng(32)
    for _ in range(CASES):
        h = int(rng.choice([1, 2, 4, 8, 12, 16]))
        d = h * int(rng.choice([8, 16, 32, 64]))
        d_ff = int(rng.integers(1, 5 * d))
        bias = bool(rng.random() < 0.5)
        layer = nn.TransformerEncoderLayer(d, h, d_ff, bias=bias, activation="gelu", device=META)
        assert tf.block_params(d, h, d_ff, "gelu", bias, "layernorm").value["total"] == count(layer), (d, h, d_ff, bias)


def test_model_params_agree_with_a_model_of_nn_modules():
    rng = np.random.default_rng(33)
    for _ in range(CASES):
        config = _config(rng)
        d, _h, _d_ff, _mlp, bias, norm, _kv = config
        vocab, layers = int(rng.integers(2, 5000)), int(rng.integers(1, 4))
        tied, max_len = bool(rng.random() < 0.5), int(rng.choice([0, 0, 128, 1024]))
        modules = nn.ModuleList([nn.Embedding(vocab, d, device=META)] + [Block(*config) for _ in range(layers)])
        if max_len:
            modules.append(nn.Embedding(max_len, d, device=META))
        modules.append(nn.LayerNorm(d, bias=bias, device=META) if norm == "layernorm" else nn.RMSNorm(d, device=META))
        head = nn.Linear(d, vocab, bias=False, device=META)
        if tied:
            head.weight = modules[0].weight
        modules.append(head)
        ours = tf.model_params(vocab, layers, *config[:6], n_kv_heads=config[6], tied=tied, max_len=max_len).value
        assert ours["total"] == count(modules), (vocab, layers, config, tied, max_len)


def test_attention_params_agree_with_multihead_attention_and_linear_layers():
    rng = np.random.default_rng(34)
    for _ in range(CASES):
        d, h, _d_ff, _mlp, bias, _norm, kv = _config(rng)
        ours = tf.attention_params(d, h, kv, bias).value
        if kv == h:
            assert ours == count(nn.MultiheadAttention(d, h, bias=bias, device=META)), (d, h, bias)
        width = d // h * kv
        projections = [nn.Linear(d, d, bias=bias, device=META), nn.Linear(d, width, bias=bias, device=META),
                       nn.Linear(d, width, bias=bias, device=META), nn.Linear(d, d, bias=bias, device=META)]
        assert ours == sum(count(p) for p in projections), (d, h, kv, bias)


def test_forward_flops_agree_with_flop_counter():
    from torch.utils.flop_counter import FlopCounterMode

    rng = np.random.default_rng(35)
    for _ in range(CASES):
        h = int(rng.choice([1, 2, 4]))
        d = h * int(rng.integers(1, 9))
        n, d_ff, layers = int(rng.integers(1, 40)), int(rng.integers(1, 80)), int(rng.integers(1, 3))
        mlp = str(rng.choice(["gelu", "swiglu"]))
        block = Block(d, h, d_ff, mlp, False, "rmsnorm", h)
        x = torch.empty(1, n, d, device=META)
        with FlopCounterMode(display=False) as counter:
            for _layer in range(layers):
                q, k, v = (p(x).view(1, n, h, d // h).transpose(1, 2) for p in (block.q, block.k, block.v))
                a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(1, n, d)
                y = block.o(a)
                hidden = F.silu(block.gate(y)) * block.up(y) if mlp == "swiglu" else F.gelu(block.up(y))
                x = block.down(hidden)
        assert tf.forward_flops(n, d, d_ff, layers, mlp).value["total"] == counter.get_total_flops(), (n, d, d_ff, layers, mlp)


_TORCH_DTYPES = {"fp32": torch.float32, "tf32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16,
                 "fp8": torch.float8_e4m3fn, "int8": torch.int8}


def _bytes(tensor) -> int:
    return tensor.numel() * tensor.element_size()


def test_kv_cache_agrees_with_the_bytes_of_cache_tensors():
    rng = np.random.default_rng(36)
    for _ in range(CASES):
        layers, kv, d_head = int(rng.integers(1, 80)), int(rng.integers(1, 64)), int(rng.choice([32, 64, 128, 256]))
        batch, seq = int(rng.integers(1, 64)), int(rng.integers(1, 131072))
        dtype, unit = str(rng.choice(list(tf.DTYPE_BYTES))), str(rng.choice(list(tf.UNITS)))
        # what a decoder keeps: per layer a key and a value tensor of shape (batch, n_kv_heads, seq, d_head)
        cache = [torch.empty(batch, kv, seq, d_head, dtype=_TORCH_DTYPES[dtype], device=META) for _ in range(2)]
        expected = layers * sum(_bytes(t) for t in cache) / tf.UNITS[unit]
        assert tf.kv_cache(layers, kv, d_head, batch, seq, dtype, unit).value == pytest.approx(expected, rel=1e-12)


def test_score_memory_agrees_with_the_bytes_of_a_score_tensor():
    rng = np.random.default_rng(37)
    for _ in range(CASES):
        batch, heads, seq = int(rng.integers(1, 64)), int(rng.integers(1, 128)), int(rng.integers(1, 65536))
        dtype, unit = str(rng.choice(list(tf.DTYPE_BYTES))), str(rng.choice(list(tf.UNITS)))
        q = torch.empty(batch, heads, seq, 8, dtype=_TORCH_DTYPES[dtype] if dtype not in ("fp8", "int8") else torch.bfloat16, device=META)
        scores = (q @ q.transpose(-1, -2)).to(_TORCH_DTYPES[dtype])
        expected = _bytes(scores) / tf.UNITS[unit]
        assert tf.score_memory(batch, heads, seq, dtype, unit).value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("optimizer", ["adam", "sgd_momentum", "sgd"])
@pytest.mark.parametrize("precision", ["fp32", "mixed"])
def test_training_memory_agrees_with_a_real_optimiser_step(precision, optimizer):
    """After one real step, count every tensor training keeps: (bf16 working copy and its gradients under mixed
    precision,) the weights the optimiser updates, their gradients, and the optimiser's state tensors."""
    rng = np.random.default_rng(38)
    for _ in range(-(-CASES // 6)):  # the six settings together make CASES real optimiser steps
        d_in, d_out = int(rng.integers(1, 64)), int(rng.integers(1, 64))
        master = nn.Linear(d_in, d_out)  # fp32: the weights the optimiser updates
        opt = {"adam": lambda p: torch.optim.Adam(p), "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
               "sgd": lambda p: torch.optim.SGD(p, lr=0.1)}[optimizer](master.parameters())
        kept = []
        if precision == "mixed":
            work = nn.Linear(d_in, d_out).to(torch.bfloat16)  # the bf16 copy the forward and backward run in
            work(torch.randn(3, d_in, dtype=torch.bfloat16)).sum().backward()
            kept += [*work.parameters(), *(p.grad for p in work.parameters())]
            for p, w in zip(master.parameters(), work.parameters()):
                p.grad = w.grad.float()  # the step reads fp32 gradients; they are not kept beyond it
            opt.step()
            kept += list(master.parameters())
        else:
            master(torch.randn(3, d_in)).sum().backward()
            opt.step()
            kept += [*master.parameters(), *(p.grad for p in master.parameters())]
        # per-parameter state tensors (Adam's exp_avg and exp_avg_sq, SGD's momentum_buffer); Adam's step counter is a scalar
        kept += [t for state in opt.state.values() for t in state.values() if torch.is_tensor(t) and t.dim() > 0]
        n = sum(p.numel() for p in master.parameters())
        ours = tf.training_memory(n, precision, optimizer, "bytes").value
        assert ours["total"] == sum(_bytes(t) for t in kept), (precision, optimizer, d_in, d_out)
        assert ours["bytes_per_param"] * n == ours["total"]
