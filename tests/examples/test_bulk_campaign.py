"""examples/bulk_campaign.py: every member gets the template once, at a bounded pace."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest

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


def template_sends(emulator: Emulator) -> int:
    return sum(r.path == "/messages/template" for r in emulator.received)


async def test_an_unknown_or_empty_group_is_refused_before_sending(
    wacr_client: wacr.Client, wacr_emulator: Emulator
) -> None:
    with pytest.raises(campaign.CampaignError, match="group 999 does not exist"):
        await campaign.run_campaign(wacr_client, 999, "welcome", "en", per_minute=0)
    empty = await wacr_client.groups.create(name="Empty")
    with pytest.raises(campaign.CampaignError, match=rf"group {empty.id} \(Empty\) has no contacts"):
        await campaign.run_campaign(wacr_client, empty.id, "welcome", "en", per_minute=0)
    with pytest.raises(ValueError, match="not template fields: field_11"):
        await campaign.run_campaign(wacr_client, empty.id, "welcome", "en", fields={"field_11": "x"})
    assert template_sends(wacr_emulator) == 0


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_it_stops_when_the_first_sends_all_fail_the_same_way(
    wacr_client: wacr.Client, wacr_emulator: Emulator, concurrency: int
) -> None:
    group = await make_group(wacr_client, 20)
    # order_update has an IMAGE header: without header_image_url every send is a 422.
    summary = await campaign.run_campaign(
        wacr_client, group, "order_update", "en", per_minute=0, concurrency=concurrency,
        fields={"field_1": "x", "field_2": "y"}, stop_after=4,
    )  # fmt: skip
    assert summary.stopped == "the first 4 sends all failed with VALIDATION_ERROR; not sending the rest"
    # The 4 that decided it, and at most the others already in flight.
    assert 4 <= template_sends(wacr_emulator) <= 4 + concurrency - 1
    assert summary.total == template_sends(wacr_emulator) < 20
    assert "STOPPED EARLY" in summary.describe()


async def test_it_goes_on_once_a_send_went_through(wacr_client: wacr.Client, wacr_emulator: Emulator) -> None:
    group = await make_group(wacr_client, 8)
    for n in range(1, 8):  # every member but the first opted out: the same error 7 times
        wacr_emulator.opt_out(f"+1555000{n:04d}")
    summary = await campaign.run_campaign(
        wacr_client,
        group,
        "welcome",
        "en",
        per_minute=0,
        concurrency=1,
        fields={"field_1": "x"},
        stop_after=3,
    )
    assert summary.stopped is None
    assert (len(summary.sent), len(summary.failed)) == (1, 7)


async def test_header_and_button_fields(wacr_client: wacr.Client, wacr_emulator: Emulator) -> None:
    group = await make_group(wacr_client, 2)
    fields = {
        "header_image_url": "https://example.com/box.jpg",
        "field_1": "@{contact_first_name}",
        "field_2": "A-42",
        "button_0": "A-42",
    }
    summary = await campaign.run_campaign(
        wacr_client, group, "order_update", "en", per_minute=0, fields=fields
    )
    assert len(summary.sent) == 2, summary.describe()
    for sent in wacr_emulator.outbox:
        assert sent.request["header_image_url"] == "https://example.com/box.jpg"
        assert sent.request["button_0"] == "A-42"


def test_the_script_fails_loudly(wacr_emulator: Emulator) -> None:
    async def setup() -> int:
        async with wacr.Client(wacr_emulator.token, base_url=wacr_emulator.base_url) as client:
            return await make_group(client, 6)

    group = asyncio.run(setup())
    env = {k: v for k, v in os.environ.items() if not k.startswith("WACR_")}
    env.update(WACR_TOKEN=wacr_emulator.token, WACR_BASE_URL=wacr_emulator.base_url)
    script = [sys.executable, str(EXAMPLES / "bulk_campaign.py"), "--per-minute", "0"]
    runs = [
        subprocess.Popen(
            [*script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for args in (
            ["--group-id", "999", "--template-name", "welcome"],
            ["--group-id", str(group), "--template-name", "order_update", "--field-1", "x", "--field-2", "y",
             "--stop-after", "3", "--concurrency", "1"],
            ["--group-id", str(group), "--template-name", "order_update",
             "--field-1", "@{contact_first_name}", "--field-2", "A-42",
             "--header-image-url", "https://example.com/box.jpg", "--button-0", "A-42"],
        )
    ]  # fmt: skip
    (unknown_out, unknown_err), (stopped_out, stopped_err), (ok_out, ok_err) = (
        p.communicate(60) for p in runs
    )
    unknown, stopped, ok = (p.returncode for p in runs)
    for process in runs:
        for stream in (process.stdout, process.stderr):
            assert stream is not None
            stream.close()
    assert (unknown, unknown_out, unknown_err) == (2, "", "error: group 999 does not exist\n")
    assert stopped == 1
    assert "STOPPED EARLY: the first 3 sends all failed with VALIDATION_ERROR" in stopped_out
    assert stopped_err.startswith("error: stopped early: the first 3 sends")
    assert ok == 0, ok_err
    assert ok_out.startswith("6 contacts in ")
    assert ok_out.strip().endswith("(unpaced): 6 sent, 0 failed, 0 may have been sent")
    delivered = sorted(m.text or "" for m in wacr_emulator.outbox if m.request.get("header_image_url"))
    assert delivered == [f"Hi Member{n}, your order A-42 has shipped." for n in range(6)]
