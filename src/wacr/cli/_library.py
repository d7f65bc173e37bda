"""The one library internal the command line still uses, kept in this one place.

``wire`` needs the converter's unstructuring (wire names, enums as values, ISO dates, ``None``
fields left out), which ``wacr`` does not export yet: once a public equivalent exists (e.g.
``wacr.models.to_wire(model)``), this module becomes an import of it.
"""

from __future__ import annotations

from typing import Any

from wacr._convert import unstructure

__all__ = ["wire"]


def wire(obj: Any) -> Any:
    """A model as JSON-ready data with the API's field names (plain data passes through)."""
    return unstructure(obj)
