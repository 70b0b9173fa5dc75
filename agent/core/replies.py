"""Drafts that continue a conversation: replies in its thread, dropped if it moved on. Pure.

A play that belongs in a conversation (``Action.reply_to``: stalled_closure and do_over
when a thread with that person exists), or whose subject answers the contact's last message
(``Action.last_message``), is written as a reply, the way Gmail threads one: the thread's
id, ``In-Reply-To`` the newest message, ``References`` its whole chain, and ``Re:`` its
subject (Gmail files a draft in a thread only when all of these agree). The local outbox
writes the same headers.

A reply answers the thread as it stood. If the contact or the rep wrote in it since (a
touch in that thread after the message answered) before the rep sent the draft, it is
*withdrawn*: removed when untouched, left in place (and still watched) when the rep edited
it. A withdrawn draft is no "no" from the rep: no play rests because of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from agent.core.drafts import one_line
from agent.core.outcomes import Outcome, moment
from agent.core.plays.threads import topic
from agent.model import Action, DraftRef, MailMessage, OutgoingMail, ThreadRef, Touch
from agent.model.tables import DraftRecord, DraftStatus

_RE = re.compile(r"^\s*re\s*:", re.IGNORECASE)


def reply_target(action: Action, subject: str) -> ThreadRef | None:
    """The conversation the draft continues: the play's own, else the contact's last
    message when the rendered ``subject`` answers it (the same topic, ``Re:`` aside)."""
    if action.reply_to is not None:
        return action.reply_to
    last = action.last_message
    if last is not None and topic(subject) and topic(subject) == topic(last.subject):
        return last
    return None


def as_reply(mail: OutgoingMail, message: MailMessage) -> OutgoingMail:
    """``mail`` as a reply to ``message`` in its thread; unchanged when ``message`` has no
    Message-ID to answer."""
    if not message.message_id:
        return mail
    subject = message.subject if _RE.match(message.subject) else f"Re: {message.subject}"
    chain = tuple(dict.fromkeys((*message.references, message.message_id)))
    return replace(
        mail,
        subject=one_line(subject),
        thread=message.thread,
        in_reply_to=message.message_id,
        references=chain,
    )


def reply_fields(reply: ThreadRef | None) -> DraftRecord:
    """What a draft record keeps of the conversation it continues ({} for a new email)."""
    if reply is None:
        return {}
    return {
        "reply_to": reply.message,
        "reply_thread": reply.thread,
        "reply_at": reply.at.isoformat(),
    }


def waiting_replies(records: Mapping[str, DraftRecord]) -> bool:
    return any(
        r.get("status") == DraftStatus.CREATED and r.get("reply_thread") for r in records.values()
    )


def withdrawals(
    records: Mapping[str, DraftRecord],
    touches: Iterable[Touch],
    live: Sequence[DraftRef],
    now: datetime,
) -> list[Outcome]:
    """Reply drafts still in the mailbox (``live``, listed after the sync) whose
    conversation went on since the message they answer."""
    waiting = {
        key: r
        for key, r in records.items()
        if r.get("status") == DraftStatus.CREATED and r.get("reply_thread")
    }
    threads = {str(r["reply_thread"]) for r in waiting.values()}
    later: dict[str, list[Touch]] = {}
    for touch in touches:
        if touch.thread in threads:
            later.setdefault(touch.thread, []).append(touch)
    by_id = {d.id: d for d in live}
    found = []
    for key, record in sorted(waiting.items()):
        draft = by_id.get(str(record.get("provider_id") or "-"))
        if draft is None or not _moved_on(record, later.get(str(record["reply_thread"]), [])):
            continue
        if record.get("edited") or draft.message_id != record.get("message_id"):
            found.append(
                Outcome(key, DraftStatus.WITHDRAWN, now, {"edited": True, "removed": False})
            )
        else:
            found.append(
                Outcome(key, DraftStatus.WITHDRAWN, now, {"removed": True}, delete=draft.id)
            )
    return found


def _moved_on(record: DraftRecord, in_thread: Sequence[Touch]) -> bool:
    answered, since = str(record.get("reply_to") or ""), moment(record["reply_at"])
    return any(t.at > since and t.source != answered for t in in_thread)
