"""A short tour proving the install works; the full tour against the emulator comes with it."""

from __future__ import annotations

import wacr
from wacr import models
from wacr.models._operations import OPERATIONS


def main() -> None:
    print(f"wacr {wacr.__version__}: {len(OPERATIONS)} operations of API v2")
    for op in OPERATIONS.values():
        print(f"  {op.method:6} {op.path:28} -> {op.operation_id}")
    contact = models.Contact(id=1, firstname="Jane", lastname="Doe", type=models.ContactType.lead)
    print(f"models import: {contact!r}")


if __name__ == "__main__":
    main()
