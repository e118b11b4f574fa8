"""Provides the TUI's widgets: they show core objects and report what the user did; screens decide what follows."""

from quizapp.tui.widgets.answer_box import AnswerBox
from quizapp.tui.widgets.feedback_view import FeedbackView
from quizapp.tui.widgets.mcq_options import McqOptions
from quizapp.tui.widgets.question_view import QuestionView
from quizapp.tui.widgets.topic_picker import TopicPicker, TopicRow

__all__ = ["AnswerBox", "FeedbackView", "McqOptions", "QuestionView", "TopicPicker", "TopicRow"]
