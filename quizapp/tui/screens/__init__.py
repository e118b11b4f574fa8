"""Provides the TUI's screens; each owns a flow (home, quiz, drill, review, results, browse, help)."""

__all__ = ["browse", "confirm", "drill", "help", "home", "practice", "quiz", "results", "review"]
