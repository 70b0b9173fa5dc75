"""The plays: one module per play, each holding a ``PLAY`` (``agent.core.plays.builders.Play``).

``agent.core.plays.registry`` finds them by scanning this package: a new play is a module
here plus its template ``templates/<id>.j2``, and nothing else.
"""
