"""Drafts that continue a conversation: replies in its thread, dropped if it moved on. Pure.

A play that belongs in a conversation (``Action.reply_to``: stalled_closure and do_over
when a thread with that person exists), or whose subject answers the contact's last message
(``Action.last_message``), is written as a reply, the way Gmail threads one: the thread's
id, ``In-Reply-To`` the newest message, ``References`` its whole chain, and ``Re:`` its
subject (Gmail files a draft in a thread only when all of these agree). The local outbox
writes the same headers.

A reply answers the thread as it stood: ``agent.core.overtaken`` withdraws it (or flags
it, when the rep edited it) if the conversation went on before it was sent.
"""

from __future__ import annotations

import re
from dataclasses import replace

from agent.core.drafts import one_line
from agent.core.plays.threads import topic
from agent.model import Action, MailMessage, OutgoingMail, ThreadRef
from agent.model.tables import DraftRecord

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
