"""The API hosts, in a module that imports nothing: ``from wacr import WACR`` loads no client."""

from __future__ import annotations

__all__ = ["RASL", "WACR"]

#: WA.cr's API v2 (the default base URL).
WACR = "https://app.wa.cr/api/v2"
#: RASL's API v2.
RASL = "https://getrasl.io/api/v2"
