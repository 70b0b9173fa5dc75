"""The return date an out-of-office reply states ("back on 3 March", "bis 03.03.")."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

RETURN_WINDOW = timedelta(days=120)


def _words(*groups: str, start: int = 0) -> dict[str, int]:
    return {word: number for number, group in enumerate(groups, start) for word in group.split()}


_MONTHS = _words(
    "january jan januar jänner janvier",
    "february feb februar février fevrier",
    "march mar märz maerz mars",
    "april apr avril",
    "may mai",
    "june jun juni juin",
    "july jul juli juillet",
    "august aug août aout",
    "september sep sept septembre",
    "october oct oktober okt octobre",
    "november nov novembre",
    "december dec dezember dez décembre decembre",
    start=1,
)
_WEEKDAYS = _words(
    "monday mon montag lundi",
    "tuesday tue tues dienstag mardi",
    "wednesday wed mittwoch mercredi",
    "thursday thu thur thurs donnerstag jeudi",
    "friday fri freitag vendredi",
    "saturday sat samstag samedi",
    "sunday sun sonntag dimanche",
)
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WD = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_ANCHOR = re.compile(r"\b(back|return\w*|until|till?|through|thru|zurück|wieder|bis|retour|jusqu)")
_WEEKDAY_AFTER = re.compile(rf"\W{{0,3}}(?:on\s+|am\s+|le\s+)?({_WD})\b(?![\s,.]*\d)")
_WEEKDAY_BEFORE = re.compile(rf"\b({_WD})\b\W{{0,4}}$")
_Y = r"(?:,?\s*(?P<y>\d{4}))?"
# 12/01 is 1 December in the US and 12 January elsewhere: both are tried.
_SLASHED = re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?\b")
_DATES = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})?(?!\d)"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s*(?:of\s+)?(?P<m>{_MON})\b\.?{_Y}"),
    re.compile(rf"\b(?P<m>{_MON})\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b{_Y}"),
    _SLASHED,
)


def return_date(subject: str, body: str, sent_at: datetime) -> date | None:
    """The return date an out-of-office reply states, e.g. "back on 3 March".

    A date without a year is the next such date after ``sent_at``; only dates within
    ``RETURN_WINDOW`` after it count. A date right after "back", "until", "zurück", ...
    wins; without one, the last date of a stated range ("1.3.–10.3.") is used.
    """
    sent = sent_at.date()
    if sent > date.max - RETURN_WINDOW:  # a forged far-future Date: nothing can follow it
        return None
    text = f"{subject}\n{body}".lower()
    found = sorted(_dates_in(text, sent))
    for anchor in _ANCHOR.finditer(text):
        for start, day in found:
            if anchor.end() <= start <= anchor.end() + 40:
                return day
        weekday = _WEEKDAY_AFTER.match(text, anchor.end())
        if weekday:  # "back on Monday": the next Monday after the reply was sent
            ahead = (_WEEKDAYS[weekday.group(1)] - sent.weekday()) % 7 or 7
            return sent + timedelta(days=ahead)
    # One unanchored date may as well be the first day away; a range ends with the return.
    return max(day for _, day in found) if len(found) > 1 else None


def _dates_in(text: str, sent: date) -> list[tuple[int, date]]:
    """(position, date) of every date in ``text`` that falls in the return window."""
    found = []
    for pattern in _DATES:
        for match in pattern.finditer(text):
            y, m, d = match.group("y", "m", "d")
            options = [(y, m, d), (y, d, m)] if pattern is _SLASHED else [(y, m, d)]
            days = [day for option in options if (day := _resolve(*option, sent))]
            before = _WEEKDAY_BEFORE.search(text, max(0, match.start() - 16), match.start())
            if before and len(days) > 1:  # "Monday 12/01": the weekday settles the order
                days = [x for x in days if x.weekday() == _WEEKDAYS[before.group(1)]] or days
            if days:
                found.append((match.start(), min(days)))
    return found


def _resolve(year: str | None, month: str, day: str, sent: date) -> date | None:
    number = _MONTHS.get(month) or int(month)
    years = [int(year) + (2000 if len(year) == 2 else 0)] if year else [sent.year, sent.year + 1]
    for y in years:
        try:
            candidate = date(y, number, int(day))
        except ValueError:
            continue
        if candidate > sent:
            return candidate if candidate <= sent + RETURN_WINDOW else None
    return None
