"""Provides the JSON export (schema 1): cards and drill instances with answers, tolerance and steps.

Schema 1 (also in SCHEMA.md)::

    {
      "schema": 1,                      # bumped on any incompatible change
      "generator": "quizapp 0.1.0",
      "seed": 0,                        # the --seed (0 when none was given)
      "topics": ["conv"],               # the --topic filters ([] = all)
      "cards": [                        # every card of the chosen topics, in file order
        {"id", "deck", "topic", "kind", "question", "answer", "source",
         "options" and "correct" (multiple choice only), "note" and "tags" (when present),
         "cloze" (cloze cards: the paragraph with its {{cN::...}} deletions),
         "family" (cards generated from notes: the section they were cut from),
         "mathjax" (cards with a formula: their texts with formulas as \\(latex\\))}
      ],
      "drill_instances": [
        {"id": "template@seed", "template_id", "deck", "topic", "seed", "level", "params",
         "question", "answer", "answer_text", "form", "precision",
         "tolerance": {"abs", "rel", "sig_figs", "decimals", "exact"},
         "steps": [...], "misconceptions": [{"name", "value", "explanation"}], "hint",
         "details": {name: value},    # the solver's further results, e.g. a descent trajectory
         "question_mathjax"}          # when the ask has a formula: the question with it as \\(latex\\)
      ]
    }

Text is terminal text (formulas as Unicode, no markdown). ``kind`` is one of definition, list,
formula, qa, mcq, cloze. ``answer`` of an instance is a number, a list (shape, vector) or a list of
lists (matrix); ``generate(template, seed, level)`` reproduces the instance. Keys are sorted,
non-ASCII is kept as UTF-8, indentation is 2 spaces and the file ends with a newline.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from solvers._core import to_plain

__all__ = ["SCHEMA_VERSION", "instance_dict", "render", "tolerance_dict"]

SCHEMA_VERSION = 1


def tolerance_dict(tolerance: Any) -> dict[str, Any]:
    """A Tolerance as plain data."""
    to_dict = getattr(tolerance, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return dataclasses.asdict(tolerance)


def instance_dict(instance: Any) -> dict[str, Any]:
    """One DrillInstance as schema-1 data."""
    return {
        "id": instance.id,
        "template_id": instance.template_id,
        "deck": instance.deck,
        "topic": instance.topic,
        "seed": instance.seed,
        "level": instance.level,
        "params": to_plain(instance.params),
        "question": instance.question,
        "answer": to_plain(instance.answer),
        "answer_text": instance.answer_text,
        "form": instance.form,
        "precision": instance.precision,
        "tolerance": tolerance_dict(instance.tolerance),
        "steps": list(instance.steps),
        "misconceptions": [m.to_dict() for m in instance.misconceptions],
        "hint": instance.hint,
        "details": {name: to_plain(value) for name, value in instance.details},
        **({"question_mathjax": instance.question_mathjax} if instance.question_mathjax else {}),
    }


def render(data: Any) -> bytes:
    """ExportData -> the schema-1 JSON document as UTF-8 bytes."""
    document = {
        "schema": SCHEMA_VERSION,
        "generator": data.generator,
        "seed": data.seed,
        "topics": list(data.topics),
        "cards": [card.to_dict() for card in data.cards],
        "drill_instances": [instance_dict(i) for i in data.instances],
    }
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
