"""Provides the reading of a deck's blocks into card drafts: notes-derived cards, explicit cards, drills.

Notes (headings, a definition paragraph, labelled lists, formulas) become definition, list and
formula cards; ``Q:``/``A:``, ``Question :: Answer``, multiple choice and cloze paragraphs become
explicit cards; ```` ```drill ```` fences become drill templates via ``quizapp.content.drill``. Whatever
cannot be read becomes a ContentProblem at its line, and reading goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from quizapp.content.bounds import MAX_CARD_TEXT, MAX_CLOZE_CARDS, MAX_OPTIONS, MAX_TEMPLATES, MAX_TOPIC
from quizapp.content.mathtext import render_text, terminal_text
from quizapp.content.model import CardKind, ContentError, ContentProblem, SourceRef
from quizapp.content.syntax import (
    LEGACY_PHRASES,
    PHRASES,
    Block,
    Cloze,
    Label,
    flow,
    is_formula_line,
    label_of_heading,
    label_of_paragraph,
    parse_cloze,
    split_double_colon,
    take_id,
)

__all__ = ["Draft", "NotesReader", "render_list"]


@dataclass
class Draft:
    """A card before its id is assigned (ids need the whole deck to break ties).

    Its texts may hold formulas kept with their LaTeX source (render_text(..., keep_source=True)):
    the loader makes the card's terminal text and its MathJax text from them.
    """

    kind: CardKind
    topic: str
    question: str
    answer: str
    line: int
    explicit_id: str | None = None
    options: tuple[str, ...] = ()
    correct: int | None = None
    note: str = ""
    cloze: str = ""
    id_text: str = ""
    """What the automatic id hashes when it is not the question: a generated question in its first
    wording, so rewording the generator does not move a card's progress."""
    family: str = ""
    """The note section (its subject) a notes card was cut from: its siblings share it (quizapp.study.family)."""


@dataclass
class _Segment:
    """Paragraphs collected for a formula card: after a Formula label, or after a definition."""

    subject: str
    line: int
    labelled: bool
    parts: list[str] = field(default_factory=list)
    has_math: bool = False
    has_formula_line: bool = False


_PREFIX_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def _prefix(line: str, *words: str) -> str | None:
    """The text after a ``Q:``-style prefix (``**Q:**`` and ``**Q**:`` too), or None."""
    rx = _PREFIX_CACHE.get(words)
    if rx is None:
        alt = "|".join(re.escape(w) for w in words)
        # Not before a second colon: "q :: a" is a Question :: Answer card whose question is "q".
        rx = re.compile(rf"^\s*(?:\*\*|__)?(?:{alt})(?:\*\*|__)?\s*[:：](?![:：])(?:\*\*|__)?\s?", re.IGNORECASE)
        _PREFIX_CACHE[words] = rx
    m = rx.match(line)
    return line[m.end() :] if m else None


_Q, _A, _WHY = ("Q",), ("A",), ("Why", "Почему")
_IMAGE_ONLY_RE = re.compile(r"^\s*(?:!\[[^\]]*\]\([^)]*\)\s*)+$")


def _render(raw: str, keep_source: bool = True) -> str:
    """A paragraph of markdown as a draft's text: its formulas kept with their source (see Draft)."""
    return render_text(flow(raw), keep_source)


def render_list(block: Block, depth: int = 0) -> str:
    """A list as terminal text: "• item" (ordered: "1. item"), nested items indented with "◦"."""
    lines = []
    pad = "  " * depth
    for k, item in enumerate(block.items):
        bullet = f"{block.start + k}." if block.ordered else ("•" if depth == 0 else "◦")
        text = _render(item.text).replace("\n", "\n" + pad + "  ")
        lines.append(f"{pad}{bullet} {text}".rstrip())
        for sub in item.sublists:
            lines.append(render_list(sub, depth + 1))
    return "\n".join(line for line in lines if line)


def _terminal_len(text: str) -> int:
    """The length of a draft's text as the card will hold it (formulas rendered, their source left out)."""
    return len(terminal_text(text))


class NotesReader:
    """Walks a deck's blocks once, producing drafts, drill templates and problems."""

    def __init__(self, blocks: list[Block], *, path: str, deck: str, title: str, language: str) -> None:
        self.blocks = blocks
        self.path = path
        self.deck = deck
        self.phrases = PHRASES.get(language, PHRASES["en"])
        self._english = self.phrases is PHRASES["en"]
        self.topic = title  # content before any H1 belongs to a topic named after the deck
        self.subject: str | None = None
        self.expect_definition = True
        self.fresh_subject = False  # the previous block was a subject heading
        self.segment: _Segment | None = None
        self.drafts: list[Draft] = []
        self.templates: list[Any] = []
        self.problems: list[ContentProblem] = []
        self._merge: dict[tuple[str, str, str], Draft] = {}
        self._full: set[tuple[str, str, str]] = set()  # merged cards that reached MAX_CARD_TEXT
        self._drill_blocks = 0

    # -- helpers -----------------------------------------------------------------------------
    def _src(self, line: int) -> SourceRef:
        return SourceRef(self.path, line)

    def _problem(self, line: int, message: str, severity: str = "error") -> None:
        self.problems.append(ContentProblem(self._src(line), message, severity))

    def _block(self, i: int) -> Block | None:
        return self.blocks[i] if 0 <= i < len(self.blocks) else None

    def _add(self, draft: Draft, merge: tuple[str, str] | None = None) -> None:
        """Add a draft; notes cards with the same (kind, subject) merge (definitions: first wins).

        A notes card whose answer renders to nothing (``**Pros:****``: a label with only markup after
        it) is not a card: there is nothing to recall.
        """
        if merge is not None and not draft.answer.strip():
            return
        size = _terminal_len
        longest = max(size(draft.question), size(draft.answer), size(draft.note), sum(map(size, draft.options)))
        if longest > MAX_CARD_TEXT:
            self._problem(draft.line, f"card of {longest:,} characters; a card may have at most {MAX_CARD_TEXT:,} (split it)")
            return
        if merge is not None:
            key = (draft.topic, *merge)
            first = self._merge.get(key)
            if first is not None:
                if draft.kind is CardKind.DEFINITION or key in self._full:
                    return
                if size(first.answer) + size(draft.answer) + 2 > MAX_CARD_TEXT:
                    self._full.add(key)
                    self._problem(
                        draft.line,
                        f"this joins the card at line {first.line}, which would then pass {MAX_CARD_TEXT:,} characters: "
                        "it and what follows are left out of it",
                    )
                elif draft.answer not in first.answer:
                    first.answer = f"{first.answer}\n\n{draft.answer}"
                return
            self._merge[key] = draft
        self.drafts.append(draft)

    @property
    def _subject(self) -> str:
        return self.subject or self.topic

    # -- main loop ---------------------------------------------------------------------------
    def run(self) -> NotesReader:
        i = 0
        while i < len(self.blocks):
            b = self.blocks[i]
            fresh, self.fresh_subject = self.fresh_subject, False
            if b.kind == "heading":
                i = self._heading(b, i)
            elif b.kind == "fence":
                if b.info.split()[:1] == ["drill"]:
                    self._drill(b)
                i += 1
            elif b.kind == "paragraph":
                i = self._paragraph(b, i)
            elif b.kind == "list":
                i = self._list(b, i, fresh)
            else:
                i += 1
        self._flush()
        return self

    def _heading(self, b: Block, i: int) -> int:
        self._flush()
        if b.level == 1:
            self.topic = self._name(b) or self.topic
            self.subject = None
            self.expect_definition = True
            return i + 1
        label = label_of_heading(b.text)
        if label is not None:
            return self._label(label, b.line, "", i + 1)
        self.subject = self._name(b) or self.subject
        self.expect_definition = True
        self.fresh_subject = True
        return i + 1

    def _name(self, b: Block) -> str:
        """A heading as a topic or subject name, shortened to MAX_TOPIC characters."""
        name = render_text(b.text).strip()
        if len(name) > MAX_TOPIC:
            self._problem(b.line, f"heading of {len(name):,} characters shortened to {MAX_TOPIC} to name its topic", "warning")
            name = name[: MAX_TOPIC - 1].rstrip() + "…"
        return name

    def _paragraph(self, b: Block, i: int) -> int:
        consumed = self._explicit(b, i)
        if consumed:
            self._flush()
            self.expect_definition = False
            return i + consumed
        lines = b.text.split("\n")
        found = label_of_paragraph(lines[0])
        if found is not None:
            label, rest = found
            nxt = self._block(i + 1)
            # an unknown bold line counts as a label only when a list follows; otherwise it is text
            if label.key is not None or (nxt is not None and nxt.kind == "list"):
                rest_text = "\n".join([rest, *lines[1:]] if rest else lines[1:]).strip()
                return self._label(label, b.line, rest_text, i + 1)
        if _IMAGE_ONLY_RE.match(b.text) or lines[0].lstrip().startswith("|") or not render_text(b.text).strip():
            # an image, a table (read as text: every line starts with '|'), or nothing left after markup
            return i + 1
        formula_only = all(is_formula_line(ln) for ln in lines if ln.strip())
        if self.expect_definition and not formula_only:
            return self._definition(b, i)
        self.expect_definition = False
        self._segment_add(b.text, b.line)
        return i + 1

    # -- notes cards ---------------------------------------------------------------------------
    def _definition(self, b: Block, i: int) -> int:
        self.expect_definition = False
        answer = _render(b.text)
        j = i + 1
        nxt = self._block(j)
        if b.text.rstrip().endswith(":") and nxt is not None:
            if nxt.kind == "list" and not self._label_items(nxt):
                answer = f"{answer}\n{render_list(nxt)}"
                j += 1
            elif nxt.kind == "paragraph" and all(is_formula_line(ln) for ln in nxt.text.split("\n") if ln.strip()):
                answer = f"{answer}\n{_render(nxt.text)}"  # "... as follows:" then the formula; it also makes a formula card
        subject = in_sentence(self._subject)
        question = self.phrases["definition"].format(subject=self._article(subject))
        id_text = LEGACY_PHRASES["definition"].format(subject=subject) if self._english else ""
        self._add(Draft(CardKind.DEFINITION, self.topic, question, answer, b.line, id_text=id_text, family=self._subject), ("definition", self._subject))
        return j

    def _label(self, label: Label, line: int, rest: str, j: int) -> int:
        """A label heading or bold line: a formula section opens, or a list card takes what follows."""
        self._flush()
        self.expect_definition = False
        nxt = self._block(j)
        if label.kind == "formula":
            self.segment = _Segment(self._subject, line, labelled=True)
            if rest:
                self._segment_add(rest, line)
            elif nxt is not None and nxt.kind == "list":
                self.segment.parts.append(render_list(nxt))
                self.segment.has_math = "$" in "".join(it.text for it in nxt.items)
                j += 1
            return j
        parts = []
        if rest:
            parts.append(_render(rest))
        if nxt is not None and nxt.kind == "list" and (not rest or rest.endswith(":") or label.key is None):
            parts.append(render_list(nxt))
            j += 1
        elif not rest and label.key is not None and nxt is not None and nxt.kind == "paragraph" and self._plain(nxt):
            parts.append(_render(nxt.text))
            j += 1
            after = self._block(j)
            if nxt.text.rstrip().endswith(":") and after is not None and after.kind == "list":
                parts.append(render_list(after))
                j += 1
        if parts:
            self._list_card(label, line, "\n".join(parts))
        return j

    def _article(self, subject: str) -> str:
        """``subject`` with the English article it needs inside a question (see with_article)."""
        return with_article(subject) if self._english else subject

    def _plain(self, b: Block) -> bool:
        """A paragraph that is neither explicit card syntax nor a label."""
        first = b.text.split("\n")[0]
        return (
            _prefix(first, *_Q) is None
            and "{{c" not in b.text
            and split_double_colon(first) is None
            and label_of_paragraph(first) is None
        )

    def _list_card(self, label: Label, line: int, answer: str) -> None:
        id_text = ""
        if label.key is not None and label.exact and label.key in self.phrases:
            question = f"{self._subject}: {self.phrases[label.key]}"
        else:
            question = f"{self._subject}: {label.text.rstrip('?')}?"
            if self._english and not label.text.rstrip().endswith("?"):
                # "Kinds of mask" is a label, not a question: ask it as one
                id_text, question = question, f"{self._subject}: {self.phrases['list'].format(label=_lower_first(label.text))}"
        self._add(Draft(CardKind.LIST, self.topic, question, answer, line, id_text=id_text, family=self._subject), ("list", f"{self._subject}\0{question}"))

    def _segment_add(self, raw: str, line: int) -> None:
        if self.segment is None:
            self.segment = _Segment(self._subject, line, labelled=False)
        seg = self.segment
        seg.parts.append(_render(raw))
        seg.has_math = seg.has_math or "$" in raw
        seg.has_formula_line = seg.has_formula_line or any(is_formula_line(ln) for ln in raw.split("\n"))

    def _flush(self) -> None:
        """Close the open formula section: a card if it holds formulas (unlabelled: a formula line)."""
        seg, self.segment = self.segment, None
        if seg is None or not seg.parts:
            return
        if (seg.labelled and seg.has_math) or seg.has_formula_line:
            answer = "\n\n".join(p for p in seg.parts if p)
            question = self.phrases["formula"].format(subject=self._article(in_sentence(seg.subject)) if self._english else seg.subject)
            id_text = LEGACY_PHRASES["formula"].format(subject=seg.subject) if self._english else ""
            self._add(Draft(CardKind.FORMULA, self.topic, question, answer, seg.line, id_text=id_text, family=seg.subject), ("formula", seg.subject))

    def _label_items(self, b: Block) -> list[tuple[Any, Label, str]]:
        """List items that are labels: ``- **Преимущества:**`` with a sub-list, ``- **Pros:** fast``."""
        found = []
        for item in b.items:
            lines = item.text.split("\n")
            got = label_of_paragraph(lines[0])
            if got is None:
                continue
            label, rest = got
            more = "\n".join([rest, *lines[1:]] if rest else lines[1:]).strip()
            if item.sublists or (more and label.key is not None):
                found.append((item, label, more))
        return found

    def _list(self, b: Block, i: int, fresh: bool) -> int:
        self._flush()
        self.expect_definition = False
        labelled = self._label_items(b)
        if labelled:
            for item, label, more in labelled:
                parts = [_render(more)] if more else []
                parts += [render_list(sub) for sub in item.sublists]
                self._list_card(label, item.line, "\n".join(p for p in parts if p))
            return i + 1
        pairs = [split_double_colon(item.text.split("\n")[0]) for item in b.items]
        if b.items and all(p is not None for p in pairs):
            for item in b.items:
                self._double_colon_lines(item.text.split("\n"), item.line)
            return i + 1
        if fresh and self.subject and b.items:
            question = f"{self.topic}: {self.subject}?" if self.subject != self.topic else f"{self.subject}?"
            self._add(Draft(CardKind.LIST, self.topic, question, render_list(b), b.line, family=self.subject), ("list", question))
        return i + 1

    # -- explicit cards ------------------------------------------------------------------------
    def _explicit(self, b: Block, i: int) -> int:
        """Explicit card syntax starting at this paragraph: the number of blocks it used, or 0."""
        lines = b.text.split("\n")
        if _prefix(lines[0], *_Q) is not None:
            return self._qa(b, i)
        if "{{c" in b.text and re.search(r"\{\{c\d+::", b.text):
            self._cloze(b)
            return 1
        if split_double_colon(lines[0]) is not None:
            self._double_colon_lines(lines, b.line)
            return 1
        nxt = self._block(i + 1)
        stem, _ = take_id(b.text.rstrip())
        if nxt is not None and nxt.kind == "list" and nxt.items and nxt.items[0].task is not None and stem.rstrip().endswith("?"):
            return 1 + self._mcq(b.text, b.line, nxt, i + 2)
        return 0

    def _qa(self, b: Block, i: int) -> int:
        cards: list[dict[str, Any]] = []
        part = "q"
        for k, line in enumerate(b.text.split("\n")):
            q = _prefix(line, *_Q)
            if q is not None:
                cards.append({"q": [q], "line": b.line + k, "a": None, "a_line": b.line + k, "why": None})
                part = "q"
                continue
            card = cards[-1]
            a = _prefix(line, *_A) if card["a"] is None else None
            why = _prefix(line, *_WHY) if card["a"] is not None and card["why"] is None else None
            if a is not None:
                card["a"], card["a_line"], part = [a], b.line + k, "a"
            elif why is not None:
                card["why"], part = [why], "why"
            else:
                card[part].append(line)
        consumed = 1
        last = cards[-1]
        nxt = self._block(i + 1)
        if last["a"] is None and nxt is not None:
            first = nxt.text.split("\n")[0] if nxt.kind == "paragraph" else ""
            if nxt.kind == "paragraph" and _prefix(first, *_A) is not None:
                part = "a"
                for k, line in enumerate(nxt.text.split("\n")):
                    a = _prefix(line, *_A) if last["a"] is None else None
                    why = _prefix(line, *_WHY) if last["a"] is not None and last["why"] is None else None
                    if a is not None:
                        last["a"], last["a_line"] = [a], nxt.line + k
                    elif why is not None:
                        last["why"], part = [why], "why"
                    else:
                        last[part].append(line)
                consumed += 1
            elif nxt.kind == "list" and nxt.items and nxt.items[0].task is not None:
                cards.pop()
                self._emit_qa(cards)
                return consumed + self._mcq("\n".join(last["q"]), last["line"], nxt, i + 2)
        nxt = self._block(i + consumed)
        if last["a"] is not None and not "".join(last["a"]).strip() and nxt is not None and nxt.kind == "list":
            last["a"] = [render_list(nxt)]
            last["a_rendered"] = True
            consumed += 1
            nxt = self._block(i + consumed)
        if last["a"] is not None and last["why"] is None and nxt is not None and nxt.kind == "paragraph":
            why = _prefix(nxt.text, *_WHY)
            if why is not None:
                last["why"] = [why]
                consumed += 1
        self._emit_qa(cards)
        return consumed

    def _emit_qa(self, cards: list[dict[str, Any]]) -> None:
        for card in cards:
            raw_q, card_id = take_id("\n".join(card["q"]).strip())
            question = _render(raw_q)
            if card["a"] is None:
                self._problem(card["line"], "'Q:' without an 'A:' answer")
                continue
            if not question:
                self._problem(card["line"], "empty question after 'Q:'")
                continue
            raw_a = "\n".join(card["a"]).strip()
            if card_id is None:
                raw_a, card_id = take_id(raw_a)
            answer = raw_a if card.get("a_rendered") else _render(raw_a)
            if not answer.strip():
                self._problem(card["a_line"], f"empty answer for {terminal_text(question)!r}")
                continue
            note = _render("\n".join(card["why"]).strip()) if card["why"] else ""
            self._add(Draft(CardKind.QA, self.topic, question, answer, card["line"], card_id, note=note))

    def _double_colon_lines(self, lines: list[str], first_line: int) -> None:
        cards: list[dict[str, Any]] = []
        for k, line in enumerate(lines):
            pair = split_double_colon(line)
            if pair is not None:
                cards.append({"q": pair[0], "a": [pair[1]], "line": first_line + k, "why": None})
            elif cards:
                why = _prefix(line, *_WHY)
                if why is not None:
                    cards[-1]["why"] = why
                else:
                    cards[-1]["a"].append(line)
        for card in cards:
            raw_q, card_id = take_id(card["q"])
            raw_a = "\n".join(card["a"]).strip()
            raw_a, a_id = take_id(raw_a)
            card_id = card_id or a_id
            question, answer = _render(raw_q), _render(raw_a)
            if not question:
                self._problem(card["line"], "empty question before '::'")
                continue
            if not answer:
                self._problem(card["line"], f"empty answer for {terminal_text(question)!r}")
                continue
            note = _render(card["why"]) if card["why"] else ""
            self._add(Draft(CardKind.QA, self.topic, question, answer, card["line"], card_id, note=note))

    def _mcq(self, stem_raw: str, line: int, options_block: Block, j: int) -> int:
        """A question followed by a task list: exactly one [x]. Returns the blocks used after the stem."""
        if len(options_block.items) > MAX_OPTIONS:
            self._problem(line, f"multiple choice with {len(options_block.items):,} options; at most {MAX_OPTIONS}")
            return 1
        stem_raw = _prefix(stem_raw, *_Q) if _prefix(stem_raw, *_Q) is not None else stem_raw
        raw_q, card_id = take_id(stem_raw.strip())
        question = _render(raw_q)
        options: list[str] = []
        correct: list[int] = []
        note = ""
        ok = True
        for k, item in enumerate(options_block.items):
            lines = item.text.split("\n")
            for n, ln in enumerate(lines):
                why = _prefix(ln, *_WHY)
                if why is not None and k == len(options_block.items) - 1:
                    note = "\n".join([why, *lines[n + 1 :]])  # "Why:" right under the list joins the last item
                    lines = lines[:n]
                    break
            if item.task is None:
                self._problem(item.line, "multiple-choice option without '[ ]' or '[x]'")
                ok = False
                continue
            options.append(_render("\n".join(lines)))
            if item.task:
                correct.append(len(options) - 1)
        used = 1
        nxt = self._block(j)
        if not note and nxt is not None and nxt.kind == "paragraph":
            why = _prefix(nxt.text, *_WHY)
            if why is not None:
                note = why
                used += 1
        if not ok:
            return used
        if not correct:
            self._problem(line, "multiple choice with no option marked '[x]'")
            return used
        if len(correct) > 1:
            self._problem(line, f"multiple choice with {len(correct)} options marked '[x]'; mark exactly one")
            return used
        if len(options) < 2:
            self._problem(line, "multiple choice needs at least one wrong option '[ ]'")
            return used
        if any(not o for o in options):
            self._problem(line, "multiple choice with an empty option")
            return used
        if not question:
            self._problem(line, "multiple choice with an empty question")
            return used
        self._add(
            Draft(
                CardKind.MCQ,
                self.topic,
                question,
                options[correct[0]],
                line,
                card_id,
                options=tuple(options),
                correct=correct[0],
                note=_render(note.strip()) if note else "",
            )
        )
        return used

    def _cloze(self, b: Block) -> None:
        text, card_id = take_id(b.text.rstrip())
        cards, error = split_cloze(text, keep_source=True)
        if error is not None:
            self._problem(b.line, error)
            return
        for number, question, answer, offset, whole in cards:
            if not answer.strip():
                self._problem(b.line + offset, f"cloze deletion c{number} hides nothing")
                continue
            draft_id = f"{card_id}-c{number}" if card_id else None
            self._add(Draft(CardKind.CLOZE, self.topic, question, answer, b.line + offset, draft_id, cloze=whole))

    # -- drills --------------------------------------------------------------------------------
    def _drill(self, b: Block) -> None:
        source = self._src(b.line)
        self._drill_blocks += 1
        if self._drill_blocks > MAX_TEMPLATES:
            if self._drill_blocks == MAX_TEMPLATES + 1:  # said once; every template is paid for at each load and check
                self._problem(b.line, f"more than {MAX_TEMPLATES} drill templates in one deck: this one and the rest are left out (split the deck)")
            return
        try:
            from quizapp.content.drill import parse_template
        except ImportError as exc:  # drill support missing from this install
            self._problem(b.line, f"drill templates are unavailable: {exc}")
            return
        try:
            template = parse_template(b.text, source=source, deck=self.deck, topic=self.topic)
        except ContentError as exc:
            self.problems.append(ContentProblem(exc.source, exc.message))
            return
        except Exception as exc:  # a bug in the template reader must not stop the deck
            self._problem(b.line, f"drill template could not be read: {exc}")
            return
        self.templates.append(template)


def split_cloze(text: str, keep_source: bool = False) -> tuple[list[tuple[int, str, str, int, str]], str | None]:
    """A paragraph with ``{{cN::hidden}}`` / ``{{cN::hidden::hint}}`` deletions -> one card per cloze number.

    Each card is (number, question with that number's deletions shown as ``[…]`` or ``[hint]`` and
    the others filled in, the hidden texts joined by "; ", the line offset of its first deletion, the
    whole paragraph in Anki's syntax); or an error message for an unclosed deletion, a paragraph over
    MAX_CARD_TEXT characters or more than MAX_CLOZE_CARDS numbers.
    """
    if len(text) > MAX_CARD_TEXT:
        return [], f"cloze paragraph of {len(text):,} characters; a card may have at most {MAX_CARD_TEXT:,} (split it)"
    clozes, error = parse_cloze(text)
    if error is not None:
        return [], error
    numbers = {c.number for c in clozes}
    if len(numbers) > MAX_CLOZE_CARDS:
        return [], f"{len(numbers):,} cloze numbers in one paragraph, each a card of the whole paragraph; at most {MAX_CLOZE_CARDS} (split it)"
    whole = _cloze_text(text, clozes, keep_source)
    cards = []
    for number in sorted(numbers):
        pieces: list[str] = []
        blanks: list[str] = []
        pos = 0
        for c in clozes:
            pieces.append(text[pos : c.start])
            if c.number == number:
                pieces.append(f"\ue002{len(blanks)}\ue003")
                blanks.append(f"[{render_text(c.hint, keep_source)}]" if c.hint else "[…]")
            else:
                pieces.append(c.hidden)
            pos = c.end
        pieces.append(text[pos:])
        question = _render("".join(pieces), keep_source)
        question = re.sub("\ue002(\\d+)\ue003", lambda m, shown=blanks: shown[int(m.group(1))], question)
        answer = "; ".join(render_text(c.hidden, keep_source) for c in clozes if c.number == number)
        offset = text[: next(c.start for c in clozes if c.number == number)].count("\n")
        cards.append((number, question, answer, offset, whole))
    return cards, None


def _cloze_text(text: str, clozes: list[Cloze], keep_source: bool) -> str:
    """The paragraph as terminal text with every deletion kept as ``{{cN::hidden}}`` or ``{{cN::hidden::hint}}``."""
    pieces: list[str] = []
    pos = 0
    for k, c in enumerate(clozes):
        pieces += [text[pos : c.start], f"\ue002{k}\ue003"]
        pos = c.end
    pieces.append(text[pos:])

    def deletion(m: re.Match[str]) -> str:
        c = clozes[int(m.group(1))]
        hint = f"::{render_text(c.hint, keep_source)}" if c.hint else ""
        return f"{{{{c{c.number}::{render_text(c.hidden, keep_source)}{hint}}}}}"

    return re.sub("\ue002(\\d+)\ue003", deletion, _render("".join(pieces), keep_source))


# Names that keep their capital inside a sentence (initialisations, optimisers, people).
_PROPER_NAMES = frozenset(
    "he kaiming xavier glorot lecun adam adagrad rmsprop nesterov hebb hopfield boltzmann gauss "
    "bernoulli fourier hessian jacobian kullback markov bayes bayesian transformer хе ксавье лекун".split()
)


# The head nouns of headings that are one thing of a kind ("a convolutional layer") or the one
# quantity of something ("the learning rate"); a heading with another head (attention, pooling,
# gradient descent) names a method or a mass noun and takes no article.
_A_HEADS = frozenset("layer layers point convolution network function matrix mask model unit neuron kernel filter".split())
_THE_HEADS = frozenset("problem rate size count field trick rule".split())
_ALWAYS_A = frozenset("layer point network function matrix model unit neuron kernel filter".split())


def with_article(subject: str) -> str:
    """An English subject as it reads after "What is": 'convolutional layer' -> 'a convolutional
    layer', 'learning rate' -> 'the learning rate', 'output size of a convolution' -> 'the output
    size of a convolution'; 'attention', 'Convolution' (a method) and a subject that already
    starts with an article or a possessive are kept."""
    words = subject.split()
    if not words or words[0].casefold() in ("a", "an", "the") or "'" in words[0] or "’" in words[0]:
        return subject
    head_part = re.split(r" of | \(", subject, maxsplit=1)[0].split()
    head = head_part[-1].casefold().strip(",.:;")
    if head in _THE_HEADS:
        return f"the {subject}"
    if head in _A_HEADS and (len(head_part) > 1 or head in _ALWAYS_A):
        if head == "layers":
            return subject  # "What is convolutional layers" cannot be mended by an article
        article = "an" if words[0][:1].casefold() in "aeio" else "a"
        return f"{article} {subject}"
    return subject


def _lower_first(text: str) -> str:
    """A label inside a question: 'Kinds of mask' -> 'kinds of mask' (ReLU, CNN keep their capitals)."""
    text = text.strip().rstrip(":")
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and not first[1:].islower() else text[:1].lower() + text[1:]


def in_sentence(subject: str) -> str:
    """A heading as it reads inside a question: 'Saddle point' -> 'saddle point'.

    Acronyms and mixed-case words (ReLU, CNN, PyTorch) and known proper names (He, Xavier) keep
    their capitals.
    """
    first, _, rest = subject.partition(" ")
    if len(first) < 2 or not first[0].isupper() or not first[1:].islower():
        return subject
    if first.casefold().strip("(),.:'’s") in _PROPER_NAMES:
        return subject
    if any(w[:1].isupper() and w[1:].islower() for w in rest.split() if w[:1] != "("):
        return subject  # a title-cased heading ("Self Attention") reads worse half lowered
    return first[0].lower() + first[1:] + (" " + rest if rest else "")
