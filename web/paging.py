"""Long lists on pages: one page of items at a time (`?page=N`), with links to the other pages; the JSON twin and
the downloads keep every item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from flask import request

T = TypeVar("T")
PER_PAGE = 50


@dataclass
class Paged(Generic[T]):
    """The items of the asked page, which page it is, how many pages and items there are."""

    items: list[T]
    number: int
    pages: int
    total: int

    def url(self, number: int) -> str:
        """This page's address with another page number (the other parameters kept)."""
        args = request.args.to_dict(flat=False)
        args["page"] = [str(number)]
        return f"{request.path}?{urlencode(args, doseq=True)}"


def paged(items: Sequence[T], per_page: int = PER_PAGE) -> Paged[T]:
    """The page `?page=N` of `items` (1 when absent or not a number; the last one when past the end)."""
    asked = request.args.get("page") or "1"
    pages = max(1, -(-len(items) // per_page))
    number = min(max(1, int(asked)) if asked.isdigit() and len(asked) < 9 else 1, pages)
    return Paged(list(items[(number - 1) * per_page : number * per_page]), number, pages, len(items))
