"""JSON for people and programs alike, written fast: the outer levels indented, each item of a long list on a line.

`json.dumps(data, indent=2)` is pleasant to read but makes the json module fall back from its C encoder to its
Python one: the network of 10k hubs (25 MB) took seconds, the same data of 100k hubs minutes. Here only the outer
`levels` are laid out in Python; everything inside them is written by the C encoder, on one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable

PAD = "  "


def pretty_json(data: object, levels: int = 3, ensure_ascii: bool = False) -> str:
    """`data` as JSON (the same value as json.dumps gives): objects indented down to `levels` deep, and a list's
    items each on a line of its own, written whole by the C encoder."""
    return _text(data, 0, levels, json.JSONEncoder(ensure_ascii=ensure_ascii).encode)


def _key(key: object, encode: Callable[[object], str]) -> str:
    # json.dumps writes a key that is not a string as its JSON text in quotes (1 -> "1", True -> "true")
    return encode(key if isinstance(key, str) else json.dumps(key))


def _text(value: object, depth: int, levels: int, encode: Callable[[object], str]) -> str:
    if depth >= levels or not isinstance(value, dict | list | tuple) or not value:
        return encode(value)
    inner, outer = PAD * (depth + 1), PAD * depth
    if isinstance(value, dict):
        items = [f"{inner}{_key(k, encode)}: {_text(v, depth + 1, levels, encode)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{outer}}}"
    # A list: one line an item, each written whole by one encoder made once (json.dumps would make one a call)
    return "[\n" + ",\n".join(inner + encode(v) for v in value) + f"\n{outer}]"
