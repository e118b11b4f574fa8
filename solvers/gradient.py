"""Provides gradient solvers: gradient descent with momentum on a formula, backprop through one hidden layer, the largest stable step."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from solvers import expr
from solvers._core import (
    Misconception,
    Param,
    Solution,
    check_array,
    check_float,
    check_int,
    distinct,
    numpy_types,
    register,
    show_array,
    show_number,
)

# Numbers in the worked steps are rounded for reading; values stay exact. Descent points get more
# figures: near the minimum 4 would show w = 3 while the gradient is still visibly non-zero.
_SIG_FIGS = 4
_POINT_FIGS = 6






# ---------------------------------------------------------------- gradient descent

MAX_STEPS = 10_000
"""The most steps descend takes: enough for any drill, small enough to answer at once."""

_SHOWN_STEPS = 10
"""Step lines shown before an ellipsis; the last step is always shown as well."""

_MAX_F_PARTS = 200
"""The most numbers, variables and operations in f: differentiating 200 parts takes a few milliseconds,
but the worked steps print the gradient written out, which a chain of 200 functions makes tens of
thousands of parts long; any interview formula fits easily."""

_MAX_WORK = 1_000_000
"""The most parts evaluated in one call (steps × distinct parts of f and its gradient, for every path
run), about 0.4 s at most: 10,000 steps of an f and ∇f with up to 100 distinct parts together, or
1,000 steps of one with 1,000. A part the gradient repeats (σ(u) in σ(u)·(1 − σ(u))) counts once:
evaluation computes it once per point."""

_MISCONCEPTION_STEPS = 1_000
"""The wrong paths (ascent, forgotten or EMA momentum) are worked out up to this many steps, and
only within _MAX_WORK: nobody answers a longer run by hand, and each costs as much as the run."""

_INPUT_FIGS = 12
"""Figures of a given scalar (lr, momentum) in the steps: enough to show it as typed, since every
step multiplies by it (0.123456 shown as 0.1235 would not reproduce the next point)."""

_KEYWORDS = ("and", "or", "not")


class _Diverged(Exception):
    """The iterates left float range (or the gradient did) at ``step``."""

    def __init__(self, step: int, point: tuple[float, ...]) -> None:
        super().__init__(step)
        self.step = step
        self.point = point


def _ordered_variables(node: expr.Node) -> list[str]:
    """Variable names in order of first appearance: a left-to-right walk of the tree follows the text."""
    order: list[str] = []
    stack: list[expr.Node] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, expr.Var):
            if n.name not in expr.CONSTANTS and n.name not in order:
                order.append(n.name)
        elif isinstance(n, expr.Unary):
            stack.append(n.operand)
        elif isinstance(n, expr.Binary):
            stack += [n.right, n.left]  # the left operand is popped, so visited, first
        elif isinstance(n, expr.Call):
            stack += reversed(n.args)
    return order


def _variable_names(variables: Any) -> list[str] | None:
    """``variables`` as a list of names: a list/tuple of strings or text such as "x, y"."""
    if variables is None:
        return None
    if isinstance(variables, str):
        names: list[Any] = [n for n in re.split(r"[,;\s]+", variables.strip()) if n]
    elif isinstance(variables, (list, tuple)):
        names = list(variables)
    else:
        raise ValueError(f"variables: expected a list of names such as ['x', 'y'], got {variables!r}")
    if not names:
        raise ValueError("variables: expected at least one name")
    for name in names:
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_") or name in _KEYWORDS:
            raise ValueError(f"variables: {name!r} is not a variable name")
        if name in expr.CONSTANTS:
            raise ValueError(f"variables: {name!r} is a constant, not a variable")
        if name in expr.FUNCTIONS or name == "ln":
            raise ValueError(f"variables: {name!r} is a function name")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"variables: {', '.join(repeated)} given more than once")
    return names


def _start_point(start: Any, names: Sequence[str]) -> tuple[float, ...]:
    """One finite start value per variable; a single number is fine for one variable."""
    np = numpy_types()
    listed = ", ".join(names)
    if isinstance(start, (list, tuple, np.ndarray)):
        values = list(np.asarray(start, dtype=object).ravel()) if isinstance(start, np.ndarray) else list(start)
        if len(values) != len(names):
            raise ValueError(
                f"start: has {len(values)} value{'s' if len(values) != 1 else ''} but f has "
                f"{len(names)} variable{'s' if len(names) != 1 else ''} ({listed})"
            )
    else:
        if len(names) != 1:
            raise ValueError(f"start: f has {len(names)} variables ({listed}); give one start value for each, e.g. [1, 2]")
        values = [start]
    return tuple(check_float("start", v) for v in values)


def _point_text(point: Sequence[float]) -> str:
    if len(point) == 1:
        return show_number(point[0], _POINT_FIGS)
    return "(" + ", ".join(show_number(v, _POINT_FIGS) for v in point) + ")"


def _factor(point: Sequence[float]) -> str:
    """A point as a factor in a product: negative single numbers in brackets, 0.1·(−6)."""
    text = _point_text(point)
    return f"({text})" if len(point) == 1 and text.startswith("−") else text


def _evaluate(node: expr.Node, names: Sequence[str], point: tuple[float, ...], step: int, what: str) -> float:
    """``node`` at ``point``; _Diverged when the number leaves float range, ValueError("f: ...") off its domain."""
    try:
        value = float(expr.evaluate(node, dict(zip(names, point))))
    except expr.ExprError as exc:
        if "too large" in str(exc):
            raise _Diverged(step, point) from None
        at = "the start" if step == 0 else f"step {step}"
        raise ValueError(f"f: {what} is not defined at {_point_text(point)} ({at}): {exc}") from None
    if not math.isfinite(value):
        raise _Diverged(step, point)
    return value


def _gradient(derivatives: Sequence[expr.Node], names: Sequence[str], point: tuple[float, ...], step: int) -> tuple[float, ...]:
    return tuple(_evaluate(d, names, point, step, "the gradient") for d in derivatives)


def _path(
    node: expr.Node,
    derivatives: Sequence[expr.Node],
    names: Sequence[str],
    start: tuple[float, ...],
    lr: float,
    n_steps: int,
    momentum: float,
    *,
    ascent: bool = False,
    ema: bool = False,
    velocity: tuple[float, ...] | None = None,
    first_step: int = 1,
) -> tuple[list[tuple[float, ...]], list[tuple[float, ...]], list[tuple[float, ...]]]:
    """Points after each step, with the gradient and velocity used at each step.

    PyTorch's SGD: v ← βv + g (v starts at 0, so the first v is g), w ← w − αv; β = 0 is plain
    w ← w − αg. ``ema``: the v ← βv + (1 − β)g variant; ``ascent``: w ← w + αv. f itself is
    evaluated at every point so that a path leaving its domain (ln w at w < 0) is refused.
    """
    point = start
    v = velocity if velocity is not None else tuple(0.0 for _ in names)
    sign = 1.0 if ascent else -1.0
    points, grads, velocities = [], [], []
    for step in range(first_step, first_step + n_steps):
        g = _gradient(derivatives, names, point, step)
        if ema:
            v = tuple(momentum * vi + (1.0 - momentum) * gi for vi, gi in zip(v, g))
        else:
            v = tuple(momentum * vi + gi for vi, gi in zip(v, g))
        point = tuple(w + sign * lr * vi for w, vi in zip(point, v))
        if not all(math.isfinite(w) for w in point + v):
            raise _Diverged(step, point)
        _evaluate(node, names, point, step, "f")
        points.append(point)
        grads.append(g)
        velocities.append(v)
    return points, grads, velocities


def _value(point: tuple[float, ...]) -> float | tuple[float, ...]:
    return point[0] if len(point) == 1 else point


def _parts(node: expr.Node) -> int:
    """Distinct numbers, variables and operations in ``node``: what one evaluation computes, each
    subtree the derivative shares (σ(u) in σ(u)·(1 − σ(u))·u′) counted once, as evaluate computes it once."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, expr.Unary):
            stack.append(n.operand)
        elif isinstance(n, expr.Binary):
            stack += [n.left, n.right]
        elif isinstance(n, expr.Call):
            stack += n.args
    return len(seen)


def _given(x: float) -> str:
    """A given scalar for the steps, as typed (up to 12 figures)."""
    return show_number(x, _INPUT_FIGS)


@register(
    "gradient.descend",
    params=(
        Param("f", "formula", help="the function to minimise, e.g. (w - 3)**2 or x**2 + 3*y**2"),
        Param("start", "point", help="start point: a number, or one number per variable"),
        Param("lr", "float", help="learning rate α > 0"),
        Param("steps", "int", help=f"number of steps, 1 to {MAX_STEPS}"),
        Param("momentum", "float", 0.0, help="β in [0, 1): v ← βv + g, w ← w − αv (PyTorch's SGD)"),
        Param("variables", "str", None, help="variable order, e.g. 'x, y' (default: order of first appearance in f)"),
    ),
    summary="gradient descent w ← w − α∇f(w), with momentum v ← βv + ∇f, w ← w − αv as PyTorch's SGD",
    answer="point",
)
def descend(
    f: str, start: Any, lr: float, steps: int, momentum: float = 0.0, variables: Sequence[str] | str | None = None
) -> Solution:
    """``steps`` steps of w ← w − α·∇f(w), or with momentum v ← β·v + ∇f(w), w ← w − α·v (v₀ = 0).

    ``f`` is parsed by ``solvers.expr`` and differentiated symbolically. Variables are ordered as
    ``variables`` lists them, else by first appearance in ``f``. The value is the point after the
    last step: a float for one variable, a tuple otherwise. ValueError("lr: ...") when the iterates
    diverge, ("start: ...") when f overflows at the start, ("f: ...") for a formula of more than 200
    parts and ("steps: ...") for more steps than _MAX_WORK allows for this formula.
    """
    if not isinstance(f, str):
        raise ValueError(f"f: expected a formula such as (w - 3)**2, got {f!r}")
    names = _variable_names(variables)
    try:
        node = expr.parse(f, variables=names)
    except expr.ExprError as exc:
        raise ValueError(f"f: {exc}") from None
    if (isinstance(node, expr.Binary) and node.op in ("<", "<=", ">", ">=", "==", "!=", "and", "or")) or (
        isinstance(node, expr.Unary) and node.op == "not"
    ):
        raise ValueError(f"f: {expr.to_text(node)} is a condition, not a function to minimise")
    f_parts = _parts(node)
    if f_parts > _MAX_F_PARTS:
        raise ValueError(
            f"f: has {f_parts} numbers, variables and operations; at most {_MAX_F_PARTS} here "
            "(a longer formula takes too long to differentiate)"
        )
    if names is None:
        names = _ordered_variables(node)
        if not names:
            raise ValueError(f"f: {f.strip()!r} has no variable to descend on")
    point0 = _start_point(start, names)
    lr = check_float("lr", lr, positive=True)
    steps = check_int("steps", steps, minimum=1)
    if steps > MAX_STEPS:
        raise ValueError(f"steps: at most {MAX_STEPS:,}, got {steps:,}")
    momentum = check_float("momentum", momentum)
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum: must be in [0, 1), got {show_number(momentum)}")
    try:
        derivatives = [expr.differentiate(node, name) for name in names]
    except expr.ExprError as exc:
        raise ValueError(f"f: {exc}") from None
    parts = f_parts + sum(_parts(d) for d in derivatives)
    if steps * parts > _MAX_WORK:
        raise ValueError(
            f"steps: at most {_MAX_WORK // parts:,} steps for this formula "
            f"(f and its gradient have {parts} parts to evaluate at every step), got {steps:,}"
        )
    # the answer's path, plus ascent, plus forgot_momentum and momentum_ema with momentum
    wrong_paths = steps <= _MISCONCEPTION_STEPS and steps * parts * (4 if momentum else 2) <= _MAX_WORK

    try:
        _evaluate(node, names, point0, 0, "f")
        points, grads, velocities = _path(node, derivatives, names, point0, lr, steps, momentum)
    except _Diverged as exc:
        where = ", ".join(f"{n} = {show_number(w)}" for n, w in zip(names, exc.point))
        if exc.point == point0:  # f or its gradient overflows before any step: not the learning rate's doing
            raise ValueError(f"start: f is too large to compute at {where}; start nearer its minimum") from None
        raise ValueError(
            f"lr: the iterates diverge ({where} at step {exc.step}); lr = {_given(lr)} is too large here, or f has no minimum"
        ) from None
    final = points[-1]
    value = _value(final)

    one = len(names) == 1
    var = names[0] if one else "(" + ", ".join(names) + ")"
    derivative_texts = [expr.to_text(d) for d in derivatives]
    lines = [f"f({var}) = {expr.to_text(node)}" if one else f"f{var} = {expr.to_text(node)}"]
    if one:
        lines.append(f"f′({var}) = {derivative_texts[0]}")
    else:
        lines += [f"∂f/∂{n} = {t}" for n, t in zip(names, derivative_texts)]
    g_name = f"f′({var})" if one else "∇f"
    if momentum:
        lines.append(f"update (PyTorch's SGD, v₀ = 0): v ← {_given(momentum)}·v + {g_name}, {var} ← {var} − {_given(lr)}·v")
    else:
        lines.append(f"update: {var} ← {var} − {_given(lr)}·{g_name}")

    def step_line(i: int) -> str:
        before = point0 if i == 0 else points[i - 1]
        env = dict(zip(names, before))
        substituted = [expr.to_text(expr.substitute(d, env), digits=_POINT_FIGS).replace("e-", "e−") for d in derivatives]
        g, v = grads[i], velocities[i]
        shown = substituted[0] if one else "(" + ", ".join(substituted) + ")"
        at = f"f′({_point_text(before)})" if one else f"∇f{_point_text(before)}"
        grad_text = f"{at} = {shown} = {_point_text(g)}" if shown != _point_text(g) else f"{at} = {_point_text(g)}"
        text = f"step {i + 1}: {grad_text}"
        if momentum:
            v_before = (0.0,) * len(names) if i == 0 else velocities[i - 1]
            text += f"; v = {_given(momentum)}·{_factor(v_before)} + {_factor(g)} = {_point_text(v)}"
        return text + f"; {var} = {_point_text(before)} − {_given(lr)}·{_factor(v)} = {_point_text(points[i])}"

    if steps <= _SHOWN_STEPS + 2:
        lines += [step_line(i) for i in range(steps)]
    else:
        lines += [step_line(i) for i in range(_SHOWN_STEPS)]
        lines.append(f"… steps {_SHOWN_STEPS + 1} to {steps - 1} the same way …")
        lines.append(step_line(steps - 1))
    f_final = _evaluate(node, names, final, steps, "f")
    lines.append(f"after {steps} step{'s' if steps != 1 else ''}: {var} = {_point_text(final)}, f = {show_number(f_final, _POINT_FIGS)}")

    wrong: list[Misconception] = []

    def alternative(name: str, explanation: str, **kwargs: Any) -> None:
        try:
            alt_points = _path(node, derivatives, names, point0, lr, steps, kwargs.pop("beta", momentum), **kwargs)[0]
        except (_Diverged, ValueError):
            return  # a wrong path that blows up gives no answer anyone would type
        wrong.append(Misconception(name, _value(alt_points[-1]), explanation))

    if wrong_paths:
        alternative("gradient_ascent", "added α·∇f instead of subtracting it", ascent=True)
        if momentum:
            alternative("forgot_momentum", "took plain gradient steps, ignoring the momentum", beta=0.0)
            alternative("momentum_ema", "used v ← β·v + (1 − β)·∇f; PyTorch's SGD adds the whole gradient: v ← β·v + ∇f", ema=True)
    if steps >= 2:
        wrong.append(
            Misconception(
                "one_step_short",
                _value(points[-2]),
                f"stopped one step early: {steps - 1} step{'s' if steps > 2 else ''} instead of {steps} (the start is step 0, not step 1)",
            )
        )
    try:
        extra = _path(node, derivatives, names, final, lr, 1, momentum, velocity=velocities[-1], first_step=steps + 1)[0]
        wrong.append(
            Misconception(
                "one_step_extra",
                _value(extra[-1]),
                f"took one step too many: {steps + 1} steps instead of {steps} (after step {steps} the start has moved {steps} times)",
            )
        )
    except (_Diverged, ValueError):
        pass

    trajectory = [_value(p) for p in [point0, *points]]
    gradient_text = derivative_texts[0] if one else "(" + ", ".join(derivative_texts) + ")"
    details = (("trajectory", trajectory), ("gradient", gradient_text), ("variables", tuple(names)), ("f_value", f_final))
    return Solution(value, tuple(lines), distinct(value, wrong), details)


# ---------------------------------------------------------------- backprop

_ACTIVATIONS = ("sigmoid", "tanh", "relu")
_LOSSES = ("mse", "bce")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e^−z), written with e^−|z| so that no exp overflows for large |z|."""
    import numpy as np
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _act(name: str, z: np.ndarray) -> np.ndarray:
    import numpy as np
    if name == "sigmoid":
        return _sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    return np.maximum(z, 0.0)


def _act_derivative(name: str, z: np.ndarray) -> np.ndarray:
    """σ′ = σ(1 − σ), tanh′ = 1 − tanh², relu′ = 1 for z > 0 else 0 (PyTorch takes relu′(0) = 0)."""
    import numpy as np
    if name == "sigmoid":
        s = _sigmoid(z)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    return (z > 0).astype(float)


_DERIVATIVE_TEXT = {
    "sigmoid": "σ′(z₁) = σ(z₁)·(1 − σ(z₁)) = h·(1 − h)",
    "tanh": "tanh′(z₁) = 1 − tanh²(z₁) = 1 − h²",
    "relu": "relu′(z₁) = 1 where z₁ > 0, else 0",
}


def _formula_on_preactivation(name: str, z: np.ndarray) -> np.ndarray:
    """The derivative written in terms of the output, fed the pre-activation: z(1 − z), 1 − z²."""
    return z * (1.0 - z) if name == "sigmoid" else 1.0 - z**2


def _finite_array(name: str, value: Any, ndims: tuple[int, ...], what: str) -> np.ndarray:
    return check_array(name, value, ndims, what)


def _vector(name: str, value: Any) -> np.ndarray:
    """A vector; a single number is taken as a vector of length 1."""
    import numpy as np
    return np.atleast_1d(_finite_array(name, value, (0, 1), "a vector"))


def _many(n: int, one: str, more: str) -> str:
    return f"{n} {one if n == 1 else more}"


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value.strip().lower()


def _backward(w2: np.ndarray, x: np.ndarray, h: np.ndarray, delta_out: np.ndarray, act_slope: np.ndarray) -> dict[str, np.ndarray]:
    """δ₁ = (W₂ᵀδ₂) ⊙ act′(z₁); ∂L/∂W₂ = δ₂hᵀ, ∂L/∂b₂ = δ₂, ∂L/∂W₁ = δ₁xᵀ, ∂L/∂b₁ = δ₁."""
    import numpy as np
    delta_hidden = (w2.T @ delta_out) * act_slope + 0.0  # + 0.0 turns −0.0 (from (−δ)·0) into 0.0
    return {
        "w1": np.outer(delta_hidden, x) + 0.0,
        "b1": delta_hidden,
        "w2": np.outer(delta_out, h) + 0.0,
        "b2": delta_out + 0.0,
    }


@register(
    "gradient.backprop",
    params=(
        Param("x", "vector", help="input, n_in values"),
        Param("y", "vector", help="target, n_out values (a single number for one output)"),
        Param("w1", "matrix", help="hidden weights, hidden×n_in"),
        Param("b1", "vector", help="hidden biases, hidden values"),
        Param("w2", "matrix", help="output weights, n_out×hidden"),
        Param("b2", "vector", help="output biases, n_out values"),
        Param("activation", "str", "sigmoid", help="hidden activation", choices=_ACTIVATIONS),
        Param("loss", "str", "mse", help="mse (linear output) or bce (sigmoid output, binary cross-entropy)", choices=_LOSSES),
    ),
    summary="gradients of the loss for a one-hidden-layer net: δ₂ at the output, δ₁ = (W₂ᵀδ₂)⊙act′(z₁), ∂L/∂W = δ·inputᵀ",
    answer="dict",
    parts=("w1", "b1", "w2", "b2"),
)
def backprop(
    x: Any, y: Any, w1: Any, b1: Any, w2: Any, b2: Any, activation: str = "sigmoid", loss: str = "mse"
) -> Solution:
    """Gradients of L for h = act(W₁x + b₁), ŷ = W₂h + b₂ (mse) or ŷ = σ(W₂h + b₂) (bce).

    mse: L = mean over outputs of (ŷ − y)² (PyTorch's MSELoss), so δ₂ = ∂L/∂z₂ = 2(ŷ − y)/n_out.
    bce: L = mean of −[y·log ŷ + (1 − y)·log(1 − ŷ)] (BCELoss), and σ′ cancels: δ₂ = (ŷ − y)/n_out.
    Then δ₁ = (W₂ᵀδ₂) ⊙ act′(z₁), ∂L/∂W₂ = δ₂hᵀ, ∂L/∂b₂ = δ₂, ∂L/∂W₁ = δ₁xᵀ, ∂L/∂b₁ = δ₁.
    """
    import numpy as np
    activation = _choice("activation", activation, _ACTIVATIONS)
    loss = _choice("loss", loss, _LOSSES)
    x_arr = _vector("x", x)
    y_arr = _vector("y", y)
    w1_arr = _finite_array("w1", w1, (2,), "a matrix (hidden×n_in)")
    b1_arr = _vector("b1", b1)
    w2_arr = _finite_array("w2", w2, (2,), "a matrix (n_out×hidden)")
    b2_arr = _vector("b2", b2)
    n_hidden, n_in = w1_arr.shape
    n_out = w2_arr.shape[0]
    if n_in != x_arr.size:
        raise ValueError(f"w1: has {_many(n_in, 'column', 'columns')} but x has {_many(x_arr.size, 'entry', 'entries')}; W₁ is hidden×n_in")
    if b1_arr.size != n_hidden:
        raise ValueError(f"b1: has {_many(b1_arr.size, 'entry', 'entries')} but W₁ has {_many(n_hidden, 'row', 'rows')} (hidden units)")
    if w2_arr.shape[1] != n_hidden:
        raise ValueError(f"w2: has {_many(w2_arr.shape[1], 'column', 'columns')} but there {'is 1 hidden unit' if n_hidden == 1 else f'are {n_hidden} hidden units'}; W₂ is n_out×hidden")
    if b2_arr.size != n_out:
        raise ValueError(f"b2: has {_many(b2_arr.size, 'entry', 'entries')} but W₂ has {_many(n_out, 'row', 'rows')} (outputs)")
    if y_arr.size != n_out:
        raise ValueError(f"y: has {_many(y_arr.size, 'entry', 'entries')} but the network has {_many(n_out, 'output', 'outputs')}")
    if loss == "bce" and not np.all((y_arr >= 0) & (y_arr <= 1)):
        raise ValueError(f"y: binary cross-entropy needs targets in [0, 1], got {show_array(y_arr)}")

    with np.errstate(over="ignore", invalid="ignore"):
        z1 = w1_arr @ x_arr + b1_arr
        h = _act(activation, z1)
        z2 = w2_arr @ h + b2_arr
        if loss == "mse":
            y_hat = z2
            loss_value = float(np.mean((y_hat - y_arr) ** 2))
            delta_out = 2.0 * (y_hat - y_arr) / n_out
        else:
            y_hat = _sigmoid(z2)
            # −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y·z, finite even when σ(z) rounds to 1
            softplus = np.maximum(z2, 0.0) + np.log1p(np.exp(-np.abs(z2)))
            loss_value = float(np.mean(softplus - y_arr * z2))
            delta_out = (y_hat - y_arr) / n_out
        slope = _act_derivative(activation, z1)
        grads = _backward(w2_arr, x_arr, h, delta_out, slope)
    # z₁ = ∞ would still give finite gradients through σ′(∞) = 0, from a forward pass that overflowed.
    forward_finite = np.all(np.isfinite(z1)) and np.all(np.isfinite(z2))
    if not (forward_finite and math.isfinite(loss_value) and all(np.all(np.isfinite(g)) for g in grads.values())):
        raise ValueError("x: the forward pass overflows; use smaller weights or inputs")

    per = f"/{n_out}" if n_out > 1 else ""
    act_name = "σ" if activation == "sigmoid" else activation
    steps = [
        f"z₁ = W₁x + b₁ = {show_array(z1)}",
        f"h = {act_name}(z₁) = {show_array(h)}",
        f"z₂ = W₂h + b₂ = {show_array(z2)}",
    ]
    if loss == "mse":
        steps += [
            f"ŷ = z₂ = {show_array(y_hat)}",
            f"L = mean((ŷ − y)²) = {show_number(loss_value)}",
            f"δ₂ = ∂L/∂z₂ = 2(ŷ − y){per} = {show_array(delta_out)}",
        ]
    else:
        steps += [
            f"ŷ = σ(z₂) = {show_array(y_hat)}",
            f"L = −mean(y·log ŷ + (1 − y)·log(1 − ŷ)) = {show_number(loss_value)}",
            f"δ₂ = ∂L/∂z₂ = (ŷ − y){per} = {show_array(delta_out)} (the σ′ of the output cancels against the loss)",
        ]
    steps += [
        f"{_DERIVATIVE_TEXT[activation]} = {show_array(slope)}",
        f"δ₁ = (W₂ᵀδ₂) ⊙ {act_name}′(z₁) = {show_array(w2_arr.T @ delta_out)} ⊙ {show_array(slope)} = {show_array(grads['b1'])}",
        f"∂L/∂W₂ = δ₂hᵀ = {show_array(grads['w2'])}",
        f"∂L/∂b₂ = δ₂ = {show_array(grads['b2'])}",
        f"∂L/∂W₁ = δ₁xᵀ = {show_array(grads['w1'])}",
        f"∂L/∂b₁ = δ₁ = {show_array(grads['b1'])}",
    ]

    def variant(delta: np.ndarray, act_slope: np.ndarray = slope) -> dict[str, np.ndarray]:
        with np.errstate(over="ignore", invalid="ignore"):
            return _backward(w2_arr, x_arr, h, delta, act_slope)

    with np.errstate(over="ignore", invalid="ignore"):  # z(1 − z) of a large z: dropped below as not finite
        slope_of_z = _formula_on_preactivation(activation, z1)

    wrong = [
        Misconception(
            "forgot_activation_derivative",
            variant(delta_out, np.ones_like(z1)),
            f"passed δ back through W₂ without multiplying by {act_name}′(z₁)",
        ),
        Misconception("error_sign_flipped", variant(-delta_out), "used y − ŷ for the error, so every gradient has the wrong sign"),
        Misconception(
            "dropped_w2",
            _backward(np.ones_like(w2_arr), x_arr, h, delta_out, slope),
            "passed δ₂ back without the weights W₂: a hidden unit's δ is its weight in W₂ times δ₂, times the activation's slope",
        ),
    ]
    if activation != "relu":  # relu′ reads the same from z₁ and from h
        written, meant = ("z(1 − z)", "h(1 − h)") if activation == "sigmoid" else ("1 − z²", "1 − h²")
        wrong.append(
            Misconception(
                "derivative_formula_on_preactivation",
                variant(delta_out, slope_of_z),
                f"fed z₁ into the derivative written for the output: {written} instead of {meant}",
            )
        )
    if loss == "mse":
        wrong.append(Misconception("half_mse", variant(delta_out / 2), "used the ½(ŷ − y)² convention, which halves every gradient"))
    else:
        wrong.append(
            Misconception(
                "extra_sigmoid_derivative",
                variant(delta_out * y_hat * (1 - y_hat)),
                "multiplied (ŷ − y) by σ′(z₂) again; with cross-entropy on a sigmoid it cancels",
            )
        )
    if n_out > 1:
        wrong.append(Misconception("sum_instead_of_mean", variant(delta_out * n_out), f"summed the loss over the {n_out} outputs instead of averaging"))
    details = (
        ("loss", loss_value),
        ("z1", z1),
        ("h", h),
        ("z2", z2),
        ("y_hat", y_hat),
        ("delta_output", delta_out),
        ("delta_hidden", grads["b1"]),
    )
    return Solution(grads, tuple(steps), distinct(grads, [m for m in wrong if _finite(m.value)]), details)


def _finite(grads: dict[str, np.ndarray]) -> bool:
    import numpy as np
    return all(np.all(np.isfinite(g)) for g in grads.values())


# ---------------------------------------------------------------- largest stable learning rate


@register(
    "gradient.max_stable_lr",
    params=(Param("curvature", "float", help="a in f(w) = a·(w − c)², a > 0 (f″ = 2a)"),),
    summary="largest stable learning rate for f(w) = a·(w − c)²: a step multiplies w − c by (1 − 2aα), stable iff 0 < α < 1/a",
    answer="float",
)
def max_stable_lr(curvature: float) -> Solution:
    """For f(w) = a·(w − c)²: w − c ← (1 − 2aα)(w − c); |1 − 2aα| < 1 ⟺ 0 < α < 1/a, so the bound is 1/a.

    ``curvature`` is the coefficient a (f″ = 2a, so this is the usual α < 2/f″). At α = 1/(2a) one
    step lands on c; at α = 1/a the iterates bounce between c ± (w₀ − c) forever.
    """
    a = check_float("curvature", curvature, positive=True)
    value = 1.0 / a
    if not (math.isfinite(2 * a) and math.isfinite(value) and 1 / (2 * a) > 0):
        raise ValueError(f"curvature: {_given(a)} is too {'large' if a > 1 else 'small'}: 2a or 1/a leaves the float range")
    steps = (
        f"f(w) = a·(w − c)² with a = {_given(a)} and c the minimum (where it lies does not matter)",
        f"f′(w) = 2·{_given(a)}·(w − c) = {_given(2 * a)}·(w − c)",
        f"one step: w − c ← (w − c) − α·{_given(2 * a)}·(w − c) = (1 − {_given(2 * a)}α)·(w − c)",
        f"converges iff |1 − {_given(2 * a)}α| < 1 ⟺ 0 < α < 2/{_given(2 * a)} = 1/{_given(a)} = {show_number(value)}",
        f"α = 1/(2a) = {show_number(1 / (2 * a))} lands on c in one step; at α = 1/a the iterates oscillate without shrinking",
    )
    wrong = [
        Misconception("optimal_lr_confused", 1.0 / (2 * a), "gave the step that converges in one move, 1/(2a), not the stability limit"),
        Misconception("two_over_a", 2.0 / a, "used α < 2/L with L = a; the second derivative of a·(w − c)² is 2a"),
    ]
    return Solution(value, steps, distinct(value, wrong), (("optimal_lr", 1.0 / (2 * a)),))
