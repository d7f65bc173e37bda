"""``make demo``: the narrated tour runs to the end against its embedded emulator."""

from __future__ import annotations

import re
import subprocess
import sys
import time

from tests.examples.conftest import EXAMPLES


def test_the_demo_tours_every_section_and_exits_0() -> None:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py")], capture_output=True, text=True, timeout=60
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    for heading in (
        "[1/7] The account",
        "[2/7] One-time passwords",
        "[3/7] Contacts, groups, sources and statuses",
        "[4/7] Every kind of message",
        "[5/7] Pagination",
        "[6/7] Retries: what is safe to repeat",
        "[7/7] Errors",
    ):
        assert heading in out
    assert "InvalidCodeError: 4 attempts remaining" in out
    assert re.search(r"answered after 1\.\d s in 2 attempts", out)  # Retry-After: 1 waited out
    assert "may_have_been_processed=True, not retried" in out
    assert "code_auto_generated=True" in out and "sent.code is the same: True" in out  # server-made OTP
    assert "ConflictError 409 RESOURCE_CONFLICT" in out  # a source still in use is not deleted
    assert 'a "Track" button to https://example.com/track/A-1001' in out  # send_cta
    assert re.search(r"2 of 3 calls left this minute", out)  # X-RateLimit-* parsed
    assert "Tour done in" in out
    assert "\033[" not in out  # no colour codes when stdout is not a terminal
    assert elapsed < 30
