"""Provides the markdown export: a readable deck that quizapp's own loader reads back as the same cards.

Cards are grouped under a ``# Topic`` heading each, in the order they come. Flashcards become
``Q:``/``A:`` blocks, multiple choice a ``Q:`` line with a ``- [x]``/``- [ ]`` task list, drill
instances ``Q:``/``A:`` blocks (the question ends with the precision asked for); the note (or a
drill's worked steps) follows as a ``Why:`` line. Every question keeps its id as ``{#id}`` (a
drill's is ``template-seed``, as ``@`` is not allowed in deck ids). Text is escaped so that nothing
in it is read as markup: backslash escapes for ``\\ ` * $ [ < ~``, for ``_`` at the edge of a
word, for ``::``, ``{{`` and ``{#``, and for a line that would start a list, heading, quote, table
or fence. Lines of a multi-line answer end in a backslash (a markdown hard break).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["escape", "render"]

# ``]`` and an underscore inside a word (d_model) start no markup, so they stay as they are.
_INLINE = re.compile(r"([\\`*$\[<~]|(?<!\w)_|_(?!\w))")
_LINE_START = re.compile(r"^(\s*)([-+*#>=|])")
_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")
_PREFIXES = re.compile(r"^(\s*(?:Q|A|Why|Почему)\s*)(:)", re.IGNORECASE)


def escape(text: str) -> str:
    """Terminal text -> markdown that renders back to the same text (one paragraph; lines hard-broken)."""
    lines = []
    for line in text.strip().split("\n"):
        line = _INLINE.sub(r"\\\1", line.strip())
        line = line.replace("::", ":\\:").replace("{{", "{\\{").replace("{#", "{\\#")
        line = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        line = _ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        line = _PREFIXES.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        lines.append(line)
    lines = [ln for ln in lines if ln] or [""]
    return "\\\n".join(lines)


def _one_line(text: str) -> str:
    return escape(" ".join(part.strip() for part in text.split("\n") if part.strip()))


def _card(card: Any) -> list[str]:
    question = f"Q: {escape(card.question)} {{#{card.id}}}"
    if card.options and card.correct is not None:
        out = [question]
        out += [f"- [{'x' if i == card.correct else ' '}] {_one_line(opt)}" for i, opt in enumerate(card.options)]
        if card.note:
            out += ["", f"Why: {_one_line(card.note)}"]
        return out
    out = [question, f"A: {escape(card.answer)}"]
    if card.note:
        out.append(f"Why: {_one_line(card.note)}")
    return out


def _drill(instance: Any) -> list[str]:
    out = [
        f"Q: {escape(instance.question)} {{#{instance.template_id}-{instance.seed}}}",
        f"A: {escape(instance.answer_text)}",
    ]
    if instance.steps:
        out.append(f"Why: {_one_line('; '.join(instance.steps))}")
    return out


def _language(data: Any) -> str:
    languages = {d.language for d in data.decks}
    return languages.pop() if len(languages) == 1 else "en"


def render(data: Any) -> bytes:
    """ExportData -> a markdown deck as UTF-8 bytes."""
    topics: dict[str, list[list[str]]] = {}
    for card in data.cards:
        topics.setdefault(card.topic, []).append(_card(card))
    for inst in data.instances:
        topics.setdefault(inst.topic, []).append(_drill(inst))
    out = [
        "---",
        "id: quizapp-export",
        f"title: quizapp export (seed {data.seed})",
        f"language: {_language(data)}",
        "---",
        "",
    ]
    for topic, blocks in topics.items():
        out += [f"# {escape(topic)}", ""]
        for block in blocks:
            out += block + [""]
    return "\n".join(out).encode("utf-8")
