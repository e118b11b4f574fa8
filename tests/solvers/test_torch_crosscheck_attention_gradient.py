"""Cross-checks solvers.attention and solvers.gradient against PyTorch on thousands of random cases.

Skipped when torch is not installed. Every case is drawn from a seeded numpy Generator, so a failure
repeats; the failing case is in the assertion message.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from solvers import attention, gradient

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch

RTOL, ATOL = 1e-9, 1e-12


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    # Tiny tensors: thread hand-offs cost ten times the arithmetic, more when the machine is busy.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def t(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=float), dtype=torch.float64)


def close(ours, theirs, case, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(ours), theirs.detach().numpy(), rtol=rtol, atol=atol, err_msg=repr(case))


# ---------------------------------------------------------------- softmax


def test_softmax_agrees_with_torch_softmax():
    rng = np.random.default_rng(1)
    for _ in range(1500):
        shape = (int(rng.integers(1, 9)),) if rng.random() < 0.5 else tuple(int(n) for n in rng.integers(1, 6, size=2))
        scale = 10.0 ** rng.integers(-2, 3)
        x = rng.normal(size=shape) * scale + rng.choice([0.0, 1000.0, -1000.0])
        axis = int(rng.integers(-len(shape), len(shape)))
        temperature = float(np.exp(rng.uniform(-2, 2)))
        ours = attention.softmax(x, axis=axis, temperature=temperature).value
        close(ours, torch.softmax(t(x) / temperature, dim=axis), (x, axis, temperature))


# ---------------------------------------------------------------- scaled dot-product and self-attention


def _qkv(rng):
    n_q, n_k = (int(n) for n in rng.integers(1, 6, size=2))
    d_k, d_v = (int(n) for n in rng.integers(1, 7, size=2))
    scale = 10.0 ** rng.uniform(-1, 0.7)
    return rng.normal(size=(n_q, d_k)) * scale, rng.normal(size=(n_k, d_k)) * scale, rng.normal(size=(n_k, d_v))


def _torch_weights(q, k, keep=None):
    scores = t(q) @ t(k).T / math.sqrt(q.shape[1])
    if keep is not None:
        scores = scores.masked_fill(~torch.tensor(keep), float("-inf"))
    return torch.softmax(scores, dim=-1)


def test_scaled_dot_product_agrees_with_torch_sdpa():
    rng = np.random.default_rng(2)
    for _ in range(1000):
        q, k, v = _qkv(rng)
        output, weights = attention.scaled_dot_product(q, k, v).value
        close(output, F.scaled_dot_product_attention(t(q), t(k), t(v)), (q, k, v))
        close(weights, _torch_weights(q, k), (q, k, v))


def test_masked_scaled_dot_product_agrees_with_torch_sdpa():
    rng = np.random.default_rng(3)
    for case in range(1000):
        q, k, v = _qkv(rng)
        n_q, n_k = q.shape[0], k.shape[0]
        if case % 3 == 0:  # causal when square-ish: query i sees keys 0..i (shifted so every row keeps one)
            keep = np.tril(np.ones((n_q, n_k), dtype=bool), k=max(0, n_k - n_q))
        else:
            keep = rng.random((n_q, n_k)) < 0.6
            keep[np.arange(n_q), rng.integers(0, n_k, size=n_q)] = True
        output, weights = attention.scaled_dot_product(q, k, v, mask=keep).value
        expected = F.scaled_dot_product_attention(t(q), t(k), t(v), attn_mask=torch.tensor(keep))
        close(output, expected, (q, k, v, keep))
        close(weights, _torch_weights(q, k, keep), (q, k, v, keep))
        # the same mask written as 0/1 numbers
        close(attention.scaled_dot_product(q, k, v, mask=keep.astype(int)).value[0], expected, (q, k, v, keep))


def test_causal_mask_agrees_with_torch_is_causal():
    rng = np.random.default_rng(4)
    for _ in range(300):
        n = int(rng.integers(1, 7))
        q, k, v = rng.normal(size=(n, 3)), rng.normal(size=(n, 3)), rng.normal(size=(n, 2))
        keep = np.tril(np.ones((n, n), dtype=bool))
        ours = attention.scaled_dot_product(q, k, v, mask=keep).value[0]
        close(ours, F.scaled_dot_product_attention(t(q), t(k), t(v), is_causal=True), (q, k, v))


def test_self_attention_agrees_with_torch():
    rng = np.random.default_rng(5)
    for _ in range(600):
        n, d_model, d_k, d_v = (int(m) for m in rng.integers(1, 6, size=4))
        x = rng.normal(size=(n, d_model))
        w_q, w_k, w_v = rng.normal(size=(d_model, d_k)), rng.normal(size=(d_model, d_k)), rng.normal(size=(d_model, d_v))
        sol = attention.self_attention(x, w_q, w_k, w_v)
        q, k, v = t(x) @ t(w_q), t(x) @ t(w_k), t(x) @ t(w_v)
        case = (x, w_q, w_k, w_v)
        close(sol.value[0], F.scaled_dot_product_attention(q, k, v), case)
        close(sol.value[1], torch.softmax(q @ k.T / math.sqrt(d_k), dim=-1), case)
        assert sol.value[0].shape == tuple(attention.shapes(n, d_model, d_k, d_v).value[4])


# ---------------------------------------------------------------- multi-head parameter count


def test_multi_head_param_count_agrees_with_nn_multiheadattention():
    cases = 0
    for d_model in (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128):
        for n_heads in range(1, d_model + 1):
            if d_model % n_heads:
                continue
            for bias in (True, False):
                layer = torch.nn.MultiheadAttention(d_model, n_heads, bias=bias)
                expected = sum(p.numel() for p in layer.parameters())
                assert attention.multi_head_param_count(d_model, n_heads, bias).value == expected, (d_model, n_heads, bias)
                cases += 1
    assert cases > 150
    with pytest.raises(AssertionError):  # torch agrees that heads must divide d_model
        torch.nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="must divide by n_heads"):
        attention.multi_head_param_count(10, 3)


# ---------------------------------------------------------------- backprop against autograd


def _net(rng, n_in, n_hidden, n_out):
    return (
        rng.normal(size=n_in),
        rng.normal(size=(n_hidden, n_in)),
        rng.normal(size=n_hidden),
        rng.normal(size=(n_out, n_hidden)),
        rng.normal(size=n_out),
    )


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_backprop_agrees_with_autograd(activation, loss):
    rng = np.random.default_rng(["sigmoid", "tanh", "relu"].index(activation) * 10 + ["mse", "bce"].index(loss))
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    for _ in range(300):
        n_in, n_hidden, n_out = (int(n) for n in rng.integers(1, 5, size=3))
        x, w1, b1, w2, b2 = _net(rng, n_in, n_hidden, n_out)
        y = rng.normal(size=n_out) if loss == "mse" else rng.choice([0.0, 1.0, rng.random()], size=n_out)
        params = [t(p).requires_grad_() for p in (w1, b1, w2, b2)]
        tw1, tb1, tw2, tb2 = params
        z2 = tw2 @ act(tw1 @ t(x) + tb1) + tb2
        if loss == "mse":
            value = F.mse_loss(z2, t(y))
        else:
            value = F.binary_cross_entropy(torch.sigmoid(z2), t(y))
            # the logits form is the same loss, computed stably
            assert torch.allclose(value, F.binary_cross_entropy_with_logits(z2, t(y)), rtol=1e-9, atol=1e-12)
        value.backward()
        sol = gradient.backprop(x, y, w1, b1, w2, b2, activation=activation, loss=loss)
        case = (x, y, w1, b1, w2, b2, activation, loss)
        assert math.isclose(dict(sol.details)["loss"], value.item(), rel_tol=1e-9, abs_tol=1e-12), case
        for name, p in zip(("w1", "b1", "w2", "b2"), params):
            close(sol.value[name], p.grad, case)
            assert sol.value[name].shape == tuple(p.shape)


def test_relu_derivative_at_zero_is_zero_as_in_torch():
    # z₁ = [0, 1]: the first hidden unit sits exactly on the kink
    x, w1, b1, w2, b2, y = [1.0], [[0.0], [1.0]], [0.0, 0.0], [[2.0, 3.0]], [0.0], [0.0]
    params = [t(p).requires_grad_() for p in (w1, b1, w2, b2)]
    F.mse_loss(params[2] @ torch.relu(params[0] @ t(x) + params[1]) + params[3], t(y)).backward()
    sol = gradient.backprop(x, y, w1, b1, w2, b2, activation="relu")
    for name, p in zip(("w1", "b1", "w2", "b2"), params):
        close(sol.value[name], p.grad, name)
    assert sol.value["b1"][0] == 0.0


# ---------------------------------------------------------------- descent against torch.optim.SGD


def _quadratic(rng, n_vars):
    """Σ aᵢ(xᵢ − cᵢ)² + Σ_{i<j} kᵢⱼ xᵢxⱼ as text and as a torch function of a parameter vector."""
    names = ["x", "y", "z"][:n_vars]
    a = rng.uniform(0.2, 3, size=n_vars)
    c = rng.uniform(-3, 3, size=n_vars)
    pairs = [(i, j) for i in range(n_vars) for j in range(i + 1, n_vars)]
    k = rng.uniform(-0.3, 0.3, size=len(pairs))
    terms = [f"{float(a[i])!r}*({names[i]} - ({float(c[i])!r}))^2" for i in range(n_vars)]
    terms += [f"{float(k[p])!r}*{names[i]}*{names[j]}" for p, (i, j) in enumerate(pairs)]

    def loss(w):
        total = sum(a[i] * (w[i] - c[i]) ** 2 for i in range(n_vars))
        return total + sum(k[p] * w[i] * w[j] for p, (i, j) in enumerate(pairs))

    # the largest curvature is at most 2·max(a) + Σ|k|; stay below 2/L for β = 0
    curvature = 2 * a.max() + np.abs(k).sum()
    return " + ".join(terms), loss, curvature


def test_descend_agrees_with_torch_sgd_trajectories():
    rng = np.random.default_rng(7)
    cases = 0
    for _ in range(400):
        n_vars = int(rng.integers(1, 4))
        text, loss, curvature = _quadratic(rng, n_vars)
        momentum = float(rng.choice([0.0, 0.5, 0.9, rng.uniform(0, 0.95)]))
        lr = float(rng.uniform(0.05, 0.9)) / curvature
        steps = int(rng.integers(1, 25))
        start = rng.uniform(-4, 4, size=n_vars)

        w = t(start).requires_grad_()
        opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
        expected = [start.tolist()]
        for _step in range(steps):
            opt.zero_grad()
            loss(w).backward()
            opt.step()
            expected.append(w.detach().numpy().tolist())

        start_arg = float(start[0]) if n_vars == 1 and cases % 2 == 0 else start.tolist()
        sol = gradient.descend(text, start_arg, lr, steps, momentum=momentum)
        trajectory = dict(sol.details)["trajectory"]
        got = [[p] if n_vars == 1 else list(p) for p in trajectory]
        case = (text, start.tolist(), lr, steps, momentum)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9, err_msg=repr(case))
        final = [sol.value] if n_vars == 1 else list(sol.value)
        np.testing.assert_allclose(final, expected[-1], rtol=1e-9, atol=1e-9, err_msg=repr(case))
        cases += 1
    assert cases == 400


def test_momentum_ema_is_not_torch_sgd_but_dampening_is():
    # PyTorch's dampening d gives v ← βv + (1 − d)g after the first step; the EMA form is d = β with
    # the first v = (1 − β)g, whereas PyTorch starts its buffer at g. The misconception is the EMA.
    rng = np.random.default_rng(8)
    for _ in range(100):
        text, loss, curvature = _quadratic(rng, 1)
        beta, lr, steps = 0.9, 0.5 / curvature, int(rng.integers(2, 10))
        start = float(rng.uniform(-4, 4))
        w = t([start]).requires_grad_()
        v = torch.zeros(1, dtype=torch.float64)
        for _step in range(steps):
            g = torch.autograd.grad(loss(w), w)[0]
            v = beta * v + (1 - beta) * g
            with torch.no_grad():
                w -= lr * v
        sol = gradient.descend(text, start, lr, steps, momentum=beta)
        ema = [m.value for m in sol.misconceptions if m.name == "momentum_ema"]
        assert ema and math.isclose(ema[0], w.item(), rel_tol=1e-9, abs_tol=1e-9), text


def test_softmax_jacobian_agrees_with_torch_autograd():
    rng = np.random.default_rng(21)
    for _ in range(1000):
        x = rng.normal(size=int(rng.integers(2, 7))) * 10.0 ** rng.integers(-1, 2)
        expected = torch.autograd.functional.jacobian(lambda v: F.softmax(v, dim=0), t(x))
        close(attention.softmax_jacobian(x).value, expected, x.tolist())
