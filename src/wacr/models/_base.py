"""Hand-written bases that the generated models build on (imported by ``_generated.py``)."""

from __future__ import annotations

import enum
import typing
from typing import Any, cast

import attrs

# Imported at run time (not only for type checking): typing.get_type_hints() on a model
# resolves the annotations of this base too.
from wacr._response import PendingInfo, ResponseInfo

__all__ = ["Model", "OpenEnum", "Result", "give_nested", "nested_results"]


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

    Their :attr:`response` is always there on what a call returns: the items of a page, and the
    results nested in another (``contact.groups[0]``, ``synced.templates[0]``), hold that of
    the call that fetched them. So it is typed without ``None``.
    """

    __slots__ = ()

    @property
    def response(self) -> ResponseInfo:
        """HTTP status, headers and request id of the call that returned this object.

        Raises ``AttributeError`` on an object that no call returned (built by hand).
        """
        info = super().response
        if info is None:
            raise AttributeError(
                f"this {type(self).__name__} was not returned by a call (it was built by hand), "
                "so it has no response"
            )
        return info


# Per model class: the names of its fields that hold results (one, or a list of them).
_NESTED: dict[type, tuple[str, ...]] = {}


def nested_results(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` that hold :class:`Result` s (``Contact.groups``,
    ``TemplateSyncResult.templates``), read from its annotations once per class."""
    names = _NESTED.get(cls)
    if names is None:
        hints = typing.get_type_hints(cls)
        names = _NESTED[cls] = tuple(
            field.name for field in attrs.fields(cast(Any, cls)) if _holds_result(hints.get(field.name))
        )
    return names


def _holds_result(hint: Any) -> bool:
    if isinstance(hint, type):
        return issubclass(hint, Result)
    return any(_holds_result(arg) for arg in typing.get_args(hint))


def give_nested(model: Model, info: ResponseInfo, names: tuple[str, ...]) -> None:
    """Give the results nested in ``model`` (at the fields ``names``, and theirs in turn) the
    ``response`` of the call that returned it, so that it is there on every result a call gave."""
    for name in names:
        value = getattr(model, name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, Result) and getattr(item, "_response", None) is None:
                object.__setattr__(item, "_response", info)  # works on frozen models too
                inner = nested_results(type(item))
                if inner:
                    give_nested(item, info, inner)


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
