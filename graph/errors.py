"""The named errors of the core; the CLI and the web app translate them into exit codes and HTTP statuses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class L4AError(Exception):
    """Base of every error the core raises on purpose; its message is meant for the user."""

    exit_code = 2


class UsageError(L4AError):
    """The user asked for something that cannot be done as asked (unknown format, bad option value)."""


class ConfigError(L4AError):
    """A setting has a value that cannot be used."""


class StoreError(L4AError):
    """The store cannot be opened, read or written."""


class StoreMissingError(StoreError):
    """There is no store yet where one was expected."""


class QueryLimitError(StoreError):
    """A client's SPARQL query went past a limit and was stopped (HTTP 503); `limit` is time, memory or busy."""

    def __init__(self, message: str, limit: str = "time") -> None:
        super().__init__(message)
        self.limit = limit


class StoreUnavailableError(StoreError):
    """The store's server is down, too slow or answered garbage: trying again later may work (HTTP 503)."""

    retry_after = 30


class StoreTimeoutError(StoreUnavailableError):
    """The store's server did not answer within the time limit."""


@dataclass
class Location:
    """Where in a file something went wrong (lines and columns count from 1)."""

    path: Path | str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f", line {self.line}"
            if self.column is not None:
                where += f", column {self.column}"
        return where


class InputError(L4AError):
    """An input file is missing, unreadable or malformed; nothing was written."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None) -> None:
        self.location = location
        self.message = message
        self.hint = hint
        text = f"{location}: {message}" if location else message
        if hint:
            text += f"\n  {hint}"
        super().__init__(text)
