"""Provides the hostile-deck corpus: small generated deck files that each try one way past quizapp's bounds.

Every case is a function returning the deck's bytes and the text that quizapp must say about it
(a substring of its stderr or stdout): a clear ``file:line: message`` or a short notice. The files
are generated, not stored, so the corpus stays a few kilobytes of code while some decks are a
megabyte. ``tests/test_hostile_decks.py`` runs each through ``check``, ``topics`` and the plain
``drill``/``quiz`` in a subprocess under a time and memory limit; ``benchmarks/run.py hostile``
prints the time and peak memory of each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CASES", "Case", "billion_laughs", "drill_block", "headings_deck", "newest_apkg", "zstd_stream"]


@dataclass(frozen=True)
class Case:
    """One hostile deck: its name, what it tries, its bytes, and what quizapp must report."""

    name: str
    tries: str
    build: Callable[[], bytes]
    says: str = ""
    """A substring quizapp must print about the deck (in check's output or on stderr); "" for a deck that is merely large."""
    practise: bool = True
    """Whether the deck has something to practise (a drill or quiz on it is run, not only check and topics)."""
    on_load: bool = True
    """Whether loading finds the problem (every command says it); else only making a question does (check, drill, quiz)."""
    suffix: str = ".md"
    """The file's suffix: ".apkg" for an Anki package."""


def billion_laughs(depth: int = 9, width: int = 9, indent: str = "") -> list[str]:
    """YAML lines defining a0 .. a{depth-1}, each a list of ``width`` aliases of the one before: 9^9 leaves."""
    lines = [f"{indent}a0: &a0 [{', '.join(['lol'] * width)}]"]
    for k in range(1, depth):
        lines.append(f"{indent}a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * width)}]")
    return lines


def drill_block(body: str) -> str:
    return f"```drill\n{body.strip()}\n```\n"


_CONV = """id: {id}
solver: conv.output_size
params:
  size: {size}
  kernel: [3, 5]
  stride: [1, 2]
  padding: {{range: [0, 2]}}
ask: {ask}
answer: {{form: integer}}
"""


def _conv(id: str = "hostile-conv", size: str = "[8, 16, 32]", ask: str = '"Size {size}, kernel {kernel}, stride {stride}, padding {padding}: output?"') -> str:
    return drill_block(_CONV.format(id=id, size=size, ask=ask))


def _deck(*parts: str, title: str = "Hostile") -> bytes:
    return ("\n".join([f"# {title}", "", *parts, ""])).encode()


def headings_deck(n: int) -> bytes:
    """``n`` topics, each a heading with a one-line definition: a deck of about 25·n bytes (40,000: 1 MB)."""
    return "".join(f"# T{k}\n\nIt is {k}.\n\n" for k in range(n)).encode()


def _front_alias(key: str) -> bytes:
    return "\n".join(["---", *billion_laughs(), f"{key}: *a8", "---", "# Topic", "", "Q: q? :: a", ""]).encode()


def _drill_alias_params() -> bytes:
    body = "\n".join(
        [
            "id: laughs",
            "solver: conv.output_size",
            "params:",
            *billion_laughs(indent="  "),
            "  size: *a8",
            "  kernel: [3]",
            "ask: 'Size {size}, kernel {kernel}?'",
        ]
    )
    return _deck(drill_block(body))


def _drill_alias_message() -> bytes:
    laughs = [f"  - {line.split(': ', 1)[1]}" for line in billion_laughs()]
    body = "\n".join(["tags:", *laughs, "id: laughs", "solver: *a8", "ask: 'x'"])
    return _deck(drill_block(body))


def _deep_yaml_drill() -> bytes:
    # 5,000 levels: deep, yet short enough (10 kB) to reach the YAML reader rather than the size limit.
    return _deck(drill_block("id: deep\nsolver: conv.output_size\nparams:\n  size: " + "[" * 5_000 + "]" * 5_000 + "\nask: x"))


def _deep_yaml_front() -> bytes:
    return ("---\ntags: " + "[" * 50_000 + "]" * 50_000 + "\n---\n# T\n\nQ: q? :: a\n").encode()


def _front_many_keys() -> bytes:
    return ("---\n" + "".join(f"key{k}: {k}\n" for k in range(40_000)) + "---\n# T\n\nq? :: a\n").encode()


def _format_width() -> bytes:
    return _deck(_conv(ask='"Size {size:999999999}, kernel {kernel}, stride {stride}, padding {padding}?"'))


def _format_precision() -> bytes:
    body = """id: prec
solver: init.he_std
params:
  fan_in: {range: [10, 1000]}
ask: "He std for fan_in {fan_in:.999999999f}?"
answer: {form: decimal, sig_figs: 3}
"""
    return _deck(drill_block(body))


def _format_char() -> bytes:
    return _deck(_conv(size="{range: [1114112, 2000000]}", ask='"Size {size:c}, kernel {kernel}, stride {stride}, padding {padding}?"'))


def _huge_vector() -> bytes:
    body = """id: huge-vector
solver: attention.softmax
params:
  x: {vector: 100000000, values: [1, 2, 3]}
ask: "Softmax of {x}?"
answer: {form: vector}
"""
    return _deck(drill_block(body))


def _huge_matrix() -> bytes:
    body = """id: huge-matrix
solver: attention.softmax
params:
  x: {matrix: [3000, 64], range: [0, 9]}
ask: "Softmax of the rows of {x}?"
answer: {form: matrix}
"""
    return _deck(drill_block(body))


def _where_huge_range() -> bytes:
    return _deck(
        drill_block(
            """id: impossible
solver: conv.output_size
params:
  size: {range: [1, 1000000000000]}
  kernel: [3]
where:
  - size < 0
ask: "Size {size}, kernel {kernel}?"
"""
        )
    )


def _huge_expression() -> bytes:
    return _deck(
        drill_block(
            "id: long-derive\nsolver: init.he_std\nparams:\n  c: {range: [1, 9]}\nderive:\n"
            + "".join(f"  d{k}: {' + '.join(['c'] * 300)}\n" for k in range(300))
            + "  fan_in: c\nask: 'fan_in {fan_in}?'\nanswer: {form: decimal}\n"
        )
    )


def _many_templates() -> bytes:
    return _deck(*(_conv(id=f"t{k}") for k in range(4000)))


def _cloze_thousands() -> bytes:
    return _deck(" ".join(f"word {{{{c{k}::w{k}}}}}" for k in range(1, 4001)))


def _cloze_one_number_many_blanks() -> bytes:
    return _deck(" ".join(f"word {{{{c1::w{k}}}}}" for k in range(1, 20_001)))


def _markup_names() -> bytes:
    return (
        "---\ntitle: '[bold red]Deck[/] [link=https://example.com]title[/link]'\n---\n"
        "# Bad [/] topic\n\nQ: What is [blink]this[/blink]? [/]\nA: [link=https://example.com]a link[/link] [/]\n\n"
        "# [link=https://example.com]Linked[/link] topic\n\n"
        "Which one [/]?\n- [x] [bold]one[/bold] [/]\n- [ ] [/] two\n\n"
        + _conv(id="markup-drill", ask='"[/] Size {size}, kernel {kernel}, stride {stride}, padding {padding} [blink]?"')
    ).encode()


def _control_chars() -> bytes:
    esc = "\x1b"
    return (
        f"---\ntitle: \"{esc}]0;pwned{esc}\\\\ title\"\n---\n"
        f"# Topic {esc}[2J{esc}[H cleared\n\n"
        f"Q: What is {esc}]0;owned\x07 this?{esc}[31m\x9b2J\nA: An answer{esc}[?1049h here\x08\x08\n\n"
        + _conv(id="ctrl-drill", ask=f'"Size {{size}}{esc}[2J, kernel {{kernel}}, stride {{stride}}, padding {{padding}}?"')
    ).encode()


def _deep_blockquote() -> bytes:
    return _deck(">" * 100_000 + " deep")


def _deep_list() -> bytes:
    return _deck("\n".join("  " * k + "- item" for k in range(700)))


def _deep_math() -> bytes:
    return _deck("Q: What is $" + "\\frac{" * 20_000 + "x" + "}{2}" * 20_000 + "$?\nA: x")


def _long_heading() -> bytes:
    return ("# " + "x" * 1_000_000 + "\n\nIt is long.\n").encode()


def _many_options() -> bytes:
    return _deck("Which one?\n" + "".join(f"- [{'x' if k == 0 else ' '}] option {k}\n" for k in range(50_000)))


def _long_card() -> bytes:
    return _deck("Q: What is long?\nA: " + "word " * 200_000)


def _merged_labels() -> bytes:
    return _deck("".join(f"**Pros:** reason number {k}\n\n" for k in range(30_000)))


def _regex_lines() -> bytes:
    lines = [
        "**" + " " * 100_000 + "x",
        "$" + "$ " * 50_000,
        "__" + "a" * 100_000 + ":",
        "a" + " ::" * 30_000,
        "{{c1::" + "$" * 100_000,
        "- [ ]" + " " * 100_000,
        "`" * 100_000,
        "Q:" + " Q:" * 30_000,
    ]
    return _deck("\n\n".join(lines))


def _not_utf8() -> bytes:
    return b"# Topic\n\nQ: caf\xe9?\nA: coffee\n"


def _nul_bytes() -> bytes:
    return b"# Topic\x00\n\nQ: what\x00?\nA: nothing\x00\n"


def newest_apkg(collection: bytes, meta: bytes = b"\x08\x03") -> bytes:
    """An Anki package in its newest format: ``meta`` (version 3 unless given) and ``collection`` as collection.anki21b."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("meta", meta)
        archive.writestr("collection.anki21b", collection)
    return out.getvalue()


def zstd_stream(data: bytes, times: int = 1, **params: int) -> bytes:
    """A zstd frame of ``data`` ``times`` over, written by streaming as Anki writes one (no size in its header);
    ``params`` are zstandard.ZstdCompressionParameters."""
    import io

    import zstandard

    compressor = zstandard.ZstdCompressor(compression_params=zstandard.ZstdCompressionParameters(**params)) if params else zstandard.ZstdCompressor()
    out = io.BytesIO()
    with compressor.stream_writer(out, closefd=False) as writer:
        for _ in range(times):
            writer.write(data)
    return out.getvalue()


def _zstd_bomb() -> bytes:
    return newest_apkg(zstd_stream(bytes(1 << 20), 65))  # 2 KB that inflate to 65 MB


def _zstd_window() -> bytes:
    return newest_apkg(zstd_stream(b"x" * 100, window_log=31, write_content_size=0))


def _obsidian_tag_line() -> bytes:
    return ("---\nid: 1\n" + "tags:\n" + "  - flashcards\n" * 30_000 + "---\n" + "#flashcards " * 30_000 + "\nq::a\n").encode()


CASES: tuple[Case, ...] = (
    Case("front-alias-tags", "YAML aliases (billion laughs) in front matter, quoted by an error message", lambda: _front_alias("tags"), "alias"),
    Case("front-alias-title", "YAML aliases in front matter under title", lambda: _front_alias("title"), "alias"),
    Case("drill-alias-params", "YAML aliases expanded by the drill parameter check", _drill_alias_params, "alias", practise=False),
    Case("drill-alias-message", "YAML aliases quoted by a drill error message", _drill_alias_message, "alias", practise=False),
    Case("deep-yaml-drill", "50,000 nested YAML lists in a drill block", _deep_yaml_drill, "nest", practise=False),
    Case("deep-yaml-front", "50,000 nested YAML lists in front matter", _deep_yaml_front, "nest"),
    Case("front-many-keys", "40,000 unknown front matter keys, each reported at its line", _front_many_keys, "unknown front matter key"),
    Case("format-width", "a format spec of width 999999999 in ask", _format_width, "width", practise=False),
    Case("format-precision", "a format spec of precision 999999999 in ask", _format_precision, "precision", practise=False),
    Case("format-char", "{size:c} with sizes past the last Unicode character", _format_char, "", practise=True),
    Case("huge-vector", "a 10^8-element vector parameter", _huge_vector, "100000000", practise=False),
    Case("huge-matrix", "a 3000×64 matrix parameter", _huge_matrix, "3000", practise=False),
    Case("where-huge-range", "an impossible where over a range of 10^12 values", _where_huge_range, "where", on_load=False),
    Case("huge-expression", "300 derived values of 300 terms each", _huge_expression, "drill template"),
    Case("many-templates", "4,000 drill templates in one deck", _many_templates, "more than 500 drill templates"),
    Case("headings-40k", "40,000 topics", lambda: headings_deck(40_000)),
    Case("cloze-thousands", "one paragraph with 4,000 numbered clozes", _cloze_thousands, "cloze"),
    Case("cloze-many-blanks", "one cloze card with 20,000 blanks", _cloze_one_number_many_blanks, "cloze"),
    Case("markup-names", "Rich markup in the deck title, topics, cards and a drill", _markup_names),
    Case("control-chars", "terminal escape sequences in the title, a topic, a card and a drill", _control_chars, "control character"),
    Case("deep-blockquote", "100,000 nested blockquotes", _deep_blockquote),
    Case("deep-list", "700 nested list items", _deep_list),
    Case("too-large", "a deck of more than 1 MB", lambda: headings_deck(50_000), "larger than 1 MB"),
    Case("deep-math", "20,000 nested \\frac in one formula", _deep_math),
    Case("long-heading", "a heading of a million characters", _long_heading, "characters"),
    Case("many-options", "a multiple choice with 50,000 options", _many_options, "options"),
    Case("long-card", "a card answer of a million characters", _long_card, "characters"),
    Case("merged-labels", "30,000 Pros labels under one heading, merged into one card", _merged_labels, "characters"),
    Case("regex-lines", "long lines shaped against the format's line patterns", _regex_lines),
    Case("not-utf8", "bytes that are not UTF-8", _not_utf8, "not UTF-8"),
    Case("nul-bytes", "NUL bytes in the text", _nul_bytes, "control character"),
    Case("zstd-bomb", "an Anki package whose 2 KB zstd collection inflates to 65 MB", _zstd_bomb, "inflates past 64 MB", practise=False, suffix=".apkg"),
    Case("zstd-window", "a zstd collection asking the decoder for a 2 GB window", _zstd_window, "not readable zstd data", practise=False, suffix=".apkg"),
    Case("apkg-version", "an Anki package of a version after Anki's newest", lambda: newest_apkg(b"", meta=b"\x08\x7f"), "newer Anki", practise=False, suffix=".apkg"),
    Case("obsidian-tags", "30,000 front matter tags and a line of 30,000 #flashcards tags", _obsidian_tag_line),
)
