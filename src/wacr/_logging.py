"""``WACR_LOG=debug|info``: turn on the ``wacr`` logger with a stderr handler (like ``OPENAI_LOG``).

Read once, when the client's module is first imported. ``debug`` shows one line per attempt
(method, path, status, time, attempt, request id, operation) and ``info`` the retries; neither
ever shows a body or the token. Any other value is ignored with one warning on the logger.
"""

from __future__ import annotations

import logging
import os

__all__ = ["configure_from_env"]

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT = "[%(asctime)s %(name)s %(levelname)s] %(message)s"


def configure_from_env(environ: dict[str, str] | None = None) -> int | None:
    """Apply ``WACR_LOG`` (from ``environ``, default ``os.environ``); return the level set, or None."""
    raw = (environ if environ is not None else os.environ).get("WACR_LOG")
    if raw is None or not raw.strip():
        return None
    logger = logging.getLogger("wacr")
    level = _LEVELS.get(raw.strip().lower())
    if level is None:
        logger.warning("WACR_LOG=%r is not one of debug, info: ignored", raw[:20])
        return None
    if not any(getattr(handler, "_wacr_env", False) for handler in logger.handlers):
        handler = logging.StreamHandler()  # stderr
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._wacr_env = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
    return level
