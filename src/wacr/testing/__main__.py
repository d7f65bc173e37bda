"""``python -m wacr.testing``: run the emulator (see ``--help``)."""

from __future__ import annotations

import sys

from wacr.testing._cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], prog="python -m wacr.testing"))
