"""A fast start: help and argument errors load neither the client, aiohttp, rich nor the models
(checked in fresh interpreters through ``sys.modules``, not timed: ``bench/cli_start.py`` times
it); the command table the root's help is printed from; shell completion."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from tests.cli.conftest import environment, finish
from wacr.cli import cli

HEAVY = ("aiohttp", "rich", "wacr._client", "wacr.models", "wacr.resources", "asyncio", "orjson")

PROBE = """
import sys
from wacr.cli import main
status = main(sys.argv[1:])
loaded = sorted(m for m in {heavy!r} if m in sys.modules)
print("LOADED", status, loaded, file=sys.stderr)
"""

#: What each run shows, and its exit status.
RUNS = {
    ("--help",): 0,
    ("contacts", "--help"): 0,
    ("groups", "get", "--help"): 0,
    ("contacts", "get", "not-a-number"): 2,
    ("send", "text", "--phone", "+15551234567"): 2,  # a missing option
    ("statuses", "nope"): 2,
    ("--timeout", "0", "account"): 2,
}


def test_help_and_argument_errors_load_nothing_heavy() -> None:
    processes = {
        argv: subprocess.Popen(
            [sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(None),
        )
        for argv in RUNS
    }
    for argv, process in processes.items():
        result = finish(process)
        assert result.code == 0, result.err
        last = result.err.splitlines()[-1]
        assert last == f"LOADED {RUNS[argv]} []", (argv, result.err)


def test_a_command_loads_what_it_needs() -> None:
    # The other side of the probe: the same check sees the client once a command ran.
    process = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.format(heavy=HEAVY),
            "--token",
            "t",
            "--base-url",
            "http://127.0.0.1:9",
            "--max-retries",
            "0",
            "account",
        ],
        capture_output=True,
        text=True,
        env=environment(None),
        timeout=60,
    )
    loaded = process.stderr.splitlines()[-1]
    assert loaded.startswith("LOADED 1 [") and "'aiohttp'" in loaded and "'wacr._client'" in loaded


def test_the_command_table_matches_the_commands() -> None:
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert len(names) == 12
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert command.help
    assert cli.get_command(ctx, "nope") is None


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    from wacr.cli import main

    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert "_WACR_COMPLETE" in script and f"{shell}_complete" in script


def test_completion_completes_commands_and_options() -> None:
    def complete(words: str) -> list[str]:
        env = {
            "_WACR_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        }
        if words.endswith(" "):
            env["COMP_CWORD"] = str(len(words.split()))
        process = subprocess.Popen(
            [sys.executable, "-m", "wacr"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=environment(None, **env),
        )  # fmt: skip
        result = finish(process)
        assert result.code == 0, result.err
        return [line.split(",", 1)[1] for line in result.out.splitlines()]

    assert complete("wacr con") == ["contacts"]
    assert set(complete("wacr statuses ")) == {"list", "create", "get", "update", "delete"}
    assert "--template-name" in complete("wacr send template --te")


def test_the_emulator_command_has_the_same_error_style(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from wacr.cli import main

    capsys.readouterr()
    assert main(["emulator", "--port", "x"]) == 2
    assert (
        capsys.readouterr().err
        == "error: argument --port: invalid int value: 'x' (see 'wacr emulator --help')\n"
    )
    assert main(["emulator", "--rate-limit", "0"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: argument --rate-limit: must be at least 1 (see 'wacr emulator --help')"
    ]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["emulator", "--port", str(port)]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert main(["emulator", "--help"]) == 0
    assert "--rate-limit N" in capsys.readouterr().out


def _groups() -> list[tuple[str, click.Group]]:
    ctx = click.Context(cli)
    found: list[tuple[str, click.Group]] = [("wacr", cli)]
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        if isinstance(command, click.Group):
            found.append((f"wacr {name}", command))
    return found


@pytest.mark.parametrize("width", [72, 80])  # click caps the help at 80 columns
def test_each_command_summary_in_a_groups_help_is_whole_clauses(width: int) -> None:
    """A summary is cut at a clause ("Send a text message"), never mid-sentence with "..."."""
    for path, group in _groups():
        ctx = click.Context(group, info_name=path, terminal_width=width, max_content_width=width)
        listing = group.get_help(ctx).split("\nCommands:\n", 1)[1]
        assert "..." not in listing, (path, width, listing)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            summary = command.get_short_help_str(width - 6 - len(name))
            assert " ".join((command.help or "").split()).startswith(summary.rstrip(".")), (path, name)
