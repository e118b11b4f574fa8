"""Provides FSRS fitted to the user: `quizapp stats --optimize` fits the 21 FSRS parameters to their review history,
keeps them only when they predict the latest reviews better than the defaults, and the scheduler uses them.

The optimizer is fsrs-rs-python (the Rust optimizer Anki itself uses, as a ~1.5 MB binary wheel with no
further dependencies), not ``fsrs[optimizer]``: py-fsrs's optimizer needs PyTorch, hundreds of MB
that quizapp must never require. It is an optional extra (``pip install 'quizapp[optimizer]'``,
also in the test extra) imported only here and only when a fit is asked for, so quizapp still
installs and runs where no wheel exists; the fitted parameters are then used by py-fsrs (the
``fsrs`` package, quizapp.schedule), which implements the same FSRS-6 model with the same 21
weights (the tests replay the held-out reviews through py-fsrs and get the same log loss).

The gate: the user's reviews are turned into the optimizer's samples (one per review of an item
seen on an earlier day: the item's ratings so far and the days between them, days starting at
04:00 as in quizapp.stats), ordered by time. The parameters are fitted on the first 80% and both
they and the defaults predict the last 20%; they are kept (in settings.json, under
``fsrs_parameters``) only when their log loss there (:func:`log_loss`) is lower. Too few reviews are left to the
optimizer's own threshold: when it returns the defaults unchanged, there was not enough to fit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from quizapp.settings import DAY_START

if TYPE_CHECKING:  # load_parameters runs when the store opens, before the first question: it needs neither
    from quizapp.store import Attempt, Store

__all__ = [
    "HOLDOUT",
    "OPTIMIZER_MISSING",
    "SETTINGS_KEY",
    "Fit",
    "fit",
    "load_parameters",
    "log_loss",
    "review_samples",
    "run_optimize",
    "save_parameters",
    "verdict",
]

SETTINGS_KEY = "fsrs_parameters"
OPTIMIZER_MISSING = "fitting FSRS needs the optional optimizer: pip install 'quizapp[optimizer]' (fsrs-rs-python)"
HOLDOUT = 0.2
"""The share of the latest reviews the fitted parameters must predict better than the defaults."""

Sample = tuple[float, tuple[tuple[int, int], ...]]
"""(when the predicted review was given, seconds since 1970; the item's (rating, days since the previous review) up to it)."""


@dataclass(frozen=True)
class Fit:
    """The outcome of one fit: what was fitted, how both predicted the held-out reviews, and whether it is kept."""

    reviews: int
    """Samples the optimizer could use (reviews of an item on a later day than its first)."""
    trained_on: int
    tested_on: int
    parameters: tuple[float, ...] | None
    """None when the optimizer found too few reviews to fit anything."""
    log_loss: float | None = None
    default_log_loss: float | None = None

    @property
    def kept(self) -> bool:
        return self.log_loss is not None and self.default_log_loss is not None and self.log_loss < self.default_log_loss


def review_samples(attempts: Sequence[Attempt], *, tz: tzinfo | None = None, day_start: int = DAY_START) -> list[Sample]:
    """The optimizer's samples from ``attempts``, oldest first: for each rated answer to an item on a later
    day than the item's previous answer, the item's whole rating history up to it.

    Days between answers are whole study days (the first answer has 0); several answers on one day are
    kept in the history (FSRS's short-term model reads them) but are not predicted themselves.
    """
    from quizapp.stats import study_day

    by_item: dict[str, list[tuple[float, int]]] = {}
    for a in sorted(attempts, key=lambda a: (a.at, a.id)):
        if a.rating is not None:
            by_item.setdefault(a.item_id, []).append((a.at.timestamp(), int(a.rating)))
    samples: list[Sample] = []
    for reviews in by_item.values():
        days = [study_day(at, tz, day_start) for at, _ in reviews]
        history = tuple((rating, 0 if i == 0 else (days[i] - days[i - 1]).days) for i, (_, rating) in enumerate(reviews))
        samples.extend((reviews[i][0], history[: i + 1]) for i in range(1, len(history)) if history[i][1] > 0)
    samples.sort(key=lambda sample: sample[0])
    return samples


def _clip(parameters: Sequence[float]) -> tuple[float, ...]:
    """``parameters`` within the bounds py-fsrs accepts (the Rust optimizer clips to nearly the same ones)."""
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return tuple(min(max(float(w), lo), hi) for w, lo, hi in zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS))


def log_loss(parameters: Sequence[float], samples: Sequence[Sample]) -> float:
    """How well FSRS with ``parameters`` predicts the last review of each sample: −mean(y·ln p + (1 − y)·ln(1 − p)),
    y = 1 when it was recalled (rating > 1), p = (1 + F·t/S)^−w₂₀ the recall FSRS predicts t days after the
    review before it, S the stability the earlier reviews lead to, F = 0.9^(−1/w₂₀) − 1; p is kept within
    [10⁻⁴, 1 − 10⁻⁴] so that one confident miss cannot dominate.

    Plain mean, not fsrs-rs's ``evaluate`` (which weighs recent reviews more), so it can be checked by
    replaying the same reviews through py-fsrs.
    """
    import fsrs_rs_python as rs

    model = rs.FSRS(list(parameters))
    states = model.memory_state_batch([rs.FSRSItem([rs.FSRSReview(r, d) for r, d in history[:-1]]) for _, history in samples])
    decay = parameters[20]
    factor = 0.9 ** (-1 / decay) - 1
    total = 0.0
    for (_, history), state in zip(samples, states):
        rating, days = history[-1]
        p = min(max((1 + factor * days / state.stability) ** -decay, 1e-4), 1 - 1e-4)
        total -= math.log(p) if rating > 1 else math.log(1 - p)
    return total / len(samples)


def fit(samples: Sequence[Sample]) -> Fit:
    """Fit FSRS on the first 80% of ``samples`` (oldest first) and compare it with the defaults on the rest
    by :func:`log_loss`. Raises ImportError when fsrs-rs-python is not installed."""
    import fsrs_rs_python as rs

    cut = int(len(samples) * (1 - HOLDOUT))
    train, test = samples[:cut], samples[cut:]
    defaults = tuple(rs.DEFAULT_PARAMETERS)
    items = [rs.FSRSItem([rs.FSRSReview(rating, delta) for rating, delta in history]) for _, history in train]
    fitted = rs.FSRS(defaults).compute_parameters(items) if items else list(defaults)
    if not test or all(math.isclose(a, b, rel_tol=0, abs_tol=1e-6) for a, b in zip(fitted, defaults)):
        return Fit(len(samples), len(train), len(test), None)  # the optimizer's own verdict: too few reviews
    parameters = _clip(fitted)
    return Fit(len(samples), len(train), len(test), parameters, log_loss(parameters, test), log_loss(defaults, test))


# --- settings.json ----------------------------------------------------------------------------------


def _settings(data_dir: str | Path | None) -> tuple[Path, dict | None]:
    """(the settings file, its JSON object: {} when missing, None when it cannot be read as one)."""
    from quizapp.paths import settings_path

    path = settings_path(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return path, {}
    except (OSError, ValueError, RecursionError):
        return path, None
    return path, data if isinstance(data, dict) else None


def load_parameters(data_dir: str | Path | None = None) -> tuple[float, ...] | None:
    """The FSRS parameters fitted to the user (settings.json ``fsrs_parameters``), or None for the defaults
    (none saved, or what is saved is not 21 numbers py-fsrs accepts: hand-edited settings never break scheduling)."""
    try:
        _, data = _settings(data_dir)
    except OSError:
        return None
    raw = (data or {}).get(SETTINGS_KEY)
    if not isinstance(raw, list) or len(raw) != 21:
        return None
    if not all(isinstance(w, (int, float)) and not isinstance(w, bool) and math.isfinite(w) for w in raw):
        return None
    parameters = tuple(float(w) for w in raw)
    return parameters if _clip(parameters) == parameters else None


def save_parameters(data_dir: str | Path | None, parameters: Sequence[float]) -> None:
    """Store ``parameters`` in settings.json (atomically; every other setting is kept as it was).

    Raises ValueError when settings.json exists but is not a JSON object: it is the user's, left untouched.
    """
    from quizapp.export import write_atomic

    path, data = _settings(data_dir)
    if data is None:
        raise ValueError(f"{path} is not a JSON object; it was left untouched, so the fitted parameters were not saved")
    data[SETTINGS_KEY] = [round(w, 6) for w in parameters]
    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def verdict(result: Fit, *, saved: bool = True) -> str:
    """What a fit came to, in a sentence: too few reviews, not better than the defaults, or kept (``saved``)."""
    if result.parameters is None:
        return (
            f"FSRS: not enough reviews to fit your own parameters yet ({result.reviews:,} usable reviews of items "
            "seen on an earlier day); keeping the current ones."
        )
    measured = (
        f"FSRS fitted on {result.trained_on:,} reviews predicts your latest {result.tested_on:,} with log loss "
        f"{result.log_loss:.4f} against {result.default_log_loss:.4f} for the defaults"
    )
    if not result.kept:
        return f"{measured}: not better, so your settings are unchanged."
    if not saved:
        return f"{measured}: better, but they could not be saved."
    return f"{measured}: better, so they are saved in settings.json and schedule your reviews from now on."


def run_optimize(
    store: Store, *, data_dir: str | Path | None, stdout: TextIO, tz: tzinfo | None = None, day_start: int = DAY_START
) -> int:
    """`quizapp stats --optimize`: fit, gate, save when kept, and say what happened either way. Exit status 0 or 1."""
    from quizapp.textsafe import error

    samples = review_samples(store.attempts(), tz=tz, day_start=day_start)
    try:
        result = fit(samples)
    except ImportError:
        error(f"quizapp: {OPTIMIZER_MISSING}")
        return 1
    if result.kept:
        try:
            save_parameters(data_dir, result.parameters)  # type: ignore[arg-type]  (kept: fitted)
        except (ValueError, OSError) as err:
            error(f"quizapp: {err}")
            return 1
    stdout.write(verdict(result) + "\n")
    return 0
