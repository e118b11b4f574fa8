"""Provides `make bench`: whole-run figures, each printed next to a baseline measured in the same run.

Sections: the answer checker and the solvers (per call, vs a bare Python call), the content bank
(load time, drill instances per second), the export command as a whole process (vs `python -c pass`
and `python -c "import numpy"`), and the TUI (time to the first question ready for input and peak
memory, vs a bare Textual app showing one line; feedback latency after Enter).
Usage: python benchmarks/run.py [section ...]   (sections: checker solvers bank export tui)
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
    templates = bank.templates()
    groups: dict[str, list[Any]] = {}
    for t in templates:
        family = "arithmetic (conv, linear, init)" if t.solver.split(".")[0] in ARITHMETIC else "matrix/iterative (attention, gradient)"
        groups.setdefault(family, []).append(t)
    for family, group in sorted(groups.items()):
        n = 10_000
        start = time.perf_counter()
        for i in range(n):
            generate(group[i % len(group)], seed=i)
        elapsed = time.perf_counter() - start
        print(f"  generate + solve 10,000 instances, {family:<38} {n / elapsed:8,.0f} instances/s ({len(group)} templates)")
    print("  (goal: at least 5,000 instances/s for the arithmetic solvers)")


ARITHMETIC = {"conv", "linear", "init"}


def _run_measured(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one child, via wait4 so the memory is that child's own."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.returncode != 0:
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
        out = str(Path(tmp) / "bank.json")
        t, _ = median_process([PY, "-m", "quizapp", "export", "--format", "json", "--count", "10000", "--seed", "1", "-o", out])
        row("quizapp export --format json --count 10000", t, base, f"{Path(out).stat().st_size / 1e6:.1f} MB")
    probe = (
        "import sys, runpy; sys.argv=['quizapp','export','--format','json','--count','50','-o','/dev/null'];"
        "from quizapp.cli import main; main(); "
        "print(','.join(m for m in ('textual','sympy','rich') if m in sys.modules) or 'none')"
    )
    heavy = subprocess.run([PY, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    print(f"  heavy modules imported by export: {heavy}")


BARE_APP = textwrap.dedent(
    """
    import sys
    from textual.app import App
    from textual.widgets import Input, Static

    class Bare(App):
        def compose(self):
            yield Static("What is 2 + 2?")
            yield Input()

    async def ready(pilot):
        while not isinstance(pilot.app.focused, Input):
            await pilot.pause(0.001)
        pilot.app.exit()

    Bare().run(headless=True, size=(100, 32), auto_pilot=ready)
    """
)

QUIZ_APP = textwrap.dedent(
    """
    import sys
    from textual.widgets import Input
    from quizapp.cli import main as _unused  # the same import path as the real command
    from quizapp.content.loader import load_bank
    from quizapp.tui.app import make_app

    app = make_app(load_bank([], bundled=True), mode="drill", topics=["conv"], seed=1, data_dir=sys.argv[1])

    async def ready(pilot):
        while not isinstance(pilot.app.focused, Input):
            await pilot.pause(0.001)
        pilot.app.exit()

    app.run(headless=True, size=(100, 32), auto_pilot=ready)
    if "sympy" in sys.modules:
        print("sympy imported before the first question", file=sys.stderr)
    """
)


def section_tui() -> None:
    print("\nTUI: process start -> first question ready for input, headless (median of 7)")
    with tempfile.TemporaryDirectory() as tmp:
        bare_py = Path(tmp) / "bare.py"
        quiz_py = Path(tmp) / "quiz.py"
        bare_py.write_text(BARE_APP)
        quiz_py.write_text(QUIZ_APP)
        data = Path(tmp) / "data"
        data.mkdir()
        bare_t, bare_mem = median_process([PY, str(bare_py)], repeat=7)
        quiz_t, quiz_mem = median_process([PY, str(quiz_py), str(data)], repeat=7)
    row("bare Textual app showing one line (baseline)", bare_t, bare_t, f"peak {bare_mem / 1024:.0f} MiB")
    row("quizapp drill: first question ready", quiz_t, bare_t, f"peak {quiz_mem / 1024:.0f} MiB = {quiz_mem / bare_mem:.2f}× (goals 1.25× time, 1.5× memory)")
    latency = _feedback_latency()
    if latency is not None:
        row("answer feedback after Enter (median of 20, in-process)", latency, None, "goal ≤ 50 ms")


def _feedback_latency() -> float | None:
    import asyncio

    try:
        from quizapp.content.loader import load_bank
        from quizapp.tui.app import make_app
    except ImportError as exc:  # TUI not built yet
        print(f"  feedback latency: skipped ({exc})")
        return None

    async def measure() -> list[float]:
        samples = []
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(load_bank([], bundled=True), mode="drill", topics=["conv"], seed=2, data_dir=tmp)
            async with app.run_test(size=(100, 32)) as pilot:
                for _ in range(20):
                    await pilot.pause()
                    screen = app.screen
                    await pilot.press("1", "2")
                    before = len(list(screen.walk_children()))
                    start = time.perf_counter()
                    await pilot.press("enter")
                    while len(list(screen.walk_children())) == before and time.perf_counter() - start < 2:
                        await pilot.pause(0.0005)
                    samples.append(time.perf_counter() - start)
                    await pilot.press("enter")
        return samples

    return statistics.median(asyncio.run(measure()))


SECTIONS = {
    "checker": section_checker,
    "solvers": section_solvers,
    "bank": section_bank,
    "export": section_export,
    "tui": section_tui,
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
