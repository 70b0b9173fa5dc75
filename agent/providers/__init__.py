"""Providers: the edges that read and write mail and calendars."""
