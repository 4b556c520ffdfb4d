"""Reading texts to suggest from: a JSONL file of {"id": ..., "text": ...} records, checked in full first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from l4a.graph.errors import InputError, Location

from .language import LANGUAGES


@dataclass(frozen=True)
class TextRecord:
    """One text with the id it came with (None when it had none) and its language, if given."""

    id: object
    text: str
    lang: str | None = None


HINT = 'Each line must be a JSON object like {"id": "a1", "text": "..."} ("lang": "en", "fr" or "es" is optional).'


def read_jsonl(stream: IO[str], name: str | Path) -> list[TextRecord]:
    """Every record of a JSONL stream, in order; blank lines are skipped. Any bad line is an InputError naming it."""
    records = []
    try:
        lines = stream.read().splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", Location(name)) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = Location(name, number)
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", Location(name, number, exc.colno), HINT) from exc
        if not isinstance(data, dict):
            raise InputError(f"expected a JSON object, found {type(data).__name__}", where, HINT)
        text = data.get("text")
        if not isinstance(text, str):
            raise InputError('field "text" is missing or not a string', where, HINT)
        lang = data.get("lang")
        if lang is not None and lang not in LANGUAGES:
            raise InputError(f'field "lang" is {lang!r}; use "en", "fr" or "es" (or leave it out)', where, HINT)
        records.append(TextRecord(data.get("id"), text, lang))
    return records


def read_jsonl_file(path: Path) -> list[TextRecord]:
    """Every record of a JSONL file; a missing or unreadable file is an InputError."""
    try:
        with path.open(encoding="utf-8-sig") as stream:  # a byte-order mark is not part of the first record
            return read_jsonl(stream, path)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", Location(path)) from exc
