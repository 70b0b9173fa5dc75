"""The pure core: status, plays and planning. No I/O here; `now` is always an argument."""
