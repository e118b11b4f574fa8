"""Provides the TUI's widgets: they show core objects and report what the user did; screens decide what follows.

Each name is imported on first use (PEP 562 ``__getattr__``), so a screen that imports one widget
module does not pay for the others: the topic picker alone pulls in Textual's SelectionList.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quizapp.tui.widgets.answer_box import AnswerBox
    from quizapp.tui.widgets.feedback_view import FeedbackView
    from quizapp.tui.widgets.mcq_options import McqOptions
    from quizapp.tui.widgets.question_view import QuestionView
    from quizapp.tui.widgets.topic_picker import TopicPicker, TopicRow

__all__ = ["AnswerBox", "FeedbackView", "McqOptions", "QuestionView", "TopicPicker", "TopicRow"]

_MODULE_OF = {
    "AnswerBox": "answer_box",
    "FeedbackView": "feedback_view",
    "McqOptions": "mcq_options",
    "QuestionView": "question_view",
    "TopicPicker": "topic_picker",
    "TopicRow": "topic_picker",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
