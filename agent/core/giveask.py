"""Give before ask: each of the rep's outbound touches is a *give* (content, an introduction,
an invitation, a useful answer) or an *ask* (a meeting, "checking in", pricing, "any
update"), and an account whose last three touches were asks should get a give next. Pure.

A touch that was one of nurture's own drafts is what its play is (``PLAY_KIND``). Any other
is read from its subject and first lines, once, when touch detection reads the message
(``Touch.ask``): only the rep's own words count (a forwarded or quoted message below them
is cut off), and the message is an ask when its request cues outweigh its giving cues. A
message that asks nothing is a give: an answer, a note, a forward, a thank-you. Meetings
are neither and are not counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from agent.model import Channel, Direction, PlayId, Touch

Row = TypeVar("Row")
ASKS_IN_A_ROW = 3  # the last three outbound touches asks: the account is flagged


class Kind(StrEnum):
    GIVE = "give"
    ASK = "ask"


PLAY_KIND: Mapping[str, Kind] = {
    PlayId.SHARE_CONTENT: Kind.GIVE,
    PlayId.INTRODUCTION: Kind.GIVE,
    PlayId.INVITATION: Kind.GIVE,
    PlayId.REENGAGE_LOST: Kind.GIVE,
    PlayId.NEW_CONTACT: Kind.GIVE,
    PlayId.STALLED_CLOSURE: Kind.ASK,
    PlayId.DO_OVER: Kind.ASK,
}


class _Cues:
    """Cues in lower case, matched against lower-cased text: how many of them occur.

    Each cue is written with the words it cannot match without (``"need|would like"``):
    a text holding none of them is not searched, which is most of what reading ten
    thousand messages would cost."""

    def __init__(self, *cues: tuple[str, str]) -> None:
        self._cues = [(tuple(words.split("|")), re.compile(p)) for words, p in cues]

    def count(self, text: str) -> int:
        found = 0
        for words, pattern in self._cues:
            for word in words:
                if word in text:
                    found += pattern.search(text) is not None
                    break
        return found


# Where the rep's own words end: a forwarded or quoted message, or a Notes/Outlook header.
_QUOTED = re.compile(
    r"-{3,}\s*(original message|forwarded by)|-{5,}|\bfrom:\s|\bsent:\s|\bon .{0,80} wrote:"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}(:\d{2})?\s*[ap]m|\bto: .{0,60}@",
    re.IGNORECASE,
)
_QUOTE_WORDS = ("---", "from:", "sent:", " wrote:", "/", "to: ")  # _QUOTED needs one of them
_SUBJECT_ASK = re.compile(
    r"\b(checking in|check[- ]in|following up|follow[- ]?up|any (update|news)|pricing|quote|"
    r"proposal|meeting request|quick (call|chat)|touch(ing)? base|availability|remove)\b",
    re.IGNORECASE,
)
_SOCIAL = re.compile(
    r"\b(would you like (me|us) to|how are you|how (did|was|is) (it|your|the)|where have you "
    r"been|how('s| is) (it|everything) going|hope you)\b[^?]*\?",
    re.IGNORECASE,
)
_ASK = _Cues(
    (" you", r"\b(could|can|would|will) you\b"),
    (
        "need|would like|'d like|wanted to ask",
        r"\b(i|we) (need|would like|'d like|wanted to ask)\b",
    ),
    ("should ", r"\bshould (talk|meet|discuss|chat|get together)\b"),
    ("any ", r"\bany (update|news|ideas|thoughts|word)\b"),
    (
        "checking|following up|touch base|circle back",
        r"\b(checking in|just checking|following up|touch base|circle back)\b",
    ),
    (
        "set up|schedule|book|find a time",
        r"\b(set up|schedule|book) (a )?(meeting|call|time)\b|\bfind a time\b",
    ),
    (
        "are you|is there|your availability",
        r"\b(are you|is there) (free|available|still)\b|\byour availability\b",
    ),
    (
        "comment|get back to me",
        r"\b(provide|any|your) comments\b|\bfor comment\b|\bget back to me\b",
    ),
    ("delete me|remove|sorry to bug", r"\bdelete me\b|^remove\b|\bsorry to bug\b"),
    ("what do you think|when ", r"\bwhat do you think\b|\bwhen (can|could|will) (we|you)\b"),
)
# Plain requests weigh as much as a question: "please <verb>" (except the polite forms that
# hand something over) and "I was wondering if".
_PLEASE = _Cues(
    ("please", r"\bplease,? (?!find|see|note|read|let|feel|don't|do not|enjoy|keep|accept)[a-z]+"),
    ("wondering", r"\b(i|we) (was|were|am|are) wondering\b"),
)
_GIVE = _Cues(
    ("fyi|for your", r"\bfyi\b|\bfor your (information|reference|review)\b"),
    (
        "here |attached |enclos|i am attaching",
        r"\bhere (is|are)\b|\battached (is|are)\b|\benclos|\bi am attaching\b",
    ),
    ("thought you|you ", r"\bthought you('d| would| might)\b|\byou (might|may) (like|find)\b"),
    (
        "changed|fixed|checked|sent|faxed|finished|made|done",
        r"\b(i|we)('ve| have)? (changed|fixed|checked|sent|faxed|finished|made|done)\b",
    ),
    (
        "thank|great |sounds ",
        r"\bthanks\b|\bthank you\b|\bgreat (idea|job)\b|\bsounds (good|great|interesting)\b",
    ),
    ("introduc|invit|join us", r"\bintroduc|\binvit(e|ation)\b|\bjoin us\b"),
    (
        "correct|no issues|just wanted to let you know",
        r"\b(is|are) correct\b|\bno issues\b|\bjust wanted to let you know\b",
    ),
    (
        "request|asked|promised|discussed",
        r"\b(pursuant to|per|as) (your )?request(ed)?\b|\bas (you )?(asked|promised|discussed)\b",
    ),
)


def own_words(first_lines: str) -> str:
    """The start of a message up to where a forwarded or quoted message begins."""
    folded = first_lines.casefold()  # as _QUOTED ignores case
    cut = _QUOTED.search(first_lines) if any(w in folded for w in _QUOTE_WORDS) else None
    return (first_lines[: cut.start()] if cut else first_lines).strip()


def classify(subject: str, first_lines: str) -> Kind:
    """Give or ask, from what the rep wrote: a subject and the first lines."""
    words = own_words(first_lines).lower()
    subject_asks = _SUBJECT_ASK.search(subject) is not None
    if not words and not subject_asks:
        return Kind.GIVE  # a forward with nothing of the rep's own: passing something on
    social = len(_SOCIAL.findall(words)) if "?" in words else 0
    questions = max(0, words.count("?") - social)
    ask = 2 * min(questions, 1) + 2 * _PLEASE.count(words) + _ASK.count(words)
    # A reply's subject is the thread's, not what this message is for.
    ask += 2 if subject_asks and not _REPLY.match(subject) else 0
    if not ask:
        return Kind.GIVE  # nothing asked: no count of gives can change that
    give = _GIVE.count(words) + social
    return Kind.ASK if ask > give else Kind.GIVE


_REPLY = re.compile(r"\s*(re|aw|sv|antw)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class GiveAsk:
    """An account's outbound mail as gives and asks: ``kinds`` within the window the ratio
    is taken over, ``last`` the latest three whenever they were; both oldest first."""

    kinds: tuple[Kind, ...] = ()
    last: tuple[Kind, ...] = ()
    days: int = 0  # the window of ``kinds``

    @property
    def gives(self) -> int:
        return sum(1 for k in self.kinds if k is Kind.GIVE)

    @property
    def asks(self) -> int:
        return sum(1 for k in self.kinds if k is Kind.ASK)

    @property
    def ratio(self) -> str:
        return f"{self.gives}:{self.asks}"

    @property
    def asks_in_a_row(self) -> bool:
        """The last three touches were asks: the next one should give."""
        return len(self.last) == ASKS_IN_A_ROW and all(k is Kind.ASK for k in self.last)

    def note(self) -> str:
        """A sentence for the rep when the account is flagged, else ""."""
        if not self.asks_in_a_row:
            return ""
        return (
            f"your last {ASKS_IN_A_ROW} messages there all asked for something "
            f"(give:ask {self.ratio} in {self.days} days), so a give comes first"
        )


def give_ask(
    touches: Sequence[Touch],
    now: datetime,
    days: int,
    plays: Mapping[str, str] | None = None,
) -> GiveAsk:
    """``touches``: one account's, oldest first; the ratio counts the last ``days`` days.
    ``plays``: touch source → the play of the nurture draft it was, when it was one (its
    play decides, not its words); otherwise what detection read in its words
    (``Touch.ask``, from :func:`classify`). Only the window and the last three are read."""
    plays = plays or {}
    since = now - timedelta(days=days)
    kinds: list[Kind] = []
    last: list[Kind] = []
    seen: set[str] = set()
    for touch in reversed(touches):
        if len(last) == ASKS_IN_A_ROW and touch.at < since:
            break
        if touch.direction is not Direction.OUTBOUND or touch.channel is not Channel.EMAIL:
            continue
        if touch.source in seen:
            continue  # one message to two people there is one give or ask
        seen.add(touch.source)
        play = plays.get(touch.source, "")
        kind = PLAY_KIND.get(play) or (Kind.ASK if touch.ask else Kind.GIVE)
        if touch.at >= since:
            kinds.append(kind)
        if len(last) < ASKS_IN_A_ROW:
            last.append(kind)
    return GiveAsk(tuple(reversed(kinds)), tuple(reversed(last)), days)


def gives_first(ledger: GiveAsk, table: Sequence[Row], play_of: Callable[[Row], str]) -> list[Row]:
    """The play table in its order, with the asks moved after the gives when the last
    three touches were asks (each person gets one play: the first that fits)."""
    if not ledger.asks_in_a_row:
        return list(table)
    return sorted(table, key=lambda row: PLAY_KIND.get(play_of(row)) is Kind.ASK)
