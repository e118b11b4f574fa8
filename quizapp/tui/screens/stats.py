"""Provides StatsScreen: the user's history with plots (answers per day, the due forecast, retention by topic),
the streak, the ten weakest items and the most frequent mistakes, with a key that drills those mistakes and
one that fits FSRS to the user's reviews.

textual-plotext (and plotext under it) is imported with this module, which the app imports only when the
screen first opens: the start of the app never pays for it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual_plotext import PlotextPlot

from quizapp import stats as core
from quizapp.textsafe import printable
from quizapp.tui import keys

if TYPE_CHECKING:
    from quizapp.content.drill import DrillTemplate
    from quizapp.optimize import Fit
    from quizapp.tui.app import QuizApp

__all__ = ["StatsScreen", "mistake_templates"]

LABEL_WIDTH = 28
"""Topic names on the retention plot are cut to this many characters, so the bars keep most of the width."""


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _short(text: str, width: int) -> str:
    text = " ".join(printable(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _day(day: date) -> str:
    return f"{day:%b} {day.day}"


class Plot(PlotextPlot):
    """A plot built once per figure, size and theme: plotext takes tens of milliseconds to build one, and
    Textual renders a widget again on every layout and scroll."""

    def __init__(self, *, id: str, classes: str) -> None:
        super().__init__(id=id, classes=classes)
        self.figure: object = None
        """What the figure shows (its data): set by :meth:`draws`, so a figure of unchanged data is not built again."""
        self._built: tuple[object, Text] | None = None

    def draws(self, data: object) -> bool:
        """Whether the figure must be drawn afresh for ``data``: False when it already shows exactly that (the
        screen is opened again on an unchanged history), True (and the old figure cleared) otherwise."""
        if data == self.figure:
            return False
        self.figure = data
        self.plt.clear_figure()
        self.refresh()
        return True

    def render(self) -> Text:
        key = (self.figure, self.size, self.app.theme, self.theme)
        if self._built is None or self._built[0] != key:
            self._built = (key, super().render())  # type: ignore[arg-type]
        return self._built[1]


def mistake_templates(mistakes: tuple[core.Mistake, ...], templates: dict[str, DrillTemplate]) -> list[DrillTemplate]:
    """The drill templates on which ``mistakes`` were made, most frequent mistake first, each once;
    templates no longer in the bank are left out."""
    chosen = dict.fromkeys(t for m in mistakes for t, _ in m.templates if t in templates)
    return [templates[t] for t in chosen]


class StatsScreen(Screen[None]):
    """Statistics: what you did, what is due, what you know and what you keep getting wrong."""

    CSS_PATH = Path(__file__).with_name("stats.tcss")

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("stats")

    AUTO_FOCUS = "#stats-body"

    NAME = "stats"
    """The name the app installs this screen under: made once, kept between openings."""

    app: QuizApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.stats: core.Stats | None = None
        self.fitting = False
        """A fit of FSRS is running in a worker thread."""
        self.openings = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="stats-summary")
        with VerticalScroll(id="stats-body"):
            yield Static("Answers per day, last 8 weeks", classes="stats-label")
            yield Plot(id="per-day", classes="stats-plot")
            yield Static("Due in the next 30 days", classes="stats-label")
            yield Plot(id="forecast", classes="stats-plot")
            yield Static("Retention by topic: reviews recalled, last 30 days", classes="stats-label")
            yield Plot(id="retention", classes="stats-plot")
            yield Static("", id="no-retention", markup=False)
            yield Static("", id="readiness", markup=False)
            yield Static("", id="weakest-label", classes="stats-label", markup=False)
            yield DataTable(id="weakest", cursor_type="none", zebra_stripes=True)
            yield Static("", id="mistakes-label", classes="stats-label", markup=False)
            yield OptionList(id="stats-mistakes", markup=False)
            yield Static("", id="fsrs", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#weakest", DataTable)
        table.add_columns("Recall", "Item", "Topic", "Answers", "Forgotten")
        self.refresh_stats()

    def on_screen_resume(self) -> None:
        # Opened again (the app keeps this screen): the history may have grown since. The first opening
        # computed them on mount.
        self.openings += 1
        if self.openings > 1 and not self.fitting:
            self.refresh_stats()
            self.query_one("#stats-body", VerticalScroll).scroll_home(animate=False)

    def refresh_stats(self) -> None:
        """Compute the figures afresh from the store and show them."""
        from quizapp.settings import parse_date
        from quizapp.store import StoreError

        app = self.app
        exam = app.exam or app.settings.exam_date
        try:
            self.stats = core.compute(
                app.store,
                app.bank,
                now=app.clock(),
                tz=app.tz,
                day_start=app.settings.day_start_hour,
                parameters=app.store.fsrs_parameters,
                exam=parse_date(exam) if exam else None,
            )
        except StoreError as err:
            self.app.notify(str(err), severity="error")
            return
        self._show(self.stats)

    # --- showing ----------------------------------------------------------------------------------

    def _show(self, stats: core.Stats) -> None:
        forecast = [n for _, n in stats.forecast]
        self.query_one("#stats-summary", Static).update(
            Content.assemble(
                ("Statistics", "bold"),
                f"   {_plural(stats.answers, 'answer')} · streak ",
                (_plural(stats.streak, "day"), "bold"),
                " · due ",
                (f"{stats.due_now:,} now", "bold $text-warning" if stats.due_now else ""),
                f" · {forecast[1]:,} tomorrow · {sum(forecast[:7]):,} this week",
            )
        )
        self._plot_per_day(stats)
        self._plot_forecast(stats)
        self._plot_retention(stats)
        self._show_readiness(stats)
        self._show_weakest(stats)
        self._show_mistakes(stats)
        self._show_fsrs(stats)
        self.refresh_bindings()

    def _bars(self, widget_id: str, days: tuple[tuple[date, int], ...], every: int) -> None:
        """A bar a day, the x axis labelled every ``every`` days (and the last day)."""
        plot = self.query_one(f"#{widget_id}", Plot)
        if not plot.draws(days):
            return
        plt = plot.plt
        xs = list(range(len(days)))
        counts = [n for _, n in days]
        plt.bar(xs, counts, marker="hd", width=0.8)
        top = max(max(counts, default=0), 1)
        plt.ylim(0, top)
        plt.yticks([0, top] if top < 4 else [0, top // 2, top])
        ticks = sorted({*range(0, len(days), every), len(days) - 1})
        plt.xticks(ticks, [_day(days[i][0]) for i in ticks])

    def _plot_per_day(self, stats: core.Stats) -> None:
        self._bars("per-day", stats.per_day, 7)

    def _plot_forecast(self, stats: core.Stats) -> None:
        self._bars("forecast", stats.forecast, 5)

    def _plot_retention(self, stats: core.Stats) -> None:
        plot = self.query_one("#retention", Plot)
        shown = [r for r in stats.retention if r.retention is not None]
        plot.display = bool(shown)
        note = self.query_one("#no-retention", Static)
        note.display = not shown
        note.update("  No reviews in the last 30 days yet: answer something you have answered before.")
        if not shown:
            return
        # Labels are deck text: control characters are shown as escapes, never sent to the terminal.
        labels = [f"{_short(r.topic, LABEL_WIDTH)} {_percent(r.retention)}" for r in shown]
        values = [100 * (r.retention or 0.0) for r in shown]
        if not plot.draws((labels, values)):
            return
        plt = plot.plt
        plt.bar(labels, values, orientation="horizontal", width=0.5, marker="sd")
        plt.xlim(0, 100)
        plt.xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        plot.styles.height = 2 * len(shown) + 3  # two rows a bar, the frame and the axis

    def _show_readiness(self, stats: core.Stats) -> None:
        """Each topic's readiness on the interview day (the Settings screen's Interview date); hidden without one."""
        shown = self.query_one("#readiness", Static)
        shown.display = stats.exam is not None
        if stats.exam is None:
            return
        days = (stats.exam - core.study_day(stats.now, self.app.tz, stats.day_start)).days
        width = min(LABEL_WIDTH, max((len(r.topic) for r in stats.readiness), default=0))
        parts: list[str | tuple[str, str]] = [
            (f"Readiness on {stats.exam.isoformat()} ({_plural(days, 'day')} away): recall predicted for the day", "bold $text-muted")
        ]
        for r in stats.readiness:
            bar = "█" * round(20 * r.readiness)
            parts += [
                f"\n  {_short(r.topic, width):<{width}} ",
                (f"{bar:<20}", "$text-success" if r.readiness >= 0.9 else "$text-warning"),
                f" {_percent(r.readiness):>4}  {r.answered:,} of {_plural(r.items, 'item')} answered",
            ]
        shown.update(Content.assemble(*parts))

    def _show_weakest(self, stats: core.Stats) -> None:
        fsrs = "FSRS fitted to you" if stats.fitted else "FSRS defaults"
        self.query_one("#weakest-label", Static).update(f"Weakest items: the lowest recall predicted now ({fsrs})")
        table = self.query_one("#weakest", DataTable)
        table.clear()
        for w in stats.weakest:
            # Text, not str: a DataTable reads a str cell as markup, and these are deck text.
            table.add_row(
                _percent(w.recall), Text(_short(w.label, 44)), Text(_short(w.topic, 24)), str(w.answers), str(w.forgotten)
            )
        table.display = bool(stats.weakest)
        if not stats.weakest:
            self.query_one("#weakest-label", Static).update("Weakest items: nothing scheduled yet")

    def _show_mistakes(self, stats: core.Stats) -> None:
        label = self.query_one("#mistakes-label", Static)
        listed = self.query_one("#stats-mistakes", OptionList)
        listed.clear_options()
        if not stats.misconceptions:
            label.update("Your most frequent mistakes: none named yet")
            listed.display = False
            return
        k = self.app.key_label
        label.update(
            f"Your most frequent mistakes ({k('stats.drill-mistakes')} drills them all; Enter on one drills that one)"
        )
        listed.display = True
        for m in stats.misconceptions:
            where = ", ".join(f"{t} ×{n}" for t, n in m.templates)
            explanation = m.explanation or "(no explanation: its drill is gone or changed)"
            listed.add_option(
                Option(
                    Content.assemble(
                        (f"{m.count:>4}× ", "bold $text-warning"),
                        (m.name.replace("_", " "), "bold"),
                        f": {explanation}\n",
                        (f"       in {where}", "$text-muted"),
                    )
                )
            )

    def _show_fsrs(self, stats: core.Stats) -> None:
        if self.fitting:
            text = "Fitting FSRS to your reviews…"
        elif stats.fitted:
            text = f"FSRS is fitted to your reviews. {self.app.key_label('stats.fit')} fits it again to what you have answered since."
        else:
            text = (
                f"FSRS uses its default parameters. {self.app.key_label('stats.fit')} fits them to your reviews; "
                "they are kept only when they predict your latest reviews better."
            )
        self.query_one("#fsrs", Static).update(text)

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "drill_mistakes":
            return self.stats is not None and bool(self._templates(self.stats.misconceptions))
        if action == "fit":
            return not self.fitting
        return True

    def _templates(self, mistakes: tuple[core.Mistake, ...]) -> list[DrillTemplate]:
        return mistake_templates(mistakes, {t.id: t for t in self.app.bank.templates()})

    def action_drill_mistakes(self) -> None:
        if self.stats is not None:
            self._drill(self.stats.misconceptions)

    @on(OptionList.OptionSelected, "#stats-mistakes")
    def _drill_one(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.stats is not None:
            self._drill(self.stats.misconceptions[event.option_index : event.option_index + 1])

    def _drill(self, mistakes: tuple[core.Mistake, ...]) -> None:
        templates = self._templates(mistakes)
        if not templates:
            self.app.notify("The drills of these mistakes are no longer in your decks.", severity="warning")
            return
        self.app.start_drill(templates)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_fit(self) -> None:
        if self.fitting:
            return
        self.fitting = True
        if self.stats is not None:
            self._show_fsrs(self.stats)
        self.refresh_bindings()
        self._fit(self.app.store.path, self.app.data_dir, self.app.tz, self.app.settings.day_start_hour)

    @work(thread=True, exclusive=True, group="fsrs-fit")
    def _fit(self, database: Path, data_dir: object, tz: object, day_start: int) -> None:
        """Fit FSRS in a thread (seconds on a long history) on a connection of its own (SQLite's are per thread)."""
        from quizapp.optimize import OPTIMIZER_MISSING, fit, review_samples, save_parameters, verdict
        from quizapp.store import Store, StoreError

        try:
            with Store(database) as store:
                samples = review_samples(store.attempts(), tz=tz, day_start=day_start)  # type: ignore[arg-type]
            result = fit(samples)
        except ImportError:
            self.app.call_from_thread(self._fitted, None, OPTIMIZER_MISSING)
            return
        except StoreError as err:
            self.app.call_from_thread(self._fitted, None, str(err))
            return
        message = verdict(result)
        if result.kept:
            try:
                save_parameters(data_dir, result.parameters)  # type: ignore[arg-type]
            except (ValueError, OSError) as err:
                message = f"{verdict(result, saved=False)} {err}"
                result = None  # type: ignore[assignment]  (nothing kept)
        self.app.call_from_thread(self._fitted, result, message)

    def _fitted(self, result: Fit | None, message: str) -> None:
        self.fitting = False
        if result is not None and result.kept:
            from quizapp.optimize import load_parameters

            # As saved (rounded): this run schedules with exactly what the next one reads.
            self.app.store.fsrs_parameters = load_parameters(self.app.data_dir)
        self.app.notify(message, title="FSRS", severity="information" if result is not None else "warning", timeout=15)
        self.refresh_stats()
        self.query_one("#fsrs", Static).update(message)
