"""Which conversation a play belongs in. Pure: an account's touches → a ``ThreadRef``.

A follow-up that continues a conversation is a reply in it, the way a rep writes it by
hand: in the same thread, answering its newest message, under its subject. The touches
know each email's thread (``Touch.thread``); a thread is referred to at its newest message
at the account, whoever wrote it.

* ``conversation``: the latest thread with a person (stalled_closure: "is this still the
  right time?" belongs under what was last said about the deal);
* ``about_meeting``: a thread with a person about a meeting (do_over): its title in the
  subject, else one active in the fortnight before it (the scheduling thread);
* ``last_message``: the person's own last message, for a play whose subject answers it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from agent.model import Channel, Direction, ThreadRef, Touch

MEETING_LEAD = timedelta(days=14)  # how far before a meeting its scheduling thread may start
_PREFIX = re.compile(
    r"^\s*((re|fwd?|aw|sv|wg|tr|antw|invitation|updated invitation|accepted|tentative)"
    r"\s*(\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)


def topic(subject: str) -> str:
    """A subject without its ``Re:``/``Fwd:``/``Invitation:`` prefixes, case and spacing."""
    return " ".join(_PREFIX.sub("", subject).split()).casefold()


def _emails(touches: Sequence[Touch], contact: str | None = None) -> list[Touch]:
    return [
        t
        for t in touches
        if t.channel is Channel.EMAIL and t.thread and (contact is None or t.contact == contact)
    ]


def newest_in(touches: Sequence[Touch], thread: str) -> ThreadRef | None:
    """The thread at its newest message among ``touches`` (oldest first)."""
    found = [t for t in _emails(touches) if t.thread == thread]
    if not found:
        return None
    newest = max(found, key=lambda t: (t.at, t.source))
    return ThreadRef(newest.source, thread, newest.subject, newest.at)


def conversation(touches: Sequence[Touch], contact: str) -> ThreadRef | None:
    """The latest email thread with ``contact``."""
    theirs = _emails(touches, contact)
    if not theirs:
        return None
    latest = max(theirs, key=lambda t: (t.at, t.source))
    return newest_in(touches, latest.thread)


def about_meeting(touches: Sequence[Touch], contact: str, meeting: Touch) -> ThreadRef | None:
    """A thread with ``contact`` about ``meeting``: one whose subject carries its title, else
    the latest one active since a fortnight before it."""
    near = [t for t in _emails(touches, contact) if t.at >= meeting.at - MEETING_LEAD]
    titled = [t for t in near if _about(t.subject, topic(meeting.subject))]
    chosen = titled or near
    if not chosen:
        return None
    latest = max(chosen, key=lambda t: (t.at, t.source))
    return newest_in(touches, latest.thread)


def _about(subject: str, title: str) -> bool:
    mine = topic(subject)
    return bool(mine and title) and (title in mine or mine in title)


def last_message(touches: Sequence[Touch], contact: str) -> ThreadRef | None:
    """``contact``'s own last email, as its thread stands now (a play answers it when its
    subject does; see ``agent.core.replies``)."""
    theirs = [t for t in _emails(touches, contact) if t.direction is Direction.INBOUND]
    if not theirs:
        return None
    latest = max(theirs, key=lambda t: (t.at, t.source))
    return newest_in(touches, latest.thread)
