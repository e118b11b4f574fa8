"""Provides the limits every deck is held to, and the YAML reader that enforces them.

A deck is untrusted input: a file someone shared can be written to make a reader spend gigabytes or
hours. Each limit below is far above what a real deck needs (the shipped bank's largest drill block
is 3.4 kB, its longest card under 1,000 characters) and turns what would be a blow-up into a
``file:line: message``, so loading, checking and practising any deck costs time and memory linear in
its size. The limits are checked where the text is read, before anything is built from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

__all__ = [
    "MAX_ARRAY_ENTRIES",
    "MAX_CARD_TEXT",
    "MAX_CLOZE_CARDS",
    "MAX_DECK_BYTES",
    "MAX_DRILL_TEXT",
    "MAX_FORMAT_PRECISION",
    "MAX_FORMAT_WIDTH",
    "MAX_OPTIONS",
    "MAX_TEMPLATES",
    "MAX_TOPIC",
    "MAX_YAML_DEPTH",
    "YamlProblem",
    "load_yaml",
]

MAX_DECK_BYTES = 1024 * 1024
"""A deck file larger than this is refused (split it): 1 MiB, some twenty times the shipped bank's largest deck."""

MAX_CARD_TEXT = 20_000
"""Characters in a card's question, answer or note (about ten screens of text)."""

MAX_TOPIC = 200
"""Characters of a heading used as a topic or subject name; a longer heading is shortened."""

MAX_CLOZE_CARDS = 100
"""Distinct cloze numbers (c1, c2, ...) in one paragraph: each is a card holding the whole paragraph."""

MAX_OPTIONS = 20
"""Options of one multiple-choice question."""

MAX_TEMPLATES = 500
"""Drill templates in one deck (the shipped decks have at most about 20): each costs about a millisecond to
read and a second of checking, so a deck of thousands is refused past this many."""

MAX_DRILL_TEXT = 16_000
"""Characters of one ```drill block: every parameter, derive and where of a template is paid for at every draw."""

MAX_ARRAY_ENTRIES = 10_000
"""Entries of a vector or matrix parameter (rows × cols), as the attention solvers allow."""

MAX_FORMAT_WIDTH = 100
"""Width in a ``{name:spec}`` format spec: the text it pads is a question on a screen."""

MAX_FORMAT_PRECISION = 30
"""Digits after the point (or significant digits) in a format spec; a double holds 17."""

MAX_YAML_DEPTH = 20
"""Levels of nested lists and mappings in front matter or a drill block (a template needs four)."""


class YamlProblem(ValueError):
    """YAML a deck may not hold; ``line`` is 0-based within the YAML text."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """(the node tree, for line numbers; the plain data built from it) of one YAML document, safely.

    The safe loader builds only plain data (no Python objects). Before anything is built the node
    tree is walked once: an alias (``*name``, which shares a node and so can make a few hundred
    bytes stand for billions of values), or nesting deeper than MAX_YAML_DEPTH, raises YamlProblem.
    Syntax errors raise yaml.YAMLError as the loader reports them.
    """
    import yaml

    # libyaml's safe loader when PyYAML was built with it (about 10x faster); the same safe constructor.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _check_tree(root)
        return root, loader.construct_document(root)
    except RecursionError:  # the pure-Python loader recurses once per level; libyaml stops at 1000
        raise YamlProblem(0, f"YAML nested too deeply (at most {MAX_YAML_DEPTH} levels)") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits, refused by int()
        if isinstance(exc, YamlProblem):
            raise
        raise YamlProblem(0, f"a value YAML cannot build: {exc}") from None
    finally:
        loader.dispose()


def _check_tree(root: yaml.Node) -> None:
    """Refuse aliases and deep nesting; one pass over the tree, each node visited once."""
    import yaml

    seen: set[int] = {id(root)}
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            continue
        if depth > MAX_YAML_DEPTH:
            raise YamlProblem(node.start_mark.line, f"YAML nested too deeply (at most {MAX_YAML_DEPTH} levels)")
        if isinstance(node, yaml.MappingNode):
            children = [(key, key) for key, _ in node.value] + [(value, key) for key, value in node.value]
        else:
            children = [(item, node) for item in node.value]
        for child, place in children:
            if id(child) in seen:
                raise YamlProblem(
                    place.start_mark.line,
                    "YAML aliases (*name) are not allowed in a deck: write the value out where it is used",
                )
            seen.add(id(child))
            stack.append((child, depth + 1))
