"""Plain-terminal modes driven through StringIO and once through a real pipe."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.content.loader import load_bank
from quizapp.content.model import Bank
from quizapp.plain import print_topics, run_drill, run_quiz
from quizapp.session import DrillSession, build_quiz

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank([DATA / "small.md"], bundled=False)


def drill(bank, answers: str, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    options = {"topics": ["Convolutions"], "count": None, "seed": 5, "level": None, **kwargs}
    code = run_drill(bank, stdin=io.StringIO(answers), stdout=out, **options)
    return code, out.getvalue()


def first_instance(bank, seed=5, level=None, topics=("Convolutions",)):
    return DrillSession(bank.templates(list(topics)), seed=seed, level=level).next()


def test_right_answer(bank):
    inst = first_instance(bank)
    code, text = drill(bank, f"{inst.answer}\n", count=1)
    assert code == 0
    assert inst.question in text
    assert f"✓ correct: the answer is {inst.answer_text} (an exact integer)" in text
    assert f"you answered: {inst.answer}" in text
    assert "worked solution:" in text and inst.steps[-1] in text
    assert text.rstrip().endswith("score: 1/1 (100%)")


def test_wrong_answer_names_the_misconception(bank):
    # find a seed whose first drill has a misconception, then answer with it
    for seed in range(50):
        inst = first_instance(bank, seed=seed)
        if inst.misconceptions:
            break
    m = inst.misconceptions[0]
    code, text = drill(bank, f"{m.value}\n", count=1, seed=seed)
    assert code == 0
    assert f"✗ wrong: the answer is {inst.answer_text} (an exact integer)" in text
    assert f"that is the {m.name.replace('_', ' ')} mistake: {m.explanation}" in text
    assert text.rstrip().endswith("score: 0/1 (0%)")


def test_unreadable_answer_is_asked_again_and_not_counted(bank):
    inst = first_instance(bank)
    code, text = drill(bank, f"twelve\n{inst.answer}\n", count=1)
    assert code == 0
    assert "Could not read" in text and "(try again, or q to quit)" in text
    assert text.count(inst.question) == 1
    assert text.rstrip().endswith("score: 1/1 (100%)")


def test_an_empty_answer_is_i_dont_know_the_solution_shown_and_it_comes_back_with_new_numbers(bank):
    inst = first_instance(bank)
    code, text = drill(bank, "\n", count=1)
    assert code == 0
    assert f"? not known: the answer is {inst.answer_text} (an exact integer)" in text
    assert "worked solution:" in text and inst.steps[-1] in text
    assert "it comes back in 1 minute in this session" in text
    again = text.split("again, new numbers · ", 1)[1].splitlines()[1]
    assert again != inst.question  # asked ahead at the end, with other numbers
    assert text.rstrip().endswith("score: 0/1 (0%)")


def test_a_wrong_answer_gets_a_second_try_and_the_first_decides(bank):
    inst = first_instance(bank)
    code, text = drill(bank, f"{inst.answer + 1}\n{inst.answer}\n", count=1)
    assert code == 0
    assert "not right: one more try" in text
    assert f"✗ wrong (the second try: ✓ correct; the first try counts): the answer is {inst.answer_text}" in text
    assert text.rstrip().endswith("score: 0/1 (0%)")


def test_u_takes_back_the_last_answer_and_asks_it_again(bank, tmp_path):
    from quizapp.paths import database_path
    from quizapp.store import Store

    inst = first_instance(bank)
    code, text = drill(bank, f"{inst.answer}\nu\n{inst.answer}\n", count=2, data_dir=tmp_path)  # EOF at the second drill
    assert code == 0
    assert "undone: the last answer is taken back; here it is again" in text
    assert text.count(inst.question) == 2
    assert text.rstrip().endswith("score: 1/1 (100%)")
    with Store(database_path(tmp_path)) as store:
        assert [a.answer_text for a in store.attempts()] == [str(inst.answer)]


def test_eof_prints_the_score(bank):
    inst = first_instance(bank)
    code, text = drill(bank, f"{inst.answer}\n")  # endless drill, input ends after one answer
    assert code == 0
    assert text.rstrip().endswith("score: 1/1 (100%)")
    assert text.count("drill ") == 2  # the second drill was shown, then input ended


def test_q_quits_with_score(bank):
    code, text = drill(bank, "q\n")
    assert code == 0 and text.rstrip().endswith("score: no answers")


def test_hint(bank):
    inst = first_instance(bank)
    _, text = drill(bank, f"?\n{inst.answer}\n", count=1)
    assert "hint: O = ⌊(I − K + 2P)/S⌋ + 1" in text


def test_seed_printed_when_not_given(bank):
    _, text = drill(bank, "q\n", seed=None)
    m = re.search(r"^seed (\d+): rerun with --seed \1$", text, re.MULTILINE)
    assert m, text


def test_same_seed_same_drills(bank):
    assert drill(bank, "1\n2\n3\n", count=3) == drill(bank, "1\n2\n3\n", count=3)


def test_unknown_topic(bank, capsys):
    code, text = drill(bank, "", topics=["nothing-like-this"])
    assert code == 1 and text == ""
    assert capsys.readouterr().err == (
        "quizapp: no cards or drills match topic 'nothing-like-this'; topics: Convolutions, Attention, Linear layers\n"
    )


def test_a_topic_of_flashcards_only_has_no_drills(tmp_path, capsys):
    deck = tmp_path / "cards.md"
    deck.write_text("# Cards only\n\nQ: Stride?\nA: The step.\n", encoding="utf-8")
    code, text = drill(load_bank([deck], bundled=False), "", topics=["cards"])
    assert code == 1 and text == ""
    assert capsys.readouterr().err == "quizapp: no drill templates in topic 'cards', only flashcards (see `quizapp topics`)\n"


def test_ctrl_c_prints_score_and_returns_130(bank):
    inst = first_instance(bank)

    class Interrupting(io.StringIO):
        def readline(self, *args):
            line = super().readline(*args)
            if not line:
                raise KeyboardInterrupt
            return line

    out = io.StringIO()
    code = run_drill(bank, topics=["Convolutions"], count=None, seed=5, level=None, stdin=Interrupting(f"{inst.answer}\n"), stdout=out)
    assert code == 130
    assert out.getvalue().rstrip().endswith("score: 1/1 (100%)")


# ---------------------------------------------------------------- quiz


def quiz_answers(items) -> str:
    """Right answers for every item: Enter then 3 (Good) for flashcards, the number for MCQ, the value for drills."""
    lines = []
    for item in items:
        if item.kind == "drill":
            lines.append(item.drill.answer_text)
        elif item.kind == "mcq":
            lines.append(str(item.card.correct + 1))
        else:
            lines += ["", "3"]
    return "\n".join(lines) + "\n"


def test_quiz_all_right(bank):
    items = build_quiz(bank, count=6, seed=2)
    assert {i.kind for i in items} >= {"drill", "flashcard"}
    out = io.StringIO()
    code = run_quiz(bank, topics=None, count=6, seed=2, stdin=io.StringIO(quiz_answers(items)), stdout=out)
    text = out.getvalue()
    assert code == 0
    assert text.rstrip().endswith("score: 6/6 (100%)")
    for n, item in enumerate(items, start=1):
        assert f"question {n}/6 · {item.topic} · {item.kind}" in text


def test_quiz_flashcard_grades_and_mcq(bank):
    items = build_quiz(bank, topics=["Convolutions"], count=12, seed=4)
    lines = []
    for item in items:
        if item.kind == "drill":
            lines += ["-1", "-1"]  # wrong, and wrong again on the second try
        elif item.kind == "mcq":
            lines += ["9", str(item.card.correct + 1)]  # out of range: asked again
        else:
            lines += ["", "maybe", "n"]  # not a grade: asked again; n = Again
    out = io.StringIO()
    code = run_quiz(bank, topics=["Convolutions"], count=12, seed=4, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out)
    text = out.getvalue()
    n_mcq = sum(i.kind == "mcq" for i in items)
    assert code == 0
    assert n_mcq >= 1
    assert text.count("type a number from 1 to 3") == n_mcq
    assert "graded Again" in text
    assert text.rstrip().endswith(f"score: {n_mcq}/{len(items)} ({100 * n_mcq / len(items):.0f}%)")


def test_quiz_eof_mid_way(bank):
    out = io.StringIO()
    code = run_quiz(bank, topics=None, count=6, seed=2, stdin=io.StringIO(""), stdout=out)
    assert code == 0 and out.getvalue().rstrip().endswith("score: no answers")


def test_print_topics(bank):
    out = io.StringIO()
    assert print_topics(bank, stdout=out) == 0
    text = out.getvalue()
    assert "Small test deck (small" in text
    assert re.search(r"Convolutions\s+8 cards\s+1 drill\n", text)
    assert re.search(r"Attention\s+1 card\s+2 drills\n", text)
    assert re.search(r"Linear layers\s+1 card\s+1 drill\n", text)
    assert text.rstrip().endswith("1 deck, 10 cards, 4 drill templates")


# ---------------------------------------------------------------- a real pipe


def test_drill_through_a_real_pipe():
    env = {**os.environ, "PYTHONIOENCODING": ""}
    proc = subprocess.run(
        f"printf '16\\n' | {sys.executable} -m quizapp drill --plain --count 1 --seed 1 --topic conv",
        shell=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "(integer)" in proc.stdout or "significant" in proc.stdout
    assert re.search(r"^[✓✗~] ", proc.stdout, re.MULTILINE)
    assert proc.stdout.rstrip().splitlines()[-1].startswith("score: ")
    # the same seed asks the same question
    again = subprocess.run(
        f"printf '16\\n' | {sys.executable} -m quizapp drill --plain --count 1 --seed 1 --topic conv",
        shell=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert again.stdout == proc.stdout


# ---------------------------------------------------------------- a template that can make no drill

IMPOSSIBLE = """\
# Impossible

```drill
id: never-holds
solver: conv.output_size
params:
  size: [8, 16]
  kernel: [3]
where:
  - size < kernel
ask: "Input {size}, kernel {kernel}: output size?"
answer: {form: integer}
```
"""


@pytest.fixture
def impossible(tmp_path) -> Path:
    path = tmp_path / "impossible.md"
    path.write_text(IMPOSSIBLE, encoding="utf-8")
    return path


def test_drill_from_an_impossible_template_says_so_in_one_line(impossible, capsys):
    out = io.StringIO()
    code = run_drill(load_bank([impossible], bundled=False), topics=None, count=None, seed=1, level=None, stdin=io.StringIO(""), stdout=out)
    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("quizapp: no drill can be made from template 'never-holds' at level easy ")
    assert f"({impossible}:3: no parameters satisfy `where`" in err and "`quizapp check` shows why" in err
    assert out.getvalue().rstrip().endswith("score: no answers")


def test_the_cli_plain_drill_and_quiz_from_an_impossible_deck_exit_1_without_a_traceback(impossible):
    for command in ("drill", "quiz"):
        proc = subprocess.run(
            [sys.executable, "-m", "quizapp", "--no-bundled", "--content", str(impossible), command, "--plain", "--seed", "1"],
            input="",
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
        assert proc.returncode == 1, (command, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stderr.count("\n") == 1 and "'never-holds'" in proc.stderr, proc.stderr


def test_quiz_with_cards_and_an_impossible_template_names_it_and_goes_on(impossible, capsys):
    impossible.write_text(IMPOSSIBLE + "\nQ: Stride?\nA: The step.\n", encoding="utf-8")
    bank = load_bank([impossible], bundled=False)
    out = io.StringIO()
    code = run_quiz(bank, topics=None, count=3, seed=1, stdin=io.StringIO("\n3\n"), stdout=out)
    assert code == 0
    assert "'never-holds'" in capsys.readouterr().err
    assert "question 1/1 · Impossible · flashcard" in out.getvalue()
    assert out.getvalue().rstrip().endswith("score: 1/1 (100%)")


# ---------------------------------------------------------------- grades and wrapping


def test_quiz_self_grade_says_what_is_accepted(bank):
    items = build_quiz(bank, topics=["Convolutions"], count=12, seed=4)
    lines = []
    for item in items:
        if item.kind == "drill":
            lines.append(item.drill.answer_text)
        elif item.kind == "mcq":
            lines.append(str(item.card.correct + 1))
        else:
            lines += ["", "5", "good"]  # 5 is no grade: say what is; the word good is one
    out = io.StringIO()
    code = run_quiz(bank, topics=["Convolutions"], count=12, seed=4, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out)
    text = out.getvalue()
    n_cards = sum(i.kind == "flashcard" for i in items)
    assert code == 0 and n_cards >= 1
    assert text.count("type 1 Again, 2 Hard, 3 Good or 4 Easy") == n_cards
    assert text.count("graded Good") == n_cards
    assert text.rstrip().endswith(f"score: {len(items)}/{len(items)} (100%)")


class _TtyOut(io.StringIO):
    def isatty(self) -> bool:
        return True


LONG = """\
# Wrapping

Q: Why does a convolutional layer with a three by three kernel, stride one and padding one keep the spatial size of its input unchanged?
A: Because the padding adds exactly as many positions as the kernel takes away: O = I + 2P - K + 1 = I when P = (K - 1)/2.
"""


def test_plain_output_wraps_between_words_to_the_terminal_width(tmp_path, monkeypatch):
    deck = tmp_path / "long.md"
    deck.write_text(LONG, encoding="utf-8")
    monkeypatch.setattr("shutil.get_terminal_size", lambda *a, **k: os.terminal_size((41, 24)))
    out = _TtyOut()
    run_quiz(load_bank([deck], bundled=False), topics=None, count=1, seed=1, stdin=io.StringIO("\n3\n"), stdout=out)
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines() if not line.startswith(("how did you do?", "(Enter"))) <= 40
    card = load_bank([deck], bundled=False).cards()[0]
    # every word is whole on some line: joining the lines again gives the question and answer back
    flat = " ".join(text.split())
    assert " ".join(card.question.split()) in flat and " ".join(card.answer.split()) in flat
    assert "\n  " in text.split(card.question.split()[-1])[1]  # the answer's continuation keeps its indent


def test_plain_output_is_not_wrapped_in_a_pipe(tmp_path):
    deck = tmp_path / "long.md"
    deck.write_text(LONG, encoding="utf-8")
    out = io.StringIO()
    run_quiz(load_bank([deck], bundled=False), topics=None, count=1, seed=1, stdin=io.StringIO("\n3\n"), stdout=out)
    card = load_bank([deck], bundled=False).cards()[0]
    assert f"\n{card.question}\n" in out.getvalue()


@pytest.mark.parametrize("width", [10, 20, 33, 80])
def test_wrap_never_breaks_a_word_and_keeps_indents(width):
    from quizapp.plain import wrap

    text = "  that is the forgot floor mistake: the output size rounds down, a window that does not fit is not counted\n    O = ⌊(32 + 2·1 − 3) / 2⌋ + 1 = 16"
    wrapped = wrap(text, width)
    assert wrapped.split() == text.split()
    for line in wrapped.splitlines():
        assert len(line) <= width or " " not in line.strip()
        assert line.startswith("  ")
    assert wrap(text, None) == text


def test_the_readme_plain_example_is_answered_right():
    """README's `printf '16\\n' | quizapp drill --plain ...` types the right answer (content edits can
    change which question a seed asks: pick another seed, checking it by running the command)."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    [line] = [ln.strip() for ln in readme.splitlines() if ln.strip().startswith("$ printf ") and "--plain" in ln]
    command = line.removeprefix("$ ").replace("quizapp", f"{sys.executable} -m quizapp", 1)
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "✓ correct" in proc.stdout, f"README's plain example is not answered right:\n{proc.stdout}"


def test_wrong_answer_names_a_generic_slip(bank):
    inst = first_instance(bank)
    assert not any(m.value == inst.answer * 10 for m in inst.misconceptions)
    code, text = drill(bank, f"{inst.answer * 10}\n", count=1)
    assert code == 0
    assert "  likely slip: a factor of 10 too large: check the exponent" in text
    assert "mistake:" not in text
