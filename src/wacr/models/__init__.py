"""The attrs models of API v2, generated from ``openapi/wacr-v2.yaml``.

Every request body, response payload, resource and webhook payload of the spec has a class
here (``Contact``, ``SendTextRequest``, ``TextMessageResult``, ``WebhookPayload``, ...). Enums
are open: a value the server adds later parses into a pseudo-member instead of failing.

The generated classes are created on first use, one API section at a time
(``from wacr.models import Contact`` builds the ``contacts`` section's classes; see
``codegen/sections.py``): building a hundred attrs classes takes longer than the rest of
``import wacr``, and a call should pay only for the models it answers with. The spec's
``*Envelope`` schemas (the ``{success, data}`` wrappers) are generated for the spec's sake but not
exported: the client unwraps every answer itself.
"""

import importlib
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from wacr.models._base import Model as Model
from wacr.models._base import OpenEnum as OpenEnum
from wacr.models._extra import Deleted as Deleted
from wacr.models._generated import INDEX as _INDEX
from wacr.models._literals import *  # noqa: F403  (the argument types: cheap, no model built)
from wacr.models._literals import __all__ as _literals


def to_wire(model: Model, *, iso_datetimes: bool = True) -> dict[str, Any]:
    """A model as the JSON object the API exchanges: ``{"phone": ..., "custom_fields": {...}}``.

    Field names are the API's (``from_`` is ``"from"``), fields that are ``None`` are left out,
    enums become their values and nested models dicts. Datetimes become ISO 8601 strings
    (always with an offset), or stay tz-aware ``datetime`` objects with ``iso_datetimes=False``.
    The converter (cattrs) is loaded on the first call.
    """
    if not isinstance(model, Model):
        raise TypeError(f"to_wire() takes a wacr model, not {type(model).__name__}")
    from wacr._convert import unstructure

    data: dict[str, Any] = unstructure(model)
    return _iso(data) if iso_datetimes else data


def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso(item) for item in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


if TYPE_CHECKING:
    from wacr.models._generated import *  # noqa: F403
else:

    def __getattr__(name: str) -> object:
        # Private and dunder probes (submodule imports, tools looking for __wrapped__) must
        # not load the models; __all__ loads them all: `from wacr.models import *` asks for it.
        if name == "__all__":
            for section in sorted(set(_INDEX.values())):
                _load(section)
            names = sorted(n for n, section in _INDEX.items() if not n.endswith("Envelope"))
            _namespace["__all__"] = ["Deleted", "Model", "OpenEnum", "to_wire", *_literals, *names]
            return _namespace["__all__"]
        section = _INDEX.get(name)
        if section is None or name.startswith("_") or name.endswith("Envelope"):
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        _load(section)
        return _namespace[name]

    def _load(section: str) -> None:
        """Build the classes of one API section (once): later lookups are plain attributes."""
        module = importlib.import_module(f"wacr.models._generated.{section}")
        _namespace.update({key: getattr(module, key) for key in module.__all__})

    def __dir__() -> list[str]:
        return sorted({*globals(), *__getattr__("__all__")})

    _namespace = globals()
