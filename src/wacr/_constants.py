"""Constants that several layers share, in a module that imports nothing: ``from wacr import
WACR`` loads no client."""

from __future__ import annotations

__all__ = ["IDEMPOTENT_METHODS", "RASL", "WACR"]

#: WA.cr's API v2 (the default base URL).
WACR = "https://app.wa.cr/api/v2"
#: RASL's API v2.
RASL = "https://getrasl.io/api/v2"

#: Methods whose repetition has the effect of one call: wacr retries them after an ambiguous
#: failure (a 5xx, a timeout, a dropped connection); a failure of any other method (POST) says
#: that the request may have been processed.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
