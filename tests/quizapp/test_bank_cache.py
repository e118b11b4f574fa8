"""The bank cache: a bank read back from it equals the bank parsed from the decks, and any change that
could make them differ (the deck, the code, the cache file itself) sends the loader back to parsing."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

import quizapp.content.loader as loader
from quizapp.cli import main as cli_main
from quizapp.content import cache as bank_cache
from quizapp.content.cache import BankCache, deck_from_dict, deck_to_dict
from quizapp.content.check import run as run_check
from quizapp.content.drill import DrillTemplate
from quizapp.content.loader import load_bank
from quizapp.generate import _plan, generate
from quizapp.paths import cache_dir

DATA = Path(__file__).parent / "data"

# Every kind of domain and template part the cache has to carry: text parameters with
# placeholders, constants, uniform draws with decimals, choices of nested lists, levels that add
# a parameter, derive, where, select, tags, a hint; plus a deck-level problem and a warning.
EXTRA_DECK = """\
---
id: extra
title: Extra deck for the cache
tags: [cache, test]
---

# Descent

Gradient descent steps against the gradient.

Q: What does the learning rate scale? {#extra-lr}
A: The step taken along the negative gradient.

Q: What does the learning rate scale? {#extra-lr}
A: A duplicate id, reported as a problem.

```drill
id: extra-descent
solver: gradient.descend
params:
  a: {range: [1, 5]}
  f: "(w - {a})**2"
  start: 0
  lr: {uniform: [0.05, 0.3], decimals: 2}
  steps: [2, 3]
where:
  - lr * steps < 1
levels:
  easy: {steps: [1]}
ask: "Descend on f(w) = (w − {a})² from w₀ = {start} with lr = {lr}: w after step {steps}?"
answer: {form: decimal, sig_figs: 3, abs_tol: 0.001}
tags: [descent, iterative]
hint: "Each step multiplies w − a by (1 − 2·lr)."
```

# Receptive field

```drill
id: extra-rf
solver: conv.receptive_field
params:
  layers:
    - [[3, 1], [3, 1]]
    - [[3, 1], [2, 2], [3, 1]]
ask: "Layers (kernel, stride) {layers}: receptive field of one output?"
answer: {form: integer}
```

```drill
id: extra-vector
solver: attention.softmax
params:
  x: {vector: 3, uniform: [-2, 2], decimals: 1}
ask: "softmax({x})?"
answer: {form: vector, sig_figs: 2}
```
"""


@pytest.fixture
def cache_in(tmp_path, monkeypatch):
    """A private, empty cache folder (the session-wide one is shared by the other tests)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("QUIZAPP_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def parses(monkeypatch):
    """The decks the loader parsed (by path) since the fixture was set up."""
    seen: list[Path] = []
    real = loader.parse_deck

    def counting(text, path):
        seen.append(Path(path))
        return real(text, path)

    monkeypatch.setattr(loader, "parse_deck", counting)
    return seen


@pytest.fixture
def decks(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    for name in ("small.md", "bad.md"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    (folder / "extra.md").write_text(EXTRA_DECK, encoding="utf-8")
    return folder


def _instances(bank, seeds=range(8)):
    """Every template's instances at every level, generated afresh (generate caches plans by template)."""
    _plan.cache_clear()
    out = []
    for template in bank.templates():
        for level in ("easy", "medium", "hard"):
            for seed in seeds:
                try:
                    out.append(generate(template, seed, level))
                except ValueError as err:  # a template bad.md makes unsatisfiable fails the same way both times
                    out.append(str(err))
    return out


# --------------------------------------------------------------------------- the same bank either way


def test_the_shipped_bank_from_the_cache_equals_the_parsed_bank(cache_in, parses):
    parsed = load_bank([], bundled=True)
    first = load_bank([], bundled=True, cache=True)  # parses and writes the cache
    n_decks = len(parsed.decks)
    assert len(parses) == 2 * n_decks
    cached = load_bank([], bundled=True, cache=True)
    assert len(parses) == 2 * n_decks, "the second load must not parse"
    assert first == parsed
    assert cached == parsed
    assert cached.cards() == parsed.cards()
    assert cached.templates() == parsed.templates()
    assert cached.all_problems() == parsed.all_problems()
    assert len(list((cache_in / "decks").glob("*.json"))) == n_decks


def test_decks_with_problems_and_every_domain_kind_come_back_equal(cache_in, parses, decks):
    parsed = load_bank([decks], bundled=False)
    load_bank([decks], bundled=False, cache=True)
    before = len(parses)
    cached = load_bank([decks], bundled=False, cache=True)
    assert len(parses) == before
    assert cached == parsed
    assert [str(p) for p in cached.all_problems()] == [str(p) for p in parsed.all_problems()]
    assert any("duplicate id" in p.message for p in cached.all_problems())
    kinds = {type(dom).__name__ for t in cached.templates() for _, dom in t.params}
    assert kinds >= {"Choice", "IntRange", "Uniform", "ArrayDomain", "Const", "Text"}
    assert any(t.derive for t in cached.templates()) and any(t.where for t in cached.templates())


def test_templates_from_the_cache_generate_the_same_instances(cache_in, decks):
    parsed = load_bank([decks], bundled=True)
    load_bank([decks], bundled=True, cache=True)
    cached = load_bank([decks], bundled=True, cache=True)
    assert _instances(cached) == _instances(parsed)


def test_derive_and_where_evaluate_alike_after_a_json_round_trip():
    bank = load_bank([DATA / "small.md"], bundled=True)
    checked = 0
    for template in bank.templates():
        back = DrillTemplate.from_dict(json.loads(json.dumps(template.to_dict(), allow_nan=False)))
        assert back == template
        env = {name: 3 for name, _ in template.params} | {d.name: 5 for d in template.derive}
        for old, new in zip(template.derive + template.where, back.derive + back.where):
            assert old.text == new.text and old.line == new.line
            try:
                expected = old.evaluate(env)
            except (ValueError, ArithmeticError, KeyError, TypeError) as err:
                with pytest.raises(type(err)):
                    new.evaluate(env)
            else:
                assert new.evaluate(env) == expected
            checked += 1
    assert checked > 5


def test_deck_to_dict_is_json_and_round_trips():
    deck = loader.load_deck(DATA / "small.md")
    data = json.loads(json.dumps(deck_to_dict(deck), ensure_ascii=False, allow_nan=False))
    assert deck_from_dict(data) == deck


# --------------------------------------------------------------------------- when the cache is not used


def test_an_edited_deck_is_parsed_again(cache_in, parses, decks):
    path = decks / "small.md"
    load_bank([decks], bundled=False, cache=True)
    text = path.read_text(encoding="utf-8")
    edited = text.replace("What does stride mean?", "What does stride do?")
    assert len(edited) == len(text) - 2
    stat = path.stat()
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: the content hash tells
    parses.clear()
    bank = load_bank([decks], bundled=False, cache=True)
    assert parses == [path]
    assert any(c.question == "What does stride do?" for c in bank.cards())
    assert bank == load_bank([decks], bundled=False)


def test_a_touched_deck_is_parsed_again(cache_in, parses, decks):
    load_bank([decks], bundled=False, cache=True)
    path = decks / "bad.md"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    parses.clear()
    load_bank([decks], bundled=False, cache=True)
    assert parses == [path]


def test_an_entry_of_other_code_is_not_used(cache_in, decks):
    path = decks / "small.md"
    raw = path.read_bytes()
    now = BankCache.open()
    assert now.store(path, raw, loader.load_deck(path))
    assert now.lookup(path, raw) is not None
    changed = BankCache(now.directory, (*now.code[:-1], (now.code[-1][0], now.code[-1][1] + 1, now.code[-1][2])))
    assert changed.lookup(path, raw) is None
    assert BankCache(now.directory, now.code).lookup(path, raw + b"\n") is None


def test_an_entry_of_changed_parsing_libraries_is_not_used(cache_in, decks, monkeypatch):
    path = decks / "small.md"
    raw = path.read_bytes()
    store = BankCache.open()
    store.store(path, raw, loader.load_deck(path))
    entry = store.entry_path(path)
    data = json.loads(entry.read_bytes())
    data["dependencies"][0][2] += 1  # as if markdown-it had been reinstalled since
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert store.lookup(path, raw) is None


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"[1, 2, 3]",
        b'{"key": {}, "dependencies": [], "deck": {}}',
        "\u00ff".encode("latin-1"),
    ],
    ids=["empty", "truncated", "not-a-mapping", "wrong-key", "not-utf8"],
)
def test_a_damaged_entry_is_ignored_and_rewritten(cache_in, parses, decks, damage):
    parsed = load_bank([decks], bundled=False)
    load_bank([decks], bundled=False, cache=True)
    entry = BankCache.open().entry_path(decks / "small.md")
    entry.write_bytes(damage)
    parses.clear()
    assert load_bank([decks], bundled=False, cache=True) == parsed
    assert parses == [decks / "small.md"]
    assert json.loads(entry.read_bytes())["key"]["path"] == str(decks / "small.md")
    parses.clear()
    assert load_bank([decks], bundled=False, cache=True) == parsed
    assert parses == []


def test_a_well_formed_entry_with_wrong_contents_is_ignored(cache_in, parses, decks):
    parsed = load_bank([decks], bundled=False)
    load_bank([decks], bundled=False, cache=True)
    entry = BankCache.open().entry_path(decks / "small.md")
    data = json.loads(entry.read_bytes())
    data["deck"]["cards"][0]["kind"] = "no-such-kind"
    entry.write_text(json.dumps(data), encoding="utf-8")
    parses.clear()
    assert load_bank([decks], bundled=False, cache=True) == parsed
    assert parses == [decks / "small.md"]


def test_no_temporary_files_are_left_behind(cache_in, decks):
    load_bank([decks], bundled=True, cache=True)
    names = [p.name for p in (cache_in / "decks").iterdir()]
    assert names and all(n.endswith(".json") and not n.startswith(".") for n in names)


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch, parses, decks):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("QUIZAPP_CACHE_DIR", str(blocker / "cache"))
    parsed = load_bank([decks], bundled=False)
    assert load_bank([decks], bundled=False, cache=True) == parsed
    assert load_bank([decks], bundled=False, cache=True) == parsed


def test_unreadable_files_are_reported_as_without_the_cache(cache_in, tmp_path):
    missing = tmp_path / "missing.md"
    folder = tmp_path / "folder.md"
    folder.mkdir()
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"# Title\n\n\xff\xfe not utf-8\n")
    for path in (missing, binary):
        assert load_bank([path], bundled=False, cache=True) == load_bank([path], bundled=False)
    assert not (cache_in / "decks").exists() or not any((cache_in / "decks").iterdir())
    assert loader.load_deck(folder).problems[0].message == "is a folder, not a deck file"


# --------------------------------------------------------------------------- who uses it


def test_the_commands_load_through_the_cache(cache_in, parses, capsys):
    assert cli_main(["topics"]) == 0
    first = len(parses)
    assert first > 0
    assert cli_main(["topics"]) == 0
    assert len(parses) == first
    assert capsys.readouterr().out


def test_quizapp_check_always_parses(cache_in, parses):
    load_bank([], bundled=True, cache=True)
    parses.clear()
    assert run_check([], extra=[], bundled=True, instances=2, out=io.StringIO()) == 0
    assert len(parses) == len(load_bank([], bundled=True).decks)


def test_cache_dir_follows_the_environment_then_the_platform(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZAPP_CACHE_DIR", str(tmp_path / "here"))
    assert cache_dir() == tmp_path / "here"
    assert not (tmp_path / "here").exists()  # created only when something is written
    monkeypatch.delenv("QUIZAPP_CACHE_DIR")
    from platformdirs import user_cache_path

    assert cache_dir() == user_cache_path("quizapp", appauthor=False)


def test_entries_are_json_never_pickle(cache_in, decks):
    load_bank([decks], bundled=False, cache=True)
    for entry in (cache_in / "decks").glob("*.json"):
        data = json.loads(entry.read_bytes())
        assert set(data) == {"key", "dependencies", "deck"}
        assert data["key"]["format"] == bank_cache.FORMAT
