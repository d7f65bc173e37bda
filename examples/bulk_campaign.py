"""Send a template to every member of a group, with bounded concurrency, paced under the rate limit.

::

    export WACR_TOKEN=... WACR_BASE_URL=...          # or a local `wacr emulator`
    python examples/bulk_campaign.py --group-id 3 --template-name welcome --language en \\
        --field-1 "@{contact_first_name}"

Or from your code::

    summary = await run_campaign(client, group_id=3, template_name="welcome", language="en",
                                 fields={"field_1": "@{contact_first_name}"})
    print(summary.describe())

The group's contacts are read page by page (``async for``) while the sends run, at most
``concurrency`` at a time, and no faster than ``per_minute`` (by default 90% of the plan's
``api_calls_per_minute``, leaving room for the listing and for other clients). Merge fields such
as ``@{contact_first_name}`` are filled by the server for each contact.

wacr retries a send only when the server surely did not act on it (a 429, a refused
connection). A send that failed ambiguously (a timeout, a 5xx, a dropped connection after the
request went out) is never retried: it is reported under "may have been sent", for a person to
check, because sending it again could message the customer twice.

It fails loudly rather than quietly: an unknown or empty group is refused before anything is
sent (:class:`CampaignError`), and when the first ``stop_after`` sends all fail the same way (a
template that does not exist, a missing header, a revoked token...) the campaign stops instead
of failing every other contact too (``summary.stopped`` says why; the script exits 1).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import wacr
from wacr.models import Contact

#: Share of the plan's per-minute limit the campaign uses when ``per_minute`` is not given.
HEADROOM = 0.9
#: The campaign stops when this many first sends all failed with the same error code.
STOP_AFTER = 5
#: The template's header and button fields (``--header-image-url``, ``--button-0``, ...).
HEADER_FIELDS = ("header_field_1", "header_image_url", "header_video_url", "header_document_url")
TEMPLATE_FIELDS = (
    *HEADER_FIELDS,
    "header_document_name",
    *(f"field_{n}" for n in range(1, 11)),
    *(f"button_{n}" for n in range(3)),
)


class CampaignError(Exception):
    """The campaign cannot start: an unknown or empty group (nothing was sent)."""


@dataclass
class Outcome:
    """What happened to one contact."""

    contact_id: int
    phone: str | None
    message_id: str | None = None
    error: str | None = None


@dataclass
class CampaignSummary:
    """Every contact of the campaign, by outcome."""

    sent: list[Outcome] = field(default_factory=list[Outcome])
    failed: list[Outcome] = field(default_factory=list[Outcome])
    #: Failed ambiguously: the server may have sent these; not retried.
    maybe_sent: list[Outcome] = field(default_factory=list[Outcome])
    #: Why the campaign stopped early (``None``: every member was tried).
    stopped: str | None = None
    per_minute: float | None = None
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Contacts handled."""
        return len(self.sent) + len(self.failed) + len(self.maybe_sent)

    def describe(self) -> str:
        """A short human-readable report."""
        pace = f"{self.per_minute:g}/min" if self.per_minute else "unpaced"
        lines = [
            f"{self.total} contacts in {self.seconds:.1f} s ({pace}): {len(self.sent)} sent, "
            f"{len(self.failed)} failed, {len(self.maybe_sent)} may have been sent"
        ]
        if self.stopped:
            lines.append(f"  STOPPED EARLY: {self.stopped}")
        lines += [f"  failed: contact {o.contact_id} ({o.phone}): {o.error}" for o in self.failed]
        lines += [
            f"  may have been sent: contact {o.contact_id} ({o.phone}): {o.error}" for o in self.maybe_sent
        ]
        return "\n".join(lines)


class Pacer:
    """Spaces the start of calls evenly: at most ``per_minute`` per minute."""

    def __init__(self, per_minute: float) -> None:
        self.interval = 60.0 / per_minute
        self._next = 0.0

    async def wait(self) -> None:
        """Wait for the next free slot (slots are handed out in call order)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self._next)
        self._next = slot + self.interval  # reserved before sleeping: no lock needed
        if slot > now:
            await asyncio.sleep(slot - now)


async def plan_pace(client: wacr.Client) -> float | None:
    """``HEADROOM`` of the plan's ``api_calls_per_minute``; ``None`` when it is unlimited or unknown."""
    limits = await client.account.limits()
    limit = limits.limits.api_calls_per_minute if limits.limits else None
    if limit is None or limit.limit is None or limit.is_unlimited or limit.limit <= 0:
        return None
    return max(1.0, int(limit.limit * HEADROOM))


async def run_campaign(
    client: wacr.Client,
    group_id: int,
    template_name: str,
    language: str,
    *,
    concurrency: int = 10,
    per_minute: float | None = None,
    fields: Mapping[str, Any] | None = None,
    stop_after: int = STOP_AFTER,
) -> CampaignSummary:
    """Send ``template_name`` to every contact of group ``group_id``; never raises for one send.

    ``fields`` are extra ``send_template`` arguments for every contact (``field_1``,
    ``header_image_url``, ``button_0``, ...; merge fields allowed). ``per_minute=None`` paces at
    ``HEADROOM`` of the plan's limit (one ``account.limits()`` call); ``0`` turns pacing off.
    An unknown or empty group raises :class:`CampaignError` before anything is sent; when the
    first ``stop_after`` sends all fail with one error code, no further send starts
    (``summary.stopped``; ``0`` never stops). An error while listing the group (401, 403, ...)
    is raised once the sends in flight end.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if per_minute is not None and per_minute < 0:
        raise ValueError("per_minute must be positive, or 0 for no pacing")
    unknown = sorted(set(fields or {}) - set(TEMPLATE_FIELDS))
    if unknown:
        raise ValueError(
            f"not template fields: {', '.join(unknown)} (the fields: {', '.join(TEMPLATE_FIELDS)})"
        )
    await check_group(client, group_id)
    started = time.monotonic()
    if per_minute is None:
        per_minute = await plan_pace(client)
    pacer = Pacer(per_minute) if per_minute else None
    summary = CampaignSummary(per_minute=per_minute or None)
    extra = dict(fields or {})
    slots = asyncio.Semaphore(concurrency)
    first_codes: list[str] = []  # the error codes of the first sends, while none succeeded

    def note(code: str | None) -> None:
        if summary.stopped or stop_after <= 0 or len(first_codes) >= stop_after:
            return
        if code is None:  # a send went through: the campaign works
            first_codes.append("")
            return
        first_codes.append(code)
        if len(first_codes) == stop_after and len(set(first_codes)) == 1:
            summary.stopped = f"the first {stop_after} sends all failed with {code}; not sending the rest"

    async def send(contact: Contact) -> None:
        outcome = Outcome(contact_id=contact.id, phone=contact.phone)
        try:
            if not contact.phone:
                outcome.error = "the contact has no phone number"
                summary.failed.append(outcome)
                return
            if pacer is not None:
                await pacer.wait()
            result = await client.messages.send_template(
                phone=contact.phone,
                contact_id=contact.id,
                template_name=template_name,
                language=language,
                **extra,
            )
            outcome.message_id = result.message_id
            summary.sent.append(outcome)
            note(None)
        except wacr.WacrError as exc:
            outcome.error = str(exc)
            ambiguous = getattr(exc, "may_have_been_processed", False)
            (summary.maybe_sent if ambiguous else summary.failed).append(outcome)
            note(getattr(exc, "code", None) or type(exc).__name__)
        finally:
            slots.release()

    tasks: set[asyncio.Task[None]] = set()
    try:
        async for contact in client.contacts.list(filters={"group_id": group_id}, per_page=100):
            # Take a slot before starting the task, so a group of 100,000 contacts never holds
            # more than `concurrency` tasks (or pages) at once.
            await slots.acquire()
            if summary.stopped:
                slots.release()
                break
            task = asyncio.create_task(send(contact))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    finally:
        # Let the sends in flight finish (cancelling one mid-request would make it ambiguous).
        await asyncio.gather(*tasks)
        summary.seconds = time.monotonic() - started
    return summary


async def check_group(client: wacr.Client, group_id: int) -> None:
    """Raise :class:`CampaignError` unless the group exists and has members."""
    try:
        group = await client.groups.get(group_id)
    except wacr.NotFoundError:
        raise CampaignError(f"group {group_id} does not exist") from None
    members = await client.contacts.list(filters={"group_id": group_id}, per_page=1)
    if not members.items:
        raise CampaignError(f"group {group_id} ({group.name}) has no contacts: nothing to send")


async def _main(args: argparse.Namespace) -> int:
    fields = {name: value for name in TEMPLATE_FIELDS if (value := getattr(args, name)) is not None}
    async with wacr.Client() as client:  # WACR_TOKEN / WACR_BASE_URL
        summary = await run_campaign(
            client,
            args.group_id,
            args.template_name,
            args.language,
            concurrency=args.concurrency,
            per_minute=args.per_minute,
            fields=fields,
            stop_after=args.stop_after,
        )
    print(summary.describe())
    if summary.stopped:
        print(f"error: stopped early: {summary.stopped}", file=sys.stderr)
    return 0 if not summary.failed and not summary.maybe_sent and not summary.stopped else 1


def main(argv: list[str] | None = None) -> int:
    """The command line; exits 0 when every contact was sent, 1 otherwise, 2 on a bad setup."""
    parser = argparse.ArgumentParser(description="Send a template to every member of a group.")
    parser.add_argument("--group-id", type=int, required=True)
    parser.add_argument("--template-name", required=True)
    parser.add_argument("--language", default="en")
    for name in TEMPLATE_FIELDS:
        parser.add_argument(f"--{name.replace('_', '-')}", metavar="TEXT", help=f"the template's {name}")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument(
        "--per-minute", type=float, default=None, help="sends per minute (default: 90%% of the plan's limit)"
    )
    parser.add_argument(
        "--stop-after",
        type=int,
        default=STOP_AFTER,
        help="stop when the first N sends all fail the same way (default: %(default)s; 0: never)",
    )
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_main(args))
    except (wacr.ConfigurationError, CampaignError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except wacr.WacrError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
