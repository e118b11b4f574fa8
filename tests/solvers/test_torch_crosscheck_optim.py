"""Cross-checks solvers.optim against torch.optim and torch.optim.lr_scheduler on thousands of random cases.

Skipped when torch is not installed. Every case is drawn from a seeded numpy Generator, so a failure
repeats; the failing case is in the assertion message. Gradients are set on a float64 parameter by
hand, so the optimiser sees exactly the gradients the solver is given.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from solvers import optim

torch = pytest.importorskip("torch")

pytestmark = [pytest.mark.torch, pytest.mark.usefixtures("one_torch_thread")]

CASES = 1000


def run_torch(optimizer, options: dict, w0: float, grads: list[float]) -> float:
    p = torch.nn.Parameter(torch.tensor([w0], dtype=torch.float64))
    opt = optimizer([p], **options)
    for g in grads:
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
    return float(p.detach()[0])


def _case(rng):
    n = int(rng.integers(1, 7))
    scale = 10.0 ** rng.uniform(-4, 1)
    grads = (rng.normal(size=n) * scale).tolist()
    w0 = float(rng.normal() * 3)
    lr = float(10.0 ** rng.uniform(-4, -0.5))
    return w0, grads, lr


def assert_same(ours, theirs, case):
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, err_msg=repr(case))


def test_sgd_agrees_with_torch():
    rng = np.random.default_rng(11)
    for _ in range(CASES):
        w0, grads, lr = _case(rng)
        momentum = float(rng.choice([0.0, 0.5, 0.9, rng.uniform(0, 0.99)]))
        wd = float(rng.choice([0.0, 1e-4, 0.01, rng.uniform(0, 0.5)]))
        nesterov = bool(momentum > 0 and rng.random() < 0.3)
        case = (w0, grads, lr, momentum, wd, nesterov)
        ours = optim.sgd(w0, grads, lr, momentum=momentum, weight_decay=wd, nesterov=nesterov).value
        theirs = run_torch(torch.optim.SGD, {"lr": lr, "momentum": momentum, "weight_decay": wd, "nesterov": nesterov}, w0, grads)
        assert_same(ours, theirs, case)


def _betas(rng):
    return float(rng.choice([0.9, rng.uniform(0, 0.99)])), float(rng.choice([0.999, 0.99, rng.uniform(0.5, 0.9999)]))


@pytest.mark.parametrize(("solver", "name", "decays"), [(optim.adam, "Adam", (0.0, 0.01)), (optim.adamw, "AdamW", (0.01, 0.1))])
def test_adam_and_adamw_agree_with_torch(solver, name, decays):
    rng = np.random.default_rng(12 if name == "Adam" else 13)
    for _ in range(CASES):
        w0, grads, lr = _case(rng)
        b1, b2 = _betas(rng)
        eps = float(rng.choice([1e-8, 1e-6, 1e-3]))
        wd = float(rng.choice([*decays, rng.uniform(0, 0.5)]))
        case = (w0, grads, lr, b1, b2, eps, wd)
        options = {"lr": lr, "betas": (b1, b2), "eps": eps, "weight_decay": wd}
        assert_same(solver(w0, grads, lr, b1, b2, eps, wd).value, run_torch(getattr(torch.optim, name), options, w0, grads), case)


def test_adam_l2_and_adamw_differ_as_torch_says():
    """The named Adam/AdamW misconception of one solver is the other optimiser, as torch runs it."""
    rng = np.random.default_rng(14)
    for _ in range(200):
        w0, grads, lr = _case(rng)
        wd = float(rng.uniform(0.05, 0.5))
        adam_l2 = run_torch(torch.optim.Adam, {"lr": lr, "weight_decay": wd}, w0, grads)
        named = {m.name: m.value for m in optim.adamw(w0, grads, lr, weight_decay=wd).misconceptions}
        if "used_adam_l2" in named:
            assert_same(named["used_adam_l2"], adam_l2, (w0, grads, lr, wd))


def test_rmsprop_agrees_with_torch():
    rng = np.random.default_rng(15)
    for _ in range(CASES):
        w0, grads, lr = _case(rng)
        alpha = float(rng.choice([0.99, 0.9, rng.uniform(0.5, 0.999)]))
        eps = float(rng.choice([1e-8, 1e-6, 1e-3]))
        wd = float(rng.choice([0.0, 0.01, rng.uniform(0, 0.5)]))
        momentum = float(rng.choice([0.0, 0.9, rng.uniform(0, 0.99)]))
        case = (w0, grads, lr, alpha, eps, wd, momentum)
        ours = optim.rmsprop(w0, grads, lr, alpha, eps, wd, momentum).value
        options = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": wd, "momentum": momentum}
        theirs = run_torch(torch.optim.RMSprop, options, w0, grads)
        assert_same(ours, theirs, case)


def _lrs(scheduler, options: dict, base: float, steps: int) -> list[float]:
    """The learning rate torch's scheduler gives at steps 0..steps."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=base)
    sched = scheduler(opt, **options)
    out = [opt.param_groups[0]["lr"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "scheduler.step() before optimizer.step()": no training happens here
        for _ in range(steps):
            opt.step()
            sched.step()
            out.append(opt.param_groups[0]["lr"])
    return out


def test_step_lr_agrees_with_torch():
    rng = np.random.default_rng(16)
    checked = 0
    while checked < CASES:
        base = float(10.0 ** rng.uniform(-4, 0))
        size = int(rng.integers(1, 40))
        gamma = float(rng.choice([0.1, 0.5, rng.uniform(0.05, 0.95)]))
        horizon = int(rng.integers(1, 150))
        lrs = _lrs(torch.optim.lr_scheduler.StepLR, {"step_size": size, "gamma": gamma}, base, horizon)
        for t in rng.integers(0, horizon + 1, size=10):
            assert_same(optim.step_lr(base, int(t), size, gamma).value, lrs[t], (base, int(t), size, gamma))
            checked += 1


def test_cosine_lr_agrees_with_torch():
    rng = np.random.default_rng(17)
    checked = 0
    while checked < CASES:
        base = float(10.0 ** rng.uniform(-4, 0))
        t_max = int(rng.integers(1, 300))
        low = float(rng.choice([0.0, base * rng.uniform(0, 0.5)]))
        lrs = _lrs(torch.optim.lr_scheduler.CosineAnnealingLR, {"T_max": t_max, "eta_min": low}, base, t_max)
        for t in rng.integers(0, t_max + 1, size=10):
            np.testing.assert_allclose(
                optim.cosine_lr(base, int(t), t_max, low).value, lrs[t], rtol=1e-9, atol=1e-15, err_msg=repr((base, int(t), t_max, low))
            )
            checked += 1


def test_warmup_cosine_agrees_with_torch_linear_then_cosine():
    """LinearLR (start factor s, W iterations) then CosineAnnealingLR (T_max = T − W), chained by SequentialLR.

    LinearLR refuses a start factor of 0, so "from zero" is checked with s = 1e-12 (one part in 10¹²).
    """
    rng = np.random.default_rng(18)
    checked = 0
    while checked < CASES:
        base = float(10.0 ** rng.uniform(-4, 0))
        warmup = int(rng.integers(1, 60))
        total = warmup + int(rng.integers(1, 300))
        s = float(rng.choice([0.0, 0.1, rng.uniform(0, 0.9)]))
        low = float(rng.choice([0.0, base * rng.uniform(0, 0.5)]))

        def make(o, s=s, warmup=warmup, total=total, low=low):
            sched = torch.optim.lr_scheduler
            return sched.SequentialLR(
                o,
                [sched.LinearLR(o, start_factor=max(s, 1e-12), end_factor=1.0, total_iters=warmup),
                 sched.CosineAnnealingLR(o, T_max=total - warmup, eta_min=low)],
                milestones=[warmup],
            )

        lrs = _lrs(make, {}, base, total)
        for t in rng.integers(0, total + 1, size=10):
            case = (base, int(t), warmup, total, s, low)
            np.testing.assert_allclose(
                optim.warmup_cosine_lr(base, int(t), warmup, total, s, low).value, lrs[t], rtol=1e-9, atol=base * 1e-11, err_msg=repr(case)
            )
            checked += 1
