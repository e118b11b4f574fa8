"""Cards whose answer gives another away: the conservative rule on hand-made cards (each case it must and must not
pair), its burying in the review plan, and what it pairs in the shipped bank (no false positive of its own kind)."""

from __future__ import annotations

import pytest
from test_study import NOW, SRC

from quizapp.content.loader import load_bank
from quizapp.content.model import Bank, Card, CardKind, Deck
from quizapp.giveaway import giveaway_keys, giveaway_pairs, normalise, term
from quizapp.study import review_plan


def qa(id_: str, question: str, answer: str, *, deck: str = "d", **extra) -> Card:
    return Card(id_, deck, "T", extra.pop("kind", CardKind.QA), question, answer, SRC, **extra)


@pytest.mark.parametrize(
    ("text", "normal"),
    [("Layer-Norm's *scale*.", "layer norm s scale"), ("  nn.BatchNorm2d\n", "nn batchnorm2d"), ("Über  GELU", "über gelu")],
)
def test_normalise_folds_case_and_drops_markup(text, normal):
    assert normalise(text) == normal


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Layer normalization.", "layer normalization"),
        ("Dropout", None),  # one word: found in questions by chance
        ("Sigmoid fn", None),  # two words but under 10 letters
        ("It rescales each example by its own mean and variance over the features", None),  # a sentence
        ("1. the weights\n2. the biases", None),  # a list
    ],
)
def test_a_term_is_a_short_multi_word_answer(answer, expected):
    assert term(qa("a", "Q?", answer)) == expected


def test_a_multiple_choice_gives_away_its_right_option():
    card = qa("m", "Which layer?", "", kind=CardKind.MCQ, options=("Batch normalization", "Layer normalization"), correct=1)
    assert term(card) == "layer normalization"


CARDS = [
    qa("a", "What normalises each example over its features?", "Layer normalization"),
    qa("b", "Why does layer normalization suit transformers?", "It does not depend on the batch."),
    qa("c", "What does batch normalization keep for inference?", "Running mean and variance."),
    qa("d", "How do layer normalizations differ?", "…"),  # plural: not the term as whole words
    qa("e", "Is layer normalization used in RNNs?", "Yes.", deck="other"),  # another deck
    qa("f", "Where is layer normalization placed in a pre-LN block?", "Before each sublayer."),
]


def test_pairs_need_the_whole_term_in_a_question_of_the_same_deck():
    assert giveaway_pairs(CARDS) == [("a", "b"), ("a", "f")]


def test_siblings_are_not_paired_again():
    cards = [qa("a", "Q?", "Layer normalization", family="norms"), qa("b", "Why layer normalization?", "…", family="norms")]
    assert giveaway_pairs(cards) == []


def test_burying_is_pairwise_so_questions_naming_one_term_stay_apart_from_it_only():
    keys = giveaway_keys(CARDS)
    assert keys["b"] & keys["a"] and keys["f"] & keys["a"] and not keys["b"] & keys["f"]
    assert "c" not in keys


def bank(cards) -> Bank:
    return Bank(decks=(Deck("d", "d", SRC.path, topics=("T",), cards=tuple(cards)),))


def test_the_review_asks_one_card_of_a_giveaway_pair_a_day(store):
    cards = [c for c in CARDS if c.deck == "d"]
    plan = review_plan(bank(cards), store, now=NOW)
    assert [c.id for c in plan.items] == ["a", "c", "d"] and set(plan.buried) == {"b", "f"}
    store.record_attempt("b", kind="qa", topic="T", deck="d", verdict="correct", now=NOW)  # b answered today first
    later = review_plan(bank(cards), store, now=NOW)
    assert "a" not in [c.id for c in later.items] and "f" in [c.id for c in later.items]


@pytest.fixture(scope="module")
def shipped():
    return load_bank([], bundled=True).cards()


def test_what_the_shipped_bank_pairs_is_each_a_term_written_in_the_other_question(shipped):
    by_id = {c.id: c for c in shipped}
    pairs = giveaway_pairs(shipped)
    involved = {i for pair in pairs for i in pair}
    assert len(involved) <= len(shipped) // 10  # a rare relation, not a topic name joining everything
    for a, b in pairs:
        found = term(by_id[a])
        assert found is not None and 2 <= len(found.split()) and f" {found} " in f" {normalise(by_id[b].question)} "
        assert by_id[a].deck == by_id[b].deck and a != b
