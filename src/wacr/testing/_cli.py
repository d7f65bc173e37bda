"""``wacr emulator`` / ``python -m wacr.testing``: serve the emulator until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from wacr.testing._emulator import Emulator

__all__ = ["build_parser", "main", "main_async"]

#: Exit status of a bad argument, as for the rest of the ``wacr`` command.
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse with the ``wacr`` command's error style: one ``error: ...`` line on stderr, exit 2.

    (The emulator needs no click: ``python -m wacr.testing`` works without the ``cli`` extra.)
    """

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {message} (see '{self.prog} --help')\n")


def _fail(message: str, status: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status


def build_parser(prog: str = "wacr emulator") -> argparse.ArgumentParser:
    """The command-line options."""
    parser = _Parser(
        prog=prog,
        description="Serve an in-memory emulator of the WA.cr / RASL WhatsApp Business API v2.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.  [default: %(default)s]")
    parser.add_argument(
        "--port", type=int, default=8080, help="Port, 0 for a free one.  [default: %(default)s]"
    )
    parser.add_argument(
        "--token", default="test-token", help="API token with every scope.  [default: %(default)s]"
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        metavar="N",
        help="Requests per minute per token.  [default: no general limit]",
    )
    parser.add_argument("--no-seed", action="store_true", help="Start without the seed data.")
    return parser


async def main_async(
    argv: Sequence[str] | None = None,
    *,
    stop: asyncio.Event | None = None,
    out: TextIO | None = None,
    prog: str = "wacr emulator",
) -> int:
    """Start the emulator, print its base URL and token, serve until SIGINT/SIGTERM or ``stop``."""
    args = build_parser(prog).parse_args(argv)
    stream = out if out is not None else sys.stdout
    if args.rate_limit is not None and args.rate_limit < 1:
        return _fail(f"argument --rate-limit: must be at least 1 (see '{prog} --help')", EXIT_USAGE)
    emulator = Emulator(args.token, rate_limit=args.rate_limit, seed=not args.no_seed)
    try:
        base_url = await emulator.start(args.host, args.port)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", 1)
    root = base_url[: -len("/api/v2")]
    print(f"wacr emulator listening on {base_url}", file=stream)
    print(f"token: {args.token}", file=stream)
    print(f"control API: {root}/_emulator", file=stream, flush=True)

    stop = stop if stop is not None else asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            continue
        installed.append(signum)
    try:
        await stop.wait()
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
        await emulator.stop()
    return 0


def main(argv: Sequence[str] | None = None, *, prog: str = "wacr emulator") -> int:
    """Run :func:`main_async` in a new event loop; returns the exit status."""
    try:
        return asyncio.run(main_async(argv, prog=prog))
    except SystemExit as exc:  # argparse: --help or a bad option
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:
        return 0  # Ctrl-C is how the emulator is meant to stop
