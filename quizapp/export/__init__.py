"""Provides `quizapp export`: the cards of the chosen topics plus generated drills, in one of the FORMATS.

Every format is a pure function of (bank, topics, count, seed): the same arguments give
byte-identical output. Without ``--seed`` the export uses seed 0 (not a random one), so two runs
of the same command agree. The chosen topics' T templates are put in a round-robin order (one
template from each topic in turn; topics and the templates within each shuffled by the seed, see
``template_order``), so any count of instances covers the topics evenly. Instance ``k`` (0-based)
comes from template ``k mod T`` of that order at level ``("medium", "easy", "hard")[(k // T) mod 3]``
with the seed ``sha256("export", seed, k)`` (31 bits), recorded with the instance, so
``generate(template, instance.seed, instance.level)`` reproduces it. Files are written atomically
(a temporary file in the same folder, then ``os.replace``); without ``-o`` the text formats go to
stdout. Card ``source`` paths inside the shipped bank are written relative to it, so the export
does not depend on where quizapp is installed.
"""

from __future__ import annotations

import hashlib
import os
import random
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from quizapp import __version__
from quizapp.content.model import Bank, Card, Deck, SourceRef

if TYPE_CHECKING:
    from quizapp.content.drill import DrillTemplate

__all__ = ["FORMATS", "ExportData", "collect", "instance_seed", "render", "render_report", "run", "template_order", "write_atomic"]

FORMATS = ("json", "csv", "md", "anki", "apkg", "anki-tsv", "moodle-xml", "gift")
_MODULES = {
    "json": "json",
    "csv": "csv",
    "md": "markdown",
    "anki": "anki",
    "apkg": "anki",
    "anki-tsv": "anki_tsv",
    "moodle-xml": "moodle_xml",
    "gift": "gift",
}
"""The module of each format (``apkg`` is another name for ``anki``)."""
_BINARY = ("anki", "apkg")
_LEVEL_CYCLE = ("medium", "easy", "hard")


@dataclass(frozen=True)
class ExportData:
    """What every format writes: cards and drill instances, with the seed that made them."""

    seed: int
    topics: tuple[str, ...]
    decks: tuple[Deck, ...]
    cards: tuple[Card, ...]
    instances: tuple  # tuple[DrillInstance, ...]
    generator: str = f"quizapp {__version__}"
    templates: tuple = ()
    """The chosen topics' drill templates in ``template_order`` (none with ``count`` 0): formats that write
    templates whole (Moodle's calculated questions) take them from here."""

    def deck_title(self, deck_id: str) -> str:
        for d in self.decks:
            if d.id == deck_id:
                return d.title
        return deck_id


def instance_seed(seed: int, k: int) -> int:
    """The seed of the k-th exported instance: 31 bits of sha256("export", seed, k)."""
    digest = hashlib.sha256(f"export\x1f{seed}\x1f{k}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF


def template_order(templates: Sequence[DrillTemplate], seed: int) -> list[DrillTemplate]:
    """``templates`` in the order the export takes them: one from each topic in turn until all are taken.

    Templates are grouped by (deck, topic); the groups and the templates within each are shuffled by
    ``random.Random(int.from_bytes(sha256("export-order", seed)[:8], "big"))``; then the first of each
    group, the second of each, and so on. So the first n templates spread over min(n, topics) topics,
    no topic more than one ahead of another while it has templates left.
    """
    digest = hashlib.sha256(f"export-order\x1f{seed}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    groups: dict[tuple[str, str], list[DrillTemplate]] = {}
    for template in templates:
        groups.setdefault((template.deck, template.topic), []).append(template)
    queues = list(groups.values())
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)
    order = []
    for depth in range(max((len(q) for q in queues), default=0)):
        order += [q[depth] for q in queues if depth < len(q)]
    return order


def collect(bank: Bank, *, topics: Sequence[str] | None, count: int, seed: int, warn: Callable[[str], None] | None = None) -> ExportData:
    """Every card of ``topics`` and ``count`` drill instances taking their templates in ``template_order``."""
    from quizapp.generate import GenerationError, generate

    cards = tuple(_portable(c) for c in bank.cards(topics or None))
    templates = template_order(bank.templates(topics or None), seed)
    instances = []
    if templates:
        for k in range(count):
            template = templates[k % len(templates)]
            level = _LEVEL_CYCLE[(k // len(templates)) % len(_LEVEL_CYCLE)]
            try:
                instances.append(generate(template, instance_seed(seed, k), level))
            except GenerationError as exc:
                if warn is not None:
                    warn(f"quizapp: skipped a drill: {exc}")
    decks = tuple(d for d in bank.decks if any(c.deck == d.id for c in cards) or any(i.deck == d.id for i in instances))
    chosen = tuple(templates) if count > 0 else ()
    used = {d.id for d in decks} | {t.deck for t in chosen}
    decks = tuple(d for d in bank.decks if d.id in used)
    return ExportData(seed=seed, topics=tuple(topics or ()), decks=decks, cards=cards, instances=tuple(instances), templates=chosen)


def _portable(card: Card) -> Card:
    """The card with its source path relative to the shipped bank when it comes from there."""
    try:
        from quizapp.paths import bundled_content_dir

        root = bundled_content_dir()
    except FileNotFoundError:
        return card
    path = Path(card.source.path)
    try:
        relative = path.resolve().relative_to(root)
    except (ValueError, OSError):
        return card
    return replace(card, source=SourceRef(relative.as_posix(), card.source.line))


def render(data: ExportData, fmt: str) -> bytes:
    """The export in ``fmt`` as bytes."""
    return render_report(data, fmt)[0]


def render_report(data: ExportData, fmt: str) -> tuple[bytes, str | None]:
    """(the export in ``fmt`` as bytes, what the format says about how it wrote the drills, or None)."""
    import importlib

    if fmt not in _MODULES:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"quizapp.export.{_MODULES[fmt]}")
    if hasattr(module, "render_report"):
        return module.render_report(data)
    return module.render(data), None


def write_atomic(path: Path, data: bytes | Path) -> None:
    """Write ``data`` (bytes, or a file's content when a Path) to ``path`` via a temporary file in the same
    folder and os.replace (never half a file).

    Device files and FIFOs are written to directly: replacing /dev/null with a regular file would
    break every other program on the machine.
    """
    path = Path(os.path.realpath(path))  # through a symlink to its file, not over the link
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        # /dev/null, /dev/stdout, a FIFO: these are written to, never replaced by a regular file.
        with open(path, "wb") as handle:
            handle.write(data.read_bytes() if isinstance(data, Path) else data)
        return
    directory = path.parent
    if path.exists():
        mode = path.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, Path):
                import shutil

                with open(data, "rb") as source:
                    shutil.copyfileobj(source, handle)
            else:
                handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def run(bank: Bank, fmt: str, *, topics: Sequence[str] | None, count: int | None, seed: int | None, output: Path | None) -> int:
    """`quizapp export`: 0 on success, 2 on a usage problem (anki without -o, unwritable file)."""
    if fmt not in FORMATS:
        print(f"quizapp export: unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    if fmt in _BINARY and output is None:
        print("quizapp export: the anki format writes a .apkg file: give it with -o FILE", file=sys.stderr)
        return 2
    data = collect(
        bank,
        topics=topics,
        count=20 if count is None else count,
        seed=0 if seed is None else seed,
        warn=lambda message: print(message, file=sys.stderr),
    )
    payload, report = render_report(data, fmt)
    if report:
        print(f"quizapp export: {report}", file=sys.stderr)
    if output is None:
        try:
            sys.stdout.flush()
            sys.stdout.buffer.write(payload)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise  # the reader stopped reading (`| head`): the command line ends quietly
        except OSError as exc:  # a full disk behind `> FILE`, /dev/full
            print(f"quizapp export: cannot write to standard output: {exc.strerror or exc}", file=sys.stderr)
            return 2
        return 0
    try:
        write_atomic(output, payload)
    except OSError as exc:
        print(f"quizapp export: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
