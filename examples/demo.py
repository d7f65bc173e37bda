"""A narrated tour of wacr against an embedded emulator (``make demo``, or ``python examples/demo.py``).

Nothing leaves the machine: :class:`wacr.testing.Emulator` serves API v2 from memory on a
loopback port, and the tour talks to it with a plain :class:`wacr.Client` over real HTTP. It
walks through OTP verification, contacts, groups, sources and statuses, every kind of message,
pagination, the retry policy and the errors, printing each call and what came back.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Generator
from contextlib import contextmanager
from datetime import datetime

import wacr
from wacr import models
from wacr.testing import Emulator, Fault

PHONE = "+201000000001"
SECTIONS = 7


class Narrator:
    """Prints the tour: numbered sections, the call made, and what came back (ASCII only)."""

    def __init__(self) -> None:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        self._bold = ("\033[1m", "\033[0m") if color else ("", "")
        self._dim = ("\033[2m", "\033[0m") if color else ("", "")
        self._number = 0

    def section(self, title: str) -> None:
        self._number += 1
        on, off = self._bold
        print(f"\n{on}[{self._number}/{SECTIONS}] {title}{off}")

    def call(self, code: str, result: str) -> None:
        """A call and its outcome: ``  code`` then ``    -> result``."""
        print(f"  {code}")
        print(f"    -> {result}")

    def note(self, text: str) -> None:
        on, off = self._dim
        print(f"  {on}{text}{off}")


def clock(value: datetime | None) -> str:
    """A timestamp as ``14:03:27 UTC``."""
    return value.strftime("%H:%M:%S UTC") if value is not None else "?"


@contextmanager
def stopwatch() -> Generator[list[float], None, None]:
    """Measures the ``with`` block: ``elapsed[0]`` holds the seconds afterwards."""
    elapsed = [0.0]
    start = time.monotonic()
    try:
        yield elapsed
    finally:
        elapsed[0] = time.monotonic() - start


async def account(say: Narrator, client: wacr.Client) -> None:
    say.section("The account")
    info, usage, limits = await asyncio.gather(
        client.account.get(), client.account.usage(), client.account.limits()
    )
    plan = info.subscription.plan_name if info.subscription else "?"
    per_minute = limits.limits.api_calls_per_minute if limits.limits else None
    contacts = usage.contacts
    say.call(
        "await client.account.get(), .usage(), .limits()",
        f"{info.name} (tenant {info.id}) on the {plan} plan: "
        f"{per_minute.limit if per_minute else '?'} API calls per minute, "
        f"{contacts.current if contacts else '?'} of {contacts.limit if contacts else '?'} contacts used",
    )
    say.call(
        "info.response.rate_limit  # the X-RateLimit-* headers (none while no limit is set)",
        repr(info.response.rate_limit if info.response else None),
    )


async def otp(say: Narrator, emu: Emulator, client: wacr.Client) -> None:
    say.section("One-time passwords")
    sent = await client.auth.send_otp(phone=PHONE, template_name="otp_verification")
    say.call(
        f'send_otp(phone="{PHONE}", template_name="otp_verification")  # no code: the server makes one',
        f"sent {sent.message_id[:18]}..., code_auto_generated={sent.code_auto_generated}, "
        f"expires at {clock(sent.expires_at)} ({sent.expiry_minutes} min)",
    )
    say.call("the customer's WhatsApp (emu.outbox[-1].text)", f'"{emu.outbox[-1].text}"')
    typed = emu.otp_code(PHONE) or ""
    say.call(
        f'emu.otp_code("{PHONE}")  # the code as the user types it',
        f'"{typed}" (the answer\'s sent.code is the same: {sent.code == typed})',
    )
    wrong = "000000" if typed != "000000" else "111111"
    try:
        await client.auth.verify_otp(phone=PHONE, code=wrong)
    except wacr.InvalidCodeError as exc:
        say.call(
            f'verify_otp(phone=..., code="{wrong}")',
            f"InvalidCodeError: {exc.attempts_remaining} attempts remaining",
        )
    status = await client.auth.otp_status(phone=PHONE)
    say.call(
        "otp_status(phone=...)",
        f"active code, {status.verification_attempts} wrong attempt so far, "
        f"{status.attempts_remaining} left, expires in {status.expires_in_seconds} s",
    )
    verified = await client.auth.verify_otp(phone=PHONE, code=typed)
    say.call(f'verify_otp(phone=..., code="{typed}")', f"verified at {clock(verified.verified_at)}")
    status = await client.auth.otp_status(phone=PHONE)
    say.call("otp_status(phone=...)", f"has_active_otp={status.has_active_otp}: a verified code is used up")


async def crm(say: Narrator, client: wacr.Client) -> int:
    """Contacts, groups, sources and statuses; returns the id of the group it made."""
    say.section("Contacts, groups, sources and statuses")
    statuses = await client.statuses.list()
    sources = await client.sources.list()
    say.call(
        "await client.statuses.list(), client.sources.list()",
        f"statuses: {', '.join(s.name or '?' for s in statuses)}; "
        f"sources: {', '.join(s.name or '?' for s in sources)}",
    )
    source = await client.sources.create(name="Trade fair")
    status = await client.statuses.create(name="VIP", color="#8B5CF6")
    say.call(
        'sources.create(name="Trade fair"), statuses.create(name="VIP", color="#8B5CF6")',
        f"source {source.id}, status {status.id}",
    )
    layla = await client.contacts.create(
        firstname="Layla",
        lastname="Hassan",
        phone="+201000000002",
        type="lead",
        source_id=source.id,
        status_id=statuses.items[0].id,
        email="layla@example.com",
    )
    say.call('contacts.create(firstname="Layla", lastname="Hassan", ...)', f"contact {layla.id}")
    people = [
        models.BatchContact(
            firstname=f"Guest{n:02d}",
            lastname="Demo",
            phone=f"+2010000001{n:02d}",
            type=models.ContactType.lead,
            source_id=source.id,
            status_id=statuses.items[0].id,
        )
        for n in range(1, 21)
    ]
    batch = await client.contacts.batch_create(people, options={"skip_duplicates": True})
    summary = batch.summary or models.BatchCreateSummary()
    say.call(
        'contacts.batch_create([...20 contacts...], options={"skip_duplicates": True})',
        f"{summary.created} created, {summary.skipped} skipped, {summary.failed} failed",
    )
    group = await client.groups.create(name="Beta testers")
    members = [layla.id, *(c.id for c in (batch.created or [])[:4])]
    added = await client.groups.add_contacts(group.id, members)
    say.call(
        'groups.create(name="Beta testers"); groups.add_contacts(group.id, [...])',
        f"group {group.id} with {added.contacts_added} members",
    )
    await client.contacts.update(layla.id, status_id=status.id, company="Nile Traders")
    full = await client.contacts.get(layla.id, include=["groups", "status", "source"])
    say.call(
        f'contacts.update({layla.id}, status_id={status.id}, company="Nile Traders"); '
        f"contacts.get({layla.id}, include=[...])",
        f"{full.firstname} at {full.company}: status {full.status.name if full.status else '?'}, "
        f"source {full.source.name if full.source else '?'}, "
        f"groups {', '.join(g.name or '?' for g in full.groups or [])}",
    )
    renamed = await client.groups.update(group.id, name="Beta testers 2026")
    leaving = (batch.created or [])[-1].id
    deleted = await client.contacts.delete(leaving)
    temporary = await client.sources.create(name="Flyer")
    await client.sources.update(temporary.id, name="Flyer (spring)")
    await client.sources.delete(temporary.id)
    say.call(
        "groups.update(...), contacts.delete(...), sources.create/update/delete(...)",
        f'group renamed "{renamed.name}"; contact {deleted.id} deleted; a temporary source came and went',
    )
    try:
        await client.sources.delete(source.id)
    except wacr.ConflictError as exc:
        say.call(
            f"sources.delete({source.id})  # the source Layla and the batch still use",
            f"ConflictError {exc.status} {exc.code}: {exc.contacts_count} contacts use it, nothing deleted",
        )
    return group.id


async def messages(say: Narrator, emu: Emulator, client: wacr.Client) -> None:
    say.section("Every kind of message")
    phone = "+201000000002"
    text = await client.messages.send_text(
        phone=phone, message="Hi @{contact_first_name}, your order is on its way!"
    )
    say.call('send_text(message="Hi @{contact_first_name}, ...")', f'{text.status}: "{text.message}"')
    await client.messages.send_template(
        phone=phone,
        template_name="order_update",
        language="en",
        header_image_url="https://example.com/parcel.jpg",
        field_1="@{contact_first_name}",
        field_2="A-1001",
        button_0="A-1001",
    )
    say.call(
        'send_template(template_name="order_update", header_image_url=..., field_1=...)',
        f'"{emu.outbox[-1].text}"',
    )
    media = await client.messages.send_media(
        phone=phone,
        media_type="document",
        media_url="https://example.com/invoices/A-1001.pdf",
        filename="invoice-A-1001.pdf",
        caption="Your invoice",
    )
    say.call(
        'send_media(media_type="document", media_url=".../A-1001.pdf")', f"{media.status}: {media.filename}"
    )
    buttons = await client.messages.send_interactive(
        phone=phone,
        type="button",
        body_text="Did your parcel arrive?",
        buttons=[
            models.InteractiveButton(id="yes", title="Yes"),
            models.InteractiveButton(id="no", title="No"),
        ],
    )
    say.call('send_interactive(type="button", buttons=[Yes, No])', f"{buttons.status} ({buttons.type})")
    menu = await client.messages.send_interactive(
        phone=phone,
        type="list",
        body_text="How can we help?",
        list_button_text="Options",
        sections=[
            models.InteractiveSection(
                title="Orders",
                rows=[
                    models.InteractiveRow(id="track", title="Track an order"),
                    models.InteractiveRow(id="return", title="Return an item", description="Within 30 days"),
                ],
            )
        ],
    )
    say.call('send_interactive(type="list", sections=[...])', f"{menu.status} ({menu.type})")
    cta = await client.messages.send_cta(
        phone=phone,
        message="Track your parcel at any time",
        button_text="Track",
        button_url="https://example.com/track/A-1001",
    )
    say.call(
        'send_cta(message=..., button_text="Track", button_url="https://example.com/track/A-1001")',
        f'{cta.status}: a "{cta.button_text}" button to {cta.button_url}',
    )
    history = await client.messages.list(per_page=10)
    say.call(
        "await client.messages.list(per_page=10)",
        f"{history.total} messages in the history, newest: {history.items[0].type}",
    )


async def pagination(say: Narrator, emu: Emulator, client: wacr.Client, group_id: int) -> None:
    say.section("Pagination")
    page = await client.contacts.list(per_page=10, sort="-created_at")
    say.call(
        'page = await client.contacts.list(per_page=10, sort="-created_at")',
        f"page {page.current_page} of {page.total_pages}: {page.count} of {page.total} contacts, "
        f"has_more={page.has_more}",
    )
    before = len(emu.received)
    count = 0
    async for _contact in client.contacts.list(per_page=10):
        count += 1
    requests = len(emu.received) - before
    say.call(
        "async for contact in client.contacts.list(per_page=10): ...",
        f"{count} contacts in {requests} requests, one page in memory at a time",
    )
    members = [c.firstname async for c in client.contacts.list(filters={"group_id": group_id})]
    say.call(
        'client.contacts.list(filters={"group_id": group.id})',
        f"{len(members)} members: {', '.join(name or '?' for name in members)}",
    )


async def retries(say: Narrator, emu: Emulator, client: wacr.Client) -> None:
    say.section("Retries: what is safe to repeat")
    emu.inject(Fault("GET /account", status=429, retry_after=1))
    with stopwatch() as elapsed:
        info = await client.account.get()
    attempts = info.response.attempts if info.response else "?"
    say.call(
        "client.account.get()  # the server answers 429, Retry-After: 1 (injected)",
        f"answered after {elapsed[0]:.1f} s in {attempts} attempts: the retry policy waited out Retry-After",
    )

    emu.inject(Fault("POST /messages/text", status=429, retry_after=1))
    before = len(emu.outbox)
    with stopwatch() as elapsed:
        sent = await client.messages.send_text(phone=PHONE, message="Your table is ready")
    attempts = sent.response.attempts if sent.response else "?"
    say.call(
        "send_text(...)  # 429 again: the server refused it without doing anything",
        f"sent after {elapsed[0]:.1f} s in {attempts} attempts; the customer got "
        f"{len(emu.outbox) - before} message",
    )

    emu.inject(Fault("POST /messages/text", status=502, run_handler=True))
    before = len(emu.outbox)
    try:
        await client.messages.send_text(phone=PHONE, message="Your order shipped")
    except wacr.ServerError as exc:
        say.call(
            "send_text(...)  # a proxy answers 502 after the server sent the message",
            f"ServerError, may_have_been_processed={exc.may_have_been_processed}, not retried",
        )
    say.note(
        f"The outbox shows {len(emu.outbox) - before} message went out: a retry would have sent it twice. "
        "POST sends are never retried after an ambiguous failure."
    )

    emu.set_rate_limit(3)
    async with wacr.Client(emu.token, base_url=emu.base_url, max_retry_wait=5) as strict:
        first = await strict.account.usage()
        limit = first.response.rate_limit if first.response else None
        say.call(
            "emulator limit 3/min; usage.response.rate_limit  # from the X-RateLimit-* headers",
            f"{limit.remaining} of {limit.limit} calls left this minute"
            if limit
            else "no rate-limit headers",
        )
        try:
            for _ in range(3):
                await strict.account.usage()
        except wacr.RateLimitError as exc:
            left = exc.rate_limit.remaining if exc.rate_limit else "?"
            say.call(
                "Client(max_retry_wait=5); 3 more x account.usage()",
                f"RateLimitError on the 4th ({left} left): Retry-After {exc.retry_after:.0f} s is above "
                "max_retry_wait, so it raises instead of sleeping",
            )
    emu.set_rate_limit(None)


async def errors(say: Narrator, emu: Emulator, client: wacr.Client) -> None:
    say.section("Errors")
    before = len(emu.received)
    try:
        await client.messages.send_text(phone="12345", message="Hi")
    except wacr.ValidationError as exc:
        say.call(
            'send_text(phone="12345", ...)',
            f"ValidationError before sending (status={exc.status}, {len(emu.received) - before} requests): "
            f"{exc.errors}",
        )
    try:
        await client.contacts.get(999_999)
    except wacr.NotFoundError as exc:
        say.call(
            "contacts.get(999999)", f"NotFoundError: {exc.status} {exc.code}, request_id={exc.request_id}"
        )
    async with wacr.Client("not-the-token", base_url=emu.base_url) as stranger:
        try:
            await stranger.account.get()
        except wacr.AuthenticationError as exc:
            say.call('Client("not-the-token").account.get()', f"AuthenticationError: {exc}")


async def tour() -> None:
    say = Narrator()
    started = time.monotonic()
    async with Emulator() as emu, wacr.Client(emu.token, base_url=emu.base_url) as client:
        print(f"wacr {wacr.__version__}: a tour of the SDK against an embedded emulator of API v2")
        print(f"emulator at {emu.base_url} (token {emu.token!r}); nothing leaves this machine")
        await account(say, client)
        await otp(say, emu, client)
        group_id = await crm(say, client)
        await messages(say, emu, client)
        await pagination(say, emu, client, group_id)
        await retries(say, emu, client)
        await errors(say, emu, client)
        print(
            f"\nTour done in {time.monotonic() - started:.1f} s: {len(emu.received)} API requests, "
            f"{len(emu.outbox)} WhatsApp messages in the emulator's outbox."
        )
        print("Next: `wacr --help` (cli extra), examples/otp_login_service.py, examples/bulk_campaign.py.")


def main() -> int:
    """Run the tour; 0 when every step behaved as shown."""
    asyncio.run(tour())
    return 0


if __name__ == "__main__":
    sys.exit(main())
