"""The shipped bank, every template at every level: enough distinct questions, and no typical
mistake that the drill's numbers let give the right answer (in any instance: a mistake the level
lists under not_tested is one its numbers cannot show, and must really be one).

A drill tests what it claims only when a candidate who makes the template's typical mistake gets
it marked wrong; and its numbers must vary enough that answers cannot be learnt by heart.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from quizapp.content.check import MIN_DISTINCT, MistakeTally
from quizapp.content.drill import LEVELS
from quizapp.content.loader import load_bank
from quizapp.generate import generate, telling_mistakes

N = 100
"""Instances generated per template and level."""

DOUBLED_SIGN = re.compile(r"(?<![=(,\[])\s[−+-]\s[−-]\d")
"""An operator followed by a negative number, 1 + −0.309: worked steps write 1 + (−0.309)."""


@cache
def _templates():
    return {t.id: t for t in load_bank([], bundled=True).templates()}


def _ids():
    return sorted(_templates())


@pytest.mark.parametrize("template_id", _ids())
def test_every_level_asks_enough_distinct_questions_and_no_typical_mistake_gives_the_answer(template_id):
    template = _templates()[template_id]
    giving: dict[tuple[str, str], int] = {}
    for level in LEVELS:
        questions = set()
        tally = MistakeTally(template.untested(level))
        for seed in range(N):
            inst = generate(template, seed, level)
            questions.add(inst.question)
            for text in (inst.question, *inst.steps):
                assert not DOUBLED_SIGN.search(text), f"{template_id} {level} seed {seed}: a doubled sign in {text!r}"
            tally.add(inst)  # its generic slips too (0.0003 asked to 3 decimals: its tenth is "right" too)
        if not template.few_distinct:
            assert len(questions) >= MIN_DISTINCT, f"{template_id} at {level}: {len(questions)} distinct questions in {N}"
        giving.update({(level, name): n for name, n in tally.giving_answer().items()})
        # a not_tested name must be one the level really cannot show
        assert not tally.tested_after_all(), f"{template_id} at {level}: not_tested mistakes named after all {tally.tested_after_all()}"
        assert not tally.never_seen(), f"{template_id} at {level}: not_tested names no instance gave {tally.never_seen()}"
    assert not giving, f"{template_id}: a typical mistake gives the right answer ((level, mistake): instances of {N}) {giving}"


def test_the_shipped_bank_has_telling_mistakes_to_test():
    # the check above is empty-handed if no template has a mistake it can tell apart
    with_mistakes = [t for t in _templates().values() if any(telling_mistakes(t, level) for level in LEVELS)]
    assert len(with_mistakes) >= 0.9 * len(_templates())
