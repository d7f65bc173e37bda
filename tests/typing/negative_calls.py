"""Mistakes a user makes, each of which mypy and pyright must report (tests/typing/test_negative.py).

Every line with a mistake ends in ``# type: ignore[<mypy code>]  # pyright: ignore[<pyright rule>]``:
in ``make typecheck`` an ignore that no error uses is itself an error (mypy's strict
``warn_unused_ignores``, pyright's ``reportUnnecessaryTypeIgnoreComment``), and the test strips the
comments and checks that both tools report each line with that code. It is never executed.
"""

from __future__ import annotations

import wacr
from wacr import models, webhooks


async def mistakes(client: wacr.Client) -> None:
    # An enum argument takes the enum or one of its documented values, never another string.
    await client.messages.send_media(phone="1", media_type="gif", media_url="https://e.com/a.gif")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await client.messages.send_media(phone="1", media_type="Image", media_url="https://e.com/a.png")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await client.messages.send_media(phone="1", media_type=models.InteractiveType.button, media_url="u")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await client.messages.send_interactive(phone="1", type="carousel", body_text="?")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await client.contacts.create(firstname="a", lastname="b", phone="1", type="vip", source_id=1, status_id=1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await client.contacts.update(1, type="Lead")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]

    # The per-call options are declared: a misspelled one, or extra_body where there is no body.
    await client.messages.send_text(phone="1", message="x", extra_header={"X-A": "b"})  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    await client.messages.send_text(phone="1", message="x", retries=2)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    await client.account.get(extra_body={"a": 1})  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    client.contacts.list(extra_body={"a": 1})  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]

    # ... and typed: header values are strings, query values scalars, timeouts numbers.
    await client.messages.send_text(phone="1", message="x", extra_headers={"X-A": 1})  # type: ignore[dict-item]  # pyright: ignore[reportArgumentType]
    await client.contacts.get(1, extra_query={"ids": [1, 2]})  # type: ignore[dict-item]  # pyright: ignore[reportArgumentType]
    await client.messages.send_text(phone="1", message="x", timeout="5")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await client.groups.get(1, max_retries=1.5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]

    # Results are typed: a page's items are its model, a result is not another model.
    group: models.Group = (await client.contacts.list()).items[0]  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    contact: models.Contact = await client.groups.get(1)  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    status: str = (await client.messages.send_text(phone="1", message="x")).response.status  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    del group, contact, status


def handler_mistakes(router: webhooks.Router) -> None:
    # A handler is checked against the event its pattern delivers.
    @router.on("source.created")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    async def wrong_kind(event: webhooks.ContactCreatedEvent) -> None: ...

    @router.on("contact.created")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    def not_an_event(event: int) -> None: ...

    # A wildcard may deliver an undocumented type: only the generic payload is promised.
    @router.on("contact.*")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    def too_narrow(event: webhooks.ContactEvent) -> None: ...
