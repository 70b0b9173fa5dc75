"""Recognising a draft nurture wrote when nothing in the message says so. Pure.

A client can read every header of what the rep sends, so a draft carries no marker and no
Message-ID that names nurture (issue 13). Nurture tracks a draft by the id the mailbox gave
it (Gmail's draft id, the only handle that survives the composer; a local file name). The
one moment that id is unknown is after a create whose answer was lost, or a crash between
the create and its record. Then the draft is looked for among the drafts nurture does not
track yet:

1. by its Message-ID: one that looks random (a hash of the rep's address and the draft's
   key: the form many mail programs write, and the same each time the draft is rendered,
   so re-running a step rewrites identical bytes), recorded with the pending draft and
   written into it. ``drafts.create`` stores the message as the
   client wrote it (custom headers included: only the composer's autosave rewrites it), so
   a draft nobody opened still carries it; a copy made by a request the HTTP library sent
   twice carries it too, and only such copies are ever deleted as copies;
2. else (the rep opened it meanwhile and Gmail's composer wrote its own Message-ID) by the
   same recipients and subject, written after the draft was recorded pending, when exactly
   one draft fits. The rep's own drafts never qualify twice: a draft once taken is tracked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from agent.model import DraftRef, OutgoingMail

CLOCK_SLACK = timedelta(minutes=5)  # the mailbox's clock against the one that recorded it


def rfc822_id_for(key: str, address: str) -> str:
    """The Message-ID (without ``<>``) of the draft ``key``, in the rep's own domain."""
    domain = address.rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(f"{address.lower()}\x1f{key}".encode()).hexdigest()[:32]
    return f"{digest}@{domain}"


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>").lower()


def copies(drafts: Iterable[DraftRef], mail: OutgoingMail) -> list[DraftRef]:
    """The drafts carrying ``mail``'s own Message-ID: written by nurture, never opened."""
    wanted = _bare(mail.rfc822_id)
    return [d for d in drafts if wanted and _bare(d.rfc822_id) == wanted]


def made_from(
    drafts: Sequence[DraftRef], mail: OutgoingMail, since: datetime | None
) -> DraftRef | None:
    """The draft a create of ``mail`` (recorded pending at ``since``) made, if one did.

    ``drafts`` are those nurture does not track, as ``Mailbox.unclaimed`` reads them.
    Without ``since`` only the Message-ID can tell."""
    exact = copies(drafts, mail)
    if exact:
        return exact[0]  # any of them: the others are copies, removed once one is recorded
    if since is None:
        return None
    to = sorted(a.email.lower() for a in mail.to)
    alike = [
        d
        for d in drafts
        if sorted(e.lower() for e in d.to) == to
        and " ".join(d.subject.split()) == " ".join(mail.subject.split())
        and d.written_at is not None
        and d.written_at >= since - CLOCK_SLACK
    ]
    return alike[0] if len(alike) == 1 else None
