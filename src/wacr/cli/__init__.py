"""The ``wacr`` command: the common API calls from a shell, and the emulator.

::

    wacr [--token T] [--base-url URL] [--json] COMMAND [OPTIONS]

    wacr send text --phone +201000000000 --message "Hi"
    wacr send cta --phone +201000000000 --message "Your order" --button-text Track \\
        --button-url https://example.com/track/42
    wacr otp send --phone +201000000000 --template-name otp_verification
    wacr contacts import contacts.csv --skip-duplicates
    wacr contacts list --filter status_id=3 --json
    wacr --json account
    wacr emulator --port 8080 --token test-token

Command options are the API's JSON fields in kebab case (``--template-name``,
``--expiry-minutes``, ``--field-1``). The token and base URL fall back to ``WACR_TOKEN`` and
``WACR_BASE_URL``. Output is human-readable tables, or JSON with the API's field names on
stdout with ``--json``.

Exit status: 0 done; 1 the API answered an error or could not be reached (one line on stderr);
2 a bad argument, caught before anything was sent (one line on stderr); 130 interrupted. A
traceback is never shown (``-vv`` shows one for an unexpected internal error).

click and rich are the ``cli`` extra (``pip install 'wacr[cli]'``); ``import wacr`` never
imports this package, and importing it loads neither. :func:`main` loads the root group
(``_app``: global options and a table of the commands), which imports a command group's module
(``_send``, ``_otp``, ``_contacts``, ``_messages``, ``_templates``, ``_groups``, ``_sources``,
``_statuses``, ``_comments``, ``_account``, ``_emulator``, ``_completion``) only when that group
is used; the client (aiohttp) only when a command calls the API, and rich (``_output``) only when
a result is printed, so that ``wacr --help`` and argument errors cost about what click does.
:mod:`wacr.cli.csv_import`, the import engine, works without click.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

__all__ = ["cli", "main"]


def main(argv: Sequence[str] | None = None, prog_name: str | None = None) -> int:
    """Run the ``wacr`` command; returns the exit status (the console script exits with it).

    Every error becomes one ``error: ...`` line on stderr: 2 for a bad argument (a usage
    error, or an argument the SDK rejects before sending), 1 for an error from the API or the
    network, 130 when interrupted. Without the ``cli`` extra it says so in one line and exits 2.
    """
    from wacr.cli._main import run

    return run(argv, prog_name or "wacr")


def __getattr__(name: str) -> Any:
    # `cli`, the click group, is loaded on first use: importing the package needs no click.
    if name == "cli":
        from wacr.cli._main import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    cli: click.Group
