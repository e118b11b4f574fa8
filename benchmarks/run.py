"""Provides `make bench`: whole-run figures, each printed next to a baseline measured in the same run.

Sections: the answer checker and the solvers (per call, vs a bare Python call), the content bank
(load time, drill instances per second), the export command as a whole process (vs `python -c pass`
and `python -c "import numpy"`), the TUI (time to the first question ready for input and peak
memory, vs a bare Textual app showing one line; feedback latency after Enter), and statistics on a
history of 100,000 answers (vs reading every attempt row); untrusted decks (growth with size: headings and
``q :: a`` paragraphs, and each hostile deck's time and memory).
Usage: python benchmarks/run.py [section ...]   (sections: checker solvers bank export tui stats)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def median_seconds(fn: Callable[[], Any], *, repeat: int = 7, number: int | None = None) -> float:
    """Median over `repeat` rounds of the mean time of one call (number calls a round, auto-sized)."""
    if number is None:
        number, elapsed = 1, 0.0
        while True:
            start = time.perf_counter()
            for _ in range(number):
                fn()
            elapsed = time.perf_counter() - start
            if elapsed > 0.05 or number >= 1_000_000:
                break
            number *= 4
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def fmt_time(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:8.1f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:8.1f} ms"
    return f"{seconds:8.2f} s "


def row(label: str, seconds: float, baseline: float | None = None, extra: str = "") -> None:
    ratio = f"{seconds / baseline:10.1f}×" if baseline else " " * 11
    print(f"  {label:<52} {fmt_time(seconds)} {ratio}  {extra}".rstrip())


def _bare_call() -> None:
    return None


def section_checker() -> None:
    from quizapp.answers import Tolerance, check

    baseline = median_seconds(_bare_call)
    print("\nanswer checker: median time of one check(), ratio to a bare Python function call")
    row("bare Python function call (baseline)", baseline, baseline)
    cases = [
        ("integer '16'", "16", 16, Tolerance(exact=True)),
        ("decimal '0.0884' (3 s.f.)", "0.0884", 0.08838834764831845, Tolerance(sig_figs=3)),
        ("expression 'sqrt(2/256)'", "sqrt(2/256)", 0.08838834764831845, Tolerance(sig_figs=3)),
        ("scientific '8.84·10^-2'", "8.84·10^-2", 0.08838834764831845, Tolerance(sig_figs=3)),
        ("shape '16x16'", "16x16", (16, 16), Tolerance(exact=True)),
        ("vector '[0.09, 0.245, 0.665]'", "[0.09, 0.245, 0.665]", [0.0900, 0.2447, 0.6652], Tolerance(sig_figs=2)),
        ("matrix '[[1, 2], [3, 4]]'", "[[1, 2], [3, 4]]", [[1, 2], [3, 4]], Tolerance(exact=True)),
    ]
    for label, text, expected, tol in cases:
        row(label, median_seconds(lambda t=text, e=expected, tl=tol: check(t, e, tl)), baseline)
    for label, text in [("adversarial '9**9**9**9'", "9**9**9**9"), ("adversarial 10,000 '('", "(" * 10_000 + "1" + ")" * 10_000)]:
        def attempt(text: str = text) -> None:
            try:
                check(text, 1.0, Tolerance(sig_figs=3))
            except ValueError:
                pass
        row(label, median_seconds(attempt, repeat=5), baseline, "(refused)")


SOLVER_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("conv.output_size", dict(size=32, kernel=3, stride=2, padding=1)),
    ("conv.param_count", dict(c_in=64, c_out=128, kernel=3)),
    ("conv.pool_output_size", dict(size=32, kernel=2)),
    ("conv.transposed_output_size", dict(size=16, kernel=4, stride=2, padding=1)),
    ("conv.receptive_field", dict(layers=[[3, 1], [3, 1], [2, 2], [3, 1]])),
    ("conv.macs", dict(size=32, c_in=64, c_out=128, kernel=3, padding=1)),
    ("linear.param_count", dict(n_in=784, n_out=256)),
    ("linear.forward", dict(w=[[1, 2], [3, 4]], x=[1, -1], b=[0.5, 0.5])),
    ("init.fans", dict(shape=[128, 64, 3, 3])),
    ("init.he_std", dict(fan_in=576)),
    ("init.he_uniform_bound", dict(fan_in=576)),
    ("init.xavier_std", dict(fan_in=256, fan_out=128)),
    ("init.xavier_uniform_bound", dict(fan_in=256, fan_out=128)),
    ("init.lecun_std", dict(fan_in=256)),
    ("gradient.descend", dict(f="(w - 3)**2", start=0.0, lr=0.1, steps=3)),
    ("gradient.backprop", dict(x=[1.0, 2.0], y=[1.0], w1=[[0.1, 0.2], [0.3, -0.1]], b1=[0.0, 0.0], w2=[[0.5, -0.5]], b2=[0.0])),
    ("attention.softmax", dict(x=[1.0, 2.0, 3.0])),
    ("attention.scaled_dot_product", dict(q=[[1, 0], [0, 1]], k=[[1, 0], [0, 1]], v=[[1, 2], [3, 4]])),
    ("attention.self_attention", dict(x=[[1, 0], [0, 1]], w_q=[[1, 0], [0, 1]], w_k=[[1, 0], [0, 1]], w_v=[[1, 2], [3, 4]])),
    ("attention.shapes", dict(n_tokens=10, d_model=512, d_k=64, d_v=64)),
    ("attention.multi_head_param_count", dict(d_model=512, n_heads=8)),
    ("linear.flops", dict(n_in=784, n_out=256, batch=32)),
    ("gradient.max_stable_lr", dict(curvature=10)),
    ("init.default_uniform_bound", dict(fan_in=256)),
    ("loss.cross_entropy", dict(logits=[2.0, 1.0, 0.1], target=0)),
    ("loss.binary_cross_entropy", dict(p=0.8, y=1)),
    ("loss.mse", dict(pred=[1.0, 2.0], target=[0.5, 2.5])),
    ("loss.activation_derivative", dict(x=0.5, activation="sigmoid")),
]


def section_solvers() -> None:
    import solvers

    baseline = median_seconds(_bare_call)
    print("\nsolvers: median time of one call (with its worked steps), ratio to a bare Python function call")
    row("bare Python function call (baseline)", baseline, baseline)
    registry = solvers.registry()
    for name, params in SOLVER_CALLS:
        if name not in registry:
            print(f"  {name:<52} (not registered)")
            continue
        spec = registry[name]
        row(name, median_seconds(lambda s=spec, p=params: s.solve(**p), repeat=5), baseline)
    missing = sorted(set(registry) - {name for name, _ in SOLVER_CALLS})
    if missing:
        print(f"  not measured (add them to SOLVER_CALLS): {', '.join(missing)}")


def section_bank() -> None:
    from quizapp.content.loader import load_bank
    from quizapp.generate import generate

    print("\ncontent bank")
    from quizapp.paths import bundled_content_dir

    files = sorted(bundled_content_dir().rglob("*.md"))
    baseline = median_seconds(lambda: [f.read_text(encoding="utf-8") for f in files], repeat=7)
    row(f"read the bank's {len(files)} files as text (baseline)", baseline, baseline)
    load = median_seconds(lambda: load_bank([], bundled=True), repeat=7, number=1)
    bank = load_bank([], bundled=True)
    row("load the whole shipped bank", load, baseline, f"{len(bank.cards())} cards, {len(bank.templates())} templates; goal < 100 ms")
    with tempfile.TemporaryDirectory() as tmp:
        previous = os.environ.get("QUIZAPP_CACHE_DIR")
        os.environ["QUIZAPP_CACHE_DIR"] = tmp
        try:
            load_bank([], bundled=True, cache=True)  # parses and writes the cache
            cached = median_seconds(lambda: load_bank([], bundled=True, cache=True), repeat=7, number=1)
        finally:
            if previous is None:
                del os.environ["QUIZAPP_CACHE_DIR"]
            else:
                os.environ["QUIZAPP_CACHE_DIR"] = previous
    row("  the same from the bank cache (as the app starts)", cached, baseline)
    probe = (
        "import sys, time; t = time.perf_counter(); from quizapp.content.loader import load_bank; "
        "load_bank([], bundled=True, cache=CACHE); print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        env = {**_compiled_env(tmp), "QUIZAPP_CACHE_DIR": tmp}
        subprocess.run([PY, "-c", probe.replace("CACHE", "False")], check=True, env=env, stdout=subprocess.DEVNULL)  # compiles
        fresh = [float(subprocess.run([PY, "-c", probe.replace("CACHE", "False")], capture_output=True, text=True, check=True, env=env).stdout) for _ in range(3)]
        subprocess.run([PY, "-c", probe.replace("CACHE", "True")], check=True, env=env, stdout=subprocess.DEVNULL)
        warm = [float(subprocess.run([PY, "-c", probe.replace("CACHE", "True")], capture_output=True, text=True, check=True, env=env).stdout) for _ in range(3)]
    row("  in a fresh process, imports included: parsed", statistics.median(fresh), baseline)
    row("  in a fresh process, imports included: from the cache", statistics.median(warm), baseline)
    templates = bank.templates()
    groups: dict[str, list[Any]] = {}
    for t in templates:
        groups.setdefault("arithmetic" if t.solver.split(".")[0] in ARITHMETIC else "matrix/iterative", []).append(t)
    for kind, group in sorted(groups.items()):
        family = f"{kind} ({', '.join(sorted({t.solver.split('.')[0] for t in group}))})"
        n = 10_000
        start = time.perf_counter()
        for i in range(n):
            generate(group[i % len(group)], seed=i)
        elapsed = time.perf_counter() - start
        print(f"  generate + solve 10,000 instances, {family:<38} {n / elapsed:8,.0f} instances/s ({len(group)} templates)")
    print("  (goal: at least 5,000 instances/s for the arithmetic solvers)")


ARITHMETIC = {"conv", "linear", "init"}


def _history(store: Any, bank: Any, n: int) -> None:
    """``n`` answers to the shipped bank over a year (every item scheduled; a third of the wrong drill
    answers name a misconception), as a heavy user's progress database would hold them."""
    import random
    from datetime import UTC, datetime, timedelta

    from quizapp.generate import GenerationError, generate
    from quizapp.schedule import review

    rng = random.Random(0)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    items = [(c.id, str(c.kind), c.topic, c.deck, ()) for c in bank.cards()]
    for t in bank.templates():
        try:
            names = tuple(m.name for m in generate(t, 1, "medium").misconceptions)
        except GenerationError:
            names = ()
        items.append((t.id, "drill", t.topic, t.deck, names))
    # Oldest first, as answers are recorded (so the recent weeks are the end of the table, as in real use).
    seconds_ago = sorted((rng.randrange(365 * 86400) for _ in range(n)), reverse=True)
    with store.batch():
        for i, ago in enumerate(seconds_ago):
            item_id, kind, topic, deck, names = items[rng.randrange(len(items))]
            rating = rng.choices((1, 2, 3, 4), (0.15, 0.15, 0.6, 0.1))[0]
            store.record_attempt(
                item_id, kind=kind, topic=topic, deck=deck, verdict="wrong" if rating == 1 else "correct", rating=rating,
                seed=1 if kind == "drill" else None, level="medium" if kind == "drill" else None,
                misconception=rng.choice(names) if names and rating == 1 and i % 3 == 0 else None,
                now=now - timedelta(seconds=ago),
            )
        for item_id, kind, topic, deck, _ in items:
            when = now - timedelta(days=rng.randrange(60))
            store.save_state(item_id, review(None, rng.choice((1, 3, 4)), when)[0], now=when, kind=kind, topic=topic, deck=deck)


def section_stats() -> None:
    from datetime import UTC, datetime

    from quizapp.content.loader import load_bank
    from quizapp.stats import compute
    from quizapp.store import Store

    n = 100_000
    print(f"\nstatistics on a history of {n:,} answers (median of 7), ratio to reading every attempt row")
    bank = load_bank([], bundled=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "progress.sqlite3")
        start = time.perf_counter()
        _history(store, bank, n)
        print(f"  (history written in {time.perf_counter() - start:.1f} s: {len(bank.cards()) + len(bank.templates())} items scheduled)")
        now = datetime(2026, 6, 1, tzinfo=UTC)
        baseline = median_seconds(lambda: store._db.execute("SELECT * FROM attempts").fetchall(), repeat=7, number=1)
        row(f"read all {n:,} attempt rows (baseline)", baseline, baseline)
        compute(store, bank, now=now, tz=UTC)  # imports quizapp.generate once, as the first stats of a process does
        stats = median_seconds(lambda: compute(store, bank, now=now, tz=UTC), repeat=7, number=1)
        row("compute every figure of `quizapp stats`", stats, baseline, "goal ≤ 300 ms")
        check = median_seconds(lambda: store.check_rows("attempts"), repeat=7, number=1)
        row("  for comparison: check every row's types", check, baseline, "(stats checks only the rows it reads)")
        first, opened, bare = _open_stats_screen(store, bank, now)
        row("open the TUI's Statistics screen, painted (median of 5)", statistics.median(opened), baseline, "goal ≤ 300 ms")
        row("  its first opening, textual-plotext imported", first, baseline)
        row("  for comparison: open Help, a screen of text (median of 5)", statistics.median(bare), baseline)
        store.close()
        env = {**os.environ, "QUIZAPP_CACHE_DIR": tmp}
        command = [PY, "-m", "quizapp", "stats", "--json", "--data-dir", tmp]
        _run_measured(command, env)  # writes the bank cache, as any earlier run would have
        whole, peak = median_process(command, repeat=3, env=env)
        bare, _ = median_process([PY, "-c", "pass"], repeat=3)
        row("the whole `quizapp stats --json` process (median of 3)", whole, bare, f"×: vs `python -c pass`; peak {peak / 1024:.0f} MB")


def _open_stats_screen(store: Any, bank: Any, now: Any) -> tuple[float, list[float], list[float]]:
    """Seconds from asking for the Statistics screen to it shown with its figures and plots drawn, in a
    headless app at 100×32: the first time (its module and textual-plotext imported), five more times,
    and five openings of Help (a screen of text and a footer: what any screen costs Textual)."""
    import asyncio

    from quizapp.tui.app import make_app

    async def run() -> tuple[float, list[float], list[float]]:
        with tempfile.TemporaryDirectory() as data:
            app = make_app(bank, store=store, data_dir=data, now=now)
            times: dict[str, list[float]] = {"stats": [], "help": []}
            async with app.run_test(size=(100, 32)) as pilot:
                await pilot.pause()
                for name, opens in (("help", app.action_help), ("stats", app.open_stats)):
                    for _ in range(6):
                        start = time.perf_counter()
                        opens()
                        await pilot.pause()  # mounted (or resumed), computed and refreshed
                        app.screen._compositor.render_update(full=True)  # and painted: the plots render here
                        times[name].append(time.perf_counter() - start)
                        app.pop_screen()
                        await pilot.pause()
            return times["stats"][0], times["stats"][1:], times["help"][1:]

    return asyncio.run(run())


def _run_measured(args: list[str], env: dict[str, str] | None = None, allowed: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one child, via wait4 so the memory is that child's own (an exit
    status not in ``allowed`` is an error)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.returncode not in allowed:
        raise RuntimeError(f"{args} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss


def median_process(args: list[str], *, repeat: int = 5, env: dict[str, str] | None = None) -> tuple[float, int]:
    runs = [_run_measured(args, env) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def section_export() -> None:
    print("\nexport as a whole process (median of 5), ratio to `python -c pass`")
    base, _ = median_process([PY, "-c", "pass"])
    row("python -c pass (baseline)", base, base)
    numpy_t, _ = median_process([PY, "-c", "import numpy"])
    row('python -c "import numpy"', numpy_t, base)
    with tempfile.TemporaryDirectory() as tmp:
        # Compiled bytecode and a bank cache of this run's own (the first run fills both).
        env = {**_compiled_env(tmp), "QUIZAPP_CACHE_DIR": str(Path(tmp) / "cache")}
        out = str(Path(tmp) / "bank.json")
        export = [PY, "-m", "quizapp", "export", "--format", "json", "--count", "10000", "--seed", "1", "-o", out]
        _run_measured(export, env)
        t, _ = median_process(export, env=env)
        row("quizapp export --format json --count 10000", t, base, f"{Path(out).stat().st_size / 1e6:.1f} MB")
        probe = (
            "import sys, runpy; sys.argv=['quizapp','export','--format','json','--count','50','-o','/dev/null'];"
            "from quizapp.cli import main; main(); "
            "print(','.join(m for m in ('textual','sympy','rich') if m in sys.modules) or 'none')"
        )
        heavy = subprocess.run([PY, "-c", probe], capture_output=True, text=True, check=True, env=env).stdout.strip()
    print(f"  heavy modules imported by export: {heavy}")


# The two children print the monotonic clock when the first question is shown and ready for input:
# the first frame the app hands to its driver (App._display, which headless skips writing) while an
# Input has the focus. Both sides are timed at that same event: the bare app focuses its Input while
# mounting and paints a few ms later, ours paints the question with the input focused. The bare
# child wraps App._display before it starts; quizapp's, when the command imports textual.app. The parent
# takes the time from spawning them to that moment (the goal's measure) and to their exit.
# Each child prints its own peak memory too: the kernel's high-water mark of its address space since
# exec (VmHWM). The rusage of a child also counts the parent's pages it held between fork and exec,
# which after the other sections have run is more than the app itself uses.
_PRINT_PEAK = (
    "for _line in open('/proc/self/status'):\n"
    "    if _line.startswith('VmHWM:'):\n"
    "        print('peak_kib=' + _line.split()[1])"
)

_SHOWN = textwrap.dedent(
    """
    import sys, time
    from textual.app import App
    from textual.widgets import Input

    SHOWN = {}
    _display = App._display

    def _display_timed(self, screen, renderable):
        _display(self, screen, renderable)
        if renderable is not None and not self._batch_count and isinstance(self.focused, Input):
            SHOWN.setdefault("at", time.monotonic())

    App._display = _display_timed

    async def ready(pilot):
        while "at" not in SHOWN:
            await pilot.pause(0.001)
        print(f"ready={SHOWN['at']}")
        REPORT
        pilot.app.exit()
    """
)

BARE_APP = _SHOWN.replace("REPORT", "") + textwrap.dedent(
    """
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("What is 2 + 2?")
            yield Input()

    Bare().run(headless=True, size=(100, 32), auto_pilot=ready)
    PEAK
    """
)

QUIZ_APP = textwrap.dedent(
    """
    import importlib.abc, importlib.machinery, sys, time

    # The real command, `quizapp drill --topic conv`, from its entry point: argument parsing, the
    # bank from its cache (QUIZAPP_CACHE_DIR), then the app. The command imports Textual itself
    # (after it has paused the garbage collector), so nothing of Textual is imported here: the
    # same timing hook as the bare app's is put on textual.app when the command loads it. Only
    # the terminal is replaced: the app runs headless, and the check for a terminal (without one
    # the command asks in plain text) is told there is one.
    SHOWN = {}

    async def ready(pilot):
        while "at" not in SHOWN:
            await pilot.pause(0.001)
        print(f"ready={SHOWN['at']}")
        loaded = [m for m in ('sympy', 'numpy', 'yaml', 'markdown_it', 'quizapp.tui.screens.home') if m in sys.modules]
        print(f"loaded={','.join(loaded) or 'none'}")
        pilot.app.exit()

    def hook(App):
        from textual.widgets import Input

        display, run = App._display, App.run

        def display_timed(self, screen, renderable):
            display(self, screen, renderable)
            if renderable is not None and not self._batch_count and isinstance(self.focused, Input):
                SHOWN.setdefault("at", time.monotonic())

        App._display = display_timed
        App.run = lambda self, *args, **kwargs: run(self, headless=True, size=(100, 32), auto_pilot=ready)

    class WhenTextualAppLoads(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "textual.app":
                return None
            sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            execute = spec.loader.exec_module

            def execute_and_hook(module):
                execute(module)
                hook(module.App)

            spec.loader.exec_module = execute_and_hook
            return spec

    sys.meta_path.insert(0, WhenTextualAppLoads())

    import quizapp.cli as cli

    cli._use_plain = lambda args: False
    code = cli.main(["drill", "--topic", "conv", "--seed", "1", "--data-dir", sys.argv[1]])
    PEAK
    sys.exit(code)
    """
)


def _compiled_env(tmp: str) -> dict[str, str]:
    """The environment for timed children: bytecode compiled (into ``tmp``), as an installed package has it.

    pip compiles a package's modules when it installs it; the environment here may set
    PYTHONDONTWRITEBYTECODE, which would have quizapp compiled from source on every start while
    Textual's .pyc files from its install are used. The prefix keeps the source tree clean.
    """
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _child(source: str) -> str:
    """A child script with its peak-memory report at the end (Linux; elsewhere the rusage figure stands)."""
    peak = _PRINT_PEAK if Path("/proc/self/status").exists() else ""
    return source.replace("PEAK", peak)


def _run_until_ready(args: list[str], env: dict[str, str]) -> tuple[float, float, int, dict[str, str]]:
    """(seconds to the child's ready=, seconds to its exit, its peak RSS in KiB, its key=value lines)."""
    with tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env)
        assert proc.stdout is not None
        out = proc.stdout.read()  # to EOF: the child has exited or is exiting
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own peak RSS
        elapsed = time.monotonic() - start
        proc.stdout.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{args} failed ({proc.returncode}): {err.read().decode(errors='replace')[-2000:]}")
    values = dict(line.split("=", 1) for line in out.decode().split() if "=" in line)
    return float(values["ready"]) - start, elapsed, int(values.get("peak_kib", usage.ru_maxrss)), values


def section_tui() -> None:
    print("\nTUI: process start -> first question ready for input, headless (median of 7, runs interleaved)")
    with tempfile.TemporaryDirectory() as tmp:
        bare_py = Path(tmp) / "bare.py"
        quiz_py = Path(tmp) / "quiz.py"
        bare_py.write_text(_child(BARE_APP))
        quiz_py.write_text(_child(QUIZ_APP))
        data, first_data = Path(tmp) / "data", Path(tmp) / "first-data"
        data.mkdir()
        first_data.mkdir()
        env = {**_compiled_env(tmp), "QUIZAPP_CACHE_DIR": str(Path(tmp) / "cache")}
        bare_args, quiz_args = [PY, str(bare_py)], [PY, str(quiz_py), str(data)]
        _run_until_ready(bare_args, env)  # compiles Textual's modules into the prefix
        # Compiles quizapp's and the parser's modules, fills the bank cache and creates the
        # progress database that the timed runs below start with.
        _run_until_ready(quiz_args, env)
        # A user's very first start: bytecode compiled, the bank cache empty, no progress database.
        first_env = {**env, "QUIZAPP_CACHE_DIR": str(Path(tmp) / "first-cache")}
        first_ready, first_t, _, _ = _run_until_ready([PY, str(quiz_py), str(first_data)], first_env)
        # Interleaved, so that a burst of load on a shared machine hits both sides alike.
        bare_runs, quiz_runs = [], []
        for _ in range(7):
            bare_runs.append(_run_until_ready(bare_args, env))
            quiz_runs.append(_run_until_ready(quiz_args, env))
        latency = _feedback_latency(tmp, env)
    bare_ready, bare_t = statistics.median(r[0] for r in bare_runs), statistics.median(r[1] for r in bare_runs)
    quiz_ready, quiz_t = statistics.median(r[0] for r in quiz_runs), statistics.median(r[1] for r in quiz_runs)
    bare_mem, quiz_mem = max(r[2] for r in bare_runs), max(r[2] for r in quiz_runs)
    row("bare Textual app showing one line (baseline)", bare_ready, bare_ready, f"peak {bare_mem / 1024:.0f} MiB")
    row(
        "quizapp drill: first question ready",
        quiz_ready,
        bare_ready,
        f"{quiz_ready / bare_ready:.2f}× time, peak {quiz_mem / 1024:.0f} MiB = {quiz_mem / bare_mem:.2f}× (goals 1.25× time, 1.5× memory)",
    )
    row("  whole process, start to exit: bare app", bare_t, bare_t)
    row("  whole process, start to exit: quizapp drill", quiz_t, bare_t)
    row("  a user's very first start (empty bank cache, new database)", first_ready, bare_ready, f"(once; exit after {fmt_time(first_t).strip()})")
    print(f"  loaded when the first question was ready: {quiz_runs[-1][3].get('loaded', '?')} (sympy must not be)")
    median, worst, kinds = latency
    row("answer feedback after Enter (median of 20)", median, None, f"slowest {fmt_time(worst).strip()}; {kinds}; goal ≤ 50 ms")


LATENCY_APP = textwrap.dedent(
    """
    import asyncio, sys, time
    from textual import events
    from textual.app import App
    from textual.widgets import Input

    import quizapp.cli as cli

    async def answer_twenty(pilot):
        from quizapp.tui.screens.practice import ANSWERED

        app, samples, wrong = pilot.app, [], 0
        for k in range(20):
            await pilot.pause()
            screen = app.screen
            drill = screen.current.drill
            # Alternate right answers and wrong ones (the right value + 1): a wrong answer's
            # feedback also looks for a matching misconception.
            text = drill.answer_text
            if k % 2 and drill.form in ("integer", "decimal"):
                text = str(drill.answer + 1)
                wrong += 1
            screen.query_one("#answer-input", Input).value = text
            # Enter as the terminal driver delivers it. Not pilot.press: that sleeps until the
            # process looks idle (20 ms steps), which would be measured too.
            enter = events.Key("enter", "\\r")
            enter.set_sender(app)
            start = time.perf_counter()
            app.post_message(enter)
            # The answer is checked and the feedback view filled when the phase flips to answered;
            # pause(0) then lets the screen process what that queued, its refresh with the
            # feedback on it included (pause() would add a 20 ms idle wait).
            while screen.phase != ANSWERED and time.perf_counter() - start < 2:
                await asyncio.sleep(0)
            if screen.phase != ANSWERED:
                raise RuntimeError(f"no feedback within 2 s for {text!r} ({drill.template_id})")
            await pilot.pause(0)
            samples.append(time.perf_counter() - start)
            await pilot.press("enter")
        print("samples=" + ",".join(f"{s:.6f}" for s in samples))
        print(f"wrong={wrong}")
        app.exit()

    # The real command, as the start-up child runs it (headless; told a terminal is there).
    _run = App.run
    App.run = lambda self, *args, **kwargs: _run(self, headless=True, size=(100, 32), auto_pilot=answer_twenty)
    cli._use_plain = lambda args: False
    sys.exit(cli.main(["drill", "--topic", "conv", "--seed", "2", "--data-dir", sys.argv[1]]))
    """
)


def _feedback_latency(tmp: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Median and slowest time from pressing Enter on an answer to its feedback painted, and the answers' mix,
    in `quizapp drill` started from its entry point (so with the heap and collector as a user has them)."""
    script = Path(tmp) / "latency.py"
    script.write_text(LATENCY_APP)
    data = Path(tmp) / "latency-data"
    data.mkdir()
    # No second try: a wrong answer's feedback (with its misconception search) comes on the first Enter.
    (data / "settings.json").write_text('{"second_try": false}', encoding="utf-8")
    done = subprocess.run([PY, str(script), str(data)], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"the feedback latency run failed ({done.returncode}): {done.stderr[-2000:]}")
    values = dict(line.split("=", 1) for line in done.stdout.split() if "=" in line)
    samples = [float(x) for x in values["samples"].split(",")]
    wrong = int(values["wrong"])
    return statistics.median(samples), max(samples), f"{len(samples) - wrong} right, {wrong} wrong answers"


def section_hostile() -> None:
    """Untrusted decks: how loading grows with a deck's size, and each hostile case's time and peak memory."""
    sys.path.insert(0, str(ROOT / "tests"))
    from hostile_decks import CASES, headings_deck

    from quizapp.content.loader import parse_deck

    print("\nuntrusted decks: loading grows linearly (parse one deck, median of 3; ratio to 1,000 headings)")
    base = None
    for n in (1_000, 10_000, 40_000):
        text = headings_deck(n).decode()
        seconds = median_seconds(lambda text=text: parse_deck(text, Path("headings.md")), repeat=3, number=1)
        base = base or seconds
        row(f"  {n:>6,} headings ({len(text) / 1e6:.2f} MB)", seconds, base, f"{seconds / n * 1e6:.0f} µs a heading")
    print("  (linear: the ratio follows the number of headings, 10× and 40×, and µs a heading stays level)")
    _double_colon_growth()

    print("\neach hostile deck (tests/hostile_decks.py): the slowest command of check, topics, plain drill, plain quiz")
    print("  (the issue's bound: 10 s and 200 MB; the test suite runs the same under a 1 GiB memory limit)")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QUIZAPP_DATA_DIR": f"{tmp}/data", "QUIZAPP_CACHE_DIR": f"{tmp}/cache"}
        for case in CASES:
            path = Path(tmp) / f"{case.name}{case.suffix}"
            path.write_bytes(case.build())
            deck = ["--no-bundled", "--content", str(path)]
            commands = [["check", str(path)], ["topics", *deck]]
            if case.practise:
                commands += [["drill", "--plain", *deck, "--count", "2", "--seed", "1"], ["quiz", "--plain", *deck, "--count", "3", "--seed", "1"]]
            worst = (0.0, 0, "")
            for args in commands:
                peak_file = Path(tmp) / "peak"
                start = time.perf_counter()
                subprocess.run(
                    [PY, "-c", _PEAK_CHILD, *args], env={**env, "QUIZAPP_PEAK": str(peak_file)},
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                )
                worst = max(worst, (time.perf_counter() - start, int(peak_file.read_text()), args[0]))
            seconds, peak_kb, command = worst
            print(f"  {case.name:<20} {seconds:6.2f} s  {peak_kb / 1024:5.0f} MB  ({command}; {case.tries})")


def _double_colon_growth() -> None:
    """``q :: a`` paragraphs read as quizapp's markdown and as an Obsidian note: time and cards against the count."""
    from quizapp.content.foreign import dialect, parse_foreign
    from quizapp.content.loader import parse_deck

    def parse(text: str) -> Any:
        kind = dialect(text)
        return parse_foreign(kind, text, Path("cards.md")) if kind else parse_deck(text, Path("cards.md"))

    for name, head in (("quizapp markdown", ""), ("Obsidian note", "#flashcards\n\n")):
        print(f"\n'q :: a' paragraphs as {name}: grows linearly (parse, median of 3; ratio to 1,000 paragraphs)")
        base = None
        for n in (1_000, 10_000, 100_000):
            text = head + "q :: a\n\n" * n
            seconds = median_seconds(lambda text=text: parse(text), repeat=3, number=1)
            base = base or seconds
            cards = len(parse(text).cards)
            row(f"  {n:>7,} paragraphs ({len(text) / 1e6:.2f} MB)", seconds, base, f"{seconds / n * 1e6:.0f} µs a card, {cards:,} cards")
    print("  (linear: the ratio follows the count, 10× and 100×; every paragraph is a card)")


# quizapp's entry point, writing its own peak memory at exit: VmHWM counts this program only, where wait4's
# ru_maxrss also counts the benchmark's own pages, copied into the child before it starts Python.
_PEAK_CHILD = textwrap.dedent(
    """
    import atexit, os, sys

    def _peak():
        with open("/proc/self/status") as status:
            kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        with open(os.environ["QUIZAPP_PEAK"], "w") as out:
            out.write(kb)

    atexit.register(_peak)
    from quizapp.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


SECTIONS = {
    "checker": section_checker,
    "solvers": section_solvers,
    "bank": section_bank,
    "export": section_export,
    "tui": section_tui,
    "stats": section_stats,
    "hostile": section_hostile,
}


def main(argv: list[str]) -> int:
    chosen = argv or list(SECTIONS)
    print(f"quizapp benchmarks: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M')}")
    for name in chosen:
        try:
            SECTIONS[name]()
        except Exception as exc:  # a section that cannot run says why and the others still run
            print(f"  {name}: could not run: {type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
