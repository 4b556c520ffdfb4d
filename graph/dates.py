"""Dates as the store holds them (xsd:date, xsd:dateTime, xsd:gYearMonth, xsd:gYear), read by one rule: a value
names a period (a day, a month or a year) that it covers whole, so a start is the period's first day and an end
(an end date, a due date) its last: `"2023-03"^^xsd:gYearMonth` as an end is 2023-03-31, `"2024"^^xsd:gYear` as a
start is 2024-01-01. A time of day or a time zone is ignored; anything else is not a date (None)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T[0-9:.]+)?)?)?(?:Z|[+-]\d{2}:\d{2})?")


def period(text: str | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the day, month or year `text` names; None if it is not one."""
    found = DATE.fullmatch(text.strip()) if text else None
    if found is None:
        return None
    year, month, day = (int(part) if part else None for part in found.groups())
    assert year is not None
    try:
        if day is not None and month is not None:
            one = dt.date(year, month, day)
            return one, one
        if month is not None:
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:  # month 13, 30 February, year 0
        return None


def first_day(text: str | None) -> dt.date | None:
    """A start (or a point in time such as an observation): the first day of the period `text` names."""
    found = period(text)
    return found[0] if found else None


def last_day(text: str | None) -> dt.date | None:
    """An end (an end date, a due date): the last day of the period `text` names."""
    found = period(text)
    return found[1] if found else None
