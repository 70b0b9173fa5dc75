"""nurture: keeps a B2B sales rep close to their dream clients."""

import os

__version__ = "0.1.0"

# nurture uses no pydantic plugins: without this, the first model of every command scans the
# entry points of every installed package for them (50 ms, a tenth of a sync with nothing new).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
