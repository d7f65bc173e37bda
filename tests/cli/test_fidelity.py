"""The commands the upstream API description added (issue 11), and the import's row checks.

Run in-process through :func:`wacr.cli.main` against the emulator, like ``test_commands.py``.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wacr
from tests.cli.conftest import Result
from wacr.testing import Emulator

PHONE = "+15551234567"
Run = Callable[..., Result]
HEADER = ["firstname", "lastname", "phone", "type", "source_id", "status_id", "country_id"]


LONG = "+" + "1" * 21  # 22 characters


def write_csv(tmp_path: Path, rows: list[list[str]], name: str = "contacts.csv") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *rows])
    path = tmp_path / name
    path.write_text(buffer.getvalue())
    return str(path)


def row(phone: str, country_id: str = "", first: str = "Jane") -> list[str]:
    return [first, "Doe", phone, "lead", "1", "1", country_id]


def batches_sent(emulator: Emulator) -> list[list[dict[str, Any]]]:
    return [r.json["contacts"] for r in emulator.received if r.path == "/contacts/batch"]


# -- send cta ----------------------------------------------------------------------------------------


def test_send_cta(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    result = wacr_cli(
        "--json", "send", "cta", "--phone", PHONE, "--message", "Your order shipped",
        "--button-text", "Track", "--button-url", "https://example.com/track/42",
        "--header-text", "Acme", "--footer-text", "Thanks",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.json["button_text"] == "Track"
    assert result.json["button_url"] == "https://example.com/track/42"
    [sent] = wacr_emulator.outbox
    assert (sent.kind, sent.text, sent.button_text, sent.button_url) == (
        "cta",
        "Your order shipped",
        "Track",
        "https://example.com/track/42",
    )
    assert (sent.header_text, sent.footer_text) == ("Acme", "Thanks")
    assert sent.message_id == result.json["message_id"]

    table = wacr_cli(
        "send", "cta", "--phone", PHONE, "--message", "Hi", "--button-text", "Go",
        "--button-url", "https://example.com",
    )  # fmt: skip
    assert table.code == 0, table.err
    assert "Call-to-action message sent" in table.out and "https://example.com" in table.out


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--button-url", "https://example.com"], ["missing option '--button-text'"]),
        (["--button-text", "Go"], ["missing option '--button-url'"]),
        (
            ["--button-text", "Go", "--button-url", "not a url"],
            ["--button-url: must be an absolute http(s) URL"],
        ),
        (
            ["--button-text", "G" * 26, "--button-url", "https://example.com"],
            ["--button-text: must be at most 25 characters"],
        ),
    ],
)
def test_send_cta_bad_arguments_exit_2_and_send_nothing(
    wacr_cli: Run, wacr_emulator: Emulator, args: list[str], fragments: list[str]
) -> None:
    result = wacr_cli("send", "cta", "--phone", PHONE, "--message", "Hi", *args)
    result.assert_one_line_error(2, *fragments)
    assert wacr_emulator.received == []


# -- otp send without --code -------------------------------------------------------------------------


def test_otp_send_without_a_code_lets_the_server_generate_it(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    result = wacr_cli("--json", "otp", "send", "--phone", PHONE, "--template-name", "otp_verification")
    assert result.code == 0, result.err
    assert "code" not in wacr_emulator.received[-1].json  # nothing chosen on this side
    code = wacr_emulator.otp_code(PHONE)
    assert code is not None and len(code) == 6
    assert result.json["code_auto_generated"] is True
    assert result.json["code"] == code == wacr_emulator.outbox[-1].code

    table = wacr_cli("otp", "send", "--phone", PHONE, "--template-name", "otp_verification")
    assert table.code == 0, table.err
    new_code = wacr_emulator.otp_code(PHONE)
    assert new_code is not None
    lines = {line.split()[0]: line.split()[1:] for line in table.out.splitlines()[1:] if line.strip()}
    assert lines["code_auto_generated"] == ["yes"] and lines["code"] == [new_code]


def test_otp_send_with_a_code_says_it_was_not_generated(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    result = wacr_cli(
        "--json", "otp", "send", "--phone", PHONE, "--template-name", "otp_verification", "--code", "135790"
    )
    assert result.code == 0, result.err
    assert wacr_emulator.received[-1].json["code"] == "135790"
    assert wacr_emulator.otp_code(PHONE) == "135790"
    assert result.json["code_auto_generated"] is False
    assert "code" not in result.json  # a chosen code is not echoed

    bad = wacr_cli("otp", "send", "--phone", PHONE, "--template-name", "otp_verification", "--code", "12")
    bad.assert_one_line_error(2, "code")
    assert len(wacr_emulator.received) == 1


# -- account: rate-limit figures ---------------------------------------------------------------------


def test_account_shows_the_rate_limit_figures(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    wacr_emulator.set_rate_limit(100)
    before = datetime.now().astimezone()
    data = wacr_cli("--json", "account").json
    rate = data["rate_limit"]
    assert rate["limit"] == 100
    assert rate["remaining"] == 97  # three calls; the figures of the latest
    reset = datetime.fromisoformat(rate["reset"])
    assert reset.tzinfo is not None and 0 <= (reset - before).total_seconds() <= 61

    human = wacr_cli("account")
    assert human.code == 0, human.err
    assert human.out.splitlines()[-1].startswith("Rate limit: 94 of 100 requests left; the window resets at ")


def test_account_without_rate_limit_headers(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    wacr_emulator.set_rate_limit(None)
    data = wacr_cli("--json", "account").json
    assert data["rate_limit"] is None
    assert "Rate limit" not in wacr_cli("account").out


# -- the help names the commands ----------------------------------------------------------------------


def test_the_help_names_the_new_commands(wacr_cli: Run) -> None:
    send = wacr_cli("send", "--help")
    assert send.code == 0
    assert "cta" in send.out.split("Commands:")[1]
    cta = wacr_cli("send", "cta", "--help")
    for option in ("--phone", "--message", "--button-text", "--button-url", "--header-text", "--footer-text"):
        assert option in cta.out
    otp = wacr_cli("otp", "send", "--help")
    assert "--code" in otp.out and "server generates" in otp.out
    top = wacr_cli("--help").out.split("Commands:")[1]
    [send_line] = [line for line in top.splitlines() if line.split()[:1] == ["send"]]
    assert "cta" in send_line
    [otp_line] = [line for line in top.splitlines() if line.split()[:1] == ["otp"]]
    assert "server-generated" in otp_line


# -- contacts import: the SDK's rules per row ----------------------------------------------------------


@pytest.mark.parametrize("stop", [False, True])
def test_a_row_with_a_phone_over_20_characters_is_a_bad_row_and_is_never_sent(
    wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path, stop: bool
) -> None:
    # A contact phone is `max:20` (no minimum, no format): a longer one is the SDK's to refuse.
    only = write_csv(tmp_path, [row(LONG)])
    result = wacr_cli("--json", "contacts", "import", only, *(["--stop-on-error"] if stop else []))
    assert result.json["failed"] == [{"line": 2, "reason": "phone: must be at most 20 characters (got 22)"}]
    assert batches_sent(wacr_emulator) == []  # refused before anything was sent

    mixed = write_csv(tmp_path, [row("+15550000001"), row(LONG, first="Bad"), row("+15550000003")], "m.csv")
    result = wacr_cli("--json", "contacts", "import", mixed, *(["--stop-on-error"] if stop else []))
    failed = {item["line"]: item["reason"] for item in result.json["failed"]}
    assert failed == {3: "phone: must be at most 20 characters (got 22)"}
    sent = [item["phone"] for batch in batches_sent(wacr_emulator) for item in batch]
    assert LONG not in sent
    if stop:
        assert sent == ["+15550000001"] and result.json["not_imported"] == [4] and result.code == 1
    else:
        assert sent == ["+15550000001", "+15550000003"] and result.code == 0
        assert result.json["summary"]["created"] == 2


def test_an_integer_beyond_64_bits_is_a_bad_row(
    wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, [row("+15550000001", country_id=str(2**64)), row("+15550000002")])
    result = wacr_cli("--json", "contacts", "import", path)
    [failure] = result.json["failed"]
    assert failure["line"] == 2 and failure["reason"].startswith("country_id: cannot be sent as JSON")
    assert [item["phone"] for batch in batches_sent(wacr_emulator) for item in batch] == ["+15550000002"]


#: Phones near and across the rule's edges (length, alphabet), and anything else.
PHONES = st.one_of(
    st.from_regex(r"\+?[0-9][0-9 ()-]{6,20}", fullmatch=True),
    st.text(alphabet="0123456789+-() x", max_size=24),
)
COUNTRY_IDS = st.one_of(st.just(""), st.integers(-10, 300).map(str), st.integers(-(2**70), 2**70).map(str))


def test_the_import_refuses_a_row_exactly_when_the_sdk_does(
    wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    """For any row, the import reports it as failed before sending iff the SDK's own checks refuse
    it before sending; a row the SDK accepts reaches the server."""
    outcomes = {"refused": 0, "sent": 0}

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(phone=PHONES, country_id=COUNTRY_IDS)
    def run(phone: str, country_id: str) -> None:
        wacr_emulator.reset()
        contact: dict[str, Any] = {"firstname": "Jane", "lastname": "Doe", "type": "lead"}
        contact.update(source_id=1, status_id=1)
        if phone.strip():
            contact["phone"] = phone.strip()
        if country_id:
            contact["country_id"] = int(country_id)

        async def sdk_refuses() -> bool:
            async with wacr.Client(wacr_emulator.token, base_url=wacr_emulator.base_url) as client:
                try:
                    await client.contacts.batch_create([contact])
                except wacr.ValidationError as exc:
                    return exc.status is None
            return False

        result = wacr_cli("--json", "contacts", "import", write_csv(tmp_path, [row(phone, country_id)]))
        cli_sent = bool(batches_sent(wacr_emulator))
        wacr_emulator.reset()
        refused = asyncio.run(sdk_refuses())
        assert cli_sent is not refused, (result.json, refused)
        if refused:
            assert result.json["failed"][0]["line"] == 2
            outcomes["refused"] += 1
        else:
            outcomes["sent"] += 1

    run()
    assert outcomes["refused"] > 0 and outcomes["sent"] > 0, outcomes


#: Phones of 0-24 characters around the rule's edges: its alphabet, letters, odd spaces.
ANY_PHONE = st.text(alphabet="0123456789+-() x.\u00a0\t", min_size=0, max_size=24)


async def _emulator_accepts(emulator: Emulator, phone: str) -> bool:
    """Whether the emulator (the API) accepts ``phone`` for a new contact, asked directly."""
    import aiohttp

    body = {
        "firstname": "Jane",
        "lastname": "Doe",
        "type": "lead",
        "source_id": 1,
        "status_id": 1,
        "phone": phone,
    }
    headers = {"Authorization": f"Bearer {emulator.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(emulator.base_url + "/contacts", json=body, headers=headers) as response,
    ):
        answer = await response.json()
    if response.status == 201:
        return True
    assert response.status == 422 and set(answer["error"]["details"]) == {"phone"}, answer
    return False


def test_the_imports_phone_rule_is_the_apis(wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path) -> None:
    """A phone the import refuses before sending is one the API (the emulator, asked directly)
    refuses, and one it sends is one the API accepts."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(phone=ANY_PHONE)
    def run(phone: str) -> None:
        wacr_emulator.reset()
        result = wacr_cli("--json", "contacts", "import", write_csv(tmp_path, [row(phone)]))
        refused = not batches_sent(wacr_emulator)  # refused before sending
        wacr_emulator.reset()
        accepted = asyncio.run(_emulator_accepts(wacr_emulator, phone.strip()))
        assert refused is not accepted, (phone, result.json["failed"])

    run()
