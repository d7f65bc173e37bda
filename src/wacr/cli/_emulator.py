"""``wacr emulator``: serve the API emulator (:mod:`wacr.testing`)."""

from __future__ import annotations

import click


@click.command(
    "emulator",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def emulator(args: tuple[str, ...]) -> int:
    """Serve the API emulator: --port P --token T [--rate-limit N] (see 'wacr emulator --help')."""
    from wacr.testing import main as emulator_main

    return emulator_main(list(args), prog="wacr emulator")
