"""CLI start-up: ``wacr --help`` (and a group's help, and an argument error) vs a bare click app.

The bare app has the same shape: every group, command, argument and option of ``wacr`` (names,
flags, types, help text), generated from the real command tree into a temporary file, with no
body. Each sample is a fresh interpreter timed from the outside; sides alternate; medians.

    python bench/cli_start.py [--samples 15]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import child_env, emit, median, rotate

#: What is timed: the arguments of both apps.
CASES = {
    "help": ["--help"],
    "group_help": ["contacts", "--help"],
    "bad_argument": ["contacts", "get", "not-a-number"],
}


def _type(param: Any) -> str:
    import click

    kind = param.type
    if isinstance(kind, click.Choice):
        return f"click.Choice({list(kind.choices)!r})"
    if isinstance(kind, (click.IntRange, click.FloatRange)):
        name = "IntRange" if isinstance(kind, click.IntRange) else "FloatRange"
        return f"click.{name}(min={kind.min!r}, max={kind.max!r}, min_open={kind.min_open!r})"
    return {"integer": "int", "float": "float", "boolean": "bool"}.get(kind.name, "str")


def _param(param: Any) -> str:
    import click

    if isinstance(param, click.Argument):
        return f"@click.argument({param.name!r}, type={_type(param)}, nargs={param.nargs})"
    opts = ["/".join([*param.opts, *param.secondary_opts])] if param.secondary_opts else param.opts
    settings = f"required={param.required!r}, multiple={param.multiple!r}, help={param.help!r}"
    if param.is_flag and not param.secondary_opts:
        settings += ", is_flag=True"
    elif not param.is_flag and not param.count:
        settings += f", type={_type(param)}"
    if param.count:
        settings += ", count=True"
    return f"@click.option({', '.join(map(repr, opts))}, {param.name!r}, {settings})"


def _command(command: Any, parent: str, lines: list[str]) -> None:
    import click

    kind = "group" if isinstance(command, click.Group) else "command"
    lines.append(
        f"@{parent}.{kind}({command.name!r}, help={command.help!r}, short_help={command.short_help!r}, "
        f"context_settings={command.context_settings!r}, add_help_option={command.add_help_option!r})"
    )
    lines.extend(_param(param) for param in command.params if param.name != "help")
    name = f"c_{len(lines)}"
    lines += [f"def {name}(**kwargs):", "    pass", ""]
    if isinstance(command, click.Group):
        for child in command.commands.values():
            _command(child, name, lines)


def bare_app() -> str:
    """The source of a click app with the shape of ``wacr``'s command tree."""
    import click

    from wacr.cli import cli

    ctx = click.Context(cli)
    lines = ["import click", "", f"@click.group(context_settings={cli.context_settings!r})"]
    lines.extend(_param(param) for param in cli.params if param.name not in ("help", "version"))
    lines += ["@click.version_option('0', '-V', '--version')", "def root(**kwargs):", "    pass", ""]
    for name in cli.list_commands(ctx):
        _command(cli.get_command(ctx, name), "root", lines)
    lines += ["", "root(prog_name='wacr')"]
    return "\n".join(lines) + "\n"


def _time(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_wacr.py"
        bare.write_text(bare_app())
        sides = {"wacr": [sys.executable, "-m", "wacr"], "click": [sys.executable, str(bare)]}
        for argv in sides.values():
            _time([*argv, "--help"])  # fills the bytecode cache
        times: dict[str, list[float]] = {f"{s}_{c}": [] for s in sides for c in CASES}
        for n in range(args.samples):
            for case, extra in CASES.items():
                for side in rotate(list(sides), n):
                    times[f"{side}_{case}"].append(_time([*sides[side], *extra]))
    res: dict[str, float] = {key: median(values) * 1000 for key, values in times.items()}
    for case in CASES:
        res[f"{case}_ratio"] = res[f"wacr_{case}"] / res[f"click_{case}"]
    print(
        "fresh process, `wacr --help`: "
        + "; ".join(
            f"{case.replace('_', ' ')} {res[f'wacr_{case}']:.0f} ms vs bare click "
            f"{res[f'click_{case}']:.0f} ms ({res[f'{case}_ratio']:.2f}x)"
            for case in CASES
        ),
        flush=True,
    )
    emit(res)


if __name__ == "__main__":
    main()
