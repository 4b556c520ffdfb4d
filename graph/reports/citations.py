"""Evidence as citations an advocacy writer can paste: Markdown and BibTeX (CSV and JSON come from tabular.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from l4a.graph.store.base import Row

# Column names of queries/evidence-for.rq that the citations use; other columns are ignored.
URL, HUB, HUB_TITLE, TYPE, DATE, LANGUAGE, PUBLISHER = "url", "hub", "title", "type", "date", "language", "publisher"
SOURCE_TITLE, ACCESSED = "source_title", "accessed"  # the source's own title; the date the project read it


def _text(row: Mapping[str, object], key: str) -> str:
    value = row.get(key)
    return str(getattr(value, "value", "")) if value is not None else ""


def _kind(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].replace("-", " ") if iri else ""


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def source_name(row: Mapping[str, object]) -> str:
    """What is cited: the source's own title where the data has it, else its publisher and site."""
    title = _text(row, SOURCE_TITLE)
    if title:
        return title
    return ", ".join(x for x in (_text(row, PUBLISHER), _site(_text(row, URL))) if x) or _text(row, URL)


def citations_markdown(rows: Sequence[Row]) -> str:
    """One Markdown list item per evidence record, citing the source (not the hub it supports): title (else
    publisher and site), date or n.d., kind and language, the link, the access date or that none is recorded, and
    the hub it is cited for."""
    lines = []
    for row in rows:
        when = _text(row, DATE) or "n.d."
        details = ", ".join(x for x in (_kind(_text(row, TYPE)), _text(row, LANGUAGE)) if x)
        accessed = _text(row, ACCESSED)
        seen = f"Accessed {accessed}" if accessed else "Access date not recorded"
        hub = _text(row, HUB_TITLE) or _text(row, HUB)
        lines.append(f"- {source_name(row)} ({when}){f' [{details}]' if details else ''}. <{_text(row, URL)}>. "
                     f"{seen}. Evidence for *{hub}*.")  # fmt: skip
    return "\n".join(lines)


def _bib(value: str) -> str:
    return re.sub(r"([{}\\\\&%$#_])", r"\\\1", value)


def citations_bibtex(rows: Sequence[Row]) -> str:
    """One @online entry per evidence record for its source (title, else publisher and site), keys made from the
    site and a running number; the hub it supports goes in the note."""
    entries = []
    seen: dict[str, int] = {}
    for row in rows:
        slug = re.sub(r"[^A-Za-z0-9]+", "", _site(_text(row, URL)).split(".")[0])[:32] or "source"
        seen[slug] = seen.get(slug, 0) + 1
        hub = _text(row, HUB_TITLE) or _text(row, HUB)
        fields = {
            "title": source_name(row),
            "organization": _text(row, PUBLISHER),
            "url": _text(row, URL),
            "year": _text(row, DATE)[:4],
            "date": _text(row, DATE),
            "urldate": _text(row, ACCESSED),
            "language": _text(row, LANGUAGE),
            "note": "; ".join(x for x in (_kind(_text(row, TYPE)), f"evidence for {hub}" if hub else "") if x),
        }
        body = ",\n".join(f"  {k} = {{{v if k == 'url' else _bib(v)}}}" for k, v in fields.items() if v)
        entries.append(f"@online{{{slug}{seen[slug]},\n{body}\n}}")
    return "\n\n".join(entries)
