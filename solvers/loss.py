"""Provides loss and activation solvers: softmax cross-entropy, binary cross-entropy, MSE (each with its gradient), activation derivatives."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from solvers._core import (
    Misconception,
    Param,
    Solution,
    check_float,
    check_int,
    distinct,
    register,
    show_number,
    show_term,
)

# Numbers in the worked steps are rounded for reading; values stay exact.
_SIG_FIGS = 4
_INPUT_FIGS = 12
"""Figures of a given number (a logit, a target, x) in the steps: enough to show it as typed."""

_MAX_ENTRIES = 1_000
"""The most classes (logits) or predictions one call takes: every entry is written out in the steps."""

_SHOWN_TERMS = 8
"""Sums with at most this many terms are written out term by term in the steps."""

_LN10 = math.log(10.0)

_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu", "softplus")


# ---------------------------------------------------------------- helpers




def _given(x: float) -> str:
    """A given number as typed (up to 12 figures)."""
    return show_number(x, _INPUT_FIGS)


def _term(x: float, digits: int = _SIG_FIGS) -> str:
    """A number inside a formula: negatives in parentheses, ln(−2) never, 1·(−2)."""
    return show_term(x, digits)


def _arr(a: Any, digits: int = _SIG_FIGS) -> str:
    """A vector for display: [0.659, 0.2424, 0.09856]."""
    return "[" + ", ".join(show_number(float(v), digits) for v in a) + "]"


def _vector(name: str, value: Any, what: str, *, scalar_ok: bool = False) -> np.ndarray:
    """A finite 1-D float array of at most _MAX_ENTRIES entries, or ValueError naming ``name``.

    With ``scalar_ok`` a single number is taken as a vector of length 1.
    """
    import numpy as np

    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name}: expected {what} of numbers, got text {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name}: expected {what} of numbers") from None
    if arr.ndim == 0 and scalar_ok:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        got = "a single number" if arr.ndim == 0 else f"{arr.ndim} dimensions"
        raise ValueError(f"{name}: expected {what}, got {got}")
    if arr.size == 0:
        raise ValueError(f"{name}: is empty")
    if arr.size > _MAX_ENTRIES:
        raise ValueError(f"{name}: has {arr.size:,} entries; at most {_MAX_ENTRIES:,} here, since the steps show them all")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains nan or inf")
    return arr


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip().lower().replace("-", "_") not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value.strip().lower().replace("-", "_")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _side(x: float) -> str:
    """Which side of the kink x lies on, for the ReLU steps."""
    if x == 0:
        return "x = 0 is the kink"
    return f"x = {_given(x)} {'>' if x > 0 else '<'} 0"


def _sigmoid(z: float) -> float:
    """σ(z) = 1/(1 + e^−z), written with e^−|z| so that no exp overflows for large |z|."""
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


def _softplus(z: float) -> float:
    """ln(1 + e^z) = max(z, 0) + ln(1 + e^−|z|): finite for every finite z."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


# ---------------------------------------------------------------- softmax cross-entropy


@register(
    "loss.cross_entropy",
    params=(
        Param("logits", "vector", help="logits z, one per class (before the softmax)"),
        Param("target", "int", help="index of the true class, counted from 0 (the first class is 0, as in PyTorch)"),
    ),
    summary="softmax cross-entropy of one example: L = −ln softmax(z)[t] = logsumexp(z) − z_t, ∂L/∂z = p − y",
    answer="dict",
    parts=("loss", "grad"),
)
def cross_entropy(logits: Any, target: Any) -> Solution:
    """L = −ln pₜ with p = softmax(z), computed as logsumexp(z) − zₜ; ∂L/∂z = p − y (y one-hot at t).

    ``target`` is a 0-based class index, as in PyTorch's ``F.cross_entropy``. Value:
    ``{"loss": L, "grad": ∂L/∂z}``, the loss in nats (natural log).
    """
    import numpy as np

    z, t = _logits_and_target(logits, target)
    n = z.size

    m, total, lse, p = _log_softmax_parts(z)
    loss = lse - float(z[t])
    if not math.isfinite(loss):
        raise ValueError("logits: the loss overflows (the logits are too far apart); use smaller logits")
    y = np.zeros(n)
    y[t] = 1.0
    grad = p - y

    steps = [
        f"classes are counted from 0 (as in PyTorch): target t = {t} is the {_ordinal(t + 1)} of {n} classes, z_t = {_given(z[t])}",
    ]
    if n <= _SHOWN_TERMS:
        terms = " + ".join(f"exp({show_number(float(v) - m, _INPUT_FIGS)})" for v in z)
        steps.append(f"m = max(z) = {_given(m)}; Σₖ exp(zₖ − m) = {terms} = {show_number(total)}")
    else:
        steps.append(f"m = max(z) = {_given(m)}; Σₖ exp(zₖ − m) = {show_number(total)}")
    steps += [
        f"logsumexp(z) = m + ln Σₖ exp(zₖ − m) = {_given(m)} + ln {show_number(total)} = {show_number(lse)}",
        f"p = softmax(z) = exp(z − logsumexp(z)) = {_arr(p)}",
        f"L = −ln p_t = logsumexp(z) − z_t = {show_number(lse)} − {_term(float(z[t]), _INPUT_FIGS)} = {show_number(loss)}",
        f"y = one-hot(t) = {_arr(y)}",
        f"∂L/∂z = p − y = {_arr(grad)} (only entry t changes: p_t − 1 = {show_number(grad[t])})",
    ]

    def at_target(k: int) -> dict[str, Any]:
        other = np.zeros(n)
        other[k] = 1.0
        return {"loss": lse - float(z[k]), "grad": p - other}

    wrong = [
        Misconception("grad_y_minus_p", {"loss": loss, "grad": y - p}, "wrote the gradient as y − p; it is p − y (the loss falls as the true logit rises)"),
        Misconception(
            "log_base_10",
            {"loss": loss / _LN10, "grad": grad / _LN10},
            "used log₁₀; cross-entropy uses the natural log (the loss is in nats)",
        ),
        Misconception(
            "forgot_softmax",
            {"loss": -float(z[t]) + 0.0, "grad": -y + 0.0},
            "left out the softmax, as if the logits were log-probabilities: the loss −z_t and the gradient −y; "
            "the softmax adds log-sum-exp to the loss and p to the gradient (∂L/∂z = p − y)",
        ),
    ]
    if np.all((z > 1e-12) & (z < 1)):  # tinier "probabilities" would overflow −y/z_t
        wrong.append(
            Misconception(
                "logits_as_probabilities",
                {"loss": -math.log(float(z[t])), "grad": -y / float(z[t]) + 0.0},
                "took −ln z_t, using the raw logits as probabilities; apply the softmax first",
            )
        )
    if t >= 1:
        wrong.append(
            Misconception(
                "one_based_target",
                at_target(t - 1),
                f"counted the classes from 1 and took z[{t - 1}] as the target; index {t} is the {_ordinal(t + 1)} class",
            )
        )
    if t + 1 < n:
        wrong.append(
            Misconception(
                "target_plus_one",
                at_target(t + 1),
                f"shifted the index by one and took class {t + 1}; target {t} counts from 0",
            )
        )
    value = {"loss": loss, "grad": grad}
    details = (("probabilities", p), ("logsumexp", lse))
    return Solution(value, tuple(steps), distinct(value, wrong), details)


def _logits_and_target(logits: Any, target: Any) -> tuple[np.ndarray, int]:
    """The logits as a vector of 2 or more classes and the target as a class index counted from 0."""
    z = _vector("logits", logits, "a vector of logits (one per class)")
    n = z.size
    if n < 2:
        raise ValueError("logits: needs at least 2 classes (one logit per class), got 1")
    t = check_int("target", target, minimum=0)
    if t >= n:
        raise ValueError(f"target: class index {t} is out of range for {n} classes (indices count from 0: 0 to {n - 1})")
    return z, t


def _log_softmax_parts(z: np.ndarray) -> tuple[float, float, float, np.ndarray]:
    """(m, Σ exp(z − m), logsumexp(z) = m + ln Σ, p = softmax(z)): z − m ≤ 0, so nothing overflows."""
    import numpy as np

    m = float(np.max(z))
    with np.errstate(over="ignore", under="ignore"):
        total = float(np.sum(np.exp(z - m)))  # the largest term is exactly 1
        lse = m + math.log(total)
        p = np.exp(z - lse)
    return m, total, lse, p


@register(
    "loss.cross_entropy_smoothed",
    params=(
        Param("logits", "vector", help="logits z, one per class (before the softmax)"),
        Param("target", "int", help="index of the true class, counted from 0"),
        Param("label_smoothing", "float", 0.1, help="ε in [0, 1): PyTorch's label_smoothing"),
    ),
    summary="cross-entropy with label smoothing ε (PyTorch): q = (1 − ε)·one-hot + ε/K, L = −Σ q_k ln p_k, ∂L/∂z = p − q",
    answer="dict",
    parts=("loss", "grad"),
)
def cross_entropy_smoothed(logits: Any, target: Any, label_smoothing: Any = 0.1) -> Solution:
    """L = −Σₖ qₖ ln pₖ = logsumexp(z) − Σₖ qₖ zₖ with q = (1 − ε)·one-hot(t) + ε/K over all K classes
    (the true one too), as ``F.cross_entropy(..., label_smoothing=ε)``; ∂L/∂z = p − q."""
    import numpy as np

    z, t = _logits_and_target(logits, target)
    n = z.size
    eps = check_float("label_smoothing", label_smoothing)
    if not 0 <= eps < 1:
        raise ValueError(f"label_smoothing: must be in [0, 1), got {_given(eps)}")
    _, _, lse, p = _log_softmax_parts(z)
    if not math.isfinite(lse):
        raise ValueError("logits: the loss overflows (the logits are too far apart); use smaller logits")
    one_hot = np.zeros(n)
    one_hot[t] = 1.0

    def smoothed(q: np.ndarray) -> dict[str, Any]:
        return {"loss": lse - float(q @ z), "grad": p - q}

    q = (1 - eps) * one_hot + eps / n
    value = smoothed(q)
    steps = [
        f"K = {n} classes, target t = {t} (counted from 0), ε = {_given(eps)}",
        f"q = (1 − ε)·one-hot(t) + ε/K: 1 − ε + ε/K at t and ε/K elsewhere = {_arr(q)}",
        f"logsumexp(z) = {show_number(lse)}, p = softmax(z) = {_arr(p)}",
        f"L = −Σₖ qₖ ln pₖ = logsumexp(z) − Σₖ qₖ zₖ = {show_number(lse)} − {_term(float(q @ z))} = {show_number(value['loss'])}",
        f"∂L/∂z = p − q = {_arr(value['grad'])}",
    ]
    wrong = [
        Misconception("ignored_smoothing", smoothed(one_hot), "left out the smoothing: the target is (1 − ε)·one-hot + ε/K, not the one-hot"),
        Misconception(
            "smoothing_over_other_classes",
            smoothed((1 - eps) * one_hot + (1 - one_hot) * eps / (n - 1)),
            "spread ε over the K − 1 other classes; PyTorch spreads it over all K, the true class included",
        ),
        Misconception("grad_q_minus_p", {"loss": value["loss"], "grad": q - p}, "wrote the gradient as q − p; it is p − q"),
    ]
    return Solution(value, tuple(steps), distinct(value, wrong), (("target_distribution", q), ("probabilities", p)))


@register(
    "loss.distillation",
    params=(
        Param("student", "vector", help="the student's logits"),
        Param("teacher", "vector", help="the teacher's logits, one per class as well"),
        Param("temperature", "float", 2.0, help="T > 0, applied to both sets of logits"),
    ),
    summary="distillation loss T²·KL(softmax(t/T) ‖ softmax(s/T)) and its student-logit gradient T·(p_s − p_t)",
    answer="dict",
    parts=("loss", "grad"),
)
def distillation(student: Any, teacher: Any, temperature: Any = 2.0) -> Solution:
    """L = T²·Σₖ p_t,k·(ln p_t,k − ln p_s,k) with p_t = softmax(t/T), p_s = softmax(s/T) (Hinton et al.;
    in PyTorch T²·F.kl_div(F.log_softmax(s/T), F.softmax(t/T), reduction='batchmean')); ∂L/∂s = T·(p_s − p_t).

    The T² keeps the soft targets' gradient on the same scale as a hard loss's when T changes.
    """
    import numpy as np

    s = _vector("student", student, "a vector of logits")
    t = _vector("teacher", teacher, "a vector of logits")
    if s.size < 2 or s.size != t.size:
        raise ValueError(f"teacher: needs one logit per class like student ({s.size}), at least 2, got {t.size}")
    temp = check_float("temperature", temperature, positive=True)
    _, _, lse_s, p_s = _log_softmax_parts(s / temp)
    _, _, lse_t, p_t = _log_softmax_parts(t / temp)
    log_ps = s / temp - lse_s
    log_pt = t / temp - lse_t
    kl = float(np.sum(p_t * (log_pt - log_ps)))
    if not math.isfinite(kl):
        raise ValueError("student: the loss overflows; use smaller logits or a larger temperature")
    kl = max(kl, 0.0)  # rounding can leave −1e-17 where the distributions agree
    value = {"loss": temp * temp * kl, "grad": temp * (p_s - p_t)}
    steps = [
        f"soft targets p_t = softmax(t/T) = softmax({_arr(t / temp)}) = {_arr(p_t)}",
        f"student p_s = softmax(s/T) = softmax({_arr(s / temp)}) = {_arr(p_s)}",
        f"KL(p_t ‖ p_s) = Σₖ p_t,k·ln(p_t,k / p_s,k) = {show_number(kl)}",
        f"L = T²·KL = {_given(temp)}²·{show_number(kl)} = {show_number(value['loss'])}",
        f"∂L/∂s = T²·(1/T)·(p_s − p_t) = T·(p_s − p_t) = {_arr(value['grad'])}",
    ]
    reverse = float(np.sum(p_s * (log_ps - log_pt)))
    _, _, lse_plain, p_t_plain = _log_softmax_parts(t)
    plain_kl = float(np.sum(p_t_plain * ((t - lse_plain) - log_ps)))
    wrong = [
        Misconception("forgot_t_squared", {"loss": kl, "grad": (p_s - p_t) / temp}, "left out the T² factor; without it the soft loss shrinks as 1/T²"),
        Misconception("t_not_t_squared", {"loss": temp * kl, "grad": p_s - p_t}, "scaled by T instead of T²"),
        Misconception(
            "kl_reversed",
            {"loss": temp * temp * reverse, "grad": value["grad"]},
            "took KL(p_s ‖ p_t); the soft targets p_t weight the log ratio: KL(p_t ‖ p_s)",
        ),
        Misconception(
            "teacher_without_temperature",
            {"loss": temp * temp * plain_kl, "grad": temp * (p_s - p_t_plain)},
            "softened only the student; the teacher's logits are divided by T too",
        ),
    ]
    finite = [m for m in wrong if math.isfinite(m.value["loss"])]
    return Solution(value, tuple(steps), distinct(value, finite), (("soft_targets", p_t), ("student_probabilities", p_s)))


# ---------------------------------------------------------------- binary cross-entropy


@register(
    "loss.binary_cross_entropy",
    params=(
        Param("p", "float", None, help="predicted probability p = σ(z), strictly between 0 and 1 (or give logit)"),
        Param("y", "float", help="target: the label 0 or 1 (a soft label in [0, 1] also works)"),
        Param("logit", "float", None, help="the logit z, p = σ(z) (instead of p)"),
    ),
    summary="binary cross-entropy L = −[y·ln p + (1 − y)·ln(1 − p)] and its gradient for the logit, ∂L/∂z = p − y",
    answer="dict",
    parts=("loss", "grad"),
)
def binary_cross_entropy(p: Any = None, y: Any = None, logit: Any = None) -> Solution:
    """L = −[y·ln p + (1 − y)·ln(1 − p)] with p = σ(z); ∂L/∂z = p − y (σ′ = p(1 − p) cancels ∂L/∂p).

    Give either the probability ``p`` or the ``logit`` z. From a logit the loss is computed as
    softplus(z) − y·z, which stays finite when σ(z) rounds to 0 or 1 (PyTorch's
    ``BCEWithLogitsLoss``). Value: ``{"loss": L, "grad": ∂L/∂z}``.
    """
    if y is None:
        raise ValueError("y: the target is required (0 or 1, or a soft label in [0, 1])")
    y = check_float("y", y)
    if not 0.0 <= y <= 1.0:
        raise ValueError(f"y: must be in [0, 1] (a label 0 or 1, or a soft label), got {_given(y)}")
    if p is not None and logit is not None:
        raise ValueError("p: give either the probability p or the logit, not both")
    if p is None and logit is None:
        raise ValueError("p: give the probability p or the logit")

    if logit is not None:
        z = check_float("logit", logit)
        prob = _sigmoid(z)
        loss = _softplus(z) - y * z  # −[y ln σ(z) + (1 − y) ln(1 − σ(z))], no log of a rounded 0
        # 1 − σ(z) = σ(−z): exact even where σ(z) rounds to 1
        one_minus = _sigmoid(-z)
        steps = [
            f"p = σ(z) = 1/(1 + e^−z) = 1/(1 + e^{_term(-z, _INPUT_FIGS)}) = {show_number(prob)}",
            "L = −[y·ln p + (1 − y)·ln(1 − p)] (natural log)",
            f"L = −[{_given(y)}·ln {show_number(prob)} + {_given(1 - y)}·ln {show_number(one_minus)}] = {show_number(loss)}"
            + (" (from the logit: softplus(z) − y·z)" if prob in (0.0, 1.0) or one_minus == 0.0 else ""),
        ]
    else:
        prob = check_float("p", p)
        if not 0.0 < prob < 1.0:
            raise ValueError(f"p: must be strictly between 0 and 1 (ln 0 is −∞), got {_given(prob)}")
        one_minus = 1.0 - prob
        loss = -(y * math.log(prob) + (1.0 - y) * math.log1p(-prob))
        z = math.log(prob) - math.log1p(-prob)
        steps = [
            "L = −[y·ln p + (1 − y)·ln(1 − p)] (natural log)",
            f"L = −[{_given(y)}·ln {_given(prob)} + {_given(1 - y)}·ln {show_number(one_minus, _INPUT_FIGS)}] = {show_number(loss)}",
            f"the logit is z = ln(p/(1 − p)) = {show_number(z)}, p = σ(z)",
        ]
    loss = loss + 0.0  # −0.0 (y = 1 with p rounding to 1) reads as 0
    grad = prob - y
    slope = prob * one_minus  # σ′(z) = p(1 − p)
    steps.append(
        f"∂L/∂z = ∂L/∂p · σ′(z) = (p − y)/(p(1 − p)) · p(1 − p) = p − y = {show_number(prob)} − {_given(y)} = {show_number(grad)}"
    )

    wrong = [
        Misconception("grad_y_minus_p", {"loss": loss, "grad": y - prob}, "wrote the gradient as y − p; it is p − y"),
        Misconception("log_base_10", {"loss": loss / _LN10, "grad": grad / _LN10}, "used log₁₀; cross-entropy uses the natural log"),
    ]
    if slope > 0:
        wrong.append(
            Misconception(
                "grad_wrt_p",
                {"loss": loss, "grad": grad / slope},
                "gave ∂L/∂p = (p − y)/(p(1 − p)), the gradient for the probability; the logit's adds σ′(z) = p(1 − p)",
            )
        )
    wrong += [
        Misconception(
            "extra_sigmoid_derivative",
            {"loss": loss, "grad": grad * slope},
            "multiplied p − y by σ′(z) = p(1 − p) again; with cross-entropy on a sigmoid it cancels",
        ),
        Misconception(
            "forgot_negative_class_term",
            {"loss": -y * math.log(prob) if prob > 0 else math.inf, "grad": -y * one_minus + 0.0},
            "kept only −y·ln p and dropped the (1 − y)·ln(1 − p) term",
        ),
    ]
    value = {"loss": loss, "grad": grad}
    details = (("p", prob), ("logit", z))
    return Solution(value, tuple(steps), distinct(value, wrong), details)


# ---------------------------------------------------------------- mean squared error


@register(
    "loss.mse",
    params=(
        Param("pred", "vector", help="predictions ŷ (a single number for one)"),
        Param("target", "vector", help="targets y, as many as predictions"),
    ),
    summary="mean squared error L = (1/n)·Σ(ŷᵢ − yᵢ)² (PyTorch's MSELoss) and ∂L/∂ŷ = 2(ŷ − y)/n",
    answer="dict",
    parts=("loss", "grad"),
)
def mse(pred: Any, target: Any) -> Solution:
    """L = (1/n)·Σᵢ (ŷᵢ − yᵢ)², the mean over the n entries as PyTorch's MSELoss; ∂L/∂ŷ = 2(ŷ − y)/n.

    Value: ``{"loss": L, "grad": ∂L/∂ŷ}``.
    """
    import numpy as np

    y_hat = _vector("pred", pred, "a vector of predictions", scalar_ok=True)
    y = _vector("target", target, "a vector of targets", scalar_ok=True)
    if y.size != y_hat.size:
        raise ValueError(
            f"target: has {y.size} {'entry' if y.size == 1 else 'entries'} but pred has {y_hat.size}; give one target per prediction"
        )
    n = y_hat.size
    with np.errstate(over="ignore", invalid="ignore"):
        error = y_hat - y
        squares = error * error
        total = float(np.sum(squares))
        loss = total / n
        grad = 2.0 * error / n
    if not (math.isfinite(total) and np.all(np.isfinite(grad))):
        raise ValueError("pred: the squared errors overflow; use smaller numbers")

    per = f"/{n}" if n > 1 else ""
    steps = [
        f"L = (1/n)·Σᵢ (ŷᵢ − yᵢ)², the mean over the n = {n} {'entry' if n == 1 else 'entries'} (PyTorch's MSELoss)",
        f"e = ŷ − y = {_arr(error, _INPUT_FIGS)}",
    ]
    if n <= _SHOWN_TERMS:
        sum_text = " + ".join(f"{_term(float(v), _INPUT_FIGS)}²" for v in error)
        steps.append(f"L = ({sum_text}){per} = {show_number(total, _INPUT_FIGS)}{per} = {show_number(loss)}")
    else:
        steps.append(f"L = Σᵢ eᵢ²{per} = {show_number(total, _INPUT_FIGS)}{per} = {show_number(loss)}")
    steps.append(f"∂L/∂ŷ = 2(ŷ − y){per} = 2·{_arr(error, _INPUT_FIGS)}{per} = {_arr(grad)}")

    wrong = [
        Misconception("half_mse", {"loss": loss / 2, "grad": grad / 2}, "used the ½·(ŷ − y)² convention, which halves the loss and the gradient"),
        Misconception("forgot_2", {"loss": loss, "grad": grad / 2}, "left out the 2 from differentiating the square: ∂(e²)/∂e = 2e"),
    ]
    if n > 1:
        wrong.append(
            Misconception(
                "sum_instead_of_mean",
                {"loss": total, "grad": 2.0 * error},
                f"summed the squared errors instead of averaging over the {n} entries",
            )
        )
    wrong.append(Misconception("error_sign_flipped", {"loss": loss, "grad": -grad + 0.0}, "used y − ŷ for the error, so the gradient has the wrong sign"))
    value = {"loss": loss, "grad": grad}
    return Solution(value, tuple(steps), distinct(value, wrong), (("error", error),))


# ---------------------------------------------------------------- activation derivatives


def _normal_cdf(x: float) -> float:
    """Φ(x) = ½·erfc(−x/√2): the erfc form keeps its digits far in the left tail, where 1 + erf rounds to 0."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _normal_pdf(x: float) -> float:
    """φ(x) = e^(−x²/2)/√(2π)."""
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _softplus(x: float) -> float:
    """ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|), finite for any x."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _gelu(x: float) -> tuple[float, list[str], list[Misconception]]:
    cdf, pdf = _normal_cdf(x), _normal_pdf(x)
    value = cdf + x * pdf
    steps = [
        "GELU(x) = x·Φ(x), Φ the standard normal CDF (PyTorch's exact GELU, approximate='none')",
        "GELU′(x) = Φ(x) + x·φ(x) by the product rule, φ(x) = e^(−x²/2)/√(2π)",
        f"Φ({_given(x)}) = {show_number(cdf)}, φ({_given(x)}) = {show_number(pdf)}",
        f"GELU′({_given(x)}) = {show_number(cdf)} + {_term(x, _INPUT_FIGS)}·{show_number(pdf)} = {show_number(value)}",
    ]
    wrong = [
        Misconception("forgot_product_rule", cdf, "gave Φ(x) alone: the product rule on x·Φ(x) adds x·φ(x)"),
        Misconception("activation_not_derivative", x * cdf, "gave GELU(x) = x·Φ(x) itself, not its derivative"),
        Misconception("used_relu_slope", 1.0 if x > 0 else 0.0, "used ReLU's step; GELU is smooth and its slope is not 0 or 1"),
    ]
    return value, steps, wrong


def _silu(x: float) -> tuple[float, list[str], list[Misconception]]:
    s = _sigmoid(x)
    value = s * (1.0 + x * _sigmoid(-x))  # 1 − σ(x) = σ(−x), without the rounding of 1 − s
    steps = [
        "SiLU(x) = x·σ(x) (swish)",
        "SiLU′(x) = σ(x) + x·σ(x)(1 − σ(x)) = σ(x)·(1 + x·(1 − σ(x))) by the product rule",
        f"σ({_given(x)}) = {show_number(s)}",
        f"SiLU′({_given(x)}) = {show_number(s)}·(1 + {_term(x, _INPUT_FIGS)}·{show_number(_sigmoid(-x))}) = {show_number(value)}",
    ]
    wrong = [
        Misconception("forgot_product_rule", s, "gave σ(x) alone: the product rule on x·σ(x) adds x·σ′(x)"),
        Misconception("activation_not_derivative", x * s, "gave SiLU(x) = x·σ(x) itself, not its derivative"),
        Misconception("sigmoid_derivative_instead", s * _sigmoid(-x), "gave σ′(x) = σ(1 − σ), the derivative of the sigmoid alone"),
    ]
    return value, steps, wrong


_SOFTPLUS_THRESHOLD = 20.0
"""Above this x PyTorch's Softplus (threshold=20) returns x itself, so its slope there is exactly 1."""


def _softplus_derivative(x: float) -> tuple[float, list[str], list[Misconception]]:
    steps = [
        "softplus(x) = ln(1 + eˣ) (β = 1, PyTorch's default)",
        "softplus′(x) = eˣ/(1 + eˣ) = σ(x)",
    ]
    if x > _SOFTPLUS_THRESHOLD:
        value = 1.0
        steps.append(f"x = {_given(x)} > 20, where PyTorch's Softplus (threshold = 20) is x itself: the slope is 1 (σ(x) differs by < 10⁻⁸)")
    else:
        value = _sigmoid(x)
        steps.append(f"softplus′({_given(x)}) = σ({_given(x)}) = {show_number(value)}")
    wrong = [
        Misconception("activation_not_derivative", _softplus(x), "gave softplus(x) = ln(1 + eˣ) itself, not its derivative"),
        Misconception("differentiated_twice", _sigmoid(x) * _sigmoid(-x), "gave σ′(x) = σ(1 − σ): the derivative of softplus is σ itself"),
        Misconception("used_relu_slope", 1.0 if x > 0 else 0.0, "used ReLU's step; softplus is smooth and its slope is σ(x)"),
    ]
    return value, steps, wrong


_SMOOTH = {"gelu": _gelu, "silu": _silu, "softplus": _softplus_derivative}


@register(
    "loss.activation_derivative",
    params=(
        Param("x", "float", help="the input (pre-activation) at which to take the derivative"),
        Param("activation", "str", help="the activation function", choices=_ACTIVATIONS),
        Param("negative_slope", "float", 0.01, help="leaky_relu's slope a for x ≤ 0 (PyTorch's default 0.01)"),
    ),
    summary=(
        "derivative of an activation at x: σ′ = σ(1 − σ), tanh′ = 1 − tanh², ReLU′ = 1 if x > 0 else 0, LeakyReLU′ = 1 or a, "
        "GELU′ = Φ + xφ, SiLU′ = σ(1 + x(1 − σ)), softplus′ = σ"
    ),
    answer="float",
)
def activation_derivative(x: Any, activation: Any, negative_slope: Any = 0.01) -> Solution:
    """f′(x): σ′ = σ(x)(1 − σ(x)), tanh′ = 1 − tanh²(x), ReLU′ = 1 for x > 0 else 0,
    LeakyReLU′ = 1 for x > 0 else a. At the kink x = 0 PyTorch takes ReLU′(0) = 0 and LeakyReLU′(0) = a.

    GELU (exact, PyTorch's default approximate='none'): GELU(x) = x·Φ(x), GELU′(x) = Φ(x) + x·φ(x) with
    Φ the standard normal CDF and φ its density. SiLU (swish): x·σ(x), SiLU′ = σ(x)·(1 + x·(1 − σ(x))).
    Softplus (β = 1): ln(1 + eˣ), softplus′ = σ(x).
    """
    x = check_float("x", x)
    activation = _choice("activation", activation, _ACTIVATIONS)
    a = check_float("negative_slope", negative_slope)
    wrong: list[Misconception] = []

    if activation == "sigmoid":
        s = _sigmoid(x)
        # σ(x)(1 − σ(x)) = 1/(2 + 2·cosh x): exactly 0.25 at 0, never above, and no 1 − σ rounding to 0
        if abs(x) < 700:
            value = 1.0 / (2.0 + 2.0 * math.cosh(x))
        else:
            e = math.exp(-abs(x))
            value = e / (1.0 + e) ** 2
        steps = [
            f"σ(x) = 1/(1 + e^−x) = 1/(1 + e^{_term(-x, _INPUT_FIGS)}) = {show_number(s)}",
            f"σ′(x) = σ(x)·(1 − σ(x)) = {show_number(s)}·{show_number(_sigmoid(-x))} = {show_number(value)}",
        ]
        wrong += [
            Misconception("derivative_formula_on_preactivation", x * (1.0 - x), "put x into x(1 − x); the formula takes σ(x): σ(x)(1 − σ(x))"),
            Misconception("activation_not_derivative", s, "gave σ(x) itself, not its derivative"),
            Misconception("used_tanh_formula", 1.0 - s * s, "used tanh's 1 − f² with f = σ(x); the sigmoid's is σ(1 − σ)"),
        ]
    elif activation == "tanh":
        th = math.tanh(x)
        # 1 − tanh²(x) = sech²(x): accurate where tanh rounds to ±1, and never above 1
        if abs(x) < 350:
            value = 1.0 / math.cosh(x) ** 2
        else:
            q = math.exp(-2.0 * abs(x))
            value = 4.0 * q / (1.0 + q) ** 2
        steps = [
            f"tanh(x) = tanh({_given(x)}) = {show_number(th)}",
            f"tanh′(x) = 1 − tanh²(x) = 1 − {_term(th)}² = {show_number(value)}",
        ]
        wrong += [
            Misconception("derivative_formula_on_preactivation", 1.0 - x * x, "put x into 1 − x²; the formula takes tanh(x): 1 − tanh²(x)"),
            Misconception("tanh_forgot_square", 1.0 - th, "wrote 1 − tanh(x); the derivative is 1 − tanh²(x)"),
            Misconception("activation_not_derivative", th, "gave tanh(x) itself, not its derivative"),
            Misconception("used_sigmoid_formula", th * (1.0 - th), "used the sigmoid's f(1 − f) with f = tanh(x); tanh′ = 1 − tanh²"),
        ]
    elif activation == "relu":
        value = 1.0 if x > 0 else 0.0
        steps = [
            "ReLU(x) = max(0, x); ReLU′(x) = 1 for x > 0 and 0 for x < 0; at the kink x = 0 PyTorch uses 0",
            f"{_side(x)}, so ReLU′({_given(x)}) = {show_number(value)}",
        ]
        if x == 0:
            wrong.append(Misconception("relu_one_at_zero", 1.0, "took ReLU′(0) = 1; PyTorch (and most frameworks) use 0 at the kink"))
        wrong.append(Misconception("activation_not_derivative", max(0.0, x), "gave ReLU(x) itself, not its slope"))
    elif activation in _SMOOTH:
        value, steps, smooth_wrong = _SMOOTH[activation](x)
        wrong += smooth_wrong
    else:
        value = 1.0 if x > 0 else a
        steps = [
            f"LeakyReLU(x) = x for x > 0, a·x otherwise, with a = negative_slope = {_given(a)}",
            "LeakyReLU′(x) = 1 for x > 0 and a for x < 0; at the kink x = 0 PyTorch uses a",
            f"{_side(x)}, so LeakyReLU′({_given(x)}) = {show_number(value, _INPUT_FIGS)}",
        ]
        if x <= 0:
            wrong.append(Misconception("ignored_negative_slope", 0.0, "used ReLU's slope 0; the leaky slope for x ≤ 0 is a"))
        if x == 0:
            wrong.append(Misconception("leaky_relu_one_at_zero", 1.0, "took the slope 1 at x = 0; PyTorch uses a at the kink"))
        wrong.append(Misconception("activation_not_derivative", x if x > 0 else a * x, "gave LeakyReLU(x) itself, not its slope"))
    value = value + 0.0
    return Solution(value, tuple(steps), distinct(value, wrong))
