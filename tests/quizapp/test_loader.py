"""The deck loader: every card kind and syntax variant, ids, problems with file:line, front matter, banks."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.content.loader import card_id, detect_language, load_bank, load_deck, parse_deck
from quizapp.content.model import Card, CardKind, Deck


def write(tmp_path: Path, text: str, name: str = "deck.md") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def deck(tmp_path: Path, text: str, name: str = "deck.md") -> Deck:
    return load_deck(write(tmp_path, text, name))


def kinds(d: Deck, kind: CardKind) -> list[Card]:
    return [c for c in d.cards if c.kind is kind]


def only(d: Deck, kind: CardKind) -> Card:
    found = kinds(d, kind)
    assert len(found) == 1, [c.question for c in d.cards]
    return found[0]


def messages(d: Deck) -> list[str]:
    return [str(p) for p in d.problems]


# -- notes: definitions --------------------------------------------------------------------------


def test_definition_is_the_first_paragraph_under_a_topic(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Gradient descent

        Gradient descent is an **iterative** method that steps against the gradient $\\nabla L$.

        A second paragraph is not the definition.
        """,
    )
    card = only(d, CardKind.DEFINITION)
    assert card.question == "What is gradient descent?"
    assert card.answer == "Gradient descent is an iterative method that steps against the gradient ∇L."
    assert card.topic == "Gradient descent"
    assert card.source.line == 3
    assert d.topics == ("Gradient descent",)


def test_definition_in_russian_and_subject_headings(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Инициализация весов

        ### **Инициализация Хе (He Initialization)**

        Представляет собой инициализацию весов случайными значениями.
        """,
    )
    card = only(d, CardKind.DEFINITION)
    assert card.question == "Что такое Инициализация Хе (He Initialization)?"
    assert card.topic == "Инициализация весов"
    assert d.language == "ru"


def test_definition_ending_with_colon_takes_the_following_list(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Self attention

        Self-attention has three weight matrices, where:

        - $W_q$ gives queries
        - $W_k$ gives keys
        """,
    )
    card = only(d, CardKind.DEFINITION)
    assert card.answer == "Self-attention has three weight matrices, where:\n• W_q gives queries\n• Wₖ gives keys"


def test_soft_wrapped_prose_is_joined_but_formula_lines_stay(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Linear layers

        A linear layer maps
        a vector to a vector:
        $y = Wx + b$
        where W is out×in.
        """,
    )
    assert only(d, CardKind.DEFINITION).answer == "A linear layer maps a vector to a vector:\ny = Wx + b\nwhere W is out×in."


def test_markdown_hard_breaks_keep_their_line(tmp_path: Path) -> None:
    d = deck(tmp_path, "# T\n\nfirst line  \nsecond line\\\nthird line\nstill third\n")
    assert only(d, CardKind.DEFINITION).answer == "first line\nsecond line\nthird line still third"


def test_empty_first_h1_is_the_deck_title_and_no_topic(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Нейронные сети

        # Градиентный спуск

        Градиентный спуск - это метод оптимизации.
        """,
    )
    assert d.title == "Нейронные сети"
    assert d.topics == ("Градиентный спуск",)


def test_content_before_any_h1_belongs_to_the_deck_title_topic(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        ---
        title: My notes
        ---
        Stride is the step of the kernel.

        # Later topic

        Later text.
        """,
    )
    assert d.cards[0].topic == "My notes"
    assert d.topics == ("My notes", "Later topic")


def test_bold_wrapped_h1_is_stripped(tmp_path: Path) -> None:
    d = deck(tmp_path, "# **Линейные слои**\n\nЛинейные слои - это блок.\n")
    assert d.topics == ("Линейные слои",)


def test_image_paragraphs_are_skipped_and_formula_first_means_no_definition(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Xavier

        ![figure.png](https://example.com/figure.png)

        $\\text{stddev} = \\sqrt{\\frac{1}{n}}$

        Где $*n*$ - количество входных нейронов.
        """,
    )
    assert kinds(d, CardKind.DEFINITION) == []
    card = only(d, CardKind.FORMULA)
    assert card.answer == "stddev = √(1/n)\n\nГде n - количество входных нейронов."


# -- notes: lists ---------------------------------------------------------------------------------

LIST_VARIANTS = [
    ("### **Преимущества**\n\n- Простота.\n- Скорость.\n", "ru", "Тема: назовите преимущества."),
    ("### Advantages\n\n- Simple.\n- Fast.\n", "en", "Topic: name the advantages."),
    ("### Disadvantages:\n\n- Simple.\n- Fast.\n", "en", "Topic: name the disadvantages."),
    ("**Pros:**\n\n- Simple.\n- Fast.\n", "en", "Topic: name the advantages."),
    ("**Плюсы:**\n\n- Простота.\n- Скорость.\n", "ru", "Тема: назовите преимущества."),
    ("**Минусы**:\n- Простота.\n- Скорость.\n", "ru", "Тема: назовите недостатки."),
    ("Cons:\n\n- Simple.\n- Fast.\n", "en", "Topic: name the disadvantages."),
    ("### **Основные идеи**\n\n1. **Шаг:** против градиента.\n2. Скорость.\n", "ru", "Тема: назовите основные идеи."),
    ("### How it works\n\n1. Forward.\n2. Backward.\n", "en", "Topic: how does it work?"),
    ("### **Отличия**\n\n- A.\n- B.\n", "ru", "Тема: в чём отличия?"),
    ("**Use:**\n\n- Images.\n- Audio.\n", "en", "Topic: when is it used?"),
    ("**Remedies:**\n\n- ReLU.\n- Residuals.\n", "en", "Topic: what are the remedies?"),  # an unknown bold label, asked
]


@pytest.mark.parametrize(("body", "language", "question"), LIST_VARIANTS)
def test_list_label_variants(tmp_path: Path, body: str, language: str, question: str) -> None:
    title = "Тема" if language == "ru" else "Topic"
    d = deck(tmp_path, f"---\nlanguage: {language}\n---\n# {title}\n\n{body}")
    card = only(d, CardKind.LIST)
    assert card.question == question
    lines = card.answer.split("\n")
    assert len(lines) == 2
    assert lines[0].startswith(("• ", "1. ")) and lines[1].startswith(("• ", "2. "))
    assert "*" not in card.answer
    assert card.source.line == 6  # the label's line (front matter: 3 lines, H1, blank)


def test_nested_label_items_under_subjects(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Инициализация весов

        ### **Нулевая инициализация (Zero Initialization)**

        - **Преимущества:**
            - Простота в реализации.
        - **Недостатки:**
            - **Симметрия:** все нейроны одинаковы.
            - **Затухание:** градиенты нулевые.
        - **Использование:**
            - Не рекомендуется.

        P.S. То же для любой константы.
        """,
    )
    cards = kinds(d, CardKind.LIST)
    assert [c.question for c in cards] == [
        "Нулевая инициализация (Zero Initialization): назовите преимущества.",
        "Нулевая инициализация (Zero Initialization): назовите недостатки.",
        "Нулевая инициализация (Zero Initialization): когда применяется?",
    ]
    assert cards[1].answer == "• Симметрия: все нейроны одинаковы.\n• Затухание: градиенты нулевые."
    assert [c.source.line for c in cards] == [5, 7, 10]
    assert kinds(d, CardKind.DEFINITION) == []  # the P.S. paragraph is not a definition


def test_known_label_with_inline_text(tmp_path: Path) -> None:
    d = deck(tmp_path, "# Topic\n\n- **Pros:** fast and simple\n- other\n")
    card = only(d, CardKind.LIST)
    assert (card.question, card.answer) == ("Topic: name the advantages.", "fast and simple")


def test_label_followed_by_a_paragraph(tmp_path: Path) -> None:
    d = deck(tmp_path, "# Topic\n\n### How it works\n\nIt slides a kernel.\n\nUnrelated text.\n")
    assert only(d, CardKind.LIST).answer == "It slides a kernel."


def test_bold_example_label_with_text_in_the_same_paragraph(tmp_path: Path) -> None:
    d = deck(tmp_path, "# Self Attention\n\n**Пример**:\nЕсли мы делаем $q_i \\cdot k_{i+1}$, то связь.\n")
    card = only(d, CardKind.LIST)
    assert card.question == "Self Attention: приведите пример."
    assert card.answer == "Если мы делаем qᵢ · kᵢ₊₁, то связь."


def test_subject_heading_directly_followed_by_a_plain_list(tmp_path: Path) -> None:
    d = deck(tmp_path, "# Backprop\n\n## Remedies for vanishing gradients\n\n- ReLU\n- Residuals\n")
    card = only(d, CardKind.LIST)
    assert card.question == "Backprop: Remedies for vanishing gradients?"
    assert card.answer == "• ReLU\n• Residuals"


def test_unknown_bold_line_without_a_list_is_just_text(tmp_path: Path) -> None:
    d = deck(tmp_path, "# Topic\n\nThe definition.\n\n**Note**\n\nMore text.\n")
    assert [c.kind for c in d.cards] == [CardKind.DEFINITION]


# -- notes: formulas ------------------------------------------------------------------------------


def test_bold_formula_label_with_no_blank_line_before_the_formula(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Градиентный спуск

        Определение.

        **Формула:**
        Пусть $L(w)$ - функция потерь:
        $\\nabla L(w) = \\left( \\frac{\\partial L}{\\partial w_1}, \\ldots \\right)$

        Обновление:
        $w := w - \\alpha \\nabla L(w)$

        Где $\\alpha$ - скорость обучения.

        # Next
        """,
    )
    card = only(d, CardKind.FORMULA)
    assert card.question == "Формула: Градиентный спуск?"
    assert card.answer == (
        "Пусть L(w) - функция потерь:\n∇L(w) = (∂L/∂w₁, …)\n\nОбновление:\nw := w − α∇L(w)\n\nГде α - скорость обучения."
    )
    assert card.source.line == 5


@pytest.mark.parametrize(
    "label", ["### **Формула**", "### Formula", "**Formula:**", "**Математическая формула**:", "Formula:"]
)
def test_formula_label_variants(tmp_path: Path, label: str) -> None:
    d = deck(tmp_path, f"# Linear\n\n{label}\n\nThe output is\n$y=Wx+b$\nwith $*W*$ of size $*m×n*$.\n")
    card = only(d, CardKind.FORMULA)
    # a long Russian label makes the deck Russian: its phrasing follows
    assert card.question in ("Write the formula for linear.", "Формула: Linear?")
    assert card.answer == "The output is\ny = Wx + b\nwith W of size m × n."


def test_formula_label_without_any_formula_makes_no_card(tmp_path: Path) -> None:
    d = deck(tmp_path, "# Linear\n\n**Formula:**\nNo formula here.\n")
    assert kinds(d, CardKind.FORMULA) == []


def test_unlabelled_formula_lines_after_a_definition(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Conv

        ### Размер выхода свёртки

        Размер выхода зависит от ядра.

        Для входа $H_{\\text{in}}$ размер такой:

        $H_{\\text{out}} = \\left\\lfloor \\frac{H_{\\text{in}} - M + 2P}{S} \\right\\rfloor + 1$

        Здесь $\\left\\lfloor \\cdot \\right\\rfloor$ - округление вниз.
        """,
    )
    card = only(d, CardKind.FORMULA)
    assert card.question == "Формула: Размер выхода свёртки?"
    assert card.answer == "Для входа H_in размер такой:\n\nH_out = ⌊(H_in − M + 2P)/S⌋ + 1\n\nЗдесь ⌊·⌋ - округление вниз."
    assert only(d, CardKind.DEFINITION).question == "Что такое размер выхода свёртки?"


def test_inline_formulas_in_prose_make_no_formula_card(tmp_path: Path) -> None:
    d = deck(tmp_path, "# Conv\n\nDefinition.\n\nThe count is $(M N C + 1) C_{out}$ in general.\n")
    assert kinds(d, CardKind.FORMULA) == []


def test_definition_ending_with_colon_shows_the_formula_that_follows(tmp_path: Path) -> None:
    d = deck(tmp_path, "# He\n\nStd is computed as follows:\n\n$\\sigma = \\sqrt{\\frac{2}{n}}$\n")
    assert only(d, CardKind.DEFINITION).answer == "Std is computed as follows:\nσ = √(2/n)"
    assert only(d, CardKind.FORMULA).answer == "σ = √(2/n)"


# -- explicit cards -------------------------------------------------------------------------------


def test_q_and_a(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Conv

        Q: What is the output size for
        $I = 32$, $K = 5$? {#conv-out}
        A: $\\lfloor (32 - 5)/1 \\rfloor + 1 = 28$,
        so **28×28**.
        Why: LeNet's first layer.
        """,
    )
    card = only(d, CardKind.QA)
    assert card.id == "conv-out"
    assert card.question == "What is the output size for I = 32, K = 5?"
    assert card.answer == "⌊(32 − 5)/1⌋ + 1 = 28, so 28×28."
    assert card.note == "LeNet's first layer."
    assert card.source.line == 3


def test_several_q_a_in_one_paragraph_and_answer_in_the_next(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        Q: One?
        A: 1
        Q: Two?
        A: 2
        Q: Three?

        A: 3

        Why: counting.
        """,
    )
    cards = kinds(d, CardKind.QA)
    assert [(c.question, c.answer, c.source.line) for c in cards] == [("One?", "1", 1), ("Two?", "2", 3), ("Three?", "3", 5)]
    assert cards[2].note == "counting."


def test_q_prefix_spellings_still_read(tmp_path: Path) -> None:
    """The prefix is still read with spaces or a full-width colon before the text (only "::" is not one)."""
    d = deck(tmp_path, "Q : Why? \nA： because\n")
    assert (only(d, CardKind.QA).question, only(d, CardKind.QA).answer) == ("Why?", "because")


def test_answer_as_a_list(tmp_path: Path) -> None:
    d = deck(tmp_path, "Q: Name two remedies.\nA:\n- ReLU\n- residual connections\n")
    assert only(d, CardKind.QA).answer == "• ReLU\n• residual connections"


@pytest.mark.parametrize(
    ("line", "question", "answer", "cid"),
    [
        ("Stride? :: The step {#conv-stride}", "Stride?", "The step", "conv-stride"),
        ("Stride?::The step", "Stride?", "The step", None),
        ("What is $a::b$ here? :: `x::y` code", "What is a :: b here?", "x::y code", None),
        ("tanh′(z)? :: $1 - \\tanh^2(z)$", "tanh′(z)?", "1 − tanh²(z)", None),
        # a one-letter question that is also a Q:/A: prefix is still a Question :: Answer card
        ("q :: a", "q", "a", None),
        ("A :: the answer", "A", "the answer", None),
        ("Q::A", "Q", "A", None),
    ],
)
def test_double_colon_cards(tmp_path: Path, line: str, question: str, answer: str, cid: str | None) -> None:
    d = deck(tmp_path, f"# T\n\n{line}\n")
    card = only(d, CardKind.QA)
    assert (card.question, card.answer) == (question, answer)
    if cid:
        assert card.id == cid
    else:
        assert card.id == card_id(d.id, question)


def test_double_colon_list_items(tmp_path: Path) -> None:
    d = deck(tmp_path, "# T\n\n- Stride :: the step\n- Padding :: the border\n")
    assert [(c.question, c.answer) for c in kinds(d, CardKind.QA)] == [("Stride", "the step"), ("Padding", "the border")]


def test_multiple_choice_with_q_line_and_lazy_why(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Conv

        Q: Output of a 7×7 stride-2 pad-3 conv on 224×224? {#stem}
        - [ ] 109×109
        - [x] 112×112
        - [ ] 224×224
        Why: $\\lfloor (224 + 6 - 7)/2 \\rfloor + 1 = 112$.
        """,
    )
    card = only(d, CardKind.MCQ)
    assert card.id == "stem"
    assert card.question == "Output of a 7×7 stride-2 pad-3 conv on 224×224?"
    assert card.options == ("109×109", "112×112", "224×224")
    assert card.correct == 1
    assert card.answer == "112×112"
    assert card.note == "⌊(224 + 6 − 7)/2⌋ + 1 = 112."


def test_multiple_choice_from_a_question_paragraph_and_why_paragraph(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        Which init suits **ReLU**?

        - [x] He
        - [ ] Xavier

        Why: it keeps the variance.
        """,
    )
    card = only(d, CardKind.MCQ)
    assert (card.question, card.options, card.correct, card.note) == ("Which init suits ReLU?", ("He", "Xavier"), 0, "it keeps the variance.")
    assert kinds(d, CardKind.DEFINITION) == []


def test_cloze_one_card_per_number(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # Init

        He init uses std {{c1::$\\sqrt{\\frac{2}{n}}$}} and Xavier {{c2::$\\sqrt{\\frac{2}{n_{in} + n_{out}}}$::a formula}}, both {{c1::for weights}}. {#init-std}
        """,
    )
    c1, c2 = kinds(d, CardKind.CLOZE)
    assert c1.question == "He init uses std […] and Xavier √(2/(n_in + n_out)), both […]."
    assert c1.answer == "√(2/n); for weights"
    assert c2.question == "He init uses std √(2/n) and Xavier [a formula], both for weights."
    assert c2.answer == "√(2/(n_in + n_out))"
    assert (c1.id, c2.id) == ("init-std-c1", "init-std-c2")
    # both cards keep the whole paragraph with its deletions, for formats with real cloze notes (Anki)
    assert c1.cloze == c2.cloze == (
        "He init uses std {{c1::√(2/n)}} and Xavier {{c2::√(2/(n_in + n_out))::a formula}}, both {{c1::for weights}}."
    )


def test_card_text_has_no_markup_left(tmp_path: Path) -> None:
    d = deck(
        tmp_path,
        """
        # **Topic**

        A **bold** definition with $\\frac{a}{b}$ and [a link](http://x) and `code`.

        Q: *What* is $\\alpha$?
        A: __Alpha__ is $\\alpha$.
        """,
    )
    for card in d.cards:
        for text in (card.question, card.answer):
            assert "**" not in text and "$" not in text and "\\" not in text and "__" not in text and "](" not in text


# -- ids ------------------------------------------------------------------------------------------


def _independent_id(deck_id: str, question: str) -> str:
    folded = "".join(c for c in question.casefold() if not unicodedata.category(c).startswith("P"))
    return f"{deck_id}:{hashlib.sha1(' '.join(folded.split()).encode()).hexdigest()[:10]}"


def test_auto_id_is_a_hash_of_deck_and_normalised_question(tmp_path: Path) -> None:
    d = deck(tmp_path, "# T\n\nQ: What  is STRIDE?\nA: The step.\n", name="conv.md")
    card = only(d, CardKind.QA)
    assert card.id == _independent_id("conv", "what is stride")
    assert card.id == card_id("conv", "What is stride")  # case, spacing and punctuation do not count


def test_ids_are_stable_when_another_card_changes(tmp_path: Path) -> None:
    template = """
    # Topic

    Definition {}.

    ### Advantages

    - {}

    Q: First question?
    A: {}

    Second? :: answer

    Cloze {{{{c1::hidden}}}} text.

    Which one?
    - [x] a
    - [ ] b
    """
    before = deck(tmp_path, template.format("one", "fast", "x"), name="a/deck.md")
    after = deck(tmp_path, "\n\n" + template.format("two, edited", "faster", "changed"), name="b/deck.md")
    assert [c.id for c in before.cards] == [c.id for c in after.cards]
    assert len({c.id for c in before.cards}) == len(before.cards)


def test_explicit_id_wins_and_deck_id_comes_from_front_matter(tmp_path: Path) -> None:
    d = deck(tmp_path, "---\nid: convolution\n---\nQ: Stride? {#conv-stride}\nA: step\n\nQ: Padding?\nA: border\n")
    assert d.id == "convolution"
    assert d.cards[0].id == "conv-stride"
    assert d.cards[1].id.startswith("convolution:") and len(d.cards[1].id.split(":")[1]) == 10


def test_repeated_question_gets_a_suffix_and_a_warning(tmp_path: Path) -> None:
    d = deck(tmp_path, "Q: Same?\nA: 1\n\nQ: Same?\nA: 2\n")
    first, second = d.cards
    assert second.id == first.id + "-2"
    assert [(p.source.line, p.severity) for p in d.problems] == [(4, "warning")]


# -- problems -------------------------------------------------------------------------------------


def test_problems_at_the_right_lines_and_loading_goes_on(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        # Topic

        Q: No answer here

        Q: Empty answer?
        A:

        Q: None correct?
        - [ ] a
        - [ ] b

        Q: Two correct?
        - [x] a
        - [x] b

        Q: Only one option?
        - [x] a

        Broken {{c1::cloze without end.

        Q: Fine?
        A: yes
        """,
    )
    d = load_deck(path)
    assert messages(d) == [
        f"{path}:3: 'Q:' without an 'A:' answer",
        f"{path}:6: empty answer for 'Empty answer?'",
        f"{path}:8: multiple choice with no option marked '[x]'",
        f"{path}:12: multiple choice with 2 options marked '[x]'; mark exactly one",
        f"{path}:16: multiple choice needs at least one wrong option '[ ]'",
        f"{path}:19: cloze deletion '{{{{c1::' is not closed with '}}}}'",
    ]
    assert [c.question for c in d.cards] == ["Fine?"]


def test_duplicate_explicit_ids_within_a_deck_and_across_the_bank(tmp_path: Path) -> None:
    a = write(tmp_path, "Q: One? {#dup}\nA: 1\n\nQ: Two? {#dup}\nA: 2\n", name="a.md")
    b = write(tmp_path, "Q: Three? {#dup}\nA: 3\n", name="b.md")
    d = load_deck(a)
    assert messages(d) == [f"{a}:4: duplicate id 'dup' (first at {a}:1)"]
    assert [c.question for c in d.cards] == ["One?"]
    bank = load_bank([tmp_path], bundled=False)
    assert [str(p) for p in bank.all_problems()] == [
        f"{a}:4: duplicate id 'dup' (first at {a}:1)",
        f"{b}:1: duplicate id 'dup' (first at {a}:1)",
    ]
    assert [c.question for c in bank.cards()] == ["One?"]


def test_front_matter_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "---\ntitle: T\nlanguage: fr\ncolour: red\n---\n# A\n\nText.\n")
    d = load_deck(path)
    assert [(p.source.line, p.severity) for p in d.problems] == [(3, "error"), (4, "warning")]
    assert "language must be one of en, ru" in d.problems[0].message
    bad = write(tmp_path, "---\ntitle: [unclosed\n---\n# A\n\nText.\n", name="bad.md")
    d = load_deck(bad)
    assert len(d.problems) == 1 and d.problems[0].message.startswith("front matter is not valid YAML")
    assert d.problems[0].source.line >= 2
    assert d.cards and d.cards[0].source.line == 6  # the body is still read, lines intact


def test_front_matter_fields(tmp_path: Path) -> None:
    d = deck(tmp_path, "---\nid: conv\ntitle: Convolutions\nlanguage: ru\ntags: [cnn, vision]\n---\n# Conv\n\nA conv layer.\n")
    assert (d.id, d.title, d.language, d.tags) == ("conv", "Convolutions", "ru", ("cnn", "vision"))
    assert only(d, CardKind.DEFINITION).question == "Что такое conv?"
    assert only(d, CardKind.DEFINITION).source.line == 9


def test_language_detection() -> None:
    assert detect_language("# Градиентный спуск\n\nМетод оптимизации $\\nabla L(w)$ for neural nets.") == "ru"
    assert detect_language("# Gradient descent\n\nAn optimiser that steps downhill (по-русски: спуск).") == "en"
    assert detect_language("$$\\frac{a}{b}$$") == "en"


def test_language_of_phrasing_follows_the_deck(tmp_path: Path) -> None:
    ru = deck(tmp_path, "# Свёртка\n\nСвёрточный слой применяет ядро.\n\n**Формула:**\n$y = x * k$\n", name="ru.md")
    en = deck(tmp_path, "# Convolution\n\nA layer that applies a kernel.\n\n**Formula:**\n$y = x * k$\n", name="en.md")
    assert [c.question for c in ru.cards] == ["Что такое свёртка?", "Формула: Свёртка?"]
    assert [c.question for c in en.cards] == ["What is convolution?", "Write the formula for convolution."]


# -- drill fences ---------------------------------------------------------------------------------

DRILL = """
# Convolutional layers

```drill
id: conv-out
solver: conv.output_size
params:
  size: [28, 32]
  kernel: [3]
  stride: [1]
  padding: [0, 1]
ask: "Input {size}, kernel {kernel}, stride {stride}, padding {padding}: output size?"
answer:
  form: integer
```

```drill
id: broken
solver: no.such_solver
params: {}
ask: "?"
answer: {form: integer}
```
"""


def test_drill_fences_become_templates_and_bad_ones_problems(tmp_path: Path) -> None:
    pytest.importorskip("quizapp.content.drill")
    path = write(tmp_path, DRILL)
    d = load_deck(path)
    assert [t.id for t in d.templates] == ["conv-out"]
    assert d.templates[0].topic == "Convolutional layers"
    assert d.templates[0].source.line == 3
    assert d.topics == ("Convolutional layers",)  # a topic with only a template counts
    assert len(d.problems) == 1
    assert d.problems[0].source.path == str(path) and d.problems[0].source.line in (17, 18, 19)


def test_drill_reader_failures_are_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drill = pytest.importorskip("quizapp.content.drill")
    path = write(tmp_path, "# T\n\nDefinition.\n\n```drill\nid: x\n```\n")

    def broken(text, *, source, deck, topic):
        raise RuntimeError("boom")

    monkeypatch.setattr(drill, "parse_template", broken)
    d = load_deck(path)
    assert messages(d) == [f"{path}:5: drill template could not be read: boom"]
    assert [c.kind for c in d.cards] == [CardKind.DEFINITION]
    monkeypatch.setitem(sys.modules, "quizapp.content.drill", None)  # drill support missing
    d = load_deck(path)
    assert len(d.problems) == 1 and d.problems[0].message.startswith("drill templates are unavailable")


def test_ordered_lists_keep_their_numbers(tmp_path: Path) -> None:
    d = deck(tmp_path, "# T\n\n### Key ideas\n\n3. third\n4. fourth\n   - detail\n")
    assert only(d, CardKind.LIST).answer == "3. third\n4. fourth\n  ◦ detail"


# -- banks ----------------------------------------------------------------------------------------


def test_load_bank_folders_files_and_missing_paths(tmp_path: Path) -> None:
    write(tmp_path, "# B\n\nB text.\n", name="notes/b.md")
    write(tmp_path, "# A\n\nA text.\n", name="notes/sub/a.md")
    write(tmp_path, "not a deck", name="notes/README.md")
    write(tmp_path, "ignored", name="notes/.hidden/x.md")
    seed = write(tmp_path, "# Seed\n\nSeed text.\n", name="seed.txt")
    missing = tmp_path / "nope"
    bank = load_bank([tmp_path / "notes", seed, missing, tmp_path / "notes" / "b.md"], bundled=False)
    assert [d.id for d in bank.decks] == ["b", "a", "seed"]
    assert [str(p) for p in bank.problems] == [f"{missing}: no such file or folder"]


def test_load_bank_adds_the_bundled_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = tmp_path / "bundled"
    write(bundled, "# Shipped\n\nShipped text.\n", name="shipped.md")
    write(tmp_path, "# Mine\n\nMine text.\n", name="mine/mine.md")
    monkeypatch.setattr("quizapp.paths.bundled_content_dir", lambda: bundled)
    assert [d.id for d in load_bank([tmp_path / "mine"]).decks] == ["shipped", "mine"]
    assert [d.id for d in load_bank([tmp_path / "mine"], bundled=False).decks] == ["mine"]


def test_unreadable_files_are_problems_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "latin1.md").write_bytes("# T\n\ncaf\xe9\n".encode("latin-1"))
    d = load_deck(tmp_path / "latin1.md")
    assert messages(d) == [f"{tmp_path / 'latin1.md'}:3: is not UTF-8 text"]
    assert messages(load_deck(tmp_path / "absent.md")) == [f"{tmp_path / 'absent.md'}: no such file or folder"]


MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            "# ", "## ", "### ", "**", "*", "_", "- ", "    - ", "1. ", "- [x] ", "- [ ] ", "Q: ", "A: ", "Why: ", " :: ",
            "{{c1::", "}}", "{#id}", "$", "$$", "\\frac{", "}", "```drill\n", "```\n", "---\n", "Formula:", "**Pros:**",
            "Преимущества", "text", "?", ":", "\n", "\n\n", "> ", "![i](u)", "| a |", "    ",
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWNISH)
def test_any_text_loads_without_crashing(text: str) -> None:
    d = parse_deck(text, Path("fuzz.md"))
    assert isinstance(d, Deck)
    for card in d.cards:
        assert card.question.strip() and card.answer.strip()
        assert card.source.line >= 1
    for problem in d.problems:
        assert not problem.message.startswith("could not be read")


def test_loader_imports_no_ui_or_heavy_maths(tmp_path: Path) -> None:
    path = write(tmp_path, "# T\n\nA definition with $\\frac{a}{b}$.\n\nQ: q?\nA: a\n")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from quizapp.content.loader import load_deck\n"
        f"d = load_deck(Path({str(path)!r}))\n"
        "assert len(d.cards) == 2, d\n"
        "bad = [m for m in ('textual', 'rich', 'sympy', 'numpy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("heading", "question"),
    [
        ("Saddle point", "What is a saddle point?"),
        ("Convolutional layer", "What is a convolutional layer?"),
        ("Learning rate", "What is the learning rate?"),
        ("Output size of a convolution", "What is the output size of a convolution?"),
        ("Multiply-accumulate count (MACs)", "What is the multiply-accumulate count (MACs)?"),
        ("Convolution", "What is convolution?"),  # a method, not one thing of a kind
        ("Attention masking", "What is attention masking?"),
        ("Gradient descent", "What is gradient descent?"),
        ("ReLU", "What is ReLU?"),
        ("PyTorch's default initialisation", "What is PyTorch's default initialisation?"),
        ("He initialisation", "What is He initialisation?"),
        ("Xavier (Glorot) initialisation", "What is Xavier (Glorot) initialisation?"),
        ("Self Attention", "What is Self Attention?"),
        ("1×1 convolution", "What is a 1×1 convolution?"),
        ("Input layer", "What is an input layer?"),
    ],
)
def test_definition_question_lowers_the_heading_capital_only_where_it_reads_better(tmp_path, heading, question):
    deck = tmp_path / "d.md"
    deck.write_text(f"# {heading}\n\nA thing that does something useful.\n", encoding="utf-8")
    cards = load_deck(deck).cards
    assert [c.question for c in cards if c.kind == CardKind.DEFINITION] == [question]


@pytest.mark.parametrize("text", ["**Pros:****", "**Pros:** **", "### Advantages\n\n- **\n"])
def test_a_label_with_only_markup_after_it_makes_no_empty_card(text: str) -> None:
    # found by the fuzz test above: '**Pros:****' made a list card with an empty answer
    d = parse_deck(text, Path("fuzz.md"))
    assert all(c.answer.strip() for c in d.cards)


def test_rewording_a_generated_question_keeps_its_id(tmp_path: Path) -> None:
    # ids hash the first wording ("What is saddle point?", "Formula: Saddle point?", "Topic: Kinds of mask?"),
    # so the article and the list question added later do not move anyone's progress
    d = deck(
        tmp_path,
        "# Saddle point\n\nA point where the gradient is zero but that is no minimum.\n\n"
        "**Formula:**\n$\\nabla f = 0$\n\n**Kinds of saddle:**\n\n- monkey\n- plain\n",
    )
    by_kind = {c.kind: c for c in d.cards}
    assert by_kind[CardKind.DEFINITION].question == "What is a saddle point?"
    assert by_kind[CardKind.DEFINITION].id == card_id("deck", "What is saddle point?")
    assert by_kind[CardKind.FORMULA].question == "Write the formula for a saddle point."
    assert by_kind[CardKind.FORMULA].id == card_id("deck", "Formula: Saddle point?")
    assert by_kind[CardKind.LIST].question == "Saddle point: what are the kinds of saddle?"
    assert by_kind[CardKind.LIST].id == card_id("deck", "Saddle point: Kinds of saddle?")
