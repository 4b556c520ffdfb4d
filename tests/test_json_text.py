"""JSON written fast (graph/text/json_text.py) is the same value as json.dumps writes, whatever the data, and lays out
its outer levels for people: a long list's items each on a line."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from l4a.graph.text.json_text import pretty_json

leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
keys = st.text() | st.integers() | st.booleans()
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=30)  # fmt: skip


@given(values, st.integers(min_value=0, max_value=4), st.booleans())
def test_pretty_json_reads_back_as_json_dumps_does(value: object, levels: int, ascii_only: bool) -> None:
    text = pretty_json(value, levels=levels, ensure_ascii=ascii_only)
    assert json.loads(text) == json.loads(json.dumps(value, ensure_ascii=ascii_only))
    if ascii_only:
        assert text.isascii()


def test_each_item_of_a_list_is_a_line_and_deeper_values_stay_on_it() -> None:
    hubs = [{"hub": f"h{n}", "goals": [1, 2], "title": "Écologie"} for n in range(3)]
    text = pretty_json({"hubs": hubs, "count": 3})
    assert text.splitlines() == [
        "{",
        '  "hubs": [',
        '    {"hub": "h0", "goals": [1, 2], "title": "Écologie"},',
        '    {"hub": "h1", "goals": [1, 2], "title": "Écologie"},',
        '    {"hub": "h2", "goals": [1, 2], "title": "Écologie"}',
        "  ],",
        '  "count": 3',
        "}",
    ]
    assert pretty_json([]) == "[]" and pretty_json({}) == "{}"
