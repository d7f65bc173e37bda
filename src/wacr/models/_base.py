"""Hand-written bases that the generated models build on (imported by ``_generated.py``)."""

from __future__ import annotations

import enum
from typing import Any, cast

import attrs

# Imported at run time (not only for type checking): typing.get_type_hints() on a model
# resolves the annotations of this base too.
from wacr._response import PendingInfo, ResponseInfo

__all__ = ["Model", "OpenEnum", "Result"]


class Model:
    """Base of every generated model.

    The one slot holds the HTTP metadata of the call that returned the object (see
    :attr:`response`); it is not an attrs field, so it never takes part in ``__init__``,
    equality, ``repr`` or (un)structuring.
    """

    __slots__ = ("_response",)
    # A call's ResponseInfo, or the parts it is made from when first read (PendingInfo).
    _response: ResponseInfo | PendingInfo | None

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle and copy keep the response: the state attrs gives a slotted class holds the
        # fields only, and this slot is not one.
        fields = {field.name: getattr(self, field.name) for field in attrs.fields(cast(Any, type(self)))}
        return (_rebuild, (type(self), fields, Model.response.__get__(self)))

    @property
    def response(self) -> ResponseInfo | None:
        """HTTP status, headers and request id of the call that returned this object.

        ``None`` for objects built by hand or nested inside another result.
        """
        info = getattr(self, "_response", None)
        if isinstance(info, PendingInfo):
            info = info.realize()
            object.__setattr__(self, "_response", info)  # works on frozen models too
        return info


def _rebuild(cls: type[Model], fields: dict[str, Any], info: ResponseInfo | None) -> Model:
    """A model from its pickled fields and response (set as attrs' frozen classes allow)."""
    model = cls.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(model, name, value)
    if info is not None:
        object.__setattr__(model, "_response", info)
    return model


class Result(Model):
    """Base of the models that operations answer with (``Contact``, ``TextMessageResult``, ...).

    Their :attr:`response` is always there on what a call returns, the items of a page included
    (theirs is the page's), so it is typed without ``None``.
    """

    __slots__ = ()

    @property
    def response(self) -> ResponseInfo:
        """HTTP status, headers and request id of the call that returned this object.

        Raises ``AttributeError`` on an object that no call returned (built by hand, or nested
        inside another result: read the outer result's ``response``).
        """
        info = super().response
        if info is None:
            raise AttributeError(
                f"this {type(self).__name__} was not returned by a call (built by hand or nested in "
                "another result), so it has no response"
            )
        return info


class OpenEnum(str, enum.Enum):
    """A string enum that accepts values the server adds later.

    ``MessageStatus("queued")`` returns a pseudo-member whose ``value`` is ``"queued"``
    instead of raising, so a new server value never breaks parsing; ``known`` tells the two
    apart. Request checks use the declared members only.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def known(self) -> bool:
        """Whether the value is one the spec documents."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)
