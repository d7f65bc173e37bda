"""The one conversion the command line needs from the library, through its public API."""

from __future__ import annotations

from typing import Any

from wacr.models import Model, to_wire

__all__ = ["wire"]


def wire(obj: Any) -> Any:
    """A model as JSON-ready data with the API's field names (plain data passes through)."""
    if isinstance(obj, Model):
        return to_wire(obj, iso_datetimes=False)  # tables print times to the minute
    if isinstance(obj, (list, tuple)):
        return [wire(item) for item in obj]
    if isinstance(obj, dict):
        return {key: wire(value) for key, value in obj.items()}
    return obj
