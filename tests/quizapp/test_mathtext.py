"""LaTeX -> Unicode and markdown -> terminal text: hand-made tables, the seed notes' formulas, fuzzing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.content.mathtext import normalise, render_formulas, render_math, render_text, strip_leaked_asterisks

SEED = Path(__file__).parents[2].parent / "shared" / "seeds" / "000_2ab21f5904ecc508.txt"

MATH = [
    # the brief's examples
    (r"\sqrt{\frac{2}{n}}", "√(2/n)"),
    (r"\frac{a+b}{c}", "(a + b)/c"),
    (r"\lfloor x \rfloor", "⌊x⌋"),
    ("x_i", "xᵢ"),
    ("x^2", "x²"),
    ("w_{ij}", "w_ij"),
    (r"\text{in}", "in"),
    (r"\mathrm{d}x", "dx"),
    (r"\operatorname{softmax}(z)", "softmax(z)"),
    (r"x^\top", "xᵀ"),
    (r"A^{\top} B", "Aᵀ B"),
    (r"\top", "ᵀ"),
    ("W^T", "Wᵀ"),
    (r"x \in \mathbb{R}", "x ∈ ℝ"),
    (r"x \in \mathbb{R}^{n}", "x ∈ ℝⁿ"),
    (r"\alpha \nabla L(w)", "α∇L(w)"),
    (r"\left( a, b \right)", "(a, b)"),
    (r"a \cdot b \times c", "a · b × c"),
    (r"1, 2, \ldots, n", "1, 2, …, n"),
    (r"\partial L", "∂L"),
    (r"\sum_i x_i", "∑ᵢ xᵢ"),
    # fractions: parentheses only where the linear form would be misread
    (r"\frac{1}{2}", "1/2"),
    (r"\frac12", "1/2"),
    (r"\frac{-b}{2a}", "−b/(2a)"),
    (r"\frac{\partial L}{\partial w_{ij}}", "∂L/∂w_ij"),
    (r"\frac{QK^T}{\sqrt{d_k}}", "QKᵀ/√dₖ"),
    (r"\frac{1}{\sqrt{2\pi}}", "1/√(2π)"),
    (r"\frac{\log x}{2}", "(log x)/2"),
    (r"\sigma(z) = \frac{1}{1+e^{-z}}", "σ(z) = 1/(1 + e⁻ᶻ)"),
    (r"\frac{-b \pm \sqrt{b^2 - 4ac}}{2a}", "(−b ± √(b² − 4ac))/(2a)"),
    # roots
    (r"\sqrt{M}", "√M"),
    (r"\sqrt{x^2 + y^2}", "√(x² + y²)"),
    (r"\sqrt[3]{x}", "∛x"),
    # scripts: Unicode when every character has a form and at most one is a letter
    ("x_{i+1}", "xᵢ₊₁"),
    ("k_{i+1}", "kᵢ₊₁"),
    ("e^{-x}", "e⁻ˣ"),
    ("W^{(l)}", "W⁽ˡ⁾"),
    ("x^{-1}", "x⁻¹"),
    ("z_j", "z_j"),  # ⱼ is missing from many terminal fonts
    (r"C_{\text{in}}", "C_in"),
    ("O_{i,j}", "O_(i,j)"),
    ("e^{-x^2}", "e^(−x²)"),
    (r"\|x\|_2^2", "‖x‖₂²"),
    ("x^*", "x*"),
    # relations, unary minus, spacing
    ("y=Wx+b", "y = Wx + b"),
    ("w := w - a", "w := w − a"),
    ("-x + 3", "−x + 3"),
    (r"x \leq 5, \; y \ne 0", "x ≤ 5, y ≠ 0"),
    (r"v \leftarrow \beta v + g", "v ← βv + g"),
    (r"f\colon X \to Y", "f: X → Y"),
    ("f'(x)", "f′(x)"),
    (r"\left\lfloor \cdot \right\rfloor", "⌊·⌋"),
    (r"\left. x \right|", "x|"),
    # environments and other macros
    (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", "[[1, 2], [3, 4]]"),
    (r"\binom{n}{k}", "C(n, k)"),
    (r"\hat{y}", "ŷ"),
    (r"\mathcal{L}(\theta)", "ℒ(θ)"),
    (r"\mathbf{x}", "x"),
    (r"\operatorname*{arg\,max}_\theta p", "argmax_θ p"),
    (r"\text{Attention}(Q,K,V) = \text{softmax}\left(\frac{QK^T}{\sqrt{d_k}}\right)V", "Attention(Q, K, V) = softmax(QKᵀ/√dₖ)V"),
    (r"\ss", "ß"),  # not in our tables: pylatexenc's
    # the seed notes' formulas
    (
        r"\nabla L(w) = \left( \frac{\partial L}{\partial w_1}, \frac{\partial L}{\partial w_2}, \ldots, \frac{\partial L}{\partial w_n} \right)",
        "∇L(w) = (∂L/∂w₁, ∂L/∂w₂, …, ∂L/∂wₙ)",
    ),
    (r"w := w - \alpha \nabla L(w)", "w := w − α∇L(w)"),
    (
        r"*\frac{\partial L}{\partial w_{ij}} = \frac{\partial L}{\partial z_{j}} \cdot \frac{\partial z_{j}}{\partial w_{ij}}*",
        "∂L/∂w_ij = ∂L/∂z_j · ∂z_j/∂w_ij",
    ),
    ("*m×n*", "m × n"),
    (
        r"H_{\text{out}} = \left\lfloor \frac{H_{\text{in}} - M + 2P}{S} \right\rfloor + 1",
        "H_out = ⌊(H_in − M + 2P)/S⌋ + 1",
    ),
    (r"(M \times N \times C_{\text{in}} + 1) \times C_{\text{out}}", "(M × N × C_in + 1) × C_out"),
    (r"\text{stddev} = \sqrt{\frac{2}{n}}", "stddev = √(2/n)"),
    ("C=∑_iα_i⋅X_i", "C = ∑ᵢ αᵢ · Xᵢ"),
    (r"a = \frac{a}{\sqrt{M}}", "a = a/√M"),
    (r"\left( 14.3, 94.32, \dots, 1.1 \right)", "(14.3, 94.32, …, 1.1)"),
    (r"O_{i,j} = \sum_{m=0}^{M-1} I_{(i+m),(j+n)} \cdot K_{m,n} + b", "O_(i,j) = ∑ₘ₌₀ᴹ⁻¹ I_((i+m),(j+n)) · K_(m,n) + b"),
]


@pytest.mark.parametrize(("latex", "expected"), MATH)
def test_render_math_table(latex: str, expected: str) -> None:
    assert render_math(latex) == expected


TEXT = [
    ("**bold** and *em* and _em_", "bold and em and em"),
    ("***both***", "both"),
    ("**a *b* c**", "a b c"),
    ("fan_in and fan_out stay", "fan_in and fan_out stay"),
    ("`code **kept** $x$`", "code **kept** $x$"),
    ("[the docs](https://example.com/a_(b)) say", "the docs say"),
    ("![alt text](img.png)", "alt text"),
    ("<https://example.com>", "https://example.com"),
    ("Пусть *x* - вектор $*m×n*$", "Пусть x - вектор m × n"),
    ("costs $5 and $10", "costs $5 and $10"),
    (r"an escaped \$ and \* star", "an escaped $ and * star"),
    ("~~gone~~ strike", "gone strike"),
    ("$$\\frac{a}{b}$$", "a/b"),
    ("a $x_i$-word", "a xᵢ-word"),
    ("two\nlines  kept", "two\nlines kept"),
    ("stray ** pair", "stray pair"),
    ("*$x$*", "x"),
    ("2 * 3 * 4", "2 * 3 * 4"),
]


@pytest.mark.parametrize(("markdown", "expected"), TEXT)
def test_render_text_table(markdown: str, expected: str) -> None:
    assert render_text(markdown) == expected


def test_render_formulas_leaves_everything_else_alone() -> None:
    assert render_formulas("f = (w - 3)**2 so $f'(w) = 2(w - 3)$ and 2*3*4, costs $5") == "f = (w - 3)**2 so f′(w) = 2(w − 3) and 2*3*4, costs $5"
    assert render_formulas("$$\\frac{a}{b}$$ and $$ open") == "a/b and $$ open"


def test_leaked_asterisks_only_when_both_sides() -> None:
    assert strip_leaked_asterisks("*m×n*") == "m×n"
    assert strip_leaked_asterisks("**z_i**") == "z_i"
    assert strip_leaked_asterisks("x^*") == "x^*"
    assert strip_leaked_asterisks("**") == "**"


def test_normalise_drops_case_punctuation_and_spacing() -> None:
    assert normalise("  What IS   stride?! ") == "what is stride"
    assert normalise("What is $\\alpha$?") == "what is α"


def _seed_formulas() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    return [a or b for a, b in re.findall(r"\$\$(.+?)\$\$|\$([^$\n]+)\$", text)]


@pytest.mark.skipif(not SEED.exists(), reason="seed notes not present")
def test_every_seed_formula_renders_without_latex_left() -> None:
    formulas = _seed_formulas()
    assert len(formulas) > 60
    for latex in formulas:
        out = render_math(latex)
        assert out.strip(), latex
        for raw in ("\\", "{", "}", "$", "*"):
            assert raw not in out, (latex, out)


@pytest.mark.skipif(not SEED.exists(), reason="seed notes not present")
def test_every_seed_line_renders_without_markup_left() -> None:
    for line in SEED.read_text(encoding="utf-8").splitlines():
        out = render_text(line)
        assert "\\" not in out and "**" not in out and "$" not in out, (line, out)


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_frac_of_numbers_is_a_plain_division(a: int, b: int) -> None:
    assert render_math(rf"\frac{{{a}}}{{{b}}}") == f"{a}/{b}"


@given(st.text(alphabet="0123456789", min_size=1, max_size=6))
def test_digit_superscripts_and_subscripts(digits: str) -> None:
    # Independent mapping: the Unicode superscript/subscript digit blocks.
    sup = digits.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    sub = digits.translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    assert render_math(f"x^{{{digits}}}") == "x" + sup
    assert render_math(f"x_{{{digits}}}") == "x" + sub


@given(st.from_regex(r"[a-zA-Z]{1,12}", fullmatch=True))
def test_plain_letters_are_left_alone(word: str) -> None:
    assert render_math(word) == word


_PIECES = [*"\\{}[]_^$*&%#~ ab12+-=()|.,'", "\\frac", "\\sqrt", "\\left", "\\right", "\\begin{pmatrix}", "\\end{pmatrix}"]
_PIECES += ["\\text", "\\\\", "\\not", "\\mathbb", "\\hat", "\\begin{cases}", "\\operatorname", "\\sum", "\\alpha"]
LATEXISH = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=80), LATEXISH))
def test_render_math_never_raises(latex: str) -> None:
    assert isinstance(render_math(latex), str)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=80), st.lists(st.sampled_from([*"*_`$[]()!<>\\~ ab\n", "**", "$$", "](", "\\frac{", "{{c1::"]), max_size=40).map("".join)))
def test_render_text_never_raises(text: str) -> None:
    assert isinstance(render_text(text), str)


def test_deep_nesting_falls_back_to_the_raw_text() -> None:
    latex = "{" * 2000 + "x" + "}" * 2000
    assert render_math(latex) == latex


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=60), LATEXISH))
def test_render_formulas_never_raises_and_keeps_dollar_free_text(text: str) -> None:
    out = render_formulas(text)
    if "$" not in text:
        assert out == text


def test_indices_in_brackets_are_not_taken_for_reference_links():
    assert render_text("∂L/∂W2[0][0] and W[i][j]") == "∂L/∂W2[0][0] and W[i][j]"
    assert render_text("see [the docs](https://example.org)") == "see the docs"


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_normalise_drops_the_same_ascii_punctuation_as_unicode_categories_say(text):
    """Card ids hash normalise(); its ASCII table must drop exactly the characters of category P*."""
    import unicodedata

    from quizapp.content.mathtext import normalise, render_text

    folded = render_text(text).casefold()
    by_category = "".join(c for c in folded if not unicodedata.category(c).startswith("P"))
    assert normalise(text) == " ".join(by_category.split())


@given(st.text(alphabet="ab cd\n\t.,;:?()-'\"0123456789", max_size=80))
def test_plain_text_renders_as_its_words_with_markup_or_without(text):
    """Text with no markup character takes render_text's short path; adding a no-op markup character
    (an escaped full stop at the end) sends it down the long path, and the words are the same."""
    from quizapp.content.mathtext import render_text

    assert render_text(text + "\\.") == render_text(text + ".")


# ---------------------------------------------------------------- formulas kept with their source (MathJax)


@pytest.mark.parametrize(
    ("markdown", "mathjax"),
    [
        ("a $x^2$ and $$y < 1$$ end", r"a \(x^2\) and \[y < 1\] end"),
        (r"**He:** $\sigma = \sqrt{2/n}$", r"He: \(\sigma = \sqrt{2/n}\)"),
        ("$*m×n*$ leaked emphasis", r"\(m×n\) leaked emphasis"),  # as render_math reads it
        ("$x\n+ y$ over two lines", r"\(x + y\) over two lines"),  # MathJax source on one line
        (r"$\phantom{x}$ renders to nothing", "renders to nothing"),  # no empty \(\) left behind
        (r"$\begin{aligned} a &= b \\ c &= d \end{aligned}$", "a = b\nc = d"),  # lines: kept as Unicode
        ("cost $5 and $10", "cost $5 and $10"),
        ("`$x$` as code", "$x$ as code"),
        ("no formula at all", "no formula at all"),
    ],
)
def test_formulas_keep_their_source_for_mathjax(markdown, mathjax):
    from quizapp.content.mathtext import has_formulas, mathjax_text, terminal_text

    kept = render_text(markdown, keep_source=True)
    assert mathjax_text(kept) == mathjax
    assert terminal_text(kept) == render_text(markdown)
    assert has_formulas(kept) == ("\\(" in mathjax or "\\[" in mathjax)


def test_marks_typed_into_a_deck_are_not_taken_for_formulas():
    """The private-use marks are the renderer's own: typed into the text they are dropped, never read."""
    from quizapp.content.mathtext import has_formulas, mathjax_text

    typed = "a \ue010fake\ue011shown\ue012 b \ue013"
    kept = render_text(typed, keep_source=True)
    assert not has_formulas(kept) and mathjax_text(kept) == kept == render_text(typed) == "a fakeshown b"


@settings(max_examples=400)
@given(st.text(alphabet="ab x_^{}\\$*`\n -+=<&()2", max_size=60))
def test_text_with_formula_sources_reads_back_as_the_terminal_text(text):
    """terminal_text(render_text(t, keep_source=True)) == render_text(t): the views and card ids do not change."""
    from quizapp.content.mathtext import terminal_text

    assert terminal_text(render_text(text, keep_source=True)) == render_text(text)
