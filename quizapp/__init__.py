"""Provides quizapp: a terminal quiz and drill trainer for machine-learning interviews."""

__all__ = ["__version__"]

__version__ = "0.1.0"
