"""Every ``wacr`` command, run in-process through :func:`wacr.cli.main` against the emulator."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result
from wacr.testing import Emulator, Fault

PHONE = "+15551234567"
Run = Callable[..., Result]


def write_csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "contacts.csv"
    path.write_text(text)
    return str(path)


def add_contacts(run: Run, tmp_path: Path, count: int) -> None:
    rows = "".join(f"Guest{n},Demo,+1555000{n:04d}\n" for n in range(count))
    path = write_csv(tmp_path, "firstname,lastname,phone\n" + rows)
    result = run("contacts", "import", path, "--type", "lead", "--source-id", "1", "--status-id", "1")
    assert result.code == 0, result.err


# -- send -------------------------------------------------------------------------------------------


def test_send_media(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    result = wacr_cli(
        "--json",
        "send",
        "media",
        "--phone",
        PHONE,
        "--media-type",
        "document",
        "--media-url",
        "https://example.com/invoice.pdf",
        "--filename",
        "invoice.pdf",
    )
    assert result.code == 0, result.err
    assert result.json["media_type"] == "document"
    sent = wacr_emulator.outbox[-1]
    assert (sent.kind, sent.media_type, sent.filename) == ("media", "document", "invoice.pdf")


def test_send_interactive_buttons_and_list(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    buttons = wacr_cli(
        "send", "interactive", "--phone", PHONE, "--type", "button", "--body-text", "OK?",
        "--button", "yes=Yes", "--button", "no=No",
    )  # fmt: skip
    assert buttons.code == 0, buttons.err
    assert "Interactive message sent" in buttons.out
    assert wacr_emulator.outbox[-1].request["buttons"] == [
        {"id": "yes", "title": "Yes"},
        {"id": "no", "title": "No"},
    ]

    menu = wacr_cli(
        "--json", "send", "interactive", "--phone", PHONE, "--type", "list", "--body-text", "Pick one",
        "--list-button-text", "Options", "--row", "a=Alpha=The first", "--row", "b=Beta",
    )  # fmt: skip
    assert menu.code == 0, menu.err
    assert menu.json["type"] == "list"
    assert wacr_emulator.outbox[-1].request["sections"] == [
        {
            "title": "Options",
            "rows": [{"id": "a", "title": "Alpha", "description": "The first"}, {"id": "b", "title": "Beta"}],
        }
    ]

    bad = wacr_cli(
        "send", "interactive", "--phone", PHONE, "--type", "button", "--body-text", "x", "--button", "x"
    )
    bad.assert_one_line_error(2, "'--button'", "ID=TITLE")


def test_send_template_missing_a_field_is_the_servers_422(wacr_cli: Run) -> None:
    result = wacr_cli("send", "template", "--phone", PHONE, "--template-name", "welcome", "--language", "en")
    result.assert_one_line_error(1, "422 VALIDATION_ERROR", "field_1")


# -- otp --------------------------------------------------------------------------------------------


def test_otp_verify_status_and_resend(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    sent = wacr_cli(
        "otp", "send", "--phone", PHONE, "--template-name", "otp_verification", "--code", "424242",
        "--expiry-minutes", "5", "--purpose", "login",
    )  # fmt: skip
    assert sent.code == 0, sent.err
    assert wacr_emulator.otp_code(PHONE, purpose="login") == "424242"

    status = wacr_cli("--json", "otp", "status", "--phone", PHONE, "--purpose", "login")
    assert status.code == 0, status.err
    assert status.json["has_active_otp"] is True
    assert status.json["attempts_remaining"] == 5

    resent = wacr_cli(
        "otp", "resend", "--phone", PHONE, "--template-name", "otp_verification", "--purpose", "login"
    )
    assert resent.code == 0, resent.err
    new_code = wacr_emulator.otp_code(PHONE, purpose="login")
    assert new_code is not None and new_code != "424242"

    verified = wacr_cli("otp", "verify", "--phone", PHONE, "--code", new_code, "--purpose", "login")
    assert verified.code == 0, verified.err
    assert "Code verified" in verified.out

    gone = wacr_cli("otp", "verify", "--phone", PHONE, "--code", new_code, "--purpose", "login")
    gone.assert_one_line_error(1, "OTP_NOT_FOUND")


# -- contacts ----------------------------------------------------------------------------------------


def test_contacts_list_one_page_all_pages_and_filters(wacr_cli: Run, tmp_path: Path) -> None:
    add_contacts(wacr_cli, tmp_path, 12)

    page = wacr_cli("--json", "contacts", "list", "--per-page", "5", "--page", "2", "--sort", "id")
    assert page.code == 0, page.err
    assert [c["firstname"] for c in page.json["data"]] == [f"Guest{n}" for n in range(5, 10)]
    assert page.json["pagination"] == {
        "current_page": 2,
        "per_page": 5,
        "total": 12,
        "total_pages": 3,
        "count": 5,
        "has_more": True,
    }

    every = wacr_cli("--json", "contacts", "list", "--per-page", "5", "--all")
    assert len(every.json["data"]) == 12
    assert "pagination" not in every.json

    filtered = wacr_cli("--json", "contacts", "list", "--filter", "type=customer")
    assert filtered.code == 0, filtered.err
    assert filtered.json["data"] == []

    table = wacr_cli("contacts", "list", "--per-page", "5")
    assert table.code == 0, table.err
    assert "Guest0 Demo" in table.out
    assert table.out.splitlines()[-1] == "5 contacts on page 1 of 3 (12 in all); next: --page 2, or --all"


def test_contacts_list_unknown_filter_is_a_bad_argument(wacr_cli: Run, wacr_emulator: Emulator) -> None:
    result = wacr_cli("contacts", "list", "--filter", "colour=red")
    result.assert_one_line_error(2, "filters.colour: is not a filter of this operation")
    assert wacr_emulator.received == []


def test_contacts_get(wacr_cli: Run, tmp_path: Path) -> None:
    add_contacts(wacr_cli, tmp_path, 1)
    result = wacr_cli("--json", "contacts", "get", "1", "--include", "status,source")
    assert result.code == 0, result.err
    assert result.json["status"]["name"] == "New Lead"
    assert result.json["source"]["name"] == "Website"
    wacr_cli("contacts", "get", "999").assert_one_line_error(1, "404 NOT_FOUND")


IMPORT_CSV = """\
firstname,lastname,phone,type,source_id,status_id
Jane,Doe,+15550000001,lead,1,1
John,Roe,+15550000002,lead,1,1
Bad,Row,+15550000003,visitor,1,1
Ann,Lee,+15550000004,lead,1,1
"""


def test_contacts_import_sums_up_failed_and_skipped_rows_by_reason(
    wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    # 40 rows with phones too long (of several lengths), 3 of an unknown type, 2 duplicates.
    short = "".join(f"Long{n},Row,+{'1' * (20 + n % 7)},lead,1,1\n" for n in range(40))
    bad_type = "".join(f"Type{n},Row,+1555100{n:04d},visitor,1,1\n" for n in range(3))
    dups = "Jane,Again,+15550000001,lead,1,1\nJane,Twice,+15550000001,lead,1,1\n"
    path = write_csv(tmp_path, IMPORT_CSV + short + bad_type + dups)
    result = wacr_cli("contacts", "import", path, "--skip-duplicates")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"{path}: 3 created, 2 skipped, 44 failed (49 rows)"
    assert lines[1].split() == ["Result", "Rows", "Reason", "Lines"]
    rows = [" ".join(line.split()) for line in lines[2:]]
    assert rows[0] == "failed 40 phone: must be at most 20 characters 6, 7, 8, 9, 10 and 35 more"
    assert rows[1].startswith("failed 4 type: ") and rows[1].endswith(" 4, 46, 47, 48")
    assert rows[2] == "skipped 2 Duplicate phone number 49, 50"
    assert len(lines) == 5  # one line per reason, not one per row

    data = wacr_cli("--json", "contacts", "import", path, "--skip-duplicates").json
    reasons = {(r["result"], r["reason"]): r for r in data["reasons"]}
    assert reasons["failed", "phone: must be at most 20 characters"]["lines"] == list(range(6, 46))
    assert sum(r["rows"] for r in data["reasons"]) == len(data["failed"]) + len(data["skipped"])
    assert [item["line"] for item in data["failed"]][:2] == [4, 6]  # and every line, one by one


def test_contacts_import_stop_on_error(wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path) -> None:
    path = write_csv(tmp_path, IMPORT_CSV)
    result = wacr_cli("--json", "contacts", "import", path, "--stop-on-error")
    assert result.code == 1  # stopped early: rows were left out
    assert result.json["summary"] == {"rows": 4, "created": 2, "skipped": 0, "failed": 1, "not_imported": 1}
    assert result.json["not_imported"] == [5]
    assert wacr_emulator.get_contact("+15550000004") is None


def test_contacts_import_stop_on_error_inside_a_batch(
    wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    wacr_cli(
        "contacts",
        "import",
        write_csv(tmp_path, IMPORT_CSV.splitlines()[0] + "\nX,Y,+15550000002,lead,1,1\n"),
    )
    path = write_csv(tmp_path, IMPORT_CSV)
    result = wacr_cli("contacts", "import", path, "--stop-on-error")
    assert result.code == 1
    # The server rolled back the batch holding the duplicate (line 3): line 2 went with it.
    assert result.out.splitlines()[:2] == [
        f"{path}: 0 created, 0 skipped, 1 failed (4 rows); stopped early, 3 rows not imported",
        "not imported: lines 2, 4-5",
    ]
    assert wacr_emulator.get_contact("+15550000001") is None


def test_contacts_import_defaults_fill_missing_columns(
    wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path, "First Name,lastname,phone,status_id\nJane,Doe,+15550000001,2\nJo,Ng,+15550000002,\n"
    )
    missing = wacr_cli("contacts", "import", path)
    missing.assert_one_line_error(2, "missing column(s) type, source_id", "--type or --source-id")

    result = wacr_cli(
        "contacts", "import", path, "--type", "customer", "--source-id", "2", "--status-id", "3"
    )
    assert result.code == 0, result.err
    jane, jo = (wacr_emulator.get_contact(p) for p in ("+15550000001", "+15550000002"))
    assert jane is not None and jo is not None
    assert (jane["type"], jane["source_id"], jane["status_id"]) == ("customer", 2, 2)  # the cell wins
    assert jo["status_id"] == 3  # an empty cell takes the default


def test_contacts_import_rejects_a_file_it_cannot_read(wacr_cli: Run, tmp_path: Path) -> None:
    unknown = write_csv(tmp_path, "firstname,surname,phone\n")
    wacr_cli("contacts", "import", unknown).assert_one_line_error(2, "unknown column(s) 'surname'")
    empty = write_csv(tmp_path, "")
    wacr_cli("contacts", "import", empty).assert_one_line_error(2, "the file is empty")
    binary = tmp_path / "contacts.bin"
    binary.write_bytes(b"firstname\n\xff\xfe\n")
    wacr_cli("contacts", "import", str(binary)).assert_one_line_error(2, "not UTF-8 text")
    wacr_cli("contacts", "import", str(tmp_path / "nope.csv")).assert_one_line_error(2, "does not exist")


def test_contacts_import_a_batch_that_may_have_been_created(
    wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    wacr_emulator.inject(Fault("POST /contacts/batch", status=502, run_handler=True))
    result = wacr_cli("--json", "contacts", "import", write_csv(tmp_path, IMPORT_CSV), "--batch-size", "2")
    assert result.code == 0, result.err
    failed = {item["line"]: item["reason"] for item in result.json["failed"]}
    assert failed[2] == failed[3]
    assert failed[2].startswith("the batch may have been created (not retried): 502 BAD_GATEWAY")
    assert result.json["summary"]["created"] == 1  # line 5; line 4 broke the rules
    # Not retried: the first batch was sent once (and the server did create it).
    assert sum(r.path == "/contacts/batch" for r in wacr_emulator.received) == 2
    assert wacr_emulator.get_contact("+15550000001") is not None


def test_contacts_import_aborts_on_an_error_every_batch_would_hit(
    wacr_cli: Run, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    wacr_emulator.remove_token(wacr_emulator.token)
    result = wacr_cli("contacts", "import", write_csv(tmp_path, IMPORT_CSV), "--batch-size", "2")
    assert result.code == 1
    assert result.out.splitlines()[1:] == ["not imported: lines 2-5"]
    assert result.err.startswith("error: 401 UNAUTHORIZED")
    assert len(result.err.splitlines()) == 1


# -- groups, templates, account ----------------------------------------------------------------------


def test_groups(wacr_cli: Run, tmp_path: Path) -> None:
    add_contacts(wacr_cli, tmp_path, 3)
    created = wacr_cli("--json", "groups", "create", "--name", "VIP")
    assert created.code == 0, created.err
    group = str(created.json["id"])

    added = wacr_cli("--json", "groups", "add-contacts", group, "--contact-ids", "1,2", "--contact-ids", "3")
    assert added.json == {"group_id": int(group), "contacts_added": 3}
    removed = wacr_cli("--json", "groups", "remove-contacts", group, "--contact-ids", "3")
    assert removed.json == {"group_id": int(group), "contacts_removed": 1}
    members = wacr_cli("--json", "contacts", "list", "--filter", f"group_id={group}")
    assert [c["id"] for c in members.json["data"]] == [1, 2]

    listing = wacr_cli("groups", "list")
    assert "VIP" in listing.out
    assert listing.out.splitlines()[-1] == "1 group on page 1 of 1 (1 in all)"
    assert wacr_cli("--json", "groups", "get", group).json["name"] == "VIP"
    bad = wacr_cli("groups", "add-contacts", group, "--contact-ids", "1,x")
    bad.assert_one_line_error(2, "'1,x' is not a comma-separated list of integers")


def test_templates_list_and_sync(wacr_cli: Run) -> None:
    approved = wacr_cli("--json", "templates", "list", "--filter", "status=APPROVED", "--all")
    assert approved.code == 0, approved.err
    names = {t["template_name"] for t in approved.json["data"]}
    assert {"otp_verification", "welcome"} <= names
    assert "spring_sale" not in names  # PENDING

    table = wacr_cli("templates", "list", "--filter", "category=AUTHENTICATION")
    assert "otp_verification" in table.out

    synced = wacr_cli("--json", "templates", "sync")
    assert synced.code == 0, synced.err
    assert synced.json["synced_count"] >= 1


def test_account(wacr_cli: Run) -> None:
    human = wacr_cli("account")
    assert human.code == 0, human.err
    assert "Acme Ltd" in human.out
    assert "API calls per minute: 60" in human.out
    data = wacr_cli("--json", "account").json
    assert data["account"]["subscription"]["plan_name"] == "Pro"
    assert data["usage"]["contacts"]["limit"] == 10000
    assert data["limits"]["limits"]["api_calls_per_minute"]["limit"] == 60


# -- global behaviour ----------------------------------------------------------------------------------


def test_no_command_shows_the_help(wacr_cli: Run) -> None:
    result = wacr_cli()
    assert result.code == 2
    assert "Commands:" in result.err
    assert "contacts" in result.err


def test_no_token_at_all(wacr_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WACR_TOKEN")
    wacr_cli("account").assert_one_line_error(2, "no API token: pass --token or set the WACR_TOKEN")


def test_an_unreachable_server_is_one_line_exit_1(wacr_cli: Run) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = wacr_cli("--base-url", f"http://127.0.0.1:{port}/api/v2", "--max-retries", "0", "account")
    result.assert_one_line_error(1)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--base-url", "ftp://example.com", "account"], "base_url must be an absolute http(s) URL"),
        (["--timeout", "0", "account"], "'--timeout'"),
        (
            ["otp", "send", "--phone", PHONE, "--template-name", "x", "--expiry-minutes", "ten"],
            "'--expiry-minutes'",
        ),
        (["send", "media", "--phone", PHONE, "--media-type", "gif", "--media-url", "x"], "'--media-type'"),
    ],
)
def test_bad_arguments_exit_2(wacr_cli: Run, wacr_emulator: Emulator, args: list[str], fragment: str) -> None:
    wacr_cli(*args).assert_one_line_error(2, fragment)
    assert wacr_emulator.received == []
