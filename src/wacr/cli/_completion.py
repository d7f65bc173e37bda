"""``wacr completion bash|zsh|fish``: click's shell completion script for ``wacr``."""

from __future__ import annotations

import click


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script of SHELL; e.g. add to ~/.bashrc:

    eval "$(wacr completion bash)"
    """
    from click.shell_completion import get_completion_class

    complete = get_completion_class(shell)
    assert complete is not None  # one of click's own shells
    click.echo(complete(ctx.find_root().command, {}, "wacr", "_WACR_COMPLETE").source())
