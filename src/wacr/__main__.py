"""``python -m wacr``: the ``wacr`` command (see ``python -m wacr --help``)."""

from __future__ import annotations

import sys

from wacr.cli import main

if __name__ == "__main__":
    sys.exit(main(prog_name="wacr"))
