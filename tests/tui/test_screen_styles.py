"""Each screen's rules live in a .tcss file beside it, loaded when the screen first opens: every screen
still gets its own rules, whichever screen the app started on."""

from __future__ import annotations

from pilot_helpers import type_answer

from quizapp.tui.screens.confirm import ConfirmScreen
from quizapp.tui.screens.help import HelpScreen
from quizapp.tui.screens.results import ResultsScreen

SIZE = (100, 32)


async def test_a_drill_opened_directly_then_results_and_home_have_their_rules(new_app):
    app = new_app(mode="drill", topics=["Convolutional"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#status").styles.height.value == 1  # app.tcss: the practice rules
        await type_answer(pilot, str(app.screen.current.drill.answer_text))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.screen.query_one("#results-table").styles.max_height.value == 10  # results.tcss
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#topics").styles.max_width.value == 84  # home.tcss


async def test_browse_help_and_the_quit_question_have_their_rules(new_app):
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_browse()
        await pilot.pause()
        assert app.screen.query_one("#browse-count").styles.height.value == 1  # browse.tcss
        app.action_help()
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.query_one("#help-box").styles.width.value == 100  # dialogs.tcss
        app.push_screen(ConfirmScreen("Quit quizapp?", "Your answers so far are saved."))
        await pilot.pause()
        assert app.screen.query_one("#confirm-box").styles.width.value == 54
