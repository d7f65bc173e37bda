"""The attrs models of API v2, generated from ``openapi/wacr-v2.yaml``.

Every request body, response payload, resource and webhook payload of the spec has a class
here (``Contact``, ``SendTextRequest``, ``TextMessageResult``, ``WebhookPayload``, ...). Enums
are open: a value the server adds later parses into a pseudo-member instead of failing.

The generated classes are created on first use (``from wacr.models import Contact``,
``wacr.models.Contact``): building a hundred attrs classes takes longer than the rest of
``import wacr``, and code that never touches a model should not pay for it.
"""

import importlib
from typing import TYPE_CHECKING

from wacr.models._base import Model as Model
from wacr.models._base import OpenEnum as OpenEnum
from wacr.models._extra import Deleted as Deleted

if TYPE_CHECKING:
    from wacr.models._generated import *  # noqa: F403
else:

    def __getattr__(name: str) -> object:
        # Private and dunder probes (submodule imports, tools looking for __wrapped__) must
        # not load the models; __all__ does: `from wacr.models import *` asks for it.
        if name.startswith("_") and name != "__all__":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        _generated = importlib.import_module("wacr.models._generated")

        namespace = globals()
        if "__all__" not in namespace:
            public = {key: value for key, value in vars(_generated).items() if not key.startswith("_")}
            namespace.update(public)  # later lookups are plain module attributes
            namespace["__all__"] = ["Deleted", "Model", "OpenEnum", *public]
        try:
            return namespace[name]
        except KeyError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None

    def __dir__() -> list[str]:
        return sorted({*globals(), *__getattr__("__all__")})
