"""Evidence as citations an advocacy writer can paste: Markdown and BibTeX (CSV and JSON come from tabular.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from l4a.graph.store.base import Row

# Column names of queries/evidence-for.rq that the citations use; other columns are ignored.
URL, HUB, HUB_TITLE, TYPE, DATE, LANGUAGE, PUBLISHER = "url", "hub", "title", "type", "date", "language", "publisher"
ACCESSED = "accessed"  # pav:retrievedOn: the day the page was read (the facts file's retrieval date)


def _text(row: Mapping[str, object], key: str) -> str:
    value = row.get(key)
    return str(getattr(value, "value", "")) if value is not None else ""


def _kind(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].replace("-", " ") if iri else ""


def citations_markdown(rows: Sequence[Row]) -> str:
    """One Markdown list item per evidence record: who, when, for which hub, what kind, the link."""
    lines = []
    for row in rows:
        who = _text(row, PUBLISHER) or "Unknown publisher"
        when = _text(row, DATE) or "n.d."
        hub = _text(row, HUB_TITLE) or _text(row, HUB)
        details = ", ".join(x for x in (_kind(_text(row, TYPE)), _text(row, LANGUAGE)) if x)
        url = _text(row, URL)
        accessed = _text(row, ACCESSED)
        read = f" Accessed {accessed}." if accessed else ""
        lines.append(f"- {who} ({when}). *{hub}*{f' ({details})' if details else ''}. <{url}>{read}")
    return "\n".join(lines)


def _bib(value: str) -> str:
    return re.sub(r"([{}\\\\&%$#_])", r"\\\1", value)


def citations_bibtex(rows: Sequence[Row]) -> str:
    """One @misc entry per evidence record, keys made from the hub and a running number."""
    entries = []
    seen: dict[str, int] = {}
    for row in rows:
        slug = re.sub(r"[^A-Za-z0-9]+", "", _text(row, HUB).rsplit("/", 1)[-1])[:32] or "evidence"
        seen[slug] = seen.get(slug, 0) + 1
        fields = {
            "title": _text(row, HUB_TITLE) or _text(row, HUB),
            "howpublished": f"\\url{{{_text(row, URL)}}}",
            "publisher": _text(row, PUBLISHER),
            "year": _text(row, DATE)[:4],
            "date": _text(row, DATE),
            "language": _text(row, LANGUAGE),
            "urldate": _text(row, ACCESSED),
            "note": _kind(_text(row, TYPE)),
        }
        body = ",\n".join(f"  {k} = {{{v if k == 'howpublished' else _bib(v)}}}" for k, v in fields.items() if v)
        entries.append(f"@misc{{{slug}{seen[slug]},\n{body}\n}}")
    return "\n\n".join(entries)
