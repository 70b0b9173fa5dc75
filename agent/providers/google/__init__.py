"""The Google provider: Gmail and Google Calendar through google-api-python-client.

The only package that imports googleapiclient. Rooms: ``auth`` (OAuth token), ``client``
(services from the bundled discovery documents, ``google.endpoint``), ``pacing`` (quota
budget), ``calls`` + ``batches`` (retries, batches of 50), ``failures`` (Google's errors
as sentences), ``gmail`` + ``mailquery`` (mail sync),
``calendar`` + ``events`` (meeting sync), ``drafts`` (Mailbox), ``blocks``
(BlockCalendar) and ``provider`` (GoogleProvider, which puts them together).
Nothing here is imported at package import time, so `nurture --help` stays fast.
"""
