"""Cross-checks solvers.norm against nn.BatchNorm1d, nn.LayerNorm and nn.RMSNorm on thousands of random cases.

Skipped when torch is not installed. Cases come from a seeded numpy Generator; the failing case is in
the assertion message. Counts are checked on the real modules: their parameters and their buffers.
"""

from __future__ import annotations

import numpy as np
import pytest

from solvers import norm

torch = pytest.importorskip("torch")
nn = torch.nn

pytestmark = [pytest.mark.torch, pytest.mark.usefixtures("one_torch_thread")]

CASES = 1000


def t(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=float), dtype=torch.float64)


def close(ours, theirs, case):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), theirs.detach().numpy(), rtol=1e-9, atol=1e-10, err_msg=repr(case))


def _batch(rng):
    n, c = int(rng.integers(2, 9)), int(rng.integers(1, 6))
    return rng.normal(size=(n, c)) * 10.0 ** rng.uniform(-1, 1) + rng.normal() * 3, n, c


def _affine(module, rng, c):
    gamma, beta = rng.normal(size=c), rng.normal(size=c)
    with torch.no_grad():
        module.weight.copy_(t(gamma))
        if getattr(module, "bias", None) is not None:
            module.bias.copy_(t(beta))
    return gamma, beta


def test_batchnorm_train_agrees_with_batchnorm1d():
    rng = np.random.default_rng(21)
    for _ in range(CASES):
        x, _n, c = _batch(rng)
        momentum = float(rng.choice([0.1, rng.uniform(0.01, 1)]))
        eps = float(rng.choice([1e-5, 1e-3]))
        bn = nn.BatchNorm1d(c, eps=eps, momentum=momentum, dtype=torch.float64)
        rm, rv = rng.normal(size=c), rng.uniform(0.1, 3, size=c)
        with torch.no_grad():
            bn.running_mean.copy_(t(rm))
            bn.running_var.copy_(t(rv))
        gamma, beta = _affine(bn, rng, c)
        bn.train()
        y = bn(t(x))
        out, new_rm, new_rv = norm.batchnorm_train(x, gamma, beta, rm, rv, momentum, eps).value
        case = (x, gamma, beta, rm, rv, momentum, eps)
        close(out, y, case)
        close(new_rm, bn.running_mean, case)
        close(new_rv, bn.running_var, case)


def test_batchnorm_eval_agrees_with_batchnorm1d():
    rng = np.random.default_rng(22)
    for _ in range(CASES):
        x, _n, c = _batch(rng)
        eps = float(rng.choice([1e-5, 1e-3, 0.1]))
        bn = nn.BatchNorm1d(c, eps=eps, dtype=torch.float64)
        rm, rv = rng.normal(size=c), rng.uniform(0.01, 5, size=c)
        with torch.no_grad():
            bn.running_mean.copy_(t(rm))
            bn.running_var.copy_(t(rv))
        gamma, beta = _affine(bn, rng, c)
        bn.eval()
        close(norm.batchnorm_eval(x, rm, rv, gamma, beta, eps).value, bn(t(x)), (x, rm, rv, gamma, beta, eps))


def test_layernorm_agrees_with_nn_layernorm():
    rng = np.random.default_rng(23)
    for _ in range(CASES):
        x, _n, d = _batch(rng)
        d = max(d, 2)
        x = rng.normal(size=(x.shape[0], d)) * 10.0 ** rng.uniform(-1, 1)
        eps = float(rng.choice([1e-5, 1e-6, 0.1]))
        bias = bool(rng.random() < 0.8)
        ln = nn.LayerNorm(d, eps=eps, bias=bias, dtype=torch.float64)
        gamma, beta = _affine(ln, rng, d)
        ours = norm.layernorm(x, gamma, beta if bias else None, eps).value
        close(ours, ln(t(x)), (x, gamma, beta, eps, bias))


def test_rmsnorm_agrees_with_nn_rmsnorm():
    rng = np.random.default_rng(24)
    for _ in range(CASES):
        x, _n, d = _batch(rng)
        eps = float(rng.choice([1e-5, 1e-6, 1e-8]))
        rms = nn.RMSNorm(d, eps=eps, dtype=torch.float64)
        gamma, _ = _affine(rms, rng, d)
        close(norm.rmsnorm(x, gamma, eps).value, rms(t(x)), (x, gamma, eps))


def test_rmsnorm_default_eps_is_float32_machine_epsilon():
    rms = nn.RMSNorm(3)  # eps=None: the input dtype's epsilon
    x = np.array([[1e-4, -2e-4, 3e-4]], dtype=np.float32)
    np.testing.assert_allclose(norm.rmsnorm(x).value, rms(torch.tensor(x)).detach().numpy(), rtol=1e-5)
    assert norm.FLOAT32_EPS == torch.finfo(torch.float32).eps


def _counts(module) -> dict:
    return {
        "parameters": sum(p.numel() for p in module.parameters()),
        "buffers": sum(b.numel() for b in module.buffers()),
    }


def test_param_count_agrees_with_real_modules():
    rng = np.random.default_rng(25)
    for _ in range(CASES):
        c = int(rng.integers(1, 2049))
        affine, bias, track = (bool(b) for b in rng.integers(0, 2, size=3))
        kind = str(rng.choice(["batchnorm", "layernorm", "rmsnorm"]))
        if kind == "batchnorm":
            cls = [nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d][int(rng.integers(0, 3))]
            module = cls(c, affine=affine, track_running_stats=track, device="meta")
        elif kind == "layernorm":
            module = nn.LayerNorm(c, elementwise_affine=affine, bias=bias, device="meta")
        else:
            module = nn.RMSNorm(c, elementwise_affine=affine, device="meta")
        sol = norm.param_count(kind, c, affine=affine, bias=bias, track_running_stats=track)
        assert sol.value == _counts(module), (kind, c, affine, bias, track)


def test_stack_count_agrees_with_a_state_dict_of_real_modules():
    rng = np.random.default_rng(27)
    for _ in range(CASES):
        c = int(rng.integers(0, 513))
        shape = None if rng.random() < 0.2 else [int(n) for n in rng.integers(1, 17, size=int(rng.integers(1, 4)))]
        d = int(rng.choice([0, int(rng.integers(1, 4097))]))
        affine, bias = (bool(b) for b in rng.integers(0, 2, size=2))
        if not c and shape is None and not d:
            continue
        layers = []
        if c:
            layers.append(nn.BatchNorm2d(c, device="meta"))
        if shape is not None:
            layers.append(nn.LayerNorm(shape, elementwise_affine=affine, bias=bias, device="meta"))
        if d:
            layers.append(nn.RMSNorm(d, device="meta"))
        model = nn.Sequential(*layers)
        counts = _counts(model)
        state = sum(v.numel() for v in model.state_dict().values())
        expected = counts | {"state_dict": state}
        assert norm.stack_count(c, shape, affine, bias, d).value == expected, (c, shape, affine, bias, d)
