"""The plain core of the Local4Action Hub Graph: settings, store, loading, statistics and the CLI."""

from __future__ import annotations

__version__ = "0.1.0"
