"""Provides optimiser and learning-rate schedule solvers in PyTorch's form: SGD, Adam, AdamW, RMSprop, step/cosine/warm-up schedules."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

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
    show_number,
    show_term,
)

MAX_STEPS = 1_000
"""The most gradients an optimiser solver takes: far beyond any drill, and the steps stay readable."""

_SHOWN_STEPS = 8
"""Step lines written out before an ellipsis; the last step is always shown."""

_FIGS = 6
"""Figures of the numbers in the steps: Adam's step is tiny beside w, so 4 figures would hide it."""


def _n(x: float) -> str:
    return show_number(x, _FIGS)


def _grads(grads: Any) -> list[float]:
    """One gradient per step, as floats (the parameter is a scalar w)."""
    arr = check_array("grads", grads, (1,), "a vector (one gradient per step)")
    if arr.size > MAX_STEPS:
        raise ValueError(f"grads: at most {MAX_STEPS:,} steps, got {arr.size:,}")
    return [float(g) for g in arr]


def _unit_interval(name: str, value: Any, *, closed_low: bool = True) -> float:
    """A coefficient in [0, 1) (or (0, 1) when not ``closed_low``), as betas, alpha and momentum are."""
    number = check_float(name, value)
    if not ((0.0 <= number if closed_low else 0.0 < number) and number < 1.0):
        raise ValueError(f"{name}: must be in {'[' if closed_low else '('}0, 1), got {_n(number)}")
    return number


def _nonnegative(name: str, value: Any) -> float:
    number = check_float(name, value)
    if number < 0:
        raise ValueError(f"{name}: must be ≥ 0, got {_n(number)}")
    return number


def _finite_path(name: str, path: Sequence[float]) -> None:
    if not all(math.isfinite(w) for w in path):
        raise ValueError(f"{name}: the iterates leave the float range; use smaller numbers")


def _shown(lines: list[str]) -> list[str]:
    """Step lines, the middle ones elided when there are many (the last is always kept)."""
    if len(lines) <= _SHOWN_STEPS + 1:
        return lines
    return [*lines[:_SHOWN_STEPS], f"… ({len(lines) - _SHOWN_STEPS - 1} more steps)", lines[-1]]


def _early_stop(path: Sequence[float], explanation: str) -> list[Misconception]:
    """The point one step before the last: a candidate who counts the first step as step 0."""
    if len(path) < 2:
        return []
    return [Misconception("one_step_short", path[-2], explanation)]


# ---------------------------------------------------------------- SGD


def _sgd_path(
    w0: float, grads: Sequence[float], lr: float, momentum: float, weight_decay: float, nesterov: bool, *,
    ema: bool = False, decay_factor: float = 1.0,
) -> tuple[list[float], list[float]]:
    """Points after each step and the direction d used, as torch.optim.SGD (dampening 0).

    g ← grad + λw; b ← g at the first step, then b ← μb + g; d = g + μb (Nesterov) or b; w ← w − α·d.
    ``ema`` is the b ← μb + (1 − μ)g variant (b₀ = 0); ``decay_factor`` scales λ (2 for the λ‖w‖² slip).
    """
    w, buf = w0, None
    path, directions = [], []
    for grad in grads:
        g = grad + decay_factor * weight_decay * w
        if momentum:
            if ema:
                buf = (1.0 - momentum) * g + (momentum * buf if buf is not None else 0.0)
            else:
                buf = g if buf is None else momentum * buf + g
            d = g + momentum * buf if nesterov else buf
        else:
            d = g
        w = w - lr * d
        path.append(w)
        directions.append(d)
    return path, directions


@register(
    "optim.sgd",
    params=(
        Param("w0", "float", help="the parameter before the first step"),
        Param("grads", "vector", help="the loss gradient at each step, one number per step"),
        Param("lr", "float", help="learning rate α > 0"),
        Param("momentum", "float", 0.0, help="μ in [0, 1): b ← μb + g (PyTorch's form, b = g at the first step)"),
        Param("weight_decay", "float", 0.0, help="λ ≥ 0: PyTorch adds λw to the gradient"),
        Param("nesterov", "bool", False, help="Nesterov momentum: step along g + μb"),
    ),
    summary="torch.optim.SGD on a scalar w with given gradients: g ← grad + λw, b ← μb + g, w ← w − αb",
    answer="float",
)
def sgd(w0: Any, grads: Any, lr: Any, momentum: Any = 0.0, weight_decay: Any = 0.0, nesterov: Any = False) -> Solution:
    """w after len(grads) steps of torch.optim.SGD (dampening 0).

    g = grad + λ·w (L2 weight decay is added to the gradient); with momentum μ the buffer is b₁ = g₁,
    then b ← μ·b + g; the step is w ← w − α·b, or w ← w − α·(g + μ·b) with Nesterov.
    """
    w0 = check_float("w0", w0)
    gs = _grads(grads)
    lr = check_float("lr", lr, positive=True)
    momentum = _unit_interval("momentum", momentum)
    weight_decay = _nonnegative("weight_decay", weight_decay)
    nesterov = check_bool("nesterov", nesterov)
    if nesterov and not momentum:
        raise ValueError("nesterov: needs momentum > 0 (PyTorch refuses Nesterov without momentum)")
    path, directions = _sgd_path(w0, gs, lr, momentum, weight_decay, nesterov)
    _finite_path("lr", path)
    value = path[-1]

    decay = f" + {_n(weight_decay)}·w" if weight_decay else ""
    lines = [f"g = ∇L{decay}" + (" (weight decay adds λw to the gradient)" if weight_decay else "")]
    if momentum:
        lines.append(
            f"b₁ = g₁, then b ← {_n(momentum)}·b + g; "
            + (f"w ← w − {_n(lr)}·(g + {_n(momentum)}·b) (Nesterov)" if nesterov else f"w ← w − {_n(lr)}·b")
        )
    else:
        lines.append(f"w ← w − {_n(lr)}·g")
    step_lines, w = [], w0
    for i, (grad, d, w_next) in enumerate(zip(gs, directions, path), start=1):
        g = grad + weight_decay * w
        g_text = f"g = {_n(grad)} + {_n(weight_decay)}·{_n(w)} = {_n(g)}" if weight_decay else f"g = {_n(g)}"
        d_text = f"; {'b' if not nesterov else 'direction'} = {_n(d)}" if momentum else ""
        step_lines.append(f"step {i}: {g_text}{d_text}; w = {_n(w)} − {_n(lr)}·{_n(d)} = {_n(w_next)}")
        w = w_next
    lines += _shown(step_lines)

    wrong: list[Misconception] = []

    def alternative(name: str, explanation: str, **kwargs: Any) -> None:
        args = {"momentum": momentum, "weight_decay": weight_decay, "nesterov": nesterov} | kwargs
        alt, _ = _sgd_path(w0, gs, lr, args.pop("momentum"), args.pop("weight_decay"), args.pop("nesterov"), **args)
        wrong.append(Misconception(name, alt[-1], explanation))

    # Most telling first: when two slips give one value (μ = 0.5 often makes the averaged form equal
    # to no momentum at all), the first name is the one kept.
    if weight_decay:
        alternative("forgot_weight_decay", "left out the weight decay: PyTorch adds λ·w to every gradient", weight_decay=0.0)
    if momentum:
        alternative("momentum_ema", "used b ← μb + (1 − μ)g; PyTorch's SGD adds the whole gradient: b ← μb + g", ema=True)
    if weight_decay:
        alternative("l2_gradient_doubled", "added 2λ·w: weight_decay = λ is the gradient of (λ/2)‖w‖², so it adds λ·w", decay_factor=2.0)
    if momentum:
        alternative("forgot_momentum", "stepped along the current gradient only; the momentum buffer carries past gradients", momentum=0.0, nesterov=False)
        if nesterov:
            alternative("forgot_nesterov", "used classical momentum (w ← w − αb); Nesterov steps along g + μb", nesterov=False)
    wrong += _early_stop(path, f"stopped after {len(gs) - 1} step{'s' if len(gs) != 2 else ''}; the gradients give {len(gs)}")
    return Solution(value, tuple(lines), distinct(value, wrong), (("path", tuple(path)),))


# ---------------------------------------------------------------- Adam and AdamW


def _adam_path(
    w0: float, grads: Sequence[float], lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
    decoupled: bool, *, bias_correction: bool = True, eps_inside: bool = False, decay_lr: bool = True, use_sqrt: bool = True,
) -> tuple[list[float], list[tuple[float, float, float, float]]]:
    """Points after each step and (g, m, v, update) at each, as torch.optim.Adam / AdamW.

    Adam: g ← grad + λw; AdamW: w ← w·(1 − αλ) first. Then m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
    m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), w ← w − α·m̂/(√v̂ + ε). The keywords switch on the slips.
    """
    w, m, v = w0, 0.0, 0.0
    path, states = [], []
    for t, grad in enumerate(grads, start=1):
        g = grad
        if weight_decay and decoupled:
            w = w * (1.0 - (lr if decay_lr else 1.0) * weight_decay)
        elif weight_decay:
            g = grad + weight_decay * w
        m = beta1 * m + (1.0 - beta1) * g
        v = beta2 * v + (1.0 - beta2) * g * g
        m_hat = m / (1.0 - beta1**t) if bias_correction else m
        v_hat = v / (1.0 - beta2**t) if bias_correction else v
        if not use_sqrt:
            denom = v_hat + eps
        elif eps_inside:
            denom = math.sqrt(v_hat + eps)
        else:
            denom = math.sqrt(v_hat) + eps
        update = lr * m_hat / denom
        w = w - update
        path.append(w)
        states.append((g, m, v, update))
    return path, states


def _adam_common(
    w0: Any, grads: Any, lr: Any, beta1: Any, beta2: Any, eps: Any, weight_decay: Any, decoupled: bool
) -> Solution:
    w0 = check_float("w0", w0)
    gs = _grads(grads)
    lr = check_float("lr", lr, positive=True)
    beta1 = _unit_interval("beta1", beta1)
    beta2 = _unit_interval("beta2", beta2)
    eps = check_float("eps", eps, positive=True)
    weight_decay = _nonnegative("weight_decay", weight_decay)
    path, states = _adam_path(w0, gs, lr, beta1, beta2, eps, weight_decay, decoupled)
    _finite_path("lr", path)
    value = path[-1]

    lines = []
    if weight_decay and decoupled:
        lines.append(f"AdamW decays the weight itself before the step: w ← w·(1 − α·λ) = w·(1 − {_n(lr)}·{_n(weight_decay)})")
    elif weight_decay:
        lines.append(f"Adam's weight_decay is L2: it is added to the gradient, g = ∇L + {_n(weight_decay)}·w")
    lines += [
        f"m ← {_n(beta1)}·m + {_n(1 - beta1)}·g,  v ← {_n(beta2)}·v + {_n(1 - beta2)}·g²  (m₀ = v₀ = 0)",
        "bias correction: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ);  w ← w − α·m̂/(√v̂ + ε), ε outside the root as in PyTorch",
    ]
    step_lines = []
    for t, (w_next, (g, m, v, update)) in enumerate(zip(path, states), start=1):
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        step_lines.append(
            f"step {t}: g = {_n(g)}, m = {_n(m)}, v = {_n(v)}, m̂ = {_n(m_hat)}, v̂ = {_n(v_hat)}, "
            f"step α·m̂/(√v̂ + ε) = {_n(update)}, w = {_n(w_next)}"
        )
    lines += _shown(step_lines)
    if len(gs) == 1:
        # within 0.01% of α·sign(g) once |g| ≥ 10⁴ε; gradients nearer ε are shrunk by it
        if abs(gs[0]) >= 1e4 * eps:
            note = "≈ α·sign(g), whatever the gradient's size"
        else:
            note = f"= {_n(lr * gs[0] / (abs(gs[0]) + eps))}: |g| is not ≫ ε, so ε shrinks it below α"
        lines.append(f"at the first step m̂ = g and v̂ = g², so the step is α·g/(|g| + ε) {note}")

    wrong: list[Misconception] = []

    def alternative(label: str, explanation: str, **kwargs: Any) -> None:
        args = {"weight_decay": weight_decay, "decoupled": decoupled} | kwargs
        alt, _ = _adam_path(w0, gs, lr, beta1, beta2, eps, args.pop("weight_decay"), args.pop("decoupled"), **args)
        if all(math.isfinite(x) for x in alt):
            wrong.append(Misconception(label, alt[-1], explanation))

    alternative("no_bias_correction", "left out the bias correction: m and v start at 0, so divide by 1 − β₁ᵗ and 1 − β₂ᵗ", bias_correction=False)
    alternative("eps_inside_sqrt", "put ε under the root, √(v̂ + ε); PyTorch adds ε after it, √v̂ + ε", eps_inside=True)
    alternative("forgot_sqrt", "divided by v̂ + ε; the denominator is the root √v̂ + ε", use_sqrt=False)
    if weight_decay:
        # The Adam/AdamW mix-up first: on step 1 Adam + L2 often equals "no decay" (the step is
        # normalised), and the confusion is the one worth naming.
        if decoupled:
            alternative("used_adam_l2", "added λw to the gradient as Adam does; AdamW decays the weight directly, w ← w(1 − αλ)", decoupled=False)
            alternative("decay_without_lr", "decayed with w ← w(1 − λ); PyTorch's AdamW multiplies λ by the learning rate", decay_lr=False)
        else:
            alternative("used_adamw", "decayed the weight directly as AdamW does; Adam's weight_decay adds λw to the gradient (L2)", decoupled=True)
        alternative("forgot_weight_decay", "left out the weight decay", weight_decay=0.0)
    wrong += _early_stop(path, f"stopped after {len(gs) - 1} step{'s' if len(gs) != 2 else ''}; the gradients give {len(gs)}")
    return Solution(value, tuple(lines), distinct(value, wrong), (("path", tuple(path)),))


_ADAM_PARAMS = (
    Param("w0", "float", help="the parameter before the first step"),
    Param("grads", "vector", help="the loss gradient at each step, one number per step"),
    Param("lr", "float", 0.001, help="learning rate α > 0 (PyTorch's default 0.001)"),
    Param("beta1", "float", 0.9, help="β₁, decay of the first moment m"),
    Param("beta2", "float", 0.999, help="β₂, decay of the second moment v"),
    Param("eps", "float", 1e-8, help="ε, added outside the square root"),
)


@register(
    "optim.adam",
    params=(*_ADAM_PARAMS, Param("weight_decay", "float", 0.0, help="λ ≥ 0, L2: added to the gradient as λw")),
    summary="torch.optim.Adam on a scalar w with given gradients: bias-corrected moments, w ← w − α·m̂/(√v̂ + ε)",
    answer="float",
)
def adam(w0: Any, grads: Any, lr: Any = 0.001, beta1: Any = 0.9, beta2: Any = 0.999, eps: Any = 1e-8, weight_decay: Any = 0.0) -> Solution:
    """w after len(grads) steps of torch.optim.Adam.

    g = grad + λw; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m/(1 − β₁ᵗ); v̂ = v/(1 − β₂ᵗ);
    w ← w − α·m̂/(√v̂ + ε).
    """
    return _adam_common(w0, grads, lr, beta1, beta2, eps, weight_decay, decoupled=False)


@register(
    "optim.adamw",
    params=(*_ADAM_PARAMS, Param("weight_decay", "float", 0.01, help="λ ≥ 0, decoupled: w ← w·(1 − αλ) (PyTorch's default 0.01)")),
    summary="torch.optim.AdamW on a scalar w: w ← w·(1 − αλ), then Adam's step without λ in the gradient",
    answer="float",
)
def adamw(w0: Any, grads: Any, lr: Any = 0.001, beta1: Any = 0.9, beta2: Any = 0.999, eps: Any = 1e-8, weight_decay: Any = 0.01) -> Solution:
    """w after len(grads) steps of torch.optim.AdamW: w ← w·(1 − α·λ), then Adam's update with g = grad."""
    return _adam_common(w0, grads, lr, beta1, beta2, eps, weight_decay, decoupled=True)


# ---------------------------------------------------------------- RMSprop


def _rmsprop_path(
    w0: float, grads: Sequence[float], lr: float, alpha: float, eps: float, weight_decay: float, momentum: float, *,
    bias_correction: bool = False, eps_inside: bool = False, use_sqrt: bool = True,
) -> tuple[list[float], list[tuple[float, float, float]]]:
    """Points after each step and (g, v, step) at each, as torch.optim.RMSprop (not centred).

    g ← grad + λw; v ← αv + (1 − α)g²; u = g/(√v + ε); with momentum b ← μb + u, w ← w − lr·b,
    else w ← w − lr·u. The keywords switch on the slips.
    """
    w, v, buf = w0, 0.0, 0.0
    path, states = [], []
    for t, grad in enumerate(grads, start=1):
        g = grad + weight_decay * w
        v = alpha * v + (1.0 - alpha) * g * g
        v_used = v / (1.0 - alpha**t) if bias_correction else v
        if not use_sqrt:
            denom = v_used + eps
        elif eps_inside:
            denom = math.sqrt(v_used + eps)
        else:
            denom = math.sqrt(v_used) + eps
        u = g / denom
        if momentum:
            buf = momentum * buf + u
            u = buf
        w = w - lr * u
        path.append(w)
        states.append((g, v, lr * u))
    return path, states


@register(
    "optim.rmsprop",
    params=(
        Param("w0", "float", help="the parameter before the first step"),
        Param("grads", "vector", help="the loss gradient at each step, one number per step"),
        Param("lr", "float", 0.01, help="learning rate (PyTorch's default 0.01)"),
        Param("alpha", "float", 0.99, help="decay of the squared-gradient average (PyTorch's default 0.99)"),
        Param("eps", "float", 1e-8, help="ε, added outside the square root"),
        Param("weight_decay", "float", 0.0, help="λ ≥ 0, added to the gradient as λw"),
        Param("momentum", "float", 0.0, help="μ in [0, 1): b ← μb + g/(√v + ε)"),
    ),
    summary="torch.optim.RMSprop on a scalar w: v ← αv + (1 − α)g², w ← w − lr·g/(√v + ε), no bias correction",
    answer="float",
)
def rmsprop(
    w0: Any, grads: Any, lr: Any = 0.01, alpha: Any = 0.99, eps: Any = 1e-8, weight_decay: Any = 0.0, momentum: Any = 0.0
) -> Solution:
    """w after len(grads) steps of torch.optim.RMSprop (centered=False).

    g = grad + λw; v ← α·v + (1 − α)·g² (v₀ = 0, no bias correction); w ← w − lr·g/(√v + ε), or with
    momentum b ← μ·b + g/(√v + ε), w ← w − lr·b.
    """
    w0 = check_float("w0", w0)
    gs = _grads(grads)
    lr = check_float("lr", lr, positive=True)
    alpha = _unit_interval("alpha", alpha)
    eps = check_float("eps", eps, positive=True)
    weight_decay = _nonnegative("weight_decay", weight_decay)
    momentum = _unit_interval("momentum", momentum)
    path, states = _rmsprop_path(w0, gs, lr, alpha, eps, weight_decay, momentum)
    _finite_path("lr", path)
    value = path[-1]

    lines = [
        (f"g = ∇L + {_n(weight_decay)}·w; " if weight_decay else "")
        + f"v ← {_n(alpha)}·v + {_n(1 - alpha)}·g² (v₀ = 0; RMSprop has no bias correction)",
        f"b ← {_n(momentum)}·b + g/(√v + ε), w ← w − {_n(lr)}·b" if momentum else f"w ← w − {_n(lr)}·g/(√v + ε)",
    ]
    step_lines = [
        f"step {t}: g = {_n(g)}, v = {_n(v)}, step = {_n(step)}, w = {_n(w_next)}"
        for t, (w_next, (g, v, step)) in enumerate(zip(path, states), start=1)
    ]
    lines += _shown(step_lines)
    if len(gs) == 1 and not momentum:
        lines.append(f"the first step is lr·g/(√(1 − α)·|g|) = lr/√{_n(1 - alpha)} ≈ {_n(1 / math.sqrt(1 - alpha))}·lr: v starts at 0 and is not corrected")

    wrong: list[Misconception] = []

    def alternative(label: str, explanation: str, **kwargs: Any) -> None:
        args = {"alpha": alpha, "weight_decay": weight_decay} | kwargs
        alt, _ = _rmsprop_path(w0, gs, lr, args.pop("alpha"), eps, args.pop("weight_decay"), momentum, **args)
        if all(math.isfinite(x) for x in alt):
            wrong.append(Misconception(label, alt[-1], explanation))

    alternative("bias_corrected", "divided v by 1 − αᵗ as Adam does; RMSprop uses the raw average, so early steps are large", bias_correction=True)
    if alpha != 0.9:
        alternative("alpha_0_9", "used a decay of 0.9 (Hinton's lecture, Keras' rho); PyTorch's RMSprop uses α as given (default 0.99)", alpha=0.9)
    alternative("eps_inside_sqrt", "put ε under the root, √(v + ε); PyTorch adds ε after it", eps_inside=True)
    alternative("forgot_sqrt", "divided by v + ε; the denominator is the root √v + ε", use_sqrt=False)
    if weight_decay:
        alternative("forgot_weight_decay", "left out the weight decay λw in the gradient", weight_decay=0.0)
    wrong += _early_stop(path, f"stopped after {len(gs) - 1} step{'s' if len(gs) != 2 else ''}; the gradients give {len(gs)}")
    return Solution(value, tuple(lines), distinct(value, wrong), (("path", tuple(path)),))


# ---------------------------------------------------------------- learning-rate schedules


def _step_index(name: str, value: Any) -> int:
    return check_int(name, value, minimum=0)


def _candidates(value: float, options: Sequence[tuple[str, Callable[[], float], str]]) -> tuple[Misconception, ...]:
    wrong = []
    for label, compute, explanation in options:
        try:
            alt = compute()
        except (ArithmeticError, ValueError):
            continue
        wrong.append(Misconception(label, alt, explanation))
    return distinct(value, wrong)


@register(
    "optim.step_lr",
    params=(
        Param("base_lr", "float", help="the learning rate at step 0"),
        Param("step", "int", help="the epoch (scheduler step) t ≥ 0"),
        Param("step_size", "int", help="epochs between decays"),
        Param("gamma", "float", 0.1, help="factor applied at each decay (PyTorch's default 0.1)"),
    ),
    summary="StepLR: lr = base·γ^⌊t/step_size⌋",
    answer="float",
)
def step_lr(base_lr: Any, step: Any, step_size: Any, gamma: Any = 0.1) -> Solution:
    """lr(t) = base_lr·γ^⌊t/step_size⌋ (torch.optim.lr_scheduler.StepLR): the first decay is at t = step_size."""
    base = check_float("base_lr", base_lr, positive=True)
    t = _step_index("step", step)
    size = check_int("step_size", step_size, minimum=1)
    gamma = check_float("gamma", gamma, positive=True)
    if gamma >= 1:
        raise ValueError(f"gamma: a decay factor must be < 1, got {_n(gamma)}")
    decays = t // size
    value = base * gamma**decays
    steps = (
        "lr = base·γ^⌊t/step_size⌋: the rate drops by γ at t = step_size, 2·step_size, …",
        f"decays so far = ⌊{t}/{size}⌋ = {decays}",
        f"lr = {_n(base)}·{_n(gamma)}^{decays} = {_n(value)}",
    )
    options = [
        ("no_floor", lambda: base * gamma ** (t / size), "decayed continuously, γ^(t/step_size); StepLR decays in whole steps, γ^⌊t/step_size⌋"),
        ("one_decay_too_many", lambda: base * gamma ** (decays + 1), "counted one decay too many: the first decay is at t = step_size, not at t = 0"),
        ("ceil_instead_of_floor", lambda: base * gamma ** math.ceil(t / size), "rounded t/step_size up; the decay count rounds down"),
        ("decayed_every_step", lambda: base * gamma**t, "decayed at every step; StepLR decays once every step_size steps"),
    ]
    return Solution(value, steps, _candidates(value, options))


def _cosine(base: float, low: float, progress: float) -> float:
    """low + (base − low)·½(1 + cos(π·progress)), progress in [0, 1]."""
    return low + (base - low) * 0.5 * (1.0 + math.cos(math.pi * progress))


@register(
    "optim.cosine_lr",
    params=(
        Param("base_lr", "float", help="the learning rate at step 0"),
        Param("step", "int", help="the step t, 0 ≤ t ≤ t_max"),
        Param("t_max", "int", help="steps of the half cosine (T_max)"),
        Param("eta_min", "float", 0.0, help="the lowest rate, reached at t = t_max"),
    ),
    summary="CosineAnnealingLR: lr = η_min + (base − η_min)·½(1 + cos(πt/T_max))",
    answer="float",
)
def cosine_lr(base_lr: Any, step: Any, t_max: Any, eta_min: Any = 0.0) -> Solution:
    """lr(t) = η_min + (base − η_min)·½·(1 + cos(π·t/T_max)) for 0 ≤ t ≤ T_max (CosineAnnealingLR)."""
    base = check_float("base_lr", base_lr, positive=True)
    t = _step_index("step", step)
    t_max = check_int("t_max", t_max, minimum=1)
    low = _nonnegative("eta_min", eta_min)
    if low >= base:
        raise ValueError(f"eta_min: must be below base_lr = {_n(base)}, got {_n(low)}")
    if t > t_max:
        raise ValueError(f"step: at most t_max = {t_max} (past it PyTorch's cosine climbs again), got {t}")
    cos = math.cos(math.pi * t / t_max)
    value = _cosine(base, low, t / t_max)
    steps = (
        "lr = η_min + (base − η_min)·½·(1 + cos(π·t/T_max))",
        f"π·t/T_max = π·{t}/{t_max}; cos = {_n(cos)}",
        f"lr = {_n(low)} + ({_n(base)} − {_n(low)})·½·(1 + {show_term(cos, _FIGS)}) = {_n(value)}",
    )
    options = [
        ("forgot_half", lambda: low + (base - low) * (1.0 + cos), "left out the ½: (1 + cos) runs from 2 to 0, so halve it"),
        ("one_minus_cos", lambda: low + (base - low) * 0.5 * (1.0 - cos), "used 1 − cos: that rises from η_min to base instead of falling"),
        ("ignored_eta_min", lambda: base * 0.5 * (1.0 + cos), "scaled base by ½(1 + cos) and left out η_min; the cosine runs between base and η_min"),
        ("cos_in_degrees", lambda: low + (base - low) * 0.5 * (1.0 + math.cos(math.radians(math.pi * t / t_max))),
         "took the cosine in degrees (a calculator in degree mode); π·t/T_max is in radians"),
    ]
    return Solution(value, steps, _candidates(value, options))


@register(
    "optim.warmup_cosine_lr",
    params=(
        Param("base_lr", "float", help="the peak learning rate, reached at the end of warm-up"),
        Param("step", "int", help="the step t, 0 ≤ t ≤ total"),
        Param("warmup", "int", help="warm-up steps W ≥ 1"),
        Param("total", "int", help="the step T at which the cosine reaches min_lr (T > W)"),
        Param("start_factor", "float", 0.0, help="lr(0) = start_factor·base (0: warm-up from zero)"),
        Param("min_lr", "float", 0.0, help="the rate at step T"),
    ),
    summary="linear warm-up then cosine: lr = base·(s + (1 − s)t/W) for t < W, then min + (base − min)·½(1 + cos(π(t − W)/(T − W)))",
    answer="float",
)
def warmup_cosine_lr(base_lr: Any, step: Any, warmup: Any, total: Any, start_factor: Any = 0.0, min_lr: Any = 0.0) -> Solution:
    """Linear warm-up then cosine decay (LinearLR then CosineAnnealingLR, as SequentialLR chains them).

    t < W: lr = base·(s + (1 − s)·t/W); W ≤ t ≤ T: lr = min + (base − min)·½·(1 + cos(π·(t − W)/(T − W))).
    With s = 0 this is the usual "warm up from zero" (lr = base·t/W).
    """
    base = check_float("base_lr", base_lr, positive=True)
    t = _step_index("step", step)
    w = check_int("warmup", warmup, minimum=1)
    total = check_int("total", total, minimum=2)
    s = check_float("start_factor", start_factor)
    low = _nonnegative("min_lr", min_lr)
    if not 0.0 <= s < 1.0:
        raise ValueError(f"start_factor: must be in [0, 1), got {_n(s)}")
    if total <= w:
        raise ValueError(f"total: must be greater than warmup = {w}, got {total}")
    if low >= base:
        raise ValueError(f"min_lr: must be below base_lr = {_n(base)}, got {_n(low)}")
    if t > total:
        raise ValueError(f"step: at most total = {total}, got {t}")
    start = f"{_n(s)}·base" if s else "0"
    lines = [f"warm-up: lr rises linearly from {start} at t = 0 to base at t = W = {w}; then a half cosine from base to min_lr at T = {total}"]
    if t < w:
        fraction = s + (1.0 - s) * t / w
        value = base * fraction
        lines.append(f"t = {t} < W: lr = base·({_n(s)} + (1 − {_n(s)})·{t}/{w}) = {_n(base)}·{_n(fraction)} = {_n(value)}")
        options = [
            ("warmup_off_by_one", lambda: base * (s + (1.0 - s) * (t + 1) / w), "used (t + 1)/W: at t = 0 the warm-up factor is the start factor"),
            ("no_warmup", lambda: base, "gave the peak rate; during warm-up the rate is still rising"),
            ("cosine_from_zero", lambda: _cosine(base, low, t / total), "ran the cosine from t = 0; warm-up comes first"),
        ]
    else:
        progress = (t - w) / (total - w)
        cos = math.cos(math.pi * progress)
        value = _cosine(base, low, progress)
        lines += [
            f"t = {t} ≥ W: progress = (t − W)/(T − W) = ({t} − {w})/({total} − {w}) = {_n(progress)}",
            f"lr = {_n(low)} + ({_n(base)} − {_n(low)})·½·(1 + cos(π·{_n(progress)})) = {_n(low)} + {_n(base - low)}·½·(1 + {show_term(cos, _FIGS)}) = {_n(value)}",
        ]
        options = [
            ("cosine_from_zero", lambda: _cosine(base, low, t / total), "ran the cosine over t/T; it starts after warm-up, so use (t − W)/(T − W)"),
            (
                "cosine_over_total",
                lambda: _cosine(base, low, (t - w) / total),
                "divided by T: the cosine spans the T − W steps after warm-up, so progress is (t − W)/(T − W)",
            ),
            ("forgot_half", lambda: low + (base - low) * (1.0 + cos), "left out the ½ of ½(1 + cos)"),
            ("ignored_min_lr", lambda: base * 0.5 * (1.0 + cos), "scaled base by ½(1 + cos) and left out min_lr"),
        ]
    return Solution(value, tuple(lines), _candidates(value, options))
