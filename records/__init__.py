"""Sijil: a documentation database for human-rights incidents."""

__version__ = "0.1.0"
