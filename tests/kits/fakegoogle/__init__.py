"""A stateful fake of the Gmail and Google Calendar APIs for tests and benchmarks.

Start it with ``with FakeGoogle() as fake:`` (or the ``fake_google`` fixture from
``tests.kits.fakegoogle.plugin``), point the real client at ``fake.base_url``
(``fake.build("gmail")`` builds one from the bundled discovery document), seed data with
``add_message`` / ``add_event``, and assert on ``fake.sends``, ``fake.requests``,
``fake.round_trips``, ``fake.quota_units``.

Faults: ``fake.inject(429)``, ``inject(403, reason="rateLimitExceeded")`` (default reason
``userRateLimitExceeded``), ``inject(500)``, ``inject(503)``, ``inject("slow", seconds=2)``,
``inject("drop")`` (connection closed with no answer; the call has no effect unless
``after=True``), ``inject("truncate")`` (the call takes effect, the answer is cut short:
the client sees fewer bytes than Content-Length), ``inject("cut")`` (the same, sent without
a length and closed, so the cut body, mid-JSON or mid-part, looks complete),
``inject("slow", after=True)`` (the call takes effect at once, its answer is late),
``inject(429, retry_after=5)`` (with a Retry-After header), ``inject(401)`` (authError).
OAuth: ``fake.token_uri`` answers refreshes; after ``fake.revoke_refresh_tokens()``,
400 ``invalid_grant``.
``match`` selects calls: None (any), a method id or its suffix (``"messages.get"``), an api
(``"gmail"``), ``"batch"`` (the batch envelope itself), or a ``Call -> bool`` predicate. In a
batch, status faults hit single parts; a dropped/truncated part loses the whole batch answer.
"""

from .core import Call
from .fake import FakeGoogle, MessageView
from .faults import FaultRule
from .gmail import QUOTA_UNITS, quota_cost
from .gmail_write import SentMessage
from .server import CallRecord

__all__ = [
    "QUOTA_UNITS",
    "Call",
    "CallRecord",
    "FakeGoogle",
    "FaultRule",
    "MessageView",
    "SentMessage",
    "quota_cost",
]
