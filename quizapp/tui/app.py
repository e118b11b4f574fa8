"""Provides the Textual app and `make_app`, the one factory the CLI, the tests and the snapshot apps use."""

from __future__ import annotations

import gc
import random
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen

from quizapp.content.model import Bank
from quizapp.tui import keys
from quizapp.tui.items import Question, restrict, topic_keys
from quizapp.tui.settings import (
    DEFAULT_COUNT,
    MAX_COUNT,
    load_settings,
    save_settings,
)

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from quizapp.content.drill import DrillTemplate
    from quizapp.settings import StudySettings
    from quizapp.store import Store
    from quizapp.study import StudySession
    from quizapp.tui.commands import QuizCommands
    from quizapp.tui.widgets.topic_picker import TopicRow

__all__ = ["QuizApp", "make_app"]

Clock = Callable[[], datetime]

HOME_CSS = Path(__file__).parent / "screens" / "home.tcss"
"""HomeScreen's rules (its CSS_PATH names this file too)."""


def _quiz_commands() -> type[QuizCommands]:
    """The palette's quizapp commands, imported when the palette first opens (Textual calls this)."""
    from quizapp.tui.commands import QuizCommands

    return QuizCommands


class QuizApp(App[None]):
    """quizapp's terminal UI: Home, Quiz, Drill, Review, Results, Browse and Help screens."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it too; the other screens carry their own
    TITLE = "quizapp"
    SUB_TITLE = "ML interview practice"
    COMMANDS = App.COMMANDS | {_quiz_commands}  # a callable: the provider loads when the palette opens
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("app")

    def __init__(
        self,
        bank: Bank,
        *,
        mode: str | None = None,
        topics: Sequence[str] | None = None,
        count: int | None = None,
        seed: int | None = None,
        level: str | None = None,
        data_dir: str | Path | None = None,
        store: Store | None = None,
        now: datetime | Clock | None = None,
        resume_gc: bool = False,
        exam: str | None = None,
    ) -> None:
        super().__init__()
        self._resume_gc = resume_gc
        self.exam = exam
        """The interview date given with --exam (YYYY-MM-DD), over the Settings screen's for this run."""
        if mode not in (None, "quiz", "drill", "review", "weak"):
            raise ValueError(f"unknown mode {mode!r}")
        if mode is None:
            # Home is the first screen, and Textual reads no CSS_PATH of a first screen: its
            # rules are read with the app's.
            self.css_path.append(HOME_CSS)
        self.bank = bank
        self.mode = mode
        self.level = level
        self.cli_count = count
        self.data_dir = data_dir
        self._topic_filters = list(topics) if topics else None
        self._seed = seed
        self._seeds = random.Random(seed) if seed is not None else None
        self._sessions = 0
        self._store = store
        self._owns_store = store is None
        self.tz: tzinfo | None = None
        """The zone a study day is counted in (statistics, what is due tomorrow); None: the system's. Tests fix it."""
        if now is None:
            self.clock: Clock = lambda: datetime.now(UTC)
        elif isinstance(now, datetime):
            fixed = now if now.tzinfo else now.replace(tzinfo=UTC)
            self.clock = lambda: fixed
        else:
            self.clock = now
        from quizapp.paths import settings_path

        # Not created here: a folder that cannot be made is reported once the first screen is up (_open_store).
        self.settings_path = settings_path(data_dir, create=False)
        self.settings = load_settings(self.settings_path)
        self.keymap, problems = keys.check_keymap(self.settings.keymap)
        self.keymap_problems: tuple[str, ...] = (*self.settings.problems, *problems)
        """What was wrong in the settings file or its keymap, one line each (shown at start and in Help)."""
        self._textual_keymap = keys.textual_keymap(self.keymap)
        self._reported_clashes: set[frozenset[str]] = set()
        if "app.palette" in self.keymap:
            # The Footer finds the palette's key by this name.
            self.COMMAND_PALETTE_BINDING = self.keymap["app.palette"].split(",")[0]
        known = set(topic_keys(bank))
        self.selection: tuple[tuple[str, str], ...] = tuple(k for k in self.settings.selection if k in known)
        # The CLI's --topic picks the same part of the bank until Home changes the selection: work it out once.
        self._topic_bank = restrict(bank, filters=self._topic_filters) if self._topic_filters else None
        if self._topic_bank is not None:
            self.selection = tuple(topic_keys(self._topic_bank))
        # --count is the quiz length for `quizapp quiz`; for drill and review it is a limit (cli_count).
        quiz_count = count if mode in (None, "quiz") else None
        self.count = max(1, min(MAX_COUNT, quiz_count or self.settings.count or DEFAULT_COUNT))

    # --- lifetime ---------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The first screen, painted in the app's first frame: Home, or the quiz or drill the app was
        opened on. A review (which reads progress to start), or a quiz or drill with nothing to ask,
        starts on Textual's blank screen and is pushed over it on mount."""
        first: Screen[Any] | None = None
        if self.mode in ("quiz", "drill"):
            # The session reads what is suspended before its first question. A database that cannot be opened
            # leaves Textual's blank screen; the app then quits saying why, once mounted (_open_store).
            from quizapp.store import StoreError

            try:
                self.store  # noqa: B018  (the property opens it)
            except (StoreError, OSError):
                return super().get_default_screen()
        if self.mode == "quiz":
            first = self._quiz_screen()
        elif self.mode == "drill":
            first = self._drill_screen()
        elif self.mode is None:
            from quizapp.tui.screens.home import HomeScreen

            first = HomeScreen()
        return first if first is not None else super().get_default_screen()

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self._textual_keymap)
        if self.keymap_problems:
            self._warn_settings()
        if self.settings.theme and self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        # The progress database opens after the first screen is up (_after_first_screen): a quiz
        # or a drill needs it once an answer is in, and Home fills in due counts and accuracy then.
        # Review reads it to start.
        if self.mode in ("review", "weak"):
            if not self._open_store():
                return
            if not self.start_review(weak=self.mode == "weak"):
                self.go_home()
        elif not _is_practice(self.screen) and not _is_home(self.screen):
            self.go_home()  # a quiz or drill with nothing to ask
        self.call_after_refresh(self._after_first_screen)

    def on_unmount(self) -> None:
        if self._store is not None and self._owns_store:
            self._store.close()

    def notify(self, message: str, *, markup: bool = False, **kwargs: Any) -> None:  # type: ignore[override]
        """Textual's notify with markup off unless asked for: messages quote topics, paths and errors, never markup."""
        super().notify(message, markup=markup, **kwargs)

    def _warn_settings(self) -> None:
        """One warning for everything the settings file got wrong; the app starts regardless."""
        shown = list(self.keymap_problems[:6])
        if len(self.keymap_problems) > len(shown):
            shown.append(f"… and {len(self.keymap_problems) - len(shown)} more (Help lists them)")
        self.notify(
            "\n".join(shown), title=f"Left out of {self.settings_path.name}", severity="warning", timeout=20
        )

    def key_label(self, binding_id: str) -> str:
        """The first key of binding ``binding_id`` as the app's text writes it (the user's keymap applied)."""
        return keys.key_label(self.binding_keys(binding_id)[0])

    def binding_keys(self, binding_id: str) -> list[str]:
        """Every key of binding ``binding_id``, the user's keymap applied."""
        return self.keymap.get(binding_id, keys.DEFAULT_KEYS[binding_id]).split(",")

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        # check_keymap keeps clashes out of our own bindings, and Textual also names one of ours that is
        # rebound onto its own key (textual_keymap restates them): only a widget's lost key is news, once.
        lost = [b for b in clashed_bindings if b.id not in self._textual_keymap]
        if not lost:
            return
        ids = frozenset(b.id or b.action for b in lost)
        if ids not in self._reported_clashes:
            self._reported_clashes.add(ids)
            self.notify(f"Keymap: {', '.join(sorted(ids))} lost their key to a remapped binding", severity="warning")

    def _after_first_screen(self) -> None:
        """What waits for the first screen to be up: the collector, the database, Home's progress, warm-ups."""
        if self._resume_gc:
            # quizapp.cli paused the cyclic collector while the app started. What starting made
            # (Textual, the bank) lives as long as the app: frozen, it is never scanned again, where
            # a full collection walking it takes ~30 ms and would land on some answer's feedback.
            # The start's own cyclic garbage (1-2 thousand objects) is frozen with it, for good.
            self._resume_gc = False
            gc.freeze()
            gc.enable()
        if self._open_store():
            if _is_home(self.screen):
                self.screen.refresh_topics()  # type: ignore[attr-defined]  (now with progress)
            self._warm_up()

    def _open_store(self) -> bool:
        """Open the progress database unless it is open; when it cannot be opened, quit saying why (exit code 1)."""
        from quizapp.store import StoreError

        try:
            self.store  # noqa: B018  (the property opens it)
        except StoreError as err:
            self.exit(return_code=1, message=f"quizapp: {err}")
            return False
        except OSError as err:  # the data folder cannot be made (a file stands there, no permission)
            from quizapp.paths import data_dir_error

            self.exit(return_code=1, message=f"quizapp: {data_dir_error(err, self.data_dir)}")
            return False
        return True

    def _warm_up(self) -> None:
        # The answer checker is left out of the start (the first question needs none of it); load it
        # now, while the user reads, rather than on the first Enter.
        import quizapp.answers  # noqa: F401

        # sympy takes ~0.6 s to import; pay for it in the background, after the first screen is up,
        # and only when a template in the bank needs it.
        if any(t.needs_sympy for t in self.bank.templates()):
            self.run_worker(_import_sympy, thread=True, exclusive=True, group="warm-up")

    @property
    def store(self) -> Store:
        """The progress store, opened on first use (StoreError when the database cannot be opened)."""
        if self._store is None:
            from quizapp.optimize import load_parameters
            from quizapp.paths import database_path
            from quizapp.store import Store

            self._store = Store(database_path(self.data_dir))
            self._store.fsrs_parameters = load_parameters(self.data_dir)  # FSRS fitted to the user, if they chose to
            self._store.desired_retention = self.settings.desired_retention
        return self._store

    def next_seed(self) -> int:
        """The seed for the next quiz or drill: the given seed first, then draws from it; random without one."""
        self._sessions += 1
        if self._seeds is None:
            # The OS's randomness, as secrets gives it (secrets would load OpenSSL before the first question).
            return random.SystemRandom().randrange(2**31)
        if self._sessions == 1:
            return int(self._seed)  # type: ignore[arg-type]
        return self._seeds.randrange(2**31)

    # --- selection and settings -------------------------------------------------------------------

    def practice_bank(self) -> Bank:
        """The bank restricted to what the user picked (the CLI's --topic until Home changes it)."""
        if self._topic_filters and self._topic_bank is not None:
            return self._topic_bank
        return restrict(self.bank, keys=self.selection or None)

    def set_selection(self, keys: Sequence[tuple[str, str]]) -> None:
        keys = tuple(keys)
        if keys == self.selection and not self._topic_filters:
            return
        self._topic_filters = None
        self.selection = keys
        self._save_settings(selection=keys)

    def set_count(self, count: int) -> None:
        self.count = max(1, min(MAX_COUNT, count))
        self._save_settings(count=self.count)

    def change_settings(self, **changes: Any) -> None:
        """Keep the Settings screen's ``changes`` (already checked) and apply them to what is open."""
        self._save_settings(**changes)
        if "count" in changes:
            self.count = changes["count"]
        if "desired_retention" in changes and self._store is not None:
            self._store.desired_retention = changes["desired_retention"]

    def open_settings(self) -> None:
        from quizapp.tui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def _theme_changed(self, theme: Any) -> None:
        name = getattr(theme, "name", str(theme))
        if name != self.settings.theme:
            self._save_settings(theme=name)

    def _save_settings(self, **changes: Any) -> None:
        self.settings = self.settings.with_(**changes)
        if self.settings.damaged:
            return  # the user's file is not overwritten; the warning at start said so
        try:
            save_settings(self.settings_path, self.settings)
        except OSError as err:
            self.notify(f"Could not save settings: {err}", severity="warning")

    def topic_rows(self) -> list[TopicRow]:
        """Home's rows: counts from the bank, due counts and recent accuracy from the store once it
        is open (the app opens it right after its first screen, and refreshes Home then)."""
        from quizapp.tui.widgets.topic_picker import TopicRow

        stats: dict[Any, Any] = {}
        if self._store is not None:
            from quizapp.store import StoreError

            # Due counts what Review would ask: cards and computations (templates) still in the bank.
            item_ids = [c.id for c in self.bank.cards()] + [t.id for t in self.bank.templates()]
            try:
                stats = self.store.topic_stats(self.clock(), item_ids=item_ids)
            except StoreError as err:
                self.notify(str(err), severity="error")
        rows = []
        for deck, topic, n_cards, n_templates in self.bank.topics():
            s = stats.get((deck.id, topic))
            rows.append(
                TopicRow(deck.id, topic, n_cards, n_templates, due=s.due if s else 0, accuracy=s.accuracy if s else None)
            )
        return rows

    def due_by_topic(self) -> dict[tuple[str, str], tuple[int, int]] | None:
        """(deck id, topic) -> (items due now, items due tomorrow) once the store is open; None before."""
        if self._store is None:
            return None
        from quizapp.stats import due_by_topic
        from quizapp.store import StoreError

        try:
            return due_by_topic(self._store, self.bank, now=self.clock(), tz=self.tz, day_start=self.settings.day_start_hour)
        except StoreError as err:
            self.notify(str(err), severity="error")
            return None

    # --- starting sessions ------------------------------------------------------------------------

    def _drop_to_home(self) -> None:
        """Drop every screen above Home, or above the first screen (answers are saved as they happen)."""
        home = _home_screen_type()
        while len(self.screen_stack) > 1 and not (home is not None and isinstance(self.screen, home)):
            self.pop_screen()
        if _is_practice(self.screen):
            # The app opened on this session (its first screen, which stays): it is over now.
            self.screen.end()  # type: ignore[attr-defined]

    def go_home(self) -> None:
        """Back to Home, building it if the app opened straight on a quiz, drill or review."""
        from quizapp.tui.screens.home import HomeScreen

        self._drop_to_home()
        if not isinstance(self.screen, HomeScreen):
            self.push_screen(HomeScreen())

    def start_quiz(self, questions: Sequence[Question] | None = None, *, title: str = "Quiz") -> bool:
        """Push a quiz of ``questions`` (default: built from the picked topics); False if there is nothing to ask."""
        screen = self._quiz_screen(questions, title=title)
        if screen is None:
            return False
        self._drop_to_home()
        self.push_screen(screen)
        return True

    def _quiz_screen(self, questions: Sequence[Question] | None = None, *, title: str = "Quiz") -> Screen[None] | None:
        """The quiz to start, or None (saying why) when there is nothing to ask."""
        from quizapp.tui.screens.quiz import QuizScreen

        if questions is None:
            from quizapp.session import build_quiz

            bank = self.practice_bank()
            try:
                items = build_quiz(bank, topics=None, count=self.count, seed=self.next_seed())
            except ValueError as err:
                self.notify(str(err), severity="warning")
                return None
            questions = [Question.of(item) for item in items]
        if not questions:
            self.notify("No questions in the chosen topics: pick others on Home.", severity="warning")
            return None
        # A computation answered wrong comes back from its template with new numbers: any template of the bank.
        session = self._study([q.drill or q.card for q in questions], templates=self.bank.templates())
        return QuizScreen(session, total=len(questions), title=title)

    def study_settings(self) -> StudySettings:
        """How a session runs (second try, limits, the day's start), from the settings as the app holds them now."""
        from quizapp.settings import StudySettings

        s = self.settings
        return StudySettings(
            new_per_day=s.new_per_day,
            review_cap=s.review_cap,
            day_start_hour=s.day_start_hour,
            second_try=s.second_try,
            exam_date=self.exam or s.exam_date,  # --exam holds for this run
            daily_minutes=s.daily_minutes,
        )

    def _study(self, items: Sequence[Any] = (), **kwargs: Any) -> StudySession:
        """A study session recording into the progress store (opened first if it is not: the session reads the marks)."""
        from quizapp.study import StudySession

        return StudySession(self.store, items, clock=self.clock, seed=self.next_seed(), settings=self.study_settings(), **kwargs)

    def start_drill(self, templates: Sequence[DrillTemplate] | None = None) -> bool:
        """Push an endless drill over ``templates`` (default: the picked topics'); False if there are none."""
        screen = self._drill_screen(templates)
        if screen is None:
            return False
        self._drop_to_home()
        self.push_screen(screen)
        return True

    def _drill_screen(self, templates: Sequence[DrillTemplate] | None = None) -> Screen[None] | None:
        """The drill to start, or None (saying why) when the chosen topics have no templates."""
        from quizapp.session import DrillSession
        from quizapp.tui.screens.drill import DrillScreen

        chosen = list(templates) if templates is not None else self.practice_bank().templates()
        if not chosen:
            self.notify("No drill templates in the chosen topics: pick a topic with drills.", severity="warning")
            return None
        # --level holds for this run; otherwise the Settings screen's default level (auto: grows with the streak).
        drills = DrillSession(chosen, seed=self.next_seed(), level=self.level or self.settings.fixed_level)
        # --count limits the drill the command line opened, not the ones started from Home later; without it the
        # drill is endless.
        limit = self.cli_count if self.mode == "drill" and self._sessions == 1 else None
        return DrillScreen(self._study(drills=drills, count=limit))

    def start_review(self, *, weak: bool = False) -> bool:
        """Today's review (quizapp.study.review_plan: due cards, due computations, new cards within the day's limits),
        driven by the study core; ``weak``: the weak spots instead (quizapp.study.weak_plan)."""
        if weak:
            return self.start_weak()
        from quizapp.review import humanize_delta
        from quizapp.store import StoreError
        from quizapp.study import review_plan
        from quizapp.tui.screens.review import ReviewScreen

        bank = self.practice_bank()
        now = self.clock()
        settings = self.study_settings()
        try:
            plan = review_plan(bank, self.store, now=now, settings=settings)
            upcoming = self.store.next_due([c.id for c in bank.cards()] + [t.id for t in bank.templates()])
        except StoreError as err:
            self.notify(str(err), severity="error")
            return False
        items = list(plan.items)
        if self.mode == "review" and self.cli_count:
            items = items[: self.cli_count]
        if not items:
            when = f" The next one is due {humanize_delta(upcoming, now)}." if upcoming else ""
            self.notify(f"Nothing to review in the chosen topics.{when}", title="Review")
            return False
        session = self._study(items)
        self._drop_to_home()
        self.push_screen(ReviewScreen(session, total=len(items), new=max(0, len(items) - plan.due - plan.exam)))
        return True

    def start_weak(self) -> bool:
        """A session of the weak spots of the picked topics (quizapp.study.weak_plan: lowest predicted recall, most
        frequent mistakes), due or not, on the study core; False (said) when there are none yet."""
        from quizapp.store import StoreError
        from quizapp.study import WEAK_COUNT, weak_plan
        from quizapp.tui.screens.review import ReviewScreen

        count = self.cli_count if self.mode == "weak" and self.cli_count else WEAK_COUNT
        try:
            plan = weak_plan(self.practice_bank(), self.store, now=self.clock(), count=count)
        except StoreError as err:
            self.notify(str(err), severity="error")
            return False
        if not plan.items:
            self.notify("No weak spots yet in the chosen topics: they come from what you have answered.", title="Weak spots")
            return False
        session = self._study(plan.items)
        screen = ReviewScreen(session, total=len(plan.items))
        screen.mode_name = "Weak spots"
        self._drop_to_home()
        self.push_screen(screen)
        return True

    def open_browse(self) -> None:
        from quizapp.tui.screens.browse import BrowseScreen

        self.push_screen(BrowseScreen())

    def open_stats(self) -> None:
        """Statistics (opened over the current screen; Escape comes back). The screen is made once and
        kept: opening it again recomputes the figures without building its widgets anew."""
        if not self._open_store():
            return
        from quizapp.tui.screens.stats import StatsScreen

        if self._installed_on_stack(StatsScreen.NAME):
            return
        if not self.is_screen_installed(StatsScreen.NAME):
            self.install_screen(StatsScreen(), StatsScreen.NAME)  # installed: kept when popped, not removed
        self.push_screen(StatsScreen.NAME)

    def _installed_on_stack(self, name: str) -> bool:
        """Is the screen installed as ``name`` on the stack (shown, or under another)?"""
        installed = self._installed_screens.get(name)
        return installed is not None and installed in self.screen_stack

    def select_only(self, key: tuple[str, str]) -> None:
        """Pick one topic (from the command palette) and show it on Home."""
        self.set_selection([key])
        from quizapp.tui.screens.home import HomeScreen

        self.go_home()
        if isinstance(self.screen, HomeScreen) and self.screen.rows:
            self.screen.refresh_topics()

    # --- app-wide actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "help_typing":
            from textual.widgets import Input

            return isinstance(self.focused, Input) and not isinstance(self.screen, CommandPalette)
        if action == "request_quit":
            return not isinstance(self.screen, ModalScreen)
        return True

    def action_help_typing(self) -> None:
        self.action_help()

    def action_help(self) -> None:
        from quizapp.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    def after_leaving(self, action: Callable[[], object]) -> None:
        """Run ``action``, which ends the session under way. A quiz asks first (the question Escape asks
        there); a drill or review shows its results first, and ``action`` runs when they are closed.
        The palette's commands use this."""
        session = next((s for s in self.screen_stack if _is_practice(s) and s.running), None)
        if session is None:
            action()
            return
        if not session.confirms_leaving:  # type: ignore[attr-defined]
            # A drill or review ends as Escape ends it: its results first, then what was asked for.
            session.end()  # type: ignore[attr-defined]
            session.finish(then=action)  # type: ignore[attr-defined]
            return
        from quizapp.tui.screens.confirm import ConfirmScreen
        from quizapp.tui.screens.quiz import LEAVE_DETAIL, LEAVE_QUESTION

        def done(yes: bool | None) -> None:
            if yes:
                action()

        self.push_screen(ConfirmScreen(LEAVE_QUESTION, LEAVE_DETAIL), done)

    def running_practice(self) -> bool:
        """Is a quiz, drill or review under way (something a quit would interrupt)?"""
        from quizapp.tui.screens.practice import PracticeScreen

        return any(isinstance(s, PracticeScreen) and s.running for s in self.screen_stack)

    def action_request_quit(self) -> None:
        self._quit()

    async def action_quit(self) -> None:
        """Ctrl+Q and the palette's Quit: the same question as q while a session is under way."""
        self._quit()

    def _quit(self) -> None:
        from quizapp.tui.screens.confirm import ConfirmScreen

        if isinstance(self.screen, ConfirmScreen):
            return
        if self.running_practice():

            def done(yes: bool | None) -> None:
                if yes:
                    self.exit()

            self.push_screen(ConfirmScreen("Quit quizapp?", "Your answers so far are saved."), done)
            return
        self.exit()


def _is_practice(screen: Screen[Any]) -> bool:
    """Is ``screen`` a quiz, drill or review? (Without importing their module when none was made.)"""
    module = sys.modules.get("quizapp.tui.screens.practice")
    return module is not None and isinstance(screen, module.PracticeScreen)


def _is_home(screen: Screen[Any]) -> bool:
    """Is ``screen`` Home? (Without importing its module when no Home was made.)"""
    home = _home_screen_type()
    return home is not None and isinstance(screen, home)


def _home_screen_type() -> type[Screen[None]] | None:
    """HomeScreen once its module is loaded, else None.

    Until it is loaded no Home can be on the stack (the app opened straight on a mode), and importing
    it only to learn that would cost the first question the Home screen's imports.
    """
    module = sys.modules.get("quizapp.tui.screens.home")
    return getattr(module, "HomeScreen", None)


def _import_sympy() -> None:
    import sympy  # noqa: F401  (imported for its side effect: the module is cached for later)


def make_app(
    bank: Bank,
    *,
    mode: str | None = None,
    topics: Sequence[str] | None = None,
    count: int | None = None,
    seed: int | None = None,
    level: str | None = None,
    data_dir: str | Path | None = None,
    store: Store | None = None,
    now: datetime | Clock | None = None,
    resume_gc: bool = False,
    exam: str | None = None,
) -> QuizApp:
    """Build the app on a loaded bank. ``mode`` opens straight on a quiz, drill or review; ``store`` and
    ``now`` let tests supply the progress store and a fixed clock. ``resume_gc``: the caller paused the
    cyclic garbage collector for the start (quizapp.cli does); the app freezes what starting made and
    turns the collector back on once its first screen is up. ``exam`` is --exam's interview date."""
    return QuizApp(
        bank,
        mode=mode,
        topics=topics,
        count=count,
        seed=seed,
        level=level,
        data_dir=data_dir,
        store=store,
        now=now,
        resume_gc=resume_gc,
        exam=exam,
    )
