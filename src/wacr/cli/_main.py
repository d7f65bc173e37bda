"""Loading the commands and running them: every error becomes one line and an exit status."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence

try:  # the cli extra: click now, rich once a result is printed
    import click

    if importlib.util.find_spec("rich") is None:
        raise ImportError("no rich", name="rich")
except ImportError as _missing:  # pragma: no cover - a test runs it with click hidden
    # Reached only through the `wacr` script or `python -m wacr`: one line, no traceback.
    print(
        f"wacr: the command line needs the 'cli' extra ({_missing.name or 'click'} is not installed): "
        "pip install 'wacr[cli]'",
        file=sys.stderr,
    )
    raise SystemExit(2) from None

import wacr
from wacr.cli._app import EXIT_API_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, cli
from wacr.cli._format import one_line, printable

__all__ = ["cli", "run"]


def _usage_line(error: click.ClickException) -> str:
    text = " ".join(error.format_message().split()).rstrip(".")
    text = text[:1].lower() + text[1:]  # "Missing option" -> "error: missing option"
    ctx = getattr(error, "ctx", None)
    if isinstance(error, click.UsageError) and ctx is not None:
        text += f" (see '{ctx.command_path} --help')"
    return text


def _fail(message: str, status: int) -> int:
    click.echo(f"error: {printable(message)}", err=True)  # it may quote the server, a file or an argument
    return status


def run(argv: Sequence[str] | None = None, prog_name: str | None = None) -> int:
    """Run the ``wacr`` command; returns the exit status (:func:`wacr.cli.main` calls this).

    Every error becomes one ``error: ...`` line on stderr: 2 for a bad argument (a usage
    error, or an argument the SDK rejects before sending), 1 for an error from the API or the
    network, 130 when interrupted.
    """
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name=prog_name, standalone_mode=False
        )
    except click.ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `wacr` or `wacr send` alone (click >= 8.2)
            exc.show()
            return exc.exit_code
        return _fail(_usage_line(exc), exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        return _fail("interrupted", EXIT_INTERRUPTED)
    except (wacr.ConfigurationError, wacr.ValidationError) as exc:
        if isinstance(exc, wacr.ValidationError) and exc.status is not None:
            return _fail(one_line(exc), EXIT_API_ERROR)
        return _fail(one_line(exc), EXIT_USAGE)
    except wacr.WacrError as exc:
        return _fail(one_line(exc), EXIT_API_ERROR)
    except BrokenPipeError:
        # The reader went away (`wacr contacts list --all | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_API_ERROR
    except Exception as exc:
        import logging

        if logging.getLogger("wacr").isEnabledFor(logging.DEBUG):
            raise
        return _fail(f"unexpected {type(exc).__name__}: {one_line(exc)} (run with -vv for a traceback)", 1)
    return result if isinstance(result, int) else 0
