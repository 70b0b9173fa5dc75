"""nurture: keeps a B2B sales rep close to their dream clients."""

__version__ = "0.1.0"
