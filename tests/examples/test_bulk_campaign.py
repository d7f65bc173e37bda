"""examples/bulk_campaign.py: every member gets the template once, at a bounded pace."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import wacr
from tests.examples.conftest import EXAMPLES, load_example
from wacr.testing import Emulator, Fault

campaign = load_example("bulk_campaign")


async def make_group(client: wacr.Client, size: int, name: str = "Campaign", first: int = 0) -> int:
    """A group of ``size`` new contacts (Member<first>..., phones +1555000<first>...); returns its id."""
    contacts = [
        {
            "firstname": f"Member{n}",
            "lastname": "Test",
            "phone": f"+1555000{n:04d}",
            "type": "lead",
            "source_id": 1,
            "status_id": 1,
        }
        for n in range(first, first + size)
    ]
    created = await client.contacts.batch_create(contacts)
    group = await client.groups.create(name=name)
    await client.groups.add_contacts(group.id, [c.id for c in created.created or []])
    return group.id


async def test_every_member_gets_one_message_and_failures_are_reported(
    wacr_client: wacr.Client, wacr_emulator: Emulator
) -> None:
    group = await make_group(wacr_client, 6)
    await make_group(wacr_client, 2, name="Other", first=100)  # not in the campaign
    wacr_emulator.opt_out("+15550000002")
    # A proxy fails one send after the server sent it: reported, never retried.
    wacr_emulator.inject(Fault("POST /messages/template", status=502, run_handler=True))
    summary = await campaign.run_campaign(
        wacr_client, group, "welcome", "en", per_minute=0, fields={"field_1": "@{contact_first_name}"}
    )
    assert summary.total == 6
    assert len(summary.sent) == 4
    assert [o.phone for o in summary.failed] == ["+15550000002"]
    assert "CONTACT_OPTED_OUT" in (summary.failed[0].error or "")
    assert len(summary.maybe_sent) == 1
    assert "may have been processed" in (summary.maybe_sent[0].error or "")
    texts = sorted(m.text or "" for m in wacr_emulator.outbox)
    assert len(texts) == 5  # 4 sent + the ambiguous one, each exactly once
    assert len(set(m.phone for m in wacr_emulator.outbox)) == 5
    assert "Welcome to Acme, Member0!" in texts
    assert "1 failed, 1 may have been sent" in summary.describe()


async def test_concurrency_is_bounded(wacr_client: wacr.Client, wacr_emulator: Emulator) -> None:
    group = await make_group(wacr_client, 6)
    wacr_emulator.inject(Fault("POST /messages/template", delay=0.2, times=None))
    started = time.monotonic()
    summary = await campaign.run_campaign(
        wacr_client, group, "welcome", "en", concurrency=2, per_minute=0, fields={"field_1": "x"}
    )
    assert len(summary.sent) == 6
    assert time.monotonic() - started >= 0.6  # 6 sends of 0.2 s, 2 at a time


async def test_the_pace_follows_the_plans_rate_limit(
    wacr_client: wacr.Client, wacr_emulator: Emulator
) -> None:
    group = await make_group(wacr_client, 5)
    wacr_emulator.set_rate_limit(600)  # the plan says 600 calls per minute
    summary = await campaign.run_campaign(wacr_client, group, "welcome", "en", fields={"field_1": "x"})
    assert summary.per_minute == 540  # 90% of it, leaving room for the listing
    assert len(summary.sent) == 5
    # Five starts spaced 60/540 s apart: the last one at least 4 intervals after the first.
    assert summary.seconds >= 4 * 60 / 540
    assert all(r.status != 429 for r in wacr_emulator.received)


def test_the_script(wacr_emulator: Emulator) -> None:
    async def setup() -> int:
        async with wacr.Client(wacr_emulator.token, base_url=wacr_emulator.base_url) as client:
            return await make_group(client, 3)

    group = asyncio.run(setup())
    env = {k: v for k, v in os.environ.items() if not k.startswith("WACR_")}
    env.update(WACR_TOKEN=wacr_emulator.token, WACR_BASE_URL=wacr_emulator.base_url)
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "bulk_campaign.py"),
            "--group-id",
            str(group),
            "--template-name",
            "welcome",
            "--field-1",
            "@{contact_first_name}",
            "--per-minute",
            "0",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("3 contacts in ")
    assert proc.stdout.strip().endswith("(unpaced): 3 sent, 0 failed, 0 may have been sent")
    assert sorted(m.text or "" for m in wacr_emulator.outbox) == [
        f"Welcome to Acme, Member{n}!" for n in range(3)
    ]
