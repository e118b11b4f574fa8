"""The messy real-world seed notes (Russian) load into sensible cards of every notes kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.content.loader import load_bank, load_deck
from quizapp.content.model import Card, CardKind, Deck

SEED = Path(__file__).parents[2].parent / "shared" / "seeds" / "000_2ab21f5904ecc508.txt"

pytestmark = pytest.mark.skipif(not SEED.exists(), reason="seed notes not present")


@pytest.fixture(scope="module")
def seed() -> Deck:
    return load_deck(SEED)


def cards(deck: Deck, kind: CardKind) -> list[Card]:
    return [c for c in deck.cards if c.kind is kind]


def find(deck: Deck, kind: CardKind, *words: str) -> Card:
    """The one card of ``kind`` whose question contains every word."""
    found = [c for c in cards(deck, kind) if all(w.casefold() in c.question.casefold() for w in words)]
    assert len(found) == 1, (kind, words, [c.question for c in cards(deck, kind)])
    return found[0]


def test_loads_without_problems(seed: Deck) -> None:
    assert seed.problems == ()
    assert seed.language == "ru"
    assert seed.title == "Нейронные сети"  # the empty first H1 is the document title, not a topic
    assert seed.topics == (
        "Градиентный спуск",
        "Backpropagation",
        "Линейные слои в нейронных сетях",
        "Свёрточные слои (Convolutional Layers)",
        "Инициализация весов",
        "Attention",
        "Self Attention",
    )


@pytest.mark.parametrize(
    ("subject", "starts"),
    [
        ("Градиентный спуск", "Градиентный спуск - это метод оптимизации"),
        ("Backpropagation", "Обратное распространение ошибки (backpropagation)"),
        ("Линейные слои", "Линейные слои - это основной строительный блок"),
        ("Свёрточные слои", "Свёрточные слои являются основным строительным блоком"),
        ("такое Attention?", "Это механизм в нейронных сетях"),
        ("Self Attention", "Пусть мы имеем матрицу эмбеддингов X размером M × N"),
        ("Инициализация Хе", "Представляет собой инициализацию"),
    ],
)
def test_definitions(seed: Deck, subject: str, starts: str) -> None:
    card = find(seed, CardKind.DEFINITION, "Что такое", subject)
    assert card.answer.startswith(starts)


@pytest.mark.parametrize(
    ("topic", "subject"),
    [
        ("Градиентный спуск", "Градиентный спуск"),
        ("Backpropagation", "Backpropagation"),
        ("Линейные слои в нейронных сетях", "Линейные слои"),
        ("Свёрточные слои (Convolutional Layers)", ""),  # written under the last sub-heading of the topic
        ("Attention", "Attention"),
    ],
)
def test_advantages_and_disadvantages_per_topic(seed: Deck, topic: str, subject: str) -> None:
    for phrase in ("назовите преимущества", "назовите недостатки"):
        found = [c for c in cards(seed, CardKind.LIST) if c.topic == topic and phrase in c.question and subject in c.question]
        assert len(found) == 1, (topic, phrase)
        items = found[0].answer.split("\n")
        assert len(items) >= 2 and all(line.startswith("• ") for line in items)


@pytest.mark.parametrize("method", ["Zero Initialization", "Random Initialization", "He Initialization", "Xavier Initialization"])
def test_nested_label_lists_in_the_init_section(seed: Deck, method: str) -> None:
    for phrase in ("назовите преимущества", "назовите недостатки", "когда применяется"):
        card = find(seed, CardKind.LIST, method, phrase)
        assert card.topic == "Инициализация весов"
        assert card.answer.startswith("• ")
    zero_cons = find(seed, CardKind.LIST, "Zero Initialization", "недостатки")
    if method == "Zero Initialization":
        assert zero_cons.answer.count("• ") == 3
        assert "Симметрия градиентов: При использовании" in zero_cons.answer


def test_numbered_label_lists(seed: Deck) -> None:
    ideas = find(seed, CardKind.LIST, "Градиентный спуск", "основные идеи")
    assert ideas.answer.startswith("1. Итеративное обновление: ")
    assert ideas.answer.count("\n") == 2
    how = find(seed, CardKind.LIST, "Backpropagation", "как это работает")
    assert how.answer.startswith("1. Прямой проход (forward pass): ")


@pytest.mark.parametrize(
    ("subject", "formula"),
    [
        ("Градиентный спуск", "w := w − α∇L(w)"),
        ("Градиентный спуск", "∇L(w) = (∂L/∂w₁, ∂L/∂w₂, …, ∂L/∂wₙ)"),
        ("Backpropagation", "∂L/∂w_ij = ∂L/∂z_j · ∂z_j/∂w_ij"),
        ("Линейные слои", "y = Wx + b"),
        ("Свёрточные слои", "O_(i,j) = ∑ₘ₌₀ᴹ⁻¹ ∑ₙ₌₀ᴺ⁻¹ I_((i+m),(j+n)) · K_(m,n) + b"),
        ("Размер выхода свёртки", "H_out = ⌊(H_in − M + 2P)/S⌋ + 1"),
        ("Инициализация Хе", "stddev = √(2/n)"),
        ("Xavier", "stddev = √(1/n)"),
        (": Attention?", "C = ∑ᵢ αᵢ · Xᵢ"),
    ],
)
def test_formula_cards(seed: Deck, subject: str, formula: str) -> None:
    card = find(seed, CardKind.FORMULA, "Формула:", subject)
    assert formula in card.answer.split("\n")


def test_no_markup_or_latex_left_in_any_card(seed: Deck) -> None:
    for card in seed.cards:
        for text in (card.question, card.answer, *card.options, card.note):
            for raw in ("\\frac", "\\", "**", "$", "](", "{{"):
                assert raw not in text, (raw, card.question, text)
        assert card.question.strip() and card.answer.strip()


def test_ids_are_unique_and_stable(seed: Deck) -> None:
    ids = [c.id for c in seed.cards]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(f"{seed.id}:") for i in ids)
    assert [c.id for c in load_deck(SEED).cards] == ids


def test_counts_by_kind(seed: Deck) -> None:
    counts = {kind: len(cards(seed, kind)) for kind in CardKind}
    assert counts[CardKind.DEFINITION] >= 7
    assert counts[CardKind.LIST] >= 20
    assert counts[CardKind.FORMULA] >= 8
    assert counts[CardKind.QA] == counts[CardKind.MCQ] == counts[CardKind.CLOZE] == 0  # notes only


def test_loads_through_the_bank_as_a_txt_path(seed: Deck) -> None:
    bank = load_bank([SEED], bundled=False)
    assert bank.problems == () and len(bank.decks) == 1
    assert [c.id for c in bank.cards()] == [c.id for c in seed.cards]
    assert len(bank.cards(["Свёрточные"])) == len([c for c in seed.cards if c.topic.startswith("Свёрточные")])
