"""Quiz building and the drill session: determinism, mix, spread, no repeats, difficulty climbing."""

from __future__ import annotations

import itertools
import random
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from quizapp.content.drill import parse_template
from quizapp.content.model import Bank, Card, CardKind, Deck, SourceRef
from quizapp.generate import GenerationError
from quizapp.session import DrillSession, QuizItem, build_quiz, level_for


def _template(tid: str, topic: str, deck: str = "d1"):
    text = f"""\
        id: {tid}
        solver: conv.output_size
        params:
          size: {{range: [8, 64]}}
          kernel: [3, 5]
        ask: "{tid}: input {{size}}, kernel {{kernel}}?"
        answer: {{form: integer}}
        levels:
          easy: {{size: [32]}}
          hard: {{size: {{range: [100, 200]}}, dilation: [2]}}
        """
    return parse_template(textwrap.dedent(text), source=SourceRef(f"{deck}.md", 1), deck=deck, topic=topic)


def _card(i: int, topic: str, kind: CardKind = CardKind.QA, deck: str = "d1") -> Card:
    options = ("a", "b", "c") if kind == CardKind.MCQ else ()
    return Card(
        id=f"{deck}:{topic}:{i}",
        deck=deck,
        topic=topic,
        kind=kind,
        question=f"Q{i} about {topic}?",
        answer=f"A{i}",
        source=SourceRef(f"{deck}.md", i + 1),
        options=options,
        correct=1 if options else None,
    )


def _bank(with_templates: bool = True, n_cards: int = 8) -> Bank:
    decks = []
    for deck, topics in (("d1", ("Alpha", "Beta")), ("d2", ("Gamma",))):
        cards = []
        for topic in topics:
            for i in range(n_cards):
                kind = CardKind.MCQ if i % 3 == 0 else (CardKind.DEFINITION if i % 3 == 1 else CardKind.QA)
                cards.append(_card(i, topic, kind, deck))
        templates = tuple(_template(f"{deck}-{t.lower()}", t, deck) for t in topics) if with_templates else ()
        decks.append(Deck(id=deck, title=deck.upper(), path=Path(f"{deck}.md"), topics=topics, cards=tuple(cards), templates=templates))
    return Bank(decks=tuple(decks))


# ---------------------------------------------------------------- QuizItem


def test_quiz_item_kinds():
    mcq = QuizItem(card=_card(0, "T", CardKind.MCQ))
    flash = QuizItem(card=_card(1, "T", CardKind.DEFINITION))
    assert (mcq.kind, flash.kind) == ("mcq", "flashcard")
    assert mcq.id == "d1:T:0" and mcq.topic == "T"
    from quizapp.generate import generate

    drill = QuizItem(drill=generate(_template("t", "Topic"), 3))
    assert drill.kind == "drill" and drill.id == "t@3" and drill.topic == "Topic"
    with pytest.raises(ValueError):
        QuizItem()
    with pytest.raises(ValueError):
        QuizItem(card=_card(0, "T"), drill=drill.drill)


# ---------------------------------------------------------------- build_quiz


def test_quiz_is_deterministic():
    bank = _bank()
    assert [i.id for i in build_quiz(bank, count=10, seed=3)] == [i.id for i in build_quiz(bank, count=10, seed=3)]
    assert [i.id for i in build_quiz(bank, count=10, seed=3)] != [i.id for i in build_quiz(bank, count=10, seed=4)]


def test_quiz_mix_and_no_repeats():
    bank = _bank()
    for seed in range(20):
        items = build_quiz(bank, count=10, seed=seed)
        assert len(items) == 10
        kinds = Counter(i.kind for i in items)
        assert kinds["drill"] == 4
        assert kinds["mcq"] + kinds["flashcard"] == 6
        ids = [i.id for i in items]
        assert len(set(ids)) == len(ids)
        # three templates, four drills: a template repeats only once all have been used
        templates = Counter(i.drill.template_id for i in items if i.drill)
        assert set(templates) == {"d1-alpha", "d1-beta", "d2-gamma"}


def test_quiz_spreads_over_topics():
    bank = _bank()
    for seed in range(20):
        cards = [i for i in build_quiz(bank, count=10, seed=seed) if i.card]
        per_topic = Counter(i.topic for i in cards)
        assert set(per_topic) == {"Alpha", "Beta", "Gamma"}
        assert max(per_topic.values()) - min(per_topic.values()) <= 1


def test_quiz_topics_filter():
    items = build_quiz(_bank(), topics=["beta"], count=6, seed=1)
    assert {i.topic for i in items} == {"Beta"}


def test_quiz_without_templates_is_all_cards():
    items = build_quiz(_bank(with_templates=False), count=10, seed=1)
    assert len(items) == 10 and all(i.card for i in items)


def test_quiz_fills_with_drills_when_cards_run_out():
    items = build_quiz(_bank(n_cards=1), count=10, seed=1)
    assert len(items) == 10
    assert sum(1 for i in items if i.card) == 3
    assert len({i.id for i in items}) == 10


def test_quiz_shorter_when_everything_is_used():
    items = build_quiz(_bank(with_templates=False, n_cards=1), count=10, seed=1)
    assert len(items) == 3


# ---------------------------------------------------------------- DrillSession


@pytest.mark.parametrize(("climb", "level"), [(0, "easy"), (2, "easy"), (3, "medium"), (5, "medium"), (6, "hard"), (40, "hard")])
def test_level_for(climb, level):
    assert level_for(climb) == level


def test_difficulty_climbs_with_the_streak_and_drops_one_level():
    templates = _bank().templates()
    s = DrillSession(templates, seed=1)
    levels = []
    for _ in range(7):
        levels.append(s.next().level)
        s.record(True)
    assert levels == ["easy"] * 3 + ["medium"] * 3 + ["hard"]
    assert (s.streak, s.answered, s.correct, s.level) == (7, 7, 7, "hard")
    s.next()
    s.record(False)
    assert (s.streak, s.level) == (0, "medium")
    s.next()
    s.record(False)
    assert s.level == "easy"
    s.next()
    s.record(False)
    assert s.level == "easy" and s.answered == 10 and s.correct == 7
    assert s.accuracy == pytest.approx(0.7)


def test_instance_levels_follow_the_session_level():
    s = DrillSession(_bank().templates(), seed=2)
    for _ in range(6):
        s.record(True)
    inst = s.next()
    assert inst.level == "hard" and inst.params["dilation"] == 2


def test_fixed_level_never_moves():
    s = DrillSession(_bank().templates(), seed=1, level="medium")
    for ok in (True,) * 8 + (False,) * 3:
        assert s.next().level == "medium"
        s.record(ok)
    assert s.level == "medium"


def test_no_template_twice_in_a_row():
    s = DrillSession(_bank().templates(), seed=5)
    ids = [s.next().template_id for _ in range(200)]
    assert all(a != b for a, b in itertools.pairwise(ids))
    assert set(ids) == {"d1-alpha", "d1-beta", "d2-gamma"}


def test_single_template_repeats():
    t = _template("only", "T")
    s = DrillSession([t], seed=1)
    instances = [s.next() for _ in range(5)]
    assert {i.template_id for i in instances} == {"only"}
    assert len({i.seed for i in instances}) == 5
    assert s.current is instances[-1]


def test_session_is_deterministic():
    a = DrillSession(_bank().templates(), seed=9)
    b = DrillSession(_bank().templates(), seed=9)
    for ok in (True, False, True, True):
        assert a.next() == b.next()
        a.record(ok)
        b.record(ok)


def test_broken_template_is_skipped():
    broken = parse_template(
        "id: broken\nsolver: conv.output_size\nparams: {size: [2], kernel: [5]}\nask: x\n",
        source=SourceRef("b.md", 1),
        deck="b",
        topic="B",
    )
    s = DrillSession([broken, _template("ok", "T")], seed=1)
    assert {s.next().template_id for _ in range(5)} == {"ok"}
    with pytest.raises(GenerationError):
        DrillSession([broken], seed=1).next()


def test_no_templates():
    with pytest.raises(ValueError):
        DrillSession([], seed=1)


def test_quiz_shuffles_multiple_choice_options_and_keeps_the_right_answer():
    from quizapp.content.model import Card, CardKind, SourceRef
    from quizapp.session import shuffle_options

    card = Card(
        id="d:mcq", deck="d", topic="t", kind=CardKind.MCQ, question="Which?", answer="right",
        source=SourceRef("d.md", 1), options=("right", "w1", "w2", "w3"), correct=0,
    )
    positions = set()
    for seed in range(40):
        shuffled = shuffle_options(card, random.Random(seed))
        assert sorted(shuffled.options) == sorted(card.options)
        assert shuffled.options[shuffled.correct] == "right"
        assert shuffled.id == card.id
        positions.add(shuffled.correct)
    assert positions == {0, 1, 2, 3}  # the right option does not sit in one habitual place
