"""The normalisation and transformer drills, recomputed with PyTorch from the question as the user reads it.

Skipped when torch is not installed. Each drill below is generated at 100 seeds per level; its
numbers are read back from the question text (not from the generator's parameters), the answer is
computed with real modules (nn.BatchNorm1d/2d, nn.LayerNorm, nn.RMSNorm, nn.Linear, nn.Embedding on
the meta device for the counts) or from first principles (6ND, bytes of cache tensors), and must be
what the drill accepts at its stated precision. So a question that leaves out a fact its answer
uses (a bias, a tied layer) fails here too.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from quizapp.content.drill import LEVELS
from quizapp.content.loader import load_bank
from quizapp.generate import generate

torch = pytest.importorskip("torch")
nn = torch.nn

pytestmark = pytest.mark.torch

SEEDS = range(100)
META = "meta"


@cache
def _templates():
    return {t.id: t for t in load_bank([], bundled=True).templates()}


def _num(text: str) -> float:
    return float(text.replace("−", "-"))


def _find(pattern: str, question: str) -> tuple[str, ...]:
    m = re.search(pattern, question)
    assert m, (pattern, question)
    return m.groups()


def _vector(text: str) -> list[float]:
    return [_num(v) for v in text.split(",")]


def _t(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())  # shared (tied) tensors are listed once


# ---------------------------------------------------------------- normalisation


def _affine(module, gamma: float, beta: float | None = None):
    with torch.no_grad():
        module.weight.fill_(gamma)
        if beta is not None:
            module.bias.fill_(beta)
    return module


def bn_train_output(q):
    gamma, beta, x = _find(r"γ = (\S+), β = (\S+) and eps = 1e-5.*values are \[([^\]]*)\]", q)
    bn = _affine(nn.BatchNorm1d(1, eps=1e-5, dtype=torch.float64), _num(gamma), _num(beta)).train()
    return bn(_t(_vector(x))[:, None])[:, 0].tolist()


def bn_eval(q):
    rm, rv, gamma, beta, x = _find(r"running_mean = (\S+) and running_var = (\S+), with γ = (\S+), β = (\S+), eps = 1e-5.*batch \[([^\]]*)\]", q)
    bn = _affine(nn.BatchNorm1d(1, eps=1e-5, dtype=torch.float64), _num(gamma), _num(beta))
    with torch.no_grad():
        bn.running_mean.fill_(_num(rm))
        bn.running_var.fill_(_num(rv))
    return bn.eval()(_t(_vector(x))[:, None])[:, 0].tolist()


def layernorm(q):
    x, gamma, beta = _find(r"features \[([^\]]*)\] passes through `?nn.LayerNorm\(4\)`? whose γ = (\S+), β = (\S+) and eps = 1e-5", q)
    ln = _affine(nn.LayerNorm(4, eps=1e-5, dtype=torch.float64), _num(gamma), _num(beta))
    return ln(_t(_vector(x))).tolist()


def rmsnorm(q):
    x, gamma, eps = _find(r"features \[([^\]]*)\] passes through an RMSNorm layer.*?(?:γ = |gain )(\S+) (?:for|on) every feature and eps = (\d[\de.−-]*\d)", q)
    values = _vector(x)
    rms = _affine(nn.RMSNorm(len(values), eps=_num(eps), dtype=torch.float64), _num(gamma))
    return rms(_t(values)).tolist()


def _two_norms(q):
    c, shape, affine, bias = _find(r"BatchNorm2d\((\d+)\).*LayerNorm\(\[([\d, ]+)\], elementwise_affine=(True|False),\s*bias=(True|False)\)", q)
    ln = nn.LayerNorm([int(n) for n in shape.split(",")], elementwise_affine=affine == "True", bias=bias == "True", device=META)
    return nn.Sequential(nn.BatchNorm2d(int(c), device=META), ln)


def param_count(q):
    return _count(_two_norms(q))


def state_dict_count(q):
    return sum(v.numel() for v in _two_norms(q).state_dict().values())


def bn_buffers(q):
    (c,) = _find(r"BatchNorm2d\((\d+)\)", q)
    return sum(b.numel() for b in nn.BatchNorm2d(int(c), device=META).buffers())


# ---------------------------------------------------------------- transformers


class _Block(nn.Module):
    """A pre-LN decoder block as GPT-2 (GELU MLP, biases, LayerNorm) or LLaMA (SwiGLU, no biases, RMSNorm, GQA) builds it."""

    def __init__(self, d: int, n_heads: int, d_ff: int, *, llama: bool = False, n_kv: int | None = None):
        super().__init__()
        bias, d_head = not llama, d // n_heads
        kv = (n_kv or n_heads) * d_head
        self.q, self.k, self.v, self.o = (nn.Linear(d, w, bias=bias, device=META) for w in (d, kv, kv, d))
        mats = 3 if llama else 2
        self.up = nn.ModuleList([nn.Linear(d, d_ff, bias=bias, device=META) for _ in range(mats - 1)])
        self.down = nn.Linear(d_ff, d, bias=bias, device=META)
        norm = (lambda: nn.RMSNorm(d, device=META)) if llama else (lambda: nn.LayerNorm(d, device=META))
        self.norm1, self.norm2 = norm(), norm()


def block_params(q):
    d, h, width, d_ff = (int(v) for v in _find(r"d_model = (\d+) and (\d+) attention heads of width (\d+), a GELU MLP with hidden width (\d+), a bias in every linear layer", q))
    assert width * h == d
    return _count(_Block(d, h, d_ff))


def block_params_llama(q):
    d, h, width, kv, d_ff = (int(v) for v in _find(r"d_model = (\d+) and (\d+) query heads of width (\d+), with n_kv_heads = (\d+) key/value heads.*SwiGLU MLP with hidden width (\d+), two RMSNorms and no biases", q))
    assert width * h == d
    return _count(_Block(d, h, d_ff, llama=True, n_kv=kv))


def model_params(q):
    vocab, max_len, layers, d, h, d_ff = (int(v) for v in _find(
        r"vocabulary of (\d+), learned position embeddings for (\d+) positions, (\d+) blocks with d_model = (\d+), (\d+) heads and GELU MLPs of width (\d+)", q))
    assert "Its output layer has no bias" in q and "a final LayerNorm" in q
    (tied,) = _find(r"tied to the token embedding: (True|False)", q)
    model = nn.ModuleDict({
        "tokens": nn.Embedding(vocab, d, device=META),
        "positions": nn.Embedding(max_len, d, device=META),
        "blocks": nn.ModuleList([_Block(d, h, d_ff) for _ in range(layers)]),
        "final": nn.LayerNorm(d, device=META),
        "head": nn.Linear(d, vocab, bias=False, device=META),
    })
    if tied == "True":
        model["head"].weight = model["tokens"].weight
    return _count(model)


def training_flops(q):
    n, tokens = _find(r"dense (\d+)B-parameter transformer on (\d+)B tokens", q)
    return 6 * int(n) * 1e9 * int(tokens) * 1e9


def training_days(q):
    n, tokens, gpus, peak, mfu = _find(r"dense (\d+)B-parameter transformer is trained on (\d+)B tokens with (\d+) GPUs whose dense bf16 peak is (\d+) TFLOP/s each, at an MFU of (\d+(?:\.\d+)?)", q)
    seconds = 6 * int(n) * 1e9 * int(tokens) * 1e9 / (int(gpus) * int(peak) * 1e12 * float(mfu))
    return seconds / 86_400


_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32, "fp8": torch.float8_e4m3fn, "int8": torch.int8}


def _bytes(shape, dtype: str) -> int:
    tensor = torch.empty(shape, dtype=_DTYPES[dtype], device=META)
    return tensor.numel() * tensor.element_size()


def kv_cache(q):
    layers, kv, d_head, batch, seq, dtype = _find(
        r"(\d+) layers, \d+ query heads and n_kv_heads = (\d+) key/value heads, all of width (\d+), serves a batch of size (\d+), every sequence (\d+) tokens long, caching in (\w+)\. How large is its KV cache, in GiB", q)
    one = _bytes((int(batch), int(kv), int(seq), int(d_head)), dtype)
    return 2 * int(layers) * one / 2**30  # a key and a value tensor per layer


def score_memory(q):
    heads, batch, seq, dtype = _find(r"with (\d+) heads over a batch of (\d+) sequences of (\d+) tokens, writes out its attention scores in (\w+)\. How much memory do they take, in GiB", q)
    return _bytes((int(batch), int(heads), int(seq), int(seq)), dtype) / 2**30


RECOMPUTE = {
    "norm-bn-train-output": bn_train_output,
    "norm-bn-eval": bn_eval,
    "norm-layernorm": layernorm,
    "norm-rmsnorm": rmsnorm,
    "norm-rmsnorm-gain": rmsnorm,
    "norm-param-count": param_count,
    "norm-state-dict-count": state_dict_count,
    "norm-bn-buffers": bn_buffers,
    "tr-block-params": block_params,
    "tr-block-params-llama": block_params_llama,
    "tr-model-params": model_params,
    "tr-training-flops": training_flops,
    "tr-training-days": training_days,
    "tr-kv-cache": kv_cache,
    "tr-score-memory": score_memory,
}


def _accepted(inst, mine) -> bool:
    if isinstance(inst.answer, list):
        return len(mine) == len(inst.answer) and all(inst.tolerance.allows(x, y) for x, y in zip(mine, inst.answer))
    return inst.tolerance.allows(mine, inst.answer)


@pytest.mark.parametrize("template_id", sorted(RECOMPUTE))
def test_torch_recomputes_every_answer_from_the_question(template_id):
    template = _templates()[template_id]
    recompute = RECOMPUTE[template_id]
    for level in LEVELS:
        for seed in SEEDS:
            inst = generate(template, seed, level)
            mine = recompute(inst.question)
            assert _accepted(inst, mine), (level, seed, inst.question, inst.answer_text, mine)


def test_torch_agrees_with_a_hand_worked_gpt2_small():
    # GPT-2 small as published: 124,439,808 parameters (tied head, 1,024 positions)
    q = ("A GPT-2-style decoder has a vocabulary of 50257, learned position embeddings for 1024 positions, 12 blocks with "
         "d_model = 768, 12 heads and GELU MLPs of width 3072, a bias in every linear layer of the blocks, LayerNorms (γ, β) "
         "throughout and a final LayerNorm. Its output layer has no bias, as GPT-2's lm_head; tied to the token embedding: True.")
    assert model_params(q) == 124_439_808
