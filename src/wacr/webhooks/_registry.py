"""Handler registration for :class:`~wacr.webhooks.Router`: ``on()`` and ``add_handler()``, typed
by event.

A handler registered for one documented event type, or for several of one resource, is checked
against the class it receives (``"contact.created"`` gives a
:class:`~wacr.webhooks.ContactCreatedEvent`, ``"contact.created", "contact.updated"`` a
:class:`~wacr.webhooks.ContactEvent`); any other pattern, wildcards included (``"contact.*"``
also matches an undocumented ``contact.merged``), gives the generic
:class:`~wacr.webhooks.WebhookPayload`. The overloads only inform type checkers: at run time
every registration goes through :meth:`Registry.add_handler`.
"""

from __future__ import annotations

import fnmatch
import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar, overload

from wacr.webhooks._claims import Route

if TYPE_CHECKING:
    from wacr.models import (
        ContactCreatedEvent,
        ContactDeletedEvent,
        ContactEvent,
        ContactUpdatedEvent,
        SourceCreatedEvent,
        SourceDeletedEvent,
        SourceEvent,
        SourceUpdatedEvent,
        StatusCreatedEvent,
        StatusDeletedEvent,
        StatusEvent,
        StatusUpdatedEvent,
        WebhookPayload,
    )

__all__ = ["Registry"]

_E = TypeVar("_E")
_R = TypeVar("_R")

#: A handler of events of type ``_E`` (sync or async: its result is whatever it returns).
Handler = Callable[[_E], _R]


class Register(Protocol, Generic[_E]):
    """What ``on()`` returns: a decorator that registers a handler of ``_E`` and gives it back."""

    def __call__(self, handler: Callable[[_E], _R], /) -> Callable[[_E], _R]: ...


_Contact = Literal["contact.created", "contact.updated", "contact.deleted"]
_Source = Literal["source.created", "source.updated", "source.deleted"]
_Status = Literal["status.created", "status.updated", "status.deleted"]


class Registry:
    """The routes of a router: which handler runs for which event types, under which predicate."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    # fmt: off
    @overload
    def on(self, pattern: Literal["contact.created"], /, *, when: Callable[[ContactCreatedEvent], object] | None = None) -> Register[ContactCreatedEvent]: ...  # noqa: E501
    @overload
    def on(self, pattern: Literal["contact.updated"], /, *, when: Callable[[ContactUpdatedEvent], object] | None = None) -> Register[ContactUpdatedEvent]: ...  # noqa: E501
    @overload
    def on(self, pattern: Literal["contact.deleted"], /, *, when: Callable[[ContactDeletedEvent], object] | None = None) -> Register[ContactDeletedEvent]: ...  # noqa: E501
    @overload
    def on(self, pattern: Literal["source.created"], /, *, when: Callable[[SourceCreatedEvent], object] | None = None) -> Register[SourceCreatedEvent]: ...  # noqa: E501
    @overload
    def on(self, pattern: Literal["source.updated"], /, *, when: Callable[[SourceUpdatedEvent], object] | None = None) -> Register[SourceUpdatedEvent]: ...  # noqa: E501
    @overload
    def on(self, pattern: Literal["source.deleted"], /, *, when: Callable[[SourceDeletedEvent], object] | None = None) -> Register[SourceDeletedEvent]: ...  # noqa: E501
    @overload
    def on(self, pattern: Literal["status.created"], /, *, when: Callable[[StatusCreatedEvent], object] | None = None) -> Register[StatusCreatedEvent]: ...  # noqa: E501
    @overload
    def on(self, pattern: Literal["status.updated"], /, *, when: Callable[[StatusUpdatedEvent], object] | None = None) -> Register[StatusUpdatedEvent]: ...  # noqa: E501
    @overload
    def on(self, pattern: Literal["status.deleted"], /, *, when: Callable[[StatusDeletedEvent], object] | None = None) -> Register[StatusDeletedEvent]: ...  # noqa: E501
    @overload
    def on(self, *patterns: _Contact, when: Callable[[ContactEvent], object] | None = None) -> Register[ContactEvent]: ...  # noqa: E501
    @overload
    def on(self, *patterns: _Source, when: Callable[[SourceEvent], object] | None = None) -> Register[SourceEvent]: ...  # noqa: E501
    @overload
    def on(self, *patterns: _Status, when: Callable[[StatusEvent], object] | None = None) -> Register[StatusEvent]: ...  # noqa: E501
    @overload
    def on(self, *patterns: str, when: Callable[[WebhookPayload], object] | None = None) -> Register[WebhookPayload]: ...  # noqa: E501
    # fmt: on
    def on(self, *patterns: str, when: Callable[[Any], object] | None = None) -> Register[Any]:
        """Decorate ``handler(event)`` to run for events whose type matches a pattern.

        A pattern is an event type (``"contact.created"``) or a shell-style wildcard:
        ``"contact.*"``, ``"*.deleted"``, ``"*"``. ``when`` narrows it further: a function of the
        event (sync or async) whose truth decides, in the handler's task, whether the handler runs
        (one that raises counts as the handler failing). Handlers may be ``async def`` (run on
        the loop) or plain functions (run in a worker thread, so they may block). Matching
        handlers run concurrently, each as its own task, in no guaranteed order.

        Type checkers see the event class the handler and ``when`` receive (the module
        docstring says which).
        """

        def register(handler: Callable[[Any], _R]) -> Callable[[Any], _R]:
            self.add_handler(handler, *patterns, when=when)
            return handler

        return register

    # fmt: off
    @overload
    def add_handler(self, handler: Handler[ContactCreatedEvent, object], pattern: Literal["contact.created"], /, *, when: Callable[[ContactCreatedEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[ContactUpdatedEvent, object], pattern: Literal["contact.updated"], /, *, when: Callable[[ContactUpdatedEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[ContactDeletedEvent, object], pattern: Literal["contact.deleted"], /, *, when: Callable[[ContactDeletedEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[SourceCreatedEvent, object], pattern: Literal["source.created"], /, *, when: Callable[[SourceCreatedEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[SourceUpdatedEvent, object], pattern: Literal["source.updated"], /, *, when: Callable[[SourceUpdatedEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[SourceDeletedEvent, object], pattern: Literal["source.deleted"], /, *, when: Callable[[SourceDeletedEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[StatusCreatedEvent, object], pattern: Literal["status.created"], /, *, when: Callable[[StatusCreatedEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[StatusUpdatedEvent, object], pattern: Literal["status.updated"], /, *, when: Callable[[StatusUpdatedEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[StatusDeletedEvent, object], pattern: Literal["status.deleted"], /, *, when: Callable[[StatusDeletedEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[ContactEvent, object], /, *patterns: _Contact, when: Callable[[ContactEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[SourceEvent, object], /, *patterns: _Source, when: Callable[[SourceEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[StatusEvent, object], /, *patterns: _Status, when: Callable[[StatusEvent], object] | None = None) -> None: ...  # noqa: E501
    @overload
    def add_handler(self, handler: Handler[WebhookPayload, object], /, *patterns: str, when: Callable[[WebhookPayload], object] | None = None) -> None: ...  # noqa: E501
    # fmt: on
    def add_handler(
        self, handler: Callable[[Any], object], /, *patterns: str, when: Callable[[Any], object] | None = None
    ) -> None:
        """Register ``handler`` for ``patterns`` without a decorator (see :meth:`on`)."""
        if not callable(handler):
            raise TypeError(f"a webhook handler must be callable, got {handler!r}")
        if when is not None and not callable(when):
            raise TypeError(f"when= must be a function of the event, got {when!r}")
        if not patterns:
            raise TypeError("give at least one event pattern, e.g. 'contact.created' or '*'")
        for pattern in patterns:
            if not isinstance(pattern, str) or not pattern:
                raise TypeError(f"an event pattern must be a non-empty string, got {pattern!r}")
        is_async = inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
            getattr(handler, "__call__", None)  # noqa: B004 - an object whose __call__ is async
        )
        for pattern in patterns:
            self._routes.append(Route(re.compile(fnmatch.translate(pattern)), handler, is_async, when))
