"""The support engineer's commands (contacts CRUD, messages, templates, groups, sources, statuses,
comments, otp templates, account parts), ``--json`` after the command, the retry notice and
``--max-retry-wait``: in-process through :func:`wacr.cli.main` against the emulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cli.conftest import Result
from wacr.testing import Emulator, Fault

PHONE = "+15551234567"
Run = Callable[..., Result]
CONTACT = ["--firstname", "Jane", "--lastname", "Doe", "--phone", "+15550000001", "--type", "lead"]


def test_contacts_create_get_update_delete(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    created = wacr_cli("contacts", "create", *CONTACT, "--source-id", "1", "--status-id", "1", "--json")
    assert created.code == 0, created.err
    contact_id = str(created.json["id"])
    assert wacr_emulator.received[-1].json == {
        "firstname": "Jane",
        "lastname": "Doe",
        "phone": "+15550000001",
        "type": "lead",
        "source_id": 1,
        "status_id": 1,
    }  # only the options given

    updated = wacr_cli("contacts", "update", contact_id, "--city", "Cairo", "--groups", "")
    assert updated.code == 0, updated.err
    assert f"Contact {contact_id} updated" in updated.out
    assert wacr_emulator.received[-1].json == {"city": "Cairo", "groups": []}

    shown = wacr_cli("contacts", "get", contact_id, "--json")
    assert (shown.json["city"], shown.json["firstname"]) == ("Cairo", "Jane")
    deleted = wacr_cli("contacts", "delete", contact_id)
    assert deleted.code == 0, deleted.err
    assert wacr_emulator.get_contact("+15550000001") is None
    wacr_cli("contacts", "get", contact_id).assert_one_line_error(1, "404 NOT_FOUND")

    missing = wacr_cli("contacts", "create", *CONTACT)
    missing.assert_one_line_error(2, "missing option '--source-id'", "wacr contacts create --help")
    bad_type = wacr_cli(
        "contacts", "create", *CONTACT[:-1], "visitor", "--source-id", "1", "--status-id", "1"
    )
    bad_type.assert_one_line_error(2, "'--type'", "'visitor' is not one of 'lead', 'customer', 'guest'")


@pytest.mark.parametrize(("command", "extra"), [("sources", []), ("statuses", ["--color", "#112233"])])
def test_named_tables(wacr_cli: Run, wacr_emulator: Emulator, command: str, extra: list[str]) -> None:
    created = wacr_cli(command, "create", "--name", "Fair", *extra, "--json")
    assert created.code == 0, created.err
    item = str(created.json["id"])
    assert wacr_emulator.received[-1].json == (
        {"name": "Fair", "color": "#112233"} if extra else {"name": "Fair"}
    )
    renamed = wacr_cli(command, "update", item, "--name", "Trade fair", *extra)
    assert renamed.code == 0, renamed.err
    listing = wacr_cli("--json", command, "list", "--all")
    assert "Trade fair" in {entry["name"] for entry in listing.json["data"]}
    assert wacr_cli(command, "get", item, "--json").json["name"] == "Trade fair"
    table = wacr_cli(command, "list", "--sort", "-created_at")
    noun = "statuses" if command == "statuses" else "sources"
    assert "Trade fair" in table.out and f" {noun} on page 1 of 1" in table.out.splitlines()[-1]
    assert wacr_cli(command, "delete", item).code == 0
    wacr_cli(command, "get", item).assert_one_line_error(1, "404")
    wacr_cli(command, "update", item).assert_one_line_error(2, "missing option '--name'")


def test_groups_update_and_delete(wacr_cli: Run) -> None:
    group = str(wacr_cli("--json", "groups", "create", "--name", "VIP").json["id"])
    assert wacr_cli("groups", "update", group, "--name", "VIPs", "--json").json["name"] == "VIPs"
    assert "Group " + group + " deleted" in wacr_cli("groups", "delete", group).out
    assert wacr_cli("--json", "groups", "list").json["data"] == []


def test_messages_templates_and_comments(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    sent = wacr_cli("--json", "send", "text", "--phone", PHONE, "--message", "Hi there")
    assert sent.code == 0, sent.err
    listing = wacr_cli("messages", "list", "--json")
    [message] = [m for m in listing.json["data"] if m["message_id"] == sent.json["message_id"]]
    shown = wacr_cli("messages", "get", str(message["id"]), "--json")
    assert shown.json["message"] == "Hi there"
    assert "Hi there" in wacr_cli("messages", "list").out

    everything = wacr_cli("--json", "templates", "list", "--all").json["data"]
    [template] = [t for t in everything if t["template_name"] == "welcome"]
    got = wacr_cli("templates", "get", str(template["template_id"]), "--json")
    assert got.code == 0, got.err
    assert got.json["template_name"] == "welcome"

    mobile = PHONE.removeprefix("+")
    added = wacr_cli("comments", "add", mobile, "--comment", "Called back", "--json")
    assert added.code == 0, added.err
    notes = wacr_cli("comments", "list", mobile, "--json")
    assert [n["message"] for n in notes.json["data"]] == ["Called back"]
    assert wacr_cli("comments", "list", mobile).out.splitlines()[-1] == "1 comment"

    auth = wacr_cli("otp", "templates", "--json")
    assert "otp_verification" in {t["template_name"] for t in auth.json["data"]}


def test_account_parts(wacr_cli: Run) -> None:
    assert wacr_cli("account", "get", "--json").json["name"] == "Acme Ltd"
    assert wacr_cli("account", "usage", "--json").json["contacts"]["limit"] == 10000
    limits = wacr_cli("account", "limits").out
    assert "limits.api_calls_per_minute.limit" in limits and "60" in limits
    assert wacr_cli("account", "--json").json["account"]["name"] == "Acme Ltd"  # the overview


@pytest.mark.parametrize(
    "args",
    [
        ["--json", "groups", "list"],
        ["groups", "list", "--json"],
        ["groups", "list", "--per-page", "5", "--json"],
    ],
)
def test_json_before_or_after_the_command(wacr_cli: Run, args: list[str]) -> None:
    result = wacr_cli(*args)
    assert result.code == 0, result.err
    assert result.json["data"] == []


def test_a_429_is_waited_out_with_a_notice(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    wacr_emulator.inject(Fault("GET /groups", status=429, retry_after=1))
    result = wacr_cli("groups", "list", "--json")
    assert result.code == 0, result.err
    assert result.json["data"] == []
    [notice] = result.err.splitlines()
    assert notice.startswith("notice: rate limited (429); retrying in 1.0 s")
    assert notice.endswith("(attempt 2 of 3)")
    assert wacr_emulator.token not in result.err
    assert [r.status for r in wacr_emulator.received] == [429, 200]


def test_max_retry_wait_fails_at_once_on_a_longer_retry_after(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    wacr_emulator.inject(Fault("GET /groups", status=429, retry_after=30))
    result = wacr_cli("--max-retry-wait", "5", "groups", "list")
    result.assert_one_line_error(1, "429")
    assert len(wacr_emulator.received) == 1  # no retry, no wait
