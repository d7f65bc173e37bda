"""wacr: the async Python SDK for the WhatsApp Business messaging API v2 (WA.cr, RASL)."""

from wacr._version import __version__

__all__ = ["__version__"]
