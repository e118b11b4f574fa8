"""Provides `quizapp check`: every problem of a set of decks as ``file:line: message``, and an exit code.

Beyond what the loader reports, it looks for duplicate ids and empty answers across the bank, and
generates ``instances`` instances of every drill template at every level, so a template whose
``where`` no draw satisfies, or whose solver refuses its numbers, is caught before a user meets it.
Each generated instance is also checked against itself: its printed answer, typed back, must be
graded correct (so the precision printed and the tolerance agree).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from quizapp.content.model import Bank, ContentProblem, SourceRef

__all__ = ["check_bank", "run"]


def run(paths: list[Path], *, extra: list[Path], bundled: bool, instances: int = 200, out: TextIO | None = None) -> int:
    """Check ``paths`` (none: the shipped bank) plus ``extra``; print problems and a summary; 0 if clean, else 1."""
    from quizapp.content.loader import load_bank

    out = out if out is not None else sys.stdout
    if paths:
        bank = load_bank([*paths, *extra], bundled=False)
    else:
        bank = load_bank(list(extra), bundled=bundled)
    problems, generated = check_bank(bank, instances=instances)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for p in problems:
        label = "" if p.severity == "error" else f"{p.severity}: "
        out.write(f"{p.source}: {label}{p.message}\n")

    kinds = Counter(str(c.kind) for d in bank.decks for c in d.cards)
    n_cards = sum(kinds.values())
    by_kind = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    n_templates = sum(len(d.templates) for d in bank.decks)
    out.write(
        f"checked {len(bank.decks)} deck{'s' if len(bank.decks) != 1 else ''}: "
        f"{n_cards} card{'s' if n_cards != 1 else ''} ({by_kind or 'none'}), "
        f"{n_templates} drill template{'s' if n_templates != 1 else ''}, "
        f"{generated} instances generated; {len(errors)} error{'s' if len(errors) != 1 else ''}, "
        f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}\n"
    )
    return 1 if errors else 0


def check_bank(bank: Bank, *, instances: int = 200) -> tuple[list[ContentProblem], int]:
    """(problems in file order, number of drill instances generated)."""
    problems: list[ContentProblem] = list(bank.all_problems())
    problems += _duplicates(bank)
    problems += _empty_answers(bank)
    generated = 0
    for deck in bank.decks:
        for template in deck.templates:
            found, n = _check_template(template, instances)
            problems += found
            generated += n

    # One line per distinct problem, in file order.
    seen: set[tuple[str, int, str]] = set()
    unique = []
    for p in problems:
        key = (p.source.path, p.source.line, p.message)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    unique.sort(key=lambda p: (p.source.path, p.source.line))
    return unique, generated


def _duplicates(bank: Bank) -> list[ContentProblem]:
    out = []
    first_card: dict[str, SourceRef] = {}
    first_template: dict[str, SourceRef] = {}
    for deck in bank.decks:
        for card in deck.cards:
            if card.id in first_card:
                out.append(ContentProblem(card.source, f"duplicate card id {card.id!r} (first at {first_card[card.id]})"))
            else:
                first_card[card.id] = card.source
        for t in deck.templates:
            if t.id in first_template:
                out.append(ContentProblem(t.source, f"duplicate drill id {t.id!r} (first at {first_template[t.id]})"))
            else:
                first_template[t.id] = t.source
    return out


def _empty_answers(bank: Bank) -> list[ContentProblem]:
    out = []
    for deck in bank.decks:
        for card in deck.cards:
            if not card.question.strip():
                out.append(ContentProblem(card.source, "card with an empty question"))
            if not card.answer.strip():
                out.append(ContentProblem(card.source, f"card {card.id!r} has an empty answer"))
            if card.options and (card.correct is None or not 0 <= card.correct < len(card.options)):
                out.append(ContentProblem(card.source, f"multiple choice {card.id!r} has no correct option"))
    return out


def _check_template(template, instances: int) -> tuple[list[ContentProblem], int]:
    """Generate ``instances`` instances at each level; report the first failure at each level,
    once for all the levels it shares."""
    from quizapp.answers import AnswerError, Verdict, check
    from quizapp.content.drill import LEVELS
    from quizapp.generate import GenerationError, generate

    failures: dict[tuple[str, int, str], list[str]] = {}
    generated = 0
    for level in LEVELS:
        for seed in range(instances):
            try:
                inst = generate(template, seed, level)
            except GenerationError as exc:
                failures.setdefault((exc.path, exc.line, _explain(template, level, exc)), []).append(level)
                break
            except Exception as exc:
                reason = f"seed {seed}: {type(exc).__name__}: {exc}"
                failures.setdefault((template.source.path, template.source.line, reason), []).append(level)
                break
            generated += 1
            message = _self_check(inst, check, AnswerError, Verdict)
            if message:
                failures.setdefault((template.source.path, template.source.line, f"seed {seed}: {message}"), []).append(level)
                break
    problems = []
    for (path, line, reason), levels in failures.items():
        where = "at every level" if len(levels) == len(LEVELS) else f"at level {', '.join(levels)}"
        problems.append(ContentProblem(SourceRef(path, line), f"drill {template.id!r} {where}: {reason}"))
    return problems, generated


def _explain(template, level: str, exc) -> str:
    """The generator's reason, made exact for a ``where`` over finite lists: none or how few of the
    combinations satisfy it."""
    from quizapp.generate import where_census

    if "`where`" not in exc.reason:
        return exc.reason
    census = where_census(template, level)
    if census is None:
        return exc.reason
    satisfied, total = census
    if satisfied == 0:
        return f"no combination of the {total} parameter combinations satisfies `where`"
    return f"only {satisfied} of {total} parameter combinations satisfy `where`: draws rarely find one ({exc.reason})"


def _self_check(inst, check, AnswerError, Verdict) -> str:
    """'' when the printed answer is graded correct and no misconception is; else what is wrong."""
    if not inst.answer_text.strip():
        return "empty answer"
    try:
        result = check(inst.answer_text, inst.answer, inst.tolerance, misconceptions=inst.misconceptions, form=inst.form)
    except AnswerError as exc:
        return f"the printed answer {inst.answer_text!r} cannot be read back: {exc}"
    if result.verdict is not Verdict.CORRECT:
        return f"the printed answer {inst.answer_text!r} is not graded correct ({result.message})"
    return ""
