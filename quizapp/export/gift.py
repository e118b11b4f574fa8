"""Provides the Moodle GIFT export: multiple choice, numeric drills, and flashcards as essay questions.

- Multiple choice: ``::id::question{=right ~wrong ~wrong}`` (with ``####why`` as general feedback).
- Drills with a number answer (integer, decimal, percent): ``{#answer:tolerance}``, the tolerance
  being the absolute half-width that quizapp itself accepts; a shape answer is a short answer
  accepting ``16x16``, ``16×16`` and ``(16, 16)``; vectors and matrices are essay questions whose
  general feedback gives the answer and the worked steps.
- Cloze cards with one blank: GIFT's missing-word form, ``text {=hidden} text`` (a short answer).
- Flashcards: essay questions (``{}``) with the answer as general feedback (``{####answer}``), as
  Moodle cannot grade free recall.

GIFT's special characters ``~ = # { } :`` and the backslash are escaped with a backslash; blank
lines inside a text are folded, since a blank line ends a question. Questions are grouped by
topic, each group under ``$CATEGORY: quizapp/<topic>``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["escape", "render"]

_SPECIAL = re.compile(r"([~=#{}:\\])")


def escape(text: str, *, strip: bool = True) -> str:
    """GIFT text: special characters backslash-escaped, no blank lines, line breaks kept (and the ends
    stripped unless ``strip`` is False: the text around a missing word keeps its spaces)."""
    text = _SPECIAL.sub(r"\\\1", text.strip() if strip else text)
    return re.sub(r"\n\s*\n+", "\n", text)


def _number(x: float) -> str:
    """A number as GIFT reads it: plain decimal (repr is shortest and round-trips)."""
    if isinstance(x, int):
        return str(x)
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _half_width(instance: Any) -> float:
    """The absolute tolerance quizapp accepts around the answer (Tolerance.width), unrounded so Moodle is
    never stricter than the app."""
    t = instance.tolerance
    if instance.form == "integer" or t.exact:
        return 0.0
    return t.width(float(instance.answer))


def _feedback(instance: Any) -> str:
    lines = [f"Answer: {instance.answer_text}"] + list(instance.steps)
    return escape("\n".join(lines))


def _drill(instance: Any) -> str:
    title = escape(instance.id)
    question = escape(instance.question)
    if instance.form in ("integer", "decimal", "percent"):
        value = float(instance.answer)
        body = f"#{_number(instance.answer if instance.form == 'integer' else value)}:{_number(_half_width(instance))}"
        return f"::{title}::{question}{{{body}\n####{_feedback(instance)}}}"
    if instance.form == "shape":
        dims = [str(n) for n in instance.answer]
        spellings = dict.fromkeys(["x".join(dims), "×".join(dims), "(" + ", ".join(dims) + ")"])
        answers = " ".join(f"={escape(s)}" for s in spellings)
        return f"::{title}::{question}{{{answers}\n####{_feedback(instance)}}}"
    return f"::{title}::{question}{{\n####{_feedback(instance)}}}"


def _card(card: Any) -> str:
    title = escape(card.id)
    if str(card.kind) == "cloze" and card.question.count("[…]") == 1:
        # GIFT's missing-word form: the blank is a short-answer box inside the sentence.
        before, after = card.question.split("[…]")
        return f"::{title}::{escape(before, strip=False)}{{={escape(card.answer)}}}{escape(after, strip=False)}"
    question = escape(card.question)
    if card.options and card.correct is not None:
        options = " ".join(("=" if i == card.correct else "~") + escape(opt) for i, opt in enumerate(card.options))
        why = f"\n####{escape(card.note)}" if card.note else ""
        return f"::{title}::{question}{{{options}{why}}}"
    answer = card.answer + (f"\nWhy: {card.note}" if card.note else "")
    return f"::{title}::{question}{{\n####{escape(answer)}}}"


def render(data: Any) -> bytes:
    """ExportData -> GIFT text as UTF-8 bytes."""
    topics: dict[str, list[tuple[str, str]]] = {}
    for card in data.cards:
        topics.setdefault(card.topic, []).append((card.id, _card(card)))
    for inst in data.instances:
        topics.setdefault(inst.topic, []).append((inst.id, _drill(inst)))
    out = [f"// {data.generator}, seed {data.seed}", ""]
    for topic, questions in topics.items():
        out += [f"$CATEGORY: quizapp/{topic.replace('/', '-')}", ""]
        for qid, text in questions:
            out += [f"// {qid}", text, ""]
    return "\n".join(out).encode("utf-8")
