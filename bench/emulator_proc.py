"""The wacr emulator in its own process, optionally seeded with N contacts, for the benchmarks.

Prints ``URL <base_url>`` once it listens and serves until stdin closes:

    python bench/emulator_proc.py --contacts 100000

Contacts are inserted straight into the emulator's in-memory state (its tenant's
``add_contact``, the same call a create makes after validation): 100,000 through
``POST /contacts`` would take minutes, this takes about a second.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from _common import TOKEN, contact_json

from wacr.testing import Emulator
from wacr.testing._core import digits_of
from wacr.testing._records import Contact


def seed_contacts(emu: Emulator, count: int) -> None:
    """Insert ``count`` contacts into tenant 1 (no plan limit, no webhooks, no request log)."""
    emu.set_plan(contacts=-1)
    with emu._memory.lock:
        tenant = emu._memory.tenant(1)
        status_id, source_id = tenant.default_status_id, tenant.default_source_id
        for i in range(1, count + 1):
            row = contact_json(i)
            tenant.add_contact(
                Contact(
                    id=emu._memory.state.next_id("contacts"),
                    firstname=row["firstname"],
                    lastname=row["lastname"],
                    phone=row["phone"],
                    type=row["type"],
                    status_id=status_id,
                    source_id=source_id,
                    created_at=row["created_at"],
                    updated_at=row["updated_at"],
                    company=row["company"],
                    email=row["email"],
                    city=row["city"],
                    zip=row["zip"],
                    address=row["address"],
                    digits=digits_of(row["phone"]),  # the key every lookup uses
                )
            )


async def main(contacts: int) -> None:
    emu = Emulator(token=TOKEN, max_received=1000)
    emu.set_plan(contacts=-1)
    if contacts:
        seed_contacts(emu, contacts)
    url = await emu.start()
    print(f"URL {url}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await emu.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=0)
    asyncio.run(main(parser.parse_args().contacts))
